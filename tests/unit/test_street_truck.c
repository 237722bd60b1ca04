/*
 * test_street_truck.c — heavy-vehicle rules end to end on small PBF files written by the test (pbf_writer.h):
 *
 *     1 ──W10── 2 ──W11── 3        W10 residential 1-2; W11 residential 2-3 carrying the rule under test
 *     │                   │        W12 residential 1-4-5-3: the detour (about twice as long)
 *     4 ───────W12─────── 5
 *
 * For each rule (a low bridge, a weight limit, hgv=no, a daytime ban, width, length, axle load, hazmat, delivery)
 * the car takes W11 and the default truck takes the detour; a vehicle that fits the rule (or departs outside the
 * window) takes W11 again. Also: the tag value parsers (units, none, default, not understood → a finding and no
 * limit), and truck speeds (the vehicle's top speed, maxspeed:hgv).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pbf_writer.h"
#include "osm/osm.h"
#include "streets/street_mem.h"
#include "streets/street_search.h"
#include "streets/street_truck.h"
#include "common/geo.h"

#include <math.h>
#include <unistd.h>

static char dir[] = "/tmp/test_street_truck_XXXXXX";
static char path_buf[4096];

#define LAT0 41.15
#define LON0 (-8.61)
#define D 0.001

static double klat(int k) { return k <= 3 ? LAT0 : LAT0 - D; }
static double klon(int k) { return k <= 3 ? LON0 + (k - 1) * D : LON0 + (k == 4 ? 0 : 2 * D); }

typedef struct findings {
    char codes[64][48];
    char msgs[64][200];
    int n;
} findings;
static void collect(void *user, const tc_finding *f) {
    findings *fs = user;
    if (fs->n < 64) {
        snprintf(fs->codes[fs->n], 48, "%s", f->code);
        snprintf(fs->msgs[fs->n++], 200, "%s", f->message);
    }
}

/* build the fixture with W11 tagged `rule` (and W10/W12 tagged `other`, default residential) */
static street_mem build(const char *rule, const char *road, findings *fs) {
    snprintf(path_buf, sizeof path_buf, "%s/t.osm.pbf", dir);
    pw_node nodes[] = {{1, klat(1), klon(1)}, {2, klat(2), klon(2)}, {3, klat(3), klon(3)},
                       {4, klat(4), klon(4)}, {5, klat(5), klon(5)}};
    int64_t w10[] = {1, 2}, w11[] = {2, 3}, w12[] = {1, 4, 5, 3};
    char t10[128], t11[256], t12[128];
    snprintf(t10, sizeof t10, "highway=%s", road);
    snprintf(t11, sizeof t11, "highway=%s%s%s", road, *rule ? ";" : "", rule);
    snprintf(t12, sizeof t12, "highway=%s", road);
    pw_way ways[] = {{10, w10, 2, t10}, {11, w11, 2, t11}, {12, w12, 4, t12}};
    assert_int_equal(pw_write(path_buf, nodes, 5, ways, 3, NULL, 0, 1), 0);
    diag_log diag = {.fn = collect, .user = fs};
    street_mem m;
    tc_error err;
    if (street_mem_build(path_buf, &diag, 0, &m, &err) != TC_OK) fail_msg("build: %s", err.message);
    return m;
}

/* metres and seconds 1 → 3 for mode (the truck over its view for v); -1 when unreachable */
static double route_m(const street_graph *g0, tc_mode mode, const tc_truck *v, double *secs) {
    street_graph view;
    street_edge *owned = NULL;
    const street_graph *g = g0;
    tc_error err;
    if (mode == TC_MODE_TRUCK) {
        assert_int_equal(street_truck_view(g0, v, &view, &owned, &err), TC_OK);
        g = &view;
    }
    street_snap a, b;
    double out = -1;
    street_workspace ws = {0};
    if (street_snap_point(g, mode, klat(1), klon(1), 30, &a, &err) == TC_OK &&
        street_snap_point(g, mode, klat(3), klon(3), 30, &b, &err) == TC_OK) {
        assert_int_equal(street_workspace_init_graph(&ws, g, &err), TC_OK);
        street_path p = {0};
        if (street_route_snapped(&ws, mode, &a, &b, &p, &err) == TC_OK) {
            out = p.distance_m;
            if (secs) *secs = street_cost_seconds(mode, p.cost, 1);
            street_path_free(&p);
        }
        street_workspace_release_graph(&ws);
    }
    free(owned);
    return out;
}

