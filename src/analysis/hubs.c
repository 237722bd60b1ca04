/*
 * hubs.c — freight hub catchments: for each hub, the origin cells its trucks reach within each cutoff, the people
 * and jobs there, the overlap between hubs, per cell the nearest hub of each type, and the distribution tiers
 * (terminal points near a common centre, common centres near a regional centre).
 *
 * All times come from one travel-time matrix from the hubs to the cells and to the hubs themselves
 * (tc_travel_time_matrix, street-only, over the truck's view of the streets), so a catchment is exactly what
 * `matrix --modes truck` says; goods flow outwards, so times run from the hub. "Within a cutoff" is travel time <
 * cutoff, as `access` counts with the step function. The figures are sums over the matrix; nothing is estimated.
 */
#include "tongcheng.h"
#include "common/error.h"
#include "common/csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tc_hub_result_free(tc_hub_result *r) {
    if (!r) return;
    free(r->types);
    free(r->hub_cell_min);
    free(r->hub_hub_min);
    free(r->pop);
    free(r->jobs);
    free(r->cells);
    free(r->pop_any);
    free(r->jobs_any);
    free(r->pop_type);
    free(r->overlap_pop);
    free(r->nearest_min);
    free(r->tier_min);
    free(r->tier_ok);
    free(r);
}

static void copy_cell(const csv_reader *c, int col, char *buf, size_t n) {
    size_t len = 0;
    const char *s = csv_reader_get(c, col, &len);
    if (len >= n) len = n - 1;
    memcpy(buf, s, len);
    buf[len] = 0;
}

