/*
 * csv.h — a streaming RFC 4180 reader: GTFS tables, points files (origins, opportunities), places and hubs.
 *
 * Bytes come through a read function (a zip member, a plain file, a memory buffer), one row at a time is assembled
 * into a reusable buffer, so memory does not depend on the file's size. It handles a BOM, CR/LF/CRLF line ends,
 * quotes, ragged rows, NUL bytes and invalid UTF-8 (replaced by U+FFFD with a warning naming file:line:column).
 * Two modes:
 *  - lenient (csv_reader_open), for GTFS as published: stray or unclosed quotes and rows with too few or too many
 *    cells are read with a warning, a duplicate header name is reported and its second column ignored;
 *  - strict (csv_reader_open_strict), for files a planner writes by hand: each of those is an error naming the
 *    file, line and column (c->fatal and c->failed, turned into a tc_error by csv_reader_status).
 * Line numbers are physical lines (a quoted newline counts), columns are 1-based cell numbers.
 */
#ifndef TC_COMMON_CSV_H
#define TC_COMMON_CSV_H

#include "tongcheng.h"
#include "common/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where the reader gets its bytes: up to cap bytes into buf; bytes read, 0 at the end, -1 on a read error (err
 * filled). */
typedef long (*csv_read_fn)(void *ctx, char *buf, size_t cap, tc_error *err);

typedef struct csv_reader {
    const char *file; /* name used in findings, e.g. "stops.txt" */
    diag_log *diag;
    csv_read_fn read;
    void *ctx;
    tc_error *err;
    int strict;       /* csv_reader_open_strict */
    /* input buffer */
    char *in;
    size_t in_len, in_pos;
    int eof;
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
    /* scratch for UTF-8 repair */
    char *fix;
    size_t fix_cap;
    int io_failed;
    int extra_empty_reported;
    /* limits (set by the open functions to the CSV_MAX_* defaults; tests lower them): a record longer than
     * max_record bytes, a cell longer than max_field or more than max_rows records stop the read with a finding
     * naming the file, line and limit, so a 1 GiB line costs at most max_record bytes of memory */
    size_t max_record, max_field;
    long max_rows;
    long rows;
    int fatal;            /* a limit was passed, the content is binary, or (strict) the text breaks RFC 4180 */
    char failed[240];
    long failed_line, failed_column;
} csv_reader;

#define CSV_MAX_RECORD (1u << 20)    /* 1 MiB: no GTFS row comes near (long shape or fare rows are < 10 KiB) */
#define CSV_MAX_FIELD (256u * 1024u) /* a route description or a note, with room to spare */
#define CSV_MAX_ROWS 500000000L     /* 5× the largest stop_times.txt known (Germany-wide, ~100 M rows) */

/* Read the header. TC_OK, or TC_ERR_PARSE for an unreadable encoding (UTF-16/32) or an empty file with no header
 * (err says which), TC_ERR_IO on a read error; after a failure c holds no memory. */
tc_status csv_reader_open(csv_reader *c, const char *file, csv_read_fn read, void *ctx, diag_log *diag, tc_error *err);
/* The same in strict mode (see above); the header is kept as written, duplicates included. */
tc_status csv_reader_open_strict(csv_reader *c, const char *file, csv_read_fn read, void *ctx, diag_log *diag,
                                 tc_error *err);
void csv_reader_close(csv_reader *c);
/* Column index of a header name, or -1. */
int csv_reader_col(const csv_reader *c, const char *name);
/* Next data row: 1, 0 at the end, -1 on a read error or a passed limit (c->fatal, c->failed). Blank lines are
 * skipped. Lenient: rows with fewer or more cells than the header are kept (missing cells read as "") and reported;
 * strict: they are an error. */
int csv_reader_next(csv_reader *c);
/* After csv_reader_next returned -1: the error as a tc_status with err filled (TC_ERR_PARSE naming the file, line
 * and column for c->fatal, TC_ERR_IO as the read function reported it, else TC_ERR_NO_MEMORY). */
tc_status csv_reader_status(const csv_reader *c, tc_error *err);
/* Cell of column col in the current row, trimmed of surrounding blanks; "" when col < 0 or the row is short. */
const char *csv_reader_get(const csv_reader *c, int col, size_t *len);

/* A memory buffer as a csv_read_fn context. */
typedef struct csv_membuf {
    const char *data;
    size_t len, pos;
    size_t max_chunk; /* 0 = any; tests use 1 to exercise every buffer boundary */
} csv_membuf;
long csv_membuf_read(void *ctx, char *buf, size_t cap, tc_error *err);

/* An open file as a csv_read_fn context; name is used in the read error. */
typedef struct csv_file {
    FILE *fp;
    const char *name;
} csv_file;
long csv_file_read(void *ctx, char *buf, size_t cap, tc_error *err);

#endif
