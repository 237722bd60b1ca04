/*
 * test_sketch_scenario.c — scenario files: parsing (every kind, and bad input naming the entry), applying each
 * kind to the small fixture sketch with hand-computed expectations, unknown ids as errors naming the entry, and the
 * three shipped Chang-Zhu-Tan scenarios applied to the default network, each changing what it should and nothing
 * else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/geo.h"
#include "common/timeutil.h"
#include "sketch/scenario.h"
#include "sketch/sketch.h"
#include "gtfs/feed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char g_src[4000];

static gtfs_feed *load_sketch(const char *rel) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", g_src, rel);
    gtfs_feed *f = NULL;
    tc_error err = {0};
    if (sketch_read(path, NULL, NULL, &f, &err)) fail_msg("%s: %s", err.file, err.message);
    return f;
}

static scenario *load_scenario(const char *rel) {
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", g_src, rel);
    scenario *s = NULL;
    tc_error err = {0};
    diag_log diag = {0};
    if (scenario_read(path, &diag, &s, &err)) fail_msg("%s: %s", err.file, err.message);
    assert_int_equal(diag.warnings, 0);
    return s;
}

static int32_t trip_of(const gtfs_feed *g, const char *id) {
    for (size_t i = 0; i < g->n_trips; i++)
        if (!strcmp(g->trips[i].id, id)) return (int32_t)i;
    return -1;
}
static int32_t stop_of(const gtfs_feed *g, const char *id) {
    for (size_t i = 0; i < g->n_stops; i++)
        if (!strcmp(g->stops[i].id, id)) return (int32_t)i;
    return -1;
}
static int32_t route_of(const gtfs_feed *g, const char *id) {
    for (size_t i = 0; i < g->n_routes; i++)
        if (!strcmp(g->routes[i].id, id)) return (int32_t)i;
    return -1;
}
static const gtfs_stop_time *st_of(const gtfs_feed *g, int32_t t, uint32_t k) {
    assert_true(t >= 0);
    assert_true(k < g->trips[t].st_count);
    return &g->stop_times[g->trips[t].st_begin + k];
}
static int32_t hms(int h, int m) { return h * 3600 + m * 60; }

/* ------------------------------------------------------------------------------------------ parsing */

static void test_parse_all_kinds(void **state) {
    (void)state;
    scenario *s = load_scenario("tests/fixtures/sketch/all_kinds.scenario.json");
    assert_string_equal(s->name, "all-kinds");
    assert_int_equal(s->n_mods, 10);
    static const scenario_kind kinds[] = {SCN_SET_HEADWAYS, SCN_CHANGE_RUN_TIMES, SCN_CHANGE_RUN_TIMES,
                                          SCN_SET_TRANSFER, SCN_SET_TRANSFER,     SCN_ADD_LINE,
                                          SCN_REMOVE_STOP,  SCN_REMOVE_ROUTE,     SCN_CAR_SPEEDS,
                                          SCN_CAR_SPEEDS};
    for (size_t i = 0; i < 10; i++) assert_int_equal(s->mods[i].kind, kinds[i]);
    const scenario_mod *m = &s->mods[0];
    assert_string_equal(m->route, "A");
    assert_int_equal(m->direction, 0);
    assert_int_equal(m->n_periods, 1);
    assert_int_equal(m->periods[0].from, hms(8, 0));
    assert_int_equal(m->periods[0].to, hms(9, 0));
    assert_int_equal(m->periods[0].headway_s, 120);
    assert_int_equal(m->exact_times, 1);
    assert_string_equal(s->mods[1].pattern, "all");
    assert_true(fabs(s->mods[1].factor - 0.5) < 1e-12);
    assert_true(fabs(s->mods[2].speed_kmh - 120) < 1e-12);
    assert_true(fabs(s->mods[2].dwell_s - 20) < 1e-12);
    assert_int_equal(s->mods[3].transfer_type, 1);
    assert_int_equal(s->mods[4].transfer_type, 2);
    assert_int_equal(s->mods[4].min_transfer_time, 90);
    assert_string_equal(s->mods[4].to_stop, "hub"); /* to defaults to from */
    assert_non_null(s->mods[5].line);
    assert_int_equal(s->mods[8].n_way_ids, 2);
    assert_true(s->mods[8].way_ids[1] == 4567890123LL);
    assert_true(fabs(s->mods[9].car_factor - 0.8) < 1e-12);
    assert_true(scenario_polygon_contains(&s->mods[9], 28.0, 113.0));
    assert_false(scenario_polygon_contains(&s->mods[9], 28.2, 113.0));
    assert_false(scenario_polygon_contains(&s->mods[8], 28.0, 113.0));
    assert_string_equal(scenario_kind_name(s->mods[5].kind), "add_line");
    scenario_free(s);
}

