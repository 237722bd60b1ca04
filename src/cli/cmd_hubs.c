/*
 * cmd_hubs.c — `tongcheng hubs`: freight hub catchments (a thin layer over tc_hub_catchments): per hub and cutoff the
 * population, jobs and cells its trucks reach; the overlap between hubs; per cell the nearest hub of each type;
 * the distribution tier check; a GeoJSON of the hubs with their figures and catchment polygons (the files are
 * tc_hub_result_write's, each written to a temporary name and renamed).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char hubs_usage[] =
    "usage: tongcheng hubs NET --hubs HUBS.csv --cutoffs 30,60,90 --date YYYY-MM-DD --time HH:MM -o PREFIX\n"
    "                      [--population GRID.csv [--population-column population] [--jobs-column jobs]]\n"
    "                      [--tiers terminal,common,regional --tier-minutes 30,60] [--modes truck|car] [--no-geojson]\n"
    "  HUBS.csv: id,name,lat,lon,type. Writes PREFIX.catchments.csv (hub_id,name,type,cutoff_min,cells,population,\n"
    "  jobs, share of the grid), PREFIX.overlap.csv (hub_a,hub_b,cutoff_min,population in both),\n"
    "  PREFIX.nearest.csv (cell id, then minutes from the nearest hub of each type), PREFIX.tiers.csv\n"
    "  (hub_id,type,next_tier,minutes,limit,ok) and PREFIX.geojson (hubs and their truck catchments).\n"
    "  Travel by truck (default vehicle, see --help of street) leaving each hub at --time on --date.\n";

static int parse_list(const char *s, char out[3][48], int max) {
    int n = 0;
    const char *p = s;
    while (*p && n < max) {
        size_t l = strcspn(p, ",");
        if (l == 0 || l >= 48) return -1;
        memcpy(out[n], p, l);
        out[n][l] = 0;
        n++;
        p += l;
        if (*p == ',') p++;
    }
    return *p ? -1 : n;
}

int cmd_hubs(int argc, char **argv) {
    cli_analysis a;
    cli_analysis_init(&a);
    a.opts.street_only = 1;
    a.opts.mode = TC_MODE_TRUCK;
    const char *hubs_path = NULL, *pop_path = NULL, *cutoffs_s = NULL, *tiers_s = NULL, *tier_min_s = NULL;
    const char *pop_col = "population", *jobs_col = "jobs";
    int geojson = 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            fputs(hubs_usage, stdout);
            fputs(cli_analysis_common_usage, stdout);
            return 0;
        }
        if (!strcmp(arg, "--no-geojson")) {
            geojson = 0;
            continue;
        }
        int r = cli_analysis_arg(&a, argc, argv, &i, hubs_usage);
        if (r > 0) return r;
        if (r == 0) continue;
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) return cli_usage(hubs_usage, "hubs: %s needs a value (or is unknown)", arg);
        i++;
        if (!strcmp(arg, "--hubs")) hubs_path = val;
        else if (!strcmp(arg, "--population")) pop_path = val;
        else if (!strcmp(arg, "--population-column")) pop_col = val;
        else if (!strcmp(arg, "--jobs-column")) jobs_col = val;
        else if (!strcmp(arg, "--cutoffs")) cutoffs_s = val;
        else if (!strcmp(arg, "--tiers")) tiers_s = val;
        else if (!strcmp(arg, "--tier-minutes")) tier_min_s = val;
        else return cli_usage(hubs_usage, "hubs: unknown option %s", arg);
    }
    int rc = cli_analysis_finish(&a, hubs_usage, 1);
    if (rc) return rc;
    if (!a.opts.street_only) return cli_usage(hubs_usage, "hubs: catchments are by road (--modes truck or car)");
    if (!hubs_path) return cli_usage(hubs_usage, "hubs: --hubs is required");
    if (!cutoffs_s) return cli_usage(hubs_usage, "hubs: --cutoffs is required");
    tc_error err = {0};
    int cutoffs[TC_MAX_CUTOFFS];
    size_t n_cutoffs = 0;
    if (tc_parse_cutoffs(cutoffs_s, cutoffs, &n_cutoffs, &err) != TC_OK)
        return cli_usage(hubs_usage, "hubs: --cutoffs: %s", err.message);
    for (size_t k = 0; k < n_cutoffs; k++)
        if (cutoffs[k] < 1) return cli_usage(hubs_usage, "hubs: --cutoffs: each at least 1 minute");
    tc_hub_query q = {0};
    q.analysis = a.opts;
    q.cutoffs_min = cutoffs;
    q.n_cutoffs = n_cutoffs;
    char tiers[3][48];
    if (tiers_s) {
        if (parse_list(tiers_s, tiers, 3) != 3)
            return cli_usage(hubs_usage, "hubs: --tiers expects three hub types, lowest first (terminal,common,regional)");
        int m0 = 0, m1 = 0;
        if (!tier_min_s || sscanf(tier_min_s, "%d,%d", &m0, &m1) != 2 || m0 < 1 || m1 < 1 || m0 > 1440 || m1 > 1440)
            return cli_usage(hubs_usage, "hubs: --tiers needs --tier-minutes N,M (1…1440)");
        for (int t = 0; t < 3; t++) q.tier_type[t] = tiers[t];
        q.tier_minutes[0] = m0;
        q.tier_minutes[1] = m1;
    }
    tc_hub *hubs = NULL;
    size_t n_hubs = 0;
    tc_points *pop = NULL;
    tc_network *net = NULL;
    tc_hub_result *res = NULL;
    rc = 1;
    if (tc_hubs_read(hubs_path, &hubs, &n_hubs, &err) != TC_OK) goto fail;
    if (pop_path) {
        if (cli_points_read(pop_path, a.quiet, &pop, &err) != TC_OK) goto fail;
        q.cell_lat = pop->lat;
        q.cell_lon = pop->lon;
        q.n_cells = pop->n;
        if (tc_points_column_values(pop, pop_col, NULL, NULL, &q.population, &err) != TC_OK) goto fail;
        tc_error e2 = {0};
        if (tc_points_column_values(pop, jobs_col, NULL, NULL, &q.jobs, &e2) != TC_OK) {
            if (e2.code != TC_ERR_NOT_FOUND) {
                err = e2;
                goto fail;
            }
            q.jobs = NULL;
            if (!a.quiet) fprintf(stderr, "%s: hubs: %s has no %s column: jobs are not counted\n", cli_program, pop_path,
                                  jobs_col);
        }
    }
    if (tc_network_open(a.net, &net, &err) != TC_OK) goto fail;
    if (tc_hub_catchments(net, hubs, n_hubs, &q, &res, &err) != TC_OK) goto fail;
    if (tc_hub_result_write(net, hubs, &q, res, pop ? (const char *const *)pop->ids : NULL, a.out, geojson, &err))
        goto fail;
    rc = 0;
fail:
    if (rc) rc = cli_fail(&err);
    tc_hub_result_free(res);
    tc_network_close(net);
    tc_points_free(pop);
    free(hubs);
    return rc;
}
