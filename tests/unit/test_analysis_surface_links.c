/* test_analysis_surface_links.c — routing facts the analysis relies on, on tiny feeds the test writes:
 *  - a transfers.txt link between two STATIONS (location_type 1) applies between their child stops, where the
 *    trips stop: the journey P → X1 ⇒ (link X → Y, 300 s) ⇒ Y1 → Q exists, forward and arrive-by, and the
 *    travel-time surface sees it; without the link (another network) Q is unreachable (X1–Y1 are too far to walk);
 *  - a second feed in another timezone: its times are read in the network's timezone (New York 10:00 in January =
 *    16:00 in Warsaw), by tc_route and by the surface. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tongcheng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[256];

static void write_file(const char *d, const char *name, const char *text) {
    char p[600];
    snprintf(p, sizeof p, "%s/%s", d, name);
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void remove_dir(const char *d) {
    const char *names[] = {"agency.txt", "stops.txt", "routes.txt", "calendar.txt", "trips.txt", "stop_times.txt",
                           "transfers.txt"};
    char p[600];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", d, names[i]);
        unlink(p);
    }
    rmdir(d);
}

/* Feed "w" (Warsaw): P → X1 at 08:00–08:10, Y1 → Q at 08:20–08:30; X1 in station X, Y1 in station Y, 3 km apart. */
static void write_warsaw(const char *d, int with_link) {
    mkdir(d, 0755);
    write_file(d, "agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nA,A,http://a,Europe/Warsaw\n");
    write_file(d, "stops.txt",
               "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
               "P,P,52.00,21.00,0,\nX,X,52.05,21.00,1,\nX1,X1,52.0501,21.00,0,X\n"
               "Y,Y,52.08,21.00,1,\nY1,Y1,52.0801,21.00,0,Y\nQ,Q,52.12,21.00,0,\n");
    write_file(d, "routes.txt", "route_id,agency_id,route_short_name,route_type\nL1,A,L1,3\nL2,A,L2,3\n");
    write_file(d, "calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
                                  "end_date\nW,1,1,1,1,1,1,1,20240101,20241231\n");
    write_file(d, "trips.txt", "route_id,service_id,trip_id\nL1,W,t1\nL2,W,t2\n");
    write_file(d, "stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                    "t1,08:00:00,08:00:00,P,1\nt1,08:10:00,08:10:00,X1,2\n"
                                    "t2,08:20:00,08:20:00,Y1,1\nt2,08:30:00,08:30:00,Q,2\n");
    write_file(d, "transfers.txt", with_link ? "from_stop_id,to_stop_id,transfer_type,min_transfer_time\nX,Y,2,300\n"
                                             : "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n");
}