typedef struct bad_case {
    const char *json, *expect;
    long line;
} bad_case;

#define M(x) "{\"name\": \"t\", \"modifications\": [" x "]}"
static const bad_case bad_parse[] = {
    {"{\"name\": \"t\",\n \"modifications\": [\n  {\"type\": \"remove_route\" \"route\": \"A\"}]}", "syntax error", 3},
    {"{\"modifications\": []}", "name: missing", 0},
    {"{\"name\": \"baseline\", \"modifications\": [{\"type\": \"remove_route\", \"route\": \"A\"}]}",
     "name: \"baseline\" is the name of the unmodified network", 0},
    {"{\"name\": \"t\", \"modifications\": []}", "modifications: expected at least 1", 0},
    {M("{\"type\": \"remove_line\", \"route\": \"A\"}"), "modifications[0].type: unknown modification \"remove_line\"", 0},
    {M("{\"type\": \"remove_route\"}"), "modifications[0].route: missing", 0},
    {M("{\"type\": \"remove_stop\", \"stop\": \"a\"}, {\"type\": \"set_headways\", \"route\": \"A\", \"periods\": "
       "[{\"from\": \"08:00\", \"to\": \"07:00\", \"headway_min\": 5}]}"),
     "modifications[1].periods[0].to: must be later than \"from\"", 0},
    {M("{\"type\": \"set_headways\", \"route\": \"A\", \"periods\": [{\"from\": \"08:00\", \"to\": \"09:00\"}]}"),
     "modifications[0].periods[0].headway_min: missing", 0},
    {M("{\"type\": \"change_run_times\", \"route\": \"A\", \"factor\": 0.8, \"speed_kmh\": 50}"),
     "modifications[0]: give \"factor\" or \"speed_kmh\", not both", 0},
    {M("{\"type\": \"change_run_times\", \"route\": \"A\", \"direction\": 2, \"factor\": 0.8}"),
     "modifications[0].direction: expected a whole number between 0 and 1", 0},
    {M("{\"type\": \"set_transfer\", \"from_stop\": \"a\", \"timed\": true, \"min_transfer_min\": 2}"),
     "modifications[0]: expected exactly one of", 0},
    {M("{\"type\": \"car_speeds\", \"speed_kmh\": 50}"), "modifications[0]: expected \"ways\"", 0},
    {M("{\"type\": \"car_speeds\", \"ways\": [12, -3], \"speed_kmh\": 50}"), "modifications[0].ways[1]: expected an OSM way id", 0},
    {M("{\"type\": \"car_speeds\", \"polygon\": [[1, 2], [3, 4], [5]], \"factor\": 2}"),
     "modifications[0].polygon[2]: expected a point [lon, lat]", 0},
    {M("{\"type\": \"add_line\"}"), "modifications[0].line: missing", 0},
    {M("{\"type\": \"add_road\"}"), "modifications[0].roads: missing", 0},
    {M("{\"type\": \"add_road\", \"roads\": []}"), "modifications[0].roads: expected at least 1", 0},
    {M("{\"type\": \"add_line\", \"line\": {\"route_type\": 3}}"), "modifications[0].line.id: missing", 0},
};

static void test_parse_bad(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof bad_parse / sizeof bad_parse[0]; i++) {
        scenario *s = NULL;
        tc_error err = {0};
        tc_status st = scenario_parse(bad_parse[i].json, strlen(bad_parse[i].json), "s.json", NULL, &s, &err);
        if (!st || !strstr(err.message, bad_parse[i].expect))
            fprintf(stderr, "case %zu: \"%s\" (expected \"%s\")\n", i, err.message, bad_parse[i].expect);
        assert_int_not_equal(st, TC_OK);
        assert_null(s);
        assert_string_equal(err.file, "s.json");
        assert_non_null(strstr(err.message, bad_parse[i].expect));
        if (bad_parse[i].line) assert_int_equal(err.line, bad_parse[i].line);
    }
}

/* ------------------------------------------------------------------------------------------ applying */

static int has_transfer(const gtfs_feed *g, int32_t a, int32_t b, int32_t ra, int32_t rb, int type, int32_t min) {
    for (size_t i = 0; i < g->n_transfers; i++) {
        const gtfs_transfer *t = &g->transfers[i];
        if (t->from_stop == a && t->to_stop == b && t->from_route == ra && t->to_route == rb && t->type == type &&
            t->min_transfer_time == min)
            return 1;
    }
    return 0;
}

