/*
 * cmd_matrix.c — `tongcheng matrix`: travel times between every origin and destination of two points CSVs, one
 * row per pair (from_id,to_id,travel_time_pN…), streamed to an atomic file. Origins are computed in blocks so the
 * memory held is one block's rows, whatever the number of origins.
 */
#include "cli.h"

#include "common/atomic_file.h"
#include "common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *matrix_usage =
    "usage: tongcheng matrix NET --origins O.csv --destinations D.csv --date YYYY-MM-DD --window HH:MM-HH:MM\n"
    "                        -o M.csv [--percentiles 5,50,95] [options]\n"
    "  --origins CSV, --destinations CSV   points with id, lat, lon columns (any order, other columns ignored)\n"
    "  output rows: from_id,to_id,travel_time_p50[,...] (unreachable = empty)\n";

/* Origins per block: about 32 M travel times in memory at most. */
size_t cli_origin_block(size_t n_dest, size_t n_percentiles) {
    size_t per = n_dest * n_percentiles;
    size_t b = per ? (32u << 20) / per : 1024;
    return b < 1 ? 1 : b;
}

int cmd_matrix(int argc, char **argv) {
    cli_analysis a;
    cli_analysis_init(&a);
    const char *orig_path = NULL, *dest_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            fputs(matrix_usage, stdout);
            fputs(cli_analysis_common_usage, stdout);
            return 0;
        }
        int r = cli_analysis_arg(&a, argc, argv, &i, matrix_usage);
        if (r > 0) return r;
        if (r == 0) continue;
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) return cli_usage(matrix_usage, "matrix: %s needs a value (or is unknown)", arg);
        i++;
        if (!strcmp(arg, "--origins")) orig_path = val;
        else if (!strcmp(arg, "--destinations")) dest_path = val;
        else return cli_usage(matrix_usage, "matrix: unknown option %s", arg);
    }
    int rc = cli_analysis_finish(&a, matrix_usage, 0);
    if (rc) return rc;
    if (!orig_path || !dest_path) return cli_usage(matrix_usage, "matrix: --origins and --destinations are required");
    tc_error err = {0};
    tc_points *orig = NULL, *dest = NULL;
    tc_network *net = NULL;
    tc_destinations *d = NULL;
    uint16_t *block = NULL;
    atomic_file af;
    int open = 0;
    tc_status st = cli_points_read(orig_path, a.quiet, &orig, &err);
    if (st == TC_OK) st = cli_points_read(dest_path, a.quiet, &dest, &err);
    if (st == TC_OK) st = tc_network_open(a.net, &net, &err);
    if (st == TC_OK) cli_note_walking(net, a.quiet);
    if (st == TC_OK) st = tc_destinations_create(net, &a.opts, dest->lat, dest->lon, dest->n, &d, &err);
    const size_t np = a.opts.n_percentiles;
    const size_t nb = st == TC_OK ? cli_origin_block(dest->n, np) : 0;
    if (st == TC_OK) {
        size_t rows = nb < orig->n ? nb : orig->n;
        block = malloc((rows * dest->n * np + 1) * sizeof *block);
        if (!block) st = error_set(&err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    if (st == TC_OK && (st = atomic_file_open(&af, a.out, &err)) == TC_OK) open = 1;
    if (st == TC_OK && tc_matrix_write_header(af.fp, a.opts.percentiles, np))
        st = error_set(&err, TC_ERR_IO, a.out, 0, 0, "cannot write");
    for (size_t o0 = 0; st == TC_OK && o0 < orig->n; o0 += nb) {
        size_t n = orig->n - o0 < nb ? orig->n - o0 : nb;
        st = tc_travel_time_matrix(net, d, &a.opts, orig->lat + o0, orig->lon + o0, n, block, &err);
        for (size_t i = 0; st == TC_OK && i < n; i++)
            if (tc_matrix_write_rows(af.fp, orig->ids[o0 + i], (const char *const *)dest->ids, (uint32_t)dest->n,
                                     block + i * dest->n * np, np, 0))
                st = error_set(&err, TC_ERR_IO, a.out, 0, 0, "cannot write");
    }
    if (open) {
        if (st == TC_OK) st = atomic_file_commit(&af, &err);
        else atomic_file_abort(&af);
    }
    free(block);
    tc_destinations_free(d);
    tc_network_close(net);
    tc_points_free(orig);
    tc_points_free(dest);
    return st == TC_OK ? 0 : cli_fail(&err);
}
