/*
 * test_street_graph.c — the street pipeline end to end on small PBF files written by the test (pbf_writer.h), whose
 * right answers follow from their construction: a 2 × 3 block of streets
 *
 *     1 ──W10── 2 ──W10── 3          W10 residential 1-2-3        W11 footway 2-5 (walk only)
 *     │         │         │          W12 residential oneway 4→5→6  W13 motorway 1→4 (car only, 50 mph)
 *    W13       W11       W14         W14 residential 3-6          W15 footway 8-9: an island far away
 *     │         │         │
 *     4 ──W12── 5 ──W12── 6
 *
 * Expected distances are sums of haversine lengths computed here; the engine uses a local formula, so they agree
 * to a few millimetres. Also: turn restrictions, missing nodes, ids near 2^63 with plain (non-dense) nodes, the
 * antimeridian, non-PBF input, stop links and walking transfers, street_stops_near over the streets, and the
 * network-file round trip (street_graph_attach).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pbf_writer.h"
#include "streets/street_build.h"
#include "streets/street_mem.h"
#include "streets/street_search.h"
#include "network/network.h"
#include "routing/stop_access.h"
#include "common/geo.h"

#include <math.h>
#include <unistd.h>

static char dir[] = "/tmp/test_street_graph_XXXXXX";
static char path_buf[4096];
static const char *tmp(const char *name) {
    snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
    return path_buf;
}

#define LAT0 (-30.0)
#define LON0 (-51.2)
#define DLAT 0.001
#define DLON 0.001

static int64_t id_base = 0; /* added to every node id (the 2^63 test) */

static pw_node N(int64_t id, int row, int col) {
    return (pw_node){id_base + id, LAT0 - row * DLAT, LON0 + col * DLON};
}
static double NLAT(int row) { return LAT0 - row * DLAT; }
static double NLON(int col) { return LON0 + col * DLON; }

/* node k (1…6) position: row (k-1)/3, col (k-1)%3 */
static double klat(int k) { return NLAT((k - 1) / 3); }
static double klon(int k) { return NLON((k - 1) % 3); }
static double dk(int a, int b) { return haversine_m(klat(a), klon(a), klat(b), klon(b)); }

typedef struct findings {
    char codes[64][48];
    int n;
} findings;
static void collect(void *user, const tc_finding *f) {
    findings *fs = user;
    if (fs->n < 64) snprintf(fs->codes[fs->n++], 48, "%s", f->code);
}
static int has_code(const findings *fs, const char *code) {
    for (int i = 0; i < fs->n; i++)
        if (!strcmp(fs->codes[i], code)) return 1;
    return 0;
}

/* write the block network; restriction: 0 none, 1 no_right_turn W12 via 6 to W14 */
static void write_block(const char *path, int restriction, int dense) {
    pw_node nodes[] = {N(1, 0, 0), N(2, 0, 1), N(3, 0, 2), N(4, 1, 0), N(5, 1, 1), N(6, 1, 2),
                       {id_base + 8, LAT0 + 0.5, LON0}, {id_base + 9, LAT0 + 0.5, LON0 + DLON}};
    int64_t w10[] = {id_base + 1, id_base + 2, id_base + 3}, w11[] = {id_base + 2, id_base + 5},
            w12[] = {id_base + 4, id_base + 5, id_base + 6}, w13[] = {id_base + 1, id_base + 4},
            w14[] = {id_base + 3, id_base + 6}, w15[] = {id_base + 8, id_base + 9};
    pw_way ways[] = {{10, w10, 3, "highway=residential;name=Rua A"},
                     {11, w11, 2, "highway=footway"},
                     {12, w12, 3, "highway=residential;oneway=yes"},
                     {13, w13, 2, "highway=motorway;maxspeed=50 mph"},
                     {14, w14, 2, "highway=residential"},
                     {15, w15, 2, "highway=footway"}};
    pw_member m[] = {{1, 12, "from"}, {0, id_base + 6, "via"}, {1, 14, "to"}};
    pw_member mw[] = {{1, 10, "from"}, {1, 11, "via"}, {1, 12, "to"}};
    pw_relation rels[] = {{100, m, 3, "type=restriction;restriction=no_right_turn"},
                          {101, mw, 3, "type=restriction;restriction=no_u_turn"}};
    assert_int_equal(pw_write(path, nodes, 8, ways, 6, rels, restriction ? 2 : 0, dense), 0);
}

static street_mem build(const char *path, findings *fs) {
    diag_log diag = {.fn = collect, .user = fs};
    street_mem m;
    tc_error err;
    tc_status st = street_mem_build(path, &diag, 0, &m, &err);
    if (st != TC_OK) fail_msg("build failed: %s", err.message);
    return m;
}

