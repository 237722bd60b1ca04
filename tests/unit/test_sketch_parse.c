/*
 * test_sketch_parse.c — the sketch compiler on a small hand-checked fixture (tests/fixtures/sketch/small.sketch.json:
 * stop merging, hubs, run times from minutes / speed / total time, dwell, directions, headways as frequencies,
 * expanded headways, explicit departures, calendars, transfers) and on bad input, where each error must name the
 * file and the JSON path of the entry (or the line and column of a syntax error).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/geo.h"
#include "common/timeutil.h"
#include "sketch/sketch.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gtfs_feed *g;

static int32_t T(const char *id) {
    for (size_t i = 0; i < g->n_trips; i++)
        if (!strcmp(g->trips[i].id, id)) return (int32_t)i;
    fail_msg("no trip %s", id);
    return -1;
}
static int32_t S(const char *id) {
    for (size_t i = 0; i < g->n_stops; i++)
        if (!strcmp(g->stops[i].id, id)) return (int32_t)i;
    fail_msg("no stop %s", id);
    return -1;
}
static const gtfs_stop_time *ST(int32_t t, uint32_t k) {
    assert_true(k < g->trips[t].st_count);
    return &g->stop_times[g->trips[t].st_begin + k];
}
static int32_t hms(int h, int m, int s) { return h * 3600 + m * 60 + s; }

static int setup(void **state) {
    (void)state;
    const char *src = getenv("TC_SRC");
    char path[4200];
    snprintf(path, sizeof path, "%.4000s/tests/fixtures/sketch/small.sketch.json", src ? src : ".");
    tc_error err = {0};
    diag_log diag = {0};
    tc_status st = sketch_read(path, NULL, &diag, &g, &err);
    if (st) fprintf(stderr, "%s: %s\n", err.file, err.message);
    return st || diag.warnings ? -1 : 0;
}
static int teardown(void **state) {
    (void)state;
    sketch_feed_free(g);
    return 0;
}

static void test_tables(void **state) {
    (void)state;
    assert_string_equal(g->name, "small");
    assert_int_equal(g->n_agencies, 1);
    assert_string_equal(g->agencies[0].timezone, "Asia/Shanghai"); /* inherited from the sketch */
    assert_int_equal(g->n_routes, 3);
    assert_string_equal(g->routes[0].color, "FF0000");
    assert_int_equal(g->routes[2].type, 101);
    /* hub, a1, a2, Hub A, a4, Hub B, b3, c3: "Centre" of line B merged with a2 (55 m away, same name) */
    assert_int_equal(g->n_stops, 8);
    int32_t hub = S("hub"), ha = S("A_3"), hb = S("B_2");
    assert_int_equal(g->stops[hub].location_type, 1);
    assert_int_equal(g->stops[ha].parent, hub);
    assert_int_equal(g->stops[hb].parent, hub);
    assert_int_equal(ST(T("B.all.0.1"), 0)->stop, S("a2"));
    /* counts mirror the tables */
    assert_int_equal(g->counts.stops, g->n_stops);
    assert_int_equal(g->counts.trips, g->n_trips);
}

static void test_calendars(void **state) {
    (void)state;
    assert_int_equal(g->first_day, days_from_civil(2026, 3, 2));
    assert_int_equal(g->n_days, 14);
    int32_t wk = g->trips[T("B.all.0.1")].service, we = g->trips[T("C.all.0.1")].service;
    assert_true(gtfs_service_active(g, wk, days_from_civil(2026, 3, 2)));   /* Monday */
    assert_false(gtfs_service_active(g, wk, days_from_civil(2026, 3, 4)));  /* removed */
    assert_false(gtfs_service_active(g, wk, days_from_civil(2026, 3, 7)));  /* Saturday */
    assert_true(gtfs_service_active(g, we, days_from_civil(2026, 3, 8)));   /* Sunday */
    assert_false(gtfs_service_active(g, we, days_from_civil(2026, 3, 9)));
    /* Line A has no calendar: the first one. */
    assert_int_equal(g->trips[T("A.all.0.f")].service, wk);
}