static void test_apply_all_kinds(void **state) {
    (void)state;
    gtfs_feed *g = load_sketch("tests/fixtures/sketch/small.sketch.json");
    scenario *s = load_scenario("tests/fixtures/sketch/all_kinds.scenario.json");
    size_t stops_before = g->n_stops;
    tc_error err = {0};
    tc_status st = scenario_apply(g, s, NULL, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, TC_OK);

    /* set_headways: A forward keeps 07–08 @5 and 09–10 @10; a new template runs 08–09 every 2 min, exact. */
    int32_t old = trip_of(g, "A.all.0.f"), neu = trip_of(g, "A.all.0.f.all-kinds");
    assert_true(old >= 0 && neu >= 0);
    int rows_old = 0, rows_new = 0;
    for (size_t i = 0; i < g->n_frequencies; i++) {
        const gtfs_frequency *q = &g->frequencies[i];
        if (q->trip == old) {
            rows_old++;
            assert_true((q->start_time == hms(7, 0) && q->end_time == hms(8, 0) && q->headway_secs == 300) ||
                        (q->start_time == hms(9, 0) && q->end_time == hms(10, 0) && q->headway_secs == 600));
        }
        if (q->trip == neu) {
            rows_new++;
            assert_int_equal(q->start_time, hms(8, 0));
            assert_int_equal(q->end_time, hms(9, 0));
            assert_int_equal(q->headway_secs, 120);
            assert_int_equal(q->exact_times, 1);
        }
    }
    assert_int_equal(rows_old, 2);
    assert_int_equal(rows_new, 1);
    assert_int_equal(st_of(g, neu, 0)->departure, hms(8, 0));

    /* change_run_times factor 0.5 on pattern "all" (the new template too): runs 120/180/240 s halved, dwells kept */
    const int32_t arr[4] = {0, 60, 180, 360}, dep[4] = {0, 90, 240, 360};
    for (uint32_t k = 0; k < 4; k++) {
        assert_int_equal(st_of(g, old, k)->arrival, hms(7, 0) + arr[k]);
        assert_int_equal(st_of(g, old, k)->departure, hms(7, 0) + dep[k]);
        assert_int_equal(st_of(g, neu, k)->arrival, hms(8, 0) + arr[k]);
    }
    assert_int_equal(st_of(g, trip_of(g, "A.all.1.f"), 3)->arrival, hms(7, 0) + 360);

    /* change_run_times speed on the section a2 → Hub B of line B; b3 removed afterwards, so B is two stops */
    int32_t b1 = trip_of(g, "B.all.0.1");
    assert_int_equal(g->trips[b1].st_count, 2);
    double d = haversine_m(28.0, 112.99, 28.0, 113.0002);
    assert_int_equal(st_of(g, b1, 1)->arrival - st_of(g, b1, 0)->departure, (int32_t)lround(d / (120 / 3.6)));

    /* remove_stop / remove_route / add_line */
    assert_int_equal(stop_of(g, "b3"), -1);
    assert_int_equal(route_of(g, "C"), -1);
    for (size_t t = 0; t < g->n_trips; t++) assert_true(strncmp(g->trips[t].id, "C.", 2) != 0);
    int32_t rd = route_of(g, "D");
    assert_true(rd >= 0);
    assert_int_equal(g->routes[rd].type, 3);
    int32_t d0 = trip_of(g, "D.all.0.f");
    assert_true(d0 >= 0);
    assert_int_equal(st_of(g, d0, 0)->stop, stop_of(g, "a1"));
    for (uint32_t day = 0; day < g->n_days; day++)
        assert_true(gtfs_service_active(g, g->trips[d0].service, g->first_day + (int32_t)day));
    assert_int_equal(g->n_stops, stops_before - 1 + 1); /* b3 gone, d2 added */
    assert_int_equal(g->n_routes, 3);

    /* set_transfer: the A → C timed transfer went with route C; the hub's transfers are now 90 s */
    int32_t ha = stop_of(g, "A_3"), hb = stop_of(g, "B_2");
    assert_true(has_transfer(g, ha, hb, GTFS_NONE, GTFS_NONE, 2, 90));
    assert_true(has_transfer(g, hb, ha, GTFS_NONE, GTFS_NONE, 2, 90));
    assert_true(has_transfer(g, ha, ha, GTFS_NONE, GTFS_NONE, 2, 90));
    assert_false(has_transfer(g, hb, ha, GTFS_NONE, GTFS_NONE, 2, 240));
    for (size_t i = 0; i < g->n_transfers; i++) {
        assert_true(g->transfers[i].from_stop >= 0 && (size_t)g->transfers[i].from_stop < g->n_stops);
        assert_true(g->transfers[i].to_route < (int32_t)g->n_routes);
        assert_false(g->transfers[i].type == 1 && g->transfers[i].to_route == GTFS_NONE &&
                     g->transfers[i].from_stop == stop_of(g, "a1"));
    }
    /* every index in range after compaction */
    for (size_t t = 0; t < g->n_trips; t++) {
        assert_true(g->trips[t].route >= 0 && (size_t)g->trips[t].route < g->n_routes);
        for (uint32_t k = 0; k < g->trips[t].st_count; k++)
            assert_true((size_t)st_of(g, (int32_t)t, k)->stop < g->n_stops);
    }
    for (size_t i = 0; i < g->n_frequencies; i++) assert_true((size_t)g->frequencies[i].trip < g->n_trips);
    sketch_feed_free(g);
    scenario_free(s);
}