static int route(const street_graph *g, tc_mode mode, int from, int to, street_path *p, tc_error *err) {
    street_snap a, b;
    assert_int_equal(street_snap_point(g, mode, klat(from), klon(from), 50, &a, err), TC_OK);
    assert_int_equal(street_snap_point(g, mode, klat(to), klon(to), 50, &b, err), TC_OK);
    street_workspace ws = {0};
    assert_int_equal(street_workspace_init_graph(&ws, g, err), TC_OK);
    tc_status st = street_route_snapped(&ws, mode, &a, &b, p, err);
    street_workspace_release_graph(&ws);
    return st;
}

static void expect_route(const street_graph *g, tc_mode mode, int from, int to, double metres, double seconds) {
    street_path p = {0};
    tc_error err;
    tc_status st = route(g, mode, from, to, &p, &err);
    if (st != TC_OK) fail_msg("%d -> %d: %s", from, to, err.message);
    if (fabs(p.distance_m - metres) > 0.05) fail_msg("%d -> %d: %.3f m, expected %.3f", from, to, p.distance_m, metres);
    double secs = street_cost_seconds(mode, p.cost, mode == TC_MODE_WALK ? 1.3 : 4.2);
    if (fabs(secs - seconds) > 0.05) fail_msg("%d -> %d: %.3f s, expected %.3f", from, to, secs, seconds);
    /* geometry runs from the origin to the destination */
    assert_true(p.n_points >= 2);
    assert_true(haversine_m(p.lat[0], p.lon[0], klat(from), klon(from)) < 0.05);
    assert_true(haversine_m(p.lat[p.n_points - 1], p.lon[p.n_points - 1], klat(to), klon(to)) < 0.05);
    street_path_free(&p);
}

static void test_block_routes(void **state) {
    (void)state;
    const char *f = tmp("block.osm.pbf");
    write_block(f, 0, 1);
    findings fs = {0};
    street_mem m = build(f, &fs);
    const street_graph *g = &m.g;
    /* 6 nodes (8 and 9 are a walk island, dropped); 7 segments: W10 ×2, W11, W12 ×2, W13, W14 */
    assert_int_equal(g->n_nodes, 6);
    assert_int_equal(g->n_segs, 7);
    assert_true(has_code(&fs, "street_islands"));
    /* walk: no motorway, oneway ignored */
    expect_route(g, TC_MODE_WALK, 1, 4, dk(1, 2) + dk(2, 5) + dk(5, 4), (dk(1, 2) + dk(2, 5) + dk(5, 4)) / 1.3);
    expect_route(g, TC_MODE_WALK, 6, 1, dk(6, 5) + dk(5, 2) + dk(2, 1), (dk(6, 5) + dk(5, 2) + dk(2, 1)) / 1.3);
    /* bike: no footway, no motorway, oneway 4→5→6 */
    expect_route(g, TC_MODE_BIKE, 4, 6, dk(4, 5) + dk(5, 6), (dk(4, 5) + dk(5, 6)) / 4.2);
    street_mem_free(&m);
}

static void test_block_bike_and_car(void **state) {
    (void)state;
    const char *f = tmp("block2.osm.pbf");
    write_block(f, 0, 1);
    findings fs = {0};
    street_mem m = build(f, &fs);
    const street_graph *g = &m.g;
    street_path p = {0};
    tc_error err;
    /* bike 6 → 4: oneway forbids 6→5→4, footway forbidden: no path at all */
    assert_int_equal(route(g, TC_MODE_BIKE, 6, 4, &p, &err), TC_ERR_UNREACHABLE);
    assert_non_null(strstr(err.message, "bike"));
    /* car 1 → 6: the motorway (50 mph) then the oneway beats the residential way round */
    double mph50 = 50 * 1.609344 / 3.6, res = 30 / 3.6;
    double via_mw = dk(1, 4) / mph50 + (dk(4, 5) + dk(5, 6)) / res, via_top = (dk(1, 2) + dk(2, 3) + dk(3, 6)) / res;
    assert_true(via_mw < via_top);
    expect_route(g, TC_MODE_CAR, 1, 6, dk(1, 4) + dk(4, 5) + dk(5, 6), via_mw);
    /* car 5 → 4: round the block against no oneway: 5→6→3→2→1→4 */
    expect_route(g, TC_MODE_CAR, 5, 4, dk(5, 6) + dk(6, 3) + dk(3, 2) + dk(2, 1) + dk(1, 4),
                 (dk(5, 6) + dk(6, 3) + dk(3, 2) + dk(2, 1)) / res + dk(1, 4) / mph50);
    /* car 4 → 3 without a restriction: 4→5→6→3 */
    expect_route(g, TC_MODE_CAR, 4, 3, dk(4, 5) + dk(5, 6) + dk(6, 3), (dk(4, 5) + dk(5, 6) + dk(6, 3)) / res);
    street_mem_free(&m);

    /* with "no right turn from W12 via 6 onto W14", 6 is a dead end for cars coming from 5: 4 → 3 impossible */
    write_block(f, 1, 1);
    fs.n = 0;
    m = build(f, &fs);
    g = &m.g;
    assert_int_equal(g->n_turns, 1);
    assert_true(has_code(&fs, "osm_restriction_unmatched")); /* relation 101: its via way W11 is a footway */
    assert_int_equal(route(g, TC_MODE_CAR, 4, 3, &p, &err), TC_ERR_UNREACHABLE);
    /* walking ignores car restrictions */
    expect_route(g, TC_MODE_WALK, 4, 3, dk(4, 5) + dk(5, 6) + dk(6, 3), (dk(4, 5) + dk(5, 6) + dk(6, 3)) / 1.3);
    /* a car already on W14 is not affected */
    expect_route(g, TC_MODE_CAR, 6, 1, dk(6, 3) + dk(3, 2) + dk(2, 1), (dk(6, 3) + dk(3, 2) + dk(2, 1)) / res);
    street_mem_free(&m);
}

