/*
 * test_network_build.c — the network builder's core on feeds filled by hand (tests/fixtures/network/feed_builder.h):
 * pattern grouping with overtaking trips, pickup/drop-off flags, trips without stop times or service, frequency
 * templates, services re-based across feeds with different date ranges, timezone shifts, per-feed ids,
 * transfers.txt rules in network indices, and straight-line walking transfers against a brute-force search.
 * Every expectation is derived from the input timetable, not from the builder's output.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../fixtures/network/feed_builder.h"
#include "common/geo.h"
#include "common/timeutil.h"
#include "network/builder.h"
#include "network/network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char net_path[256];

static int setup(void **state) {
    (void)state;
    snprintf(net_path, sizeof net_path, "/tmp/tc_test_network_build_%ld.net", (long)getpid());
    return 0;
}

static int teardown(void **state) {
    (void)state;
    unlink(net_path);
    return 0;
}

static tc_network *build_and_open(gtfs_feed **feeds, size_t n, double radius) {
    tc_build_options o;
    tc_build_options_init(&o);
    o.transfer_radius_m = radius;
    tc_error err;
    error_clear(&err);
    diag_log diag = {0};
    tc_status st = build_from_feeds(feeds, n, &o, &diag, net_path, &err);
    if (st) fprintf(stderr, "build: %s\n", err.message);
    assert_int_equal(st, TC_OK);
    tc_network *net = NULL;
    st = tc_network_open(net_path, &net, &err);
    if (st) fprintf(stderr, "open: %s\n", err.message);
    assert_int_equal(st, TC_OK);
    return net;
}

static uint32_t trip_by_id(const network_view *v, uint32_t feed, const char *id) {
    for (uint32_t t = 0; t < v->n_trips; t++)
        if (v->trips[t].feed == feed && !strcmp(net_str(v, v->trips[t].id_str), id)) return t;
    fail_msg("trip %s not in network", id);
    return TC_NONE;
}

/* Index of trip t within its pattern. */
static uint32_t pos_in_pattern(const network_view *v, uint32_t t) {
    return t - v->patterns[v->trips[t].pattern].trips_begin;
}

static const net_stop_time *trip_times(const network_view *v, uint32_t t) {
    const net_pattern *p = &v->patterns[v->trips[t].pattern];
    return &v->stop_times[p->times_begin + (uint64_t)pos_in_pattern(v, t) * p->n_stops];
}

/* Structural checks every network must pass: pattern trips ordered at every stop, CSR consistent. */
static void check_invariants(const network_view *v) {
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const net_pattern *pt = &v->patterns[p];
        for (uint32_t k = 0; k + 1 < pt->n_trips; k++) {
            const net_stop_time *a = &v->stop_times[pt->times_begin + (uint64_t)k * pt->n_stops];
            const net_stop_time *b = a + pt->n_stops;
            for (uint32_t j = 0; j < pt->n_stops; j++) {
                if (pt->flags & TC_PATTERN_FREQUENCY) continue;
                assert_true(a[j].arrival <= b[j].arrival);
                assert_true(a[j].departure <= b[j].departure);
            }
        }
        for (uint32_t k = 0; k < pt->n_trips; k++) assert_int_equal(v->trips[pt->trips_begin + k].pattern, p);
        for (uint32_t j = 0; j < pt->n_stops; j++) {
            uint32_t s = v->pattern_stops[pt->stops_begin + j];
            int found = 0;
            for (uint32_t e = v->stop_pattern_begin[s]; e < v->stop_pattern_begin[s + 1]; e++)
                if (v->stop_patterns[e].pattern == p && v->stop_patterns[e].position == j) found = 1;
            assert_true(found);
        }
    }
}

