/* test_analysis_surface_freq.c — travel-time surfaces on a tiny network the test writes itself (no streets, so
 * walking is straight line × 1.3): a scheduled line gives exact per-minute times (waiting counts from the departure
 * minute); a frequency-based line (exact_times=0) gives a Monte Carlo spread whose percentiles match a uniform wait
 * within the headway, reproducible for a seed, identical on 1 and 2 threads, different for another seed; the same
 * line with exact_times=1 does not depend on the seed; street-only walking equals straight line × detour / speed;
 * bad arguments are errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tongcheng.h"
#include "analysis/surface.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static void write_file(const char *name, const char *text) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Stops A (origin side) and B 0.1° of latitude apart (~11.1 km). Line S: scheduled, leaves A at 08:00, 08:30,
 * arrives B 10 min later. Line F: frequency template A→B 10 min, every 20 min from 07:00 to 10:00. */
static tc_network *build_net(int exact_times, const char *tag) {
    snprintf(dir, sizeof dir, "/tmp/tc_test_surface_%s_%d", tag, (int)getpid());
    mkdir(dir, 0755);
    write_file("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,A,http://a,Europe/Warsaw\n");
    write_file("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nA,A,50.0,20.0\nB,B,50.1,20.0\n"
                            "C,C,50.5,20.0\nD,D,50.6,20.0\n");
    write_file("routes.txt", "route_id,agency_id,route_short_name,route_type\nS,A,S,3\nF,A,F,3\n");
    write_file("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
                               "end_date\nW,1,1,1,1,1,1,1,20240101,20241231\n");
    write_file("trips.txt", "route_id,service_id,trip_id\nS,W,s1\nS,W,s2\nF,W,f1\n");
    write_file("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                 "s1,08:00:00,08:00:00,A,1\ns1,08:10:00,08:10:00,B,2\n"
                                 "s2,08:30:00,08:30:00,A,1\ns2,08:40:00,08:40:00,B,2\n"
                                 "f1,00:00:00,00:00:00,C,1\nf1,00:10:00,00:10:00,D,2\n");
    char freq[256];
    snprintf(freq, sizeof freq, "trip_id,start_time,end_time,headway_secs,exact_times\nf1,07:00:00,10:00:00,1200,%d\n",
             exact_times);
    write_file("frequencies.txt", freq);
    tc_feed_source src = {.name = "t", .path = dir};
    tc_build_options bo;
    tc_build_options_init(&bo);
    bo.feeds = &src;
    bo.n_feeds = 1;
    char out[512];
    snprintf(out, sizeof out, "%s/net.tcn", dir);
    tc_error err = {0};
    if (tc_build(&bo, out, &err) != TC_OK) fail_msg("build: %s", err.message);
    tc_network *net = NULL;
    if (tc_network_open(out, &net, &err) != TC_OK) fail_msg("open: %s", err.message);
    return net;
}

