/*
 * street_lts.c — per-way cycling level of traffic stress overrides, in R5's CSV form (`osm_id,lts`, one OSM way a
 * row, LTS 1…4; r5r's poa_osm_lts.csv), applied to the arcs of a graph built in memory before it is written.
 *
 * The tag rules (osm_rules.c) give every way an LTS; a planner who knows better (a protected lane the tags miss, a
 * street calmed last year) overrides it per way. A row naming a way the graph does not hold (outside the extract, or
 * not open to bicycles) changes nothing and is counted in one warning; a malformed row is an error naming the file,
 * line and column (the common CSV reader in strict mode).
 */
#include "streets/street_mem.h"
#include "common/csv.h"

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

/* A cell of the current row as a NUL-terminated string in buf (truncated to fit). */
static const char *cell(const csv_reader *c, int col, char *buf, size_t n) {
    size_t len;
    const char *s = csv_reader_get(c, col, &len);
    if (len >= n) len = n - 1;
    memcpy(buf, s, len);
    buf[len] = 0;
    return buf;
}

/* One row: the way id and its level. */
static tc_status read_row(const csv_reader *c, int c_id, int c_lts, lts_row *out, tc_error *err) {
    char buf[64];
    const char *id = cell(c, c_id, buf, sizeof buf);
    char *end;
    errno = 0;
    long long way = strtoll(id, &end, 10);
    if (end == id || *end || errno || way <= 0)
        return error_set(err, TC_ERR_PARSE, c->file, c->row_line, c_id + 1, "expected an OSM way id, got \"%s\"", id);
    const char *lv = cell(c, c_lts, buf, sizeof buf);
    long lts = strtol(lv, &end, 10);
    if (end == lv || *end || lts < 1 || lts > 4)
        return error_set(err, TC_ERR_PARSE, c->file, c->row_line, c_lts + 1,
                         "expected a level of traffic stress 1…4, got \"%s\"", lv);
    *out = (lts_row){way, (uint8_t)lts};
    return TC_OK;
}

/* Every row of the file, in file order. */
static tc_status read_rows(const char *csv_path, diag_log *diag, lts_row **rows_out, size_t *n_out, tc_error *err) {
    FILE *f = fopen(csv_path, "rb");
    if (!f) return error_set(err, TC_ERR_IO, csv_path, 0, 0, "cannot open the LTS overrides: %s", strerror(errno));
    csv_file cf = {f, csv_path};
    csv_reader c;
    lts_row *rows = NULL;
    size_t n = 0, cap = 0;
    tc_status st = csv_reader_open_strict(&c, csv_path, csv_file_read, &cf, diag, err);
    int c_id = csv_reader_col(&c, "osm_id"), c_lts = csv_reader_col(&c, "lts"), r = 0;
    if (st == TC_OK && (c_id < 0 || c_lts < 0))
        st = error_set(err, TC_ERR_PARSE, csv_path, c.row_line, 0, "expected the columns osm_id and lts (R5's form)");
    while (st == TC_OK && (r = csv_reader_next(&c)) > 0) {
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            lts_row *nr = realloc(rows, cap * sizeof *nr);
            if (!nr) {
                st = error_set(err, TC_ERR_NO_MEMORY, csv_path, c.row_line, 0, "out of memory");
                break;
            }
            rows = nr;
        }
        st = read_row(&c, c_id, c_lts, &rows[n], err);
        n += st == TC_OK;
    }
    if (st == TC_OK && r < 0) st = csv_reader_status(&c, err);
    csv_reader_close(&c);
    fclose(f);
    if (st != TC_OK) {
        free(rows);
        return st;
    }
    *rows_out = rows;
    *n_out = n;
    return TC_OK;
}

tc_status street_mem_apply_lts(street_mem *m, const char *csv_path, diag_log *diag, tc_error *err) {
    lts_row *rows = NULL;
    size_t n = 0;
    tc_status st = read_rows(csv_path, diag, &rows, &n, err);
    if (st != TC_OK) return st;
    qsort(rows, n, sizeof *rows, cmp_row);
    uint8_t *hit = calloc(n + 1, 1);
    if (!hit) {
        free(rows);
        return error_set(err, TC_ERR_NO_MEMORY, csv_path, 0, 0, "out of memory");
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
        diag_report(diag, TC_SEV_WARNING, "lts_way_not_found", csv_path, 0, 0,
                    "%zu of the %zu ways given are not in the street network (outside the extract or not streets)",
                    unmatched, n);
    free(hit);
    free(rows);
    return TC_OK;
}