static void test_overtaking_split(void **state) {
    (void)state;
    gtfs_feed *f = tf_new("city", "Europe/Warsaw", days_from_civil(2024, 1, 1), 7);
    int32_t A = tf_stop(f, "A", 53.10, 18.00), B = tf_stop(f, "B", 53.11, 18.01), C = tf_stop(f, "C", 53.12, 18.02);
    int32_t r = tf_route(f, "R1", 3), r2 = tf_route(f, "R2", 3);
    int32_t svc = tf_service(f, "daily", "1111111");
    int32_t abc[] = {A, B, C}, ac[] = {A, C};
    const int32_t t1[][2] = {{HMS(8, 0, 0), HMS(8, 0, 0)}, {HMS(8, 10, 0), HMS(8, 11, 0)}, {HMS(8, 20, 0), HMS(8, 20, 0)}};
    /* t2 leaves after t1 but arrives at C before it: an express that overtakes */
    const int32_t t2[][2] = {{HMS(8, 5, 0), HMS(8, 5, 0)}, {HMS(8, 12, 0), HMS(8, 12, 0)}, {HMS(8, 18, 0), HMS(8, 18, 0)}};
    const int32_t t3[][2] = {{HMS(8, 30, 0), HMS(8, 30, 0)}, {HMS(8, 40, 0), HMS(8, 40, 0)}, {HMS(8, 50, 0), HMS(8, 50, 0)}};
    const int32_t t0[][2] = {{HMS(7, 0, 0), HMS(7, 0, 0)}, {HMS(7, 10, 0), HMS(7, 10, 0)}, {HMS(7, 20, 0), HMS(7, 20, 0)}};
    const int32_t tac[][2] = {{HMS(9, 0, 0), HMS(9, 0, 0)}, {HMS(9, 15, 0), HMS(9, 15, 0)}};
    uint8_t no_pickup_b[] = {0, 1, 0};
    /* inserted out of time order on purpose: the builder must sort */
    tf_trip(f, "t3", r, svc, 3, abc, t3, NULL, NULL);
    tf_trip(f, "t2", r, svc, 3, abc, t2, NULL, NULL);
    tf_trip(f, "t1", r, svc, 3, abc, t1, NULL, NULL);
    tf_trip(f, "t1same", r, svc, 3, abc, t1, NULL, NULL); /* identical times: may share t1's pattern */
    tf_trip(f, "t0", r, svc, 3, abc, t0, NULL, NULL);
    tf_trip(f, "flags", r, svc, 3, abc, t1, no_pickup_b, NULL); /* same stops, other pickup flags */
    tf_trip(f, "short", r, svc, 2, ac, tac, NULL, NULL);        /* other stop sequence */
    tf_trip(f, "other_route", r2, svc, 3, abc, t1, NULL, NULL); /* other route */
    tf_trip(f, "nostops", r, svc, 0, NULL, NULL, NULL, NULL);   /* kept and counted, in no pattern */

    gtfs_feed *feeds[] = {f};
    tc_network *net = build_and_open(feeds, 1, 0);
    const network_view *v = &net->v;
    check_invariants(v);
    assert_int_equal(v->n_trips, 9);
    assert_int_equal(v->n_scheduled_trips, 8);
    assert_int_equal(v->n_source_stop_times, 8 * 3 - 1);
    /* {t0, t1, t1same, t3} and {t2}; flags; short; other_route */
    assert_int_equal(v->n_patterns, 5);
    uint32_t i0 = trip_by_id(v, 0, "t0"), i1 = trip_by_id(v, 0, "t1"), i1s = trip_by_id(v, 0, "t1same");
    uint32_t i2 = trip_by_id(v, 0, "t2"), i3 = trip_by_id(v, 0, "t3");
    assert_int_equal(v->trips[i0].pattern, v->trips[i1].pattern);
    assert_int_equal(v->trips[i1].pattern, v->trips[i3].pattern);
    assert_int_equal(v->trips[i1].pattern, v->trips[i1s].pattern);
    assert_int_not_equal(v->trips[i1].pattern, v->trips[i2].pattern);
    assert_int_equal(v->patterns[v->trips[i1].pattern].n_trips, 4);
    assert_int_equal(v->patterns[v->trips[i2].pattern].n_trips, 1);
    /* sorted by departure */
    assert_true(pos_in_pattern(v, i0) < pos_in_pattern(v, i1) && pos_in_pattern(v, i1) < pos_in_pattern(v, i3));
    /* times survive exactly */
    const net_stop_time *tt = trip_times(v, i2);
    for (int j = 0; j < 3; j++) {
        assert_int_equal(tt[j].arrival, t2[j][0]);
        assert_int_equal(tt[j].departure, t2[j][1]);
    }
    uint32_t ifl = trip_by_id(v, 0, "flags");
    const net_pattern *pf = &v->patterns[v->trips[ifl].pattern];
    assert_int_equal(pf->n_trips, 1);
    assert_int_equal(v->pattern_stop_flags[pf->stops_begin + 1], TC_NO_PICKUP);
    assert_int_equal(v->pattern_stop_flags[pf->stops_begin], 0);
    uint32_t ish = trip_by_id(v, 0, "short");
    assert_int_equal(v->patterns[v->trips[ish].pattern].n_stops, 2);
    assert_int_equal(v->pattern_stops[v->patterns[v->trips[ish].pattern].stops_begin + 1], (uint32_t)C);
    uint32_t ins = trip_by_id(v, 0, "nostops");
    assert_int_equal(v->trips[ins].pattern, TC_NONE);
    assert_true(ins >= v->n_scheduled_trips);
    /* stop B is served by 4 patterns (all but "short") */
    assert_int_equal(v->stop_pattern_begin[B + 1] - v->stop_pattern_begin[B], 4);
    tc_network_close(net);
    tf_free(f);
}