static void test_big_ids_plain_nodes(void **state) {
    (void)state;
    /* ids near 2^63 − 1 (dense, then plain nodes): the same network, the same answers */
    id_base = INT64_MAX - 100;
    const char *f = tmp("bigids.osm.pbf");
    write_block(f, 0, 1);
    findings fs = {0};
    street_mem m = build(f, &fs);
    assert_int_equal(m.g.n_nodes, 6);
    expect_route(&m.g, TC_MODE_WALK, 1, 4, dk(1, 2) + dk(2, 5) + dk(5, 4), (dk(1, 2) + dk(2, 5) + dk(5, 4)) / 1.3);
    street_mem_free(&m);
    /* plain (non-dense) Node messages, which readosm skips and pbf_plain_nodes.c reads: same network again */
    write_block(f, 0, 0);
    id_base = 0;
    fs.n = 0;
    m = build(f, &fs);
    assert_int_equal(m.g.n_nodes, 6);
    assert_false(has_code(&fs, "osm_missing_node"));
    expect_route(&m.g, TC_MODE_WALK, 1, 4, dk(1, 2) + dk(2, 5) + dk(5, 4), (dk(1, 2) + dk(2, 5) + dk(5, 4)) / 1.3);
    expect_route(&m.g, TC_MODE_CAR, 1, 6, dk(1, 4) + dk(4, 5) + dk(5, 6),
                 dk(1, 4) / (50 * 1.609344 / 3.6) + (dk(4, 5) + dk(5, 6)) / (30 / 3.6));
    street_mem_free(&m);
}

static void test_missing_nodes(void **state) {
    (void)state;
    /* W10 1-2-3 as before, but its middle node 2 is absent: 1-2 and 2-3 are dropped; W20 1-7-3 is a detour */
    pw_node nodes[] = {N(1, 0, 0), N(3, 0, 2), N(7, -1, 1)};
    int64_t w10[] = {1, 2, 3}, w20[] = {1, 7, 3}, w21[] = {3, 42, 99};
    pw_way ways[] = {{10, w10, 3, "highway=residential"}, {20, w20, 3, "highway=footway"},
                     {21, w21, 3, "highway=footway"}};
    pw_member m1[] = {{1, 10, "from"}, {0, 4242, "via"}, {1, 20, "to"}};
    pw_relation rels[] = {{7, m1, 3, "type=restriction;restriction=no_left_turn"}};
    const char *f = tmp("missing.osm.pbf");
    assert_int_equal(pw_write(f, nodes, 3, ways, 3, rels, 1, 1), 0);
    findings fs = {0};
    street_mem m = build(f, &fs);
    assert_true(has_code(&fs, "osm_missing_node"));
    assert_true(has_code(&fs, "osm_restriction_unmatched"));
    assert_int_equal(m.g.n_segs, 1); /* only W20 survives */
    street_snap a, b;
    tc_error err;
    assert_int_equal(street_snap_point(&m.g, TC_MODE_WALK, NLAT(0), NLON(0), 50, &a, &err), TC_OK);
    assert_int_equal(street_snap_point(&m.g, TC_MODE_WALK, NLAT(0), NLON(2), 50, &b, &err), TC_OK);
    street_workspace ws = {0};
    assert_int_equal(street_workspace_init_graph(&ws, &m.g, &err), TC_OK);
    street_path p = {0};
    assert_int_equal(street_route_snapped(&ws, TC_MODE_WALK, &a, &b, &p, &err), TC_OK);
    double expect = haversine_m(NLAT(0), NLON(0), NLAT(-1), NLON(1)) + haversine_m(NLAT(-1), NLON(1), NLAT(0), NLON(2));
    assert_true(fabs(p.distance_m - expect) < 0.05);
    street_path_free(&p);
    street_workspace_release_graph(&ws);
    street_mem_free(&m);
}

/* Linking (street_snap.c): a point 2 m above a driveway in a tunnel, 109 m from the public street, links to the
 * street; with the street beyond the radius it falls back to the tunnel rather than to nothing. */
