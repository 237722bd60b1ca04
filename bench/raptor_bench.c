/*
 * raptor_bench.c — timing of the RAPTOR search on a compiled network.
 *
 *   raptor_bench NET --queries N --seed S [--one-to-all] [--range] [--max-transfers K] [--window HH:MM-HH:MM]
 *                [--limit none|MINUTES] [--stops departures|all] [--stop-range FIRST-END]
 *
 * Default: N random stop-to-stop earliest-arrival queries (source and target uniform over the query stops,
 * departure uniform over the window, default 00:00–24:00, on the busiest day of the network's first two weeks),
 * with target pruning; --one-to-all drops the target (all stops); --range runs range-RAPTOR from N random stops over
 * 07:00–09:00 every minute (120 departures) and reports the time per origin. A query is what `route --from-stop
 * --to-stop` asks: its source and target are the stops' places (raptor_stop_ends: walking transfers, transfers.txt
 * links and sibling platforms within the 10-minute transfer walk), seeded inside the timed region, and the target's
 * arrival is read through its ends (raptor_ends_arrival). --limit: no arrival after the last arrival of the day's
 * trips (none, the default: the whole day, as a reference implementation that loads one day searches it) or
 * MINUTES after the departure. --stops: the query stops are the stops with departures (default) or every stop.
 * --stop-range FIRST-END: only stops FIRST … END−1 (network order) are query stops, so the same queries can be
 * run on a network that holds more (bench/scale.sh: one copy of a feed among several).
 * The share of targets reached is printed for stop-to-stop and one-to-all runs (reached / queries). One
 * workspace, allocated before the clock starts: no allocation inside the timed loop. Prints one JSON line
 *   {"queries":N,"mean_us":…,"median_us":…,"p95_us":…, …}
 * plus the work counters per query, an estimate of the bytes the search touches, this machine's measured
 * streaming-read bandwidth, so the time can be set against the memory-bandwidth limit, and the share of queries
 * pruned with lower bounds to the target (lb_pruned_share: those that reached it, once the workspace built them),
 * and the bytes of the workspace (ws_bytes: labels and marks, what each further thread costs) and of the network's
 * routing index (index_bytes: shared, without its day cache).
 * RAPTOR_BENCH_TRACE=1 prints one line per query on stderr: departure, µs, rounds, reached, source, target and
 * the target's arrival in every round (two builds' traces compare line by line).
 */
#include "routing/raptor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define USAGE                                                                                                        \
    "usage: raptor_bench NET --queries N --seed S [--one-to-all] [--range] [--max-transfers K] "                       \
    "[--window HH:MM-HH:MM] [--limit none|MINUTES] [--stops departures|all] [--stop-range FIRST-END]\n"

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* CPU time of this thread: on a shared machine the wall clock also counts time the thread was not running */
static double cpu_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static uint64_t rng = 1;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Streaming read bandwidth (GB/s) over a buffer far larger than the caches. */
static double measure_bandwidth(void) {
    size_t n = (size_t)256 << 20;
    uint64_t *buf = malloc(n);
    if (!buf) return 0;
    memset(buf, 1, n);
    double best = 0;
    volatile uint64_t sink = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now_us();
        uint64_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
        for (size_t i = 0; i < n / 8; i += 4) {
            acc0 += buf[i];
            acc1 += buf[i + 1];
            acc2 += buf[i + 2];
            acc3 += buf[i + 3];
        }
        sink += acc0 + acc1 + acc2 + acc3;
        double gbs = (double)n / ((now_us() - t0) * 1e3);
        if (gbs > best) best = gbs;
    }
    (void)sink;
    free(buf);
    return best;
}

typedef struct bench_opts {
    const char *net_path;
    long n_queries, max_transfers;
    int one_to_all, range, all_stops;
    long win_from, win_to, limit_min; /* departure window (s); arrival limit (-1: none) */
    unsigned long range_first, range_end; /* --stop-range */
} bench_opts;

