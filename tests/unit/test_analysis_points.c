/* test_analysis_points.c — the points CSV reader: the real Porto Alegre hexgrid, fixtures with each kind of bad
 * input (duplicate id, no id column, bad coordinate, empty id, missing value), quoting/BOM/CRLF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "analysis/points.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *fixture(const char *name) {
    static char path[4096];
    const char *src = getenv("TC_SRC");
    snprintf(path, sizeof path, "%s/tests/fixtures/analysis/%s", src ? src : ".", name);
    return path;
}

typedef struct warnings {
    int n;
    char code[64], message[512];
    long line, column;
} warnings;

static void on_finding(void *user, const tc_finding *f) {
    warnings *w = user;
    w->n++;
    snprintf(w->code, sizeof w->code, "%s", f->code);
    snprintf(w->message, sizeof w->message, "%s", f->message);
    w->line = f->line;
    w->column = f->column;
}

static void test_poa_hexgrid(void **state) {
    (void)state;
    const char *data = getenv("TC_DATA");
    char path[4096];
    snprintf(path, sizeof path, "%s/porto-alegre/poa_hexgrid.csv", data ? data : "");
    FILE *fp = data ? fopen(path, "r") : NULL;
    if (!fp) {
        print_message("poa_hexgrid.csv absent (TC_DATA=%s): skipped\n", data ? data : "(unset)");
        skip();
    }
    /* an independent count and job total: the file has no quoting, so strtok-free field splitting suffices */
    char line[1024];
    size_t rows = 0, empty_jobs = 0;
    double jobs_total = 0;
    char first_id[64] = "";
    double first_lat = 0;
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "id,lon,lat,population,schools,jobs,healthcare\n");
    while (fgets(line, sizeof line, fp)) {
        if (line[0] == '\n') continue;
        char *f[7];
        int k = 0;
        for (char *s = line; k < 7; k++) {
            f[k] = s;
            s += strcspn(s, ",\n");
            if (*s) *s++ = '\0';
        }
        if (!rows) {
            snprintf(first_id, sizeof first_id, "%.63s", f[0]);
            first_lat = atof(f[2]);
        }
        if (!*f[5]) empty_jobs++;
        jobs_total += atof(f[5]);
        rows++;
    }
    fclose(fp);

    warnings w = {0};
    tc_points *p = NULL;
    tc_error err = {0};
    assert_int_equal(tc_points_read(path, on_finding, &w, &p, &err), TC_OK);
    assert_int_equal(p->n, rows);
    assert_int_equal(p->n_columns, 4);
    assert_string_equal(points_column_name(p, 0), "population");
    assert_string_equal(points_column_name(p, 2), "jobs");
    assert_string_equal(p->ids[0], first_id);
    assert_true(fabs(p->lat[0] - first_lat) < 1e-12);
    for (size_t i = 0; i < p->n; i++) {
        assert_true(p->lat[i] > -31 && p->lat[i] < -29); /* lat and lon not swapped */
        assert_true(p->lon[i] > -52 && p->lon[i] < -50);
    }
    assert_int_equal(points_find(p, first_id), 0);
    assert_int_equal(points_find(p, p->ids[p->n - 1]), (long)p->n - 1);
    assert_int_equal(points_find(p, "no-such-id"), -1);

    const double *jobs = NULL;
    assert_int_equal(empty_jobs, 5);
    assert_int_equal(tc_points_column_values(p, "JOBS", on_finding, &w, &jobs, &err), TC_OK);
    double sum = 0;
    for (size_t i = 0; i < p->n; i++) sum += jobs[i];
    assert_true(fabs(sum - jobs_total) < 1e-6);
    assert_int_equal(w.n, 1); /* one warning for the column, not one per cell */
    assert_string_equal(w.code, "missing_value");
    assert_non_null(strstr(w.message, "5 empty values"));
    assert_int_equal(w.line, 71); /* the first empty jobs cell */
    assert_int_equal(w.column, 6);
    const double *pop = NULL;
    assert_int_equal(tc_points_column_values(p, "population", on_finding, &w, &pop, &err), TC_OK);
    assert_int_equal(w.n, 1); /* population is complete: no new warning */
    assert_int_equal(tc_points_column_values(p, "nope", on_finding, &w, &pop, &err), TC_ERR_NOT_FOUND);
    tc_points_free(p);
}

static void expect_error(const char *name, tc_status code, long line, long column, const char *words) {
    tc_points *p = NULL;
    tc_error err = {0};
    assert_int_equal(tc_points_read(fixture(name), NULL, NULL, &p, &err), code);
    assert_null(p);
    assert_int_equal(err.line, line);
    assert_int_equal(err.column, column);
    assert_non_null(strstr(err.file, name));
    if (!strstr(err.message, words)) fail_msg("message '%s' lacks '%s'", err.message, words);
}