/* Scheduled trips: those starting inside the period go, a template with the headway replaces them. */
static void test_headways_on_scheduled_trips(void **state) {
    (void)state;
    gtfs_feed *g = load_sketch("tests/fixtures/sketch/small.sketch.json");
    const char *json = M("{\"type\": \"set_headways\", \"route\": \"B\", \"periods\": [{\"from\": \"08:15\", "
                         "\"to\": \"10:00\", \"headway_min\": 15}]}, {\"type\": \"set_headways\", \"route\": \"C\", "
                         "\"pattern\": \"short\", \"direction\": 1, \"periods\": [{\"from\": \"12:00\", \"to\": "
                         "\"18:00\", \"headway_min\": 30}]}");
    scenario *s = NULL;
    tc_error err = {0};
    assert_int_equal(scenario_parse(json, strlen(json), "h.json", NULL, &s, &err), TC_OK);
    assert_int_equal(scenario_apply(g, s, NULL, &err), TC_OK);
    assert_true(trip_of(g, "B.all.0.1") >= 0);  /* 08:00, before the period */
    assert_int_equal(trip_of(g, "B.all.0.2"), -1); /* 08:30:30, inside */
    int32_t t = trip_of(g, "B.all.0.2.t");      /* template from the trip nearest the period's start */
    assert_true(t >= 0);
    assert_int_equal(st_of(g, t, 0)->departure, hms(8, 15));
    /* C short backward: all three expanded trips (12:00, 12:20, 12:40) replaced; forward untouched */
    for (int k = 1; k <= 3; k++) {
        char id[32];
        snprintf(id, sizeof id, "C.short.1.%d", k);
        assert_int_equal(trip_of(g, id), -1);
        snprintf(id, sizeof id, "C.short.0.%d", k);
        assert_true(trip_of(g, id) >= 0);
    }
    assert_true(trip_of(g, "C.short.1.1.t") >= 0);
    assert_true(trip_of(g, "C.all.1.1") >= 0); /* other pattern untouched */
    sketch_feed_free(g);
    scenario_free(s);
}

static const bad_case bad_apply[] = {
    {M("{\"type\": \"remove_route\", \"route\": \"Z\"}"), "modifications[0].route: no route \"Z\" in feed \"small\"", 0},
    {M("{\"type\": \"remove_stop\", \"stop\": \"a1\"}, {\"type\": \"remove_stop\", \"stop\": \"nowhere\"}"),
     "modifications[1].stop: no stop \"nowhere\" in feed \"small\"", 0},
    {M("{\"type\": \"set_headways\", \"route\": \"C\", \"pattern\": \"express\", \"periods\": [{\"from\": "
       "\"08:00\", \"to\": \"09:00\", \"headway_min\": 5}]}"),
     "modifications[0].pattern: no trips of pattern \"express\" on route \"C\"", 0},
    {M("{\"type\": \"change_run_times\", \"route\": \"A\", \"trip\": \"B.all.0.1\", \"factor\": 2}"),
     "modifications[0].trip: no trip \"B.all.0.1\" on route \"A\"", 0},
    {M("{\"type\": \"change_run_times\", \"route\": \"A\", \"factor\": 2, \"from_stop\": \"b3\"}"),
     "modifications[0].from_stop: no selected trip of route \"A\" runs from \"b3\"", 0},
    {M("{\"type\": \"set_transfer\", \"from_stop\": \"a1\", \"to_stop\": \"x9\", \"timed\": true}"),
     "modifications[0].to_stop: no stop \"x9\"", 0},
    {M("{\"type\": \"set_transfer\", \"from_stop\": \"a1\", \"from_route\": \"Q\", \"timed\": true}"),
     "modifications[0].from_route: no route \"Q\"", 0},
    {M("{\"type\": \"add_line\", \"line\": {\"id\": \"E\", \"route_type\": 3, \"run\": {\"speed_kmh\": 20}, "
       "\"stations\": [\"a1\", \"nope\"], \"headways\": [{\"from\": \"06:00\", \"to\": \"07:00\", \"headway_min\": "
       "10}]}}"),
     "modifications[0].line.stations[1]: no stop \"nope\"", 0},
    {M("{\"type\": \"add_line\", \"line\": {\"id\": \"A\", \"route_type\": 3, \"run\": {\"speed_kmh\": 20}, "
       "\"stations\": [\"a1\", \"a2\"], \"headways\": [{\"from\": \"06:00\", \"to\": \"07:00\", \"headway_min\": "
       "10}]}}"),
     "modifications[0].line.id: a line or route \"A\" already exists", 0},
    {M("{\"type\": \"add_line\", \"line\": {\"id\": \"E\", \"route_type\": 3, \"calendar\": \"nocal\", \"run\": "
       "{\"speed_kmh\": 20}, \"stations\": [\"a1\", \"a2\"], \"headways\": [{\"from\": \"06:00\", \"to\": \"07:00\", "
       "\"headway_min\": 10}]}}"),
     "modifications[0].line.calendar: no calendar \"nocal\"", 0},
};

