/*
 * test_report_roads.c — the road model for car times (src/report/circle_roads.c) on small models written here:
 * times along a road against the arithmetic (distance × detour ÷ speed, plus the local legs), the faster of two
 * routes, peak-hour factors, local streets all the way when that is faster, a scenario's added road, and bad input
 * named by file and JSON path.
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

static char g_path[128];

static void write_model(const char *json) {
    snprintf(g_path, sizeof g_path, "/tmp/test_report_roads.%ld.json", (long)getpid());
    FILE *f = fopen(g_path, "w");
    assert_non_null(f);
    fputs(json, f);
    fclose(f);
}

/* Three nodes on a meridian 10 km apart; an expressway A-B-C at 100 km/h (detour 1), a slow road A-C at 20. */
static const char *model =
    "{\"road_version\": 1, \"access\": {\"speed_kmh\": 20, \"detour\": 1.0},"
    " \"nodes\": [{\"id\": \"A\", \"lat\": 28.0, \"lon\": 113.0}, {\"id\": \"B\", \"lat\": 28.09, \"lon\": 113.0},"
    "             {\"id\": \"C\", \"lat\": 28.18, \"lon\": 113.0}],"
    " \"roads\": [{\"id\": \"X\", \"speed_kmh\": 100, \"detour\": 1.0, \"peak_factor\": 0.5, \"nodes\": [\"A\", \"B\", \"C\"]},"
    "           {\"id\": \"S\", \"speed_kmh\": 20, \"detour\": 1.0, \"nodes\": [\"A\", \"C\"]}]}";

static void test_times(void **state) {
    (void)state;
    write_model(model);
    circle_roads *r = NULL;
    tc_error err = {0};
    assert_int_equal(circle_roads_read(g_path, NULL, NULL, 0, &r, &err), TC_OK);
    assert_int_equal(circle_roads_n_roads(r), 2);
    double d = haversine_m(28.0, 113.0, 28.18, 113.0);
    /* node to node: the expressway */
    assert_true(fabs(circle_roads_car_min(r, 28.0, 113.0, 28.18, 113.0, 0) - d / (100 / 3.6) / 60) < 0.01);
    /* peak: half the speed, still faster than the 20 km/h road */
    assert_true(fabs(circle_roads_car_min(r, 28.0, 113.0, 28.18, 113.0, 1) - d / (50 / 3.6) / 60) < 0.01);
    /* 1 km off the nodes at both ends: local legs at 20 km/h added (3 min each) */
    double off = haversine_m(28.0, 113.0, 28.0, 113.0 + 1.0 / (111.32 * cos(28.0 * M_PI / 180)));
    double lon_off = 113.0 + 1.0 / (111.32 * cos(28.0 * M_PI / 180));
    double off2 = haversine_m(28.18, 113.0, 28.18, lon_off);
    double want = (off + off2) / (20 / 3.6) / 60 + d / (100 / 3.6) / 60;
    assert_true(fabs(circle_roads_car_min(r, 28.0, lon_off, 28.18, lon_off, 0) - want) < 0.05);
    /* a short trip stays on local streets */
    double near = haversine_m(28.0, 113.0, 28.005, 113.0) / (20 / 3.6) / 60;
    assert_true(fabs(circle_roads_car_min(r, 28.0, 113.0, 28.005, 113.0, 0) - near) < 0.01);
    assert_true(circle_roads_car_min(r, 28.0, 113.0, 28.0, 113.0, 0) == 0);
    circle_roads_free(r);
    unlink(g_path);
}