static double direct_m(void) {
    return haversine_m(klat(1), klon(1), klat(2), klon(2)) + haversine_m(klat(2), klon(2), klat(3), klon(3));
}

/* the car and a vehicle that fits take W11; the default truck (or `blocked`) takes the detour */
static void check_rule(const char *rule, void (*fits)(tc_truck *), void (*blocked)(tc_truck *)) {
    findings fs = {0};
    street_mem m = build(rule, "residential", &fs);
    for (int i = 0; i < fs.n; i++)
        if (!strcmp(fs.codes[i], "osm_truck_tag")) fail_msg("%s: unexpected finding %s", rule, fs.msgs[i]);
    double direct = direct_m();
    tc_truck v;
    tc_truck_init(&v);
    if (blocked) blocked(&v);
    double car = route_m(&m.g, TC_MODE_CAR, NULL, NULL), truck = route_m(&m.g, TC_MODE_TRUCK, &v, NULL);
    if (fabs(car - direct) > 0.5) fail_msg("%s: car %.1f m, expected the direct %.1f m", rule, car, direct);
    if (!(truck > direct + 100)) fail_msg("%s: truck %.1f m, expected the detour (direct %.1f m)", rule, truck, direct);
    if (fits) {
        tc_truck_init(&v);
        fits(&v);
        double ok = route_m(&m.g, TC_MODE_TRUCK, &v, NULL);
        if (fabs(ok - direct) > 0.5) fail_msg("%s: fitting truck %.1f m, expected the direct %.1f m", rule, ok, direct);
    }
    street_mem_free(&m);
    /* the same through the public API on a built network file (what `tongcheng street --mode truck` calls) */
    char net[4200];
    snprintf(net, sizeof net, "%s/t.net", dir);
    tc_build_options bo;
    tc_build_options_init(&bo);
    bo.osm_path = path_buf;
    tc_error err;
    if (tc_build(&bo, net, &err) != TC_OK) fail_msg("%s: build: %s", rule, err.message);
    tc_network *n;
    assert_int_equal(tc_network_open(net, &n, &err), TC_OK);
    tc_street_options so;
    tc_street_options_init(&so);
    if (blocked) blocked(&so.truck);
    tc_street_result r;
    assert_int_equal(tc_street_route(n, TC_MODE_CAR, klat(1), klon(1), klat(3), klon(3), &so, &r, &err), TC_OK);
    assert_true(fabs(r.distance_m - direct) < 0.5);
    tc_street_result_free(&r);
    assert_int_equal(tc_street_route(n, TC_MODE_TRUCK, klat(1), klon(1), klat(3), klon(3), &so, &r, &err), TC_OK);
    if (!(r.distance_m > direct + 100)) fail_msg("%s: API truck %.1f m, expected the detour", rule, r.distance_m);
    tc_street_result_free(&r);
    if (fits) {
        tc_truck_init(&so.truck);
        fits(&so.truck);
        assert_int_equal(tc_street_route(n, TC_MODE_TRUCK, klat(1), klon(1), klat(3), klon(3), &so, &r, &err), TC_OK);
        if (fabs(r.distance_m - direct) > 0.5) fail_msg("%s: API fitting truck %.1f m", rule, r.distance_m);
        tc_street_result_free(&r);
    }
    tc_network_close(n);
}

