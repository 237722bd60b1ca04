/* test_analysis_surface.c — travel-time surfaces on Porto Alegre ($TC_DATA/porto-alegre: OSM + EPTC + Trensurb,
 * built by the test), checked against independent computations:
 *  - agreement with tc_route: for random origin / destination / departure-minute samples (hexgrid cells, Monday
 *    2019-05-13, 12:00–14:00), the surface's travel time for that one minute equals floor((earliest arrival of a
 *    route journey with a transit leg − the minute) / 60), or, when shorter, the direct walk (tc_street_route);
 *  - percentiles ordered (5 ≤ 50 ≤ 95) at every destination;
 *  - accessibility non-decreasing in the cutoff;
 *  - the same matrix on 1 and 2 threads and on a second run;
 *  - the isochrone of 30 min lies inside that of 45 (every vertex of the 30 polygons inside the 45 ones) and areas
 *    grow with the cutoff.
 * Sample sizes shrink under the sanitizers (TC_SANITIZE builds define __SANITIZE_ADDRESS__). Skipped (77) without
 * the data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tongcheng.h"
#include "analysis/points.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define SMALL 1
#else
#define SMALL 0
#endif

static tc_network *net;
static tc_points *hex;
static char net_path[256];
static int32_t day;

static int setup(void **state) {
    (void)state;
    const char *data = getenv("TC_DATA");
    char osm[512], eptc[512], tren[512], grid[512];
    if (!data) return -1;
    snprintf(osm, sizeof osm, "%s/porto-alegre/poa_osm.pbf", data);
    snprintf(eptc, sizeof eptc, "%s/porto-alegre/poa_eptc.zip", data);
    snprintf(tren, sizeof tren, "%s/porto-alegre/poa_trensurb.zip", data);
    snprintf(grid, sizeof grid, "%s/porto-alegre/poa_hexgrid.csv", data);
    tc_feed_source feeds[2] = {{.name = "eptc", .path = eptc}, {.name = "trensurb", .path = tren}};
    tc_build_options bo;
    tc_build_options_init(&bo);
    bo.feeds = feeds;
    bo.n_feeds = 2;
    bo.osm_path = osm;
    snprintf(net_path, sizeof net_path, "/tmp/tc_test_analysis_poa_%d.tcn", (int)getpid());
    tc_error err = {0};
    if (tc_build(&bo, net_path, &err) != TC_OK) {
        fprintf(stderr, "build: %s\n", err.message);
        return -1;
    }
    if (tc_network_open(net_path, &net, &err) != TC_OK) return -1;
    if (tc_points_read(grid, NULL, NULL, &hex, &err) != TC_OK) return -1;
    if (tc_parse_date("2019-05-13", &day, &err) != TC_OK) return -1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    tc_network_close(net);
    tc_points_free(hex);
    unlink(net_path);
    return 0;
}

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void base_options(tc_analysis_options *o) {
    tc_analysis_options_init(o);
    o->date = day;
    o->window_start = 12 * 3600;
    o->window_end = 14 * 3600;
}

static void test_agrees_with_route(void **state) {
    (void)state;
    const int n = SMALL ? 6 : 40;
    int compared = 0, transit_wins = 0;
    tc_analysis_workspace *ws = NULL;
    tc_error err = {0};
    assert_int_equal(tc_analysis_workspace_create(net, &ws, &err), TC_OK);
    for (int i = 0; i < n; i++) {
        uint32_t a = rnd((uint32_t)hex->n), b = rnd((uint32_t)hex->n);
        int32_t t = 12 * 3600 + (int32_t)rnd(120) * 60;
        tc_analysis_options o;
        base_options(&o);
        o.window_start = t;
        o.window_end = t + 60;
        tc_destinations *d = NULL;
        assert_int_equal(tc_destinations_create(net, &o, &hex->lat[b], &hex->lon[b], 1, &d, &err), TC_OK);
        uint16_t got;
        assert_int_equal(tc_travel_times_from(ws, d, &o, hex->lat[a], hex->lon[a], &got, &err), TC_OK);
        tc_destinations_free(d);
        /* the route command's journeys */
        tc_route_query q;
        tc_route_query_init(&q);
        q.from_lat = hex->lat[a];
        q.from_lon = hex->lon[a];
        q.to_lat = hex->lat[b];
        q.to_lon = hex->lon[b];
        q.date = day;
        q.time = t;
        q.max_duration_min = 120;
        q.max_walk_transfer_min = 20;
        tc_journey_set *js = NULL;
        int64_t best = INT64_MAX;
        tc_status st = tc_route(net, &q, &js, &err);
        if (st == TC_OK) {
            for (size_t j = 0; j < js->n; j++) {
                int transit = 0;
                for (size_t l = 0; l < js->journeys[j].n_legs; l++) transit |= js->journeys[j].legs[l].mode == TC_LEG_TRANSIT;
                int64_t tt = js->journeys[j].arrival - ((int64_t)day * 86400 + t);
                if (transit && tt < best) best = tt;
            }
            tc_journey_set_free(js);
        } else {
            assert_int_equal(st, TC_ERR_UNREACHABLE); /* a cell with no stop within 20 min of walking */
        }
        int route_min = best <= 120 * 60 ? (int)(best / 60) : TC_UNREACHED_MIN;
        /* the direct walk, limited like access */
        tc_street_result sr;
        int walk_min = TC_UNREACHED_MIN;
        if (tc_street_route(net, TC_MODE_WALK, hex->lat[a], hex->lon[a], hex->lat[b], hex->lon[b], NULL, &sr, &err) ==
            TC_OK) {
            if (sr.duration_s <= 20 * 60) walk_min = (int)(sr.duration_s / 60);
            tc_street_result_free(&sr);
        }
        if (got == route_min) {
            if (route_min != TC_UNREACHED_MIN) transit_wins++;
        } else {
            /* only the direct walk may beat the transit journey (or reach where transit does not) */
            if (!(walk_min != TC_UNREACHED_MIN && abs((int)got - walk_min) <= 1 && (int)got <= route_min))
                fail_msg("origin %s → %s at %02d:%02d: surface %d min, route %d min, walk %d min", hex->ids[a],
                         hex->ids[b], t / 3600, t / 60 % 60, got, route_min, walk_min);
        }
        compared++;
    }
    print_message("%d samples, %d decided by transit\n", compared, transit_wins);
    assert_int_equal(compared, n);
    assert_true(transit_wins >= n / 3); /* the comparison mostly exercised transit, not just "unreachable" */
    tc_analysis_workspace_free(ws);
}