/* The command line into o (defaults already there; --seed sets rng). 0, or the exit status (usage printed). */
static int parse_args(int argc, char **argv, bench_opts *o) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--queries") && i + 1 < argc) o->n_queries = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) rng = (uint64_t)atoll(argv[++i]) * 2654435761u + 1;
        else if (!strcmp(argv[i], "--max-transfers") && i + 1 < argc) o->max_transfers = atol(argv[++i]);
        else if (!strcmp(argv[i], "--one-to-all")) o->one_to_all = 1;
        else if (!strcmp(argv[i], "--range")) o->range = 1;
        else if (!strcmp(argv[i], "--window") && i + 1 < argc) {
            int h0, m0, h1, m1;
            if (sscanf(argv[++i], "%d:%d-%d:%d", &h0, &m0, &h1, &m1) != 4 || h0 * 60 + m0 >= h1 * 60 + m1 || h0 < 0 ||
                m0 < 0 || m1 < 0 || h1 > 48) {
                fprintf(stderr, "raptor_bench: --window wants HH:MM-HH:MM, the first before the second\n");
                return 2;
            }
            o->win_from = (h0 * 60L + m0) * 60, o->win_to = (h1 * 60L + m1) * 60;
        } else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
            ++i;
            o->limit_min = strcmp(argv[i], "none") ? atol(argv[i]) : -1;
            if (strcmp(argv[i], "none") && o->limit_min <= 0) {
                fprintf(stderr, "raptor_bench: --limit wants none or minutes after the departure\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--stops") && i + 1 < argc) {
            ++i;
            if (strcmp(argv[i], "all") && strcmp(argv[i], "departures")) {
                fprintf(stderr, "raptor_bench: --stops wants departures or all\n");
                return 2;
            }
            o->all_stops = !strcmp(argv[i], "all");
        } else if (!strcmp(argv[i], "--stop-range") && i + 1 < argc) {
            if (sscanf(argv[++i], "%lu-%lu", &o->range_first, &o->range_end) != 2 || o->range_first >= o->range_end) {
                fprintf(stderr, "raptor_bench: --stop-range wants FIRST-END, FIRST below END\n");
                return 2;
            }
        }
        else if (argv[i][0] != '-' && !o->net_path) o->net_path = argv[i];
        else {
            fprintf(stderr, "%s", USAGE);
            return 2;
        }
    }
    if (!o->net_path || o->n_queries <= 0) {
        fprintf(stderr, "%s", USAGE);
        return 2;
    }
    return 0;
}

/* The busiest day among the network's first 14. */
static int32_t busiest_day(const network_view *v) {
    int32_t day = v->service_start;
    long best_trips = -1;
    for (int32_t d = v->service_start; d < v->service_start + 14 && d < v->service_start + (int32_t)v->n_days; d++) {
        long n = 0;
        for (uint32_t t = 0; t < v->n_trips; t++) n += service_active(v, v->trips[t].service, d);
        if (n > best_trips) best_trips = n, day = d;
    }
    return day;
}

/* --limit none: the last arrival of a trip running on the day (its frequency runs included) */
static int32_t day_last_arrival(const network_view *v, int32_t day) {
    int32_t day_end = 0;
    for (uint32_t t = 0; t < v->n_scheduled_trips; t++) {
        const net_trip *tr = &v->trips[t];
        if (!service_active(v, tr->service, day)) continue;
        const net_pattern *pt = &v->patterns[tr->pattern];
        const net_stop_time *st = v->stop_times + pt->times_begin + (uint64_t)(t - pt->trips_begin) * pt->n_stops;
        int32_t end = st[pt->n_stops - 1].arrival;
        for (uint32_t f = tr->freq_begin; f < tr->freq_begin + tr->freq_count; f++)
            if (v->frequencies[f].end_time - st[0].departure + end > end)
                end = v->frequencies[f].end_time - st[0].departure + end;
        if (end > day_end) day_end = end;
    }
    return day_end;
}

