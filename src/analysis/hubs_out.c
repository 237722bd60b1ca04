/*
 * hubs_out.c — the files of a hub-catchment run (tc_hub_result_write in tongcheng.h; `tongcheng hubs`): four CSV
 * tables (catchments, overlap, nearest hub per cell, tiers) and a GeoJSON of the hubs with their figures and
 * catchment polygons. The tables are written to temporary names and renamed together once all are complete.
 */
#include "tongcheng.h"
#include "common/atomic_file.h"
#include "common/csv_out.h"
#include "common/error.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void csv_field(FILE *f, const char *s) { csv_put_field(f, s); }

static void minutes(FILE *f, uint16_t m) {
    if (m == TC_UNREACHED_MIN) fputs("", f);
    else fprintf(f, "%u", m);
}

static tc_status open_out(atomic_file *af, const char *prefix, const char *suffix, tc_error *err) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s%s", prefix, suffix) >= (int)sizeof path)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "output prefix too long");
    return atomic_file_open(af, path, err);
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
        st = s ? atomic_file_write_all(path, s, strlen(s), err) : error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        cJSON_free(s);
    }
    cJSON_Delete(fc);
    return st;
}

/* The four tables: catchments per hub and cutoff (and per type, and all hubs), the population two hubs both cover,
 * each cell's minutes to the nearest hub of each type, and the tier check. */
static void write_tables(atomic_file *f1, atomic_file *f2, atomic_file *f3, atomic_file *f4,
                         const tc_hub *hubs, const tc_hub_result *res, const tc_hub_query *q,
                         const char *const *cell_ids) {
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
        csv_field(f3->fp, cell_ids[c]);
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

tc_status tc_hub_result_write(const tc_network *net, const tc_hub *hubs, const tc_hub_query *q,
                              const tc_hub_result *r, const char *const *cell_ids, const char *prefix, int polygons,
                              tc_error *err) {
    if (r->n_cells && !cell_ids)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "tc_hub_result_write: the cells' ids are missing");
    atomic_file f1 = {0}, f2 = {0}, f3 = {0}, f4 = {0};
    tc_status st;
    if ((st = open_out(&f1, prefix, ".catchments.csv", err)) || (st = open_out(&f2, prefix, ".overlap.csv", err)) ||
        (st = open_out(&f3, prefix, ".nearest.csv", err)) || (st = open_out(&f4, prefix, ".tiers.csv", err)))
        goto fail;
    write_tables(&f1, &f2, &f3, &f4, hubs, r, q, cell_ids);
    if ((st = atomic_file_commit(&f1, err)) || (st = atomic_file_commit(&f2, err)) || (st = atomic_file_commit(&f3, err)) ||
        (st = atomic_file_commit(&f4, err)))
        goto fail;
    return write_geojson(net, &q->analysis, hubs, r, q->cutoffs_min, prefix, polygons, err);
fail:
    atomic_file_abort(&f1), atomic_file_abort(&f2), atomic_file_abort(&f3), atomic_file_abort(&f4);
    return st;
}