/* Many trips with random run times on one stop sequence: every pattern must be overtaking-free, and the union of
 * patterns must hold every trip exactly once with its own times. */
static void test_overtaking_random(void **state) {
    (void)state;
    gtfs_feed *f = tf_new("rnd", "UTC", days_from_civil(2024, 1, 1), 1);
    int32_t st[6];
    for (int i = 0; i < 6; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        st[i] = tf_stop(f, id, 10 + i * 0.01, 10);
    }
    int32_t r = tf_route(f, "r", 3), svc = tf_service(f, "x", "1");
    srand(7);
    int32_t want[200][6][2];
    for (int k = 0; k < 200; k++) {
        int32_t t = HMS(5, 0, 0) + rand() % (18 * 3600);
        for (int j = 0; j < 6; j++) {
            want[k][j][0] = t;
            t += rand() % 60; /* dwell */
            want[k][j][1] = t;
            t += 60 + rand() % 600;
        }
        char id[16];
        snprintf(id, sizeof id, "k%d", k);
        tf_trip(f, id, r, svc, 6, st, (const int32_t(*)[2])want[k], NULL, NULL);
    }
    gtfs_feed *feeds[] = {f};
    tc_network *net = build_and_open(feeds, 1, 0);
    const network_view *v = &net->v;
    check_invariants(v);
    assert_int_equal(v->n_trips, 200);
    assert_true(v->n_patterns > 1); /* random run times overtake */
    uint32_t total = 0;
    for (uint32_t p = 0; p < v->n_patterns; p++) total += v->patterns[p].n_trips;
    assert_int_equal(total, 200);
    for (int k = 0; k < 200; k++) {
        char id[16];
        snprintf(id, sizeof id, "k%d", k);
        const net_stop_time *tt = trip_times(v, trip_by_id(v, 0, id));
        for (int j = 0; j < 6; j++) {
            assert_int_equal(tt[j].arrival, want[k][j][0]);
            assert_int_equal(tt[j].departure, want[k][j][1]);
        }
    }
    tc_network_close(net);
    tf_free(f);
}