static void test_apply_unknown_ids(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof bad_apply / sizeof bad_apply[0]; i++) {
        gtfs_feed *g = load_sketch("tests/fixtures/sketch/small.sketch.json");
        scenario *s = NULL;
        tc_error err = {0};
        assert_int_equal(scenario_parse(bad_apply[i].json, strlen(bad_apply[i].json), "u.json", NULL, &s, &err), TC_OK);
        tc_status st = scenario_apply(g, s, NULL, &err);
        if (!st || !strstr(err.message, bad_apply[i].expect))
            fprintf(stderr, "case %zu: \"%s\" (expected \"%s\")\n", i, err.message, bad_apply[i].expect);
        assert_int_not_equal(st, TC_OK);
        assert_string_equal(err.file, "u.json");
        assert_non_null(strstr(err.message, bad_apply[i].expect));
        sketch_feed_free(g);
        scenario_free(s);
    }
}

/* Several feeds: FEED:id picks one, a bare id goes to the feed that has it, an id in none is an error. */
static void test_apply_several_feeds(void **state) {
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/tests/fixtures/sketch/small.sketch.json", g_src);
    gtfs_feed *feeds[2] = {NULL, NULL};
    tc_error err = {0};
    assert_int_equal(sketch_read(path, "one", NULL, &feeds[0], &err), TC_OK);
    assert_int_equal(sketch_read(path, "two", NULL, &feeds[1], &err), TC_OK);
    /* make "A" exist only in feed two */
    const char *pre = M("{\"type\": \"remove_route\", \"route\": \"one:A\"}");
    scenario *s = NULL;
    assert_int_equal(scenario_parse(pre, strlen(pre), "p.json", NULL, &s, &err), TC_OK);
    assert_int_equal(scenario_apply_feeds(feeds, 2, s, NULL, &err), TC_OK);
    scenario_free(s);
    assert_int_equal(route_of(feeds[0], "A"), -1);
    assert_true(route_of(feeds[1], "A") >= 0);
    const char *json = M("{\"type\": \"remove_route\", \"route\": \"A\"}, {\"type\": \"add_line\", \"line\": {"
                         "\"id\": \"W\", \"route_type\": 3, \"run\": {\"speed_kmh\": 20}, \"calendar\": {\"start\": "
                         "\"2026-03-01\", \"end\": \"2026-03-31\", \"days\": [\"sat\", \"sun\"]}, \"stations\": "
                         "[\"two:a1\", \"a4\"], \"departures\": [\"09:00\"]}}");
    assert_int_equal(scenario_parse(json, strlen(json), "m.json", NULL, &s, &err), TC_OK);
    tc_status st = scenario_apply_feeds(feeds, 2, s, NULL, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, TC_OK);
    assert_int_equal(route_of(feeds[1], "A"), -1); /* the bare id went to the feed that had it */
    assert_true(route_of(feeds[1], "W") >= 0);
    assert_int_equal(route_of(feeds[0], "W"), -1);
    /* inline calendar: weekends of March within the feed's 2026-03-02 – 03-15 range */
    int32_t w = trip_of(feeds[1], "W.all.0.1");
    assert_true(w >= 0);
    int32_t svc = feeds[1]->trips[w].service;
    assert_true(gtfs_service_active(feeds[1], svc, days_from_civil(2026, 3, 7)));
    assert_false(gtfs_service_active(feeds[1], svc, days_from_civil(2026, 3, 9)));
    assert_string_equal(feeds[1]->services[svc].id, "W.calendar");
    scenario_free(s);
    const char *bad = M("{\"type\": \"remove_stop\", \"stop\": \"zz\"}");
    assert_int_equal(scenario_parse(bad, strlen(bad), "b.json", NULL, &s, &err), TC_OK);
    assert_int_equal(scenario_apply_feeds(feeds, 2, s, NULL, &err), TC_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "modifications[0].stop: \"zz\" is in none of the 2 feeds"));
    scenario_free(s);
    sketch_feed_free(feeds[0]);
    sketch_feed_free(feeds[1]);
}

