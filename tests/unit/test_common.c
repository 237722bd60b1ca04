/* test_common.c — dates, service times, distances, atomic writes and the network file container. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/geo.h"
#include "common/timeutil.h"
#include "netfile/netfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <math.h>

static void test_civil_round_trip(void **state) {
    (void)state;
    assert_int_equal(days_from_civil(1970, 1, 1), 0);
    assert_int_equal(days_from_civil(2000, 3, 1), 11017);
    /* every day over 400 years round-trips and weekdays advance by one */
    int32_t start = days_from_civil(1900, 1, 1), end = days_from_civil(2300, 1, 1);
    int prev_wd = date_weekday(start - 1);
    for (int32_t d = start; d < end; d++) {
        int y, m, dd;
        civil_from_days(d, &y, &m, &dd);
        assert_int_equal(days_from_civil(y, m, dd), d);
        assert_int_equal(date_weekday(d), (prev_wd + 1) % 7);
        prev_wd = date_weekday(d);
    }
    assert_int_equal(date_weekday(days_from_civil(2026, 11, 29)), 6); /* a Sunday */
}

static void test_date_parse(void **state) {
    (void)state;
    int32_t d;
    assert_int_equal(date_parse("20190415", 8, &d), 0);
    assert_int_equal(d, days_from_civil(2019, 4, 15));
    assert_int_equal(date_parse("2019-04-15", 10, &d), 0);
    assert_int_equal(d, days_from_civil(2019, 4, 15));
    assert_int_equal(date_parse("20240229", 8, &d), 0);
    assert_int_not_equal(date_parse("20230229", 8, &d), 0); /* not a leap year */
    assert_int_not_equal(date_parse("20191301", 8, &d), 0);
    assert_int_not_equal(date_parse("2019041", 7, &d), 0);
    assert_int_not_equal(date_parse("2019-4-15", 9, &d), 0);
    assert_int_not_equal(date_parse("2019x415", 8, &d), 0);
    char buf[11];
    tc_format_date(days_from_civil(2019, 12, 25), buf);
    assert_string_equal(buf, "2019-12-25");
}

static void test_time_parse(void **state) {
    (void)state;
    int32_t t;
    assert_int_equal(time_parse("08:05:09", 8, 0, &t), 0);
    assert_int_equal(t, 8 * 3600 + 5 * 60 + 9);
    assert_int_equal(time_parse("8:05:09", 7, 0, &t), 0);
    assert_int_equal(t, 8 * 3600 + 5 * 60 + 9);
    assert_int_equal(time_parse("25:10:00", 8, 0, &t), 0);
    assert_int_equal(t, 90600);
    assert_int_equal(time_parse("100:00:00", 9, 0, &t), 0);
    assert_int_equal(t, 360000);
    assert_int_not_equal(time_parse("08:05", 5, 0, &t), 0); /* GTFS needs seconds */
    assert_int_equal(time_parse("08:05", 5, 1, &t), 0);     /* the CLI does not */
    assert_int_equal(t, 8 * 3600 + 300);
    assert_int_not_equal(time_parse("08:60:00", 8, 0, &t), 0);
    assert_int_not_equal(time_parse("08:5:00", 7, 0, &t), 0);
    assert_int_not_equal(time_parse(":05:00", 6, 0, &t), 0);
    assert_int_not_equal(time_parse("08:05:00 ", 9, 0, &t), 0);
    char buf[16];
    time_format(90600, buf);
    assert_string_equal(buf, "25:10:00");
}

static void test_distances(void **state) {
    (void)state;
    /* one degree of latitude ≈ 111.195 km on the mean sphere */
    assert_true(fabs(haversine_m(0, 0, 1, 0) - 111195.08) < 1.0);
    /* the antimeridian: 0.2° of longitude at the equator either way */
    double a = fast_distance_m(0, 179.9, 0, -179.9), b = haversine_m(0, 179.9, 0, -179.9);
    assert_true(fabs(a - 22239.0) < 5.0);
    assert_true(fabs(b - 22239.0) < 5.0);
    /* Changsha station to Wuyi Square: fast and exact agree within 0.1% */
    double f = fast_distance_m(28.19697, 113.00533, 28.19875, 112.97090);
    double h = haversine_m(28.19697, 113.00533, 28.19875, 112.97090);
    assert_true(fabs(f - h) / h < 1e-3);
    assert_int_equal(to_e7(-12.3456789), -123456789);
    assert_true(fabs(from_e7(to_e7(113.0053312)) - 113.0053312) < 1e-7);
}

static char tmpdir[256];