static void low(tc_truck *v) { v->height_m = 3.4; }
static void lowest(tc_truck *v) { v->height_m = 2.9; }
static void light(tc_truck *v) { v->weight_t = 7.5, v->axle_load_t = 5; }
static void van(tc_truck *v) { v->weight_t = 3.5, v->axle_load_t = 2; }
static void evening(tc_truck *v) { v->time_s = 19 * 3600; }
static void saturday(tc_truck *v) { v->weekday = 5; }
static void night_before(tc_truck *v) { v->weekday = 0, v->time_s = 23 * 3600; }
static void early(tc_truck *v) { v->weekday = 1, v->time_s = 5 * 3600; }
static void narrow(tc_truck *v) { v->width_m = 2.0; }
static void short_(tc_truck *v) { v->length_m = 8; }
static void safe(tc_truck *v) { v->hazmat = 0; }
static void hazmat(tc_truck *v) { v->hazmat = 1; }
static void no_delivery(tc_truck *v) { v->delivery = 0; }
static void delivering(tc_truck *v) { v->delivery = 1; }

static void test_low_bridge(void **state) {
    (void)state;
    check_rule("maxheight=3.5", low, NULL);
    check_rule("maxheight=3.5 m", low, NULL);
    check_rule("maxheight=11'6\"", low, NULL); /* 3.505 m */
    check_rule("maxheight=11 ft 6 in", low, NULL);
    check_rule("maxheight:physical=3.4", low, NULL);
}

static void test_weight_limit(void **state) {
    (void)state;
    check_rule("maxweight=7.5", light, NULL);
    check_rule("maxweight=7.5 t", light, NULL);
    check_rule("maxweight=7500 kg", light, NULL);
    check_rule("maxweight=16535 lbs", light, NULL); /* 7.500 t */
    check_rule("maxaxleload=10", light, NULL);
}

static void test_hgv_no(void **state) {
    (void)state;
    check_rule("hgv=no", van, NULL);
    check_rule("goods=yes;hgv=no", van, NULL);
    check_rule("hgv=private", van, NULL);
}

static void test_time_window(void **state) {
    (void)state;
    check_rule("hgv:conditional=no @ (07:00-19:00)", evening, NULL);
    check_rule("hgv:conditional=no @ (Mo-Fr 07:00-19:00)", saturday, NULL);
    check_rule("hgv:conditional=no @ (Mo-Fr 07:00-10:00,16:00-19:00)", evening, NULL);
    check_rule("hgv:conditional=no @ (22:00-06:00)", NULL, night_before);
    check_rule("hgv:conditional=no @ (22:00-06:00)", NULL, early);
    /* closed except in a delivery window */
    check_rule("hgv=no;hgv:conditional=delivery @ (Mo-Fr 06:00-10:00)", NULL, evening);
    findings fs = {0};
    street_mem m = build("hgv=no;hgv:conditional=delivery @ (Mo-Fr 06:00-10:00)", "residential", &fs);
    tc_truck v;
    tc_truck_init(&v); /* Tuesday 08:00: inside the window */
    assert_true(fabs(route_m(&m.g, TC_MODE_TRUCK, &v, NULL) - direct_m()) < 0.5);
    street_mem_free(&m);
}

static void test_other_limits(void **state) {
    (void)state;
    check_rule("maxwidth=2.3", narrow, NULL);
    check_rule("maxlength=9", short_, NULL);
    check_rule("hazmat=no", safe, hazmat);
    check_rule("access=delivery", delivering, no_delivery);
    check_rule("maxweight=none;maxheight=default;hgv=yes;maxheight:physical=3.0", lowest, NULL);
}

static void test_unknown_values(void **state) {
    (void)state;
    static const char *const BAD[] = {"maxheight=below_default", "maxweight=heavy", "maxheight=3,5",
                                      "hgv:conditional=no @ (sunset-sunrise)", "hgv=maybe", "maxspeed:hgv=fast"};
    for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
        findings fs = {0};
        street_mem m = build(BAD[i], "residential", &fs);
        int found = 0;
        for (int k = 0; k < fs.n; k++) found |= !strcmp(fs.codes[k], "osm_truck_tag") && strstr(fs.msgs[k], "way 11");
        if (!found) fail_msg("%s: no osm_truck_tag finding", BAD[i]);
        /* the value is not guessed: no limit, the truck takes the direct street */
        tc_truck v;
        tc_truck_init(&v);
        assert_true(fabs(route_m(&m.g, TC_MODE_TRUCK, &v, NULL) - direct_m()) < 0.5);
        street_mem_free(&m);
    }
}