/* A feed read by the GTFS reader (its strings in an arena, its bitsets in one block): every transit modification
 * applies, and gtfs_feed_free + scenario_free release everything (the ASan build checks for leaks and double
 * frees). Ids are taken from the feed, nothing is assumed about it but that it has two routes. */
static void test_apply_to_gtfs_feed(void **state) {
    (void)state;
    const char *data = getenv("TC_DATA");
    char path[4200];
    snprintf(path, sizeof path, "%.4000s/feeds/caltrain.zip", data ? data : "/nonexistent");
    FILE *probe = fopen(path, "rb");
    if (!probe) {
        printf("%s absent: check skipped\n", path);
        skip();
    }
    fclose(probe);
    gtfs_feed *g = NULL;
    tc_error err = {0};
    diag_log diag = {0};
    assert_int_equal(gtfs_feed_read(path, "caltrain", &diag, &g, &err), TC_OK);
    assert_true(g->n_routes >= 2 && g->n_trips >= 2);
    const char *keep_route = g->routes[g->trips[0].route].id, *trip0 = g->trips[0].id;
    const char *gone = NULL;
    for (size_t r = 0; r < g->n_routes && !gone; r++)
        if ((int32_t)r != g->trips[0].route) gone = g->routes[r].id;
    int32_t first_stop = g->stop_times[g->trips[0].st_begin].stop, last_stop =
        g->stop_times[g->trips[0].st_begin + g->trips[0].st_count - 1].stop;
    char json[4096];
    snprintf(json, sizeof json,
             M("{\"type\": \"set_headways\", \"route\": \"%s\", \"trip\": \"caltrain:%s\", \"periods\": "
               "[{\"from\": \"10:00\", \"to\": \"12:00\", \"headway_min\": 15}]}, "
               "{\"type\": \"change_run_times\", \"route\": \"%s\", \"factor\": 0.9}, "
               "{\"type\": \"remove_route\", \"route\": \"%s\"}, "
               "{\"type\": \"set_transfer\", \"from_stop\": \"%s\", \"to_stop\": \"%s\", \"timed\": true}, "
               "{\"type\": \"add_line\", \"line\": {\"id\": \"new_line\", \"route_type\": 3, \"run\": "
               "{\"speed_kmh\": 25}, \"stations\": [\"%s\", {\"name\": \"New place\", \"lat\": %.6f, \"lon\": "
               "%.6f}], \"headways\": [{\"from\": \"07:00\", \"to\": \"19:00\", \"headway_min\": 12}]}}"),
             keep_route, trip0, keep_route, gone, g->stops[first_stop].id, g->stops[last_stop].id,
             g->stops[first_stop].id, g->stops[first_stop].lat + 0.01, g->stops[first_stop].lon);
    scenario *s = NULL;
    assert_int_equal(scenario_parse(json, strlen(json), "g.json", NULL, &s, &err), TC_OK);
    size_t routes0 = g->n_routes;
    char gone_id[256];
    snprintf(gone_id, sizeof gone_id, "%s", gone);
    tc_status st = scenario_apply(g, s, NULL, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, TC_OK);
    assert_int_equal(g->n_routes, routes0); /* one removed, one added */
    assert_int_equal(route_of(g, gone_id), -1);
    assert_true(route_of(g, "new_line") >= 0);
    for (size_t t = 0; t < g->n_trips; t++)
        assert_true(g->trips[t].route >= 0 && (size_t)g->trips[t].route < g->n_routes);
    size_t rows = 0; /* the template's 10:00–12:00 every 15 min, on a trip of the kept route */
    for (size_t i = 0; i < g->n_frequencies; i++) {
        const gtfs_frequency *q = &g->frequencies[i];
        assert_true((size_t)q->trip < g->n_trips);
        if (q->start_time == hms(10, 0) && q->end_time == hms(12, 0) && q->headway_secs == 900) {
            rows++;
            assert_int_equal(g->trips[q->trip].route, route_of(g, keep_route));
            assert_int_equal(fe_trip_start(g, q->trip), hms(10, 0));
        }
    }
    assert_int_equal(rows, 1);
    gtfs_feed_free(g);
    scenario_free(s);
}

/* ------------------------------------------------------------------------------------------ shipped scenarios */

/* Seconds from departing stop a to arriving at stop b (ids) on trip t, -1 if it does not run so. */
static int32_t ride(const gtfs_feed *g, int32_t t, int32_t a, int32_t b) {
    int32_t dep = -1;
    for (uint32_t k = 0; k < g->trips[t].st_count; k++) {
        const gtfs_stop_time *s = st_of(g, t, k);
        if (dep < 0 && s->stop == a) dep = s->departure;
        else if (dep >= 0 && s->stop == b) return s->arrival - dep;
    }
    return -1;
}

