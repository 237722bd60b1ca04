/*
 * test_raptor_core.c — RAPTOR on network_view structs filled by hand (plain arrays, no network file), so the
 * search is tested on its own: same-second boarding, min transfer floor, transfers.txt types, pickup/drop-off,
 * service days (D−1 after midnight, D+1), frequencies, arrive-by, Pareto rounds, and a randomized comparison with
 * a brute-force connection scan written here (forward and reverse, and range-RAPTOR against single queries), and
 * one-to-one runs (target pruning) against one-to-all runs on random networks with transfers.txt rules, and stop
 * queries' ends (walking, transfers.txt links, sibling platforms) against a scan that reads them on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "routing/raptor.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 12
#define INF RAPTOR_INF

/* ---------------------------------------------------------------- a tiny network builder ------------------------ */

typedef struct ttrip {
    int pattern;          /* trips of one pattern share stops and flags; patterns numbered 0.. */
    int route, service;
    int n;
    int stops[MAXN];
    int arr[MAXN], dep[MAXN];
    uint8_t flags[MAXN];
    int freq_start, freq_end, headway; /* headway > 0: a frequency template (times relative) */
} ttrip;

typedef struct tnet {
    network_view v;
    net_stop *stops;
    net_route *routes;
    net_pattern *patterns;
    uint32_t *pattern_stops;
    uint8_t *pattern_flags;
    net_stop_time *stop_times;
    net_trip *trips;
    net_frequency *freqs;
    uint32_t *sp_begin;
    net_stop_pattern *sp;
    uint32_t *tr_begin;
    net_transfer *transfers;
    uint32_t *rule_begin;
    net_transfer_rule *rules;
    uint64_t *bits;
} tnet;

typedef struct ttransfer {
    int from, to, dist;
} ttransfer;

/* services: bitmask over days service_start … service_start+63 */
static void tnet_build(tnet *t, int n_stops, const ttrip *trips, int n_trips, const ttransfer *tf, int n_tf,
                       const net_transfer_rule *rules, int n_rules, const uint64_t *service_days, int n_services,
                       int32_t service_start) {
    memset(t, 0, sizeof *t);
    network_view *v = &t->v;
    int n_pat = 0, n_routes = 0;
    for (int i = 0; i < n_trips; i++) {
        if (trips[i].pattern + 1 > n_pat) n_pat = trips[i].pattern + 1;
        if (trips[i].route + 1 > n_routes) n_routes = trips[i].route + 1;
    }
    if (n_stops < 1) n_stops = 1;
    t->stops = calloc((size_t)n_stops, sizeof *t->stops);
    for (int s = 0; s < n_stops; s++) t->stops[s].parent = TC_NONE;
    t->routes = calloc((size_t)n_routes + 1, sizeof *t->routes);
    for (int r = 0; r < n_routes; r++) t->routes[r].type = 3, t->routes[r].agency = TC_NONE;
    t->patterns = calloc((size_t)(n_pat > 0 ? n_pat : 1), sizeof *t->patterns);
    t->trips = calloc((size_t)(n_trips > 0 ? n_trips : 1), sizeof *t->trips);
    t->freqs = calloc((size_t)n_trips + 1, sizeof *t->freqs);
    t->pattern_stops = calloc((size_t)n_pat * MAXN, sizeof(uint32_t));
    t->pattern_flags = calloc((size_t)n_pat * MAXN, 1);
    t->stop_times = calloc((size_t)n_trips * MAXN, sizeof *t->stop_times);
    /* order trips by pattern then first departure */
    int order[256];
    for (int i = 0; i < n_trips; i++) order[i] = i;
    for (int i = 0; i < n_trips; i++)
        for (int j = i + 1; j < n_trips; j++) {
            const ttrip *a = &trips[order[i]], *b = &trips[order[j]];
            if (a->pattern > b->pattern || (a->pattern == b->pattern && a->dep[0] > b->dep[0])) {
                int x = order[i];
                order[i] = order[j];
                order[j] = x;
            }
        }
    uint32_t sb = 0, nf = 0;
    uint64_t tb = 0;
    int ti = 0;
    for (int p = 0; p < n_pat; p++) {
        net_pattern *pt = &t->patterns[p];
        pt->trips_begin = (uint32_t)ti;
        pt->stops_begin = sb;
        pt->times_begin = tb;
        for (int i = 0; i < n_trips; i++) {
            const ttrip *tr = &trips[order[i]];
            if (tr->pattern != p) continue;
            if (pt->n_trips == 0) {
                pt->n_stops = (uint32_t)tr->n;
                pt->route = (uint32_t)tr->route;
                for (int j = 0; j < tr->n; j++) {
                    t->pattern_stops[sb + j] = (uint32_t)tr->stops[j];
                    t->pattern_flags[sb + j] = tr->flags[j];
                }
                if (tr->headway) pt->flags = TC_PATTERN_FREQUENCY;
            }
            net_trip *nt = &t->trips[ti];
            nt->route = (uint32_t)tr->route;
            nt->pattern = (uint32_t)p;
            nt->service = (uint32_t)tr->service;
            nt->wheelchair = 1;
            if (tr->headway) {
                nt->freq_begin = nf;
                nt->freq_count = 1;
                t->freqs[nf].start_time = tr->freq_start;
                t->freqs[nf].end_time = tr->freq_end;
                t->freqs[nf].headway_s = tr->headway;
                nf++;
            }
            for (int j = 0; j < tr->n; j++) {
                t->stop_times[tb + (uint64_t)pt->n_trips * (uint64_t)tr->n + (uint64_t)j].arrival = tr->arr[j];
                t->stop_times[tb + (uint64_t)pt->n_trips * (uint64_t)tr->n + (uint64_t)j].departure = tr->dep[j];
            }
            pt->n_trips++;
            ti++;
        }
        sb += pt->n_stops;
        tb += (uint64_t)pt->n_trips * pt->n_stops;
    }
    /* stop → patterns */
    t->sp_begin = calloc((size_t)n_stops + 1, sizeof(uint32_t));
    t->sp = calloc(sb + 1, sizeof *t->sp);
    uint32_t k = 0;
    for (int s = 0; s < n_stops; s++) {
        t->sp_begin[s] = k;
        for (int p = 0; p < n_pat; p++)
            for (uint32_t j = 0; j < t->patterns[p].n_stops; j++)
                if (t->pattern_stops[t->patterns[p].stops_begin + j] == (uint32_t)s) {
                    t->sp[k].pattern = (uint32_t)p;
                    t->sp[k].position = j;
                    k++;
                }
    }
    t->sp_begin[n_stops] = k;
    t->tr_begin = calloc((size_t)n_stops + 1, sizeof(uint32_t));
    t->transfers = calloc((size_t)n_tf + 1, sizeof *t->transfers);
    k = 0;
    for (int s = 0; s < n_stops; s++) {
        t->tr_begin[s] = k;
        for (int i = 0; i < n_tf; i++)
            if (tf[i].from == s) t->transfers[k].to_stop = (uint32_t)tf[i].to, t->transfers[k++].distance_m = (uint32_t)tf[i].dist;
    }
    t->tr_begin[n_stops] = k;
    t->rule_begin = calloc((size_t)n_stops + 1, sizeof(uint32_t));
    t->rules = calloc((size_t)n_rules + 1, sizeof *t->rules);
    k = 0;
    for (int s = 0; s < n_stops; s++) {
        t->rule_begin[s] = k;
        for (int i = 0; i < n_rules; i++)
            if (rules[i].from_stop == (uint32_t)s) t->rules[k++] = rules[i];
    }
    t->rule_begin[n_stops] = k;
    for (int i = 0; i < n_rules; i++)
        if (rules[i].from_stop == TC_NONE) t->rules[k++] = rules[i];
    t->bits = calloc((size_t)n_services + 1, sizeof(uint64_t));
    for (int s = 0; s < n_services; s++) t->bits[s] = service_days[s];
    v->n_stops = (uint32_t)n_stops;
    v->n_routes = (uint32_t)n_routes;
    v->n_patterns = (uint32_t)n_pat;
    v->n_trips = (uint32_t)n_trips;
    v->n_frequencies = nf;
    v->n_stop_times = tb;
    v->n_transfers = (uint32_t)n_tf;
    v->n_transfer_rules = (uint32_t)n_rules;
    v->n_services = (uint32_t)n_services;
    v->stops = t->stops;
    v->routes = t->routes;
    v->patterns = t->patterns;
    v->pattern_stops = t->pattern_stops;
    v->pattern_stop_flags = t->pattern_flags;
    v->stop_times = t->stop_times;
    v->trips = t->trips;
    v->frequencies = t->freqs;
    v->stop_pattern_begin = t->sp_begin;
    v->stop_patterns = t->sp;
    v->transfer_begin = t->tr_begin;
    v->transfers = t->transfers;
    v->transfer_rule_begin = t->rule_begin;
    v->transfer_rules = t->rules;
    v->service_start = service_start;
    v->n_days = 64;
    v->service_words = 1;
    v->service_bits = t->bits;
    v->walk_speed_mps = 1.0;
}