static void test_bad_files(void **state) {
    (void)state;
    expect_error("points_duplicate_id.csv", TC_ERR_PARSE, 4, 1, "duplicate id 'a' (first on line 2)");
    expect_error("points_no_id_column.csv", TC_ERR_PARSE, 1, 0, "no 'id' column");
    expect_error("points_bad_coordinate.csv", TC_ERR_PARSE, 3, 3, "bad latitude 'north'");
    expect_error("points_latitude_out_of_range.csv", TC_ERR_PARSE, 3, 3, "between -90 and 90");
    expect_error("points_empty_id.csv", TC_ERR_PARSE, 3, 1, "missing id");
    tc_points *p = NULL;
    tc_error err = {0};
    assert_int_equal(tc_points_read(fixture("no-such-file.csv"), NULL, NULL, &p, &err), TC_ERR_IO);
}

static void test_missing_values(void **state) {
    (void)state;
    warnings w = {0};
    tc_points *p = NULL;
    tc_error err = {0};
    assert_int_equal(tc_points_read(fixture("points_missing_value.csv"), on_finding, &w, &p, &err), TC_OK);
    assert_int_equal(p->n, 3);
    assert_true(fabs(p->lat[1] + 30.1) < 1e-12 && fabs(p->lon[1] + 51.2) < 1e-12); /* longitude/latitude names */
    const double *jobs;
    assert_int_equal(tc_points_column_values(p, "jobs", on_finding, &w, &jobs, &err), TC_OK);
    assert_true(jobs[0] == 10 && jobs[1] == 0 && jobs[2] == 0);
    assert_int_equal(w.n, 1);
    assert_int_equal(w.line, 3);
    assert_int_equal(w.column, 4);
    assert_non_null(strstr(w.message, "2 empty values"));
    tc_points_free(p);
}

static void test_bom_crlf_quotes(void **state) {
    (void)state;
    tc_points *p = NULL;
    tc_error err = {0};
    assert_int_equal(tc_points_read(fixture("points_bom_crlf_quoted.csv"), NULL, NULL, &p, &err), TC_OK);
    assert_int_equal(p->n, 2);
    assert_string_equal(p->ids[0], "x,1");
    assert_string_equal(p->ids[1], "y");
    assert_int_equal(p->lines[1], 4); /* the quoted newline advanced the line count */
    assert_true(p->lat[1] == -30.1 && p->lon[1] == -51.2);
    const double *v;
    assert_int_equal(tc_points_column_values(p, "pop", NULL, NULL, &v, &err), TC_OK);
    assert_true(v[0] == 5 && v[1] == 6);
    /* a text column is an error only when asked for as numbers */
    assert_int_equal(tc_points_column_values(p, "note", NULL, NULL, &v, &err), TC_ERR_PARSE);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 4);
    tc_points_free(p);
}

static void test_malformed_text(void **state) {
    (void)state;
    struct {
        const char *text;
        long line, column;
        const char *words;
    } cases[] = {
        {"id,lat,lon\na,1,2\n\"b,1,2\n", 3, 1, "unterminated"},
        /* the line where the unclosed quote opened, not where its record began */
        {"id,lat,lon\na,1,2\n\"b\nx\",1,\"2\n", 4, 3, "unterminated"},
        {"id,lat,lon\na,1,2\n,,\n", 3, 1, "missing id"}, /* a row of empty cells is a row, not a blank line */
        {"id,lat,lon\n\"a\" ,1,2\n", 2, 1, "after a closing quote"},
        {"id,lat,lon\na,1\n", 2, 2, "2 fields but the header has 3"},
        {"id,lat,lon\na,1,2,3\n", 2, 4, "4 fields"},
        {"id,lat,lon\n\"a\"x,1,2\n", 2, 1, "after a closing quote"},
        {"id,lat,lon\na,1,nan\n", 2, 3, "bad longitude"},
        {"id,lat,lon\na,1,200\n", 2, 3, "bad longitude"},
        {"id,lat,lon,lat\n", 1, 4, "duplicates"},
        {"", 1, 0, "empty file"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tc_points *p = NULL;
        tc_error err = {0};
        assert_int_equal(tc_points_parse("t.csv", cases[i].text, strlen(cases[i].text), NULL, NULL, &p, &err),
                         TC_ERR_PARSE);
        assert_null(p);
        if (err.line != cases[i].line || err.column != cases[i].column || !strstr(err.message, cases[i].words))
            fail_msg("case %zu: got %ld:%ld '%s'", i, err.line, err.column, err.message);
    }
    /* no trailing newline, blank lines, header only */
    const char *ok = "id,lat,lon\n\na,1,2\nb,3,4";
    tc_points *p = NULL;
    tc_error err = {0};
    assert_int_equal(tc_points_parse("t.csv", ok, strlen(ok), NULL, NULL, &p, &err), TC_OK);
    assert_int_equal(p->n, 2);
    assert_string_equal(p->ids[1], "b");
    assert_true(p->lon[1] == 4);
    tc_points_free(p);
    assert_int_equal(tc_points_parse("t.csv", "id,lat,lon\n", 11, NULL, NULL, &p, &err), TC_OK);
    assert_int_equal(p->n, 0);
    assert_int_equal(points_find(p, "a"), -1);
    tc_points_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poa_hexgrid),     cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_missing_values),  cmocka_unit_test(test_bom_crlf_quotes),
        cmocka_unit_test(test_malformed_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