static void test_services_across_feeds(void **state) {
    (void)state;
    int32_t a0 = days_from_civil(2024, 1, 1), b0 = days_from_civil(2024, 1, 5);
    gtfs_feed *fa = tf_new("warsaw", "Europe/Warsaw", a0, 10);
    gtfs_feed *fb = tf_new("nyc", "America/New_York", b0, 16);
    int32_t sa = tf_stop(fa, "s1", 52.2, 21.0), sa2 = tf_stop(fa, "s2", 52.21, 21.0);
    int32_t sb = tf_stop(fb, "s1", 40.7, -74.0), sb2 = tf_stop(fb, "s2", 40.71, -74.0);
    int32_t ra = tf_route(fa, "r", 3), rb = tf_route(fb, "r", 3);
    const char *pa = "1010101010", *pb = "0000111100001111";
    int32_t va = tf_service(fa, "wk", pa), vb = tf_service(fb, "wk", pb);
    int32_t vnone = tf_service(fb, "never", "0000000000000000");
    int32_t stops_a[] = {sa, sa2}, stops_b[] = {sb, sb2};
    const int32_t tm[][2] = {{HMS(8, 0, 0), HMS(8, 0, 0)}, {HMS(8, 30, 0), HMS(8, 30, 0)}};
    tf_trip(fa, "t", ra, va, 2, stops_a, tm, NULL, NULL);
    tf_trip(fb, "t", rb, vb, 2, stops_b, tm, NULL, NULL);
    tf_trip(fb, "never", rb, vnone, 2, stops_b, tm, NULL, NULL);
    tf_trip(fb, "no_service_id", rb, GTFS_NONE, 2, stops_b, tm, NULL, NULL);
    tf_transfer(fb, sb, sb2, GTFS_NONE, GTFS_NONE, 2, 120);
    tf_transfer(fb, GTFS_NONE, GTFS_NONE, 0, 1, 1, -1); /* trip-to-trip, no stops */

    gtfs_feed *feeds[] = {fa, fb};
    tc_network *net = build_and_open(feeds, 2, 500);
    const network_view *v = &net->v;
    check_invariants(v);
    assert_int_equal(v->service_start, a0);
    assert_int_equal(v->n_days, (uint32_t)(b0 + 16 - a0));
    assert_int_equal(v->n_trips_without_service, 2);
    uint32_t ta = trip_by_id(v, 0, "t"), tb = trip_by_id(v, 1, "t");
    for (int32_t d = a0 - 3; d < b0 + 20; d++) {
        int want_a = d >= a0 && d < a0 + 10 && pa[d - a0] == '1';
        int want_b = d >= b0 && d < b0 + 16 && pb[d - b0] == '1';
        assert_int_equal(service_active(v, v->trips[ta].service, d), want_a);
        assert_int_equal(service_active(v, v->trips[tb].service, d), want_b);
        assert_int_equal(service_active(v, v->trips[trip_by_id(v, 1, "never")].service, d), 0);
        assert_int_equal(service_active(v, v->trips[trip_by_id(v, 1, "no_service_id")].service, d), 0);
    }
    /* network timezone = first feed's; New York times move by the zones' difference (6 h in winter) */
    assert_string_equal(net_str(v, v->timezone_str), "Europe/Warsaw");
    assert_int_equal(v->feeds[1].tz_shift_s, 6 * 3600);
    assert_int_equal(trip_times(v, ta)[0].departure, HMS(8, 0, 0));
    assert_int_equal(trip_times(v, tb)[0].departure, HMS(14, 0, 0));
    assert_int_equal(trip_times(v, tb)[1].arrival, HMS(14, 30, 0));
    /* ids per feed */
    uint32_t s;
    tc_error err;
    assert_int_equal(tc_network_find_stop(net, "warsaw:s1", &s, &err), TC_OK);
    assert_int_equal(s, (uint32_t)sa);
    assert_int_equal(tc_network_find_stop(net, "nyc:s2", &s, &err), TC_OK);
    assert_int_equal(s, fa->n_stops + (uint32_t)sb2);
    assert_int_equal(tc_network_find_stop(net, "s1", &s, &err), TC_ERR_NOT_FOUND);
    assert_int_equal(tc_network_find_stop(net, "nyc:s9", &s, &err), TC_ERR_NOT_FOUND);
    uint32_t rt, tr;
    assert_int_equal(net_find_route(v, "nyc:r", &rt, &err), TC_OK);
    assert_int_equal(rt, fa->n_routes + (uint32_t)rb);
    assert_int_equal(net_find_trip(v, "nyc:never", &tr, &err), TC_OK);
    assert_string_equal(net_str(v, v->trips[tr].id_str), "never");
    assert_int_equal(v->trips[tr].feed, 1);
    assert_int_equal(net_find_trip(v, "warsaw:never", &tr, &err), TC_ERR_NOT_FOUND);
    char idbuf[64];
    s = fa->n_stops + (uint32_t)sb;
    net_format_id(v, v->stops[s].feed, v->stops[s].id_str, idbuf, sizeof idbuf);
    assert_string_equal(idbuf, "nyc:s1");
    /* transfers.txt in network indices; the trip-to-trip rule names the new trip positions */
    assert_int_equal(v->n_transfer_rules, 2);
    uint32_t from = fa->n_stops + (uint32_t)sb;
    assert_int_equal(v->transfer_rule_begin[from + 1] - v->transfer_rule_begin[from], 1);
    const net_transfer_rule *r0 = &v->transfer_rules[v->transfer_rule_begin[from]];
    assert_int_equal(r0->to_stop, fa->n_stops + (uint32_t)sb2);
    assert_int_equal(r0->min_transfer_time, 120);
    assert_int_equal(r0->type, 2);
    assert_int_equal(v->transfer_rule_begin[v->n_stops], 1);
    const net_transfer_rule *r1 = &v->transfer_rules[1];
    assert_int_equal(r1->from_stop, TC_NONE);
    assert_int_equal(r1->from_trip, tb);
    assert_int_equal(r1->to_trip, trip_by_id(v, 1, "never"));
    /* walking: s1–s2 are ~1.1 km apart in each city (beyond 500 m), the cities far apart: no transfers */
    assert_int_equal(v->n_transfers, 0);
    /* info */
    tc_network_info in;
    assert_int_equal(tc_network_get_info(net, &in, &err), TC_OK);
    assert_int_equal(in.feeds, 2);
    assert_int_equal(in.trips, 4);
    assert_int_equal(in.trips_without_service, 2);
    assert_true(in.straight_line_walking);
    char d0[16], d1[16];
    tc_format_date(in.service_start, d0);
    tc_format_date(in.service_end, d1);
    assert_string_equal(d0, "2024-01-01");
    assert_string_equal(d1, "2024-01-20");
    assert_true(in.bbox[0] < -73.9 && in.bbox[2] > 20.9 && in.bbox[1] > 40.6 && in.bbox[3] < 52.3);
    tc_network_close(net);
    tf_free(fa);
    tf_free(fb);
}

