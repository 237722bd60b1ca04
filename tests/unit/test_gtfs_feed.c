/*
 * test_gtfs_feed.c — gtfs_feed_read on tiny feeds written by the test: calendar logic (calendar.txt alone,
 * calendar_dates.txt alone, both), interpolation of blank times, what a recoverable problem drops, what is fatal,
 * and feed locations (folder, zip, zip with a sub-folder, two feeds in one zip).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "gtfs/gtfs_internal.h"
#include "common/timeutil.h"

typedef struct found {
    char text[16384];
} found;

static void collect(void *user, const tc_finding *f) {
    found *fd = user;
    size_t len = strlen(fd->text);
    snprintf(fd->text + len, sizeof fd->text - len, "%s %s:%ld\n", f->code, f->file, f->line);
}

static char dir[256];

static void put(const char *name, const char *text) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void drop(const char *name) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

/* A base feed: three stops on a line (1 km apart), one route, trip T1 with times at every stop. */
static void make_base(void) {
    put("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,Agency,http://a,Europe/Warsaw\n");
    put("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nS1,One,50.0,20.0\nS2,Two,50.009,20.0\n"
                     "S3,Three,50.027,20.0\n");
    put("routes.txt", "route_id,agency_id,route_short_name,route_type\nR,A,1,3\n");
    put("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\n");
    put("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "T1,08:00:00,08:00:00,S1,1\nT1,08:10:00,08:11:00,S2,2\nT1,08:30:00,08:30:00,S3,3\n");
    /* 2024-01-01 is a Monday */
    put("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "WK,1,1,1,1,1,0,0,20240101,20240114\n");
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tc_test_gtfs_XXXXXX");
    if (!mkdtemp(dir)) return -1;
    make_base();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static gtfs_feed *read_ok(found *fd) {
    memset(fd, 0, sizeof *fd);
    diag_log diag = {.fn = collect, .user = fd};
    gtfs_feed *f = NULL;
    tc_error err = {0};
    tc_status rc = gtfs_feed_read(dir, "t", &diag, &f, &err);
    if (rc != TC_OK) fprintf(stderr, "read failed: %s: %s\n", err.file, err.message);
    assert_int_equal(rc, TC_OK);
    return f;
}

static int32_t day(int y, int m, int d) { return days_from_civil(y, m, d); }

static void test_calendar_only(void **state) {
    (void)state;
    found fd;
    gtfs_feed *f = read_ok(&fd);
    assert_int_equal(f->n_services, 1);
    assert_int_equal(f->first_day, day(2024, 1, 1));
    assert_int_equal(f->n_days, 14);
    assert_true(gtfs_service_active(f, 0, day(2024, 1, 1)));   /* Monday */
    assert_true(gtfs_service_active(f, 0, day(2024, 1, 5)));   /* Friday */
    assert_false(gtfs_service_active(f, 0, day(2024, 1, 6)));  /* Saturday */
    assert_false(gtfs_service_active(f, 0, day(2024, 1, 7)));  /* Sunday */
    assert_true(gtfs_service_active(f, 0, day(2024, 1, 12)));
    assert_false(gtfs_service_active(f, 0, day(2024, 1, 15))); /* after end_date */
    assert_false(gtfs_service_active(f, 0, day(2023, 12, 29)));
    assert_int_equal(f->counts.calendar, 1);
    assert_string_equal(f->timezone, "Europe/Warsaw");
    gtfs_feed_free(f);
}

static void test_calendar_with_exceptions(void **state) {
    (void)state;
    /* holiday on Monday 8th removed, Saturday 13th added, and a date outside calendar.txt's range widens it */
    put("calendar_dates.txt", "service_id,date,exception_type\nWK,20240108,2\nWK,20240113,1\nWK,20240120,1\n");
    found fd;
    gtfs_feed *f = read_ok(&fd);
    assert_int_equal(f->first_day, day(2024, 1, 1));
    assert_int_equal(f->n_days, 20);
    assert_false(gtfs_service_active(f, 0, day(2024, 1, 8)));
    assert_true(gtfs_service_active(f, 0, day(2024, 1, 9)));
    assert_true(gtfs_service_active(f, 0, day(2024, 1, 13)));
    assert_true(gtfs_service_active(f, 0, day(2024, 1, 20)));
    assert_false(gtfs_service_active(f, 0, day(2024, 1, 19))); /* Friday, but after calendar's end_date */
    gtfs_feed_free(f);
    drop("calendar_dates.txt");
}

static void test_calendar_dates_only(void **state) {
    (void)state;
    drop("calendar.txt");
    put("calendar_dates.txt", "service_id,date,exception_type\nWK,20240301,1\nWK,20240303,1\n");
    found fd;
    gtfs_feed *f = read_ok(&fd);
    assert_int_equal(f->first_day, day(2024, 3, 1));
    assert_int_equal(f->n_days, 3);
    assert_true(gtfs_service_active(f, 0, day(2024, 3, 1)));
    assert_false(gtfs_service_active(f, 0, day(2024, 3, 2)));
    assert_true(gtfs_service_active(f, 0, day(2024, 3, 3)));
    gtfs_feed_free(f);
    drop("calendar_dates.txt");
    make_base();
}

static void test_no_calendar_is_fatal(void **state) {
    (void)state;
    drop("calendar.txt");
    found fd = {{0}};
    diag_log diag = {.fn = collect, .user = &fd};
    gtfs_feed *f = NULL;
    tc_error err = {0};
    assert_int_equal(gtfs_feed_read(dir, "t", &diag, &f, &err), TC_ERR_NO_SERVICE);
    assert_null(f);
    assert_non_null(strstr(fd.text, "missing_file calendar.txt"));
    make_base();
}

static void test_interpolation_straight_line(void **state) {
    (void)state;
    /* S2 has no times: S1→S2 is 1/3 of S1→S3 by straight-line distance (1 km of 3 km) */
    put("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "T1,08:00:00,08:00:00,S1,1\nT1,,,S2,2\nT1,08:30:00,08:30:00,S3,3\n");
    found fd;
    gtfs_feed *f = read_ok(&fd);
    assert_int_equal(f->n_trips, 1);
    const gtfs_stop_time *st = f->stop_times + f->trips[0].st_begin;
    assert_int_equal(st[1].arrival, 8 * 3600 + 600);
    assert_int_equal(st[1].departure, 8 * 3600 + 600);
    assert_int_equal(st[1].timepoint, 0);
    assert_int_equal(st[0].timepoint, 1);
    gtfs_feed_free(f);
    make_base();
}

static void test_interpolation_by_shape_distance(void **state) {
    (void)state;
    /* shape_dist_traveled says S2 is at 3/4 of the way, whatever the straight line says */
    put("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence,shape_dist_traveled\n"
                          "T1,08:00:00,08:00:00,S1,1,0\nT1,,,S2,2,3\nT1,08:20:00,08:20:00,S3,3,4\n");
    found fd;
    gtfs_feed *f = read_ok(&fd);
    const gtfs_stop_time *st = f->stop_times + f->trips[0].st_begin;
    assert_int_equal(st[1].arrival, 8 * 3600 + 900);
    assert_float_equal(st[1].shape_dist_traveled, 3.0, 1e-6);
    gtfs_feed_free(f);
    make_base();
}

static void test_interpolate_direct(void **state) {
    (void)state;
    gtfs_stop stops[4] = {{.lat = 0, .lon = 0}, {.lat = 0, .lon = 0.01}, {.lat = 0, .lon = 0.02}, {.lat = 0, .lon = 0.04}};
    gtfs_stop_time st[4] = {
        {.stop = 0, .arrival = 100, .departure = 100, .shape_dist_traveled = NAN},
        {.stop = 1, .arrival = TC_TIME_NONE, .departure = TC_TIME_NONE, .shape_dist_traveled = NAN},
        {.stop = 2, .arrival = TC_TIME_NONE, .departure = TC_TIME_NONE, .shape_dist_traveled = NAN},
        {.stop = 3, .arrival = 500, .departure = TC_TIME_NONE, .shape_dist_traveled = NAN},
    };
    assert_int_equal(gtfs_interpolate_trip(st, 4, stops), 0);
    assert_int_equal(st[1].arrival, 200);
    assert_int_equal(st[2].arrival, 300);
    assert_int_equal(st[3].departure, 500); /* the missing one of a pair copies the other */
    /* no time at the last stop: the trip cannot be used */
    gtfs_stop_time bad[2] = {{.stop = 0, .arrival = 100, .departure = 100, .shape_dist_traveled = NAN},
                             {.stop = 1, .arrival = TC_TIME_NONE, .departure = TC_TIME_NONE,
                              .shape_dist_traveled = NAN}};
    assert_int_equal(gtfs_interpolate_trip(bad, 2, stops), -1);
}

static void test_after_midnight_and_order(void **state) {
    (void)state;
    /* rows out of order in the file, times past 24:00, H:MM:SS */
    put("stop_times.txt", "stop_sequence,stop_id,trip_id,departure_time,arrival_time\n"
                          "3,S3,T1,25:30:00,25:30:00\n1,S1,T1,9:00:00,9:00:00\n2,S2,T1,24:10:00,24:05:00\n");
    found fd;
    gtfs_feed *f = read_ok(&fd);
    const gtfs_stop_time *st = f->stop_times + f->trips[0].st_begin;
    assert_int_equal(f->trips[0].st_count, 3);
    assert_int_equal(st[0].stop, 0);
    assert_int_equal(st[1].arrival, 24 * 3600 + 300);
    assert_int_equal(st[1].departure, 24 * 3600 + 600);
    assert_int_equal(st[2].arrival, 25 * 3600 + 1800);
    gtfs_feed_free(f);
    make_base();
}

static void test_repairs_midnight_wrap_and_equal_sequences(void **state) {
    (void)state;
    /* T1's clock restarts at 00:xx after 23:50 (an export bug): read as 24:xx. T2 repeats stop_sequence 2: kept in
     * file order, with an error. */
    put("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\nR,WK,T2\n");
    put("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "T1,23:50:00,23:50:00,S1,1\nT1,00:05:00,00:06:00,S2,2\nT1,00:20:00,00:20:00,S3,3\n"
                          "T2,10:00:00,10:00:00,S1,1\nT2,10:05:00,10:05:00,S2,2\nT2,10:09:00,10:09:00,S3,2\n");
    found fd;
    gtfs_feed *f = read_ok(&fd);
    assert_int_equal(f->n_trips, 2);
    const gtfs_stop_time *st = f->stop_times + f->trips[0].st_begin;
    assert_int_equal(st[1].arrival, 24 * 3600 + 300);
    assert_int_equal(st[1].departure, 24 * 3600 + 360);
    assert_int_equal(st[2].arrival, 24 * 3600 + 1200);
    assert_non_null(strstr(fd.text, "time_wraps_midnight stop_times.txt:3\n"));
    st = f->stop_times + f->trips[1].st_begin;
    assert_int_equal(f->trips[1].st_count, 3);
    assert_int_equal(st[1].stop, 1);
    assert_int_equal(st[2].stop, 2);
    assert_non_null(strstr(fd.text, "duplicate_stop_sequence stop_times.txt:7\n"));
    gtfs_feed_free(f);
    make_base();
}

static void test_time_travel_drops_trip(void **state) {
    (void)state;
    /* 08:30 then 08:10: not a midnight wrap (under 12 h back), so the trip cannot be used */
    put("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\nR,WK,T2\n");
    put("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "T1,08:00:00,08:00:00,S1,1\nT1,08:30:00,08:30:00,S2,2\nT1,08:10:00,08:10:00,S3,3\n"
                          "T2,09:00:00,09:00:00,S1,1\nT2,09:30:00,09:30:00,S3,2\n");
    found fd;
    gtfs_feed *f = read_ok(&fd);
    assert_int_equal(f->n_trips, 1);
    assert_string_equal(f->trips[0].id, "T2");
    assert_non_null(strstr(fd.text, "time_travel stop_times.txt:4\n"));
    assert_non_null(strstr(fd.text, "time_travel trips.txt:2\n"));
    gtfs_feed_free(f);
    make_base();
}

static void test_unknown_stop_drops_only_its_trip(void **state) {
    (void)state;
    put("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\nR,WK,T2\nR,NOPE,T3\nXX,WK,T4\n");
    put("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "T1,08:00:00,08:00:00,S1,1\nT1,08:30:00,08:30:00,S3,2\n"
                          "T2,09:00:00,09:00:00,S1,1\nT2,09:10:00,09:10:00,X9,2\nT2,09:30:00,09:30:00,S3,3\n"
                          "T3,10:00:00,10:00:00,S1,1\nT3,10:30:00,10:30:00,S3,2\n"
                          "T9,10:00:00,10:00:00,S1,1\n");
    found fd;
    gtfs_feed *f = read_ok(&fd);
    /* T1 kept; T2 dropped (unknown stop); T3 kept without service; T4 dropped (unknown route) */
    assert_int_equal(f->n_trips, 2);
    assert_string_equal(f->trips[0].id, "T1");
    assert_string_equal(f->trips[1].id, "T3");
    assert_int_equal(f->trips[1].service, GTFS_NONE);
    assert_int_equal(f->counts.trips, 4);
    assert_int_equal(f->counts.trips_dropped, 2);
    assert_int_equal(f->counts.stop_times, 8);
    assert_int_equal(f->n_stop_times, 4);
    assert_int_equal(f->counts.stop_times_dropped, 4);
    assert_non_null(strstr(fd.text, "unknown_stop stop_times.txt:5\n"));
    assert_non_null(strstr(fd.text, "unknown_service trips.txt:4\n"));
    assert_non_null(strstr(fd.text, "unknown_route trips.txt:5\n"));
    assert_non_null(strstr(fd.text, "unknown_trip stop_times.txt:9\n"));
    gtfs_feed_free(f);
    make_base();
}

static void test_missing_endpoint_time_drops_trip(void **state) {
    (void)state;
    put("trips.txt", "route_id,service_id,trip_id\nR,WK,T1\nR,WK,T2\n");
    put("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                          "T1,08:00:00,08:00:00,S1,1\nT1,08:30:00,08:30:00,S3,2\n"
                          "T2,09:00:00,09:00:00,S1,1\nT2,,,S3,2\n");
    found fd;
    gtfs_feed *f = read_ok(&fd);
    assert_int_equal(f->n_trips, 1);
    assert_non_null(strstr(fd.text, "missing_endpoint_time stop_times.txt:5\n"));
    gtfs_feed_free(f);
    make_base();
}

static void test_frequencies_transfers_stations(void **state) {
    (void)state;
    put("stops.txt", "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station,platform_code,"
                     "wheelchair_boarding\n"
                     "ST,Station,50.0,20.0,1,,,\nS1,One,50.0,20.0001,0,ST,2a,1\nS2,Two,50.009,20.0,,,,\n"
                     "S3,Three,50.027,20.0,0,NOWHERE,,\n");
    put("frequencies.txt", "trip_id,start_time,end_time,headway_secs,exact_times\nT1,06:00:00,09:00:00,600,1\n"
                           "T1,09:00:00,12:00:00,900,\n");
    put("transfers.txt", "from_stop_id,to_stop_id,transfer_type,min_transfer_time,from_route_id\n"
                         "S1,S3,2,180,\nS1,S2,3,,R\nS1,ZZ,0,,\n");
    found fd;
    gtfs_feed *f = read_ok(&fd);
    assert_int_equal(f->stops[1].parent, 0);
    assert_int_equal(f->stops[0].location_type, 1);
    assert_string_equal(f->stops[1].platform_code, "2a");
    assert_int_equal(f->stops[1].wheelchair_boarding, 1);
    assert_int_equal(f->stops[3].parent, GTFS_NONE);
    assert_non_null(strstr(fd.text, "unknown_parent_station stops.txt:5\n"));
    assert_int_equal(f->n_frequencies, 2);
    assert_int_equal(f->frequencies[0].headway_secs, 600);
    assert_int_equal(f->frequencies[0].exact_times, 1);
    assert_int_equal(f->frequencies[1].exact_times, 0);
    assert_int_equal(f->n_transfers, 2);
    assert_int_equal(f->transfers[0].type, 2);
    assert_int_equal(f->transfers[0].min_transfer_time, 180);
    assert_int_equal(f->transfers[1].type, 3);
    assert_int_equal(f->transfers[1].from_route, 0);
    assert_int_equal(f->transfers[1].min_transfer_time, -1);
    assert_non_null(strstr(fd.text, "unknown_stop transfers.txt:4\n"));
    gtfs_feed_free(f);
    drop("frequencies.txt");
    drop("transfers.txt");
    make_base();
}

static void test_unknown_files_and_columns_warned(void **state) {
    (void)state;
    put("notes.txt", "hello\n");
    put("routes.txt", "route_type,colour,route_id,route_long_name\n3,red,R,Long\n");
    found fd;
    gtfs_feed *f = read_ok(&fd);
    assert_non_null(strstr(fd.text, "unknown_file notes.txt:0\n"));
    assert_non_null(strstr(fd.text, "unknown_column routes.txt:1\n"));
    assert_string_equal(f->routes[0].long_name, "Long");
    assert_int_equal(f->routes[0].agency, 0); /* one agency: routes without agency_id belong to it */
    gtfs_feed_free(f);
    drop("notes.txt");
    make_base();
}

/* Write the base feed's files into a zip under prefix (e.g. "" or "inner/dir/"). */
static void make_zip(const char *zpath, const char *prefix, const char *prefix2) {
    static const char *files[] = {"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt",
                                  "calendar.txt"};
    int e;
    zip_t *z = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &e);
    assert_non_null(z);
    for (int pass = 0; pass < (prefix2 ? 2 : 1); pass++)
        for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
            char src[512], name[512];
            snprintf(src, sizeof src, "%s/%s", dir, files[i]);
            snprintf(name, sizeof name, "%s%s", pass ? prefix2 : prefix, files[i]);
            zip_source_t *s = zip_source_file(z, src, 0, -1);
            assert_non_null(s);
            assert_true(zip_file_add(z, name, s, ZIP_FL_OVERWRITE) >= 0);
        }
    assert_int_equal(zip_close(z), 0);
}

static void test_zip_locations(void **state) {
    (void)state;
    char zpath[400];
    snprintf(zpath, sizeof zpath, "%s.zip", dir);
    gtfs_feed *f = NULL;
    diag_log diag = {0};
    tc_error err = {0};
    make_zip(zpath, "", NULL);
    assert_int_equal(gtfs_feed_read(zpath, "z", &diag, &f, &err), TC_OK);
    assert_int_equal(f->n_stop_times, 3);
    gtfs_feed_free(f);
    make_zip(zpath, "feed/gtfs/", NULL);
    assert_int_equal(gtfs_feed_read(zpath, "z", &diag, &f, &err), TC_OK);
    assert_int_equal(f->n_stops, 3);
    gtfs_feed_free(f);
    make_zip(zpath, "a/", "b/");
    assert_int_equal(gtfs_feed_read(zpath, "z", &diag, &f, &err), TC_ERR_PARSE);
    assert_non_null(strstr(err.message, "several folders"));
    /* a text file named .zip */
    FILE *fp = fopen(zpath, "w");
    fputs("stop_id\n", fp);
    fclose(fp);
    assert_int_equal(gtfs_feed_read(zpath, "z", &diag, &f, &err), TC_ERR_PARSE);
    assert_non_null(strstr(err.message, "not a zip"));
    unlink(zpath);
    assert_int_equal(gtfs_feed_read(zpath, "z", &diag, &f, &err), TC_ERR_IO);
}

static void test_default_feed_name(void **state) {
    (void)state;
    char b[64];
    gtfs_default_feed_name("data/bydgoszcz.gtfs.zip", b, sizeof b);
    assert_string_equal(b, "bydgoszcz");
    gtfs_default_feed_name("/x/feeds/hart.zip", b, sizeof b);
    assert_string_equal(b, "hart");
    gtfs_default_feed_name("mmri/2a1/", b, sizeof b);
    assert_string_equal(b, "2a1");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calendar_only),
        cmocka_unit_test(test_calendar_with_exceptions),
        cmocka_unit_test(test_calendar_dates_only),
        cmocka_unit_test(test_no_calendar_is_fatal),
        cmocka_unit_test(test_interpolation_straight_line),
        cmocka_unit_test(test_interpolation_by_shape_distance),
        cmocka_unit_test(test_interpolate_direct),
        cmocka_unit_test(test_after_midnight_and_order),
        cmocka_unit_test(test_repairs_midnight_wrap_and_equal_sequences),
        cmocka_unit_test(test_time_travel_drops_trip),
        cmocka_unit_test(test_unknown_stop_drops_only_its_trip),
        cmocka_unit_test(test_missing_endpoint_time_drops_trip),
        cmocka_unit_test(test_frequencies_transfers_stations),
        cmocka_unit_test(test_unknown_files_and_columns_warned),
        cmocka_unit_test(test_zip_locations),
        cmocka_unit_test(test_default_feed_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
