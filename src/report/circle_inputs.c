/*
 * circle_inputs.c — the report's input tables: places / cores CSVs (read with the common RFC 4180 CSV reader,
 * common/csv.h, so quoting, BOMs and CRLF behave as everywhere else) and the population grid (the analysis stage's
 * points CSV, the r5r model).
 */
#include "report/circle.h"
#include "analysis/points.h"
#include "common/csv.h"
#include "common/json_file.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void circle_places_free(circle_places *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].id);
        free(p->v[i].name);
        free(p->v[i].name_zh);
        free(p->v[i].kind);
    }
    free(p->v);
    p->v = NULL;
    p->n = 0;
}

static int parse_coord(const char *s, double lo, double hi, double *out) {
    char *end;
    if (!*s) return -1;
    double v = strtod(s, &end);
    if (*end || !isfinite(v) || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

/* A trimmed cell copied into buf (the reader's cells are trimmed by length, not NUL-terminated at the trim). */
static const char *cell(const csv_reader *c, int col, char *buf, size_t n) {
    size_t len = 0;
    const char *s = csv_reader_get(c, col, &len);
    if (len >= n) len = n - 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

tc_status circle_places_parse(const char *name, const char *text, size_t len, circle_places *out, tc_error *err) {
    memset(out, 0, sizeof *out);
    csv_membuf mb = {text, len, 0, 0};
    csv_reader c;
    tc_status st = csv_reader_open(&c, name, csv_membuf_read, &mb, NULL, err);
    if (st) return st;
    int c_id = csv_reader_col(&c, "id"), c_name = csv_reader_col(&c, "name"), c_zh = csv_reader_col(&c, "name_zh");
    int c_lat = csv_reader_col(&c, "lat"), c_lon = csv_reader_col(&c, "lon"), c_kind = csv_reader_col(&c, "kind");
    int c_apx = csv_reader_col(&c, "approximate");
    if (c_lon < 0) c_lon = csv_reader_col(&c, "lng");
    if (c_id < 0 || c_lat < 0 || c_lon < 0) {
        csv_reader_close(&c);
        return error_set(err, TC_ERR_PARSE, name, 1, 0, "expected a header with columns id, lat, lon (and name)");
    }
    size_t cap = 0;
    int r;
    while ((r = csv_reader_next(&c)) == 1) {
        char b_id[256], b_lat[64], b_lon[64], b_name[512], b_zh[512], b_kind[64], b_apx[16];
        const char *id = cell(&c, c_id, b_id, sizeof b_id), *lat = cell(&c, c_lat, b_lat, sizeof b_lat),
                   *lon = cell(&c, c_lon, b_lon, sizeof b_lon);
        circle_place pl = {0};
        if (!*id) {
            st = error_set(err, TC_ERR_PARSE, name, c.row_line, c_id + 1, "empty id");
            break;
        }
        if (parse_coord(lat, -90, 90, &pl.lat)) {
            st = error_set(err, TC_ERR_PARSE, name, c.row_line, c_lat + 1, "lat: expected degrees between -90 and 90, "
                           "not \"%s\"", lat);
            break;
        }
        if (parse_coord(lon, -180, 180, &pl.lon)) {
            st = error_set(err, TC_ERR_PARSE, name, c.row_line, c_lon + 1, "lon: expected degrees between -180 and "
                           "180, not \"%s\"", lon);
            break;
        }
        for (size_t i = 0; i < out->n; i++)
            if (!strcmp(out->v[i].id, id)) {
                st = error_set(err, TC_ERR_PARSE, name, c.row_line, c_id + 1, "duplicate id \"%s\"", id);
                break;
            }
        if (st) break;
        const char *nm = cell(&c, c_name, b_name, sizeof b_name);
        pl.id = strdup(id);
        pl.name = strdup(*nm ? nm : id);
        pl.name_zh = strdup(cell(&c, c_zh, b_zh, sizeof b_zh));
        pl.kind = strdup(cell(&c, c_kind, b_kind, sizeof b_kind));
        pl.approximate = atoi(cell(&c, c_apx, b_apx, sizeof b_apx)) != 0;
        if (out->n == cap) {
            cap = cap ? 2 * cap : 16;
            circle_place *nv = realloc(out->v, cap * sizeof *nv);
            if (!nv) {
                free(pl.id), free(pl.name), free(pl.name_zh), free(pl.kind);
                st = error_set(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
                break;
            }
            out->v = nv;
        }
        out->v[out->n++] = pl;
        if (!pl.id || !pl.name || !pl.name_zh || !pl.kind) {
            st = error_set(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
            break;
        }
    }
    if (!st && r < 0) st = csv_reader_status(&c, err);
    csv_reader_close(&c);
    if (!st && out->n == 0) st = error_set(err, TC_ERR_PARSE, name, 0, 0, "no places in the file");
    if (st) circle_places_free(out);
    return st;
}

tc_status circle_places_read(const char *path, circle_places *out, tc_error *err) {
    char *text = NULL;
    size_t len = 0;
    tc_status st = skj_read_file(path, &text, &len, err);
    if (st) return st;
    st = circle_places_parse(path, text, len, out, err);
    free(text);
    return st;
}

void circle_population_free(circle_population *p) {
    if (!p) return;
    free(p->lat);
    free(p->lon);
    free(p->count);
    free(p->column);
    memset(p, 0, sizeof *p);
}

tc_status circle_population_read(const char *path, const char *column, circle_population *out, tc_error *err) {
    memset(out, 0, sizeof *out);
    tc_points *pts = NULL;
    tc_status st = tc_points_read(path, NULL, NULL, &pts, err);
    if (st) return st;
    const char *col = column && *column ? column : "population";
    const double *vals = NULL;
    st = tc_points_column_values(pts, col, NULL, NULL, &vals, err);
    if (st == TC_OK) {
        out->n = pts->n;
        out->lat = malloc((pts->n + 1) * sizeof *out->lat);
        out->lon = malloc((pts->n + 1) * sizeof *out->lon);
        out->count = malloc((pts->n + 1) * sizeof *out->count);
        out->column = strdup(col);
        if (!out->lat || !out->lon || !out->count || !out->column) {
            st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
        } else {
            for (size_t i = 0; i < pts->n; i++) {
                out->lat[i] = pts->lat[i];
                out->lon[i] = pts->lon[i];
                out->count[i] = vals[i];
                out->total += vals[i];
            }
        }
    }
    tc_points_free(pts);
    if (st) circle_population_free(out);
    return st;
}
