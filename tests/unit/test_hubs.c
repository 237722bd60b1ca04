/*
 * test_hubs.c — hub catchments against a brute-force search on a small network written by the test: a 5 × 5 grid
 * of residential streets (~220 m blocks at 30 km/h) with an hgv=no street and a low bridge. For every hub and cell
 * the truck time is computed pair by pair with the point-to-point search (tc_street_route, its own snapping and
 * search), and every figure of tc_hub_catchments — cells, population and jobs per cutoff, coverage by any hub and
 * by type, overlap, nearest hub per type, the tier check — is recomputed from those times here. Also: a car
 * catchment is at least the truck's, and a malformed hubs CSV is an error with line and column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pbf_writer.h"
#include "tongcheng.h"

#include <math.h>
#include <unistd.h>

static char dir[] = "/tmp/test_hubs_XXXXXX";
static char net_path[4200];

#define LAT0 41.15
#define LON0 (-8.61)
#define D 0.002
#define G 5

static double nlat(int r) { return LAT0 - r * D; }
static double nlon(int c) { return LON0 + c * D; }

static void build_net(void) {
    char pbf[4200];
    snprintf(pbf, sizeof pbf, "%s/grid.osm.pbf", dir);
    pw_node nodes[G * G];
    for (int r = 0; r < G; r++)
        for (int c = 0; c < G; c++) nodes[r * G + c] = (pw_node){1 + r * G + c, nlat(r), nlon(c)};
    static int64_t refs[2 * G][2 * (G - 1)][2];
    pw_way ways[4 * G * (G - 1)];
    int nw = 0;
    for (int r = 0; r < G; r++)
        for (int c = 0; c + 1 < G; c++) {
            refs[r][c][0] = 1 + r * G + c, refs[r][c][1] = 2 + r * G + c;
            const char *tags = "highway=residential;maxspeed=30";
            if (r == 2 && c == 1) tags = "highway=residential;maxspeed=30;hgv=no";
            if (r == 1 && c == 3) tags = "highway=residential;maxspeed=30;maxheight=3.2";
            ways[nw++] = (pw_way){100 + nw, refs[r][c], 2, tags};
        }
    for (int c = 0; c < G; c++)
        for (int r = 0; r + 1 < G; r++) {
            refs[G + c][r][0] = 1 + r * G + c, refs[G + c][r][1] = 1 + (r + 1) * G + c;
            const char *tags = "highway=residential;maxspeed=30";
            if (c == 2 && r == 2) tags = "highway=residential;maxspeed=30;hgv=no";
            ways[nw++] = (pw_way){100 + nw, refs[G + c][r], 2, tags};
        }
    assert_int_equal(pw_write(pbf, nodes, G * G, ways, nw, NULL, 0, 1), 0);
    tc_build_options o;
    tc_build_options_init(&o);
    o.osm_path = pbf;
    snprintf(net_path, sizeof net_path, "%s/grid.net", dir);
    tc_error err;
    if (tc_build(&o, net_path, &err) != TC_OK) fail_msg("build: %s", err.message);
}

static const tc_hub HUBS[] = {
    {"R", "regional", "regional", 41.1500, -8.6100},
    {"C1", "common 1", "common", 41.1460, -8.6040},
    {"C2", "common 2", "common", 41.1420, -8.6020},
    {"T1", "terminal 1", "terminal", 41.1440, -8.6085},
    {"T2", "terminal 2", "terminal", 41.1425, -8.6005},
};
#define NH (sizeof HUBS / sizeof *HUBS)

static uint16_t brute_min(const tc_network *net, tc_mode mode, double alat, double alon, double blat, double blon) {
    if (alat == blat && alon == blon) return 0;
    tc_street_options so;
    tc_street_options_init(&so);
    so.truck.weekday = 1; /* 2026-12-01 is a Tuesday */
    so.truck.time_s = 8 * 3600;
    tc_street_result r;
    tc_error err;
    tc_status st = tc_street_route(net, mode, alat, alon, blat, blon, &so, &r, &err);
    if (st == TC_ERR_UNREACHABLE) return TC_UNREACHED_MIN;
    if (st != TC_OK) fail_msg("street route: %s", err.message);
    long long s = llround(r.duration_s);
    tc_street_result_free(&r);
    return s > 30 * 60 ? TC_UNREACHED_MIN : (uint16_t)(s / 60);
}