int main(int argc, char **argv) {
    bench_opts o = {.n_queries = 1000, .max_transfers = 8, .win_to = 86400, .limit_min = -1, .range_end = UINT32_MAX};
    const int rc = parse_args(argc, argv, &o);
    if (rc) return rc;
    const char *net_path = o.net_path;
    const long n_queries = o.n_queries, max_transfers = o.max_transfers, win_from = o.win_from, win_to = o.win_to,
               limit_min = o.limit_min;
    const int one_to_all = o.one_to_all, range = o.range, all_stops = o.all_stops;
    const int trace = getenv("RAPTOR_BENCH_TRACE") != NULL; /* one line per query on stderr (see the top) */
    if (!rng) rng = 1;
    tc_error err = {0};
    tc_network *net = NULL;
    if (tc_network_open(net_path, &net, &err) != TC_OK) {
        fprintf(stderr, "raptor_bench: %s\n", err.message);
        return 1;
    }
    const network_view *v = &net->v;
    const int32_t day = busiest_day(v);
    uint32_t *stops = malloc(v->n_stops * sizeof *stops), n_stops = 0;
    for (uint32_t s = 0; s < v->n_stops; s++)
        if ((all_stops || v->stop_pattern_begin[s + 1] > v->stop_pattern_begin[s]) && s >= o.range_first &&
            s < o.range_end)
            stops[n_stops++] = s;
    const int32_t day_end = day_last_arrival(v, day);
    if (!n_stops) {
        fprintf(stderr, "raptor_bench: no query stop (none with departures, or none in --stop-range)\n");
        free(stops);
        tc_network_close(net);
        return 1;
    }
    raptor_ws *ws;
    raptor_index *ix; /* the network's, as route and the analyses use it */
    if (raptor_network_index(net, &ix, &err) != TC_OK ||
        raptor_ws_create_shared(ix, (int)max_transfers + 1, &ws, &err) != TC_OK) {
        fprintf(stderr, "raptor_bench: %s\n", err.message);
        return 1;
    }
    raptor_params p = {0};
    p.day = day;
    p.max_trips = (int)max_transfers + 1;
    p.walk_speed_mps = v->walk_speed_mps > 0 ? v->walk_speed_mps : TC_DEFAULT_WALK_SPEED_MPS;
    p.max_transfer_walk_s = 600;
    /* the ends of a source and a target (raptor_stop_ends), room for the largest */
    uint32_t max_ends = 1;
    for (uint32_t s = 0; s < v->n_stops; s++)
        for (int into = 0; into < 2; into++) {
            const uint32_t n = raptor_stop_ends(ws, &p, s, into, NULL, 0);
            if (n > max_ends) max_ends = n;
        }
    stop_seconds *src_ends = malloc(max_ends * sizeof *src_ends), *tgt_ends = malloc(max_ends * sizeof *tgt_ends);
    double *us = malloc((size_t)n_queries * sizeof *us);
    double *cus = malloc((size_t)n_queries * sizeof *cus);
    long reached = 0;
    /* warm-up: one query so the first timed one does not pay for page faults of the mapping */
    {
        p.time = 8 * 3600;
        p.limit = p.time + 240 * 60;
        const uint32_t ns = raptor_stop_ends(ws, &p, stops[0], 0, src_ends, max_ends);
        raptor_run(ws, &p, src_ends, ns, NULL, 0);
    }
    raptor_stats s0, s1;
    raptor_get_stats(ws, &s0);
    for (long q = 0; q < n_queries; q++) {
        stop_seconds src = {stops[rnd(n_stops)], 0}, tgt = {stops[rnd(n_stops)], 0};
        uint32_t n_src, n_tgt;
        if (range) {
            p.limit = 9 * 3600 + 240 * 60;
            double t0 = now_us(), c0 = cpu_us();
            p.time = 9 * 3600 - 60;
            n_src = raptor_stop_ends(ws, &p, src.stop, 0, src_ends, max_ends);
            raptor_range_begin(ws, &p);
            for (int m = 119; m >= 0; m--) {
                p.time = 7 * 3600 + m * 60;
                raptor_range_step(ws, &p, src_ends, n_src);
            }
            us[q] = now_us() - t0;
            cus[q] = cpu_us() - c0;
            continue;
        }
        p.time = (int32_t)(win_from + (long)rnd((uint32_t)(win_to - win_from)));
        p.limit = limit_min < 0 ? (day_end > p.time ? day_end : p.time) : p.time + (int32_t)limit_min * 60;
        double t0 = now_us(), c0 = cpu_us();
        n_src = raptor_stop_ends(ws, &p, src.stop, 0, src_ends, max_ends);
        n_tgt = one_to_all ? 0 : raptor_stop_ends(ws, &p, tgt.stop, 1, tgt_ends, max_ends);
        raptor_run(ws, &p, src_ends, n_src, tgt_ends, n_tgt);
        us[q] = now_us() - t0;
        cus[q] = cpu_us() - c0;
        if (one_to_all) n_tgt = raptor_stop_ends(ws, &p, tgt.stop, 1, tgt_ends, max_ends);
        const int32_t arr = raptor_ends_arrival(ws, tgt_ends, n_tgt);
        if (arr != RAPTOR_INF) reached++;
        if (trace) {
            /* per round, the arrival at the target (so runs of two builds can be compared line by line) */
            fprintf(stderr, "%d %.0f %d %d %u %u %d", p.time, us[q], raptor_rounds(ws), arr != RAPTOR_INF, src.stop,
                    tgt.stop, arr);
            for (int k = 0; k <= raptor_rounds(ws); k++) fprintf(stderr, " %d", raptor_arrival(ws, k, tgt.stop));
            fprintf(stderr, "\n");
        }
    }
    raptor_get_stats(ws, &s1);
    double sum = 0;
    for (long q = 0; q < n_queries; q++) sum += us[q];
    double csum = 0;
    for (long q = 0; q < n_queries; q++) csum += cus[q];
    qsort(us, (size_t)n_queries, sizeof *us, cmp_double);
    qsort(cus, (size_t)n_queries, sizeof *cus, cmp_double);
    double median = us[n_queries / 2], p95 = us[(long)(0.95 * (double)(n_queries - 1))];
    /* the mean of the fastest 95%: on a shared 2-core VM a query now and then loses a ~4.5 ms time slice (the same
     * query re-run takes its usual time), which the plain mean carries */
    double tsum = 0;
    long tn = (long)(0.95 * (double)n_queries);
    if (tn < 1) tn = 1;
    for (long q = 0; q < tn; q++) tsum += us[q];
    double nq = (double)n_queries;
    double pos = (double)(s1.positions_scanned - s0.positions_scanned) / nq;
    double pats = (double)(s1.patterns_scanned - s0.patterns_scanned) / nq;
    double probes = (double)(s1.trip_probes - s0.trip_probes) / nq;
    double searches = (double)(s1.trip_searches - s0.trip_searches) / nq;
    double xfers = (double)(s1.transfers_relaxed - s0.transfers_relaxed) / nq;
    double improved = (double)(s1.labels_improved - s0.labels_improved) / nq;
    double lb_share = (double)(s1.lb_runs - s0.lb_runs) / nq; /* queries pruned by lower bounds (target reached) */
    /* bytes a query reads or writes, at the granularity the loops use them: per scanned position the stop id (4),
     * its flags (1), the ridden trip's stop time (8) and two labels of the previous round (8); per trip-search
     * probe one cache line of a column (64: the search counts the lines it reads); per pattern its header (32) and the
     * cache line it starts in; per transfer 8; per improved label 48 (times, walking, parent) */
    double bytes = pos * 21 + probes * 64 + pats * 96 + xfers * 8 + improved * 48;
    double bw = measure_bandwidth();
    double bw_us = bw > 0 ? bytes / (bw * 1e3) : 0;
    printf("{\"queries\":%ld,\"mean_us\":%.1f,\"median_us\":%.1f,\"p95_us\":%.1f,\"mode\":\"%s\",\"day\":%d,"
           "\"reached\":%ld,\"patterns_per_query\":%.0f,\"positions_per_query\":%.0f,\"trip_searches_per_query\":%.0f,"
           "\"transfers_per_query\":%.0f,\"est_bytes_per_query\":%.0f,\"read_bandwidth_gbs\":%.2f,"
           "\"bandwidth_bound_us\":%.2f,\"cpu_mean_us\":%.1f,\"cpu_median_us\":%.1f,\"trimmed_mean_us\":%.1f,"
           "\"lb_pruned_share\":%.2f,\"reached_share\":%.3f,\"window\":[%ld,%ld],\"limit_s\":%ld,"
           "\"stops\":\"%s\",\"day_end_s\":%d,\"ws_bytes\":%zu,\"index_bytes\":%zu}\n",
           n_queries, sum / nq, median, p95, range ? "range" : one_to_all ? "one-to-all" : "one-to-one", day,
           range ? -1 : reached, pats, pos, searches, xfers, bytes, bw, bw_us, csum / nq,
           cus[n_queries / 2], tsum / (double)tn, lb_share, range ? -1.0 : (double)reached / nq, win_from, win_to,
           limit_min < 0 ? -1L : limit_min * 60, all_stops ? "all" : "departures", day_end, raptor_ws_bytes(ws),
           raptor_index_bytes(ix));
    free(us);
    free(cus);
    free(src_ends);
    free(tgt_ends);
    free(stops);
    raptor_ws_free(ws);
    tc_network_close(net);
    return 0;
}