static void test_properties(void **state) {
    (void)state;
    const size_t n_orig = SMALL ? 3 : 16;
    tc_analysis_options o;
    base_options(&o);
    if (SMALL) o.window_end = o.window_start + 20 * 60;
    o.n_percentiles = 3;
    o.percentiles[0] = 5;
    o.percentiles[1] = 50;
    o.percentiles[2] = 95;
    tc_error err = {0};
    tc_destinations *d = NULL;
    assert_int_equal(tc_destinations_create(net, &o, hex->lat, hex->lon, hex->n, &d, &err), TC_OK);
    double olat[16], olon[16];
    for (size_t i = 0; i < n_orig; i++) {
        uint32_t k = rnd((uint32_t)hex->n);
        olat[i] = hex->lat[k];
        olon[i] = hex->lon[k];
    }
    size_t cells = n_orig * hex->n * 3;
    uint16_t *m1 = malloc(cells * sizeof *m1), *m2 = malloc(cells * sizeof *m2), *m3 = malloc(cells * sizeof *m3);
    o.threads = 1;
    assert_int_equal(tc_travel_time_matrix(net, d, &o, olat, olon, n_orig, m1, &err), TC_OK);
    o.threads = 2;
    assert_int_equal(tc_travel_time_matrix(net, d, &o, olat, olon, n_orig, m2, &err), TC_OK);
    assert_int_equal(tc_travel_time_matrix(net, d, &o, olat, olon, n_orig, m3, &err), TC_OK);
    assert_memory_equal(m1, m2, cells * sizeof *m1);
    assert_memory_equal(m2, m3, cells * sizeof *m1);
    size_t reached = 0;
    for (size_t i = 0; i < n_orig * hex->n; i++) {
        const uint16_t *p = m1 + i * 3;
        /* unreached counts as +inf, so the order holds with TC_UNREACHED_MIN too */
        assert_true(p[0] <= p[1] && p[1] <= p[2]);
        if (p[1] != TC_UNREACHED_MIN) {
            reached++;
            assert_true(p[1] <= o.max_duration_min);
        }
    }
    assert_true(reached > n_orig * hex->n / 4);
    /* accessibility non-decreasing in the cutoff, never above the total */
    const double *jobs = NULL;
    assert_int_equal(tc_points_column_values(hex, "jobs", NULL, NULL, &jobs, &err), TC_OK);
    double total = 0;
    for (size_t k = 0; k < hex->n; k++) total += jobs[k] > 0 ? jobs[k] : 0;
    int cut[5] = {15, 30, 45, 60, 90};
    const char *decays[3] = {"step", "logistic", "linear:10"};
    for (int dk = 0; dk < 3; dk++)
        for (size_t i = 0; i < n_orig; i++) {
            double acc[5 * 3];
            assert_int_equal(tc_accessibility_from(m1 + i * hex->n * 3, hex->n, 3, &jobs, 1, cut, 5, decays[dk], acc,
                                                   &err),
                             TC_OK);
            for (int c = 0; c < 5; c++)
                for (int p = 0; p < 3; p++) {
                    assert_true(acc[c * 3 + p] >= 0 && acc[c * 3 + p] <= total + 1e-6);
                    if (c) assert_true(acc[c * 3 + p] >= acc[(c - 1) * 3 + p] - 1e-9);
                    if (p) assert_true(acc[c * 3 + p] <= acc[c * 3 + p - 1] + 1e-9); /* a later percentile, less */
                }
        }
    free(m1);
    free(m2);
    free(m3);
    tc_destinations_free(d);
}

