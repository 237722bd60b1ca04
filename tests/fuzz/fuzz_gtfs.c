/*
 * fuzz_gtfs.c — libFuzzer target for the CSV reader (lenient and strict), the points reader and the GTFS feed reader.
 *
 * The input is cut at each line "@@\n" into the files of a feed, in the order of `files` below (agency.txt,
 * stops.txt, ...), written into a temporary folder that gtfs_feed_read then reads; the whole input is also fed to
 * the CSV reader directly, in pieces whose size comes from the first byte (so buffer boundaries move around; its top
 * bit picks the strict mode), and to the points reader (tc_points_parse, strict).
 * Anything but a clean return (crash, leak, sanitizer report, hang) is a bug.
 */
#include "gtfs/gtfs_internal.h"
#include "analysis/points.h"
#include "common/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const files[] = {"agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt",
                                    "calendar.txt", "calendar_dates.txt", "frequencies.txt", "transfers.txt",
                                    "shapes.txt", "feed_info.txt", "fare_rules.txt"};
#define N_FILES (sizeof files / sizeof *files)

static char dir[64];

static void count_finding(void *user, const tc_finding *f) {
    (void)f;
    ++*(size_t *)user;
}

static void fuzz_csv(const uint8_t *data, size_t size) {
    if (!size) return;
    csv_membuf mb = {(const char *)data + 1, size - 1, 0, (size_t)(data[0] % 7)};
    size_t n = 0;
    diag_log diag = {.fn = count_finding, .user = &n};
    csv_reader c;
    tc_status st = (data[0] & 0x80) ? csv_reader_open_strict(&c, "fuzz.txt", csv_membuf_read, &mb, &diag, NULL)
                                    : csv_reader_open(&c, "fuzz.txt", csv_membuf_read, &mb, &diag, NULL);
    if (st == TC_OK) {
        int col = csv_reader_col(&c, "stop_id");
        while (csv_reader_next(&c) == 1) {
            size_t len;
            const char *s = csv_reader_get(&c, col, &len);
            int32_t t;
            gtfs_parse_time(s, len, &t);
        }
    }
    csv_reader_close(&c);
    tc_points *pts = NULL;
    if (tc_points_parse("fuzz.csv", (const char *)data + 1, size - 1, diag.fn, diag.user, &pts, NULL) == TC_OK) {
        for (size_t i = 0; i < pts->n; i++)
            if (points_find(pts, pts->ids[i]) != (long)i || !(pts->lat[i] >= -90 && pts->lat[i] <= 90)) abort();
        tc_points_free(pts);
    }
}

/* the scratch folder goes when the fuzzer exits normally (max_total_time, -runs) */
static void remove_dir(void) {
    for (size_t i = 0; i < N_FILES; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/fuzz_gtfs_%d", (int)getpid());
        mkdir(dir, 0700);
        atexit(remove_dir);
    }
    fuzz_csv(data, size);
    const char *p = (const char *)data, *end = p + size;
    for (size_t i = 0; i < N_FILES; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if (p > end) {
            unlink(path);
            continue;
        }
        const char *cut = memmem(p, (size_t)(end - p), "@@\n", 3);
        const char *stop = cut ? cut : end;
        FILE *f = fopen(path, "wb");
        if (!f) return 0;
        fwrite(p, 1, (size_t)(stop - p), f);
        fclose(f);
        p = cut ? cut + 3 : end + 1;
    }
    size_t n = 0;
    diag_log diag = {.fn = count_finding, .user = &n};
    gtfs_feed *feed = NULL;
    tc_error err;
    if (gtfs_feed_read(dir, "fuzz", &diag, &feed, &err) == TC_OK) {
        /* touch what the builder reads, so a bad index shows up here */
        for (size_t t = 0; t < feed->n_trips; t++) {
            const gtfs_trip *tr = &feed->trips[t];
            if (tr->route < 0 || (size_t)tr->route >= feed->n_routes) abort();
            if ((size_t)tr->st_begin + tr->st_count > feed->n_stop_times) abort();
            for (uint32_t k = 0; k < tr->st_count; k++) {
                const gtfs_stop_time *st = &feed->stop_times[tr->st_begin + k];
                if (st->stop < 0 || (size_t)st->stop >= feed->n_stops) abort();
                if (st->arrival == TC_TIME_NONE || st->departure == TC_TIME_NONE) abort();
            }
            (void)gtfs_service_active(feed, tr->service, feed->first_day);
        }
        gtfs_feed_free(feed);
    }
    return 0;
}