static void tnet_free(tnet *t) {
    free(t->stops);
    free(t->routes);
    free(t->patterns);
    free(t->pattern_stops);
    free(t->pattern_flags);
    free(t->stop_times);
    free(t->trips);
    free(t->freqs);
    free(t->sp_begin);
    free(t->sp);
    free(t->tr_begin);
    free(t->transfers);
    free(t->rule_begin);
    free(t->rules);
    free(t->bits);
}

#define DAY0 1000 /* service_start */
#define H(h, m) ((h) * 3600 + (m) * 60)

static raptor_params params(int32_t day, int32_t time, int arrive_by) {
    raptor_params p = {0};
    p.day = day;
    p.time = time;
    p.arrive_by = arrive_by;
    p.limit = arrive_by ? time - 86400 : time + 86400;
    p.max_trips = 9;
    p.walk_speed_mps = 1.0;
    p.max_transfer_walk_s = 600;
    return p;
}

/* earliest arrival (forward) / latest departure (reverse) at `to` */
static int32_t query(const tnet *t, raptor_params p, int from, int to) {
    raptor_ws *ws;
    assert_int_equal(raptor_ws_create(&t->v, &ws, NULL), TC_OK);
    stop_seconds src = {(uint32_t)from, 0}, tgt = {(uint32_t)to, 0};
    raptor_run(ws, &p, &src, 1, &tgt, 1);
    int32_t a = raptor_best_arrival(ws, (uint32_t)to);
    raptor_ws_free(ws);
    return a;
}

static ttrip trip3(int pattern, int route, int service, int s0, int s1, int s2, int t0, int t1, int t2) {
    ttrip t = {0};
    t.pattern = pattern;
    t.route = route;
    t.service = service;
    t.n = 3;
    t.stops[0] = s0, t.stops[1] = s1, t.stops[2] = s2;
    t.arr[0] = t.dep[0] = t0;
    t.arr[1] = t.dep[1] = t1;
    t.arr[2] = t.dep[2] = t2;
    return t;
}

static ttrip trip2(int pattern, int route, int service, int s0, int s1, int t0, int t1) {
    ttrip t = {0};
    t.pattern = pattern;
    t.route = route;
    t.service = service;
    t.n = 2;
    t.stops[0] = s0, t.stops[1] = s1;
    t.arr[0] = t.dep[0] = t0;
    t.arr[1] = t.dep[1] = t1;
    return t;
}

/* ---------------------------------------------------------------- fixed scenarios ------------------------------ */

static void test_same_second_and_floor(void **state) {
    (void)state;
    /* A→B arrives 08:00; B→C leaves 08:00 and 08:10 */
    ttrip trips[] = {trip2(0, 0, 0, 0, 1, H(7, 30), H(8, 0)), trip2(1, 1, 0, 1, 2, H(8, 0), H(8, 20)),
                     trip2(1, 1, 0, 1, 2, H(8, 10), H(8, 30))};
    uint64_t days = ~0ull;
    tnet t;
    tnet_build(&t, 3, trips, 3, NULL, 0, NULL, 0, &days, 1, DAY0);
    raptor_params p = params(DAY0 + 3, H(7, 0), 0);
    assert_int_equal(query(&t, p, 0, 2), H(8, 20)); /* boards at the same second */
    p.min_transfer_s = 60;
    assert_int_equal(query(&t, p, 0, 2), H(8, 30)); /* floor: next trip */
    tnet_free(&t);
}

static void test_transfer_rules(void **state) {
    (void)state;
    ttrip trips[] = {trip2(0, 0, 0, 0, 1, H(7, 30), H(8, 0)), trip2(1, 1, 0, 1, 2, H(8, 2), H(8, 20)),
                     trip2(1, 1, 0, 1, 2, H(8, 10), H(8, 30)), trip2(1, 1, 0, 1, 2, H(8, 40), H(9, 0))};
    uint64_t days = ~0ull;
    tnet t;
    /* type 2, 5 minutes at stop 1 */
    net_transfer_rule r = {1, 1, TC_NONE, TC_NONE, TC_NONE, TC_NONE, 300, 2};
    tnet_build(&t, 3, trips, 4, NULL, 0, &r, 1, &days, 1, DAY0);
    raptor_params p = params(DAY0, H(7, 0), 0);
    assert_int_equal(query(&t, p, 0, 2), H(8, 30));
    tnet_free(&t);
    /* type 3 between route 0 and route 1 at stop 1: no way */
    net_transfer_rule r3 = {1, 1, 0, 1, TC_NONE, TC_NONE, -1, 3};
    tnet_build(&t, 3, trips, 4, NULL, 0, &r3, 1, &days, 1, DAY0);
    assert_int_equal(query(&t, p, 0, 2), INF);
    tnet_free(&t);
    /* type 1 timed beats a 10-minute floor */
    net_transfer_rule r1 = {1, 1, TC_NONE, TC_NONE, TC_NONE, TC_NONE, -1, 1};
    tnet_build(&t, 3, trips, 4, NULL, 0, &r1, 1, &days, 1, DAY0);
    p.min_transfer_s = 600;
    assert_int_equal(query(&t, p, 0, 2), H(8, 20));
    tnet_free(&t);
    /* a trip-level type 3 overrides a stop-level type 1: the 08:02 trip is forbidden, the 08:10 is fine */
    uint32_t forbidden_trip = 1; /* trips sorted by pattern then departure: index 1 = 08:02 */
    net_transfer_rule rr[2] = {{1, 1, TC_NONE, TC_NONE, TC_NONE, TC_NONE, -1, 1},
                                  {1, 1, TC_NONE, TC_NONE, 0, forbidden_trip, -1, 3}};
    tnet_build(&t, 3, trips, 4, NULL, 0, rr, 2, &days, 1, DAY0);
    p.min_transfer_s = 0;
    assert_int_equal(query(&t, p, 0, 2), H(8, 30));
    tnet_free(&t);
    /* a link between different stops (1 → 3), 120 s, replaces walking of 10 s; 3→2 leaves 08:01 and 08:05 */
    ttrip trips2[] = {trip2(0, 0, 0, 0, 1, H(7, 30), H(8, 0)), trip2(1, 1, 0, 3, 2, H(8, 1), H(8, 20)),
                      trip2(1, 1, 0, 3, 2, H(8, 5), H(8, 25))};
    ttransfer walk[] = {{1, 3, 10}, {3, 1, 10}};
    tnet_build(&t, 4, trips2, 3, walk, 2, NULL, 0, &days, 1, DAY0);
    assert_int_equal(query(&t, p, 0, 2), H(8, 20)); /* walking 10 s */
    tnet_free(&t);
    net_transfer_rule link = {1, 3, TC_NONE, TC_NONE, TC_NONE, TC_NONE, 120, 2};
    tnet_build(&t, 4, trips2, 3, walk, 2, &link, 1, &days, 1, DAY0);
    assert_int_equal(query(&t, p, 0, 2), H(8, 25)); /* the rule's 120 s */
    /* arrive-by mirrors it: arrive by 08:25 at stop 2 → leave stop 0 at 07:30 */
    raptor_params pr = params(DAY0, H(8, 25), 1);
    assert_int_equal(query(&t, pr, 2, 0), H(7, 30));
    pr.time = H(8, 24);
    assert_int_equal(query(&t, pr, 2, 0), -INF);
    tnet_free(&t);
}