static void test_linking_skips_tunnels(void **state) {
    (void)state;
    pw_node nodes[] = {N(1, 0, 0), N(2, 0, 1), N(3, 0, 2), N(4, 1, 0), N(5, 1, 2)};
    int64_t w1[] = {1, 2, 3}, w2[] = {4, 5}, w3[] = {3, 5};
    pw_way ways[] = {{1, w1, 3, "highway=residential"},
                     {2, w2, 2, "highway=service;service=driveway;tunnel=yes;layer=-1"},
                     {3, w3, 2, "highway=footway"}};
    const char *f = tmp("tunnel.osm.pbf");
    assert_int_equal(pw_write(f, nodes, 5, ways, 3, NULL, 0, 1), 0);
    findings fs = {0};
    street_mem m = build(f, &fs);
    street_snap s;
    tc_error err;
    const double plat = LAT0 - 0.98 * DLAT, plon = NLON(0) + 0.5 * DLON;
    assert_int_equal(street_snap_point(&m.g, TC_MODE_WALK, plat, plon, 500, &s, &err), TC_OK);
    assert_int_equal(m.g.segs[s.seg].way_id, 1);
    assert_true(fabs(s.dist_m - 0.98 * DLAT * TC_EARTH_RADIUS_M * M_PI / 180) < 0.5);
    assert_int_equal(street_snap_point(&m.g, TC_MODE_WALK, plat, plon, 50, &s, &err), TC_OK);
    assert_int_equal(m.g.segs[s.seg].way_id, 2); /* nothing linkable within 50 m */
    assert_true(s.dist_m < 3);
    street_mem_free(&m);
}

/* Cycling stress: a primary street (LTS 4, nodes 1-2-3-6 along row 0) is the short way from node 1 to node 6; a
 * residential detour through row 1 (LTS 2) the long one (the ends' own segments are always usable, so the primary
 * has a middle segment). --max-lts 2 takes the detour; an override (osm_id,lts) making the primary LTS 2 makes
 * the short way usable again; a malformed row names its line and column. */
static void test_lts_limit_and_overrides(void **state) {
    (void)state;
    pw_node nodes[] = {N(1, 0, 0), N(2, 0, 1), N(3, 0, 2), N(6, 0, 3), N(4, 1, 0), N(5, 1, 3), N(7, -1, 1),
                       N(8, -1, 2)};
    int64_t w1[] = {1, 2, 3, 6}, w2[] = {1, 4, 5, 6}, w3[] = {2, 7, 8, 3}; /* w3: nodes 2 and 3 are junctions */
    pw_way ways[] = {{71, w1, 4, "highway=primary"}, {72, w2, 4, "highway=residential"},
                     {73, w3, 4, "highway=footway"}};
    const char *f = tmp("lts.osm.pbf");
    assert_int_equal(pw_write(f, nodes, 8, ways, 3, NULL, 0, 1), 0);
    findings fs = {0};
    street_mem m = build(f, &fs);
    tc_error err;
    street_snap a, b;
    assert_int_equal(street_snap_point(&m.g, TC_MODE_BIKE, NLAT(0), NLON(0), 50, &a, &err), TC_OK);
    assert_int_equal(street_snap_point(&m.g, TC_MODE_BIKE, NLAT(0), NLON(3), 50, &b, &err), TC_OK);
    const double direct = haversine_m(NLAT(0), NLON(0), NLAT(0), NLON(3));
    const double detour = 2 * haversine_m(NLAT(0), NLON(0), NLAT(1), NLON(0)) + direct;
    street_workspace ws = {0};
    assert_int_equal(street_workspace_init_graph(&ws, &m.g, &err), TC_OK);
    street_path p = {0};
    unsigned caps[] = {0, 4, 2};
    double want[] = {direct, direct, detour};
    for (int i = 0; i < 3; i++) {
        ws.max_lts = caps[i];
        assert_int_equal(street_route_snapped(&ws, TC_MODE_BIKE, &a, &b, &p, &err), TC_OK);
        if (!(fabs(p.distance_m - want[i]) < 1.0)) fail_msg("cap %u: %.1f m, expected %.1f", caps[i], p.distance_m, want[i]);
        street_path_free(&p);
    }
    FILE *o = fopen(tmp("lts.csv"), "w");
    fputs("osm_id,lts\n71,2\n999,1\n", o);
    fclose(o);
    findings fo = {0};
    diag_log diag = {.fn = collect, .user = &fo};
    assert_int_equal(street_mem_apply_lts(&m, tmp("lts.csv"), &diag, &err), TC_OK);
    assert_true(has_code(&fo, "lts_way_not_found")); /* way 999 */
    ws.max_lts = 2;
    assert_int_equal(street_route_snapped(&ws, TC_MODE_BIKE, &a, &b, &p, &err), TC_OK);
    assert_true(fabs(p.distance_m - direct) < 1.0);
    street_path_free(&p);
    o = fopen(tmp("lts.csv"), "w");
    fputs("osm_id,lts\n71,2\n72,5\n", o);
    fclose(o);
    assert_int_equal(street_mem_apply_lts(&m, tmp("lts.csv"), NULL, &err), TC_ERR_PARSE);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 2);
    street_workspace_release_graph(&ws);
    street_mem_free(&m);
}