static size_t metro_rows(const gtfs_feed *g, int32_t *sum_headway) {
    size_t n = 0;
    *sum_headway = 0;
    for (size_t i = 0; i < g->n_frequencies; i++)
        if (!strncmp(g->routes[g->trips[g->frequencies[i].trip].route].id, "metro_", 6)) {
            n++;
            *sum_headway += g->frequencies[i].headway_secs;
        }
    return n;
}

/* Trips of route ri whose id contains pat, and of those the ones leaving inside [from, to). */
static size_t count_trips(const gtfs_feed *g, int32_t ri, const char *pat, int32_t from, int32_t to, size_t *inside) {
    size_t n = 0;
    *inside = 0;
    for (size_t t = 0; t < g->n_trips; t++) {
        if (g->trips[t].route != ri || !strstr(g->trips[t].id, pat)) continue;
        n++;
        int32_t start = fe_trip_start(g, (int32_t)t);
        if (start >= from && start < to) (*inside)++;
    }
    return n;
}

static void test_shipped_like_a_bus(void **state) {
    (void)state;
    gtfs_feed *base = load_sketch("data/changzhutan/network.sketch.json");
    gtfs_feed *g = load_sketch("data/changzhutan/network.sketch.json");
    int32_t hw0;
    size_t metro0 = metro_rows(g, &hw0);
    scenario *s = load_scenario("data/changzhutan/scenarios/intercity_like_a_bus.json");
    tc_error err = {0};
    assert_int_equal(scenario_apply(g, s, NULL, &err), TC_OK);
    int32_t hw1;
    assert_int_equal(metro_rows(g, &hw1), metro0); /* metro untouched */
    assert_int_equal(hw1, hw0);
    const char *routes[2] = {"czt_zhuzhou", "czt_xiangtan"};
    for (int r = 0; r < 2; r++) {
        int32_t ri = route_of(g, routes[r]), rb = route_of(base, routes[r]);
        size_t in0, in1, ex_in;
        size_t allstop0 = count_trips(base, rb, ".allstop.", hms(6, 30), hms(22, 30), &in0);
        size_t allstop1 = count_trips(g, ri, ".allstop.", hms(6, 30), hms(22, 30), &in1);
        assert_true(in0 > 40);                         /* the timetable's all-stop trains inside the period ... */
        assert_int_equal(in1, 2);                      /* ... are replaced by one template per direction */
        assert_int_equal(allstop1, allstop0 - in0 + 2); /* those outside it stay */
        /* through trains from 麓谷 and expresses are kept */
        assert_int_equal(count_trips(g, ri, ".lugu.", 0, 0, &ex_in), count_trips(base, rb, ".lugu.", 0, 0, &ex_in));
        assert_int_equal(count_trips(g, ri, ".express.", 0, 0, &ex_in),
                         count_trips(base, rb, ".express.", 0, 0, &ex_in));
        size_t rows = 0;
        for (size_t i = 0; i < g->n_frequencies; i++)
            if (g->trips[g->frequencies[i].trip].route == ri) {
                rows++;
                assert_int_equal(g->frequencies[i].headway_secs, 300);
                assert_int_equal(g->frequencies[i].start_time, hms(6, 30));
                assert_int_equal(g->frequencies[i].end_time, hms(22, 30));
            }
        assert_int_equal(rows, 2);
    }
    sketch_feed_free(g);
    sketch_feed_free(base);
    scenario_free(s);
}

/* Metro toward Ningxiang and Liuyang: two new lines from Line 6's termini, ending within 1 km of the county seats
 * of places.csv, at a suburban pace (faster than the city metro's 35 km/h, slower than 60 km/h end to end). */
static void test_shipped_metro_extensions(void **state) {
    (void)state;
    gtfs_feed *g = load_sketch("data/changzhutan/network.sketch.json");
    size_t routes0 = g->n_routes;
    scenario *s = load_scenario("data/changzhutan/scenarios/metro_extensions.json");
    tc_error err = {0};
    tc_status st = scenario_apply(g, s, NULL, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, TC_OK);
    assert_int_equal(g->n_routes, routes0 + 2);
    static const struct {
        const char *route, *from, *to;
        double lat, lon;
    } ext[] = {{"metro_6_ningxiang", "m_xiejia_qiao", "m_ningxiang", 28.28, 112.55},
               {"metro_6_liuyang", "m_huanghua_jichang_t1t2", "m_liuyang", 28.15, 113.63}};
    for (size_t k = 0; k < 2; k++) {
        int32_t a = stop_of(g, ext[k].from), b = stop_of(g, ext[k].to);
        assert_true(a >= 0 && b >= 0 && route_of(g, ext[k].route) >= 0);
        assert_true(haversine_m(g->stops[b].lat, g->stops[b].lon, ext[k].lat, ext[k].lon) < 1000);
        char id[64];
        snprintf(id, sizeof id, "%s.all.0.f", ext[k].route);
        int32_t t = trip_of(g, id);
        assert_true(t >= 0);
        double km = haversine_m(g->stops[a].lat, g->stops[a].lon, g->stops[b].lat, g->stops[b].lon) / 1000;
        double h = ride(g, t, a, b) / 3600.0;
        assert_true(km / h > 35 && km / h < 60);
    }
    sketch_feed_free(g);
    scenario_free(s);
}

