/*
 * street_bench.c — street network figures for BENCHMARKS.md (issue 3).
 *
 *   street_bench [build|onetoall|matrix|all]    (data from $TC_DATA, default ../shared/data)
 *
 *  build     street build (read PBF, graph, components, grid, write sections) of porto-alegre/poa_osm.pbf and
 *            porto-portugal/porto_portugal.osm.pbf, each in a forked child so its peak RSS (wait4) is its own;
 *  onetoall  one-to-all walking search bounded to 60 min at 1.3 m/s from 201 random points in Porto: median ms;
 *  matrix    100 × 100 walking matrix between random points of Porto Alegre (snapping included): wall time.
 * Prints one JSON line per figure.
 */
#include "streets/street_mem.h"
#include "streets/street_search.h"
#include "streets/street_build.h"
#include "common/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char data_dir[4096];

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static int build_one(const char *rel, const char *out) {
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", data_dir, rel);
    if (access(path, R_OK)) {
        printf("{\"build\":\"%s\",\"skipped\":\"absent\"}\n", rel);
        return -1;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        tc_error err = {0};
        diag_log diag = {0};
        double t0 = now_seconds();
        tc_status st = street_file_build(path, out, &diag, &err);
        double t1 = now_seconds();
        if (st != TC_OK) {
            fprintf(stderr, "build %s: %s\n", rel, err.message);
            _exit(1);
        }
        FILE *f = fopen("/tmp/street_bench_time", "w");
        if (f) {
            fprintf(f, "%f\n", t1 - t0);
            fclose(f);
        }
        _exit(0);
    }
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    if (!WIFEXITED(status) || WEXITSTATUS(status)) return -1;
    double secs = 0;
    FILE *f = fopen("/tmp/street_bench_time", "r");
    if (f) {
        if (fscanf(f, "%lf", &secs) != 1) secs = 0;
        fclose(f);
    }
    printf("{\"build\":\"%s\",\"seconds\":%.3f,\"peak_rss_mb\":%.1f}\n", rel, secs, ru.ru_maxrss / 1024.0);
    return 0;
}

static int open_graph(const char *file, netfile *nf, street_graph *g) {
    tc_error err = {0};
    if (netfile_map(file, nf, &err) || street_graph_attach(g, nf, &err)) {
        fprintf(stderr, "%s: %s\n", file, err.message);
        return -1;
    }
    return 0;
}

static void random_point(const street_graph *g, double *lat, double *lon) {
    uint32_t v = rnd() % g->n_nodes;
    *lat = g->node_coords[2 * v] / 1e7 + ((int)(rnd() % 201) - 100) * 1e-6;
    *lon = g->node_coords[2 * v + 1] / 1e7 + ((int)(rnd() % 201) - 100) * 1e-6;
}

