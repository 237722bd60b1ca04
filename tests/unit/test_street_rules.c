/*
 * test_street_rules.c — the OSM tag rules (access per mode, direction, car speed) and the no-street fallback of
 * street_stops_near (straight line × detour over a grid of stops), checked against values worked out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "osm/osm.h"
#include "routing/stop_access.h"
#include "streets/street_graph.h"
#include "network/network.h"
#include "common/geo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static osm_way_access rules(const char *tags) {
    const char *k[32], *v[32];
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", tags);
    int n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ";", &save); t && n < 32; t = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(t, '=');
        *eq = 0;
        k[n] = strdup(t);
        v[n] = strdup(eq + 1);
        n++;
    }
    osm_way_access a;
    osm_way_rules(n, k, v, &a);
    for (int i = 0; i < n; i++) free((void *)k[i]), free((void *)v[i]);
    a.fwd &= (uint8_t)~STREET_TRUCK; /* the truck bit has its own tests (test_street_truck.c) */
    a.bwd &= (uint8_t)~STREET_TRUCK;
    return a;
}

#define W STREET_WALK
#define B STREET_BIKE
#define C STREET_CAR

static void test_classes(void **state) {
    (void)state;
    osm_way_access a = rules("highway=residential");
    assert_int_equal(a.fwd, W | B | C);
    assert_int_equal(a.bwd, W | B | C);
    assert_int_equal(a.car_kmh, 30);
    a = rules("highway=footway");
    assert_int_equal(a.fwd, W);
    assert_int_equal(a.bwd, W);
    a = rules("highway=motorway");
    assert_int_equal(a.fwd, C); /* implied oneway, no walking or cycling */
    assert_int_equal(a.bwd, 0);
    a = rules("highway=cycleway");
    assert_int_equal(a.fwd, W | B);
    a = rules("highway=construction");
    assert_int_equal(a.fwd | a.bwd, 0);
    a = rules("name=Not a road");
    assert_int_equal(a.fwd | a.bwd, 0);
    a = rules("highway=steps");
    assert_int_equal(a.fwd, W);
}

/* ways no point is linked to (street_snap.c): as R5, tunnel=yes, covered=yes and motorways */
static void test_unlinkable(void **state) {
    (void)state;
    assert_true(rules("highway=service;tunnel=yes").unlinkable);
    assert_true(rules("highway=footway;covered=yes").unlinkable);
    assert_true(rules("highway=motorway").unlinkable);
    assert_false(rules("highway=footway;tunnel=building_passage").unlinkable);
    assert_false(rules("highway=residential;tunnel=no").unlinkable);
    assert_false(rules("highway=footway").unlinkable);
}

/* levels of traffic stress from the tags (osm_rules.c's table) */
static void test_lts(void **state) {
    (void)state;
    assert_int_equal(rules("highway=cycleway").lts, 1);
    assert_int_equal(rules("highway=primary;cycleway=track").lts, 1);
    assert_int_equal(rules("highway=residential").lts, 2);
    assert_int_equal(rules("highway=residential;maxspeed=40").lts, 3);
    assert_int_equal(rules("highway=tertiary").lts, 3);
    assert_int_equal(rules("highway=tertiary;cycleway:right=lane").lts, 2);
    assert_int_equal(rules("highway=secondary;cycleway=lane;maxspeed=50").lts, 3);
    assert_int_equal(rules("highway=primary").lts, 4);
    assert_int_equal(rules("highway=residential;maxspeed=60").lts, 4);
    assert_int_equal(rules("highway=footway").lts, 0); /* no bicycles */
    assert_int_equal(rules("highway=motorway").lts, 0);
}

static void test_access_tags(void **state) {
    (void)state;
    osm_way_access a = rules("highway=service;access=private");
    assert_int_equal(a.fwd | a.bwd, 0);
    a = rules("highway=service;access=private;foot=yes");
    assert_int_equal(a.fwd, W);
    a = rules("highway=footway;bicycle=yes");
    assert_int_equal(a.fwd, W | B);
    a = rules("highway=residential;motor_vehicle=no");
    assert_int_equal(a.fwd, W | B);
    a = rules("highway=residential;motor_vehicle=no;motorcar=yes");
    assert_int_equal(a.fwd, W | B | C);
    a = rules("highway=primary;foot=no;bicycle=dismount");
    assert_int_equal(a.fwd, C);
    a = rules("highway=motorway;foot=yes");
    assert_int_equal(a.fwd, W | C);
    assert_int_equal(a.bwd, W);
    /* a pedestrian area: its outline is walked, nothing else */
    a = rules("highway=pedestrian;area=yes");
    assert_int_equal(a.fwd, W);
    assert_int_equal(a.bwd, W);
}

static void test_oneway(void **state) {
    (void)state;
    osm_way_access a = rules("highway=residential;oneway=yes");
    assert_int_equal(a.fwd, W | B | C);
    assert_int_equal(a.bwd, W);
    a = rules("highway=residential;oneway=-1");
    assert_int_equal(a.fwd, W);
    assert_int_equal(a.bwd, W | B | C);
    a = rules("highway=residential;oneway=yes;oneway:bicycle=no");
    assert_int_equal(a.bwd, W | B);
    a = rules("highway=residential;oneway=yes;cycleway=opposite_lane");
    assert_int_equal(a.bwd, W | B);
    a = rules("highway=primary;junction=roundabout");
    assert_int_equal(a.fwd, W | B | C);
    assert_int_equal(a.bwd, W);
    a = rules("highway=motorway;oneway=no");
    assert_int_equal(a.fwd, C);
    assert_int_equal(a.bwd, C);
    a = rules("highway=residential;oneway=reversible");
    assert_int_equal(a.fwd, W);
    assert_int_equal(a.bwd, W);
}