/* run_min per station + dwell, both directions, frequency rows. */
static void test_run_minutes_and_headways(void **state) {
    (void)state;
    int32_t f = T("A.all.0.f"), b = T("A.all.1.f");
    int32_t base = hms(7, 0, 0);
    const int32_t fa[4] = {0, 120, 330, 630}, fd[4] = {0, 150, 390, 630};
    for (uint32_t k = 0; k < 4; k++) {
        assert_int_equal(ST(f, k)->arrival, base + fa[k]);
        assert_int_equal(ST(f, k)->departure, base + fd[k]);
    }
    const int32_t ba[4] = {0, 240, 480, 630}, bd[4] = {0, 300, 510, 630};
    for (uint32_t k = 0; k < 4; k++) {
        assert_int_equal(ST(b, k)->arrival, base + ba[k]);
        assert_int_equal(ST(b, k)->departure, base + bd[k]);
    }
    assert_int_equal(ST(b, 0)->stop, S("a4"));
    assert_int_equal(g->trips[b].direction_id, 1);
    assert_string_equal(g->trips[f].headsign, "East");
    int rows = 0;
    for (size_t i = 0; i < g->n_frequencies; i++) {
        const gtfs_frequency *q = &g->frequencies[i];
        if (q->trip != f) continue;
        rows++;
        if (q->start_time == hms(7, 0, 0)) {
            assert_int_equal(q->end_time, hms(9, 0, 0));
            assert_int_equal(q->headway_secs, 300);
        } else {
            assert_int_equal(q->start_time, hms(9, 0, 0));
            assert_int_equal(q->end_time, hms(10, 0, 0));
            assert_int_equal(q->headway_secs, 600);
        }
        assert_int_equal(q->exact_times, 0);
    }
    assert_int_equal(rows, 2);
}

/* speed × detour over the straight line; explicit departures; one direction only. */
static void test_speed_and_departures(void **state) {
    (void)state;
    int32_t t1 = T("B.all.0.1"), t2 = T("B.all.0.2");
    for (size_t i = 0; i < g->n_trips; i++) assert_null(strstr(g->trips[i].id, "B.all.1."));
    double d1 = haversine_m(28.0, 112.99, 28.0, 113.0002); /* a2 (the merged stop) → Hub B */
    double d2 = haversine_m(28.0, 113.0002, 27.9, 113.0);
    double v = 60 / 3.6;
    assert_int_equal(ST(t1, 0)->departure, hms(8, 0, 0));
    assert_int_equal(ST(t1, 1)->arrival, hms(8, 0, 0) + (int32_t)lround(d1 * 1.2 / v));
    assert_int_equal(ST(t1, 2)->arrival, hms(8, 0, 0) + (int32_t)lround((d1 + d2) * 1.2 / v));
    assert_int_equal(ST(t2, 0)->departure, hms(8, 30, 30));
    for (size_t i = 0; i < g->n_frequencies; i++) assert_true(g->frequencies[i].trip != t1);
}

/* total_min spread by distance, dwell included; pattern with calls; expanded headways. */
static void test_patterns(void **state) {
    (void)state;
    int32_t f = T("C.all.0.1"), b = T("C.all.1.1");
    assert_int_equal(ST(f, 0)->departure, hms(10, 0, 0));
    assert_int_equal(ST(f, 2)->arrival, hms(10, 30, 0));
    assert_int_equal(ST(f, 1)->departure - ST(f, 1)->arrival, 120);
    double d1 = haversine_m(28.0, 112.98, 28.0, 113.02), d2 = haversine_m(28.0, 113.02, 27.8, 113.0);
    assert_int_equal(ST(f, 1)->arrival - hms(10, 0, 0), (int32_t)lround(1680 * d1 / (d1 + d2)));
    assert_int_equal(ST(b, 0)->departure, hms(11, 0, 0));
    assert_int_equal(ST(b, 2)->arrival, hms(11, 30, 0));
    assert_int_equal(ST(b, 2)->stop, S("a1"));
    /* short: a1 → East at 100 km/h, every 20 min 12:00–13:00 expanded to 3 trips each way */
    for (int d = 0; d < 2; d++)
        for (int k = 1; k <= 3; k++) {
            char id[32];
            snprintf(id, sizeof id, "C.short.%d.%d", d, k);
            int32_t t = T(id);
            assert_int_equal(g->trips[t].st_count, 2);
            assert_int_equal(ST(t, 0)->departure, hms(12, 20 * (k - 1), 0));
            assert_int_equal(ST(t, 1)->arrival - ST(t, 0)->departure, (int32_t)lround(d1 / (100 / 3.6)));
        }
    char id[32];
    snprintf(id, sizeof id, "C.short.0.4");
    for (size_t i = 0; i < g->n_trips; i++) assert_string_not_equal(g->trips[i].id, id);
}

