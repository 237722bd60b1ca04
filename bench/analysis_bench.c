/*
 * analysis_bench.c — timing of the analysis searches on a compiled network (issue 5's benchmarks).
 *
 *   analysis_bench NET POINTS.csv --date YYYY-MM-DD [--window 12:00-14:00] [--threads 2] [--origins N]
 *                  [--iso-from LAT,LON] [--iso-runs 11] [--max-transfers 8]
 *
 * 1. All-to-all matrix: every point of POINTS.csv (or its first N) to every point, the window every minute, max
 *    120 min, p50, on --threads threads (tc_travel_time_matrix). Reports the linkage time, the matrix wall time,
 *    origins/s, origins/s per thread, and the CPU seconds the process used (the machine is shared: wall time alone
 *    also counts time the threads were not running). --max-transfers 2 is r5r's default (max_rides = 3).
 * 2. One isochrone (cutoffs 15,30,45,60, one-hour window from the window's start) from --iso-from, --iso-runs times:
 *    the median wall time of tc_isochrones (grid, linkage, range-RAPTOR, contours).
 * Prints one JSON line.
 */
#include "tongcheng.h"

#include "analysis/points.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: analysis_bench NET POINTS.csv --date D [--window HH:MM-HH:MM] [--threads N] "
                        "[--origins N] [--iso-from LAT,LON] [--iso-runs N]\n");
        return 2;
    }
    const char *net_path = argv[1], *pts_path = argv[2], *date = "2019-05-13", *window = "12:00-14:00";
    int threads = 2, iso_runs = 11, max_transfers = 8;
    size_t max_origins = 0;
    double iso_lat = -30.0277, iso_lon = -51.2287;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--date")) date = argv[i + 1];
        else if (!strcmp(argv[i], "--window")) window = argv[i + 1];
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--origins")) max_origins = (size_t)atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--iso-runs")) iso_runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--max-transfers")) max_transfers = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--iso-from")) sscanf(argv[i + 1], "%lf,%lf", &iso_lat, &iso_lon);
        else {
            fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    tc_error err = {0};
    tc_network *net = NULL;
    tc_points *pts = NULL;
    tc_analysis_options o;
    tc_analysis_options_init(&o);
    char a[16] = {0}, b[16] = {0};
    if (sscanf(window, "%15[^-]-%15s", a, b) != 2 || tc_parse_date(date, &o.date, &err) ||
        tc_parse_clock(a, &o.window_start, &err) || tc_parse_clock(b, &o.window_end, &err)) {
        fprintf(stderr, "bad --date or --window\n");
        return 2;
    }
    o.threads = threads;
    o.max_transfers = max_transfers;
    if (tc_network_open(net_path, &net, &err) || tc_points_read(pts_path, NULL, NULL, &pts, &err)) {
        fprintf(stderr, "%s %s\n", err.file, err.message);
        return 1;
    }
    size_t n_orig = max_origins && max_origins < pts->n ? max_origins : pts->n;
    double t0 = now_s();
    tc_destinations *d = NULL;
    if (tc_destinations_create(net, &o, pts->lat, pts->lon, pts->n, &d, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double t1 = now_s(), c1 = cpu_s();
    uint16_t *out = malloc(n_orig * pts->n * sizeof *out);
    if (!out || tc_travel_time_matrix(net, d, &o, pts->lat, pts->lon, n_orig, out, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double t2 = now_s(), c2 = cpu_s();
    size_t reached = 0;
    for (size_t i = 0; i < n_orig * pts->n; i++) reached += out[i] != TC_UNREACHED_MIN;
    /* isochrone */
    tc_analysis_options io = o;
    io.window_end = io.window_start + 3600;
    int cut[4] = {15, 30, 45, 60};
    double *iso = calloc((size_t)(iso_runs > 0 ? iso_runs : 1), sizeof *iso);
    size_t iso_bytes = 0;
    for (int r = 0; r < iso_runs; r++) {
        char *gj = NULL;
        double s = now_s();
        if (tc_isochrones(net, &io, iso_lat, iso_lon, cut, 4, 0, &gj, &err)) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        iso[r] = (now_s() - s) * 1000;
        iso_bytes = strlen(gj);
        tc_free(gj);
    }
    qsort(iso, (size_t)iso_runs, sizeof *iso, cmp_double);
    double wall = t2 - t1;
    printf("{\"max_transfers\":%d,\"origins\":%zu,\"destinations\":%zu,\"threads\":%d,\"linkage_s\":%.3f,\"matrix_wall_s\":%.3f,"
           "\"matrix_cpu_s\":%.3f,\"origins_per_s\":%.1f,\"origins_per_s_per_thread\":%.1f,"
           "\"origins_per_cpu_s\":%.1f,\"reached_pairs\":%zu,\"isochrone_median_ms\":%.1f,\"isochrone_min_ms\":%.1f,"
           "\"isochrone_bytes\":%zu}\n",
           max_transfers, n_orig, pts->n, threads, t1 - t0, wall, c2 - c1, n_orig / wall, n_orig / wall / threads,
           n_orig / (c2 - c1), reached, iso_runs ? iso[iso_runs / 2] : 0.0, iso_runs ? iso[0] : 0.0, iso_bytes);
    free(iso);
    free(out);
    tc_destinations_free(d);
    tc_points_free(pts);
    tc_network_close(net);
    return 0;
}