static void test_maxspeed(void **state) {
    (void)state;
    assert_true(fabs(osm_parse_maxspeed("50") - 50) < 1e-9);
    assert_true(fabs(osm_parse_maxspeed("30 mph") - 48.28032) < 1e-6);
    assert_true(fabs(osm_parse_maxspeed("none") - 130) < 1e-9);
    assert_true(fabs(osm_parse_maxspeed("DE:urban") - 50) < 1e-9);
    assert_true(fabs(osm_parse_maxspeed("RU:urban") - 60) < 1e-9);
    assert_true(fabs(osm_parse_maxspeed("DE:zone30") - 30) < 1e-9);
    assert_true(fabs(osm_parse_maxspeed("60;80") - 60) < 1e-9);
    assert_true(fabs(osm_parse_maxspeed("walk") - 7) < 1e-9);
    assert_true(osm_parse_maxspeed("signals") == 0);
    assert_true(osm_parse_maxspeed("") == 0);
    assert_int_equal(rules("highway=primary;maxspeed=45 mph").car_kmh, 72);
    assert_int_equal(rules("highway=primary;maxspeed=signals").car_kmh, 60); /* class default */
    assert_int_equal(rules("highway=motorway").car_kmh, 100);
    assert_int_equal(rules("highway=motorway;maxspeed=none").car_kmh, 130);
}

/* ---- straight-line fallback ---- */

static net_stop mkstop(double lat, double lon) {
    net_stop s;
    memset(&s, 0, sizeof s);
    s.lat_e7 = to_e7(lat);
    s.lon_e7 = to_e7(lon);
    s.parent = TC_NONE;
    return s;
}

static int32_t seconds_of(const stop_seconds *r, uint32_t n, uint32_t stop) {
    for (uint32_t i = 0; i < n; i++)
        if (r[i].stop == stop) return r[i].seconds;
    return -1;
}

static void test_fallback(void **state) {
    (void)state;
    /* 2,000 stops on a 40 × 50 lattice 100 m apart, plus one stop across the antimeridian pair below */
    enum { NX = 40, NY = 50 };
    net_stop *stops = calloc(NX * NY, sizeof *stops);
    double lat0 = -30.0, lon0 = -51.2, dlat = 100 / 111195.08, dlon = 100 / (111195.08 * cos(lat0 * M_PI / 180));
    for (int y = 0; y < NY; y++)
        for (int x = 0; x < NX; x++) stops[y * NX + x] = mkstop(lat0 + y * dlat, lon0 + x * dlon);
    network_view v;
    memset(&v, 0, sizeof v);
    v.n_stops = NX * NY;
    v.stops = stops;
    v.straight_line_detour = 1.3;
    street_workspace *ws;
    tc_error err;
    assert_int_equal(street_workspace_create(&v, &ws, &err), TC_OK);
    /* from the stop at (x=10, y=10): within 300 s at 1.3 m/s with detour 1.3 → straight radius 300 m */
    double qlat = lat0 + 10 * dlat, qlon = lon0 + 10 * dlon;
    const stop_seconds *r;
    uint32_t n;
    assert_int_equal(street_stops_near(ws, &v, TC_MODE_WALK, qlat, qlon, 1.3, 300, 0, 0, &r, &n, &err), TC_OK);
    /* brute force over every stop, independently */
    uint32_t expect = 0;
    for (uint32_t i = 0; i < v.n_stops; i++) {
        double d = haversine_m(qlat, qlon, from_e7(stops[i].lat_e7), from_e7(stops[i].lon_e7));
        double secs = d * 1.3 / 1.3;
        if (secs <= 299.0) {
            expect++;
            int32_t got = seconds_of(r, n, i);
            assert_true(got >= 0);
            assert_true(fabs(got - secs) <= 1.0);
        }
        if (secs > 301.0) assert_int_equal(seconds_of(r, n, i), -1);
    }
    assert_true(expect >= 25); /* lattice points with x² + y² < 9: 25 */
    assert_true(n >= expect && n <= expect + 8);
    assert_int_equal(seconds_of(r, n, 10 * NX + 10), 0);
    /* a point far from every stop: nothing */
    assert_int_equal(street_stops_near(ws, &v, TC_MODE_WALK, 10.0, 10.0, 1.3, 1200, 0, 0, &r, &n, &err), TC_OK);
    assert_int_equal(n, 0);
    /* bad speed is an error, not a division by zero */
    assert_int_equal(street_stops_near(ws, &v, TC_MODE_WALK, qlat, qlon, 0, 300, 0, 0, &r, &n, &err),
                     TC_ERR_INVALID_ARGUMENT);
    street_workspace_free(ws);
    free(stops);

    /* stops on both sides of the antimeridian, 200 m apart */
    net_stop two[2] = {mkstop(-17.0, 179.999), mkstop(-17.0, -179.999)};
    v.n_stops = 2;
    v.stops = two;
    assert_int_equal(street_workspace_create(&v, &ws, &err), TC_OK);
    assert_int_equal(street_stops_near(ws, &v, TC_MODE_WALK, -17.0, 179.9995, 1.0, 400, 0, 0, &r, &n, &err), TC_OK);
    assert_int_equal(n, 2);
    double d = haversine_m(-17.0, 179.9995, -17.0, -179.999);
    assert_true(fabs(seconds_of(r, n, 1) - d * 1.3) <= 1.0);
    street_workspace_free(ws);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classes),  cmocka_unit_test(test_access_tags), cmocka_unit_test(test_oneway),
        cmocka_unit_test(test_maxspeed), cmocka_unit_test(test_fallback),
        cmocka_unit_test(test_unlinkable), cmocka_unit_test(test_lts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
