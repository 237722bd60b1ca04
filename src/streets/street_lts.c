/*
 * street_lts.c — per-way cycling level of traffic stress overrides, in R5's CSV form (`osm_id,lts`, one OSM way a
 * row, LTS 1…4; r5r's poa_osm_lts.csv), applied to the arcs of a graph built in memory before it is written.
 *
 * The tag rules (osm_rules.c) give every way an LTS; a planner who knows better (a protected lane the tags miss, a
 * street calmed last year) overrides it per way. A row naming a way the graph does not hold (outside the extract, or
 * not open to bicycles) changes nothing and is counted in one warning; a malformed row is an error naming the file,
 * line and column. The CSV has two columns, so it is read here line by line rather than through the GTFS reader.
 */
#include "streets/street_mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct lts_row {
    int64_t way;
    uint8_t lts;
} lts_row;

static int cmp_row(const void *a, const void *b) {
    int64_t x = ((const lts_row *)a)->way, y = ((const lts_row *)b)->way;
    return (x > y) - (x < y);
}

/* Column index (0-based) of name in a header line, or -1. */
static int column_of(const char *header, const char *name) {
    int col = 0;
    const char *p = header;
    size_t n = strlen(name);
    for (;;) {
        while (*p == ' ' || *p == '"') p++;
        if (!strncmp(p, name, n) && (p[n] == ',' || p[n] == '"' || p[n] == '\n' || p[n] == '\r' || !p[n]))
            return col;
        p = strchr(p, ',');
        if (!p) return -1;
        p++, col++;
    }
}

/* The text of column col of a line (into buf), or NULL when the line is shorter. */
static const char *field(const char *line, int col, char *buf, size_t n) {
    const char *p = line;
    for (int c = 0; c < col; c++) {
        p = strchr(p, ',');
        if (!p) return NULL;
        p++;
    }
    size_t len = strcspn(p, ",\r\n");
    if (len >= n) len = n - 1;
    memcpy(buf, p, len);
    buf[len] = 0;
    char *s = buf;
    while (*s == ' ' || *s == '"') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '"')) *--e = 0;
    return s;
}

tc_status street_mem_apply_lts(street_mem *m, const char *csv_path, tc_diag *diag, tc_error *err) {
    FILE *f = fopen(csv_path, "rb");
    if (!f) return tc_fail(err, TC_ERR_IO, csv_path, 0, 0, "cannot open the LTS overrides: %s", strerror(errno));
    char line[512], buf[64];
    long ln = 0;
    tc_status st = TC_OK;
    lts_row *rows = NULL;
    size_t n = 0, cap = 0;
    int c_id = -1, c_lts = -1;
    while (fgets(line, sizeof line, f)) {
        ln++;
        if (ln == 1) {
            const char *h = line;
            if (!strncmp(h, "\xef\xbb\xbf", 3)) h += 3;
            c_id = column_of(h, "osm_id");
            c_lts = column_of(h, "lts");
            if (c_id < 0 || c_lts < 0) {
                st = tc_fail(err, TC_ERR_PARSE, csv_path, 1, 0, "expected the columns osm_id and lts (R5's form)");
                break;
            }
            continue;
        }
        if (line[strspn(line, " \r\n")] == 0) continue; /* blank line */
        const char *id = field(line, c_id, buf, sizeof buf);
        char *end;
        errno = 0;
        long long way = id ? strtoll(id, &end, 10) : 0;
        if (!id || end == id || *end || errno || way <= 0) {
            st = tc_fail(err, TC_ERR_PARSE, csv_path, ln, c_id + 1, "expected an OSM way id, got \"%s\"", id ? id : "");
            break;
        }
        const char *lv = field(line, c_lts, buf, sizeof buf);
        long lts = lv ? strtol(lv, &end, 10) : 0;
        if (!lv || end == lv || *end || lts < 1 || lts > 4) {
            st = tc_fail(err, TC_ERR_PARSE, csv_path, ln, c_lts + 1, "expected a level of traffic stress 1…4, got \"%s\"",
                         lv ? lv : "");
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            lts_row *r = realloc(rows, cap * sizeof *r);
            if (!r) {
                st = tc_fail(err, TC_ERR_NO_MEMORY, csv_path, ln, 0, "out of memory");
                break;
            }
            rows = r;
        }
        rows[n++] = (lts_row){way, (uint8_t)lts};
    }
    if (st == TC_OK && ferror(f)) st = tc_fail(err, TC_ERR_IO, csv_path, ln, 0, "read error");
    if (st == TC_OK && ln == 0) st = tc_fail(err, TC_ERR_PARSE, csv_path, 1, 0, "empty file (expected osm_id,lts)");
    fclose(f);
    if (st != TC_OK) {
        free(rows);
        return st;
    }
    qsort(rows, n, sizeof *rows, cmp_row);
    uint8_t *hit = calloc(n + 1, 1);
    if (!hit) {
        free(rows);
        return tc_fail(err, TC_ERR_NO_MEMORY, csv_path, 0, 0, "out of memory");
    }
    for (uint32_t s = 0; s < m->g.n_segs; s++) {
        lts_row key = {m->segs[s].way_id, 0};
        const lts_row *r = bsearch(&key, rows, n, sizeof *rows, cmp_row);
        if (!r) continue;
        /* the last row for a way wins (bsearch may land on any of equal keys: step to the last) */
        while ((size_t)(r - rows) + 1 < n && r[1].way == r->way) r++;
        hit[r - rows] = 1;
        const uint16_t lts = (uint16_t)(r->lts << STREET_EDGE_LTS_SHIFT);
        street_edge *ab = &m->edges[m->segs[s].arc_ab], *ba = &m->edges[m->segs[s].arc_ba];
        if ((ab->access | ba->access) & STREET_BIKE) {
            ab->flags = (uint16_t)((ab->flags & ~STREET_EDGE_LTS_MASK) | lts);
            ba->flags = (uint16_t)((ba->flags & ~STREET_EDGE_LTS_MASK) | lts);
        }
    }
    size_t unmatched = 0;
    for (size_t i = 0; i < n; i++)
        if (!hit[i] && !(i + 1 < n && rows[i + 1].way == rows[i].way)) unmatched++;
    if (unmatched)
        tc_report(diag, TC_SEV_WARNING, "lts_way_not_found", csv_path, 0, 0,
                  "%zu of the %zu ways given are not in the street network (outside the extract or not streets)",
                  unmatched, n);
    free(hit);
    free(rows);
    return TC_OK;
}