static void test_frequency_templates(void **state) {
    (void)state;
    gtfs_feed *f = tf_new("freq", "UTC", days_from_civil(2024, 3, 1), 2);
    int32_t a = tf_stop(f, "a", 1, 1), b = tf_stop(f, "b", 1.001, 1);
    int32_t r = tf_route(f, "r", 1), svc = tf_service(f, "s", "11");
    int32_t ab[] = {a, b};
    const int32_t tm[][2] = {{HMS(6, 0, 0), HMS(6, 1, 0)}, {HMS(6, 10, 0), HMS(6, 10, 0)}};
    int32_t t = tf_trip(f, "tmpl", r, svc, 2, ab, tm, NULL, NULL);
    tf_trip(f, "sched", r, svc, 2, ab, tm, NULL, NULL);
    tf_frequency(f, t, HMS(10, 0, 0), HMS(12, 0, 0), 600); /* given out of order */
    tf_frequency(f, t, HMS(6, 0, 0), HMS(10, 0, 0), 300);
    gtfs_feed *feeds[] = {f};
    tc_network *net = build_and_open(feeds, 1, 1000);
    const network_view *v = &net->v;
    check_invariants(v);
    assert_int_equal(v->n_patterns, 2); /* templates never share a pattern with scheduled trips */
    assert_int_equal(v->n_frequency_templates, 1);
    uint32_t ti = trip_by_id(v, 0, "tmpl");
    const net_trip *tr = &v->trips[ti];
    assert_true(v->patterns[tr->pattern].flags & TC_PATTERN_FREQUENCY);
    assert_false(v->patterns[v->trips[trip_by_id(v, 0, "sched")].pattern].flags & TC_PATTERN_FREQUENCY);
    const net_stop_time *tt = trip_times(v, ti);
    assert_int_equal(tt[0].arrival, -60);
    assert_int_equal(tt[0].departure, 0);
    assert_int_equal(tt[1].arrival, 540);
    assert_int_equal(tr->freq_count, 2);
    assert_int_equal(v->frequencies[tr->freq_begin].start_time, HMS(6, 0, 0));
    assert_int_equal(v->frequencies[tr->freq_begin].headway_s, 300);
    assert_int_equal(v->frequencies[tr->freq_begin + 1].start_time, HMS(10, 0, 0));
    /* a and b are 111 m apart: a straight-line transfer each way, 111 × 1.3 m */
    assert_int_equal(v->n_transfers, 2);
    double d = haversine_m(1, 1, 1.001, 1) * 1.3;
    assert_int_equal(v->transfers[v->transfer_begin[a]].to_stop, (uint32_t)b);
    assert_true(fabs(v->transfers[v->transfer_begin[a]].distance_m - d) <= 0.5);
    tc_network_close(net);
    tf_free(f);
}

