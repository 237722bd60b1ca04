/*
 * sketch.h — the sketch format: a transit network written by hand in JSON (lines as ordered station lists with
 * run times and headways), compiled into the same gtfs_feed the GTFS reader fills, so the network builder treats a
 * sketch and a real feed alike. The format is documented in data/changzhutan/README.md ("The sketch format").
 *
 * Headway periods become frequencies.txt rows on one template trip per pattern and direction (exact_times 0 unless
 * the line says "exact_times": true), not expanded trips: a sketch does not know when in the headway its trains
 * leave, and frequency-based trips are what R5 and the analysis stage (Monte Carlo over the headway) treat as
 * "unknown phase". A line may ask for "expand": true to get one scheduled trip per headway instead (for timetables
 * that are meant to be coordinated), explicit "departures" always give scheduled trips, and "trips" give a
 * published timetable train by train (each call with its own times; a trip may skip stations) — how the default's
 * intercity, high-speed and conventional trains are written.
 *
 * Trip ids are "<line id>.<pattern id>.<0|1>.<n>" for scheduled trips ("<n>" is the trip's own id for "trips") and "<line id>.<pattern id>.<0|1>.f" for
 * frequency templates (0 = stations in the order written, 1 = reverse); scenarios select a pattern by this prefix.
 */
#ifndef TC_SKETCH_SKETCH_H
#define TC_SKETCH_SKETCH_H

#include "gtfs/feed.h"
#include "sketch/feed_edit.h"

#include <cjson/cJSON.h>

/* Compile the sketch file at path into a new feed. name: the feed name (NULL = the sketch's "name", else the file's
 * base name). Warnings (unknown members, clipped calendars) go to diag. The feed is freed with gtfs_feed_free
 * (which calls sketch_feed_free through the feed's release hook) or sketch_feed_free. */
tc_status sketch_read(const char *path, const char *name, diag_log *diag, gtfs_feed **out, tc_error *err);

/* Same from memory; file names the input in messages. */
tc_status sketch_parse(const char *text, size_t len, const char *file, const char *name, diag_log *diag,
                       gtfs_feed **out, tc_error *err);

/* Free a feed made by sketch_read / sketch_parse (its strings live in a pool of its own, see feed_edit.h). */
void sketch_feed_free(gtfs_feed *feed);

/* Add one line written in sketch syntax (a "lines" entry) to an existing feed — what a scenario's add_line does.
 * Its stations may name stops of the feed by id ("stop": "ID" or a plain string); new strings come from pool.
 * The line's "agency" must be an agency id of the feed (default: the feed's first agency); its "calendar" a
 * service_id of the feed or an inline calendar object (default: every day of the feed's date range).
 * file/path name the entry in errors ("s.json: modifications[0].line.stations[2]: ..."). */
tc_status sketch_add_line(gtfs_feed *feed, sk_pool *pool, const cJSON *line, double merge_radius_m,
                          const char *file, const char *path, diag_log *diag, tc_error *err);

/* Set (add, or replace the one with the same stops and routes) a transfer; a parent station stands for all its
 * stops (a station to itself: every ordered pair of its stops, including a stop to itself). type and
 * min_transfer_time as in transfers.txt. 0, or -1 when out of memory. */
int sketch_set_transfer(feed_edit *e, int32_t from, int32_t to, int32_t from_route, int32_t to_route, int type,
                        int32_t min_transfer_time);

#endif
