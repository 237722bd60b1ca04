/*
 * cmd_hubs.c — `tongcheng hubs`: freight hub catchments (a thin layer over tc_hub_catchments): per hub and cutoff the
 * population, jobs and cells its trucks reach; the overlap between hubs; per cell the nearest hub of each type;
 * the distribution tier check; a GeoJSON of the hubs with their figures and catchment polygons. Every file is
 * written to a temporary name and renamed, so a failed run leaves none half-written.
 */
#include "cli.h"

#include "common/atomic_file.h"
#include "common/error.h"

#include <cjson/cJSON.h>
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

static void csv_field(FILE *f, const char *s) {
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void minutes(FILE *f, uint16_t m) {
    if (m == TC_UNREACHED_MIN) fputs("", f);
    else fprintf(f, "%u", m);
}

static tc_status open_out(tc_atomic_file *af, const char *prefix, const char *suffix, tc_error *err) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s%s", prefix, suffix) >= (int)sizeof path)
        return tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "output prefix too long");
    return tc_atomic_open(af, path, err);
}

static tc_status write_geojson(const tc_network *net, const tc_analysis_options *opts, const tc_hub *hubs,
                               const tc_hub_result *r, const int *cutoffs, const char *prefix, int polygons,
                               tc_error *err) {
    cJSON *fc = cJSON_CreateObject(), *feats = cJSON_AddArrayToObject(fc, "features");
    cJSON_AddStringToObject(fc, "type", "FeatureCollection");
    tc_status st = TC_OK;
    for (size_t h = 0; h < r->n_hubs && st == TC_OK; h++) {
        cJSON *f = cJSON_CreateObject(), *g = cJSON_AddObjectToObject(f, "geometry"), *pr;
        cJSON_AddStringToObject(f, "type", "Feature");
        cJSON_AddStringToObject(g, "type", "Point");
        cJSON *c = cJSON_AddArrayToObject(g, "coordinates");
        cJSON_AddItemToArray(c, cJSON_CreateNumber(hubs[h].lon));
        cJSON_AddItemToArray(c, cJSON_CreateNumber(hubs[h].lat));
        pr = cJSON_AddObjectToObject(f, "properties");
        cJSON_AddStringToObject(pr, "hub_id", hubs[h].id);
        cJSON_AddStringToObject(pr, "name", hubs[h].name);
        cJSON_AddStringToObject(pr, "type", hubs[h].type);
        for (size_t k = 0; k < r->n_cutoffs; k++) {
            char key[48];
            snprintf(key, sizeof key, "population_%dmin", cutoffs[k]);
            cJSON_AddNumberToObject(pr, key, (double)(long long)(r->pop[h * r->n_cutoffs + k] + 0.5));
            snprintf(key, sizeof key, "jobs_%dmin", cutoffs[k]);
            cJSON_AddNumberToObject(pr, key, (double)(long long)(r->jobs[h * r->n_cutoffs + k] + 0.5));
        }
        if (r->tier_ok[h] >= 0) cJSON_AddBoolToObject(pr, "tier_ok", r->tier_ok[h]);
        cJSON_AddItemToArray(feats, f);
        if (!polygons) continue;
        char *iso = NULL;
        st = tc_isochrones(net, opts, hubs[h].lat, hubs[h].lon, cutoffs, r->n_cutoffs, 0, &iso, err);
        if (st != TC_OK) break;
        cJSON *ij = cJSON_Parse(iso);
        tc_free(iso);
        cJSON *ifs = cJSON_GetObjectItem(ij, "features"), *it;
        cJSON_ArrayForEach(it, ifs) {
            cJSON *dup = cJSON_Duplicate(it, 1), *p = cJSON_GetObjectItem(dup, "properties");
            if (p) {
                cJSON_AddStringToObject(p, "hub_id", hubs[h].id);
                cJSON_AddStringToObject(p, "type", hubs[h].type);
            }
            cJSON_AddItemToArray(feats, dup);
        }
        cJSON_Delete(ij);
    }
    if (st == TC_OK) {
        char *s = cJSON_PrintUnformatted(fc);
        char path[4096];
        snprintf(path, sizeof path, "%s.geojson", prefix);
        st = s ? tc_atomic_write_all(path, s, strlen(s), err) : tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        cJSON_free(s);
    }
    cJSON_Delete(fc);
    return st;
}

/* The four tables: catchments per hub and cutoff (and per type, and all hubs), the population two hubs both cover,
 * each cell's minutes to the nearest hub of each type, and the tier check. */
