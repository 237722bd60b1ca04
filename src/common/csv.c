/*
 * csv.c — a streaming RFC 4180 reader (see csv.h).
 *
 * Bytes arrive in 64 KiB pieces from a zip member or a plain file; one row at a time is assembled into a reusable
 * buffer (cells NUL-terminated back to back), so memory does not depend on the file's size. The scanner is a
 * byte-at-a-time state machine whose state survives buffer boundaries (a quote or a CR may be the last byte of one
 * piece and its partner the first of the next). Real feeds break the RFC in known ways, and each is accepted with a
 * warning rather than refused: stray quotes inside cells, text after a closing quote, a missing closing quote,
 * CR-only line ends, NUL bytes, invalid UTF-8 (Latin-1 names), rows with too few or too many cells. Strict mode
 * (files written by hand for this program) turns the quote and row-length problems into errors instead.
 * Line numbers are physical lines (a quoted newline counts), columns are 1-based cell numbers. What cannot be a
 * CSV text is refused rather than scanned to the end: a record, a cell or a row count over the limits of
 * csv.h (a 1 MB zip can hold a 1 GiB line), and binary content (mostly NUL bytes) at the start.
 */
#include "common/csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CSV_IN_CAP (64u * 1024u)

long csv_membuf_read(void *ctx, char *buf, size_t cap, tc_error *err) {
    (void)err;
    csv_membuf *m = ctx;
    size_t n = m->len - m->pos;
    if (n > cap) n = cap;
    if (m->max_chunk && n > m->max_chunk) n = m->max_chunk;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return (long)n;
}

long csv_file_read(void *ctx, char *buf, size_t cap, tc_error *err) {
    csv_file *f = ctx;
    size_t n = fread(buf, 1, cap, f->fp);
    if (n == 0 && ferror(f->fp)) {
        error_set(err, TC_ERR_IO, f->name, 0, 0, "read error: %s", strerror(errno));
        return -1;
    }
    return (long)n;
}

/* 1 byte from the input, or -1 at the end (-2 on a read error). */
static inline int next_byte(csv_reader *c) {
    if (c->in_pos < c->in_len) return (unsigned char)c->in[c->in_pos++];
    if (c->eof) return -1;
    long n = c->read(c->ctx, c->in, CSV_IN_CAP, c->err);
    if (n < 0) {
        c->eof = 1;
        c->io_failed = 1;
        return -2;
    }
    if (n == 0) {
        c->eof = 1;
        return -1;
    }
    c->in_len = (size_t)n;
    c->in_pos = 1;
    return (unsigned char)c->in[0];
}

static inline int peek_byte(csv_reader *c) {
    int b = next_byte(c);
    if (b >= 0) c->in_pos--;
    return b;
}

static int row_push(csv_reader *c, char ch) {
    if (c->row_len + 2 > c->row_cap) {
        size_t ncap = c->row_cap ? c->row_cap * 2 : 1024;
        char *n = realloc(c->row, ncap);
        if (!n) return -1;
        c->row = n;
        c->row_cap = ncap;
    }
    c->row[c->row_len++] = ch;
    return 0;
}

static int field_end(csv_reader *c, size_t start) {
    if (c->n_fields == c->fields_cap) {
        size_t ncap = c->fields_cap ? c->fields_cap * 2 : 32;
        uint32_t *o = realloc(c->field_off, ncap * sizeof *o);
        if (!o) return -1;
        c->field_off = o;
        uint32_t *l = realloc(c->field_len, ncap * sizeof *l);
        if (!l) return -1;
        c->field_len = l;
        c->fields_cap = ncap;
    }
    c->field_off[c->n_fields] = (uint32_t)start;
    c->field_len[c->n_fields] = (uint32_t)(c->row_len - start);
    c->n_fields++;
    return row_push(c, 0) ? -1 : 0;
}