static void test_pickup_dropoff(void **state) {
    (void)state;
    ttrip a = trip3(0, 0, 0, 0, 1, 2, H(8, 0), H(8, 10), H(8, 20));
    a.flags[1] = TC_NO_PICKUP | TC_NO_DROPOFF;
    uint64_t days = ~0ull;
    tnet t;
    tnet_build(&t, 3, &a, 1, NULL, 0, NULL, 0, &days, 1, DAY0);
    raptor_params p = params(DAY0, H(7, 0), 0);
    assert_int_equal(query(&t, p, 0, 2), H(8, 20));
    assert_int_equal(query(&t, p, 0, 1), INF); /* no drop-off */
    assert_int_equal(query(&t, p, 1, 2), INF); /* no pickup */
    tnet_free(&t);
}

static void test_service_days(void **state) {
    (void)state;
    /* trip at 24:30 → 25:00 on service 0 which runs only on day DAY0+5; trip 06:00 on service 1 every day */
    ttrip trips[] = {trip2(0, 0, 0, 0, 1, H(24, 30), H(25, 0)), trip2(1, 1, 1, 0, 1, H(6, 0), H(6, 30))};
    uint64_t days[2] = {1ull << 5, ~0ull};
    tnet t;
    tnet_build(&t, 2, trips, 2, NULL, 0, NULL, 0, days, 2, DAY0);
    /* D = DAY0+6 at 00:10: the previous day's after-midnight trip (00:30) */
    assert_int_equal(query(&t, params(DAY0 + 6, H(0, 10), 0), 0, 1), H(1, 0));
    /* D = DAY0+5 at 23:00: the D trip at 24:30 */
    assert_int_equal(query(&t, params(DAY0 + 5, H(23, 0), 0), 0, 1), H(25, 0));
    /* D = DAY0+7 at 00:10: no after-midnight trip; next is 06:00 */
    assert_int_equal(query(&t, params(DAY0 + 7, H(0, 10), 0), 0, 1), H(6, 30));
    /* D = DAY0+7 at 23:00: continues onto D+1's 06:00 */
    assert_int_equal(query(&t, params(DAY0 + 7, H(23, 0), 0), 0, 1), H(24 + 6, 30));
    /* arrive-by 00:45 on DAY0+6 is too early for the 01:00 arrival; 01:00 works (leave 00:30 = -23:30 of D) */
    assert_int_equal(query(&t, params(DAY0 + 6, H(1, 0), 1), 1, 0), H(0, 30));
    /* arrive-by 05:00 on DAY0+8: previous day's 06:30 arrival is the latest → left at 06:00 of D−1 */
    assert_int_equal(query(&t, params(DAY0 + 8, H(5, 0), 1), 1, 0), H(6, 0) - 86400);
    /* outside the calendar: nothing */
    assert_int_equal(query(&t, params(DAY0 + 200, H(8, 0), 0), 0, 1), INF);
    tnet_free(&t);
}

static void test_frequency(void **state) {
    (void)state;
    ttrip f = trip3(0, 0, 0, 0, 1, 2, 0, 300, 900);
    f.headway = 600;
    f.freq_start = H(6, 0);
    f.freq_end = H(8, 0);
    uint64_t days = ~0ull;
    tnet t;
    tnet_build(&t, 3, &f, 1, NULL, 0, NULL, 0, &days, 1, DAY0);
    assert_int_equal(query(&t, params(DAY0, H(6, 5), 0), 0, 2), H(6, 10) + 900);
    assert_int_equal(query(&t, params(DAY0, H(6, 0), 0), 0, 2), H(6, 0) + 900);
    /* boarding at stop 1 (5 min in): runs pass at 06:05, 06:15 … */
    assert_int_equal(query(&t, params(DAY0, H(6, 6), 0), 1, 2), H(6, 10) + 900);
    /* last run starts 07:50 (end exclusive) */
    assert_int_equal(query(&t, params(DAY0, H(7, 51), 0), 0, 2), H(6, 0) + 900 + 86400);
    /* arrive-by 06:40 at stop 2: run 06:20 arrives 06:35 */
    assert_int_equal(query(&t, params(DAY0, H(6, 40), 1), 2, 0), H(6, 20));
    assert_int_equal(query(&t, params(DAY0, H(9, 0), 1), 2, 0), H(7, 50));
    tnet_free(&t);
}

static void test_overtaking_and_pareto(void **state) {
    (void)state;
    /* local 0→1→2→3 at 08:00…08:30 (pattern 0); express 0→3 at 08:05→08:15 (pattern 1, overtakes);
     * slow direct 0→4 at 08:00→09:00; fast 0→3 then 3→4 at 08:16→08:20 */
    ttrip trips[] = {trip3(0, 0, 0, 0, 1, 3, H(8, 0), H(8, 10), H(8, 30)), trip2(1, 1, 0, 0, 3, H(8, 5), H(8, 15)),
                     trip2(2, 2, 0, 0, 4, H(8, 0), H(9, 0)), trip2(3, 3, 0, 3, 4, H(8, 16), H(8, 20))};
    uint64_t days = ~0ull;
    tnet t;
    tnet_build(&t, 5, trips, 4, NULL, 0, NULL, 0, &days, 1, DAY0);
    raptor_ws *ws;
    assert_int_equal(raptor_ws_create(&t.v, &ws, NULL), TC_OK);
    raptor_params p = params(DAY0, H(7, 59), 0);
    stop_seconds src = {0, 0}, tgt = {4, 0};
    int rounds = raptor_run(ws, &p, &src, 1, &tgt, 1);
    assert_true(rounds >= 2);
    assert_int_equal(raptor_arrival(ws, 1, 4), H(9, 0));  /* one trip */
    assert_int_equal(raptor_arrival(ws, 2, 4), H(8, 20)); /* two trips, faster */
    assert_int_equal(raptor_arrival(ws, 1, 3), H(8, 15)); /* the overtaking express */
    /* the path of the 2-trip journey: trip into stop 4 boarded at 3, reached by the express from 0 */
    raptor_parent par;
    raptor_label(ws, 2, 4, 1, NULL, &par);
    assert_int_equal(par.kind, RAPTOR_BY_TRIP);
    assert_int_equal(t.v.trips[par.ref].route, 3);
    raptor_label(ws, par.round - 1, 3, 1, NULL, &par);
    assert_int_equal(t.v.trips[par.ref].route, 1);
    raptor_ws_free(ws);
    tnet_free(&t);
}

/* ---------------------------------------------------------------- randomized vs connection scan ---------------- */

typedef struct conn {
    int from, to, dep, arr, trip;
    int board_ok, alight_ok;
} conn;

static uint64_t rng_state = 88172645463325252ull;
static uint32_t rnd(uint32_t n) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static int cmp_conn(const void *a, const void *b) {
    const conn *x = a, *y = b;
    if (x->dep != y->dep) return x->dep < y->dep ? -1 : 1;
    if (x->arr != y->arr) return x->arr < y->arr ? -1 : 1;
    return 0;
}

/* Earliest arrival at every stop by a plain connection scan (unlimited trips, same-stop transfers, walking). */
static void csa(const conn *c, int nc, int n_stops, int n_trips, int from, int t0, const ttransfer *tf, int ntf,
                int *ea) {
    int *reached = calloc((size_t)n_trips, sizeof(int));
    int ea_trip[32];
    for (int s = 0; s < n_stops; s++) ea[s] = ea_trip[s] = INF;
    ea[from] = t0;
    for (int i = 0; i < ntf; i++)
        if (tf[i].from == from && t0 + tf[i].dist < ea[tf[i].to]) ea[tf[i].to] = t0 + tf[i].dist;
    for (int i = 0; i < nc; i++) {
        if (reached[c[i].trip] || (c[i].board_ok && ea[c[i].from] <= c[i].dep)) {
            reached[c[i].trip] = 1;
            if (c[i].alight_ok && c[i].arr < ea_trip[c[i].to]) {
                /* walking is relaxed from arrivals by trip only (no walk after walk), as RAPTOR does */
                ea_trip[c[i].to] = c[i].arr;
                if (c[i].arr < ea[c[i].to]) ea[c[i].to] = c[i].arr;
                for (int k = 0; k < ntf; k++)
                    if (tf[k].from == c[i].to && c[i].arr + tf[k].dist < ea[tf[k].to])
                        ea[tf[k].to] = c[i].arr + tf[k].dist;
            }
        }
    }
    free(reached);
}

