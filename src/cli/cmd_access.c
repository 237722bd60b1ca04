/*
 * cmd_access.c — `tongcheng access`: for every origin, the opportunities (columns of a points CSV) reachable within
 * each cutoff at each percentile, weighted by R5's decay functions; rows id,column,cutoff,percentile,accessibility.
 * Travel times come in blocks of origins from tc_travel_time_matrix; accessibility is summed per origin.
 */
#include "cli.h"

#include "common/atomic_file.h"
#include "common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *access_usage =
    "usage: tongcheng access NET --origins O.csv --opportunities D.csv --columns jobs,population --cutoffs 30,60\n"
    "                        --date YYYY-MM-DD --window HH:MM-HH:MM -o A.csv|A.gpkg [--decay FUNCTION]\n"
    "                        [--percentiles 5,50,95] [options]\n"
    "  --columns A,B            opportunity columns of the opportunities CSV (empty / NA count as 0)\n"
    "  --cutoffs MIN,...        travel-time cutoffs\n"
    "  --decay F                step (default), logistic[:SD], exponential[:K], linear[:W] (R5's definitions)\n"
    "  output rows: id,column,cutoff,percentile,accessibility\n"
    "  -o A.gpkg                a GeoPackage instead: layer accessibility, one feature per origin (its point, or the\n"
    "                           polygon in WKT of the origins' geometry column) with a column per jobs_c30_p50\n";

#define MAX_COLUMNS 64