static void one_to_all(const char *file) {
    netfile nf;
    street_graph g;
    if (open_graph(file, &nf, &g)) return;
    street_workspace ws = {0};
    street_workspace_init_graph(&ws, &g, NULL);
    enum { N = 201 };
    double ms[N];
    uint64_t reached = 0;
    for (int i = 0; i < N; i++) {
        double lat, lon;
        random_point(&g, &lat, &lon);
        street_snap s;
        double t0 = now_seconds();
        if (street_snap_point(&g, TC_MODE_WALK, lat, lon, 500, &s, NULL)) {
            i--;
            continue;
        }
        street_search_from_snap(&ws, TC_MODE_WALK, &s, 0, (uint32_t)(3600 * 1.3 * 1000));
        ms[i] = (now_seconds() - t0) * 1000;
        reached += ws.n_touched;
    }
    qsort(ms, N, sizeof *ms, cmp_double);
    printf("{\"one_to_all_walk_60min\":\"porto\",\"origins\":\"random street nodes\",\"graph_nodes\":%u,"
           "\"queries\":%d,\"median_ms\":%.2f,\"p95_ms\":%.2f,\"mean_nodes_touched\":%llu}\n",
           g.n_nodes, N, ms[N / 2], ms[N * 95 / 100], (unsigned long long)(reached / N));
    /* the densest case: from the city centre (Avenida dos Aliados), 60 minutes reach the whole core */
    street_snap centre;
    if (!street_snap_point(&g, TC_MODE_WALK, 41.1496, -8.6110, 500, &centre, NULL)) {
        for (int i = 0; i < N; i++) {
            double t0 = now_seconds();
            street_search_from_snap(&ws, TC_MODE_WALK, &centre, 0, (uint32_t)(3600 * 1.3 * 1000));
            ms[i] = (now_seconds() - t0) * 1000;
        }
        qsort(ms, N, sizeof *ms, cmp_double);
        printf("{\"one_to_all_walk_60min\":\"porto\",\"origins\":\"centre 41.1496,-8.6110\",\"queries\":%d,"
               "\"median_ms\":%.2f,\"nodes_touched\":%u}\n",
               N, ms[N / 2], ws.n_touched);
    }
    /* snapping alone (the packed grid) */
    enum { NS = 10000 };
    double t0 = now_seconds();
    int ok = 0;
    for (int i = 0; i < NS; i++) {
        double lat, lon;
        random_point(&g, &lat, &lon);
        street_snap s;
        ok += street_snap_point(&g, TC_MODE_WALK, lat, lon, 500, &s, NULL) == TC_OK;
    }
    printf("{\"snap_walk\":\"porto\",\"points\":%d,\"snapped\":%d,\"mean_us\":%.2f}\n", NS, ok,
           (now_seconds() - t0) * 1e6 / NS);
    street_workspace_release_graph(&ws);
    netfile_unmap(&nf);
}

static void matrix(const char *file) {
    netfile nf;
    street_graph g;
    if (open_graph(file, &nf, &g)) return;
    street_workspace ws = {0};
    street_workspace_init_graph(&ws, &g, NULL);
    enum { N = 100 };
    double lat[N], lon[N];
    for (int i = 0; i < N; i++) random_point(&g, &lat[i], &lon[i]);
    double t0 = now_seconds();
    street_snap snaps[N];
    for (int i = 0; i < N; i++)
        if (street_snap_point(&g, TC_MODE_WALK, lat[i], lon[i], 500, &snaps[i], NULL)) {
            fprintf(stderr, "snap failed\n");
            return;
        }
    uint64_t reached = 0;
    double sum_km = 0;
    for (int i = 0; i < N; i++) {
        street_search_from_snap(&ws, TC_MODE_WALK, &snaps[i], 0, STREET_INF - 1);
        for (int j = 0; j < N; j++) {
            uint32_t c = street_cost_to_snap(&ws, TC_MODE_WALK, &snaps[j]);
            if (c != STREET_INF) reached++, sum_km += c / 1e6;
        }
    }
    double wall = now_seconds() - t0;
    printf("{\"walk_matrix\":\"porto-alegre\",\"size\":\"100x100\",\"wall_s\":%.3f,\"pairs_reached\":%llu,"
           "\"mean_km\":%.2f}\n",
           wall, (unsigned long long)reached, reached ? sum_km / reached : 0);
    street_workspace_release_graph(&ws);
    netfile_unmap(&nf);
}

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "all";
    const char *d = getenv("TC_DATA");
    snprintf(data_dir, sizeof data_dir, "%s", d && *d ? d : "../shared/data");
    const char *porto = "/tmp/street_bench_porto.net", *poa = "/tmp/street_bench_poa.net";
    int all = !strcmp(what, "all");
    if (all || !strcmp(what, "build")) {
        build_one("porto-alegre/poa_osm.pbf", poa);
        build_one("porto-portugal/porto_portugal.osm.pbf", porto);
    } else {
        if (access(poa, R_OK)) build_one("porto-alegre/poa_osm.pbf", poa);
        if (access(porto, R_OK)) build_one("porto-portugal/porto_portugal.osm.pbf", porto);
    }
    if (all || !strcmp(what, "onetoall")) one_to_all(porto);
    if (all || !strcmp(what, "matrix")) matrix(poa);
    return 0;
}