static void test_antimeridian(void **state) {
    (void)state;
    /* a street from 179.999 E to 179.999 W at 17 S, one node on each side */
    pw_node nodes[] = {{1, -17.0, 179.999}, {2, -17.0, -179.999}, {3, -17.001, -179.999}};
    int64_t w[] = {1, 2, 3};
    pw_way ways[] = {{1, w, 3, "highway=residential"}};
    const char *f = tmp("fiji.osm.pbf");
    assert_int_equal(pw_write(f, nodes, 3, ways, 1, NULL, 0, 1), 0);
    findings fs = {0};
    street_mem m = build(f, &fs);
    assert_int_equal(m.g.n_segs, 1);
    street_snap a, b;
    tc_error err;
    assert_int_equal(street_snap_point(&m.g, TC_MODE_WALK, -17.0001, 179.9995, 50, &a, &err), TC_OK);
    assert_true(a.dist_m < 12);
    assert_int_equal(street_snap_point(&m.g, TC_MODE_WALK, -17.0, -179.9995, 50, &b, &err), TC_OK);
    assert_true(b.dist_m < 0.01);
    street_workspace ws = {0};
    assert_int_equal(street_workspace_init_graph(&ws, &m.g, &err), TC_OK);
    street_path p = {0};
    assert_int_equal(street_route_snapped(&ws, TC_MODE_WALK, &a, &b, &p, &err), TC_OK);
    double expect = haversine_m(-17.0, 179.9995, -17.0, -179.9995); /* ≈ 106 m across the line, not 38,000 km */
    assert_true(fabs(p.distance_m - expect) < 0.5);
    for (uint32_t i = 0; i < p.n_points; i++) assert_true(fabs(p.lon[i]) > 179.99);
    street_path_free(&p);
    street_workspace_release_graph(&ws);
    street_mem_free(&m);
}

static void test_not_pbf(void **state) {
    (void)state;
    street_mem m;
    tc_error err;
    FILE *x = fopen(tmp("city.osm"), "w");
    fputs("<?xml version=\"1.0\"?>\n<osm version=\"0.6\"><node id=\"1\" lat=\"0\" lon=\"0\"/>", x);
    fclose(x);
    assert_int_equal(street_mem_build(tmp("city.osm"), NULL, 0, &m, &err), TC_ERR_PARSE);
    assert_non_null(strstr(err.message, "OSM XML"));
    x = fopen(tmp("junk.pbf"), "w");
    fputs("this is not a protocol buffer at all", x);
    fclose(x);
    assert_int_equal(street_mem_build(tmp("junk.pbf"), NULL, 0, &m, &err), TC_ERR_PARSE);
    assert_non_null(strstr(err.message, "not an OSM PBF"));
    assert_string_equal(err.file, tmp("junk.pbf"));
    assert_int_equal(street_mem_build(tmp("absent.pbf"), NULL, 0, &m, &err), TC_ERR_IO);
    /* a real PBF cut in the middle of its data block */
    write_block(tmp("whole.pbf"), 0, 1);
    FILE *in = fopen(tmp("whole.pbf"), "rb");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, in);
    fclose(in);
    FILE *out = fopen(tmp("cut.pbf"), "wb");
    fwrite(buf, 1, n - 20, out);
    fclose(out);
    assert_int_equal(street_mem_build(tmp("cut.pbf"), NULL, 0, &m, &err), TC_ERR_PARSE);
}

