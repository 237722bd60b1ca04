/*
 * gtfs_internal.h — the pieces of the GTFS reader, shared by its .c files and its unit tests (not by other stages).
 *
 *  - gtfs_arena: one bump allocator for every string of a feed, so reading 500k rows costs a handful of mallocs
 *    and freeing a feed is a walk over a few chunks;
 *  - gtfs_idmap: GTFS id → dense index (open addressing, xxHash), the only lookup structure the reader needs;
 *  - gtfs_source: where a feed lives (folder, zip, zip with one sub-folder) and a byte stream per member file,
 *    so that stop_times.txt is decompressed and parsed in 64 KiB pieces, never held whole;
 *  - gtfs_csv: a streaming RFC 4180 reader on such a stream (BOM, CR/LF/CRLF, quotes, ragged rows, NUL bytes,
 *    invalid UTF-8 replaced by U+FFFD with a warning naming file:line:column);
 *  - the calendar and interpolation steps, exposed so the tests can drive them directly.
 */
#ifndef TC_GTFS_INTERNAL_H
#define TC_GTFS_INTERNAL_H

#include "gtfs/feed.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------ arena ----------------------------------- */

typedef struct gtfs_arena_chunk gtfs_arena_chunk;
typedef struct gtfs_arena {
    gtfs_arena_chunk *head;
    char *cur;
    size_t left;
    size_t total; /* bytes handed out, for memory accounting */
} gtfs_arena;

/* Copy len bytes and a NUL; NULL only when out of memory. len 0 returns the shared "". */
char *gtfs_arena_strndup(gtfs_arena *a, const char *s, size_t len);
void gtfs_arena_free(gtfs_arena *a);

/* ------------------------------------------------------------------ id map ---------------------------------- */

typedef struct gtfs_idmap_slot {
    const char *key; /* NULL = empty slot; points into an arena (not owned) */
    uint32_t hash;
    int32_t value;
} gtfs_idmap_slot;

typedef struct gtfs_idmap {
    gtfs_idmap_slot *slots;
    size_t cap, count; /* cap is a power of two, kept at most half full */
} gtfs_idmap;

/* The index stored for key, or GTFS_NONE. */
int32_t gtfs_idmap_get(const gtfs_idmap *m, const char *key, size_t len);
/* Insert key → value (key must outlive the map). Returns the existing value if key was already present (and
 * leaves it), GTFS_NONE if inserted, or -2 when out of memory. */
int32_t gtfs_idmap_put(gtfs_idmap *m, const char *key, size_t len, int32_t value);
void gtfs_idmap_free(gtfs_idmap *m);

/* ------------------------------------------------------------------ source ---------------------------------- */

typedef struct gtfs_source gtfs_source;
typedef struct gtfs_stream gtfs_stream;

/* Open a feed location. Refuses (TC_ERR_PARSE / TC_ERR_IO) a non-zip file, a zip holding only another zip, a zip
 * or folder holding two feeds, and a location with no stops.txt anywhere. */
tc_status gtfs_source_open(const char *path, gtfs_source **out, tc_error *err);
void gtfs_source_close(gtfs_source *src);
/* Number of member files (in the feed's folder) and the i-th name (without the folder prefix). */
size_t gtfs_source_count(const gtfs_source *src);
const char *gtfs_source_name(const gtfs_source *src, size_t i);
/* 1 when the member exists. */
int gtfs_source_has(const gtfs_source *src, const char *name);
/* Open a member as a byte stream; NULL with err filled on failure. */
gtfs_stream *gtfs_stream_open(gtfs_source *src, const char *name, tc_error *err);
/* Read up to cap bytes; returns bytes read, 0 at the end, -1 on a read error (err filled). */
long gtfs_stream_read(gtfs_stream *s, char *buf, size_t cap, tc_error *err);
void gtfs_stream_close(gtfs_stream *s);

/* ------------------------------------------------------------------ csv ------------------------------------- */

/* Where the CSV reader gets its bytes: a gtfs_stream or, for tests and the fuzzer, a memory buffer. */
typedef long (*gtfs_read_fn)(void *ctx, char *buf, size_t cap, tc_error *err);