/* Length of the valid UTF-8 sequence at s (1–4), or 0 when the bytes there are not one. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned char b = s[0];
    if (b < 0x80) return 1;
    size_t len;
    uint32_t cp;
    if (b >= 0xC2 && b <= 0xDF) len = 2, cp = b & 0x1Fu;
    else if (b >= 0xE0 && b <= 0xEF) len = 3, cp = b & 0x0Fu;
    else if (b >= 0xF0 && b <= 0xF4) len = 4, cp = b & 0x07u;
    else return 0;
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
        return 0;
    return len;
}

/* Replace invalid UTF-8 in every cell of the row with U+FFFD, one warning per cell. */
static int repair_utf8(csv_reader *c) {
    int bad_any = 0;
    for (size_t f = 0; f < c->n_fields && !bad_any; f++) {
        const unsigned char *s = (const unsigned char *)c->row + c->field_off[f];
        size_t n = c->field_len[f];
        for (size_t i = 0; i < n;) {
            size_t k = utf8_seq(s + i, n - i);
            if (!k) {
                bad_any = 1;
                break;
            }
            i += k;
        }
    }
    if (!bad_any) return 0;
    /* rebuild the row in the scratch buffer: at worst every byte becomes 3 */
    size_t need = c->row_len * 3 + 1;
    if (need > c->fix_cap) {
        char *n = realloc(c->fix, need);
        if (!n) return -1;
        c->fix = n;
        c->fix_cap = need;
    }
    size_t out = 0;
    for (size_t f = 0; f < c->n_fields; f++) {
        const unsigned char *s = (const unsigned char *)c->row + c->field_off[f];
        size_t n = c->field_len[f];
        size_t start = out;
        long first_bad = -1;
        for (size_t i = 0; i < n;) {
            size_t k = utf8_seq(s + i, n - i);
            if (k) {
                memcpy(c->fix + out, s + i, k);
                out += k;
                i += k;
            } else {
                if (first_bad < 0) first_bad = (long)i;
                c->fix[out++] = (char)0xEF;
                c->fix[out++] = (char)0xBF;
                c->fix[out++] = (char)0xBD;
                i++;
            }
        }
        c->fix[out++] = 0;
        if (first_bad >= 0)
            diag_report(c->diag, TC_SEV_WARNING, "invalid_utf8", c->file, c->row_line, (long)f + 1,
                        "byte 0x%02X at offset %ld of the cell is not valid UTF-8 (replaced with U+FFFD)",
                        s[first_bad], first_bad + 1);
        c->field_off[f] = (uint32_t)start;
        c->field_len[f] = (uint32_t)(out - 1 - start);
    }
    /* swap buffers so the repaired row is the row */
    char *t = c->row;
    size_t tc = c->row_cap;
    c->row = c->fix;
    c->row_cap = c->fix_cap;
    c->row_len = out;
    c->fix = t;
    c->fix_cap = tc;
    return 0;
}

static int limit_fail(csv_reader *c, long line, long column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int limit_fail(csv_reader *c, long line, long column, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->failed, sizeof c->failed, fmt, ap);
    va_end(ap);
    c->fatal = 1;
    c->failed_line = line;
    c->failed_column = column;
    return -1;
}

/* A cell or record over its limit: -1 after recording why (the reading stops there). */
static int check_lengths(csv_reader *c, size_t raw, size_t start) {
    if (raw > c->max_record)
        return limit_fail(c, c->row_line, (long)c->n_fields + 1,
                          "line %ld is longer than the limit of %zu bytes (not a GTFS table, or a missing line end)",
                          c->row_line, c->max_record);
    if (c->row_len - start > c->max_field)
        return limit_fail(c, c->row_line, (long)c->n_fields + 1,
                          "cell %zu of line %ld is longer than the limit of %zu bytes", c->n_fields + 1, c->row_line,
                          c->max_field);
    return 0;
}

