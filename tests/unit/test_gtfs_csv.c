/*
 * test_gtfs_csv.c — the streaming CSV reader and the GTFS value parsers.
 *
 * Every input is read twice: in one piece and one byte at a time, so that each state of the scanner (a quote, a CR,
 * a BOM) is also exercised across a buffer boundary. Findings are collected and checked by code, line and column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gtfs/gtfs_internal.h"
#include "common/timeutil.h"

typedef struct found {
    char text[8192];
    int n;
} found;

static void collect(void *user, const tc_finding *f) {
    found *fd = user;
    size_t len = strlen(fd->text);
    snprintf(fd->text + len, sizeof fd->text - len, "%s:%ld:%ld:%s\n", f->code, f->line, f->column,
             f->severity == TC_SEV_ERROR ? "E" : "W");
    fd->n++;
}

/* Read all of data; rows joined as "a|b|c\n". */
static void read_all(const char *data, size_t len, size_t chunk, char *out, size_t cap, found *fd, tc_status *rc) {
    csv_membuf mb = {data, len, 0, chunk};
    diag_log diag = {.fn = collect, .user = fd};
    csv_reader c;
    tc_error err = {0};
    out[0] = 0;
    *rc = csv_reader_open(&c, "t.txt", csv_membuf_read, &mb, &diag, &err);
    if (*rc == TC_OK) {
        size_t o = 0;
        for (size_t i = 0; i < c.n_header; i++) o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "|" : "", c.header[i]);
        o += (size_t)snprintf(out + o, cap - o, "\n");
        while (csv_reader_next(&c) == 1) {
            for (size_t i = 0; i < c.n_fields; i++) {
                size_t n;
                const char *s = csv_reader_get(&c, (int)i, &n);
                o += (size_t)snprintf(out + o, cap - o, "%s%.*s", i ? "|" : "", (int)n, s);
            }
            o += (size_t)snprintf(out + o, cap - o, "@%ld\n", c.row_line);
        }
    }
    csv_reader_close(&c);
}

/* Both chunkings must agree on rows and findings. */
static void check(const char *data, size_t len, const char *want_rows, const char *want_findings) {
    size_t chunks[2] = {0, 1};
    for (int k = 0; k < 2; k++) {
        char out[8192];
        found fd = {{0}, 0};
        tc_status rc;
        read_all(data, len, chunks[k], out, sizeof out, &fd, &rc);
        assert_int_equal(rc, TC_OK);
        assert_string_equal(out, want_rows);
        assert_string_equal(fd.text, want_findings);
    }
}

static void test_plain_lf(void **state) {
    (void)state;
    const char *d = "a,b,c\n1,2,3\n4,5,6\n";
    check(d, strlen(d), "a|b|c\n1|2|3@2\n4|5|6@3\n", "");
}

static void test_crlf_cr_and_no_final_newline(void **state) {
    (void)state;
    const char *d = "a,b\r\n1,2\r3,4\r\n5,6";
    check(d, strlen(d), "a|b\n1|2@2\n3|4@3\n5|6@4\n", "");
}

static void test_bom_and_blank_lines(void **state) {
    (void)state;
    const char *d = "\xEF\xBB\xBFstop_id,name\n\n1,x\n  \n2,y\n";
    check(d, strlen(d), "stop_id|name\n1|x@3\n2|y@5\n", "");
}

static void test_quotes(void **state) {
    (void)state;
    /* a comma and a doubled quote inside quotes; a newline inside quotes advances the line count */
    const char *d = "id,name\n1,\"Main St, \"\"North\"\"\"\n2,\"two\nlines\"\n3,plain\n";
    check(d, strlen(d), "id|name\n1|Main St, \"North\"@2\n2|two\nlines@3\n3|plain@5\n", "");
}

static void test_stray_and_unterminated_quotes(void **state) {
    (void)state;
    const char *d = "id,name\n1,ab\"c\n2,\"open";
    check(d, strlen(d), "id|name\n1|ab\"c@2\n2|open@3\n", "csv_stray_quote:2:2:W\ncsv_unterminated_quote:3:2:W\n");
}

static void test_ragged_rows(void **state) {
    (void)state;
    const char *d = "a,b,c\n1,2\n1,2,3,4\n1,2,3,\n1,2,3,\n";
    check(d, strlen(d), "a|b|c\n1|2@2\n1|2|3|4@3\n1|2|3|@4\n1|2|3|@5\n",
          "missing_row_cells:2:2:W\nextra_row_cells:3:4:W\nextra_row_cells:4:4:W\n");
}

static void test_invalid_utf8_replaced(void **state) {
    (void)state;
    /* Latin-1 "é" (0xE9) in column 2 of line 2; valid UTF-8 "é" on line 3 is left alone */
    const char *d = "id,name\n1,Caf\xE9\n2,Caf\xC3\xA9\n";
    check(d, strlen(d), "id|name\n1|Caf\xEF\xBF\xBD@2\n2|Caf\xC3\xA9@3\n", "invalid_utf8:2:2:W\n");
}