/* build sections through the builder's entry point, map them, attach, link stops, access */
static void test_file_stops_transfers(void **state) {
    (void)state;
    const char *f = tmp("block3.osm.pbf");
    write_block(f, 0, 1);
    char netp[4096];
    snprintf(netp, sizeof netp, "%s/block.net", dir);
    /* stops: at node 1, at node 4, 3 m north of node 3, and one 5 km away (unlinked) */
    double lat[4] = {klat(1), klat(4), klat(3) + 3 / 111195.0, klat(1) + 0.05};
    double lon[4] = {klon(1), klon(4), klon(3), klon(1)};
    findings fs = {0};
    diag_log diag = {.fn = collect, .user = &fs};
    netfile_writer w;
    tc_error err;
    assert_int_equal(netfile_create(&w, netp, &err), TC_OK);
    streets_stop_links links;
    assert_int_equal(streets_build_sections(&w, f, lat, lon, 4, 400, 500, &diag, 0, &links, &err), TC_OK);
    assert_int_equal(netfile_commit(&w, &err), TC_OK);
    assert_true(has_code(&fs, "stop_unlinked"));
    assert_int_equal(links.link_node[3], UINT32_MAX);
    assert_int_equal(links.link_m[0], 0);
    assert_int_equal(links.link_m[2], 3);
    /* transfers within 400 m of walking: 0↔1 (1-2-5-4 ≈ 318 m) and 0↔2 (1-2-3 + 3 m ≈ 196 m); 1↔2 is 4-5-6-3 + 3 */
    double d01 = dk(1, 2) + dk(2, 5) + dk(5, 4), d02 = dk(1, 2) + dk(2, 3) + 3, d12 = dk(4, 5) + dk(5, 6) + dk(6, 3) + 3;
    assert_true(d01 < 400 && d02 < 400 && d12 < 400);
    int found01 = 0, found02 = 0, found12 = 0;
    for (uint32_t i = 0; i < 4; i++)
        for (uint32_t k = links.transfer_begin[i]; k < links.transfer_begin[i + 1]; k++) {
            uint32_t j = links.transfer_to[k];
            double d = links.transfer_m[k];
            assert_true(i != 3 && j != 3 && i != j);
            if ((i == 0 && j == 1) || (i == 1 && j == 0)) found01++, assert_true(fabs(d - d01) <= 1);
            if ((i == 0 && j == 2) || (i == 2 && j == 0)) found02++, assert_true(fabs(d - d02) <= 1);
            if ((i == 1 && j == 2) || (i == 2 && j == 1)) found12++, assert_true(fabs(d - d12) <= 1);
        }
    assert_int_equal(found01, 2);
    assert_int_equal(found02, 2);
    assert_int_equal(found12, 2);

    /* map the file and attach the graph: same counts, routable */
    netfile nf;
    assert_int_equal(netfile_map(netp, &nf, &err), TC_OK);
    street_graph g;
    assert_int_equal(street_graph_attach(&g, &nf, &err), TC_OK);
    assert_int_equal(g.n_nodes, 6);
    assert_int_equal(g.n_segs, 7);
    expect_route(&g, TC_MODE_WALK, 1, 4, d01, d01 / 1.3);

    /* street_stops_near over the attached streets */
    net_stop stops[4];
    memset(stops, 0, sizeof stops);
    for (int i = 0; i < 4; i++) stops[i].lat_e7 = to_e7(lat[i]), stops[i].lon_e7 = to_e7(lon[i]);
    network_view v;
    memset(&v, 0, sizeof v);
    v.n_stops = 4;
    v.stops = stops;
    v.streets = g;
    v.stop_street_link = links.link_node;
    v.stop_street_link_m = links.link_m;
    v.straight_line_detour = 1.3;
    street_workspace *ws;
    assert_int_equal(street_workspace_create(&v, &ws, &err), TC_OK);
    const stop_seconds *r;
    uint32_t n;
    /* from node 1, 200 s at 1 m/s: stop 0 (0 s) and stop 2 (≈196 s), not stop 1 (318 s) */
    assert_int_equal(street_stops_near(ws, &v, TC_MODE_WALK, klat(1), klon(1), 1.0, 200, 0, 100, &r, &n, &err),
                     TC_OK);
    assert_int_equal(n, 2);
    for (uint32_t i = 0; i < n; i++) {
        if (r[i].stop == 0) assert_int_equal(r[i].seconds, 0);
        else if (r[i].stop == 2) assert_true(fabs(r[i].seconds - d02) <= 1);
        else fail_msg("unexpected stop %u", r[i].stop);
    }
    /* car, egress towards node 4 (reverse search): stop 0 at node 1 reaches it down the motorway */
    assert_int_equal(street_stops_near(ws, &v, TC_MODE_CAR, klat(4), klon(4), 1.0, 60, 1, 100, &r, &n, &err), TC_OK);
    int saw0 = 0;
    for (uint32_t i = 0; i < n; i++)
        if (r[i].stop == 0) saw0 = 1, assert_true(fabs(r[i].seconds - dk(1, 4) / (50 * 1.609344 / 3.6)) <= 1);
    assert_true(saw0);
    /* a point 5 km away is refused, naming the point */
    assert_int_equal(street_stops_near(ws, &v, TC_MODE_WALK, lat[3], lon[3], 1.3, 600, 0, 500, &r, &n, &err),
                     TC_ERR_UNREACHABLE);
    assert_non_null(strstr(err.message, "-29.95"));
    street_workspace_free(ws);
    netfile_unmap(&nf);
    streets_stop_links_free(&links);
}

/* only_* restrictions: a crossing C with four two-way dead-end arms N, E, S, W. With "only straight on from W via
 * C to E", a car coming from W must go to the end of E and turn round there to reach N; walking is unaffected. */