typedef struct gtfs_csv {
    const char *file; /* name used in findings, e.g. "stops.txt" */
    tc_diag *diag;
    gtfs_read_fn read;
    void *ctx;
    tc_error *err;
    /* input buffer */
    char *in;
    size_t in_len, in_pos;
    int eof, started;
    /* current row: fields stored NUL-terminated one after the other in row[] */
    char *row;
    size_t row_len, row_cap;
    uint32_t *field_off;
    uint32_t *field_len;
    size_t n_fields, fields_cap;
    long line;     /* physical lines consumed so far */
    long row_line; /* physical line where the current row starts (1-based) */
    /* header */
    char **header;
    size_t n_header;
    int header_ok;
    /* scratch for UTF-8 repair */
    char *fix;
    size_t fix_cap;
    int io_failed;
    int extra_empty_reported;
    /* limits (set by gtfs_csv_open to the GTFS_CSV_MAX_* defaults; tests lower them): a record longer than
     * max_record bytes, a cell longer than max_field or more than max_rows records stop the read with a finding
     * naming the file, line and limit, so a 1 GiB line costs at most max_record bytes of memory */
    size_t max_record, max_field;
    long max_rows;
    long rows;
    int fatal;            /* a limit was passed or the content is binary: failed[] says which */
    char failed[240];
    long failed_line, failed_column;
} gtfs_csv;

#define GTFS_CSV_MAX_RECORD (1u << 20)    /* 1 MiB: no GTFS row comes near (long shape or fare rows are < 10 KiB) */
#define GTFS_CSV_MAX_FIELD (256u * 1024u) /* a route description or a note, with room to spare */
#define GTFS_CSV_MAX_ROWS 500000000L     /* 5× the largest stop_times.txt known (Germany-wide, ~100 M rows) */

/* Read the header. TC_OK, or TC_ERR_PARSE for an unreadable encoding (UTF-16/32) or an empty file with no header
 * (err says which), TC_ERR_IO on a read error. */
tc_status gtfs_csv_open(gtfs_csv *c, const char *file, gtfs_read_fn read, void *ctx, tc_diag *diag, tc_error *err);
void gtfs_csv_close(gtfs_csv *c);
/* Column index of a header name, or -1. */
int gtfs_csv_col(const gtfs_csv *c, const char *name);
/* Next data row: 1, 0 at the end, -1 on a read error or a passed limit (c->fatal, c->failed). Blank lines are skipped; rows with fewer or more cells than
 * the header are kept (missing cells read as "") and reported. */
int gtfs_csv_next(gtfs_csv *c);
/* Cell of column col in the current row, trimmed of surrounding blanks; "" when col < 0 or the row is short. */
const char *gtfs_csv_get(const gtfs_csv *c, int col, size_t *len);

/* A memory buffer as a gtfs_read_fn context. */
typedef struct gtfs_membuf {
    const char *data;
    size_t len, pos;
    size_t max_chunk; /* 0 = any; tests use 1 to exercise every buffer boundary */
} gtfs_membuf;
long gtfs_membuf_read(void *ctx, char *buf, size_t cap, tc_error *err);

/* ------------------------------------------------------------------ calendar -------------------------------- */

typedef struct gtfs_calendar_row {
    int32_t service;           /* index into the service table */
    uint8_t weekdays;          /* bit 0 = Monday … bit 6 = Sunday */
    int32_t start_day, end_day;
} gtfs_calendar_row;

typedef struct gtfs_calendar_date {
    int32_t service;
    int32_t day;
    uint8_t type; /* 1 added, 2 removed */
} gtfs_calendar_date;

/* Set feed->first_day / n_days and feed->services[i].bits from the rows (services[] and n_services filled by the
 * caller). Either list may be empty. TC_ERR_NO_MEMORY only. */
tc_status gtfs_services_build(gtfs_feed *feed, const gtfs_calendar_row *rows, size_t n_rows,
                              const gtfs_calendar_date *dates, size_t n_dates, tc_error *err);

/* ------------------------------------------------------------------ interpolation --------------------------- */

/* Fill blank (TC_TIME_NONE) arrival/departure times of one trip's stop_times (sorted by stop_sequence):
 * a stop with only one of the two gets the other; runs of blank stops between two timed stops get times in
 * proportion to shape_dist_traveled when every stop of the run has it, else to the straight-line distance between
 * consecutive stops (as OTP and R5 do), and timepoint 0. stops[] gives the coordinates.
 * Returns 0, or -1 when the first or last stop has no time at all (the trip cannot be used). */
int gtfs_interpolate_trip(gtfs_stop_time *st, size_t n, const gtfs_stop *stops);

/* ------------------------------------------------------------------ parsing helpers ------------------------- */

/* GTFS time "H:MM:SS" / "HH:MM:SS" (hours up to 3 digits) → seconds; 0 on success. */
int gtfs_parse_time(const char *s, size_t len, int32_t *out);
/* Integer in [lo, hi]; 0 on success. */
int gtfs_parse_int(const char *s, size_t len, long lo, long hi, long *out);
/* Finite decimal number; 0 on success. */
int gtfs_parse_double(const char *s, size_t len, double *out);

/* Check the files a build does not load (fares, attributions, networks, areas, pathways, ...) for duplicate keys and
 * references to ids that do not exist, so a validation run covers the whole feed. Called by gtfs_feed_read. */
void gtfs_check_extra_files(gtfs_source *src, const gtfs_feed *feed, tc_diag *diag);

#endif