/* Earliest arrival with at most k trips at every stop, every k ≤ kmax (ea[k * 32 + s]), from sources (stop, seconds
 * after t0) at round 0: a connection scan that keeps, per trip, the fewest trips with which it can be ridden so far
 * (a trip boarded with fewer trips at a later stop rides on with that count). Walking as in csa(). This is the
 * Pareto set over (arrival, trips) that RAPTOR's rounds must give, whatever they prune. */
static void csa_rounds(const conn *c, int nc, int n_trips, const stop_seconds *src, int ns, int t0,
                       const ttransfer *tf, int ntf, int kmax, int *ea) {
    int *level = malloc((size_t)n_trips * sizeof(int));
    int *ea_trip = malloc((size_t)(kmax + 1) * 32 * sizeof(int));
    for (int t = 0; t < n_trips; t++) level[t] = INF;
    for (int i = 0; i < (kmax + 1) * 32; i++) ea[i] = ea_trip[i] = INF;
    for (int i = 0; i < ns; i++)
        for (int k = 0; k <= kmax; k++)
            if (t0 + src[i].seconds < ea[k * 32 + (int)src[i].stop]) ea[k * 32 + (int)src[i].stop] = t0 + src[i].seconds;
    for (int i = 0; i < nc; i++) {
        int *lv = &level[c[i].trip];
        if (c[i].board_ok)
            for (int k = 0; k < kmax && k + 1 < *lv; k++)
                if (ea[k * 32 + c[i].from] <= c[i].dep) {
                    *lv = k + 1;
                    break;
                }
        if (*lv > kmax || !c[i].alight_ok) continue;
        for (int k = *lv; k <= kmax; k++) {
            if (c[i].arr >= ea_trip[k * 32 + c[i].to]) continue;
            ea_trip[k * 32 + c[i].to] = c[i].arr;
            if (c[i].arr < ea[k * 32 + c[i].to]) ea[k * 32 + c[i].to] = c[i].arr;
            for (int j = 0; j < ntf; j++)
                if (tf[j].from == c[i].to && c[i].arr + tf[j].dist < ea[k * 32 + tf[j].to])
                    ea[k * 32 + tf[j].to] = c[i].arr + tf[j].dist;
        }
    }
    free(level);
    free(ea_trip);
}

/* n distinct stops of 0 … n_stops−1 (n_stops ≤ 32), in random order: a random pattern */
static void pick_stops(int n, int n_stops, int *st) {
    int used[32] = {0};
    for (int j = 0; j < n; j++) {
        int s;
        do s = (int)rnd((uint32_t)n_stops);
        while (used[s]);
        used[s] = 1;
        st[j] = s;
    }
}

/* A random network for the comparisons with a connection scan: n_stops stops, a few patterns of several trips each
 * (times in order along a pattern, no overtaking inside one, some stops without pickup or drop-off), services on
 * even days or every day, and n_walk random walking links both ways; *c gets the connections of day DAY0 + 2 sorted
 * by departure (caller frees). */
static void random_network(tnet *t, ttrip *trips, int *n_trips_out, ttransfer *tf, int *ntf_out, int n_stops,
                           int n_walk, int max_walk, conn **c_out, int *nc_out) {
    int n_pat = 3 + (int)rnd(6);
    int n_trips = 0;
    for (int p = 0; p < n_pat; p++) {
        int n = 2 + (int)rnd(5);
        int st[MAXN];
        pick_stops(n, n_stops, st);
        uint8_t fl[MAXN];
        int hop[MAXN], dwell[MAXN];
        for (int j = 0; j < n; j++) {
            fl[j] = rnd(8) == 0 ? (uint8_t)(1 + rnd(2)) : 0;
            hop[j] = 60 * (1 + (int)rnd(8));
            dwell[j] = rnd(3) == 0 ? 60 : 0;
        }
        int k = 2 + (int)rnd(8);
        int start = H(6, 0) + (int)rnd(3600);
        for (int q = 0; q < k && n_trips < 200; q++) {
            ttrip *tr = &trips[n_trips++];
            memset(tr, 0, sizeof *tr);
            tr->pattern = p;
            tr->route = p;
            tr->service = (int)rnd(2);
            tr->n = n;
            int time = start + q * 60 * (int)(1 + rnd(20));
            start = time;
            for (int j = 0; j < n; j++) {
                tr->stops[j] = st[j];
                tr->flags[j] = fl[j];
                tr->arr[j] = time;
                tr->dep[j] = time + dwell[j];
                time = tr->dep[j] + hop[j]; /* same hops: no overtaking inside a pattern */
            }
        }
    }
    int ntf = 0;
    for (int i = 0; i < n_walk; i++) {
        int a = (int)rnd((uint32_t)n_stops), b = (int)rnd((uint32_t)n_stops);
        if (a == b) continue;
        int d = 30 + (int)rnd((uint32_t)max_walk);
        tf[ntf++] = (ttransfer){a, b, d};
        tf[ntf++] = (ttransfer){b, a, d};
    }
    uint64_t days[2] = {0x5555555555555555ull, ~0ull};
    tnet_build(t, n_stops, trips, n_trips, tf, ntf, NULL, 0, days, 2, DAY0);
    /* connections of day DAY0+2 (service 0 runs on even days) using the built (sorted) trips */
    conn *c = calloc((size_t)n_trips * MAXN, sizeof *c);
    int nc = 0;
    for (uint32_t pi = 0; pi < t->v.n_patterns; pi++) {
        const net_pattern *pt = &t->v.patterns[pi];
        for (uint32_t k = 0; k < pt->n_trips; k++) {
            uint32_t tr = pt->trips_begin + k;
            if (!service_active(&t->v, t->v.trips[tr].service, DAY0 + 2)) continue;
            for (uint32_t j = 0; j + 1 < pt->n_stops; j++) {
                const net_stop_time *a = &t->v.stop_times[pt->times_begin + k * pt->n_stops + j];
                conn *x = &c[nc++];
                x->from = (int)t->v.pattern_stops[pt->stops_begin + j];
                x->to = (int)t->v.pattern_stops[pt->stops_begin + j + 1];
                x->dep = a->departure;
                x->arr = a[1].arrival;
                x->trip = (int)tr;
                x->board_ok = !(t->v.pattern_stop_flags[pt->stops_begin + j] & TC_NO_PICKUP);
                x->alight_ok = !(t->v.pattern_stop_flags[pt->stops_begin + j + 1] & TC_NO_DROPOFF);
            }
        }
    }
    qsort(c, (size_t)nc, sizeof *c, cmp_conn);
    *n_trips_out = n_trips;
    *ntf_out = ntf;
    *c_out = c;
    *nc_out = nc;
}

