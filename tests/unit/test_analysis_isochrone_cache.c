/* test_analysis_isochrone_cache.c — the server's isochrone cache gives byte for byte what tc_isochrones gives, for
 * origins that come back (a cached grid reused), and over 12 distinct origins — more than the 8 grids the cache
 * holds, so eviction is exercised wherever their clipped grids differ. Network: a tiny two-line feed the test
 * writes (no streets: straight-line walking). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tongcheng.h"
#include "analysis/surface.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static void write_file(const char *name, const char *text) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_cached_equals_uncached(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tc_test_isocache_%d", (int)getpid());
    mkdir(dir, 0755);
    write_file("agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,A,http://a,Europe/Warsaw\n");
    write_file("stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nA,A,50.00,20.00\nB,B,50.05,20.00\n"
                            "C,C,50.10,20.00\nD,D,50.05,20.08\n");
    write_file("routes.txt", "route_id,agency_id,route_short_name,route_type\nN,A,N,3\nE,A,E,3\n");
    write_file("calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
                               "end_date\nW,1,1,1,1,1,1,1,20240101,20241231\n");
    write_file("trips.txt", "route_id,service_id,trip_id\nN,W,n1\nN,W,n2\nE,W,e1\n");
    write_file("stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                 "n1,08:00:00,08:00:00,A,1\nn1,08:06:00,08:06:00,B,2\nn1,08:12:00,08:12:00,C,3\n"
                                 "n2,08:20:00,08:20:00,A,1\nn2,08:26:00,08:26:00,B,2\nn2,08:32:00,08:32:00,C,3\n"
                                 "e1,08:10:00,08:10:00,B,1\ne1,08:18:00,08:18:00,D,2\n");
    tc_feed_source src = {.name = "t", .path = dir};
    tc_build_options bo;
    tc_build_options_init(&bo);
    bo.feeds = &src;
    bo.n_feeds = 1;
    char out[512];
    snprintf(out, sizeof out, "%s/net.tcn", dir);
    tc_error err = {0};
    if (tc_build(&bo, out, &err) != TC_OK) fail_msg("build: %s", err.message);
    tc_network *net = NULL;
    if (tc_network_open(out, &net, &err) != TC_OK) fail_msg("open: %s", err.message);

    tc_analysis_options o;
    tc_analysis_options_init(&o);
    int32_t day;
    assert_int_equal(tc_parse_date("2024-03-04", &day, &err), TC_OK);
    o.date = day;
    o.window_start = 7 * 3600 + 55 * 60;
    o.window_end = 8 * 3600 + 5 * 60;
    o.max_duration_min = 60;
    const int cutoffs[3] = {10, 20, 30};
    tc_isochrone_cache *cache = NULL;
    assert_int_equal(tc_isochrone_cache_create(net, &cache, &err), TC_OK);
    /* 12 distinct origins (more than the cache's 8 grids), then the first three again, then one twice */
    double olat[16], olon[16];
    for (int i = 0; i < 12; i++) {
        olat[i] = 50.0 + 0.004 * i;
        olon[i] = 20.0 + 0.003 * (i % 5);
    }
    for (int i = 12; i < 15; i++) {
        olat[i] = olat[i - 12];
        olon[i] = olon[i - 12];
    }
    olat[15] = olat[14];
    olon[15] = olon[14];
    int nonempty = 0;
    for (int i = 0; i < 16; i++) {
        char *plain = NULL, *cached = NULL;
        assert_int_equal(tc_isochrones(net, &o, olat[i], olon[i], cutoffs, 3, 0, &plain, &err), TC_OK);
        assert_int_equal(tc_isochrones_cached(cache, &o, olat[i], olon[i], cutoffs, 3, 0, &cached, &err), TC_OK);
        assert_non_null(plain);
        assert_non_null(cached);
        if (strcmp(plain, cached) != 0) fail_msg("origin %d: cached isochrones differ from uncached ones", i);
        if (strstr(plain, "\"Polygon\"") || strstr(plain, "\"MultiPolygon\"")) nonempty++;
        tc_free(plain);
        tc_free(cached);
    }
    assert_true(nonempty >= 12); /* the comparison is about real polygons, not empty collections */
    tc_isochrone_cache_free(cache);
    tc_network_close(net);
    const char *names[] = {"agency.txt", "stops.txt", "routes.txt", "calendar.txt", "trips.txt", "stop_times.txt",
                           "net.tcn"};
    char p[512];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_cached_equals_uncached)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
