/*
 * points.c — reading a points CSV (see points.h).
 *
 * The file is read whole and parsed in place: quoted fields are unescaped into the same buffer (the unescaped text
 * is never longer than the raw text) and NUL-terminated there, so a record's fields are pointers into the buffer and
 * nothing is copied but the ids. src/gtfs has no reusable CSV reader yet; this one is ~80 lines and RFC 4180 only.
 * Ids are checked for duplicates with an open-addressing hash table (xxHash), kept afterwards for tc_points_find.
 */
#include "analysis/points.h"

#include <ctype.h>
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

/* ---------------------------------------------------------------- the CSV tokenizer ------------------------------ */

typedef struct csv_cursor {
    char *p, *end;
    long line; /* physical line of *p */
    const char *name;
} csv_cursor;

typedef struct field_list {
    char **v;
    size_t n, cap;
} field_list;

/* Parse one record into fields (pointers into the buffer). Returns 1 on a record, 0 at end of input, or an error
 * status (negated) through *st. *rec_line is the line the record starts on. */
static int csv_next(csv_cursor *c, field_list *f, long *rec_line, tc_status *st, tc_error *err) {
    *st = TC_OK;
    if (c->p >= c->end) return 0;
    f->n = 0;
    *rec_line = c->line;
    char *w = c->p;
    for (;;) {
        if (f->n == f->cap) {
            size_t cap = f->cap ? f->cap * 2 : 16;
            char **v = realloc(f->v, cap * sizeof *v);
            if (!v) {
                *st = tc_fail(err, TC_ERR_NO_MEMORY, c->name, c->line, 0, "out of memory");
                return -1;
            }
            f->v = v;
            f->cap = cap;
        }
        char *start = w;
        char delim = '\n'; /* what ended the field; '\n' also for end of input */
        if (c->p < c->end && *c->p == '"') {
            long quote_line = c->line;
            c->p++;
            for (;;) {
                if (c->p >= c->end) {
                    *st = tc_fail(err, TC_ERR_PARSE, c->name, quote_line, (long)f->n + 1,
                                  "unterminated quoted field");
                    return -1;
                }
                if (*c->p == '"') {
                    if (c->p + 1 < c->end && c->p[1] == '"') {
                        *w++ = '"';
                        c->p += 2;
                        continue;
                    }
                    c->p++;
                    break;
                }
                if (*c->p == '\n') c->line++;
                *w++ = *c->p++;
            }
            if (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') {
                *st = tc_fail(err, TC_ERR_PARSE, c->name, c->line, (long)f->n + 1,
                              "unexpected character '%c' after a closing quote (expected ',' or end of line)", *c->p);
                return -1;
            }
        } else {
            while (c->p < c->end && *c->p != ',' && *c->p != '\n' && *c->p != '\r') *w++ = *c->p++;
        }
        if (c->p < c->end) {
            delim = *c->p;
            c->p++;
            if (delim == '\r') {
                if (c->p < c->end && *c->p == '\n') c->p++;
                delim = '\n';
            }
            if (delim == '\n') c->line++;
        }
        /* Unescaping never grows text, so w is at most where the delimiter was (already consumed), or at the end
         * of input, where the buffer has room for a terminator. */
        *w++ = '\0';
        f->v[f->n++] = start;
        if (delim == '\n') break;
    }
    return 1;
}

/* ---------------------------------------------------------------- helpers --------------------------------------- */

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = '\0';
    return s;
}