/* TC_PATTERN_MONOTONE: set when every trip's times never go down along the pattern, cleared by a single trip whose
 * departure precedes its arrival at a stop (RAPTOR relies on the flag to skip hopeless boardings). */
static void test_monotone_flag(void **state) {
    (void)state;
    gtfs_feed *f = tf_new("city", "Europe/Warsaw", days_from_civil(2024, 1, 1), 7);
    int32_t A = tf_stop(f, "A", 53.10, 18.00), B = tf_stop(f, "B", 53.11, 18.01), C = tf_stop(f, "C", 53.12, 18.02);
    int32_t r1 = tf_route(f, "ok", 3), r2 = tf_route(f, "odd", 3);
    int32_t svc = tf_service(f, "daily", "1111111");
    int32_t abc[] = {A, B, C};
    const int32_t fine[][2] = {{HMS(8, 0, 0), HMS(8, 0, 0)}, {HMS(8, 10, 0), HMS(8, 11, 0)}, {HMS(8, 20, 0), HMS(8, 20, 0)}};
    const int32_t later[][2] = {{HMS(9, 0, 0), HMS(9, 0, 0)}, {HMS(9, 10, 0), HMS(9, 10, 0)}, {HMS(9, 20, 0), HMS(9, 20, 0)}};
    /* departs B a minute before it arrives there */
    const int32_t odd[][2] = {{HMS(8, 0, 0), HMS(8, 0, 0)}, {HMS(8, 10, 0), HMS(8, 9, 0)}, {HMS(8, 20, 0), HMS(8, 20, 0)}};
    tf_trip(f, "fine", r1, svc, 3, abc, fine, NULL, NULL);
    tf_trip(f, "later", r1, svc, 3, abc, later, NULL, NULL);
    tf_trip(f, "fine2", r2, svc, 3, abc, fine, NULL, NULL);
    tf_trip(f, "odd", r2, svc, 3, abc, odd, NULL, NULL);
    gtfs_feed *feeds[] = {f};
    tc_network *net = build_and_open(feeds, 1, 0);
    const network_view *v = &net->v;
    check_invariants(v);
    uint32_t p_ok = v->trips[trip_by_id(v, 0, "later")].pattern, p_odd = v->trips[trip_by_id(v, 0, "fine2")].pattern;
    assert_int_equal(v->trips[trip_by_id(v, 0, "fine")].pattern, p_ok);
    assert_int_equal(v->trips[trip_by_id(v, 0, "odd")].pattern, p_odd);
    assert_true(v->patterns[p_ok].flags & TC_PATTERN_MONOTONE);
    assert_false(v->patterns[p_odd].flags & TC_PATTERN_MONOTONE);
    for (uint32_t p = 0; p < v->n_patterns; p++) assert_int_equal(v->patterns[p].flags & 0x80000000u, 0);
    tc_network_close(net);
    tf_free(f);
}

/* Trip `id` of n stops alternating between stops a and b, a second apart from 05:00. */
static void alternating_trip(gtfs_feed *f, const char *id, int32_t route, int32_t service, uint32_t n, int32_t a,
                             int32_t b) {
    gtfs_stop_time *st = tf_trip_stops(f, id, route, service, n);
    for (uint32_t j = 0; j < n; j++) {
        st[j].stop = j % 2 ? b : a;
        st[j].arrival = st[j].departure = HMS(5, 0, 0) + (int32_t)j;
    }
}

/* A trip of TC_MAX_TRIP_STOPS stops builds into one pattern of that many; one stop more is refused, naming the feed
 * and the trip, and no network file is left behind. */
