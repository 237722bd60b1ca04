/*
 * points.c — reading a points CSV (see points.h).
 *
 * The file is streamed through the common CSV reader (common/csv.h) in strict mode: a points file is written by
 * hand or by a script for this program, so a broken quote or a row of the wrong length is an error naming its
 * line and column rather than a guess. Only the ids (and geometries) are copied out of each row.
 * Ids are checked for duplicates with an open-addressing hash table (xxHash), kept afterwards for points_find.
 */
#include "analysis/points.h"
#include "common/csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>

struct tc_points_column {
    char *name;
    long field;            /* 1-based field number in the header */
    double *values;        /* n; 0 where missing, NAN where not a number */
    size_t n_missing;
    long first_missing_line;
    long first_bad_line;   /* 0 when every cell is a number or missing */
    char first_bad_text[48];
};

/* ---------------------------------------------------------------- helpers --------------------------------------- */

/* Parse a whole cell (len bytes at s, already trimmed) as a finite number. */
static int parse_number(const char *s, size_t len, double *out) {
    if (!len) return 0;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (end != s + len || errno == ERANGE || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

static int is_missing(const char *s, size_t len) {
    return !len || (len == 2 && strncasecmp(s, "NA", 2) == 0) || (len == 4 && strncasecmp(s, "null", 4) == 0);
}

static int name_is(const char *name, const char *const *choices) {
    for (; *choices; choices++)
        if (strcasecmp(name, *choices) == 0) return 1;
    return 0;
}

static uint64_t hash_id(const char *id) { return XXH3_64bits(id, strlen(id)); }

void tc_points_free(tc_points *p) {
    if (!p) return;
    if (p->ids)
        for (size_t i = 0; i < p->n; i++) free(p->ids[i]);
    free(p->ids);
    free(p->lat);
    free(p->lon);
    free(p->lines);
    for (size_t c = 0; c < p->n_columns; c++) {
        free(p->columns[c].name);
        free(p->columns[c].values);
    }
    free(p->columns);
    free(p->source);
    free(p->id_slots);
    if (p->wkt)
        for (size_t i = 0; i < p->n; i++) free(p->wkt[i]);
    free(p->wkt);
    free(p);
}

long points_find(const tc_points *p, const char *id) {
    if (!p->id_slots) return -1;
    for (size_t s = hash_id(id) & p->id_slot_mask;; s = (s + 1) & p->id_slot_mask) {
        size_t v = p->id_slots[s];
        if (!v) return -1;
        if (strcmp(p->ids[v - 1], id) == 0) return (long)(v - 1);
    }
}

/* Insert point i's id; returns the index of an earlier point with the same id, or -1. */
static long insert_id(tc_points *p, size_t i) {
    for (size_t s = hash_id(p->ids[i]) & p->id_slot_mask;; s = (s + 1) & p->id_slot_mask) {
        size_t v = p->id_slots[s];
        if (!v) {
            p->id_slots[s] = i + 1;
            return -1;
        }
        if (strcmp(p->ids[v - 1], p->ids[i]) == 0) return (long)(v - 1);
    }
}

static int grow_points(tc_points *p, size_t *cap) {
    size_t nc = *cap ? *cap * 2 : 256;
    char **ids = realloc(p->ids, nc * sizeof *ids);
    if (!ids) return 0;
    p->ids = ids;
    double *lat = realloc(p->lat, nc * sizeof *lat);
    if (!lat) return 0;
    p->lat = lat;
    double *lon = realloc(p->lon, nc * sizeof *lon);
    if (!lon) return 0;
    p->lon = lon;
    long *lines = realloc(p->lines, nc * sizeof *lines);
    if (!lines) return 0;
    p->lines = lines;
    if (p->wkt) {
        char **wkt = realloc(p->wkt, nc * sizeof *wkt);
        if (!wkt) return 0;
        p->wkt = wkt;
    }
    for (size_t c = 0; c < p->n_columns; c++) {
        double *v = realloc(p->columns[c].values, nc * sizeof *v);
        if (!v) return 0;
        p->columns[c].values = v;
    }
    *cap = nc;
    return 1;
}

/* ---------------------------------------------------------------- parsing ---------------------------------------- */

static const char *const ID_NAMES[] = {"id", NULL};
static const char *const LAT_NAMES[] = {"lat", "latitude", NULL};
static const char *const WKT_NAMES[] = {"geometry", "wkt", NULL};
static const char *const LON_NAMES[] = {"lon", "lng", "longitude", NULL};

/* The header: where id, lat, lon and the geometry are, and one column per other name. */
typedef struct header_map {
    long id, lat, lon, wkt; /* 0-based field numbers, -1 when absent */
    long *field_to_column;  /* per field: index into p->columns, or -1 */
} header_map;

static tc_status read_header(tc_points *p, const csv_reader *c, header_map *h, tc_error *err) {
    const char *name = p->source;
    h->id = h->lat = h->lon = h->wkt = -1;
    h->field_to_column = malloc(c->n_header * sizeof *h->field_to_column);
    p->columns = calloc(c->n_header ? c->n_header : 1, sizeof *p->columns);
    if (!h->field_to_column || !p->columns) return error_set(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
    for (size_t i = 0; i < c->n_header; i++) {
        const char *hd = c->header[i];
        long *slot = name_is(hd, ID_NAMES) ? &h->id : name_is(hd, LAT_NAMES) ? &h->lat
                   : name_is(hd, LON_NAMES) ? &h->lon : NULL;
        h->field_to_column[i] = -1;
        if (h->wkt < 0 && name_is(hd, WKT_NAMES)) { /* kept as text: a geometry, not a number */
            h->wkt = (long)i;
            if (!(p->wkt = calloc(1, sizeof *p->wkt)))
                return error_set(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
            continue;
        }
        if (slot) {
            if (*slot >= 0)
                return error_set(err, TC_ERR_PARSE, name, c->row_line, (long)i + 1,
                                 "column '%s' duplicates column %ld of the header", hd, *slot + 1);
            *slot = (long)i;
            continue;
        }
        tc_points_column *col = &p->columns[p->n_columns];
        if (!(col->name = strdup(hd))) return error_set(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
        col->field = (long)i + 1;
        h->field_to_column[i] = (long)p->n_columns++;
    }
    if (h->id < 0 || h->lat < 0 || h->lon < 0)
        return error_set(err, TC_ERR_PARSE, name, c->row_line, 0,
                         "the header has no '%s' column (expected id, lat and lon)",
                         h->id < 0 ? "id" : h->lat < 0 ? "lat" : "lon");
    return TC_OK;
}

/* One coordinate cell: a number within [-lim, lim]. */
static tc_status read_coord(const tc_points *p, const csv_reader *c, long field, double lim, const char *what,
                            const char *id, size_t id_len, double *out, tc_error *err) {
    size_t len;
    const char *s = csv_reader_get(c, (int)field, &len);
    if (parse_number(s, len, out) && *out >= -lim && *out <= lim) return TC_OK;
    return error_set(err, TC_ERR_PARSE, p->source, c->row_line, field + 1,
                     "bad %s '%.*s' for id '%.*s' (expected a number between -%g and %g)", what,
                     (int)(len < 40 ? len : 40), s, (int)(id_len < 80 ? id_len : 80), id, lim, lim);
}

/* The extra columns of the current row: numbers, 0 for a missing cell, NAN (and the first such cell kept for the
 * message) for text. */
static void read_values(tc_points *p, const csv_reader *c, const header_map *h, size_t i) {
    for (size_t k = 0; k < c->n_header; k++) {
        if (h->field_to_column[k] < 0) continue;
        tc_points_column *col = &p->columns[h->field_to_column[k]];
        size_t len;
        const char *s = csv_reader_get(c, (int)k, &len);
        double v;
        if (is_missing(s, len)) {
            if (!col->n_missing++) col->first_missing_line = c->row_line;
            v = 0;
        } else if (!parse_number(s, len, &v)) {
            if (!col->first_bad_line) {
                col->first_bad_line = c->row_line;
                snprintf(col->first_bad_text, sizeof col->first_bad_text, "%.*s", (int)len, s);
            }
            v = NAN;
        }
        col->values[i] = v;
    }
}

/* The current row as point p->n. */
static tc_status read_point(tc_points *p, const csv_reader *c, const header_map *h, tc_error *err) {
    size_t i = p->n, id_len;
    const char *id = csv_reader_get(c, (int)h->id, &id_len);
    if (!id_len) return error_set(err, TC_ERR_PARSE, p->source, c->row_line, h->id + 1, "missing id");
    double lat, lon;
    tc_status st = read_coord(p, c, h->lat, 90, "latitude", id, id_len, &lat, err);
    if (st == TC_OK) st = read_coord(p, c, h->lon, 180, "longitude", id, id_len, &lon, err);
    if (st != TC_OK) return st;
    if (!(p->ids[i] = strndup(id, id_len)))
        return error_set(err, TC_ERR_NO_MEMORY, p->source, c->row_line, 0, "out of memory");
    p->lat[i] = lat;
    p->lon[i] = lon;
    p->lines[i] = c->row_line;
    if (h->wkt >= 0) {
        size_t len;
        const char *w = csv_reader_get(c, (int)h->wkt, &len);
        if (!(p->wkt[i] = strndup(w, len))) {
            free(p->ids[i]);
            return error_set(err, TC_ERR_NO_MEMORY, p->source, c->row_line, 0, "out of memory");
        }
    }
    p->n++;
    read_values(p, c, h, i);
    return TC_OK;
}

/* Index every id; a duplicate is an error naming both lines. */
static tc_status index_ids(tc_points *p, long id_field, tc_error *err) {
    size_t slots = 16;
    while (slots < p->n * 2) slots *= 2;
    p->id_slots = calloc(slots, sizeof *p->id_slots);
    if (!p->id_slots) return error_set(err, TC_ERR_NO_MEMORY, p->source, 0, 0, "out of memory");
    p->id_slot_mask = slots - 1;
    for (size_t i = 0; i < p->n; i++) {
        long first = insert_id(p, i);
        if (first >= 0)
            return error_set(err, TC_ERR_PARSE, p->source, p->lines[i], id_field + 1,
                             "duplicate id '%.80s' (first on line %ld)", p->ids[i], p->lines[first]);
    }
    return TC_OK;
}

/* Reads a points CSV from read/ctx into a new tc_points. */
static tc_status parse_csv(const char *name, csv_read_fn read, void *ctx, diag_log *diag, tc_points **out,
                           tc_error *err) {
    header_map h = {0};
    csv_reader c;
    tc_points *p = calloc(1, sizeof *p);
    if (!p || !(p->source = strdup(name))) {
        free(p);
        return error_set(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
    }
    tc_status st = csv_reader_open_strict(&c, name, read, ctx, diag, err);
    if (st == TC_OK) st = read_header(p, &c, &h, err);
    size_t cap = 0;
    int r = 0;
    while (st == TC_OK && (r = csv_reader_next(&c)) > 0) {
        if (p->n == cap && !grow_points(p, &cap))
            st = error_set(err, TC_ERR_NO_MEMORY, name, c.row_line, 0, "out of memory");
        else
            st = read_point(p, &c, &h, err);
    }
    if (st == TC_OK && r < 0) st = csv_reader_status(&c, err);
    if (st == TC_OK) st = index_ids(p, h.id, err);
    csv_reader_close(&c);
    free(h.field_to_column);
    if (st != TC_OK) {
        tc_points_free(p);
        return st;
    }
    *out = p;
    return TC_OK;
}

tc_status tc_points_parse(const char *name, const char *data, size_t len, tc_finding_fn on_finding,
                          void *finding_user, tc_points **out, tc_error *err) {
    diag_log diag = {.fn = on_finding, .user = finding_user};
    csv_membuf mb = {data, len, 0, 0};
    return parse_csv(name, csv_membuf_read, &mb, &diag, out, err);
}

tc_status tc_points_read(const char *path, tc_finding_fn on_finding, void *finding_user, tc_points **out,
                         tc_error *err) {
    diag_log diag = {.fn = on_finding, .user = finding_user};
    FILE *fp = fopen(path, "rb");
    if (!fp) return error_set(err, TC_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    csv_file f = {fp, path};
    tc_status st = parse_csv(path, csv_file_read, &f, &diag, out, err);
    fclose(fp);
    return st;
}

const char *points_column_name(const tc_points *p, size_t i) { return i < p->n_columns ? p->columns[i].name : NULL; }

tc_status tc_points_column_values(const tc_points *p, const char *name, tc_finding_fn on_finding,
                                  void *finding_user, const double **values_out, tc_error *err) {
    diag_log diag_ = {0}, *diag = &diag_;
    diag_.fn = on_finding;
    diag_.user = finding_user;
    for (size_t c = 0; c < p->n_columns; c++) {
        const tc_points_column *col = &p->columns[c];
        if (strcasecmp(col->name, name) != 0) continue;
        if (col->first_bad_line)
            return error_set(err, TC_ERR_PARSE, p->source, col->first_bad_line, col->field,
                             "column '%s' is not numeric: '%s' (expected a number of opportunities)", col->name,
                             col->first_bad_text);
        if (col->n_missing)
            diag_report(diag, TC_SEV_WARNING, "missing_value", p->source, col->first_missing_line, col->field,
                        "column '%s': %zu empty value%s counted as 0 (first on this line)", col->name, col->n_missing,
                        col->n_missing == 1 ? "" : "s");
        *values_out = col->values;
        return TC_OK;
    }
    return error_set(err, TC_ERR_NOT_FOUND, p->source, 1, 0, "no column named '%s' in the header", name);
}