static void write_tables(tc_atomic_file *f1, tc_atomic_file *f2, tc_atomic_file *f3, tc_atomic_file *f4,
                         const tc_hub *hubs, const tc_hub_result *res, const tc_hub_query *q, const tc_points *pop) {
    size_t H = res->n_hubs, K = res->n_cutoffs, T = res->n_types, C = res->n_cells;
    fputs("hub_id,name,type,cutoff_min,cells,population,jobs,population_share\n", f1->fp);
    for (size_t h = 0; h < H; h++)
        for (size_t k = 0; k < K; k++) {
            csv_field(f1->fp, hubs[h].id);
            fputc(',', f1->fp);
            csv_field(f1->fp, hubs[h].name);
            fputc(',', f1->fp);
            csv_field(f1->fp, hubs[h].type);
            fprintf(f1->fp, ",%d,%u,%.0f,%.0f,%.4f\n", q->cutoffs_min[k], res->cells[h * K + k], res->pop[h * K + k],
                    res->jobs[h * K + k], res->total_pop > 0 ? res->pop[h * K + k] / res->total_pop : 0.0);
        }
    for (size_t k = 0; k < K; k++)
        fprintf(f1->fp, "*,all hubs,*,%d,,%.0f,%.0f,%.4f\n", q->cutoffs_min[k], res->pop_any[k], res->jobs_any[k],
                res->total_pop > 0 ? res->pop_any[k] / res->total_pop : 0.0);
    for (size_t t = 0; t < T; t++)
        for (size_t k = 0; k < K; k++) {
            fputs("*,all of type,", f1->fp);
            csv_field(f1->fp, res->types[t]);
            fprintf(f1->fp, ",%d,,%.0f,,%.4f\n", q->cutoffs_min[k], res->pop_type[t * K + k],
                    res->total_pop > 0 ? res->pop_type[t * K + k] / res->total_pop : 0.0);
        }
    fputs("hub_a,hub_b,cutoff_min,population_both\n", f2->fp);
    for (size_t x = 0; x < H; x++)
        for (size_t y = x + 1; y < H; y++)
            for (size_t k = 0; k < K; k++) {
                double both = res->overlap_pop[(x * H + y) * K + k];
                if (both <= 0) continue;
                csv_field(f2->fp, hubs[x].id);
                fputc(',', f2->fp);
                csv_field(f2->fp, hubs[y].id);
                fprintf(f2->fp, ",%d,%.0f\n", q->cutoffs_min[k], both);
            }
    fputs("id", f3->fp);
    for (size_t t = 0; t < T; t++) {
        fputs(",min_to_", f3->fp);
        csv_field(f3->fp, res->types[t]);
    }
    fputc('\n', f3->fp);
    for (size_t c = 0; c < C; c++) {
        csv_field(f3->fp, pop->ids[c]);
        for (size_t t = 0; t < T; t++) {
            fputc(',', f3->fp);
            minutes(f3->fp, res->nearest_min[c * T + t]);
        }
        fputc('\n', f3->fp);
    }
    fputs("hub_id,type,next_tier,minutes,limit_min,ok\n", f4->fp);
    for (size_t h = 0; h < H; h++) {
        if (res->tier_ok[h] < 0) continue;
        int lvl = !strcmp(hubs[h].type, q->tier_type[0]) ? 0 : 1;
        csv_field(f4->fp, hubs[h].id);
        fputc(',', f4->fp);
        csv_field(f4->fp, hubs[h].type);
        fputc(',', f4->fp);
        csv_field(f4->fp, q->tier_type[lvl + 1]);
        fputc(',', f4->fp);
        minutes(f4->fp, res->tier_min[h]);
        fprintf(f4->fp, ",%d,%s\n", q->tier_minutes[lvl], res->tier_ok[h] ? "yes" : "no");
    }
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
    tc_atomic_file f1 = {0}, f2 = {0}, f3 = {0}, f4 = {0};
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
    if (open_out(&f1, a.out, ".catchments.csv", &err) || open_out(&f2, a.out, ".overlap.csv", &err) ||
        open_out(&f3, a.out, ".nearest.csv", &err) || open_out(&f4, a.out, ".tiers.csv", &err))
        goto fail;
    write_tables(&f1, &f2, &f3, &f4, hubs, res, &q, pop);
    if (tc_atomic_commit(&f1, &err) || tc_atomic_commit(&f2, &err) || tc_atomic_commit(&f3, &err) ||
        tc_atomic_commit(&f4, &err))
        goto fail;
    if (write_geojson(net, &a.opts, hubs, res, cutoffs, a.out, geojson, &err) != TC_OK) goto fail;
    rc = 0;
fail:
    if (rc) {
        tc_atomic_abort(&f1), tc_atomic_abort(&f2), tc_atomic_abort(&f3), tc_atomic_abort(&f4);
        rc = cli_fail(&err);
    }
    tc_hub_result_free(res);
    tc_network_close(net);
    tc_points_free(pop);
    free(hubs);
    return rc;
}