static void test_only_restriction(void **state) {
    (void)state;
    pw_node nodes[] = {{1, -30.0, -51.0}, {2, -29.999, -51.0}, {3, -30.0, -50.999}, {4, -30.001, -51.0},
                       {5, -30.0, -51.001}};
    int64_t n[] = {1, 2}, e[] = {1, 3}, so[] = {1, 4}, w[] = {5, 1};
    pw_way ways[] = {{1, n, 2, "highway=residential"}, {2, e, 2, "highway=residential"},
                     {3, so, 2, "highway=residential"}, {4, w, 2, "highway=residential"}};
    pw_member m[] = {{1, 4, "from"}, {0, 1, "via"}, {1, 2, "to"}};
    pw_relation rel[] = {{9, m, 3, "type=restriction;restriction=only_straight_on"}};
    const char *f = tmp("cross.osm.pbf");
    for (int with = 0; with < 2; with++) {
        assert_int_equal(pw_write(f, nodes, 5, ways, 4, rel, with, 1), 0);
        findings fs = {0};
        street_mem sm = build(f, &fs);
        assert_int_equal(sm.g.n_turns, (uint32_t)with);
        street_snap a, b, c;
        tc_error err;
        assert_int_equal(street_snap_point(&sm.g, TC_MODE_CAR, -30.0, -51.0008, 20, &a, &err), TC_OK); /* on W */
        assert_int_equal(street_snap_point(&sm.g, TC_MODE_CAR, -29.9992, -51.0, 20, &b, &err), TC_OK);  /* on N */
        assert_int_equal(street_snap_point(&sm.g, TC_MODE_CAR, -30.0, -50.9992, 20, &c, &err), TC_OK);  /* on E */
        street_workspace ws = {0};
        assert_int_equal(street_workspace_init_graph(&ws, &sm.g, &err), TC_OK);
        street_path p = {0};
        tc_status st = street_route_snapped(&ws, TC_MODE_CAR, &a, &b, &p, &err);
        double wn = haversine_m(-30.0, -51.0008, -30.0, -51.0) + haversine_m(-30.0, -51.0, -29.9992, -51.0);
        /* restricted: straight on to the end of E, turn round there, then left into N */
        double detour = with ? 2 * haversine_m(-30.0, -51.0, -30.0, -50.999) : 0;
        assert_int_equal(st, TC_OK);
        assert_true(fabs(p.distance_m - (wn + detour)) < 0.05);
        street_path_free(&p);
        assert_int_equal(street_route_snapped(&ws, TC_MODE_CAR, &a, &c, &p, &err), TC_OK);
        street_path_free(&p);
        assert_int_equal(street_route_snapped(&ws, TC_MODE_WALK, &a, &b, &p, &err), TC_OK);
        assert_true(fabs(p.distance_m - wn) < 0.05);
        street_path_free(&p);
        /* egress-style reverse search towards N: from the W arm's arc into C, the cost to N includes the detour */
        street_search_from_snap(&ws, TC_MODE_CAR, &b, 1, STREET_INF - 1);
        uint32_t w_arc = sm.g.segs[a.seg].arc_ab; /* W arm runs 5 → 1: towards the crossing */
        uint32_t c_to_n_ms = ws.dist[sm.g.segs[b.seg].arc_ab];
        double expect_ms = (haversine_m(-30.0, -51.001, -30.0, -51.0) + detour) / (30 / 3.6) * 1000 + c_to_n_ms;
        assert_true(fabs(ws.dist[w_arc] - expect_ms) < 5);
        street_workspace_release_graph(&ws);
        street_mem_free(&sm);
    }
}

/* a restriction via a way: A —F— B —V— C —T— D along a line, with a bypass B —Y1— E —Y2— C. "No straight on from
 * F via V to T" makes a car from A to D take the bypass; a car that starts on V (so did not come off F) still goes
 * straight on; walking is unaffected. */