/* Scan one record (possibly empty). Returns 1 when a record was read, 0 at the end of input, -1 on error. */
static int scan_record(csv_reader *c) {
    c->row_len = 0;
    c->n_fields = 0;
    int b = next_byte(c);
    if (b == -2) return -1;
    if (b == -1) return 0;
    c->row_line = c->line + 1;
    if (++c->rows > c->max_rows)
        return limit_fail(c, c->row_line, 0, "more than the limit of %ld rows", c->max_rows);
    int high = 0, nul_seen = 0, quote_warned = 0, ctrl_seen = 0;
    long quote_line = 0; /* where the open quoted cell began (strict mode names it when the quote never closes) */
    size_t start = 0, raw = 0; /* raw: bytes of the record read, NULs and quotes included */
    enum { FIELD_START, UNQUOTED, QUOTED, AFTER_QUOTE } st = FIELD_START;
    for (;; b = next_byte(c)) {
        if (b == -2) return -1;
        if ((++raw & 1023) == 0 && check_lengths(c, raw, start)) return -1; /* every KiB: cheap, and bounded */
        if (b == -1) {
            if (st == QUOTED && c->strict)
                return limit_fail(c, quote_line, (long)c->n_fields + 1, "unterminated quoted field");
            if (st == QUOTED)
                diag_report(c->diag, TC_SEV_WARNING, "csv_unterminated_quote", c->file, c->row_line,
                            (long)c->n_fields + 1, "quoted cell not closed before the end of the file");
            c->line++;
            break;
        }
        if (b == 0) {
            if (!nul_seen)
                diag_report(c->diag, TC_SEV_WARNING, "nul_byte", c->file, c->line + 1, (long)c->n_fields + 1,
                            "NUL byte in the file (ignored)");
            nul_seen = 1;
            continue;
        }
        high |= b;
        if (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && !ctrl_seen) {
            diag_report(c->diag, TC_SEV_WARNING, "control_character", c->file, c->line + 1, (long)c->n_fields + 1,
                        "control character 0x%02X in the text (a stray line-end or page-break byte?)", b);
            ctrl_seen = 1;
        }
        if (st == QUOTED) {
            if (b == '"') {
                if (peek_byte(c) == '"') {
                    next_byte(c);
                    if (row_push(c, '"')) return -1;
                } else {
                    st = AFTER_QUOTE;
                }
                continue;
            }
            if (b == '\n') c->line++;
            else if (b == '\r' && peek_byte(c) != '\n') c->line++;
            if (row_push(c, (char)b)) return -1;
            continue;
        }
        if (b == ',') {
            if (check_lengths(c, raw, start) || field_end(c, start)) return -1;
            start = c->row_len;
            st = FIELD_START;
            continue;
        }
        if (b == '\n' || b == '\r') {
            if (b == '\r' && peek_byte(c) == '\n') next_byte(c);
            c->line++;
            break;
        }
        if (st == AFTER_QUOTE && c->strict)
            return limit_fail(c, c->line + 1, (long)c->n_fields + 1,
                              "unexpected character '%c' after a closing quote (expected ',' or end of line)", b);
        if (b == '"') {
            if (st == FIELD_START) {
                /* blanks before the opening quote are dropped */
                c->row_len = start;
                st = QUOTED;
                quote_line = c->line + 1;
                continue;
            }
            if (!quote_warned)
                diag_report(c->diag, TC_SEV_WARNING, "csv_stray_quote", c->file, c->row_line, (long)c->n_fields + 1,
                            "quote character inside an unquoted cell or after a closing quote (kept as text)");
            quote_warned = 1;
        } else if (st == AFTER_QUOTE && b != ' ' && b != '\t' && !quote_warned) {
            diag_report(c->diag, TC_SEV_WARNING, "csv_stray_quote", c->file, c->row_line, (long)c->n_fields + 1,
                        "text after the closing quote of a cell (kept)");
            quote_warned = 1;
        }
        if (st == FIELD_START && b != ' ' && b != '\t') st = UNQUOTED;
        if (row_push(c, (char)b)) return -1;
        if (st == UNQUOTED) {
            /* fast path: the rest of a plain cell (no separator, quote or control byte) is copied in one go; this
             * is most of a big stop_times.txt and halves the scanner's time there */
            const unsigned char *in = (const unsigned char *)c->in;
            size_t i = c->in_pos;
            while (i < c->in_len && in[i] != ',' && in[i] != '"' && in[i] >= 0x20) high |= in[i++];
            size_t k = i - c->in_pos;
            if (k) {
                if (c->row_len + k + 2 > c->row_cap) {
                    size_t ncap = c->row_cap * 2;
                    while (ncap < c->row_len + k + 2) ncap *= 2;
                    char *nr = realloc(c->row, ncap);
                    if (!nr) return -1;
                    c->row = nr;
                    c->row_cap = ncap;
                }
                memcpy(c->row + c->row_len, c->in + c->in_pos, k);
                c->row_len += k;
                c->in_pos = i;
                raw += k;
                if (check_lengths(c, raw, start)) return -1;
            }
        }
    }
    if (check_lengths(c, raw, start) || field_end(c, start)) return -1;
    if ((high & 0x80) && repair_utf8(c)) return -1;
    return 1;
}