static int parse_deg(const char *s, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

tc_status tc_hubs_read(const char *path, tc_hub **hubs_out, size_t *n_out, tc_error *err) {
    *hubs_out = NULL;
    *n_out = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, TC_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    csv_file cf = {f, path};
    csv_reader c;
    tc_status st = csv_reader_open(&c, path, csv_file_read, &cf, NULL, err);
    if (st) {
        fclose(f);
        return st;
    }
    int c_id = csv_reader_col(&c, "id"), c_name = csv_reader_col(&c, "name"), c_lat = csv_reader_col(&c, "lat"),
        c_lon = csv_reader_col(&c, "lon"), c_type = csv_reader_col(&c, "type");
    tc_hub *hubs = NULL;
    size_t n = 0, hcap = 0;
    if (c_id < 0 || c_lat < 0 || c_lon < 0 || c_type < 0) {
        st = error_set(err, TC_ERR_PARSE, path, 1, 0, "expected a header with columns id, name, lat, lon, type");
        goto done;
    }
    int r;
    while ((r = csv_reader_next(&c)) == 1) {
        if (n == hcap) {
            hcap = hcap ? hcap * 2 : 16;
            tc_hub *h = realloc(hubs, hcap * sizeof *h);
            if (!h) {
                st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
                goto done;
            }
            hubs = h;
        }
        tc_hub *h = &hubs[n];
        char lat[64], lon[64];
        copy_cell(&c, c_id, h->id, sizeof h->id);
        copy_cell(&c, c_name, h->name, sizeof h->name);
        copy_cell(&c, c_type, h->type, sizeof h->type);
        copy_cell(&c, c_lat, lat, sizeof lat);
        copy_cell(&c, c_lon, lon, sizeof lon);
        if (!h->id[0]) {
            st = error_set(err, TC_ERR_PARSE, path, c.row_line, c_id + 1, "empty id");
            goto done;
        }
        if (!h->type[0]) {
            st = error_set(err, TC_ERR_PARSE, path, c.row_line, c_type + 1, "empty type (e.g. regional, common, terminal)");
            goto done;
        }
        if (parse_deg(lat, -90, 90, &h->lat)) {
            st = error_set(err, TC_ERR_PARSE, path, c.row_line, c_lat + 1, "lat: expected degrees -90…90, not \"%s\"", lat);
            goto done;
        }
        if (parse_deg(lon, -180, 180, &h->lon)) {
            st = error_set(err, TC_ERR_PARSE, path, c.row_line, c_lon + 1, "lon: expected degrees -180…180, not \"%s\"",
                           lon);
            goto done;
        }
        for (size_t k = 0; k < n; k++)
            if (!strcmp(hubs[k].id, h->id)) {
                st = error_set(err, TC_ERR_PARSE, path, c.row_line, c_id + 1, "duplicate hub id \"%s\"", h->id);
                goto done;
            }
        n++;
    }
    if (r < 0) {
        st = csv_reader_status(&c, err);
        goto done;
    }
    if (n == 0) st = error_set(err, TC_ERR_PARSE, path, 0, 0, "no hubs in the file");
done:
    csv_reader_close(&c);
    fclose(f);
    if (st != TC_OK) {
        free(hubs);
        return st;
    }
    *hubs_out = hubs;
    *n_out = n;
    return TC_OK;
}

static long type_index(const tc_hub_result *r, const char *type) {
    for (size_t t = 0; t < r->n_types; t++)
        if (!strcmp(r->types[t], type)) return (long)t;
    return -1;
}

tc_status tc_hub_catchments(const tc_network *net, const tc_hub *hubs, size_t n_hubs, const tc_hub_query *q,
                            tc_hub_result **out, tc_error *err) {
    *out = NULL;
    if (!net || !hubs || !n_hubs || !q || (q->n_cells && (!q->cell_lat || !q->cell_lon)))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "tc_hub_catchments: missing argument");
    if (q->n_cutoffs == 0 || q->n_cutoffs > 16)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "give 1 to 16 cutoffs");
    int max_min = 0;
    for (size_t k = 0; k < q->n_cutoffs; k++) {
        if (q->cutoffs_min[k] < 1 || q->cutoffs_min[k] > 1440)
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "cutoff %d min is not within 1…1440",
                             q->cutoffs_min[k]);
        if (q->cutoffs_min[k] > max_min) max_min = q->cutoffs_min[k];
    }
    for (int k = 0; k < 2; k++)
        if (q->tier_type[0] && q->tier_minutes[k] > max_min) max_min = q->tier_minutes[k];
    size_t nd = q->n_cells + n_hubs;
    tc_hub_result *r = calloc(1, sizeof *r);
    double *lat = malloc(nd * sizeof *lat), *lon = malloc(nd * sizeof *lon), *hl = malloc(n_hubs * sizeof *hl),
           *ho = malloc(n_hubs * sizeof *ho);
    uint16_t *tt = malloc(n_hubs * nd * sizeof *tt);
    tc_destinations *dest = NULL;
    tc_status st = TC_OK;
    if (!r || !lat || !lon || !hl || !ho || !tt) goto oom;
    r->n_hubs = n_hubs;
    r->n_cells = q->n_cells;
    r->n_cutoffs = q->n_cutoffs;
    r->types = calloc(n_hubs, sizeof *r->types);
    if (!r->types) goto oom;
    for (size_t h = 0; h < n_hubs; h++)
        if (type_index(r, hubs[h].type) < 0) memcpy(r->types[r->n_types++], hubs[h].type, sizeof r->types[0]);
    for (size_t c = 0; c < q->n_cells; c++) lat[c] = q->cell_lat[c], lon[c] = q->cell_lon[c];
    for (size_t h = 0; h < n_hubs; h++) {
        lat[q->n_cells + h] = hl[h] = hubs[h].lat;
        lon[q->n_cells + h] = ho[h] = hubs[h].lon;
    }
    tc_analysis_options o = q->analysis;
    o.percentiles[0] = 50;
    o.n_percentiles = 1;
    if (o.max_duration_min < max_min) o.max_duration_min = max_min;
    if (o.street_only && o.window_end > o.window_start + 60) o.window_end = o.window_start + 60;
    st = tc_destinations_create(net, &o, lat, lon, nd, &dest, err);
    if (st == TC_OK) st = tc_travel_time_matrix(net, dest, &o, hl, ho, n_hubs, tt, err);
    if (st != TC_OK) goto fail;

    size_t H = n_hubs, C = q->n_cells, K = q->n_cutoffs, T = r->n_types;
    r->hub_cell_min = malloc((H * C + 1) * sizeof *r->hub_cell_min);
    r->hub_hub_min = malloc(H * H * sizeof *r->hub_hub_min);
    r->pop = calloc(H * K, sizeof *r->pop);
    r->jobs = calloc(H * K, sizeof *r->jobs);
    r->cells = calloc(H * K, sizeof *r->cells);
    r->pop_any = calloc(K, sizeof *r->pop_any);
    r->jobs_any = calloc(K, sizeof *r->jobs_any);
    r->pop_type = calloc(T * K, sizeof *r->pop_type);
    r->overlap_pop = calloc(H * H * K, sizeof *r->overlap_pop);
    r->nearest_min = malloc((C * T + 1) * sizeof *r->nearest_min);
    r->tier_min = malloc(H * sizeof *r->tier_min);
    r->tier_ok = malloc(H * sizeof *r->tier_ok);
    if (!r->hub_cell_min || !r->hub_hub_min || !r->pop || !r->jobs || !r->cells || !r->pop_any || !r->jobs_any ||
        !r->pop_type || !r->overlap_pop || !r->nearest_min || !r->tier_min || !r->tier_ok)
        goto oom;
    for (size_t h = 0; h < H; h++) {
        memcpy(r->hub_cell_min + h * C, tt + h * nd, C * sizeof *tt);
        memcpy(r->hub_hub_min + h * H, tt + h * nd + C, H * sizeof *tt);
        r->hub_hub_min[h * H + h] = 0;
    }
    for (size_t i = 0; i < C * T; i++) r->nearest_min[i] = TC_UNREACHED_MIN;
    long *type_of = malloc(H * sizeof *type_of);
    uint8_t *in = malloc(H + 1), *in_type = malloc(T + 1);
    if (!type_of || !in || !in_type) {
        free(type_of), free(in), free(in_type);
        goto oom;
    }
    for (size_t h = 0; h < H; h++) type_of[h] = type_index(r, hubs[h].type);
    for (size_t c = 0; c < C; c++) {
        double p = q->population ? q->population[c] : 0, j = q->jobs ? q->jobs[c] : 0;
        r->total_pop += p;
        r->total_jobs += j;
        for (size_t h = 0; h < H; h++) {
            uint16_t m = r->hub_cell_min[h * C + c];
            uint16_t *nm = &r->nearest_min[c * T + (size_t)type_of[h]];
            if (m < *nm) *nm = m;
        }
        for (size_t k = 0; k < K; k++) {
            int any = 0;
            memset(in_type, 0, T);
            for (size_t h = 0; h < H; h++) {
                uint16_t m = r->hub_cell_min[h * C + c];
                in[h] = m != TC_UNREACHED_MIN && m < q->cutoffs_min[k];
                if (!in[h]) continue;
                any = 1;
                in_type[type_of[h]] = 1;
                r->pop[h * K + k] += p;
                r->jobs[h * K + k] += j;
                r->cells[h * K + k]++;
            }
            if (any) r->pop_any[k] += p, r->jobs_any[k] += j;
            for (size_t t = 0; t < T; t++)
                if (in_type[t]) r->pop_type[t * K + k] += p;
            if (p == 0) continue;
            for (size_t a = 0; a < H; a++)
                if (in[a])
                    for (size_t b = 0; b < H; b++)
                        if (in[b]) r->overlap_pop[(a * H + b) * K + k] += p;
        }
    }
    /* tiers: from the nearest hub of the next tier up */
    for (size_t h = 0; h < H; h++) {
        r->tier_min[h] = UINT16_MAX;
        r->tier_ok[h] = -1;
        if (!q->tier_type[0]) continue;
        for (int lvl = 0; lvl < 2; lvl++) {
            if (!q->tier_type[lvl] || !q->tier_type[lvl + 1] || strcmp(hubs[h].type, q->tier_type[lvl])) continue;
            for (size_t u = 0; u < H; u++)
                if (!strcmp(hubs[u].type, q->tier_type[lvl + 1]) && r->hub_hub_min[u * H + h] < r->tier_min[h])
                    r->tier_min[h] = r->hub_hub_min[u * H + h];
            r->tier_ok[h] = r->tier_min[h] != TC_UNREACHED_MIN && r->tier_min[h] <= q->tier_minutes[lvl];
        }
    }
    free(type_of);
    free(in);
    free(in_type);
    tc_destinations_free(dest);
    free(lat), free(lon), free(hl), free(ho), free(tt);
    *out = r;
    return TC_OK;
oom:
    st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (hub catchments)");
fail:
    tc_destinations_free(dest);
    free(lat), free(lon), free(hl), free(ho), free(tt);
    tc_hub_result_free(r);
    return st;
}