static void test_random_vs_csa(void **state) {
    (void)state;
    for (int round = 0; round < 60; round++) {
        int n_stops = 6 + (int)rnd(10);
        ttrip trips[200];
        int n_trips, ntf, nc;
        ttransfer tf[16];
        tnet t;
        conn *c;
        random_network(&t, trips, &n_trips, tf, &ntf, n_stops, 4, 200, &c, &nc);
        raptor_ws *ws;
        assert_int_equal(raptor_ws_create_rounds(&t.v, 30, &ws, NULL), TC_OK);
        int ea[32];
        for (int q = 0; q < 12; q++) {
            int from = (int)rnd((uint32_t)n_stops);
            int t0 = H(5, 50) + (int)rnd(3 * 3600);
            csa(c, nc, n_stops, n_trips, from, t0, tf, ntf, ea);
            raptor_params p = params(DAY0 + 2, t0, 0);
            p.limit = H(23, 0); /* keep to day D's trips, as the scan does */
            p.max_trips = 30;
            /* walking from the source too: the stop's place, as tc_route seeds a stop origin */
            stop_seconds srcs[8];
            const uint32_t ns = raptor_stop_ends(ws, &p, (uint32_t)from, 0, srcs, 8);
            assert_true(ns <= 8);
            raptor_run(ws, &p, srcs, ns, NULL, 0);
            /* every round: the earliest arrival with at most k trips (the journeys' Pareto set) */
            static int ea_k[31 * 32];
            csa_rounds(c, nc, n_trips, srcs, (int)ns, t0, tf, ntf, 30, ea_k);
            for (int k = 0; k <= 30; k++)
                for (int s = 0; s < n_stops; s++) {
                    const int kr = k < raptor_rounds(ws) ? k : raptor_rounds(ws);
                    const int32_t a = raptor_arrival(ws, kr, (uint32_t)s);
                    if (a != ea_k[k * 32 + s])
                        fprintf(stderr, "net %d query %d from %d t0 %d: stop %d round %d raptor %d oracle %d\n", round,
                                q, from, t0, s, k, a, ea_k[k * 32 + s]);
                    assert_int_equal(a, ea_k[k * 32 + s]);
                }
            for (int s = 0; s < n_stops; s++) {
                int32_t a = raptor_best_arrival(ws, (uint32_t)s);
                if (a != ea[s]) {
                    fprintf(stderr, "net %d query %d from %d t0 %d: stop %d raptor %d csa %d\n", round, q, from, t0, s, a, ea[s]);
                    int k = raptor_rounds(ws);
                    uint32_t cs = (uint32_t)s;
                    int bt = raptor_label(ws, k, cs, 1, NULL, NULL) <= raptor_label(ws, k, cs, 0, NULL, NULL);
                    for (int g = 0; g < 20; g++) {
                        raptor_parent pp;
                        int32_t tt = raptor_label(ws, k, cs, bt, NULL, &pp);
                        fprintf(stderr, "  k %d stop %u bt %d t %d kind %d ref %u shift %d bpos %u apos %u bk %d round %d\n", k, cs, bt, tt, pp.kind, pp.ref, pp.shift, pp.board_pos, pp.alight_pos, pp.board_kind, pp.round);
                        if (pp.kind == RAPTOR_BY_TRIP) {
                            const net_pattern *pt = &t.v.patterns[t.v.trips[pp.ref].pattern];
                            for (uint32_t j = 0; j < pt->n_stops; j++) fprintf(stderr, "    stop %u arr %d dep %d fl %d\n", t.v.pattern_stops[pt->stops_begin+j], t.v.stop_times[pt->times_begin + (pp.ref-pt->trips_begin)*pt->n_stops+j].arrival, t.v.stop_times[pt->times_begin + (pp.ref-pt->trips_begin)*pt->n_stops+j].departure, t.v.pattern_stop_flags[pt->stops_begin+j]);
                            k = pp.round - 1; cs = t.v.pattern_stops[pt->stops_begin + pp.board_pos]; bt = pp.board_kind == RAPTOR_BY_TRIP;
                        } else if (pp.kind == RAPTOR_BY_WALK) { k = pp.round; cs = pp.ref; bt = 1; }
                        else break;
                    }
                }
                assert_int_equal(a, ea[s]);
            }
            /* reverse: latest departure from `from` arriving at each reachable stop by ea[s] equals... at least
             * reaching it by that time must be possible, and leaving later than t0 must not be possible unless the
             * forward search from that later time also arrives by ea[s] */
            for (int s = 0; s < n_stops; s++) {
                if (s == from || ea[s] == INF) continue;
                raptor_params pr = params(DAY0 + 2, ea[s], 1);
                pr.limit = H(5, 0);
                pr.max_trips = 30;
                stop_seconds rs[8] = {{(uint32_t)s, 0}};
                uint32_t nrs = 1;
                for (int i = 0; i < ntf; i++)
                    if (tf[i].to == s) rs[nrs++] = (stop_seconds){(uint32_t)tf[i].from, tf[i].dist};
                raptor_run(ws, &pr, rs, nrs, NULL, 0);
                int32_t ld = raptor_best_arrival(ws, (uint32_t)from);
                assert_true(ld >= t0);
                int ea2[32];
                csa(c, nc, n_stops, n_trips, from, ld, tf, ntf, ea2);
                assert_true(ea2[s] <= ea[s]);
                if (ld < H(23, 0)) {
                    csa(c, nc, n_stops, n_trips, from, ld + 1, tf, ntf, ea2);
                    assert_true(ea2[s] > ea[s]);
                }
            }
        }
        /* range-RAPTOR: minutes latest first, each equal to a fresh query */
        for (int q = 0; q < 3; q++) {
            int from = (int)rnd((uint32_t)n_stops);
            stop_seconds src = {(uint32_t)from, 0};
            raptor_params p = params(DAY0 + 2, H(7, 0), 0);
            p.limit = H(23, 0);
            p.max_trips = 4;
            int32_t want[61][32], want_k[61][5][32];
            int rounds[61];
            for (int m = 60; m >= 0; m--) {
                p.time = H(6, 30) + m * 60;
                rounds[m] = raptor_run(ws, &p, &src, 1, NULL, 0);
                for (int s = 0; s < n_stops; s++) want[m][s] = raptor_best_arrival(ws, (uint32_t)s);
                for (int k = 0; k <= rounds[m]; k++)
                    for (int s = 0; s < n_stops; s++) want_k[m][k][s] = raptor_arrival(ws, k, (uint32_t)s);
            }
            /* with journey labels, and with arrival times only (what the analysis runs) */
            for (int times_only = 0; times_only < 2; times_only++) {
                p.times_only = times_only;
                raptor_range_begin(ws, &p);
                for (int m = 60; m >= 0; m--) {
                    p.time = H(6, 30) + m * 60;
                    raptor_range_step(ws, &p, &src, 1);
                    for (int s = 0; s < n_stops; s++)
                        assert_int_equal(raptor_best_arrival(ws, (uint32_t)s), want[m][s]);
                    /* "at most k trips" holds in every round, not only the last */
                    for (int k = 0; k <= rounds[m]; k++)
                        for (int s = 0; s < n_stops; s++)
                            assert_int_equal(raptor_arrival(ws, k, (uint32_t)s), want_k[m][k][s]);
                }
            }
            p.times_only = 0;
        }
        raptor_ws_free(ws);
        free(c);
        tnet_free(&t);
    }
}

/* Every round of a fresh run against csa_rounds, on networks with many short walks (a stop reached on foot in one
 * round and by a trip with less walking in a later one is where a run skips work that only walks less): one-to-all
 * runs at every stop, and one-to-one runs (pruned by the targets and, from the third, by lower bounds) at the
 * target, walking labels included. */
static void test_rounds_vs_oracle(void **state) {
    (void)state;
    int checked = 0;
    for (int net = 0; net < 150; net++) {
        int n_stops = 6 + (int)rnd(11); /* (patterns have up to 6 distinct stops) */
        ttrip trips[200];
        int n_trips, ntf, nc;
        ttransfer tf[80];
        tnet t;
        conn *c;
        random_network(&t, trips, &n_trips, tf, &ntf, n_stops, 2 * n_stops, 100, &c, &nc);
        raptor_ws *ws;
        assert_int_equal(raptor_ws_create_rounds(&t.v, 12, &ws, NULL), TC_OK);
        static int ea_k[13 * 32];
        for (int q = 0; q < 20; q++) {
            const int from = (int)rnd((uint32_t)n_stops), to = (int)rnd((uint32_t)n_stops);
            const int t0 = H(5, 50) + (int)rnd(3 * 3600);
            raptor_params p = params(DAY0 + 2, t0, 0);
            p.limit = H(23, 0);
            p.max_trips = 12;
            stop_seconds srcs[80] = {{(uint32_t)from, 0}};
            uint32_t ns = 1;
            for (int i = 0; i < ntf; i++)
                if (tf[i].from == from) srcs[ns++] = (stop_seconds){(uint32_t)tf[i].to, tf[i].dist};
            csa_rounds(c, nc, n_trips, srcs, (int)ns, t0, tf, ntf, 12, ea_k);
            const stop_seconds tg = {(uint32_t)to, 0};
            for (int one = 0; one < 2; one++) {
                raptor_run(ws, &p, srcs, ns, one ? &tg : NULL, one ? 1 : 0);
                const int rr = raptor_rounds(ws);
                for (int k = 0; k <= 12; k++)
                    for (int s = one ? to : 0; s < (one ? to + 1 : n_stops); s++) {
                        const int32_t a = raptor_arrival(ws, k < rr ? k : rr, (uint32_t)s);
                        if (a != ea_k[k * 32 + s])
                            fprintf(stderr, "net %d query %d (%s) from %d t0 %d: stop %d round %d: %d, oracle %d\n",
                                    net, q, one ? "one-to-one" : "one-to-all", from, t0, s, k, a, ea_k[k * 32 + s]);
                        assert_int_equal(a, ea_k[k * 32 + s]);
                        checked++;
                    }
            }
        }
        raptor_ws_free(ws);
        free(c);
        tnet_free(&t);
    }
    fprintf(stderr, "rounds vs oracle: %d round labels checked\n", checked);
}