/* Parse a whole field as a finite number. */
static int parse_number(const char *s, double *out) {
    if (!*s) return 0;
    errno = 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno == ERANGE || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

static int is_missing(const char *s) { return !*s || strcasecmp(s, "NA") == 0 || strcasecmp(s, "null") == 0; }

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

long tc_points_find(const tc_points *p, const char *id) {
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

/* Parses buf (owned, writable, NUL-terminated after len) into a new tc_points. */
static tc_status parse_buffer(const char *name, char *buf, size_t len, tc_points **out, tc_error *err) {
    tc_status st = TC_OK;
    field_list f = {0};
    tc_points *p = calloc(1, sizeof *p);
    long *field_to_column = NULL;
    if (!p) return tc_fail(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
    p->source = strdup(name);
    if (!p->source) {
        st = tc_fail(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
        goto fail;
    }

    csv_cursor c = {buf, buf + len, 1, name};
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB && (unsigned char)buf[2] == 0xBF)
        c.p += 3;

    /* header */
    long line;
    int r = csv_next(&c, &f, &line, &st, err);
    if (r < 0) goto fail;
    if (r == 0 || (f.n == 1 && !*trim(f.v[0]))) {
        st = tc_fail(err, TC_ERR_PARSE, name, 1, 0, "empty file: expected a header with id, lat and lon columns");
        goto fail;
    }
    size_t n_fields = f.n;
    long id_field = -1, lat_field = -1, lon_field = -1, wkt_field = -1;
    field_to_column = malloc(n_fields * sizeof *field_to_column);
    p->columns = calloc(n_fields, sizeof *p->columns);
    if (!field_to_column || !p->columns) {
        st = tc_fail(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n_fields; i++) {
        char *h = trim(f.v[i]);
        long *slot = name_is(h, ID_NAMES) ? &id_field : name_is(h, LAT_NAMES) ? &lat_field
                   : name_is(h, LON_NAMES) ? &lon_field : NULL;
        field_to_column[i] = -1;
        if (wkt_field < 0 && name_is(h, WKT_NAMES)) { /* kept as text: a geometry, not a number */
            wkt_field = (long)i;
            if (!(p->wkt = calloc(1, sizeof *p->wkt))) {
                st = tc_fail(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
                goto fail;
            }
            continue;
        }
        if (slot) {
            if (*slot >= 0) {
                st = tc_fail(err, TC_ERR_PARSE, name, line, (long)i + 1,
                             "column '%s' duplicates column %ld of the header", h, *slot + 1);
                goto fail;
            }
            *slot = (long)i;
            continue;
        }
        tc_points_column *col = &p->columns[p->n_columns];
        col->name = strdup(h);
        if (!col->name) {
            st = tc_fail(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
            goto fail;
        }
        col->field = (long)i + 1;
        field_to_column[i] = (long)p->n_columns++;
    }
    if (id_field < 0 || lat_field < 0 || lon_field < 0) {
        st = tc_fail(err, TC_ERR_PARSE, name, line, 0, "the header has no '%s' column (expected id, lat and lon)",
                     id_field < 0 ? "id" : lat_field < 0 ? "lat" : "lon");
        goto fail;
    }

    size_t cap = 0;
    while ((r = csv_next(&c, &f, &line, &st, err)) > 0) {
        if (f.n == 1 && !*trim(f.v[0])) continue; /* blank line */
        if (f.n != n_fields) {
            st = tc_fail(err, TC_ERR_PARSE, name, line, (long)(f.n < n_fields ? f.n : n_fields + 1),
                         "this row has %zu fields but the header has %zu", f.n, n_fields);
            goto fail;
        }
        if (p->n == cap && !grow_points(p, &cap)) {
            st = tc_fail(err, TC_ERR_NO_MEMORY, name, line, 0, "out of memory");
            goto fail;
        }
        size_t i = p->n;
        char *id = trim(f.v[id_field]);
        if (!*id) {
            st = tc_fail(err, TC_ERR_PARSE, name, line, id_field + 1, "missing id");
            goto fail;
        }
        double lat, lon;
        char *lat_text = trim(f.v[lat_field]), *lon_text = trim(f.v[lon_field]);
        if (!parse_number(lat_text, &lat) || lat < -90 || lat > 90) {
            st = tc_fail(err, TC_ERR_PARSE, name, line, lat_field + 1,
                         "bad latitude '%.40s' for id '%.80s' (expected a number between -90 and 90)", lat_text, id);
            goto fail;
        }
        if (!parse_number(lon_text, &lon) || lon < -180 || lon > 180) {
            st = tc_fail(err, TC_ERR_PARSE, name, line, lon_field + 1,
                         "bad longitude '%.40s' for id '%.80s' (expected a number between -180 and 180)", lon_text,
                         id);
            goto fail;
        }
        p->ids[i] = strdup(id);
        if (!p->ids[i]) {
            st = tc_fail(err, TC_ERR_NO_MEMORY, name, line, 0, "out of memory");
            goto fail;
        }
        p->lat[i] = lat;
        p->lon[i] = lon;
        p->lines[i] = line;
        if (wkt_field >= 0 && !(p->wkt[i] = strdup(trim(f.v[wkt_field])))) {
            free(p->ids[i]);
            st = tc_fail(err, TC_ERR_NO_MEMORY, name, line, 0, "out of memory");
            goto fail;
        }
        p->n++;
        for (size_t k = 0; k < n_fields; k++) {
            if (field_to_column[k] < 0) continue;
            tc_points_column *col = &p->columns[field_to_column[k]];
            char *s = trim(f.v[k]);
            double v;
            if (is_missing(s)) {
                if (!col->n_missing++) col->first_missing_line = line;
                v = 0;
            } else if (!parse_number(s, &v)) {
                if (!col->first_bad_line) {
                    col->first_bad_line = line;
                    snprintf(col->first_bad_text, sizeof col->first_bad_text, "%s", s);
                }
                v = NAN;
            }
            col->values[i] = v;
        }
    }
    if (r < 0) goto fail;

    /* duplicate ids */
    size_t slots = 16;
    while (slots < p->n * 2) slots *= 2;
    p->id_slots = calloc(slots, sizeof *p->id_slots);
    if (!p->id_slots) {
        st = tc_fail(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
        goto fail;
    }
    p->id_slot_mask = slots - 1;
    for (size_t i = 0; i < p->n; i++) {
        long first = insert_id(p, i);
        if (first >= 0) {
            st = tc_fail(err, TC_ERR_PARSE, name, p->lines[i], id_field + 1,
                         "duplicate id '%.80s' (first on line %ld)", p->ids[i], p->lines[first]);
            goto fail;
        }
    }
    free(f.v);
    free(field_to_column);
    *out = p;
    return TC_OK;

fail:
    free(f.v);
    free(field_to_column);
    tc_points_free(p);
    return st;
}

tc_status tc_points_parse(const char *name, const char *data, size_t len, tc_finding_fn on_finding,
                          void *finding_user, tc_points **out, tc_error *err) {
    (void)on_finding, (void)finding_user; /* no warnings at read time: a missing value is told when it is asked for */
    char *buf = malloc(len + 1);
    if (!buf) return tc_fail(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
    if (len) memcpy(buf, data, len);
    buf[len] = '\0';
    tc_status st = parse_buffer(name, buf, len, out, err);
    free(buf);
    return st;
}

tc_status tc_points_read(const char *path, tc_finding_fn on_finding, void *finding_user, tc_points **out,
                         tc_error *err) {
    (void)on_finding, (void)finding_user; /* as tc_points_parse */
    FILE *fp = fopen(path, "rb");
    if (!fp) return tc_fail(err, TC_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (len < cap) break;
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            free(buf);
            buf = NULL;
        } else {
            buf = nb;
        }
    }
    int bad = ferror(fp);
    fclose(fp);
    if (!buf) return tc_fail(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    if (bad) {
        free(buf);
        return tc_fail(err, TC_ERR_IO, path, 0, 0, "read error");
    }
    buf[len] = '\0';
    tc_status st = parse_buffer(path, buf, len, out, err);
    free(buf);
    return st;
}

const char *tc_points_column_name(const tc_points *p, size_t i) { return i < p->n_columns ? p->columns[i].name : NULL; }

tc_status tc_points_column_values(const tc_points *p, const char *name, tc_finding_fn on_finding,
                                  void *finding_user, const double **values_out, tc_error *err) {
    tc_diag diag_ = {0}, *diag = &diag_;
    diag_.fn = on_finding;
    diag_.user = finding_user;
    for (size_t c = 0; c < p->n_columns; c++) {
        const tc_points_column *col = &p->columns[c];
        if (strcasecmp(col->name, name) != 0) continue;
        if (col->first_bad_line)
            return tc_fail(err, TC_ERR_PARSE, p->source, col->first_bad_line, col->field,
                           "column '%s' is not numeric: '%s' (expected a number of opportunities)", col->name,
                           col->first_bad_text);
        if (col->n_missing)
            tc_report(diag, TC_SEV_WARNING, "missing_value", p->source, col->first_missing_line, col->field,
                      "column '%s': %zu empty value%s counted as 0 (first on this line)", col->name, col->n_missing,
                      col->n_missing == 1 ? "" : "s");
        *values_out = col->values;
        return TC_OK;
    }
    return tc_fail(err, TC_ERR_NOT_FOUND, p->source, 1, 0, "no column named '%s' in the header", name);
}
