/*
 * test_report_freight.c — the circle report's freight section on a road model written by the test: two cities A
 * and B 20 km apart, joined by a 90 km/h road, each with a centre zone closed 07:00-21:00 without its permit.
 * Checked by hand: a truck is capped at the model's truck speed; an A-permit truck cannot end in B's centre in the
 * ban (INFINITY), can at 22:00 and can with mutual recognition; the freight section's coverage follows: B's centre
 * population counts for the A site only with mutual recognition, and mutual recognition never reduces coverage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/geo.h"
#include "report/circle.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/test_report_freight_XXXXXX";
static char roads_path[256], hubs_path[256];

static const char *MODEL =
    "{\"road_version\": 1, \"access\": {\"speed_kmh\": 30, \"detour\": 1.0},\n"
    " \"truck\": {\"max_kmh\": 60, \"zones\": [\n"
    "   {\"id\": \"a\", \"city\": \"A\", \"lat\": 28.0, \"lon\": 113.0, \"radius_km\": 2, \"ban\": \"07:00-21:00\"},\n"
    "   {\"id\": \"b\", \"city\": \"B\", \"lat\": 28.0, \"lon\": 113.2, \"radius_km\": 2, \"ban\": \"07:00-21:00\"}]},\n"
    " \"nodes\": [{\"id\": \"na\", \"lat\": 28.03, \"lon\": 113.0}, {\"id\": \"nb\", \"lat\": 28.03, \"lon\": 113.2}],\n"
    " \"roads\": [{\"id\": \"r\", \"speed_kmh\": 90, \"detour\": 1.0, \"nodes\": [\"na\", \"nb\"]}]}\n";

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_truck_rules(void **state) {
    (void)state;
    circle_roads *r;
    tc_error err;
    assert_int_equal(circle_roads_read(roads_path, NULL, NULL, 0, &r, &err), TC_OK);
    assert_int_equal(circle_roads_n_truck_zones(r), 2);
    assert_string_equal(circle_roads_zone_city(r, 28.01, 113.01), "A");
    /* from just outside A's zone (north, next to node na) to just outside B's: road at min(90, 60) km/h */
    double alat = 28.03, alon = 113.0, blat[3] = {28.03, 28.0, 28.0}, blon[3] = {113.2, 113.2, 113.0}, m[3];
    circle_truck t = {"A", 0, 10 * 3600, 0};
    assert_int_equal(circle_roads_truck_from(r, alat, alon, &t, blat, blon, 3, m), TC_OK);
    double road_m = haversine_m(28.03, 113.0, 28.03, 113.2);
    assert_true(fabs(m[0] - road_m / (60 / 3.6) / 60) < 0.01);
    assert_true(isinf(m[1]));  /* B's centre, in the ban, without B's permit */
    assert_false(isinf(m[2])); /* A's own centre */
    t.depart_s = 22 * 3600;
    assert_int_equal(circle_roads_truck_from(r, alat, alon, &t, blat, blon, 3, m), TC_OK);
    assert_false(isinf(m[1]));
    t.depart_s = 10 * 3600;
    t.all_permits = 1;
    assert_int_equal(circle_roads_truck_from(r, alat, alon, &t, blat, blon, 3, m), TC_OK);
    double expect = (road_m / (60 / 3.6) + haversine_m(28.03, 113.2, 28.0, 113.2) / (30 / 3.6)) / 60;
    assert_true(fabs(m[1] - expect) < 0.01);
    circle_roads_free(r);
}

static void test_freight_section(void **state) {
    (void)state;
    circle_roads *r;
    tc_error err;
    assert_int_equal(circle_roads_read(roads_path, NULL, NULL, 0, &r, &err), TC_OK);
    double lat[3] = {28.0, 28.0, 28.05}, lon[3] = {113.0, 113.2, 113.1}, count[3] = {1000, 2000, 400};
    circle_population pop = {3, lat, lon, count, 3400, NULL};
    circle_freight *f;
    assert_int_equal(circle_freight_compute(r, hubs_path, &pop, 10 * 3600, &f, &err), TC_OK);
    assert_int_equal(f->n_hubs, 2);
    size_t H = 2, K = CIRCLE_FREIGHT_CUTOFFS;
    assert_string_equal(f->home[0], "A");
    assert_string_equal(f->home[1], "B");
    /* site A at 90 min: today A's centre and the cell between (1400); with mutual recognition B's centre too */
    assert_true(fabs(f->pop[0 * K + 2] - 1400) < 1e-9);
    assert_true(fabs(f->pop[(H + 0) * K + 2] - 3400) < 1e-9);
    for (size_t i = 0; i < H * K; i++) assert_true(f->pop[H * K + i] >= f->pop[i]);
    /* both sites together reach everyone either way */
    assert_true(fabs(f->pop_any[2] - 3400) < 1e-9 && fabs(f->pop_any[K + 2] - 3400) < 1e-9);
    char out[300];
    snprintf(out, sizeof out, "%s/freight.csv", dir);
    assert_int_equal(circle_freight_write_csv(f, out, &err), TC_OK);
    FILE *fp = fopen(out, "r");
    char line[512];
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "hub_id,name,type,home_city,cutoff_min,population_today,population_mutual_recognition,change\n");
    int rows = 0;
    while (fgets(line, sizeof line, fp)) rows++;
    fclose(fp);
    assert_int_equal(rows, (int)((H + 1) * K));
    circle_freight_free(f);
    circle_roads_free(r);
}

static int setup(void **state) {
    (void)state;
    if (!mkdtemp(dir)) return -1;
    snprintf(roads_path, sizeof roads_path, "%s/roads.json", dir);
    snprintf(hubs_path, sizeof hubs_path, "%s/hubs.csv", dir);
    write_file(roads_path, MODEL);
    write_file(hubs_path, "id,name,lat,lon,type\nha,Site A,28.03,113.0,land_port\nhb,Site B,28.03,113.2,port\n");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_truck_rules), cmocka_unit_test(test_freight_section)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