/* ---------------------------------------------------------------- one-to-one against one-to-all --------------- */

/* What the route command reads from a run with targets, per round: the best target arrival (egress included) by a
 * trip, or on foot straight from a source (egress never follows a transfer walk). */
static int32_t target_value(const raptor_ws *ws, int k, const stop_seconds *tg, uint32_t nt) {
    int32_t best = INF;
    for (uint32_t i = 0; i < nt; i++) {
        raptor_parent par;
        int32_t a = raptor_label(ws, k, tg[i].stop, 1, NULL, NULL);
        if (a != INF && a + tg[i].seconds < best) best = a + tg[i].seconds;
        a = raptor_label(ws, k, tg[i].stop, 0, NULL, &par);
        if (a != INF && par.kind == RAPTOR_BY_SOURCE && a + tg[i].seconds < best) best = a + tg[i].seconds;
    }
    return best;
}

/* Target pruning (the bound from the best target arrival) must not change what a one-to-one run finds: random
 * networks with walking transfers, frequencies, transfers.txt rules (same stop, links between stops and stations)
 * and, in some, a trip whose times go down; forward and reverse
 * runs from several sources to several targets with egress. Every round that beats the rounds before it (a journey
 * of the Pareto set) has the one-to-all run's best target value, later rounds of the one-to-all run find nothing
 * better, and with one target without egress the arrival at it (raptor_arrival, walking labels included) is the
 * same in every round. One workspace serves all queries
 * (walking speeds vary between them). */
static void test_one_to_one_matches_one_to_all(void **state) {
    (void)state;
    long checked = 0, reached = 0, lb_runs = 0;
    for (int net = 0; net < 200; net++) {
        const int n_stops = 6 + (int)rnd(12), n_pat = 3 + (int)rnd(7);
        const int station = n_stops; /* an extra stop no trip serves: the parent of two stops in some networks */
        ttrip trips[256];
        int n_trips = 0;
        for (int p = 0; p < n_pat; p++) {
            int n = 2 + (int)rnd(5); /* ≤ 6 ≤ n_stops distinct stops */
            int st[MAXN];
            pick_stops(n, n_stops, st);
            uint8_t fl[MAXN];
            int hop[MAXN], dwell[MAXN];
            for (int j = 0; j < n; j++) {
                fl[j] = rnd(8) == 0 ? (uint8_t)(1 + rnd(2)) : 0;
                hop[j] = 60 * (int)rnd(8); /* 0: two stops in the same minute, as minute-rounded feeds have */
                dwell[j] = rnd(3) == 0 ? 60 : 0;
            }
            const int freq = rnd(6) == 0;
            int k = freq ? 1 : 2 + (int)rnd(10);
            int start = H(5, 0) + (int)rnd(4 * 3600);
            for (int q = 0; q < k && n_trips < 256; q++) {
                ttrip *t = &trips[n_trips++];
                memset(t, 0, sizeof *t);
                t->pattern = p;
                t->route = p % 4; /* routes shared by patterns, for route-level rules */
                t->service = (int)rnd(2);
                t->n = n;
                int time = freq ? 0 : start + q * 60 * (int)(1 + rnd(20));
                if (!freq) start = time;
                for (int j = 0; j < n; j++) {
                    t->stops[j] = st[j];
                    t->flags[j] = fl[j];
                    t->arr[j] = time;
                    t->dep[j] = time + dwell[j];
                    time = t->dep[j] + hop[j];
                }
                if (freq) {
                    t->freq_start = H(5, 0) + (int)rnd(3600);
                    t->freq_end = t->freq_start + 3600 * (1 + (int)rnd(4));
                    t->headway = 60 * (3 + (int)rnd(12));
                }
            }
        }
        /* a pattern whose trips leave their second stop four hours before arriving there (a broken feed): pruning
         * must not assume times never go down along a trip */
        if (net % 2) {
            const int bp = trips[rnd((uint32_t)n_trips)].pattern;
            for (int i = 0; i < n_trips; i++)
                if (trips[i].pattern == bp && trips[i].n > 2) trips[i].arr[1] = trips[i].dep[1] + 4 * 3600;
        }
        ttransfer tf[24];
        int ntf = 0;
        for (int i = 0; i < 6; i++) {
            int a = (int)rnd((uint32_t)n_stops), b = (int)rnd((uint32_t)n_stops);
            if (a == b) continue;
            int d = 30 + (int)rnd(500);
            tf[ntf++] = (ttransfer){a, b, d};
            if (rnd(4)) tf[ntf++] = (ttransfer){b, a, d}; /* some one way only */
        }
        net_transfer_rule rules[12];
        int nr = 0;
        const int with_station = net % 3 == 1;
        for (int i = 0; i < (net % 2 ? 8 : 0); i++) {
            net_transfer_rule *r = &rules[nr++];
            r->from_stop = (uint32_t)rnd((uint32_t)n_stops);
            r->to_stop = rnd(2) ? r->from_stop : (uint32_t)rnd((uint32_t)n_stops); /* same stop or a link */
            if (with_station && rnd(3) == 0) r->to_stop = (uint32_t)station;
            r->from_route = rnd(4) == 0 ? rnd(4) : TC_NONE;
            r->to_route = rnd(4) == 0 ? rnd(4) : TC_NONE;
            r->from_trip = r->to_trip = TC_NONE;
            r->type = rnd(4);
            r->min_transfer_time = r->type == 2 || rnd(2) ? 60 * (int32_t)rnd(6) : -1;
        }
        uint64_t days[2] = {0x5555555555555555ull, ~0ull};
        tnet t;
        tnet_build(&t, n_stops + 1, trips, n_trips, tf, ntf, rules, nr, days, 2, DAY0);
        if (with_station) {
            t.stops[0].parent = (uint32_t)station;
            t.stops[1].parent = (uint32_t)station;
        }
        raptor_ws *ws;
        assert_int_equal(raptor_ws_create_rounds(&t.v, 12, &ws, NULL), TC_OK);
        for (int q = 0; q < 40; q++) {
            const int rev = rnd(3) == 0;
            raptor_params p = params(DAY0 + 2 + (int)rnd(2), H(5, 0) + (int)rnd(5 * 3600), rev);
            p.limit = rev ? p.time - (int32_t)rnd(6 * 3600) : p.time + (int32_t)rnd(6 * 3600);
            p.max_trips = 1 + (int)rnd(12);
            p.walk_speed_mps = rnd(4) ? 1.0 : 1.5;
            p.max_transfer_walk_s = rnd(4) ? 600 : 200;
            p.min_transfer_s = rnd(3) ? 0 : 60 * (int32_t)rnd(4);
            stop_seconds src[3], tg[3];
            const uint32_t ns = 1 + rnd(3), nt = 1 + rnd(3);
            for (uint32_t i = 0; i < ns; i++)
                src[i] = (stop_seconds){rnd((uint32_t)n_stops), i ? (int32_t)rnd(400) : 0};
            for (uint32_t i = 0; i < nt; i++)
                tg[i] = (stop_seconds){rnd((uint32_t)n_stops), nt > 1 ? (int32_t)rnd(400) : 0};
            const int r_all = raptor_run(ws, &p, src, ns, NULL, 0);
            int32_t want[14], want_at[14];
            for (int k = 0; k <= r_all; k++) {
                want[k] = target_value(ws, k, tg, nt);
                want_at[k] = raptor_arrival(ws, k, tg[0].stop);
            }
            const int r_one = raptor_run(ws, &p, src, ns, tg, nt);
            /* Usually r_one <= r_all, but not always: under a minimum transfer time, a foot label the pruned run did
             * not set can let a trip label there mark its stop, where the one-to-all run's foot label made that trip
             * gain nothing. Rounds past a run's last are its last round, so compare up to the larger. */
            const int r_max = r_one > r_all ? r_one : r_all;
            int32_t best_one = INF, best_all = INF; /* the best of the rounds so far: what the route command shows */
            for (int k = 0; k <= r_max; k++) {
                const int ka = k <= r_all ? k : r_all;
                const int32_t got = target_value(ws, k <= r_one ? k : r_one, tg, nt);
                /* A round that improves on the rounds before is a journey of the Pareto set: both runs must find it.
                 * A round that does not may differ: a target that is also a source, reached on foot at round 0,
                 * can have that label replaced by an earlier transfers.txt link in round 1, which is no arrival
                 * (egress never follows a transfer walk); a later, slower trip there then shows in the one-to-all
                 * run only, since the one-to-one run keeps to what beats round 0. */
                const int pareto = want[ka] < best_all;
                if ((pareto && got != want[ka]) || (!pareto && got < best_all)) {
                    fprintf(stderr, "net %d query %d (rev %d) round %d: one-to-one %d, one-to-all %d\n", net, q, rev, k,
                            got, want[ka]);
                }
                if (pareto) assert_int_equal(got, want[ka]);
                else assert_true(got >= best_all);
                if (got < best_one) best_one = got;
                if (want[ka] < best_all) best_all = want[ka];
                assert_int_equal(best_one, best_all);
                if (nt == 1 && k <= r_one) assert_int_equal(raptor_arrival(ws, k, tg[0].stop), want_at[ka]);
            }
            checked++;
            reached += want[r_all] != INF;
        }
        raptor_stats st;
        raptor_get_stats(ws, &st);
        lb_runs += (long)st.lb_runs;
        raptor_ws_free(ws);
        tnet_free(&t);
    }
    /* the comparison means something only if many queries reach a target (and so prune), and many of them with the
     * lower bounds (which a workspace builds after its first few one-to-one runs) */
    fprintf(stderr, "one-to-one vs one-to-all: %ld queries, %ld reach a target, %ld pruned with lower bounds\n",
            checked, reached, lb_runs);
    assert_true(reached > checked / 4);
    assert_true(lb_runs > checked / 8);
}