static int has_transfer(int32_t a, int32_t b, int32_t ra, int32_t rb, int type, int32_t min) {
    for (size_t i = 0; i < g->n_transfers; i++) {
        const gtfs_transfer *t = &g->transfers[i];
        if (t->from_stop == a && t->to_stop == b && t->from_route == ra && t->to_route == rb && t->type == type &&
            t->min_transfer_time == min)
            return 1;
    }
    return 0;
}

static void test_transfers(void **state) {
    (void)state;
    int32_t ha = S("A_3"), hb = S("B_2"), a2 = S("a2");
    assert_true(has_transfer(ha, hb, GTFS_NONE, GTFS_NONE, 2, 240)); /* the hub's transfer_min */
    assert_true(has_transfer(hb, ha, GTFS_NONE, GTFS_NONE, 2, 240));
    assert_true(has_transfer(a2, a2, GTFS_NONE, GTFS_NONE, 2, 120));
    assert_true(has_transfer(ha, hb, 0, 1, 1, 0)); /* timed, route A → B, every pair of the hub's stops */
    assert_true(has_transfer(ha, ha, 0, 1, 1, 0));
    assert_int_equal(g->n_transfers, 2 + 1 + 4);
}

/* ------------------------------------------------------------------------------------------ bad input */

#define HEAD                                                                                                          \
    "{\"timezone\": \"Asia/Shanghai\", \"agencies\": [{\"id\": \"ag\", \"name\": \"Ag\"}], "                         \
    "\"calendars\": [{\"id\": \"c\", \"start\": \"2026-01-01\", \"end\": \"2026-01-31\"}], "
#define ST2 "\"stations\": [{\"name\": \"X\", \"lat\": 28, \"lon\": 113}, {\"name\": \"Y\", \"lat\": 28.1, \"lon\": 113}]"
#define HW "\"headways\": [{\"from\": \"06:00\", \"to\": \"07:00\", \"headway_min\": 10}]"
#define RUN "\"run\": {\"speed_kmh\": 30}"

typedef struct bad_case {
    const char *json;
    const char *expect; /* substring of the message */
    long line, column;  /* 0 = not checked */
} bad_case;

