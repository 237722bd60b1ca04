/*
 * scenario.h — scenario files: a named list of modifications to a network (add a line, change headways, remove a
 * route or a stop, change run times, set a transfer at a hub, change car speeds on OSM ways), parsed into plain C
 * and applied to a gtfs_feed before the network is built. The format is documented in data/changzhutan/README.md
 * ("Scenarios"); the modification kinds follow R5's scenario modifications (add-trips, adjust-frequency,
 * remove-trips, remove-stops, adjust-speed) so results can be compared in spirit.
 *
 * Parsing checks everything that can be checked without a network (types, ranges, times, one of factor/speed,
 * polygon shape); applying resolves ids and fails with an error that names the entry
 * ("s.json: modifications[2].route: no route \"X\" in feed \"changzhutan\""). Car-speed changes are parsed here
 * and applied by the street builder (src/streets), which owns OSM ways; scenario_polygon_contains helps it. Road
 * additions ("add_road") are parsed here and applied by the report's road model, which owns roads without OSM.
 */
#ifndef TC_SKETCH_SCENARIO_H
#define TC_SKETCH_SCENARIO_H

#include "gtfs/feed.h"
#include "sketch/feed_edit.h"

#include <cjson/cJSON.h>
#include <stdint.h>

typedef enum scenario_kind {
    SCN_ADD_LINE = 1,     /* "add_line": a line in sketch syntax */
    SCN_SET_HEADWAYS,     /* "set_headways": a route's (or pattern's) trips in some periods replaced by a headway */
    SCN_REMOVE_ROUTE,     /* "remove_route" */
    SCN_REMOVE_STOP,      /* "remove_stop": trips skip it */
    SCN_CHANGE_RUN_TIMES, /* "change_run_times": scale (factor) or set (speed) running times, optionally dwells */
    SCN_SET_TRANSFER,     /* "set_transfer": a minimum time, "timed" (zero-wait, transfer_type 1) or not possible */
    SCN_CAR_SPEEDS,       /* "car_speeds": OSM ways by id or inside a polygon get a speed or a factor */
    SCN_ADD_ROAD          /* "add_road": roads (and their new nodes) added to a road model (road-model format) */
} scenario_kind;

typedef struct scenario_period {
    int32_t from, to; /* seconds, half-open [from, to) as in frequencies.txt */
    int32_t headway_s;
} scenario_period;

typedef struct scenario_mod {
    scenario_kind kind;
    char path[40]; /* "modifications[3]", for errors at apply time */

    /* Trip selection (set_headways, change_run_times, remove_route: route only). pattern: a sketch pattern id
     * (trips "<route>.<pattern>.*"); trip: any trip id, standing for all trips with its stop sequence. */
    char *route, *pattern, *trip;
    int direction; /* -1 both, else 0 or 1 */

    /* remove_stop */
    char *stop;

    /* set_headways */
    scenario_period *periods;
    size_t n_periods;
    int exact_times;

    /* change_run_times: factor (>0) multiplies running time between stops, or speed_kmh × detour over the
     * straight line sets it; dwell_s (>=0) sets dwells. from_stop/to_stop (optional) limit it to a section. */
    double factor, speed_kmh, detour, dwell_s;
    char *from_stop, *to_stop;

    /* set_transfer: from_stop/to_stop (stop or station ids; to defaults to from), optional routes. */
    char *from_route, *to_route;
    int transfer_type;         /* 1 timed, 2 minimum time, 3 not possible */
    int32_t min_transfer_time; /* seconds (type 2), 0 for timed */

    /* add_line */
    cJSON *line; /* owned; compiled against the feed when applied */

    /* add_road: the modification object itself ({"roads": [...], "nodes": [...]}), owned; read by the report's
     * road model (src/report/circle_roads.c), which is where car times without OSM come from */
    cJSON *road;

    /* car_speeds: way ids and/or a polygon (lon, lat pairs, closed implicitly), and a speed or a factor. */
    int64_t *way_ids;
    size_t n_way_ids;
    double *polygon;
    size_t n_polygon; /* points */
    double car_speed_kmh, car_factor; /* one of them > 0 */
} scenario_mod;

typedef struct scenario {
    char *name;        /* the "scenario" column of the report */
    char *description; /* "" when absent */
    char *file;        /* where it was read from */
    scenario_mod *mods;
    size_t n_mods;
    double merge_radius_m; /* for add_line stations: same name within this distance = same stop */
    sk_pool pool;          /* strings added to feeds when the scenario is applied: keep the scenario alive while
                              those feeds are in use (see feed_edit.h) */
} scenario;

tc_status scenario_read(const char *path, diag_log *diag, scenario **out, tc_error *err);
tc_status scenario_parse(const char *text, size_t len, const char *file, diag_log *diag, scenario **out,
                         tc_error *err);
void scenario_free(scenario *s);

/* Apply every transit modification, in order, to feed. Ids may be bare or "FEED:id" with the feed's name.
 * Car-speed modifications are skipped here (streets apply them). On error the feed may be partly modified:
 * callers throw it away. */
tc_status scenario_apply(gtfs_feed *feed, scenario *s, diag_log *diag, tc_error *err);

/* The same for a network of several feeds: each modification goes to the feed its ids name ("FEED:id"), else to
 * the first feed that has its route / stop (add_line: the feed of its first referenced stop, else the first
 * feed). An id in none of them is an error naming the entry. */
tc_status scenario_apply_feeds(gtfs_feed **feeds, size_t n, scenario *s, diag_log *diag, tc_error *err);

/* 1 when (lat, lon) is inside the modification's polygon (even-odd rule), 0 otherwise or when it has none. */
int scenario_polygon_contains(const scenario_mod *m, double lat, double lon);

/* The modification kind as written in files ("add_line", ...). */
const char *scenario_kind_name(scenario_kind k);

#endif
