/*
 * test_report_road_scenario.c — scenarios' car-speed changes (road projects) on a real street network
 * ($TC_DATA/osm/portland_small.osm.pbf; skipped when absent), built through tc_build with --scenario:
 *  - by way id: every car arc of the listed way gets round(speed × factor), every other arc keeps its speed;
 *  - by polygon with a speed: every car arc whose segment midpoint is inside gets exactly that speed, the rest
 *    nothing; a car trip in that part gets slower (and takes at most its distance at that speed);
 *  - an unknown way id fails naming the entry and leaves the previous network file untouched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/geo.h"
#include "network/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_osm[4096], g_dir[256];

static int setup(void **state) {
    (void)state;
    const char *data = getenv("TC_DATA");
    if (!data) return -1;
    snprintf(g_osm, sizeof g_osm, "%s/osm/portland_small.osm.pbf", data);
    snprintf(g_dir, sizeof g_dir, "/tmp/test_report_road.%ld", (long)getpid());
    mkdir(g_dir, 0700);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static tc_network *build(const char *name, const char *scenario_json, tc_status expect, tc_error *err) {
    char out[512], scn[512];
    snprintf(out, sizeof out, "%s/%s.net", g_dir, name);
    const char *scns[1] = {scn};
    tc_build_options o;
    tc_build_options_init(&o);
    o.osm_path = g_osm;
    if (scenario_json) {
        snprintf(scn, sizeof scn, "%s/%s.json", g_dir, name);
        FILE *f = fopen(scn, "w");
        assert_non_null(f);
        fputs(scenario_json, f);
        fclose(f);
        o.scenarios = scns;
        o.n_scenarios = 1;
    }
    tc_status st = tc_build(&o, out, err);
    if (st != expect) fprintf(stderr, "build %s: %s\n", name, err->message);
    assert_int_equal(st, expect);
    if (st) return NULL;
    tc_network *net = NULL;
    assert_int_equal(tc_network_open(out, &net, err), TC_OK);
    return net;
}

static void seg_mid(const street_graph *g, uint32_t s, double *lat, double *lon) {
    const street_seg *sg = &g->segs[s];
    *lat = (from_e7(g->node_coords[2 * sg->a]) + from_e7(g->node_coords[2 * sg->b])) / 2;
    *lon = (from_e7(g->node_coords[2 * sg->a + 1]) + from_e7(g->node_coords[2 * sg->b + 1])) / 2;
}

static void test_by_way_id(void **state) {
    (void)state;
    if (access(g_osm, R_OK)) skip();
    tc_error err = {0};
    tc_network *base = build("base", NULL, TC_OK, &err);
    const street_graph *g = &base->v.streets;
    assert_true(g->n_edges > 100);
    /* the way of the first car arc */
    int64_t way = 0;
    for (uint32_t e = 0; e < g->n_edges && !way; e++)
        if (g->edges[e].access & STREET_CAR) way = g->segs[g->edges[e].seg & STREET_SEG_MASK].way_id;
    assert_true(way != 0);
    char json[256];
    snprintf(json, sizeof json,
             "{\"name\": \"w\", \"modifications\": [{\"type\": \"car_speeds\", \"ways\": [%lld], \"factor\": 0.5}]}",
             (long long)way);
    tc_network *mod = build("way", json, TC_OK, &err);
    const street_graph *h = &mod->v.streets;
    assert_int_equal(h->n_edges, g->n_edges);
    size_t changed = 0;
    for (uint32_t e = 0; e < g->n_edges; e++) {
        const street_edge *a = &g->edges[e], *b = &h->edges[e];
        int on_way = g->segs[a->seg & STREET_SEG_MASK].way_id == way && (a->access & STREET_CAR);
        long want = on_way ? lround(a->car_kmh * 0.5) : a->car_kmh;
        if (want < 1) want = 1;
        assert_int_equal(b->car_kmh, want);
        changed += on_way;
    }
    assert_true(changed > 0);
    tc_network_close(mod);
    tc_network_close(base);
}