static const bad_case bad[] = {
    {"{\n  \"timezone\": \"Asia/Shanghai\",\n  \"agencies\": [\n    {\"id\": \"a\" \"name\": \"A\"}\n  ]\n}",
     "JSON syntax error", 4, 16},
    {"{\"lines\": [1, 2", "ends too early", 1, 0},
    {"[1, 2]", "(top level): expected an object", 0, 0},
    {HEAD "\"lines\": []} x", "unexpected text after", 1, 0},
    {"{\"timezone\": \"Mars/Base\", \"agencies\": [], \"lines\": []}", "timezone: unknown timezone", 0, 0},
    {"{\"timezone\": \"Asia/Shanghai\", \"agencies\": [{\"id\": \"a\", \"name\": \"A\"}], \"lines\": []}",
     "calendars: missing", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " RUN ", " HW ", \"stations\": [{\"name\": \"X\", \"lat\": "
          "28, \"lon\": 113}, {\"name\": \"Y\", \"lat\": 128, \"lon\": 113}]}]}",
     "lines[0].stations[1].lat: expected a number between -90 and 90", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", " RUN ", " HW ", " ST2 "}]}", "lines[0].route_type: missing", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " RUN ", " HW ", \"stations\": [\"zz\", \"X\"]}]}",
     "lines[0].stations[0]: no stop \"zz\"", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " HW ", \"stations\": [{\"name\": \"X\", \"lat\": 28, "
          "\"lon\": 113}, {\"name\": \"Y\", \"lat\": 28.1, \"lon\": 113, \"run_min\": 3}, {\"name\": \"Z\", \"lat\": "
          "28.2, \"lon\": 113}]}]}",
     "lines[0].stations[2]: no run_min", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " RUN ", " ST2 ", \"headways\": [{\"from\": \"06:00\", "
          "\"to\": \"08:00\", \"headway_min\": 10}, {\"from\": \"07:00\", \"to\": \"09:00\", \"headway_min\": 5}]}]}",
     "lines[0].headways[1].from: overlaps", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " RUN ", " ST2 ", \"departures\": [\"06:00\", \"7h\"]}]}",
     "lines[0].departures[1]: expected a time", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " RUN ", " ST2 "}]}", "lines[0]: no timetable", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, \"agency\": \"nope\", " RUN ", " HW ", " ST2 "}]}",
     "lines[0].agency: no agency \"nope\"", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, \"calendar\": \"sun\", " RUN ", " HW ", " ST2 "}]}",
     "lines[0].calendar: no calendar \"sun\"", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, \"color\": \"red\", " RUN ", " HW ", " ST2 "}]}",
     "lines[0].color: expected a colour", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " RUN ", " ST2 ", \"patterns\": [{\"id\": \"p\", "
          "\"calls\": [\"Y\", \"X\"], " HW "}]}]}",
     "lines[0].patterns[0].calls[1]: not a station of line \"L\"", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " RUN ", " HW ", " ST2 "}, {\"id\": \"L\", \"route_type\": "
          "1, " RUN ", " HW ", " ST2 "}]}",
     "lines[1].id: a line or route \"L\" already exists", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " RUN ", " HW ", \"departures\": [\"06:00\"], " ST2 "}]}",
     "lines[0]: give either \"departures\" or \"headways\"", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " RUN ", " HW ", \"stations\": [{\"id\": \"s\", \"name\": "
          "\"X\", \"lat\": 28, \"lon\": 113}, {\"name\": \"Y\", \"lat\": 28.1, \"lon\": 113}]}, {\"id\": \"M\", "
          "\"route_type\": 1, " RUN ", " HW ", \"stations\": [{\"id\": \"s\", \"name\": \"X\", \"lat\": 29, \"lon\": "
          "113}, \"Y\"]}]}",
     "lines[1].stations[0]: stop \"s\" is already defined", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " RUN ", " HW ", " ST2 "}], \"transfers\": [{\"from\": "
          "\"Q\", \"timed\": true}]}",
     "transfers[0].from: no stop or station \"Q\"", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, \"directions\": \"up\", " RUN ", " HW ", " ST2 "}]}",
     "lines[0].directions: expected \"both\" or \"forward\"", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, \"dwell_s\": 600, \"run\": {\"total_min\": 5}, " HW
          ", \"stations\": [{\"name\": \"X\", \"lat\": 28, \"lon\": 113}, {\"name\": \"Y\", \"lat\": 28.1, \"lon\": "
          "113}, {\"name\": \"Z\", \"lat\": 28.2, \"lon\": 113}]}]}",
     "lines[0]: run.total_min 5.0 leaves no running time", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, \"run\": {\"speed_kmh\": 30, \"total_min\": 5}, " HW
          ", " ST2 "}]}",
     "lines[0].run: expected exactly one of", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, " RUN ", \"headways\": {\"forward\": [{\"from\": "
          "\"06:00\", \"to\": \"07:00\", \"headway_min\": 10}]}, " ST2 "}]}",
     "lines[0].headways.backward: missing", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 2, " ST2 ", \"trips\": [{\"id\": \"t1\", \"calls\": "
          "[[\"X\", \"06:00\"], [\"Y\", \"05:50\"]]}]}]}",
     "lines[0].trips[0].calls[1]: time goes backwards", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 2, " ST2 ", \"trips\": [{\"id\": \"t1\", \"calls\": "
          "[[\"X\", \"06:00\"], [\"Q\", \"06:10\"]]}]}]}",
     "lines[0].trips[0].calls[1]: not a station of line \"L\"", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 2, \"directions\": \"forward\", " ST2 ", \"trips\": "
          "[{\"id\": \"t1\", \"calls\": [[\"Y\", \"06:00\"], [\"X\", \"06:10\"]]}]}]}",
     "lines[0].trips[0].calls[1]: runs against the line's order", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 2, " ST2 ", \"trips\": [{\"id\": \"t1\", \"calls\": "
          "[[\"X\", \"06:00\"], [\"Y\", \"06:10\"]]}, {\"id\": \"t1\", \"calls\": [[\"X\", \"07:00\"], "
          "[\"Y\", \"07:10\"]]}]}]}",
     "lines[0].trips[1].id: trip \"t1\" is given twice", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 2, " ST2 ", \"trips\": [{\"id\": \"t1\", \"calls\": "
          "[[\"X\", \"06:00\"], [\"Y\"]]}]}]}",
     "lines[0].trips[0].calls[1]: expected [station, \"HH:MM\"]", 0, 0},
    {HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 2, " RUN ", " HW ", " ST2 ", \"trips\": []}]}",
     "lines[0]: give \"trips\" in each pattern", 0, 0},
};