/* Feed "ny" (New York): N1 → N2 at 10:00–10:10 local time. */
static void write_ny(const char *d) {
    mkdir(d, 0755);
    write_file(d, "agency.txt", "agency_id,agency_name,agency_url,agency_timezone\nB,B,http://b,America/New_York\n");
    write_file(d, "stops.txt", "stop_id,stop_name,stop_lat,stop_lon\nN1,N1,52.30,21.00\nN2,N2,52.40,21.00\n");
    write_file(d, "routes.txt", "route_id,agency_id,route_short_name,route_type\nM,B,M,3\n");
    write_file(d, "calendar.txt", "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
                                  "end_date\nW,1,1,1,1,1,1,1,20240101,20241231\n");
    write_file(d, "trips.txt", "route_id,service_id,trip_id\nM,W,m1\n");
    write_file(d, "stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                                    "m1,10:00:00,10:00:00,N1,1\nm1,10:10:00,10:10:00,N2,2\n");
    write_file(d, "transfers.txt", "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n");
}

static tc_network *build(int with_link, char *net_path, size_t size) {
    char dw[300], dn[300];
    snprintf(dw, sizeof dw, "%s_w", base);
    snprintf(dn, sizeof dn, "%s_ny", base);
    write_warsaw(dw, with_link);
    write_ny(dn);
    tc_feed_source src[2] = {{.name = "w", .path = dw}, {.name = "ny", .path = dn}};
    tc_build_options bo;
    tc_build_options_init(&bo);
    bo.feeds = src;
    bo.n_feeds = 2;
    snprintf(net_path, size, "%s.tcn", base);
    tc_error err = {0};
    if (tc_build(&bo, net_path, &err) != TC_OK) fail_msg("build: %s", err.message);
    tc_network *net = NULL;
    if (tc_network_open(net_path, &net, &err) != TC_OK) fail_msg("open: %s", err.message);
    remove_dir(dw);
    remove_dir(dn);
    return net;
}

static int32_t day_of(const char *s) {
    int32_t d;
    tc_error err;
    assert_int_equal(tc_parse_date(s, &d, &err), TC_OK);
    return d;
}

/* Earliest arrival (seconds after midnight of the query day) of tc_route from stop a to stop b, or -1. */
static long route_arrival(tc_network *net, const char *a, const char *b, int32_t day, int32_t t, int arrive_by) {
    tc_route_query q;
    tc_route_query_init(&q);
    q.from_stop = a;
    q.to_stop = b;
    q.date = day;
    q.time = t;
    q.arrive_by = arrive_by;
    tc_journey_set *js = NULL;
    tc_error err = {0};
    if (tc_route(net, &q, &js, &err) != TC_OK) fail_msg("route: %s", err.message);
    long best = -1;
    for (size_t i = 0; i < js->n; i++) {
        long arr = (long)(js->journeys[i].arrival - (int64_t)day * 86400);
        if (best < 0 || arr < best) best = arr;
    }
    tc_journey_set_free(js);
    return best;
}

/* Surface travel time (minutes) from (lat, lon) to one point, departing at t. */
static int surface_minutes(tc_network *net, int32_t day, int32_t t, double lat, double lon, double tlat, double tlon) {
    tc_analysis_options o;
    tc_analysis_options_init(&o);
    o.date = day;
    o.window_start = t;
    o.window_end = t + 60;
    o.max_access_min = 5;
    tc_destinations *d = NULL;
    tc_analysis_workspace *ws = NULL;
    tc_error err = {0};
    assert_int_equal(tc_destinations_create(net, &o, &tlat, &tlon, 1, &d, &err), TC_OK);
    assert_int_equal(tc_analysis_workspace_create(net, &ws, &err), TC_OK);
    uint16_t m;
    assert_int_equal(tc_travel_times_from(ws, d, &o, lat, lon, &m, &err), TC_OK);
    tc_analysis_workspace_free(ws);
    tc_destinations_free(d);
    return m;
}

static void test_station_links(void **state) {
    (void)state;
    snprintf(base, sizeof base, "/tmp/tc_test_links_%d", (int)getpid());
    char path[320];
    int32_t day = day_of("2024-01-15");
    tc_network *net = build(1, path, sizeof path);
    assert_int_equal(route_arrival(net, "w:P", "w:Q", day, 8 * 3600, 0), 8 * 3600 + 30 * 60);
    assert_int_equal(route_arrival(net, "w:P", "w:Q", day, 8 * 3600 + 30 * 60, 1), 8 * 3600 + 30 * 60);
    assert_int_equal(surface_minutes(net, day, 8 * 3600, 52.00, 21.00, 52.12, 21.00), 30);
    tc_network_close(net);
    unlink(path);
    net = build(0, path, sizeof path);
    assert_int_equal(route_arrival(net, "w:P", "w:Q", day, 8 * 3600, 0), -1);
    assert_int_equal(surface_minutes(net, day, 8 * 3600, 52.00, 21.00, 52.12, 21.00), TC_UNREACHED_MIN);
    tc_network_close(net);
    unlink(path);
}

static void test_second_timezone(void **state) {
    (void)state;
    snprintf(base, sizeof base, "/tmp/tc_test_tz_%d", (int)getpid());
    char path[320];
    int32_t day = day_of("2024-01-15"); /* winter: Warsaw UTC+1, New York UTC−5 */
    tc_network *net = build(1, path, sizeof path);
    assert_int_equal(route_arrival(net, "ny:N1", "ny:N2", day, 15 * 3600 + 55 * 60, 0), 16 * 3600 + 10 * 60);
    /* leaving at 16:01 Warsaw time misses it (the next run is the next day) */
    long late = route_arrival(net, "ny:N1", "ny:N2", day, 16 * 3600 + 60, 0);
    assert_true(late < 0 || late >= 86400);
    assert_int_equal(surface_minutes(net, day, 15 * 3600 + 50 * 60, 52.30, 21.00, 52.40, 21.00), 20);
    tc_network_close(net);
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_station_links),
        cmocka_unit_test(test_second_timezone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