static void cleanup(void) {
    const char *names[] = {"agency.txt", "stops.txt", "routes.txt", "calendar.txt", "trips.txt", "stop_times.txt",
                           "frequencies.txt", "net.tcn"};
    char p[512];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

static int32_t day_of(const char *s) {
    int32_t d;
    tc_error err;
    assert_int_equal(tc_parse_date(s, &d, &err), TC_OK);
    return d;
}

static void test_scheduled_per_minute(void **state) {
    (void)state;
    tc_network *net = build_net(0, "sched");
    tc_analysis_options o;
    tc_analysis_options_init(&o);
    o.date = day_of("2024-03-04");
    o.window_start = 7 * 3600 + 50 * 60; /* 07:50 … 08:09 */
    o.window_end = 8 * 3600 + 10 * 60;
    o.draws = 1; /* line F runs on random offsets, which do not touch A → B; one draw keeps a sample per minute */
    double lat[2] = {50.1, 50.0}, lon[2] = {20.0, 20.0};
    tc_destinations *d = NULL;
    tc_error err = {0};
    assert_int_equal(tc_destinations_create(net, &o, lat, lon, 2, &d, &err), TC_OK);
    tc_analysis_workspace *ws = NULL;
    assert_int_equal(tc_analysis_workspace_create(net, &ws, &err), TC_OK);
    travel_times tt;
    assert_int_equal(analysis_samples(ws, d, &o, 50.0, 20.0, &tt, &err), TC_OK);
    assert_int_equal(tt.n_samples, 20); /* scheduled only: one sample per minute, no draws */
    for (uint32_t m = 0; m < 20; m++) {
        int dep = 7 * 60 + 50 + (int)m;
        /* B: the 08:00 trip (arrive 08:10) if not missed, else the 08:30 one (08:40) */
        int expect = dep <= 8 * 60 ? 8 * 60 + 10 - dep : 8 * 60 + 40 - dep;
        assert_int_equal(tt.minutes[0 * tt.n_samples + m], expect);
        /* the origin's own cell: walking 0 m */
        assert_int_equal(tt.minutes[1 * tt.n_samples + m], 0);
    }
    /* percentiles from the public call: p50 of {10+…} */
    o.n_percentiles = 3;
    o.percentiles[0] = 5;
    o.percentiles[1] = 50;
    o.percentiles[2] = 95;
    uint16_t out[6];
    assert_int_equal(tc_travel_times_from(ws, d, &o, 50.0, 20.0, out, &err), TC_OK);
    assert_true(out[0] <= out[1] && out[1] <= out[2]);
    assert_int_equal(out[0], 10); /* minutes 07:59 / 08:00 → 11, 10 … nearest rank 5% of 20 = index 0 → 10 */
    /* max duration: 30 min cuts the long waits (08:01 → 39 min) */
    o.max_duration_min = 30;
    o.n_percentiles = 1;
    o.percentiles[0] = 95;
    assert_int_equal(tc_travel_times_from(ws, d, &o, 50.0, 20.0, out, &err), TC_OK);
    assert_int_equal(out[0], TC_UNREACHED_MIN);
    /* a window that is empty, a bad origin: errors, not crashes */
    o.window_end = o.window_start;
    assert_int_equal(tc_travel_times_from(ws, d, &o, 50.0, 20.0, out, &err), TC_ERR_INVALID_ARGUMENT);
    o.window_end = o.window_start + 60;
    assert_int_equal(tc_travel_times_from(ws, d, &o, 95.0, 20.0, out, &err), TC_ERR_INVALID_ARGUMENT);
    /* destinations prepared for transit, asked for a street-only mode */
    o.street_only = 1;
    assert_int_equal(tc_travel_times_from(ws, d, &o, 50.0, 20.0, out, &err), TC_ERR_INVALID_ARGUMENT);
    tc_analysis_workspace_free(ws);
    tc_destinations_free(d);
    tc_network_close(net);
    cleanup();
}

/* Egress by another mode than walking (a sketch without feeder buses models them as car): a destination 0.05° north
 * of B (5,560 m) is beyond a 20-minute walk but a car from B reaches it; the destinations remember the egress mode. */
static void test_egress_mode(void **state) {
    (void)state;
    tc_network *net = build_net(0, "egress");
    tc_analysis_options o;
    tc_analysis_options_init(&o);
    o.date = day_of("2024-03-04");
    o.window_start = 7 * 3600 + 50 * 60; /* the single minute 07:50: the 08:00 trip reaches B at 08:10 */
    o.window_end = o.window_start + 60;
    o.draws = 1;
    double lat[1] = {50.15}, lon[1] = {20.0};
    tc_error err = {0};
    tc_analysis_workspace *ws = NULL;
    assert_int_equal(tc_analysis_workspace_create(net, &ws, &err), TC_OK);
    uint16_t out[1];
    tc_destinations *walk = NULL, *car = NULL;
    assert_int_equal(tc_destinations_create(net, &o, lat, lon, 1, &walk, &err), TC_OK);
    assert_int_equal(tc_travel_times_from(ws, walk, &o, 50.0, 20.0, out, &err), TC_OK);
    assert_int_equal(out[0], TC_UNREACHED_MIN);
    o.egress_mode = TC_MODE_CAR;
    /* destinations linked for walking cannot serve a car-egress query */
    assert_int_equal(tc_travel_times_from(ws, walk, &o, 50.0, 20.0, out, &err), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(tc_destinations_create(net, &o, lat, lon, 1, &car, &err), TC_OK);
    assert_int_equal(tc_travel_times_from(ws, car, &o, 50.0, 20.0, out, &err), TC_OK);
    /* 20 min to B, then 5,559.75 m × 1.3 detour at 40 km/h = 650.5 s: 30.8 min, whole minutes truncated */
    double egress_s = 5559.75 * 1.3 / (40.0 / 3.6);
    assert_int_equal(out[0], (int)((20 * 60 + egress_s) / 60));
    tc_destinations_free(walk);
    tc_destinations_free(car);
    tc_analysis_workspace_free(ws);
    tc_network_close(net);
    cleanup();
}

static void freq_percentiles(tc_network *net, uint64_t seed, int threads, uint16_t *out /* 2 origins × 3 */) {
    tc_analysis_options o;
    tc_analysis_options_init(&o);
    o.date = day_of("2024-03-04");
    o.window_start = 7 * 3600 + 30 * 60;
    o.window_end = 8 * 3600 + 30 * 60;
    o.draws = 30;
    o.seed = seed;
    o.threads = threads;
    o.n_percentiles = 3;
    o.percentiles[0] = 5;
    o.percentiles[1] = 50;
    o.percentiles[2] = 95;
    double dlat = 50.6, dlon = 20.0;
    tc_destinations *d = NULL;
    tc_error err = {0};
    assert_int_equal(tc_destinations_create(net, &o, &dlat, &dlon, 1, &d, &err), TC_OK);
    double olat[2] = {50.5, 50.5005}, olon[2] = {20.0, 20.0};
    assert_int_equal(tc_travel_time_matrix(net, d, &o, olat, olon, 2, out, &err), TC_OK);
    tc_destinations_free(d);
}

static void test_frequency_monte_carlo(void **state) {
    (void)state;
    tc_network *net = build_net(0, "freq");
    uint16_t a[6], b[6], c[6], e[6];
    freq_percentiles(net, 42, 1, a);
    freq_percentiles(net, 42, 2, b);
    freq_percentiles(net, 42, 1, c);
    freq_percentiles(net, 43, 1, e);
    assert_memory_equal(a, b, sizeof a); /* thread count does not matter */
    assert_memory_equal(a, c, sizeof a); /* same seed, same result */
    /* wait uniform in [0, 20) min + 10 min ride: p5 near 11, p50 near 20, p95 near 29 */
    assert_true(a[0] >= 10 && a[0] <= 13);
    assert_true(a[1] >= 16 && a[1] <= 24);
    assert_true(a[2] >= 26 && a[2] <= 30);
    assert_true(a[0] < a[1] && a[1] < a[2]);
    (void)e;
    /* the raw samples: the same seed repeats them, another seed draws other offsets */
    tc_analysis_options o;
    tc_analysis_options_init(&o);
    o.date = day_of("2024-03-04");
    o.window_start = 7 * 3600 + 30 * 60;
    o.window_end = 7 * 3600 + 40 * 60;
    o.draws = 10;
    double dlat = 50.6, dlon = 20.0;
    tc_destinations *d = NULL;
    tc_error err = {0};
    assert_int_equal(tc_destinations_create(net, &o, &dlat, &dlon, 1, &d, &err), TC_OK);
    tc_analysis_workspace *ws = NULL;
    assert_int_equal(tc_analysis_workspace_create(net, &ws, &err), TC_OK);
    uint16_t s1[100], s2[100], s3[100];
    travel_times tt;
    o.seed = 7;
    assert_int_equal(analysis_samples(ws, d, &o, 50.5, 20.0, &tt, &err), TC_OK);
    assert_int_equal(tt.n_samples, 100); /* 10 minutes × 10 draws */
    memcpy(s1, tt.minutes, sizeof s1);
    assert_int_equal(analysis_samples(ws, d, &o, 50.5, 20.0, &tt, &err), TC_OK);
    memcpy(s2, tt.minutes, sizeof s2);
    o.seed = 8;
    assert_int_equal(analysis_samples(ws, d, &o, 50.5, 20.0, &tt, &err), TC_OK);
    memcpy(s3, tt.minutes, sizeof s3);
    assert_memory_equal(s1, s2, sizeof s1);
    assert_memory_not_equal(s1, s3, sizeof s1);
    /* every sample is a ride of 10 min plus a wait shorter than the headway */
    for (int i = 0; i < 100; i++) assert_true(s1[i] >= 10 && s1[i] <= 30);
    /* within a draw, one minute later waits one minute less, or catches the next run (wait + 19) */
    for (int m = 0; m + 1 < 10; m++)
        for (int k = 0; k < 10; k++) {
            int x = s1[m * 10 + k], y = s1[(m + 1) * 10 + k];
            assert_true(y == x - 1 || y == x + 19);
        }
    tc_analysis_workspace_free(ws);
    tc_destinations_free(d);
    tc_network_close(net);
    cleanup();
}

static void test_exact_times_not_random(void **state) {
    (void)state;
    tc_network *net = build_net(1, "exact");
    uint16_t a[6], e[6];
    freq_percentiles(net, 42, 1, a);
    freq_percentiles(net, 99, 1, e);
    assert_memory_equal(a, e, sizeof a);
    /* runs at 07:00, 07:20, …: from 07:30 … 08:29 the wait is 10 … 0, 19 … 0 minutes: p5 = 10 + 0 */
    assert_int_equal(a[0], 10);
    tc_network_close(net);
    cleanup();
}

static void test_street_only_straight_line(void **state) {
    (void)state;
    tc_network *net = build_net(0, "walk");
    tc_analysis_options o;
    tc_analysis_options_init(&o);
    o.date = day_of("2024-03-04");
    o.window_start = 8 * 3600;
    o.window_end = 9 * 3600;
    o.street_only = 1;
    o.mode = TC_MODE_WALK;
    double lat[2] = {50.01, 50.1}, lon[2] = {20.0, 20.0};
    tc_destinations *d = NULL;
    tc_error err = {0};
    assert_int_equal(tc_destinations_create(net, &o, lat, lon, 2, &d, &err), TC_OK);
    tc_analysis_workspace *ws = NULL;
    assert_int_equal(tc_analysis_workspace_create(net, &ws, &err), TC_OK);
    uint16_t out[2];
    assert_int_equal(tc_travel_times_from(ws, d, &o, 50.0, 20.0, out, &err), TC_OK);
    /* 0.01° of latitude = 1112 m × 1.3 / 1.3 m/s ≈ 1112 s = 18 min; 11.1 km is beyond 120 min */
    double secs = 0.01 * M_PI / 180 * 6371008.8 * 1.3 / 1.3;
    assert_true(abs((int)out[0] - (int)(secs / 60)) <= 1);
    assert_int_equal(out[1], TC_UNREACHED_MIN);
    /* isochrone on foot: one feature per cutoff, areas growing */
    int cut[2] = {10, 20};
    char *gj = NULL;
    assert_int_equal(tc_isochrones(net, &o, 50.0, 20.0, cut, 2, 50, &gj, &err), TC_OK);
    const char *p1 = strstr(gj, "\"area_km2\":"), *p2 = p1 ? strstr(p1 + 1, "\"area_km2\":") : NULL;
    assert_non_null(p1);
    assert_non_null(p2);
    double a1 = atof(p1 + 11), a2 = atof(p2 + 11);
    /* a circle of 10 min × 1 m/s straight-line speed: r = 600 m → 1.13 km²; 20 min → 4.5 km² */
    assert_true(a1 > 0.9 && a1 < 1.4);
    assert_true(a2 > 3.8 && a2 < 5.2);
    tc_free(gj);
    assert_int_equal(tc_isochrones(net, &o, 50.0, 20.0, cut, 0, 50, &gj, &err), TC_ERR_INVALID_ARGUMENT);
    tc_analysis_workspace_free(ws);
    tc_destinations_free(d);
    tc_network_close(net);
    cleanup();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scheduled_per_minute),
        cmocka_unit_test(test_frequency_monte_carlo),
        cmocka_unit_test(test_exact_times_not_random),
        cmocka_unit_test(test_street_only_straight_line),
        cmocka_unit_test(test_egress_mode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
