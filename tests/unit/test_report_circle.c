/*
 * test_report_circle.c — the circle report's parts that do not need the analysis stage:
 *  - hub waits on a two-line hub written here as a sketch with scheduled trains, where every wait is known by
 *    construction (high-speed arrivals 07:10, 07:40; intercity departures chosen around them), with the hub's
 *    3-minute transfer and then with a timed (zero-minimum) transfer that makes a 0-minute connection feasible;
 *  - the places CSV: quoted names, and errors naming line and column (bad latitude, duplicate id, missing column);
 *  - circle.csv: exactly the columns, one row per scenario × place × core, unreached times empty;
 *  - a sketch feed freed through gtfs_feed_free (its release hook; the ASan build checks for leaks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "network/builder.h"
#include "report/circle.h"
#include "sketch/sketch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* High-speed X → hub (10 min, arriving 07:10 and 07:40), intercity hub → Y leaving at IC_DEPS; TRANSFERS is the
 * sketch's "transfers" member. */
static const char *sketch_fmt =
    "{\"sketch_version\": 1, \"name\": \"hub\", \"timezone\": \"Asia/Shanghai\","
    " \"agencies\": [{\"id\": \"a\", \"name\": \"A\", \"url\": \"https://example.org/\"}],"
    " \"calendars\": [{\"id\": \"d\", \"start\": \"2026-03-01\", \"end\": \"2026-03-31\", \"days\": \"1111111\"}],"
    " \"stations\": [{\"id\": \"H\", \"name\": \"Hub\", \"lat\": 28.0, \"lon\": 113.0, \"transfer_min\": 3}],"
    " \"lines\": ["
    "  {\"id\": \"HS\", \"route_type\": 101, \"directions\": \"forward\","
    "   \"stations\": [{\"id\": \"x\", \"name\": \"X\", \"lat\": 28.2, \"lon\": 113.2},"
    "                  {\"id\": \"hs_h\", \"name\": \"Hub HS\", \"lat\": 28.0, \"lon\": 113.0, \"station\": \"H\","
    "                   \"run_min\": 10}],"
    "   \"departures\": [\"07:00\", \"07:30\"]},"
    "  {\"id\": \"IC\", \"route_type\": 2, \"directions\": \"forward\","
    "   \"stations\": [{\"id\": \"ic_h\", \"name\": \"Hub IC\", \"lat\": 28.0, \"lon\": 113.0005, \"station\": \"H\"},"
    "                  {\"id\": \"y\", \"name\": \"Y\", \"lat\": 27.9, \"lon\": 113.0, \"run_min\": 12}],"
    "   \"departures\": [%s]}]%s}";

static tc_network *build_hub(const char *ic_deps, const char *transfers) {
    char json[4096], path[64];
    snprintf(json, sizeof json, sketch_fmt, ic_deps, transfers);
    gtfs_feed *feed = NULL;
    tc_error err = {0};
    tc_status st = sketch_parse(json, strlen(json), "hub.json", NULL, NULL, &feed, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, TC_OK);
    snprintf(path, sizeof path, "/tmp/test_report_circle.%ld.net", (long)getpid());
    tc_build_options o;
    tc_build_options_init(&o);
    st = build_from_feeds(&feed, 1, &o, NULL, path, &err);
    gtfs_feed_free(feed); /* a sketch feed, freed through its release hook */
    assert_int_equal(st, TC_OK);
    tc_network *net = NULL;
    assert_int_equal(tc_network_open(path, &net, &err), TC_OK);
    unlink(path);
    return net;
}

static circle_params hub_params(void) {
    circle_params p;
    circle_params_init(&p);
    tc_parse_date("2026-03-10", &p.date, NULL);
    return p;
}