static int setup_tmp(void **state) {
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/tc_test_common_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmp(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static long file_size(const char *p) {
    struct stat sb;
    return stat(p, &sb) == 0 ? (long)sb.st_size : -1;
}

static void test_atomic_abort_keeps_old(void **state) {
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/out.txt", tmpdir);
    tc_error err;
    assert_int_equal(atomic_file_write_all(path, "old", 3, &err), TC_OK);
    atomic_file af;
    assert_int_equal(atomic_file_open(&af, path, &err), TC_OK);
    fputs("new and longer", af.fp);
    fflush(af.fp);
    assert_int_equal(file_size(path), 3); /* readers still see the old file */
    atomic_file_abort(&af);
    assert_int_equal(file_size(path), 3);
    assert_int_equal(access(af.tmp_path, F_OK), -1); /* no temporary left behind */
    assert_int_equal(atomic_file_write_all(path, "newer", 5, &err), TC_OK);
    assert_int_equal(file_size(path), 5);
    /* a folder that does not exist: an error naming the path, nothing created */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/no/such/dir/x", tmpdir);
    assert_int_equal(atomic_file_write_all(bad, "x", 1, &err), TC_ERR_IO);
    assert_non_null(strstr(err.file, "no/such/dir"));
}

static void write_sample(const char *path, uint64_t *payload_offset) {
    netfile_writer w;
    tc_error err;
    assert_int_equal(netfile_create(&w, path, &err), TC_OK);
    uint32_t a[100];
    for (int i = 0; i < 100; i++) a[i] = (uint32_t)i * 7u;
    assert_int_equal(netfile_add(&w, TC_SEC_STOPS, a, sizeof a, &err), TC_OK);
    assert_int_equal(netfile_add(&w, TC_SEC_STRINGS, "\0abc", 5, &err), TC_OK);
    assert_int_equal(netfile_add(&w, TC_SEC_STRINGS, "x", 1, &err), TC_ERR_INTERNAL); /* ids are unique */
    *payload_offset = w.table[0].offset;
    assert_int_equal(netfile_commit(&w, &err), TC_OK);
}

static void test_netfile_round_trip_and_damage(void **state) {
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/net.tc", tmpdir);
    uint64_t off;
    write_sample(path, &off);
    assert_int_equal(off % TC_NETFILE_ALIGN, 0);

    netfile nf;
    tc_error err;
    assert_int_equal(netfile_map(path, &nf, &err), TC_OK);
    const void *data;
    uint64_t n;
    assert_int_equal(netfile_get_array(&nf, TC_SEC_STOPS, 1, 4, 100, &data, &n, &err), TC_OK);
    assert_int_equal(((const uint32_t *)data)[99], 693);
    assert_int_equal(netfile_get_array(&nf, TC_SEC_STOPS, 1, 4, 99, &data, &n, &err), TC_ERR_FORMAT);
    assert_int_equal(netfile_get(&nf, TC_SEC_TRIPS, 1, &data, &n, &err), TC_ERR_FORMAT);
    assert_int_equal(netfile_get(&nf, TC_SEC_TRIPS, 0, &data, &n, &err), TC_OK);
    assert_null(data);
    netfile_unmap(&nf);

    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    /* flip one payload byte: the section checksum refuses it */
    fseek(f, (long)off + 17, SEEK_SET);
    int c = fgetc(f);
    fseek(f, (long)off + 17, SEEK_SET);
    fputc(c ^ 0x20, f);
    fclose(f);
    assert_int_equal(netfile_map(path, &nf, &err), TC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "checksum"));

    /* truncated */
    write_sample(path, &off);
    assert_int_equal(truncate(path, file_size(path) - 10), 0);
    assert_int_equal(netfile_map(path, &nf, &err), TC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "truncated"));

    /* another format version */
    write_sample(path, &off);
    f = fopen(path, "r+b");
    uint32_t v = TC_FORMAT_VERSION + 1;
    fseek(f, 8, SEEK_SET);
    fwrite(&v, 4, 1, f);
    fclose(f);
    assert_int_equal(netfile_map(path, &nf, &err), TC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "version"));

    /* not a network file at all */
    assert_int_equal(atomic_file_write_all(path, "agency_id,agency_name\n1,x\n", 26, &err), TC_OK);
    assert_int_equal(netfile_map(path, &nf, &err), TC_ERR_FORMAT);
    assert_int_equal(netfile_map("/nonexistent/net.tc", &nf, &err), TC_ERR_IO);
}

static void count_reported(void *user, const tc_finding *f) {
    (void)f;
    (*(int *)user)++;
}

static void test_findings_capped_per_code(void **state) {
    (void)state;
    int reported = 0;
    diag_log d = {.fn = count_reported, .user = &reported, .max_per_code = 3};
    for (int i = 0; i < 10; i++) diag_report(&d, TC_SEV_WARNING, "duplicate_stop", "stops.txt", i + 2, 1, "dup %d", i);
    for (int i = 0; i < 2; i++) diag_report(&d, TC_SEV_ERROR, "unknown_stop", "stop_times.txt", i + 2, 1, "x");
    assert_int_equal(reported, 3 + 2); /* three of the first code, both of the second */
    assert_int_equal(d.warnings, 10);   /* every finding is still counted */
    assert_int_equal(d.errors, 2);
    assert_int_equal(d.suppressed, 7);
    diag_log unlimited = {.fn = count_reported, .user = &reported};
    reported = 0;
    for (int i = 0; i < 100; i++) diag_report(&unlimited, TC_SEV_WARNING, "w", "f", 1, 1, "m");
    assert_int_equal(reported, 100);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_civil_round_trip),
        cmocka_unit_test(test_date_parse),
        cmocka_unit_test(test_time_parse),
        cmocka_unit_test(test_distances),
        cmocka_unit_test(test_atomic_abort_keeps_old),
        cmocka_unit_test(test_netfile_round_trip_and_damage),
        cmocka_unit_test(test_findings_capped_per_code),
    };
    return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