static void test_shipped_hub(void **state) {
    (void)state;
    gtfs_feed *g = load_sketch("data/changzhutan/network.sketch.json");
    size_t routes0 = g->n_routes;
    scenario *s = load_scenario("data/changzhutan/scenarios/hsr_intercity_hub.json");
    tc_error err = {0};
    tc_status st = scenario_apply(g, s, NULL, &err);
    if (st) fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, TC_OK);
    assert_int_equal(g->n_routes, routes0 + 1);
    int32_t hsr = stop_of(g, "hsr_changsha_south"), link = stop_of(g, "czt_changsha_south");
    assert_true(hsr >= 0 && link >= 0);
    assert_int_equal(g->stops[link].parent, g->stops[hsr].parent); /* one hub */
    assert_true(has_transfer(g, hsr, link, GTFS_NONE, GTFS_NONE, 1, 0));
    assert_true(has_transfer(g, link, hsr, GTFS_NONE, GTFS_NONE, 1, 0));
    assert_false(has_transfer(g, hsr, link, GTFS_NONE, GTFS_NONE, 2, 8 * 60)); /* replaced by the timed rule */
    /* the new platform inherits the hub's 8-minute transfer time to the metro and the maglev */
    int32_t metro = stop_of(g, "m_changsha_huoche_nanzhan"), maglev = stop_of(g, "m_cifu_gaotie_zhan");
    assert_true(has_transfer(g, link, metro, GTFS_NONE, GTFS_NONE, 2, 8 * 60));
    assert_true(has_transfer(g, maglev, link, GTFS_NONE, GTFS_NONE, 2, 8 * 60));
    /* scheduled link trains every 30 min 07:05–21:35 each way, Changsha South → Zhuzhou South */
    size_t n = 0;
    int32_t zz = stop_of(g, "czt_zhuzhou_south");
    for (size_t t = 0; t < g->n_trips; t++)
        if (!strncmp(g->trips[t].id, "czt_south_link.all.0.", 21)) {
            n++;
            assert_true(ride(g, (int32_t)t, link, zz) > 30 * 60);
        }
    assert_int_equal(n, 30);
    sketch_feed_free(g);
    scenario_free(s);
}

/* The ring expressway: one add_road modification, kept for the road model; applying it leaves the feed alone. */
static void test_shipped_ring(void **state) {
    (void)state;
    gtfs_feed *g = load_sketch("data/changzhutan/network.sketch.json");
    size_t trips0 = g->n_trips, stops0 = g->n_stops, routes0 = g->n_routes;
    scenario *s = load_scenario("data/changzhutan/scenarios/ring_expressway.json");
    assert_int_equal(s->n_mods, 1);
    assert_int_equal(s->mods[0].kind, SCN_ADD_ROAD);
    assert_string_equal(scenario_kind_name(SCN_ADD_ROAD), "add_road");
    assert_true(cJSON_IsArray(cJSON_GetObjectItem(s->mods[0].road, "roads")));
    tc_error err = {0};
    assert_int_equal(scenario_apply(g, s, NULL, &err), TC_OK);
    assert_int_equal(g->n_trips, trips0);
    assert_int_equal(g->n_stops, stops0);
    assert_int_equal(g->n_routes, routes0);
    sketch_feed_free(g);
    scenario_free(s);
}

int main(void) {
    const char *src = getenv("TC_SRC");
    if (!src) {
        printf("TC_SRC not set: skipped\n");
        return 77;
    }
    snprintf(g_src, sizeof g_src, "%.3900s", src);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_all_kinds),       cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_apply_all_kinds),       cmocka_unit_test(test_headways_on_scheduled_trips),
        cmocka_unit_test(test_apply_unknown_ids),     cmocka_unit_test(test_apply_several_feeds),
        cmocka_unit_test(test_apply_to_gtfs_feed),
        cmocka_unit_test(test_shipped_like_a_bus),
        cmocka_unit_test(test_shipped_metro_extensions), cmocka_unit_test(test_shipped_hub),
        cmocka_unit_test(test_shipped_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