static void test_by_polygon(void **state) {
    (void)state;
    if (access(g_osm, R_OK)) skip();
    tc_error err = {0};
    tc_network *base = build("base2", NULL, TC_OK, &err);
    /* the western half of the extract at 10 km/h */
    double mid_lon = (from_e7(base->v.bbox_e7[0]) + from_e7(base->v.bbox_e7[2])) / 2;
    char json[512];
    snprintf(json, sizeof json,
             "{\"name\": \"p\", \"modifications\": [{\"type\": \"car_speeds\", \"polygon\": [[-123, 45], [%.7f, 45], "
             "[%.7f, 46], [-123, 46]], \"speed_kmh\": 10}]}",
             mid_lon, mid_lon);
    tc_network *mod = build("poly", json, TC_OK, &err);
    const street_graph *g = &base->v.streets, *h = &mod->v.streets;
    size_t inside = 0, outside = 0;
    for (uint32_t e = 0; e < g->n_edges; e++) {
        double lat, lon;
        seg_mid(g, g->edges[e].seg & STREET_SEG_MASK, &lat, &lon);
        if (lon < mid_lon && (g->edges[e].access & STREET_CAR)) {
            assert_int_equal(h->edges[e].car_kmh, 10);
            inside++;
        } else {
            assert_int_equal(h->edges[e].car_kmh, g->edges[e].car_kmh);
            outside++;
        }
    }
    assert_true(inside > 0 && outside > 0);
    /* a car trip in the western part is slower, never faster (and at most the whole way at 10 km/h) */
    /* from the first car street in the west to the last one */
    double fl = 0, fo = 0, tl = 0, to = 0;
    int have = 0;
    for (uint32_t e = 0; e < g->n_edges; e++) {
        double lat, lon;
        seg_mid(g, g->edges[e].seg & STREET_SEG_MASK, &lat, &lon);
        if (lon >= mid_lon || !(g->edges[e].access & STREET_CAR)) continue;
        if (!have) fl = lat, fo = lon, have = 1;
        tl = lat, to = lon;
    }
    assert_true(have && haversine_m(fl, fo, tl, to) > 500);
    tc_street_result r0, r1;
    memset(&r0, 0, sizeof r0);
    memset(&r1, 0, sizeof r1);
    assert_int_equal(tc_street_route(base, TC_MODE_CAR, fl, fo, tl, to, NULL, &r0, &err), TC_OK);
    assert_int_equal(tc_street_route(mod, TC_MODE_CAR, fl, fo, tl, to, NULL, &r1, &err), TC_OK);
    assert_true(r1.duration_s > r0.duration_s);
    assert_true(r1.duration_s <= r1.distance_m / (10 / 3.6) + 1);
    tc_street_result_free(&r0);
    tc_street_result_free(&r1);
    tc_network_close(mod);
    tc_network_close(base);
}

static void test_unknown_way(void **state) {
    (void)state;
    if (access(g_osm, R_OK)) skip();
    tc_error err = {0};
    tc_network *base = build("keep", NULL, TC_OK, &err);
    tc_network_close(base);
    char path[512];
    snprintf(path, sizeof path, "%s/keep.net", g_dir);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    build("keep", "{\"name\": \"x\", \"modifications\": [{\"type\": \"car_speeds\", \"ways\": [1], \"speed_kmh\": 5}]}",
          TC_ERR_NOT_FOUND, &err);
    assert_non_null(strstr(err.message, "modifications[0].ways[0]"));
    assert_non_null(strstr(err.message, "1"));
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino); /* the previous network was not replaced */
    assert_int_equal(before.st_mtime, after.st_mtime);
}

int main(void) {
    if (!getenv("TC_DATA")) {
        printf("TC_DATA not set: skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_way_id),
        cmocka_unit_test(test_by_polygon),
        cmocka_unit_test(test_unknown_way),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