static void test_nul_and_control_bytes(void **state) {
    (void)state;
    const char d[] = "id,name\n1,a\0b\n2,c\fd\n";
    check(d, sizeof d - 1, "id|name\n1|ab@2\n2|c\fd@3\n", "nul_byte:2:2:W\ncontrol_character:3:2:W\n");
}

static void test_columns_by_name_and_duplicates(void **state) {
    (void)state;
    const char *d = " stop_name , stop_id,stop_id\nX,1,2\n";
    csv_membuf mb = {d, strlen(d), 0, 0};
    found fd = {{0}, 0};
    diag_log diag = {.fn = collect, .user = &fd};
    csv_reader c;
    assert_int_equal(csv_reader_open(&c, "stops.txt", csv_membuf_read, &mb, &diag, NULL), TC_OK);
    assert_int_equal(csv_reader_col(&c, "stop_id"), 1);
    assert_int_equal(csv_reader_col(&c, "stop_name"), 0);
    assert_int_equal(csv_reader_col(&c, "zone_id"), -1);
    assert_int_equal(csv_reader_next(&c), 1);
    size_t n;
    const char *s = csv_reader_get(&c, csv_reader_col(&c, "stop_id"), &n);
    assert_int_equal(n, 1);
    assert_memory_equal(s, "1", 1);
    s = csv_reader_get(&c, -1, &n); /* absent column reads as empty */
    assert_int_equal(n, 0);
    assert_int_equal(csv_reader_next(&c), 0);
    csv_reader_close(&c);
    assert_string_equal(fd.text, "duplicate_column:1:3:E\n");
}

static void test_utf16_and_empty_refused(void **state) {
    (void)state;
    const char u16[] = "\xFF\xFEi\0d\0\n\0";
    char out[256];
    found fd = {{0}, 0};
    tc_status rc;
    read_all(u16, sizeof u16 - 1, 0, out, sizeof out, &fd, &rc);
    assert_int_equal(rc, TC_ERR_PARSE);
    read_all("", 0, 0, out, sizeof out, &fd, &rc);
    assert_int_equal(rc, TC_ERR_PARSE);
    read_all("\n\n", 2, 1, out, sizeof out, &fd, &rc);
    assert_int_equal(rc, TC_ERR_PARSE);
}

static void test_long_row_crosses_buffers(void **state) {
    (void)state;
    /* a 200 kB cell spans several 64 KiB input buffers */
    size_t big = 200000;
    char *d = malloc(big + 32);
    assert_non_null(d);
    if (!d) return;
    strcpy(d, "a,b\n1,");
    memset(d + 6, 'x', big);
    strcpy(d + 6 + big, "\n2,y\n");
    csv_membuf mb = {d, strlen(d), 0, 0};
    csv_reader c;
    diag_log diag = {0};
    assert_int_equal(csv_reader_open(&c, "t.txt", csv_membuf_read, &mb, &diag, NULL), TC_OK);
    assert_int_equal(csv_reader_next(&c), 1);
    size_t n;
    csv_reader_get(&c, 1, &n);
    assert_int_equal(n, big);
    assert_int_equal(csv_reader_next(&c), 1);
    assert_int_equal(c.row_line, 3);
    assert_int_equal(csv_reader_next(&c), 0);
    csv_reader_close(&c);
    free(d);
}

/* One data row read with a limit lowered after the header: -1 and the reason, naming the line. */
static int read_limited(const char *data, size_t chunk, size_t max_record, size_t max_field, long max_rows,
                        char *why, size_t cap, long *line) {
    csv_membuf mb = {data, strlen(data), 0, chunk};
    csv_reader c;
    diag_log diag = {0};
    int r = -9;
    if (csv_reader_open(&c, "t.txt", csv_membuf_read, &mb, &diag, NULL) == TC_OK) {
        c.max_record = max_record;
        c.max_field = max_field;
        c.max_rows = max_rows;
        while ((r = csv_reader_next(&c)) == 1) {
        }
        snprintf(why, cap, "%s", c.fatal ? c.failed : "");
        *line = c.failed_line;
    }
    csv_reader_close(&c);
    return r;
}