static void test_via_way_restriction(void **state) {
    (void)state;
    pw_node nodes[] = {{1, -30.0, -51.003}, {2, -30.0, -51.002}, {3, -30.0, -51.001}, {4, -30.0, -51.000},
                       {5, -29.9995, -51.0015}};
    int64_t f[] = {1, 2}, v[] = {2, 3}, t[] = {3, 4}, y1[] = {2, 5}, y2[] = {5, 3};
    pw_way ways[] = {{1, f, 2, "highway=residential"}, {2, v, 2, "highway=residential"},
                     {3, t, 2, "highway=residential"}, {4, y1, 2, "highway=residential"},
                     {5, y2, 2, "highway=residential"}};
    pw_member m[] = {{1, 1, "from"}, {1, 2, "via"}, {1, 3, "to"}};
    pw_relation rel[] = {{9, m, 3, "type=restriction;restriction=no_straight_on"}};
    const char *file = tmp("viaway.osm.pbf");
#define D(a, b) haversine_m(nodes[(a)-1].lat, nodes[(a)-1].lon, nodes[(b)-1].lat, nodes[(b)-1].lon)
    for (int with = 0; with < 2; with++) {
        assert_int_equal(pw_write(file, nodes, 5, ways, 5, rel, with, 1), 0);
        findings fs = {0};
        street_mem sm = build(file, &fs);
        assert_false(has_code(&fs, "osm_restriction_unmatched"));
        assert_int_equal(sm.g.n_edges, 2 * sm.g.n_segs + (uint32_t)with); /* one copy of V's arc B→C */
        street_snap a, dd, onv;
        tc_error err;
        assert_int_equal(street_snap_point(&sm.g, TC_MODE_CAR, -30.0, -51.003, 5, &a, &err), TC_OK);
        assert_int_equal(street_snap_point(&sm.g, TC_MODE_CAR, -30.0, -51.000, 5, &dd, &err), TC_OK);
        assert_int_equal(street_snap_point(&sm.g, TC_MODE_CAR, -30.0, -51.0015, 5, &onv, &err), TC_OK);
        street_workspace ws = {0};
        assert_int_equal(street_workspace_init_graph(&ws, &sm.g, &err), TC_OK);
        street_path p = {0};
        assert_int_equal(street_route_snapped(&ws, TC_MODE_CAR, &a, &dd, &p, &err), TC_OK);
        double straight = D(1, 2) + D(2, 3) + D(3, 4), bypass = D(1, 2) + D(2, 5) + D(5, 3) + D(3, 4);
        assert_true(fabs(p.distance_m - (with ? bypass : straight)) < 0.05);
        street_path_free(&p);
        assert_int_equal(street_route_snapped(&ws, TC_MODE_CAR, &onv, &dd, &p, &err), TC_OK);
        assert_true(fabs(p.distance_m - (D(2, 3) / 2 + D(3, 4))) < 0.05);
        street_path_free(&p);
        assert_int_equal(street_route_snapped(&ws, TC_MODE_WALK, &a, &dd, &p, &err), TC_OK);
        assert_true(fabs(p.distance_m - straight) < 0.05);
        street_path_free(&p);
        street_workspace_release_graph(&ws);
        /* the copies survive the network file */
        char netp[4096];
        snprintf(netp, sizeof netp, "%s/via.net", dir);
        netfile_writer w;
        assert_int_equal(netfile_create(&w, netp, &err), TC_OK);
        assert_int_equal(street_mem_write(&sm, &w, &err), TC_OK);
        assert_int_equal(netfile_commit(&w, &err), TC_OK);
        netfile nf;
        assert_int_equal(netfile_map(netp, &nf, &err), TC_OK);
        street_graph g;
        assert_int_equal(street_graph_attach(&g, &nf, &err), TC_OK);
        assert_int_equal(g.n_edges, sm.g.n_edges);
        netfile_unmap(&nf);
        street_mem_free(&sm);
    }
#undef D
}

/* street_graph_attach checks indices, not just checksums: a file whose sections are intact but whose arc points
 * past the nodes (as a buggy or hostile writer could produce) is refused */
static void test_attach_validates(void **state) {
    (void)state;
    const char *f = tmp("block4.osm.pbf");
    write_block(f, 0, 1);
    findings fs = {0};
    street_mem m = build(f, &fs);
    char netp[4096];
    snprintf(netp, sizeof netp, "%s/bad.net", dir);
    m.edges[3].target = m.g.n_nodes + 7;
    netfile_writer w;
    tc_error err;
    assert_int_equal(netfile_create(&w, netp, &err), TC_OK);
    assert_int_equal(street_mem_write(&m, &w, &err), TC_OK);
    assert_int_equal(netfile_commit(&w, &err), TC_OK);
    netfile nf;
    assert_int_equal(netfile_map(netp, &nf, &err), TC_OK);
    street_graph g;
    assert_int_equal(street_graph_attach(&g, &nf, &err), TC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "arc 3"));
    assert_int_equal(g.n_nodes, 0);
    netfile_unmap(&nf);
    /* a file without street sections attaches as an empty graph */
    assert_int_equal(netfile_create(&w, netp, &err), TC_OK);
    assert_int_equal(netfile_add(&w, TC_SEC_META, "x", 1, &err), TC_OK);
    assert_int_equal(netfile_commit(&w, &err), TC_OK);
    assert_int_equal(netfile_map(netp, &nf, &err), TC_OK);
    assert_int_equal(street_graph_attach(&g, &nf, &err), TC_OK);
    assert_int_equal(g.n_nodes, 0);
    netfile_unmap(&nf);
    street_mem_free(&m);
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
        cmocka_unit_test(test_block_routes),       cmocka_unit_test(test_block_bike_and_car),
        cmocka_unit_test(test_big_ids_plain_nodes), cmocka_unit_test(test_missing_nodes),
        cmocka_unit_test(test_antimeridian),        cmocka_unit_test(test_not_pbf),
        cmocka_unit_test(test_linking_skips_tunnels), cmocka_unit_test(test_lts_limit_and_overrides),
        cmocka_unit_test(test_file_stops_transfers), cmocka_unit_test(test_attach_validates),
        cmocka_unit_test(test_only_restriction),   cmocka_unit_test(test_via_way_restriction),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