static void test_parsers(void **state) {
    (void)state;
    double x;
    assert_int_equal(osm_parse_length_m("12'6\"", &x), 1);
    assert_true(fabs(x - 3.81) < 1e-9);
    assert_int_equal(osm_parse_length_m("12 ft 6 in", &x), 1);
    assert_true(fabs(x - 3.81) < 1e-9);
    assert_int_equal(osm_parse_length_m("14'", &x), 1);
    assert_true(fabs(x - 4.2672) < 1e-9);
    assert_int_equal(osm_parse_length_m("4.2 m", &x), 1);
    assert_true(fabs(x - 4.2) < 1e-12);
    assert_int_equal(osm_parse_length_m("none", &x), 0);
    assert_int_equal(osm_parse_length_m("default", &x), 0);
    assert_int_equal(osm_parse_length_m("3,5", &x), -1);
    assert_int_equal(osm_parse_length_m("12'13\"", &x), -1);
    assert_int_equal(osm_parse_weight_t("5000 kg", &x), 1);
    assert_true(fabs(x - 5) < 1e-12);
    assert_int_equal(osm_parse_weight_t("10 st", &x), 1);
    assert_true(fabs(x - 9.0718474) < 1e-9);
    assert_int_equal(osm_parse_weight_t("7.5", &x), 1);
    assert_true(fabs(x - 7.5) < 1e-12);
    assert_int_equal(osm_parse_weight_t("none", &x), 0);
    assert_int_equal(osm_parse_weight_t("-3", &x), -1);
    assert_int_equal(osm_parse_weight_t("7.5 tons", &x), -1);
}

static void test_speeds(void **state) {
    (void)state;
    findings fs = {0};
    street_mem m = build("", "motorway_link;oneway=no;maxspeed=100", &fs);
    tc_truck v;
    tc_truck_init(&v);
    double car_s = 0, truck_s = 0, d = direct_m();
    assert_true(fabs(route_m(&m.g, TC_MODE_CAR, NULL, &car_s) - d) < 0.5);
    assert_true(fabs(route_m(&m.g, TC_MODE_TRUCK, &v, &truck_s) - d) < 0.5);
    assert_true(fabs(car_s - d / (100 / 3.6)) < 0.05);
    assert_true(fabs(truck_s - d / (80 / 3.6)) < 0.05);
    street_mem_free(&m);
    fs.n = 0;
    m = build("maxspeed:hgv=30", "residential;maxspeed=50", &fs);
    route_m(&m.g, TC_MODE_CAR, NULL, &car_s);
    double truck_m = route_m(&m.g, TC_MODE_TRUCK, &v, &truck_s);
    /* W11 at 30 km/h for trucks: still the faster way (the detour is over twice as long at 50) */
    assert_true(fabs(truck_m - d) < 0.5);
    double w10 = haversine_m(klat(1), klon(1), klat(2), klon(2)), w11 = d - w10;
    assert_true(fabs(truck_s - (w10 / (50 / 3.6) + w11 / (30 / 3.6))) < 0.05);
    street_mem_free(&m);
    /* a truck never beats the car */
    assert_true(truck_s >= car_s);
}

static void test_bad_vehicle(void **state) {
    (void)state;
    tc_truck v;
    tc_truck_init(&v);
    tc_error err;
    assert_int_equal(street_truck_check(&v, &err), TC_OK);
    v.axle_load_t = 30;
    assert_int_equal(street_truck_check(&v, &err), TC_ERR_INVALID_ARGUMENT);
    tc_truck_init(&v);
    v.height_m = -1;
    assert_int_equal(street_truck_check(&v, &err), TC_ERR_INVALID_ARGUMENT);
}

static int setup(void **state) {
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_low_bridge),   cmocka_unit_test(test_weight_limit), cmocka_unit_test(test_hgv_no),
        cmocka_unit_test(test_time_window),  cmocka_unit_test(test_other_limits), cmocka_unit_test(test_unknown_values),
        cmocka_unit_test(test_parsers),      cmocka_unit_test(test_speeds),       cmocka_unit_test(test_bad_vehicle),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