static void test_trip_length_limit(void **state) {
    (void)state;
    for (uint32_t extra = 0; extra < 2; extra++) {
        gtfs_feed *f = tf_new("long", "Europe/Warsaw", days_from_civil(2024, 1, 1), 7);
        const int32_t A = tf_stop(f, "A", 53.10, 18.00), B = tf_stop(f, "B", 53.11, 18.01);
        alternating_trip(f, "loop", tf_route(f, "r", 3), tf_service(f, "daily", "1111111"), TC_MAX_TRIP_STOPS + extra,
                         A, B);
        gtfs_feed *feeds[] = {f};
        if (!extra) {
            tc_network *net = build_and_open(feeds, 1, 0);
            const network_view *v = &net->v;
            assert_int_equal(v->n_patterns, 1);
            assert_int_equal(v->patterns[0].n_stops, TC_MAX_TRIP_STOPS);
            tc_network_close(net);
            unlink(net_path);
        } else {
            tc_build_options o;
            tc_build_options_init(&o);
            tc_error err;
            error_clear(&err);
            diag_log diag = {0};
            assert_int_equal(build_from_feeds(feeds, 1, &o, &diag, net_path, &err), TC_ERR_INVALID_ARGUMENT);
            assert_non_null(strstr(err.message, "feed long: stop_times.txt: trip loop has 65536 stops"));
            assert_int_equal(access(net_path, F_OK), -1);
        }
        tf_free(f);
    }
}

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* The sorted grid finds exactly the pairs a brute-force all-pairs search finds, antimeridian included. */
static void test_straight_line_transfers(void **state) {
    (void)state;
    enum { N = 1500 };
    static double lat[N], lon[N];
    static uint8_t inc[N];
    srand(11);
    for (int i = 0; i < N; i++) {
        int group = i % 3;
        double clat = group == 0 ? 53.12 : group == 1 ? -17.8 : 0, clon = group == 0 ? 18.0 : group == 1 ? 179.99 : 0;
        lat[i] = clat + (rand() / (double)RAND_MAX - 0.5) * 0.06;
        lon[i] = clon + (rand() / (double)RAND_MAX - 0.5) * 0.08;
        if (lon[i] > 180) lon[i] -= 360;
        inc[i] = (uint8_t)(i % 17 != 0);
    }
    lat[5] = lat[8], lon[5] = lon[8]; /* two stops at the same place */
    uint32_t *begin, *to, *m, count;
    tc_error err;
    assert_int_equal(straight_line_transfers(lat, lon, inc, N, 400, 1.3, &begin, &to, &m, &count, &err), TC_OK);
    uint64_t *got = malloc((count + 1) * sizeof *got), *want = malloc((size_t)N * N * sizeof *want);
    size_t n_want = 0;
    for (uint32_t i = 0; i < N; i++) {
        for (uint32_t k = begin[i]; k < begin[i + 1]; k++) {
            got[k] = (uint64_t)i << 32 | to[k];
            if (k > begin[i]) assert_true(m[k - 1] <= m[k]); /* sorted by distance */
            double d = haversine_m(lat[i], lon[i], lat[to[k]], lon[to[k]]) * 1.3;
            assert_true(fabs(d - m[k]) <= 0.5);
        }
        for (uint32_t j = 0; j < N; j++)
            if (i != j && inc[i] && inc[j] && haversine_m(lat[i], lon[i], lat[j], lon[j]) * 1.3 <= 400)
                want[n_want++] = (uint64_t)i << 32 | j;
    }
    assert_true(n_want > 1000);
    assert_int_equal(begin[N], count);
    qsort(got, count, sizeof *got, cmp_u64);
    assert_int_equal(count, n_want);
    assert_memory_equal(got, want, n_want * sizeof *want);
    /* some pairs straddle the antimeridian */
    int straddle = 0;
    for (uint32_t i = 0; i < N; i++)
        for (uint32_t k = begin[i]; k < begin[i + 1]; k++)
            if ((lon[i] > 179) != (lon[to[k]] > 179) && lat[i] < -10) straddle++;
    assert_true(straddle > 0);
    free(got), free(want), free(begin), free(to), free(m);
    /* radius 0: none */
    assert_int_equal(straight_line_transfers(lat, lon, NULL, N, 0, 1.3, &begin, &to, &m, &count, &err), TC_OK);
    assert_int_equal(count, 0);
    assert_int_equal(begin[N], 0);
    free(begin), free(to), free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_overtaking_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overtaking_random, setup, teardown),
        cmocka_unit_test_setup_teardown(test_services_across_feeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frequency_templates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monotone_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trip_length_limit, setup, teardown),
        cmocka_unit_test(test_straight_line_transfers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