/* A row with no text. Strict mode skips only an empty line: a row of empty cells (",,") is a row. */
static int row_blank(const csv_reader *c) {
    if (c->strict && c->n_fields > 1) return 0;
    for (size_t f = 0; f < c->n_fields; f++) {
        const char *s = c->row + c->field_off[f];
        for (uint32_t i = 0; i < c->field_len[f]; i++)
            if (s[i] != ' ' && s[i] != '\t') return 0;
    }
    return 1;
}

static void trim(const char **s, size_t *len) {
    const char *p = *s;
    size_t n = *len;
    while (n && (*p == ' ' || *p == '\t')) p++, n--;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
    *s = p;
    *len = n;
}

static tc_status read_header(csv_reader *c, const char *file, csv_read_fn read, void *ctx, int strict, diag_log *diag,
                             tc_error *err) {
    memset(c, 0, sizeof *c);
    c->strict = strict;
    c->file = file;
    c->diag = diag;
    c->read = read;
    c->ctx = ctx;
    c->err = err;
    c->in = malloc(CSV_IN_CAP);
    if (!c->in) return error_set(err, TC_ERR_NO_MEMORY, file, 0, 0, "out of memory");
    c->max_record = CSV_MAX_RECORD;
    c->max_field = CSV_MAX_FIELD;
    c->max_rows = CSV_MAX_ROWS;
    /* byte-order marks: UTF-8's is skipped, UTF-16/32 cannot be read as CSV bytes */
    unsigned char head[4] = {0};
    size_t got = 0;
    while (got < 4) {
        int b = next_byte(c);
        if (b == -2) return TC_ERR_IO;
        if (b < 0) break;
        head[got++] = (unsigned char)b;
    }
    if ((got >= 2 && ((head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF))) ||
        (got >= 4 && head[0] == 0 && head[1] == 0 && head[2] == 0xFE && head[3] == 0xFF))
        return error_set(err, TC_ERR_PARSE, file, 1, 1, "file is UTF-16 or UTF-32 encoded; expected UTF-8");
    if (got >= 2 && ((head[0] == 0 && head[1] != 0) || (head[0] != 0 && head[1] == 0)))
        return error_set(err, TC_ERR_PARSE, file, 1, 1,
                         "file looks UTF-16 encoded (NUL in every other byte); expected UTF-8");
    if (got >= 2 && head[0] == 0 && head[1] == 0) { /* UTF-32 has no two leading NULs before a BOM: binary */
        size_t nul = 0;
        for (size_t i = 0; i < c->in_len; i++) nul += c->in[i] == 0;
        limit_fail(c, 1, 1, "binary content, not CSV text (%zu of the first %zu bytes are NUL)", nul, c->in_len);
        return error_set(err, TC_ERR_PARSE, file, 1, 1, "%s", c->failed);
    }
    /* put the bytes back: the 4 bytes were all read from the first buffer fill unless the source gave pieces
     * shorter than 4 bytes, so rewind within in[] when possible, else re-inject through a small copy */
    size_t skip = (got >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF) ? 3 : 0;
    if (c->in_pos >= got) {
        c->in_pos -= got - skip;
    } else {
        /* pieces were tiny (tests): rebuild the buffer as the unconsumed head bytes followed by what remains */
        size_t rest = c->in_len - c->in_pos;
        char tmp[8];
        memcpy(tmp, head + skip, got - skip);
        memmove(c->in + (got - skip), c->in + c->in_pos, rest);
        memcpy(c->in, tmp, got - skip);
        c->in_len = got - skip + rest;
        c->in_pos = 0;
    }
    int r;
    do {
        r = scan_record(c);
    } while (r == 1 && row_blank(c));
    if (r < 0 && c->fatal) return error_set(err, TC_ERR_PARSE, file, c->failed_line, c->failed_column, "%s", c->failed);
    if (r < 0) return c->io_failed ? TC_ERR_IO : error_set(err, TC_ERR_NO_MEMORY, file, 0, 0, "out of memory");
    if (r == 0) return error_set(err, TC_ERR_PARSE, file, 1, 0, "empty file: no header row");
    c->header = calloc(c->n_fields, sizeof *c->header);
    if (!c->header) return error_set(err, TC_ERR_NO_MEMORY, file, 0, 0, "out of memory");
    c->n_header = c->n_fields;
    for (size_t i = 0; i < c->n_fields; i++) {
        const char *s = c->row + c->field_off[i];
        size_t n = c->field_len[i];
        trim(&s, &n);
        if (n >= 3 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
            s += 3, n -= 3; /* a BOM inside quotes, or a second one */
        c->header[i] = strndup(s, n);
        if (!c->header[i]) return error_set(err, TC_ERR_NO_MEMORY, file, 0, 0, "out of memory");
        for (size_t j = 0; j < i && !strict; j++)
            if (n && !strcmp(c->header[j], c->header[i])) {
                diag_report(diag, TC_SEV_ERROR, "duplicate_column", file, c->row_line, (long)i + 1,
                            "column \"%s\" appears twice in the header (the first one is used)", c->header[i]);
                c->header[i][0] = 0;
                break;
            }
    }
    return TC_OK;
}

/* A reader that failed to open holds nothing (closing it again is harmless). */
static tc_status open_reader(csv_reader *c, const char *file, csv_read_fn read, void *ctx, int strict, diag_log *diag,
                             tc_error *err) {
    tc_status st = read_header(c, file, read, ctx, strict, diag, err);
    if (st != TC_OK) csv_reader_close(c);
    return st;
}

tc_status csv_reader_open(csv_reader *c, const char *file, csv_read_fn read, void *ctx, diag_log *diag, tc_error *err) {
    return open_reader(c, file, read, ctx, 0, diag, err);
}

tc_status csv_reader_open_strict(csv_reader *c, const char *file, csv_read_fn read, void *ctx, diag_log *diag,
                                 tc_error *err) {
    return open_reader(c, file, read, ctx, 1, diag, err);
}

tc_status csv_reader_status(const csv_reader *c, tc_error *err) {
    if (c->fatal) return error_set(err, TC_ERR_PARSE, c->file, c->failed_line, c->failed_column, "%s", c->failed);
    if (c->io_failed) return err && err->code ? err->code : error_set(err, TC_ERR_IO, c->file, 0, 0, "read error");
    return error_set(err, TC_ERR_NO_MEMORY, c->file, 0, 0, "out of memory");
}

void csv_reader_close(csv_reader *c) {
    free(c->in);
    free(c->row);
    free(c->field_off);
    free(c->field_len);
    free(c->fix);
    if (c->header)
        for (size_t i = 0; i < c->n_header; i++) free(c->header[i]);
    free(c->header);
    memset(c, 0, sizeof *c);
}

int csv_reader_col(const csv_reader *c, const char *name) {
    for (size_t i = 0; i < c->n_header; i++)
        if (c->header[i][0] && !strcmp(c->header[i], name)) return (int)i;
    return -1;
}

int csv_reader_next(csv_reader *c) {
    for (;;) {
        int r = scan_record(c);
        if (r <= 0) return r;
        if (row_blank(c)) continue;
        if (c->strict && c->n_fields != c->n_header)
            return limit_fail(c, c->row_line, (long)(c->n_fields < c->n_header ? c->n_fields : c->n_header + 1),
                              "this row has %zu fields but the header has %zu", c->n_fields, c->n_header);
        if (c->n_fields < c->n_header)
            diag_report(c->diag, TC_SEV_WARNING, "missing_row_cells", c->file, c->row_line, (long)c->n_fields,
                        "row has %zu cells, the header %zu (missing cells read as empty)", c->n_fields, c->n_header);
        else if (c->n_fields > c->n_header) {
            /* trailing empty cells (a trailing comma) are harmless */
            int extra_text = 0;
            for (size_t f = c->n_header; f < c->n_fields; f++)
                if (c->field_len[f]) extra_text = 1;
            /* empty trailing cells (a trailing comma) are harmless: said once per file, not on every row */
            if (extra_text || !c->extra_empty_reported)
                diag_report(c->diag, TC_SEV_WARNING, "extra_row_cells", c->file, c->row_line, (long)c->n_header + 1,
                            "row has %zu cells, the header %zu (extra cells ignored%s)", c->n_fields, c->n_header,
                            extra_text ? "" : "; further rows with empty extra cells not reported");
            if (!extra_text) c->extra_empty_reported = 1;
        }
        return 1;
    }
}

const char *csv_reader_get(const csv_reader *c, int col, size_t *len) {
    if (col < 0 || (size_t)col >= c->n_fields) {
        *len = 0;
        return "";
    }
    const char *s = c->row + c->field_off[col];
    size_t n = c->field_len[col];
    trim(&s, &n);
    *len = n;
    return s;
}