/* "trips": a timetable given train by train, in both directions, a line-level list and one inside a pattern. */
static void test_trips(void **state) {
    (void)state;
    const char *json = HEAD "\"lines\": [{\"id\": \"R\", \"route_type\": 2, \"stations\": [{\"id\": \"x\", \"name\": "
        "\"X\", \"lat\": 28, \"lon\": 113}, {\"name\": \"Y\", \"lat\": 28.1, \"lon\": 113}, {\"name\": \"Z\", \"lat\": "
        "28.2, \"lon\": 113}], \"trips\": [{\"id\": \"C1\", \"calls\": [[\"X\", \"06:40\"], [\"Y\", \"06:45\", "
        "\"06:46:30\"], [2, \"06:55\"]]}, {\"id\": \"C2\", \"calls\": [[\"Z\", \"23:50\"], [\"x\", \"24:10\"]]}]}, "
        "{\"id\": \"P\", \"route_type\": 2, \"stations\": [\"X\", \"Z\"], \"patterns\": [{\"id\": \"fast\", \"trips\": "
        "[{\"id\": \"E1\", \"calls\": [[\"X\", \"08:00\"], [\"Z\", \"08:07\"]]}]}]}]}";
    tc_error err = {0};
    gtfs_feed *f = NULL;
    tc_status st = sketch_parse(json, strlen(json), "trips.json", NULL, NULL, &f, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, TC_OK);
    gtfs_feed *keep = g;
    g = f;
    int32_t c1 = T("R.all.0.C1"), c2 = T("R.all.1.C2"), e1 = T("P.fast.0.E1");
    assert_int_equal(g->trips[c1].st_count, 3);
    assert_int_equal(ST(c1, 0)->departure, hms(6, 40, 0));
    assert_int_equal(ST(c1, 1)->arrival, hms(6, 45, 0));
    assert_int_equal(ST(c1, 1)->departure, hms(6, 46, 30));
    assert_int_equal(ST(c1, 2)->arrival, hms(6, 55, 0));
    assert_int_equal(g->trips[c2].direction_id, 1);
    assert_int_equal(g->trips[c2].st_count, 2); /* a trip may skip stations */
    assert_int_equal(ST(c2, 0)->stop, S("R_3"));
    assert_int_equal(ST(c2, 1)->stop, S("x"));
    assert_int_equal(ST(c2, 1)->arrival, hms(24, 10, 0));
    assert_string_equal(g->trips[c2].headsign, "X");
    assert_int_equal(ST(e1, 1)->arrival - ST(e1, 0)->departure, 7 * 60);
    assert_int_equal(g->n_frequencies, 0);
    g = keep;
    sketch_feed_free(f);
}