/* even-odd over every ring of every polygon: inside a MultiPolygon with holes */
static int inside(const cJSON *multi, double x, double y) {
    int in = 0;
    const cJSON *poly, *ring;
    cJSON_ArrayForEach(poly, multi) cJSON_ArrayForEach(ring, poly) {
        int n = cJSON_GetArraySize(ring);
        for (int i = 0, j = n - 1; i < n; j = i++) {
            const cJSON *a = cJSON_GetArrayItem(ring, i), *b = cJSON_GetArrayItem(ring, j);
            double xi = cJSON_GetArrayItem(a, 0)->valuedouble, yi = cJSON_GetArrayItem(a, 1)->valuedouble;
            double xj = cJSON_GetArrayItem(b, 0)->valuedouble, yj = cJSON_GetArrayItem(b, 1)->valuedouble;
            if ((yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) in = !in;
        }
    }
    return in;
}

static void test_isochrone_nested(void **state) {
    (void)state;
    tc_analysis_options o;
    base_options(&o);
    o.window_end = o.window_start + (SMALL ? 10 : 60) * 60;
    int cut[3] = {30, 45, 15};
    char *gj = NULL;
    tc_error err = {0};
    assert_int_equal(tc_isochrones(net, &o, -30.0277, -51.2287, cut, 3, 0, &gj, &err), TC_OK);
    cJSON *doc = cJSON_Parse(gj);
    assert_non_null(doc);
    const cJSON *feats = cJSON_GetObjectItem(doc, "features");
    assert_int_equal(cJSON_GetArraySize(feats), 3);
    const cJSON *f30 = cJSON_GetArrayItem(feats, 0), *f45 = cJSON_GetArrayItem(feats, 1), *f15 = cJSON_GetArrayItem(feats, 2);
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(f30, "properties"), "cutoff_min")->valueint, 30);
    double a15 = cJSON_GetObjectItem(cJSON_GetObjectItem(f15, "properties"), "area_km2")->valuedouble;
    double a30 = cJSON_GetObjectItem(cJSON_GetObjectItem(f30, "properties"), "area_km2")->valuedouble;
    double a45 = cJSON_GetObjectItem(cJSON_GetObjectItem(f45, "properties"), "area_km2")->valuedouble;
    assert_true(a15 > 0 && a15 < a30 && a30 < a45);
    const cJSON *g30 = cJSON_GetObjectItem(cJSON_GetObjectItem(f30, "geometry"), "coordinates");
    const cJSON *g45 = cJSON_GetObjectItem(cJSON_GetObjectItem(f45, "geometry"), "coordinates");
    const cJSON *poly, *ring, *pt;
    int checked = 0, outside = 0;
    cJSON_ArrayForEach(poly, g30) cJSON_ArrayForEach(ring, poly) cJSON_ArrayForEach(pt, ring) {
        checked++;
        if (!inside(g45, cJSON_GetArrayItem(pt, 0)->valuedouble, cJSON_GetArrayItem(pt, 1)->valuedouble)) outside++;
    }
    assert_true(checked > 10);
    assert_int_equal(outside, 0);
    /* the origin itself lies inside the 15-minute polygon */
    assert_true(inside(cJSON_GetObjectItem(cJSON_GetObjectItem(f15, "geometry"), "coordinates"), -51.2287, -30.0277));
    cJSON_Delete(doc);
    tc_free(gj);
}

int main(void) {
    const char *data = getenv("TC_DATA");
    char p[512];
    snprintf(p, sizeof p, "%s/porto-alegre/poa_eptc.zip", data ? data : "");
    if (!data || access(p, R_OK) != 0) {
        printf("TC_DATA/porto-alegre not available: skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_agrees_with_route),
        cmocka_unit_test(test_properties),
        cmocka_unit_test(test_isochrone_nested),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