/* ---------------------------------------------------------------- stop queries' ends --------------------------- */

/* The oracle's own reading of a stop query's ends (raptor.h, raptor_stop_ends): the stop (0 s); walking links out of
 * it (into it) within the walk limit unless a transfers.txt rule links the two; rules between different stops that
 * name no route, are not forbidden (type 3), at min_transfer_time (type 2, or 0 / given for 0) or 0 (type 1); the
 * other children of its parent station (a station's children), at their straight-line distance × 1.3 walked at
 * `speed`, rounded up, within the limit. ends[s] = seconds, INF = not an end. */
static double test_haversine(int32_t lat1_e7, int32_t lon1_e7, int32_t lat2_e7, int32_t lon2_e7) {
    const double r = 6371008.8, d2r = 3.14159265358979323846 / 180.0;
    const double la1 = lat1_e7 / 1e7 * d2r, la2 = lat2_e7 / 1e7 * d2r, dla = la2 - la1,
                 dlo = (lon2_e7 - lon1_e7) / 1e7 * d2r;
    const double h = sin(dla / 2) * sin(dla / 2) + cos(la1) * cos(la2) * sin(dlo / 2) * sin(dlo / 2);
    return 2 * r * asin(sqrt(h));
}

static int oracle_linked(const net_transfer_rule *rules, int nr, int from, int to) {
    for (int i = 0; i < nr; i++)
        if ((int)rules[i].from_stop == from && (int)rules[i].to_stop == to) return 1;
    return 0;
}

static int oracle_rule_time(const net_transfer_rule *r) {
    if (r->type == 3) return -1;
    if (r->type == 1) return 0;
    return r->min_transfer_time > 0 ? r->min_transfer_time : 0;
}

static void oracle_ends(const tnet *t, int n_all, const ttransfer *tf, int ntf, const net_transfer_rule *rules,
                        int nr, int stop, int into, int maxw, int *ends) {
    for (int s = 0; s < n_all; s++) ends[s] = INF;
    ends[stop] = 0;
    for (int i = 0; i < ntf; i++) {
        const int a = into ? tf[i].to : tf[i].from, b = into ? tf[i].from : tf[i].to;
        if (a != stop || tf[i].dist > maxw) continue;
        if (into ? oracle_linked(rules, nr, b, stop) : oracle_linked(rules, nr, stop, b)) continue;
        if (tf[i].dist < ends[b]) ends[b] = tf[i].dist;
    }
    for (int i = 0; i < nr; i++) {
        const int a = (int)(into ? rules[i].to_stop : rules[i].from_stop), b = (int)(into ? rules[i].from_stop
                                                                                        : rules[i].to_stop);
        if (a != stop || rules[i].from_route != TC_NONE) continue;
        const int x = oracle_rule_time(&rules[i]);
        if (x >= 0 && x < ends[b]) ends[b] = x;
    }
    for (int s = 0; s < n_all; s++) {
        const uint32_t ps = t->stops[s].parent, pq = t->stops[stop].parent;
        if (s == stop || !((ps != TC_NONE && ps == pq) || ps == (uint32_t)stop)) continue;
        const double d = test_haversine(t->stops[stop].lat_e7, t->stops[stop].lon_e7, t->stops[s].lat_e7,
                                        t->stops[s].lon_e7);
        const int w = (int)ceil((double)lround(d * 1.3) / 1.0);
        if (w <= maxw && w < ends[s]) ends[s] = w;
    }
}

/* Earliest arrival at `to`'s place leaving `from`'s place at t0: a connection scan seeded with the origin's ends,
 * which after each trip arrival walks (unless a rule links the two stops) or follows a rule that is not forbidden
 * and whose route, if named, is the trip's; the answer is the best trip arrival at a destination end (or the seed
 * of one) plus its seconds. */
static int oracle_stop_query(const tnet *t, int n_all, const conn *c, int nc, int n_trips, const ttransfer *tf,
                             int ntf, const net_transfer_rule *rules, int nr, int from, int to, int t0, int maxw) {
    int src[40], dst[40], ea[40], ea_trip[40];
    oracle_ends(t, n_all, tf, ntf, rules, nr, from, 0, maxw, src);
    oracle_ends(t, n_all, tf, ntf, rules, nr, to, 1, maxw, dst);
    int *reached = calloc((size_t)n_trips, sizeof(int));
    for (int s = 0; s < n_all; s++) {
        ea[s] = src[s] == INF ? INF : t0 + src[s];
        ea_trip[s] = INF;
    }
    for (int i = 0; i < nc; i++) {
        if (!(reached[c[i].trip] || (c[i].board_ok && ea[c[i].from] <= c[i].dep))) continue;
        reached[c[i].trip] = 1;
        if (!c[i].alight_ok || c[i].arr >= ea_trip[c[i].to]) continue;
        const int x = c[i].to, a = c[i].arr;
        ea_trip[x] = a;
        if (a < ea[x]) ea[x] = a;
        for (int k = 0; k < ntf; k++)
            if (tf[k].from == x && tf[k].dist <= maxw && !oracle_linked(rules, nr, x, tf[k].to) &&
                a + tf[k].dist < ea[tf[k].to])
                ea[tf[k].to] = a + tf[k].dist;
        for (int k = 0; k < nr; k++) {
            if ((int)rules[k].from_stop != x) continue;
            if (rules[k].from_route != TC_NONE && rules[k].from_route != t->v.trips[c[i].trip].route) continue;
            const int w = oracle_rule_time(&rules[k]);
            if (w >= 0 && a + w < ea[rules[k].to_stop]) ea[rules[k].to_stop] = a + w;
        }
    }
    free(reached);
    int best = INF;
    for (int s = 0; s < n_all; s++) {
        if (dst[s] == INF) continue;
        const int seed = src[s] == INF ? INF : t0 + src[s];
        const int a = ea_trip[s] < seed ? ea_trip[s] : seed;
        if (a != INF && a + dst[s] < best) best = a + dst[s];
    }
    return best;
}

/* raptor_stop_ends + raptor_run + raptor_ends_arrival (what route and the benchmarks do) against the oracle above,
 * on random networks with walking links, transfers.txt links (some forbidden, some for one route only) and a parent
 * station over a few stops a few metres apart; queries from and to any stop, the station included, one-to-one and
 * one-to-all. */