static void test_limits(void **state) {
    (void)state;
    char why[256];
    long line = 0;
    char *d = malloc(5000);
    assert_non_null(d);
    if (!d) return;
    strcpy(d, "a,b\n1,2\n");
    memset(d + 8, 'x', 3000);
    strcpy(d + 3008, "\n3,4\n");
    for (size_t chunk = 0; chunk <= 1; chunk++) {
        assert_int_equal(read_limited(d, chunk, 1000, 100000, 100, why, sizeof why, &line), -1);
        assert_string_equal(why, "line 3 is longer than the limit of 1000 bytes (not a GTFS table, or a missing line "
                                 "end)");
        assert_int_equal(line, 3);
        assert_int_equal(read_limited(d, chunk, 100000, 2000, 100, why, sizeof why, &line), -1);
        assert_string_equal(why, "cell 1 of line 3 is longer than the limit of 2000 bytes");
        assert_int_equal(read_limited("a,b\n1,12345678901\n", chunk, 1000, 10, 100, why, sizeof why, &line), -1);
        assert_string_equal(why, "cell 2 of line 2 is longer than the limit of 10 bytes");
        assert_int_equal(read_limited("a\n1\n2\n3\n", chunk, 1000, 10, 3, why, sizeof why, &line), -1);
        assert_string_equal(why, "more than the limit of 3 rows");
        assert_int_equal(line, 4);
        assert_int_equal(read_limited("a\n1\n2\n", chunk, 1000, 10, 3, why, sizeof why, &line), 0); /* at the limit */
        /* the limits are not reached by what they allow: 1000 bytes exactly */
        assert_int_equal(read_limited(d + 8 + 3000 - 995, chunk, 1000, 1000, 100, why, sizeof why, &line), 0);
    }
    free(d);
    /* binary content: refused at the header, not scanned to the end */
    char nul[300] = {0};
    csv_membuf mb = {nul, sizeof nul, 0, 0};
    csv_reader c;
    diag_log diag = {0};
    tc_error err = {0};
    assert_int_equal(csv_reader_open(&c, "stops.txt", csv_membuf_read, &mb, &diag, &err), TC_ERR_PARSE);
    assert_string_equal(err.message, "binary content, not CSV text (300 of the first 300 bytes are NUL)");
    assert_int_equal(err.line, 1);
    csv_reader_close(&c);
}

static void test_time_parsing(void **state) {
    (void)state;
    int32_t t;
    assert_int_equal(gtfs_parse_time("8:05:09", 7, &t), 0);
    assert_int_equal(t, 8 * 3600 + 5 * 60 + 9);
    assert_int_equal(gtfs_parse_time("08:05:09", 8, &t), 0);
    assert_int_equal(t, 8 * 3600 + 5 * 60 + 9);
    assert_int_equal(gtfs_parse_time("25:10:00", 8, &t), 0); /* past midnight of the service day */
    assert_int_equal(t, 90600);
    assert_int_equal(gtfs_parse_time("100:00:00", 9, &t), 0);
    assert_int_equal(t, 360000);
    assert_int_not_equal(gtfs_parse_time("", 0, &t), 0);
    assert_int_not_equal(gtfs_parse_time("8:5:09", 6, &t), 0);
    assert_int_not_equal(gtfs_parse_time("08:60:00", 8, &t), 0);
    assert_int_not_equal(gtfs_parse_time("08:00:61", 8, &t), 0);
    assert_int_not_equal(gtfs_parse_time("08:00", 5, &t), 0); /* GTFS times have seconds */
    assert_int_not_equal(gtfs_parse_time("-1:00:00", 8, &t), 0);
    assert_int_not_equal(gtfs_parse_time("08:00:00x", 9, &t), 0);
}

static void test_number_parsing(void **state) {
    (void)state;
    long v;
    double d;
    assert_int_equal(gtfs_parse_int("12", 2, 0, 100, &v), 0);
    assert_int_equal(v, 12);
    assert_int_equal(gtfs_parse_int("-3", 2, -5, 5, &v), 0);
    assert_int_equal(v, -3);
    assert_int_not_equal(gtfs_parse_int("101", 3, 0, 100, &v), 0);
    assert_int_not_equal(gtfs_parse_int("1.5", 3, 0, 100, &v), 0);
    assert_int_not_equal(gtfs_parse_int("", 0, 0, 100, &v), 0);
    assert_int_not_equal(gtfs_parse_int("99999999999999999999", 20, 0, 100, &v), 0);
    assert_int_equal(gtfs_parse_double("-117.133162", 11, &d), 0);
    assert_true(d > -117.1332 && d < -117.1331);
    assert_int_not_equal(gtfs_parse_double("1.2.3", 5, &d), 0);
    assert_int_not_equal(gtfs_parse_double("nan", 3, &d), 0);
    assert_int_not_equal(gtfs_parse_double("", 0, &d), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_lf),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_crlf_cr_and_no_final_newline),
        cmocka_unit_test(test_bom_and_blank_lines),
        cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_stray_and_unterminated_quotes),
        cmocka_unit_test(test_ragged_rows),
        cmocka_unit_test(test_invalid_utf8_replaced),
        cmocka_unit_test(test_nul_and_control_bytes),
        cmocka_unit_test(test_columns_by_name_and_duplicates),
        cmocka_unit_test(test_utf16_and_empty_refused),
        cmocka_unit_test(test_long_row_crosses_buffers),
        cmocka_unit_test(test_time_parsing),
        cmocka_unit_test(test_number_parsing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