static void test_against_brute_force(void **state) {
    (void)state;
    build_net();
    tc_network *net;
    tc_error err;
    assert_int_equal(tc_network_open(net_path, &net, &err), TC_OK);
    /* cells: midpoints of the blocks, and a few more */
    enum { NC = 24 };
    double clat[NC], clon[NC], pop[NC], jobs[NC];
    for (int i = 0; i < NC; i++) {
        clat[i] = LAT0 - (i / 6) * D * 1.2 - 0.0007;
        clon[i] = LON0 + (i % 6) * D * 0.75 + 0.0003;
        pop[i] = 100 + 37 * i;
        jobs[i] = 10 + (i * 13) % 50;
    }
    int cutoffs[] = {1, 2, 3};
    tc_hub_query q = {0};
    tc_analysis_options_init(&q.analysis);
    q.analysis.street_only = 1;
    q.analysis.mode = TC_MODE_TRUCK;
    assert_int_equal(tc_parse_date("2026-12-01", &q.analysis.date, &err), TC_OK);
    q.analysis.window_start = 8 * 3600;
    q.analysis.window_end = 8 * 3600 + 60;
    q.analysis.threads = 1;
    q.cutoffs_min = cutoffs;
    q.n_cutoffs = 3;
    q.cell_lat = clat, q.cell_lon = clon, q.population = pop, q.jobs = jobs, q.n_cells = NC;
    q.tier_type[0] = "terminal", q.tier_type[1] = "common", q.tier_type[2] = "regional";
    q.tier_minutes[0] = 1, q.tier_minutes[1] = 2;
    tc_hub_result *r;
    if (tc_hub_catchments(net, HUBS, NH, &q, &r, &err) != TC_OK) fail_msg("%s", err.message);
    assert_int_equal(r->n_types, 3);
    uint16_t bt[NH][NC], bh[NH][NH];
    for (size_t h = 0; h < NH; h++) {
        for (int c = 0; c < NC; c++) bt[h][c] = brute_min(net, TC_MODE_TRUCK, HUBS[h].lat, HUBS[h].lon, clat[c], clon[c]);
        for (size_t u = 0; u < NH; u++)
            bh[h][u] = brute_min(net, TC_MODE_TRUCK, HUBS[h].lat, HUBS[h].lon, HUBS[u].lat, HUBS[u].lon);
    }
    int reached = 0, some_outside = 0;
    for (size_t h = 0; h < NH; h++) {
        for (int c = 0; c < NC; c++) {
            if (r->hub_cell_min[h * NC + c] != bt[h][c])
                fail_msg("hub %s cell %d: %u min, brute force %u", HUBS[h].id, c, r->hub_cell_min[h * NC + c], bt[h][c]);
            reached += bt[h][c] != TC_UNREACHED_MIN;
        }
        for (size_t u = 0; u < NH; u++) assert_int_equal(r->hub_hub_min[h * NH + u], bh[h][u]);
        for (int k = 0; k < 3; k++) {
            double p = 0, j = 0;
            uint32_t n = 0;
            for (int c = 0; c < NC; c++)
                if (bt[h][c] < cutoffs[k]) p += pop[c], j += jobs[c], n++;
                else if (k == 2) some_outside = 1;
            assert_true(fabs(r->pop[h * 3 + k] - p) < 1e-6);
            assert_true(fabs(r->jobs[h * 3 + k] - j) < 1e-6);
            assert_int_equal(r->cells[h * 3 + k], n);
            for (size_t u = 0; u < NH; u++) {
                double both = 0;
                for (int c = 0; c < NC; c++)
                    if (bt[h][c] < cutoffs[k] && bt[u][c] < cutoffs[k]) both += pop[c];
                assert_true(fabs(r->overlap_pop[(h * NH + u) * 3 + k] - both) < 1e-6);
            }
        }
    }
    assert_true(reached > 0);
    assert_true(some_outside); /* the cutoffs cut */
    for (int k = 0; k < 3; k++) {
        double any = 0;
        for (int c = 0; c < NC; c++) {
            int in = 0;
            for (size_t h = 0; h < NH; h++) in |= bt[h][c] < cutoffs[k];
            if (in) any += pop[c];
        }
        assert_true(fabs(r->pop_any[k] - any) < 1e-6);
    }
    for (int c = 0; c < NC; c++)
        for (size_t t = 0; t < r->n_types; t++) {
            uint16_t best = TC_UNREACHED_MIN;
            for (size_t h = 0; h < NH; h++)
                if (!strcmp(HUBS[h].type, r->types[t]) && bt[h][c] < best) best = bt[h][c];
            assert_int_equal(r->nearest_min[c * r->n_types + t], best);
        }
    for (size_t h = 0; h < NH; h++) {
        const char *up = !strcmp(HUBS[h].type, "terminal") ? "common" : !strcmp(HUBS[h].type, "common") ? "regional" : NULL;
        if (!up) {
            assert_int_equal(r->tier_ok[h], -1);
            continue;
        }
        uint16_t best = TC_UNREACHED_MIN;
        for (size_t u = 0; u < NH; u++)
            if (!strcmp(HUBS[u].type, up) && bh[u][h] < best) best = bh[u][h];
        assert_int_equal(r->tier_min[h], best);
        assert_int_equal(r->tier_ok[h], best <= (up[0] == 'c' ? 1 : 2));
    }
    /* the car reaches at least as many people as the truck */
    tc_hub_query qc = q;
    qc.analysis.mode = TC_MODE_CAR;
    tc_hub_result *rc;
    assert_int_equal(tc_hub_catchments(net, HUBS, NH, &qc, &rc, &err), TC_OK);
    int car_more = 0;
    for (size_t i = 0; i < NH * 3; i++) {
        assert_true(rc->pop[i] >= r->pop[i]);
        car_more |= rc->pop[i] > r->pop[i];
    }
    assert_true(car_more); /* the restrictions matter here */
    tc_hub_result_free(rc);
    tc_hub_result_free(r);
    tc_network_close(net);
}

static void test_bad_hubs_csv(void **state) {
    (void)state;
    char p[4200];
    snprintf(p, sizeof p, "%s/hubs.csv", dir);
    FILE *f = fopen(p, "w");
    fputs("id,name,lat,lon,type\na,A,41.1,-8.6,common\nb,B,91,-8.6,common\n", f);
    fclose(f);
    tc_hub *h;
    size_t n;
    tc_error err = {0};
    assert_int_equal(tc_hubs_read(p, &h, &n, &err), TC_ERR_PARSE);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 3);
    f = fopen(p, "w");
    fputs("id,name,lat,lon\na,A,41.1,-8.6\n", f);
    fclose(f);
    assert_int_equal(tc_hubs_read(p, &h, &n, &err), TC_ERR_PARSE);
    f = fopen(p, "w");
    fputs("id,name,lat,lon,type\na,\"A, the first\",41.1,-8.6,common\na,A,41.1,-8.6,common\n", f);
    fclose(f);
    assert_int_equal(tc_hubs_read(p, &h, &n, &err), TC_ERR_PARSE);
    assert_non_null(strstr(err.message, "duplicate"));
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
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_against_brute_force), cmocka_unit_test(test_bad_hubs_csv)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
