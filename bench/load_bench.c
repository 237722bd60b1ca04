/*
 * load_bench.c — how long opening a compiled network takes: tc_network_open (mmap, checksum of every section,
 * index validation) + tc_network_close, repeated; prints one JSON line with the median and the spread.
 *
 * usage: load_bench NET [--runs N]      (default 51 runs)
 * The file is in the page cache after the first run, as it is for a server or a batch job that opens it again.
 */
#include "tongcheng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: load_bench NET [--runs N]\n");
        return 2;
    }
    int runs = 51;
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--runs")) runs = atoi(argv[++i]);
    if (runs < 1) runs = 1;
    double *t = malloc((size_t)runs * sizeof *t);
    tc_error err;
    tc_network_info info;
    memset(&info, 0, sizeof info);
    for (int r = 0; r < runs; r++) {
        double t0 = now_s();
        tc_network *net = NULL;
        if (tc_network_open(argv[1], &net, &err) != TC_OK) {
            fprintf(stderr, "load_bench: %s\n", err.message);
            free(t);
            return 1;
        }
        t[r] = now_s() - t0;
        if (r == 0) tc_network_get_info(net, &info, &err);
        tc_network_close(net);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    printf("{\"network\":\"%s\",\"file_bytes\":%llu,\"runs\":%d,\"median_ms\":%.3f,\"min_ms\":%.3f,\"max_ms\":%.3f}\n",
           argv[1], (unsigned long long)info.file_size, runs, t[runs / 2] * 1e3, t[0] * 1e3, t[runs - 1] * 1e3);
    free(t);
    return 0;
}
