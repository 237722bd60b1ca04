/*
 * test_gtfs_real.c — gtfs_feed_read on real feeds from $TC_DATA: the row counts must equal the ones the data's
 * README states (counted independently of this program), nothing may be dropped from these clean feeds, and the
 * structures the network builder relies on must hold (every index in range, times non-decreasing along a trip,
 * trips sorted by stop_sequence). Skipped (77) when the data is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gtfs/feed.h"
#include "common/timeutil.h"

static char data[1024];

static gtfs_feed *load(const char *rel) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", data, rel);
    diag_log diag = {0};
    gtfs_feed *f = NULL;
    tc_error err = {0};
    tc_status rc = gtfs_feed_read(path, "x", &diag, &f, &err);
    if (rc != TC_OK) fprintf(stderr, "%s: %s:%ld: %s\n", rel, err.file, err.line, err.message);
    assert_int_equal(rc, TC_OK);
    return f;
}

/* What the builder trusts: indices in range, slices inside stop_times, sorted sequences, no time going back. */
static void check_invariants(const gtfs_feed *f) {
    for (size_t t = 0; t < f->n_trips; t++) {
        const gtfs_trip *tr = &f->trips[t];
        assert_true(tr->route >= 0 && (size_t)tr->route < f->n_routes);
        assert_true(tr->service == GTFS_NONE || (size_t)tr->service < f->n_services);
        assert_true(tr->st_count >= 2);
        assert_true((size_t)tr->st_begin + tr->st_count <= f->n_stop_times);
        const gtfs_stop_time *st = f->stop_times + tr->st_begin;
        for (uint32_t k = 0; k < tr->st_count; k++) {
            assert_true(st[k].stop >= 0 && (size_t)st[k].stop < f->n_stops);
            assert_int_not_equal(st[k].arrival, TC_TIME_NONE);
            assert_true(st[k].departure >= st[k].arrival);
            if (k) {
                assert_true(st[k].stop_sequence > st[k - 1].stop_sequence);
                assert_true(st[k].arrival >= st[k - 1].departure);
            }
        }
    }
    for (size_t s = 0; s < f->n_stops; s++)
        assert_true(f->stops[s].parent == GTFS_NONE || (size_t)f->stops[s].parent < f->n_stops);
    for (size_t i = 0; i < f->n_frequencies; i++)
        assert_true(f->frequencies[i].trip >= 0 && (size_t)f->frequencies[i].trip < f->n_trips);
}

static void test_bydgoszcz(void **state) {
    (void)state;
    gtfs_feed *f = load("bydgoszcz/bydgoszcz.gtfs.zip");
    assert_int_equal(f->counts.stops, 1060);
    assert_int_equal(f->counts.routes, 57);
    assert_int_equal(f->counts.trips, 25534);
    assert_int_equal(f->counts.stop_times, 583164);
    assert_int_equal(f->n_trips, 25534);
    assert_int_equal(f->n_stop_times, 583164);
    assert_int_equal(f->counts.trips_dropped, 0);
    assert_int_equal(f->counts.stop_times_dropped, 0);
    check_invariants(f);
    gtfs_feed_free(f);
}

static void test_hart(void **state) {
    (void)state;
    gtfs_feed *f = load("feeds/hart.zip");
    assert_int_equal(f->counts.stops, 2349);
    assert_int_equal(f->counts.trips, 14718);
    assert_int_equal(f->counts.stop_times, 435507);
    assert_int_equal(f->n_stop_times + f->counts.stop_times_dropped, 435507);
    check_invariants(f);
    gtfs_feed_free(f);
}

static void test_milan_calendar_dates_only(void **state) {
    (void)state;
    gtfs_feed *f = load("milan/milano_small_gtfs.zip");
    assert_int_equal(f->counts.stops, 516);
    assert_int_equal(f->counts.trips, 10608);
    assert_int_equal(f->counts.stop_times, 248555);
    assert_int_equal(f->counts.calendar, 0);
    assert_true(f->counts.calendar_dates > 0);
    /* every trip runs on some day of the range */
    for (size_t t = 0; t < f->n_trips; t++) {
        int any = 0;
        for (uint32_t d = 0; d < f->n_days && !any; d++)
            any = gtfs_service_active(f, f->trips[t].service, f->first_day + (int32_t)d);
        assert_true(any);
    }
    check_invariants(f);
    gtfs_feed_free(f);
}

static void test_poa_and_frequencies(void **state) {
    (void)state;
    gtfs_feed *f = load("porto-alegre/poa_eptc.zip");
    assert_int_equal(f->counts.stops, 3986);
    assert_int_equal(f->counts.trips, 2374);
    assert_int_equal(f->counts.stop_times, 130019);
    check_invariants(f);
    gtfs_feed_free(f);
    f = load("sao-paulo/spo.zip");
    assert_int_equal(f->counts.stops, 654);
    assert_int_equal(f->counts.trips, 36);
    assert_int_equal(f->counts.frequencies, 704);
    check_invariants(f);
    gtfs_feed_free(f);
}

int main(void) {
    const char *d = getenv("TC_DATA");
    if (!d || !*d) {
        printf("TC_DATA not set: skipped\n");
        return 77;
    }
    snprintf(data, sizeof data, "%s", d);
    char probe[2048];
    snprintf(probe, sizeof probe, "%s/bydgoszcz/bydgoszcz.gtfs.zip", data);
    if (access(probe, R_OK) != 0) {
        printf("%s absent: skipped\n", probe);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bydgoszcz),
        cmocka_unit_test(test_hart),
        cmocka_unit_test(test_milan_calendar_dates_only),
        cmocka_unit_test(test_poa_and_frequencies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