static void test_bad_input(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tc_error err = {0};
        gtfs_feed *f = NULL;
        tc_status st = sketch_parse(bad[i].json, strlen(bad[i].json), "bad.json", NULL, NULL, &f, &err);
        if (st == TC_OK || !strstr(err.message, bad[i].expect))
            fprintf(stderr, "case %zu: status %d, message \"%s\", expected \"%s\"\n", i, st, err.message,
                    bad[i].expect);
        assert_int_not_equal(st, TC_OK);
        assert_null(f);
        assert_string_equal(err.file, "bad.json");
        assert_non_null(strstr(err.message, bad[i].expect));
        if (bad[i].line) assert_int_equal(err.line, bad[i].line);
        if (bad[i].column) assert_int_equal(err.column, bad[i].column);
    }
}

static int n_warn;
static char last_warn[512];
static void on_warn(void *u, const tc_finding *f) {
    (void)u;
    n_warn++;
    snprintf(last_warn, sizeof last_warn, "%s %s", f->code, f->message);
}

/* A misspelt member is reported, not silently ignored; annotations are allowed. */
static void test_unknown_key_warning(void **state) {
    (void)state;
    const char *json = HEAD "\"lines\": [{\"id\": \"L\", \"route_type\": 1, \"note\": \"x\", \"assumed\": true, "
                            "\"headway\": 5, " RUN ", " HW ", " ST2 "}]}";
    diag_log diag = {.fn = on_warn, .user = NULL};
    tc_error err = {0};
    gtfs_feed *f = NULL;
    assert_int_equal(sketch_parse(json, strlen(json), "w.json", "w", &diag, &f, &err), TC_OK);
    assert_int_equal(n_warn, 1);
    assert_non_null(strstr(last_warn, "unknown_key lines[0].headway"));
    assert_string_equal(f->name, "w");
    sketch_feed_free(f);
}

/* Every prefix of the fixture, and the fixture with bytes overwritten, is either compiled or refused with an
 * error naming the file: never a crash (the ASan build runs this too). */
static void test_truncated_and_mangled(void **state) {
    (void)state;
    const char *src = getenv("TC_SRC");
    char path[4200];
    snprintf(path, sizeof path, "%.4000s/tests/fixtures/sketch/small.sketch.json", src ? src : ".");
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char text[1 << 16];
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    size_t ok = 0;
    for (size_t len = 0; len < n; len++) {
        char *copy = malloc(len + 1); /* exact size, so ASan sees any read past the end */
        memcpy(copy, text, len);
        copy[len] = 0;
        gtfs_feed *f = NULL;
        tc_error err = {0};
        if (sketch_parse(copy, len, "cut.json", NULL, NULL, &f, &err) == TC_OK) {
            ok++;
            sketch_feed_free(f);
        } else {
            assert_string_equal(err.file, "cut.json");
            assert_true(err.message[0] != 0);
        }
        free(copy);
    }
    size_t trailing = 0; /* prefixes that only drop trailing blanks are the whole object */
    while (trailing < n && strchr(" \t\r\n", text[n - 1 - trailing])) trailing++;
    assert_int_equal(ok, trailing); /* no other prefix of a JSON object is a JSON object */
    static const char junk[] = {'}', ']', '"', ',', '0', '-', 'x', ':', '{', '[', '\\', (char)0xff};
    uint32_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        char *copy = malloc(n + 1);
        memcpy(copy, text, n + 1);
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            seed = seed * 1103515245u + 12345u;
            copy[at] = junk[(seed >> 8) % sizeof junk];
        }
        gtfs_feed *f = NULL;
        tc_error err = {0};
        if (sketch_parse(copy, n, "mangled.json", NULL, NULL, &f, &err) == TC_OK) sketch_feed_free(f);
        else assert_string_equal(err.file, "mangled.json");
        free(copy);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_calendars),
        cmocka_unit_test(test_run_minutes_and_headways),
        cmocka_unit_test(test_speed_and_departures),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_transfers),
        cmocka_unit_test(test_trips),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_unknown_key_warning),
        cmocka_unit_test(test_truncated_and_mangled),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