int cmd_access(int argc, char **argv) {
    cli_analysis a;
    cli_analysis_init(&a);
    const char *orig_path = NULL, *opp_path = NULL, *columns_s = NULL, *cutoffs_s = NULL, *decay_s = "step";
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            fputs(access_usage, stdout);
            fputs(cli_analysis_common_usage, stdout);
            return 0;
        }
        int r = cli_analysis_arg(&a, argc, argv, &i, access_usage);
        if (r > 0) return r;
        if (r == 0) continue;
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) return cli_usage(access_usage, "access: %s needs a value (or is unknown)", arg);
        i++;
        if (!strcmp(arg, "--origins")) orig_path = val;
        else if (!strcmp(arg, "--opportunities") || !strcmp(arg, "--destinations")) opp_path = val;
        else if (!strcmp(arg, "--columns")) columns_s = val;
        else if (!strcmp(arg, "--cutoffs")) cutoffs_s = val;
        else if (!strcmp(arg, "--decay")) decay_s = val;
        else return cli_usage(access_usage, "access: unknown option %s", arg);
    }
    int rc = cli_analysis_finish(&a, access_usage, 0);
    if (rc) return rc;
    if (!orig_path || !opp_path) return cli_usage(access_usage, "access: --origins and --opportunities are required");
    if (!columns_s || !*columns_s) return cli_usage(access_usage, "access: --columns is required");
    if (!cutoffs_s) return cli_usage(access_usage, "access: --cutoffs is required");
    tc_error err = {0};
    int cutoffs[TC_MAX_CUTOFFS];
    size_t n_cutoffs = 0;
    if (tc_parse_cutoffs(cutoffs_s, cutoffs, &n_cutoffs, &err) != TC_OK)
        return cli_usage(access_usage, "access: --cutoffs: %s", err.message);
    tc_decay decay;
    if (tc_decay_parse(decay_s, &decay, &err) != TC_OK)
        return cli_usage(access_usage, "access: --decay: %s", err.message);
    /* column names */
    char *cols_buf = strdup(columns_s);
    char *names[MAX_COLUMNS];
    size_t n_cols = 0;
    if (!cols_buf) return cli_fail(&err);
    for (char *tok = strtok(cols_buf, ","); tok; tok = strtok(NULL, ",")) {
        if (n_cols == MAX_COLUMNS) {
            free(cols_buf);
            return cli_usage(access_usage, "access: at most %d columns", MAX_COLUMNS);
        }
        names[n_cols++] = tok;
    }
    if (!n_cols) {
        free(cols_buf);
        return cli_usage(access_usage, "access: --columns is empty");
    }
    tc_points *orig = NULL, *opp = NULL;
    tc_network *net = NULL;
    tc_destinations *d = NULL;
    uint16_t *block = NULL;
    double *values = NULL;
    const double *cols[MAX_COLUMNS];
    atomic_file af;
    int open = 0;
    tc_access_gpkg *gpkg = NULL; /* -o FILE.gpkg */
    tc_status st = cli_points_read(orig_path, a.quiet, &orig, &err);
    if (st == TC_OK) st = cli_points_read(opp_path, a.quiet, &opp, &err);
    for (size_t c = 0; st == TC_OK && c < n_cols; c++) {
        st = tc_points_column_values(opp, names[c], a.quiet ? NULL : cli_print_finding, stderr, &cols[c], &err);
        if (st == TC_ERR_NOT_FOUND)
            st = error_set(&err, TC_ERR_NOT_FOUND, opp_path, 1, 0, "no column \"%s\" in the opportunities file",
                           names[c]);
    }
    if (st == TC_OK) st = tc_network_open(a.net, &net, &err);
    if (st == TC_OK) cli_note_walking(net, a.quiet);
    if (st == TC_OK) st = tc_destinations_create(net, &a.opts, opp->lat, opp->lon, opp->n, &d, &err);
    const size_t np = a.opts.n_percentiles;
    const size_t nb = st == TC_OK ? cli_origin_block(opp->n, np) : 0;
    if (st == TC_OK) {
        size_t rows = nb < orig->n ? nb : orig->n;
        block = malloc((rows * opp->n * np + 1) * sizeof *block);
        values = malloc((n_cols * n_cutoffs * np + 1) * sizeof *values);
        if (!block || !values) st = error_set(&err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    if (st == TC_OK && tc_gpkg_path(a.out))
        st = tc_access_gpkg_begin(a.out, (const char *const *)names, n_cols, cutoffs, n_cutoffs, a.opts.percentiles, np,
                                  orig->wkt != NULL, &gpkg, &err);
    else if (st == TC_OK && (st = atomic_file_open(&af, a.out, &err)) == TC_OK) open = 1;
    if (st == TC_OK && open && tc_access_write_header(af.fp))
        st = error_set(&err, TC_ERR_IO, a.out, 0, 0, "cannot write");
    for (size_t o0 = 0; st == TC_OK && o0 < orig->n; o0 += nb) {
        size_t n = orig->n - o0 < nb ? orig->n - o0 : nb;
        st = tc_travel_time_matrix(net, d, &a.opts, orig->lat + o0, orig->lon + o0, n, block, &err);
        for (size_t i = 0; st == TC_OK && i < n; i++) {
            st = tc_accessibility(block + i * opp->n * np, (uint32_t)opp->n, np, cols, n_cols, cutoffs, n_cutoffs,
                                  &decay, values, &err);
            if (st == TC_OK && gpkg)
                st = tc_access_gpkg_row(gpkg, orig->ids[o0 + i], orig->lat[o0 + i], orig->lon[o0 + i],
                                        orig->wkt ? orig->wkt[o0 + i] : NULL, values, &err);
            else if (st == TC_OK && tc_access_write_rows(af.fp, orig->ids[o0 + i], (const char *const *)names, n_cols,
                                                         cutoffs, n_cutoffs, a.opts.percentiles, np, values))
                st = error_set(&err, TC_ERR_IO, a.out, 0, 0, "cannot write");
        }
    }
    if (open) {
        if (st == TC_OK) st = atomic_file_commit(&af, &err);
        else atomic_file_abort(&af);
    }
    if (gpkg) {
        if (st == TC_OK) st = tc_access_gpkg_commit(gpkg, &err);
        else tc_access_gpkg_abort(gpkg);
    }
    free(block);
    free(values);
    free(cols_buf);
    tc_destinations_free(d);
    tc_network_close(net);
    tc_points_free(orig);
    tc_points_free(opp);
    return st == TC_OK ? 0 : cli_fail(&err);
}