/* A scenario's add_road: a new node and a fast road to it change the time to a point near it. */
static void test_added_road(void **state) {
    (void)state;
    write_model(model);
    cJSON *add = cJSON_Parse("{\"type\": \"add_road\", \"nodes\": [{\"id\": \"D\", \"lat\": 28.18, \"lon\": 113.2}],"
                             " \"roads\": [{\"id\": \"R\", \"speed_kmh\": 100, \"detour\": 1.0, \"nodes\": [\"C\", \"D\"]}]}");
    assert_non_null(add);
    const cJSON *extra[1] = {add};
    const char *files[1] = {"ring.json"};
    circle_roads *base = NULL, *with = NULL;
    tc_error err = {0};
    assert_int_equal(circle_roads_read(g_path, NULL, NULL, 0, &base, &err), TC_OK);
    assert_int_equal(circle_roads_read(g_path, extra, files, 1, &with, &err), TC_OK);
    double a = circle_roads_car_min(base, 28.0, 113.0, 28.18, 113.2, 0);
    double b = circle_roads_car_min(with, 28.0, 113.0, 28.18, 113.2, 0);
    assert_true(b < a - 10);
    double want = (haversine_m(28.0, 113.0, 28.18, 113.0) + haversine_m(28.18, 113.0, 28.18, 113.2)) /
                  (100 / 3.6) / 60;
    assert_true(fabs(b - want) < 0.01);
    /* a road to a node that does not exist is an error naming the scenario file and the entry */
    cJSON *bad = cJSON_Parse("{\"type\": \"add_road\", \"roads\": [{\"id\": \"R\", \"speed_kmh\": 100, \"nodes\": "
                             "[\"C\", \"Q\"]}]}");
    const cJSON *extra2[1] = {bad};
    circle_roads *r = NULL;
    assert_int_not_equal(circle_roads_read(g_path, extra2, files, 1, &r, &err), TC_OK);
    assert_null(r);
    assert_string_equal(err.file, "ring.json");
    assert_non_null(strstr(err.message, "roads[0].nodes[1]: no node \"Q\""));
    cJSON_Delete(bad);
    cJSON_Delete(add);
    circle_roads_free(base);
    circle_roads_free(with);
    unlink(g_path);
}

static void test_bad_input(void **state) {
    (void)state;
    static const struct {
        const char *json, *expect;
    } cases[] = {
        {"{\"road_version\": 1, \"nodes\": [{\"id\": \"A\", \"lat\": 28, \"lon\": 113}, {\"id\": \"A\", \"lat\": 28, "
         "\"lon\": 113.1}], \"roads\": [{\"id\": \"X\", \"speed_kmh\": 50, \"nodes\": [\"A\", \"A\"]}]}",
         "nodes[1].id: node id \"A\" is used twice"},
        {"{\"road_version\": 1, \"nodes\": [{\"id\": \"A\", \"lat\": 98, \"lon\": 113}], \"roads\": [{\"id\": "
         "\"X\", \"speed_kmh\": 50, \"nodes\": [\"A\", \"A\"]}]}",
         "nodes[0].lat: expected a number between -90 and 90"},
        {"{\"road_version\": 1, \"nodes\": [{\"id\": \"A\", \"lat\": 28, \"lon\": 113}, {\"id\": \"B\", \"lat\": 28.1, "
         "\"lon\": 113}], \"roads\": [{\"id\": \"X\", \"speed_kmh\": 500, \"nodes\": [\"A\", \"B\"]}]}",
         "roads[0].speed_kmh"},
        {"{\"nodes\": [], \"roads\": []}", "road_version"},
        {"{\"road_version\": 1, \"nodes\": [}", "JSON ends too early"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        write_model(cases[i].json);
        circle_roads *r = NULL;
        tc_error err = {0};
        tc_status st = circle_roads_read(g_path, NULL, NULL, 0, &r, &err);
        if (st == TC_OK || !strstr(err.message, cases[i].expect))
            fprintf(stderr, "case %zu: %d \"%s\", expected \"%s\"\n", i, st, err.message, cases[i].expect);
        assert_int_not_equal(st, TC_OK);
        assert_null(r);
        assert_string_equal(err.file, g_path);
        assert_non_null(strstr(err.message, cases[i].expect));
        unlink(g_path);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_added_road),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