static void test_hub_waits_min_transfer(void **state) {
    (void)state;
    /* arrivals 07:10, 07:40; departures 07:15 (5 min after the first, ≥ 3), 07:50 (10 min after the second) */
    tc_network *net = build_hub("\"07:15\", \"07:50\"", "");
    circle_params p = hub_params();
    circle_hub_stat *hs = NULL;
    size_t n = 0;
    assert_int_equal(circle_hub_waits(net, &p, &hs, &n, NULL), TC_OK);
    assert_int_equal(n, 1); /* only high-speed → intercity: the intercity never arrives, high-speed never leaves */
    assert_int_equal(hs[0].from, CC_HIGH_SPEED);
    assert_int_equal(hs[0].to, CC_RAIL);
    assert_string_equal(hs[0].hub, "Hub");
    assert_int_equal(hs[0].arrivals, 2);
    assert_int_equal(hs[0].connected, 2);
    assert_int_equal(hs[0].wait_min_s, 300);
    assert_int_equal(hs[0].wait_p50_s, 300);
    assert_int_equal(hs[0].wait_max_s, 600);
    assert_int_equal(hs[0].transfer_min_s, 180);
    assert_int_equal(hs[0].frequency_based, 0);
    free(hs);

    /* a window that holds only the second arrival */
    p.window_start = 7 * 3600 + 30 * 60;
    assert_int_equal(circle_hub_waits(net, &p, &hs, &n, NULL), TC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(hs[0].arrivals, 1);
    assert_int_equal(hs[0].wait_min_s, 600);
    free(hs);
    tc_network_close(net);
}

static void test_hub_waits_timed(void **state) {
    (void)state;
    /* departures 07:10 and 07:42. With the hub's 3-min minimum: 07:10 → 07:42 (32 min), 07:40 → nothing (07:42 is
     * 2 min away) → 1 of 2 connected. A timed transfer: 07:10 → 07:10 (0), 07:40 → 07:42 (2 min). */
    tc_network *net = build_hub("\"07:10\", \"07:42\"", "");
    circle_params p = hub_params();
    circle_hub_stat *hs = NULL;
    size_t n = 0;
    assert_int_equal(circle_hub_waits(net, &p, &hs, &n, NULL), TC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(hs[0].arrivals, 2);
    assert_int_equal(hs[0].connected, 1);
    assert_int_equal(hs[0].wait_min_s, 32 * 60);
    assert_int_equal(hs[0].wait_max_s, 32 * 60);
    free(hs);
    tc_network_close(net);

    net = build_hub("\"07:10\", \"07:42\"", ", \"transfers\": [{\"from\": \"hs_h\", \"to\": \"ic_h\", \"timed\": true}]");
    assert_int_equal(circle_hub_waits(net, &p, &hs, &n, NULL), TC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(hs[0].connected, 2);
    assert_int_equal(hs[0].wait_min_s, 0);
    assert_int_equal(hs[0].wait_p50_s, 0);
    assert_int_equal(hs[0].wait_max_s, 120);
    assert_int_equal(hs[0].transfer_min_s, 0);
    assert_int_equal(hs[0].transfer_max_s, 0);
    free(hs);
    tc_network_close(net);
}

static void test_route_classes(void **state) {
    (void)state;
    assert_int_equal(circle_class_of_route_type(101), CC_HIGH_SPEED);
    assert_int_equal(circle_class_of_route_type(102), CC_HIGH_SPEED);
    assert_int_equal(circle_class_of_route_type(2), CC_RAIL);
    assert_int_equal(circle_class_of_route_type(106), CC_RAIL);
    assert_int_equal(circle_class_of_route_type(1), CC_METRO);
    assert_int_equal(circle_class_of_route_type(12), CC_METRO);
    assert_int_equal(circle_class_of_route_type(401), CC_METRO);
    assert_int_equal(circle_class_of_route_type(3), CC_OTHER);
}

static void test_places_parse(void **state) {
    (void)state;
    circle_places pl;
    tc_error err = {0};
    const char *ok = "id,name,name_zh,lat,lon,approximate\r\n"
                     "a,\"Alpha, the core\",甲,28.1,113.0,0\r\nb,Beta,,27.5,112.5,1\r\n";
    assert_int_equal(circle_places_parse("p.csv", ok, strlen(ok), &pl, &err), TC_OK);
    assert_int_equal(pl.n, 2);
    assert_string_equal(pl.v[0].name, "Alpha, the core");
    assert_string_equal(pl.v[0].name_zh, "甲");
    assert_true(fabs(pl.v[1].lat - 27.5) < 1e-12 && fabs(pl.v[1].lon - 112.5) < 1e-12);
    assert_int_equal(pl.v[0].approximate, 0);
    assert_int_equal(pl.v[1].approximate, 1);
    circle_places_free(&pl);

    const char *bad_lat = "id,name,lat,lon\na,A,28,113\nb,B,abc,113\n";
    assert_int_equal(circle_places_parse("p.csv", bad_lat, strlen(bad_lat), &pl, &err), TC_ERR_PARSE);
    assert_string_equal(err.file, "p.csv");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 3);
    assert_non_null(strstr(err.message, "abc"));

    const char *dup = "id,lat,lon\na,28,113\na,28.1,113\n";
    assert_int_equal(circle_places_parse("p.csv", dup, strlen(dup), &pl, &err), TC_ERR_PARSE);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 1);
    assert_non_null(strstr(err.message, "duplicate"));

    const char *nolon = "id,name,lat\na,A,28\n";
    assert_int_equal(circle_places_parse("p.csv", nolon, strlen(nolon), &pl, &err), TC_ERR_PARSE);
    assert_int_equal(err.line, 1);
    assert_non_null(strstr(err.message, "lon"));
}

static void test_write_csv(void **state) {
    (void)state;
    circle_place pv[1] = {{"p1", "Place", "", "", 28, 113, 0}};
    circle_place cv[2] = {{"c1", "Core 1", "", "", 28, 113, 0}, {"c2", "Core, two", "", "", 27, 113, 0}};
    circle_places places = {pv, 1}, cores = {cv, 2};
    circle_pair base_pairs[2] = {{42, 55, 30.24, 1}, {TC_UNREACHED_MIN, TC_UNREACHED_MIN, NAN, 0}};
    circle_pair scn_pairs[2] = {{40, 50, 30.24, 1}, {70, 80, 61.0, 0}};
    circle_result res[2];
    memset(res, 0, sizeof res);
    res[0].name = "baseline";
    res[1].name = "faster";
    for (int k = 0; k < 2; k++) res[k].n_places = 1, res[k].n_cores = 2;
    res[0].pairs = base_pairs;
    res[1].pairs = scn_pairs;
    circle_params prm;
    circle_params_init(&prm);
    circle_report rep = {res, 2, &places, &cores, &prm, "test", 0, NULL, 0, NULL};
    char path[64];
    snprintf(path, sizeof path, "/tmp/test_report_circle.%ld.csv", (long)getpid());
    tc_error err = {0};
    assert_int_equal(circle_write_csv(&rep, path, &err), TC_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[1024] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    unlink(path);
    buf[n] = '\0';
    assert_string_equal(buf, "scenario,place,core,transit_p50_min,transit_p90_min,car_min,inside\n"
                             "baseline,p1,c1,42,55,30.2,1\n"
                             "baseline,p1,c2,,,,0\n"
                             "faster,p1,c1,40,50,30.2,1\n"
                             "faster,p1,c2,70,80,61.0,0\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hub_waits_min_transfer), cmocka_unit_test(test_hub_waits_timed),
        cmocka_unit_test(test_route_classes),          cmocka_unit_test(test_places_parse),
        cmocka_unit_test(test_write_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