static void test_stop_ends_vs_oracle(void **state) {
    (void)state;
    long checked = 0, reached = 0, via_ends = 0;
    for (int net = 0; net < 80; net++) {
        const int n_stops = 6 + (int)rnd(10), station = n_stops, n_all = n_stops + 1;
        ttrip trips[200];
        int n_trips, ntf, nc;
        ttransfer tf[16];
        tnet t;
        conn *c;
        random_network(&t, trips, &n_trips, tf, &ntf, n_stops, 3, 200, &c, &nc);
        tnet_free(&t);
        net_transfer_rule rules[8];
        int nr = 0;
        for (int i = 0; i < 2 + (int)rnd(5); i++) {
            const int a = (int)rnd((uint32_t)n_stops), b = (int)rnd((uint32_t)n_stops);
            if (a == b) continue;
            net_transfer_rule *r = &rules[nr++];
            memset(r, 0, sizeof *r);
            r->from_stop = (uint32_t)a;
            r->to_stop = (uint32_t)b;
            r->from_route = rnd(5) == 0 ? rnd(3) : TC_NONE;
            r->to_route = r->from_trip = r->to_trip = TC_NONE;
            r->type = rnd(4);
            r->min_transfer_time = r->type == 2 ? 60 * (int32_t)(1 + rnd(5)) : -1;
        }
        uint64_t days[2] = {0x5555555555555555ull, ~0ull};
        /* (the same trips: the build orders them the same way, so the connections' trip indices still hold) */
        tnet_build(&t, n_all, trips, n_trips, tf, ntf, rules, nr, days, 2, DAY0);
        t.stops[station].location_type = 1;
        for (int i = 0; i < 2 + (int)rnd(2); i++) {
            const int s = (int)rnd((uint32_t)n_stops);
            t.stops[s].parent = (uint32_t)station;
            t.stops[s].lat_e7 = (int32_t)rnd(3000); /* up to ~33 m from the others */
        }
        raptor_ws *ws;
        assert_int_equal(raptor_ws_create_rounds(&t.v, 30, &ws, NULL), TC_OK);
        for (int q = 0; q < 25; q++) {
            const int from = (int)rnd((uint32_t)n_all), to = (int)rnd((uint32_t)n_all);
            const int t0 = H(5, 50) + (int)rnd(3 * 3600);
            raptor_params p = params(DAY0 + 2, t0, 0);
            p.limit = H(23, 0); /* day D's trips, as the scan */
            p.max_trips = 30;
            p.max_transfer_walk_s = rnd(3) ? 600 : 40;
            const int want = oracle_stop_query(&t, n_all, c, nc, n_trips, tf, ntf, rules, nr, from, to, t0,
                                               p.max_transfer_walk_s);
            stop_seconds src[40], dst[40];
            const uint32_t ns = raptor_stop_ends(ws, &p, (uint32_t)from, 0, src, 40);
            const uint32_t nt = raptor_stop_ends(ws, &p, (uint32_t)to, 1, dst, 40);
            assert_true(ns <= 40 && nt <= 40);
            for (int one = 0; one < 2; one++) {
                raptor_run(ws, &p, src, ns, one ? dst : NULL, one ? nt : 0);
                const int32_t got = raptor_ends_arrival(ws, dst, nt);
                if (got != want)
                    fprintf(stderr, "net %d query %d (%s) from %d to %d t0 %d: %d, oracle %d\n", net, q,
                            one ? "one-to-one" : "one-to-all", from, to, t0, got, want);
                assert_int_equal(got, want);
                checked++;
            }
            if (want != INF) reached++;
            if (want != INF && (ns > 1 || nt > 1)) via_ends++;
        }
        raptor_ws_free(ws);
        free(c);
        tnet_free(&t);
    }
    fprintf(stderr, "stop ends vs oracle: %ld runs, %ld queries reached, %ld of them with more than one end\n", checked,
            reached, via_ends);
    assert_true(reached > checked / 8);
    assert_true(via_ends > reached / 4);
}

/* One index shared by several threads, each with its own workspace (made small and grown in place), over days,
 * directions and board slacks that pass the day cache's bound: every answer as a private workspace's, one-to-all
 * and one-to-one (the latter also with lower bounds, built once in the index). */
#define SHARED_THREADS 4
#define SHARED_QUERIES 48
typedef struct shared_job {
    raptor_index *ix;
    const raptor_params *qp;
    const stop_seconds *src, *tgt;
    const int32_t *want; /* [SHARED_QUERIES][MAXN + 4] */
    int n_stops, bad;
} shared_job;

static void *shared_worker(void *arg) {
    shared_job *j = arg;
    raptor_ws *ws;
    if (raptor_ws_create_shared(j->ix, 1, &ws, NULL) != TC_OK) {
        j->bad = 1;
        return NULL;
    }
    for (int rep = 0; rep < 3; rep++)
        for (int q = 0; q < SHARED_QUERIES; q++) {
            if (raptor_ws_reserve(ws, j->qp[q].max_trips, NULL) != TC_OK) j->bad = 1;
            raptor_run(ws, &j->qp[q], &j->src[q], 1, q % 2 ? &j->tgt[q] : NULL, q % 2 ? 1 : 0);
            const uint32_t s = j->tgt[q].stop;
            if (raptor_best_arrival(ws, s) != j->want[q * (MAXN + 4) + (int)s]) j->bad = 1;
        }
    raptor_ws_free(ws);
    return NULL;
}

static void test_shared_index_threads(void **state) {
    (void)state;
    for (int round = 0; round < 6; round++) {
        int n_stops = 6 + (int)rnd(10);
        ttrip trips[200];
        int n_trips, ntf, nc;
        ttransfer tf[16];
        tnet t;
        conn *c;
        random_network(&t, trips, &n_trips, tf, &ntf, n_stops, 4, 200, &c, &nc);
        raptor_params qp[SHARED_QUERIES];
        stop_seconds src[SHARED_QUERIES], tgt[SHARED_QUERIES];
        static int32_t want[SHARED_QUERIES * (MAXN + 4)];
        raptor_ws *ref;
        assert_int_equal(raptor_ws_create_rounds(&t.v, 30, &ref, NULL), TC_OK);
        for (int q = 0; q < SHARED_QUERIES; q++) {
            const int rev = (int)rnd(2);
            qp[q] = params(DAY0 + (int32_t)rnd(8), H(5, 0) + (int32_t)rnd(15 * 3600), rev);
            qp[q].max_trips = 1 + (int)rnd(12);
            qp[q].board_slack_s = (int32_t)rnd(2) * 60;
            src[q] = (stop_seconds){rnd((uint32_t)n_stops), 0};
            tgt[q] = (stop_seconds){rnd((uint32_t)n_stops), 0};
            raptor_run(ref, &qp[q], &src[q], 1, q % 2 ? &tgt[q] : NULL, q % 2 ? 1 : 0);
            for (int s = 0; s < n_stops; s++) want[q * (MAXN + 4) + s] = raptor_best_arrival(ref, (uint32_t)s);
        }
        raptor_ws_free(ref);
        raptor_index *ix;
        assert_int_equal(raptor_index_create(&t.v, &ix, NULL), TC_OK);
        shared_job job[SHARED_THREADS];
        pthread_t tid[SHARED_THREADS];
        for (int i = 0; i < SHARED_THREADS; i++) {
            job[i] = (shared_job){ix, qp, src, tgt, want, n_stops, 0};
            assert_int_equal(pthread_create(&tid[i], NULL, shared_worker, &job[i]), 0);
        }
        for (int i = 0; i < SHARED_THREADS; i++) {
            pthread_join(tid[i], NULL);
            assert_int_equal(job[i].bad, 0);
        }
        raptor_index_free(ix);
        free(c);
        tnet_free(&t);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_second_and_floor), cmocka_unit_test(test_transfer_rules),
        cmocka_unit_test(test_pickup_dropoff),        cmocka_unit_test(test_service_days),
        cmocka_unit_test(test_frequency),             cmocka_unit_test(test_overtaking_and_pareto),
        cmocka_unit_test(test_random_vs_csa),         cmocka_unit_test(test_shared_index_threads),
        cmocka_unit_test(test_rounds_vs_oracle),         cmocka_unit_test(test_one_to_one_matches_one_to_all),
        cmocka_unit_test(test_stop_ends_vs_oracle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
