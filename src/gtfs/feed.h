/*
 * feed.h — one GTFS feed as read from disk: the contract between the GTFS reader (src/gtfs) and the network
 * builder (src/network).
 *
 * Everything is indices, not pointers: a stop_time names its stop by index into stops[], a trip its route and
 * service by index. Records that could not be resolved were dropped by the reader (with a finding), so the builder
 * can trust every index. Strings are NUL-terminated, owned by the feed (freed by gtfs_feed_free), "" when absent.
 * Times are seconds after the service day's noon-minus-12h; TC_TIME_NONE is never left after loading (blank times
 * are interpolated, see interpolate.c).
 */
#ifndef TC_GTFS_FEED_H
#define TC_GTFS_FEED_H

#include "tongcheng.h"
#include "common/error.h"

#include <stdint.h>

#define GTFS_NONE (-1) /* an absent index */

typedef struct gtfs_agency {
    char *id, *name, *url, *timezone, *lang;
} gtfs_agency;

typedef struct gtfs_stop {
    char *id, *code, *name, *platform_code;
    double lat, lon;
    int location_type;       /* 0 stop/platform, 1 station, 2 entrance, 3 generic node, 4 boarding area */
    int32_t parent;          /* index of parent_station, GTFS_NONE */
    int wheelchair_boarding; /* 0 unknown/inherit, 1 some, 2 not possible */
} gtfs_stop;

typedef struct gtfs_route {
    char *id, *short_name, *long_name, *color, *text_color;
    int32_t agency; /* GTFS_NONE when the feed has one agency and routes omit agency_id: then 0 */
    int type;       /* basic 0–12 or extended 100–1700 as given */
} gtfs_route;

typedef struct gtfs_trip {
    char *id, *headsign, *short_name, *block_id, *shape_id;
    int32_t route, service;    /* indices; service may be GTFS_NONE when the service_id is in no calendar file */
    int direction_id;          /* -1 absent */
    int wheelchair_accessible; /* 0 unknown, 1 accessible, 2 not */
    uint32_t st_begin, st_count; /* slice of stop_times[], sorted by stop_sequence */
} gtfs_trip;

typedef struct gtfs_stop_time {
    int32_t stop;
    int32_t arrival, departure;
    uint32_t stop_sequence;
    uint8_t pickup_type, drop_off_type; /* 0 regular, 1 none, 2 phone agency, 3 coordinate with driver */
    uint8_t timepoint;                  /* 1 exact (given), 0 approximate (interpolated or marked so) */
    float shape_dist_traveled;          /* NAN when absent */
} gtfs_stop_time;

/* A service_id's active dates, as a bitset over the feed's date range [first_day, first_day + n_days). */
typedef struct gtfs_service {
    char *id;
    uint64_t *bits; /* (n_days + 63) / 64 words; bit d = active on first_day + d */
} gtfs_service;

typedef struct gtfs_frequency {
    int32_t trip;
    int32_t start_time, end_time, headway_secs;
    uint8_t exact_times;
} gtfs_frequency;

typedef struct gtfs_transfer {
    int32_t from_stop, to_stop;   /* GTFS_NONE only for trip-to-trip rules without stops */
    int32_t from_route, to_route; /* GTFS_NONE = any */
    int32_t from_trip, to_trip;   /* GTFS_NONE = any */
    int type;                     /* 0 recommended, 1 timed, 2 minimum time, 3 not possible (4/5 in-seat: kept) */
    int32_t min_transfer_time;    /* seconds, -1 absent */
} gtfs_transfer;

typedef struct gtfs_shape {
    char *id;
    uint32_t pt_begin, pt_count; /* slice of shape_points[], by shape_pt_sequence */
} gtfs_shape;

typedef struct gtfs_shape_point {
    double lat, lon;
    float dist; /* NAN when absent */
} gtfs_shape_point;

/* Data rows seen in each file (header excluded) and rows kept after validation: info's counts are checked
 * against these. */
typedef struct gtfs_counts {
    size_t agency, stops, routes, trips, stop_times, calendar, calendar_dates, frequencies, transfers, shapes;
    size_t trips_dropped, stop_times_dropped;
} gtfs_counts;

typedef struct gtfs_feed {
    char *name; /* feed name (the id prefix) */
    gtfs_agency *agencies;
    size_t n_agencies;
    gtfs_stop *stops;
    size_t n_stops;
    gtfs_route *routes;
    size_t n_routes;
    gtfs_trip *trips;
    size_t n_trips;
    gtfs_stop_time *stop_times;
    size_t n_stop_times;
    gtfs_service *services;
    size_t n_services;
    int32_t first_day; /* date range of the services (days since 1970-01-01) */
    uint32_t n_days;
    gtfs_frequency *frequencies;
    size_t n_frequencies;
    gtfs_transfer *transfers;
    size_t n_transfers;
    gtfs_shape *shapes;
    size_t n_shapes;
    gtfs_shape_point *shape_points;
    size_t n_shape_points;
    char *timezone; /* the agencies' timezone (first agency's) */
    char *feed_publisher, *feed_version;
    gtfs_counts counts;
    void *storage; /* the reader's own memory (string arena, service bitsets): freed by gtfs_feed_free */
    /* Set by producers other than the GTFS reader (the sketch compiler) whose feeds own their memory differently:
     * gtfs_feed_free calls it instead of the reader's cleanup, so every feed is freed by gtfs_feed_free alike. */
    void (*release)(struct gtfs_feed *feed);
} gtfs_feed;

/* Read a feed (zip, folder, or zip whose files sit in one sub-folder). Recoverable problems are reported to diag
 * and drop only what they touch; fatal ones (no stops.txt, not a zip, no usable service, ...) return an error.
 * diag->prefix is set by the caller when several feeds are read. */
tc_status gtfs_feed_read(const char *path, const char *name, diag_log *diag, gtfs_feed **out, tc_error *err);
void gtfs_feed_free(gtfs_feed *feed);

/* The default feed name for a path (tc_feed_source.name == NULL): its base name without a trailing "/", ".zip"
 * and then ".gtfs" ("data/bydgoszcz.gtfs.zip" → "bydgoszcz"). Writes at most n bytes including the NUL. */
void gtfs_default_feed_name(const char *path, char *buf, size_t n);

/* Warnings about a feed that reads correctly but looks unintended (unused stops, routes whose short and long names
 * are the same, trips with a stop sequence unusual for their route): feed_lint.c. `validate` runs them. */
void gtfs_feed_lint(const gtfs_feed *feed, diag_log *diag);

/* 1 if service s is active on day (days since 1970-01-01). */
static inline int gtfs_service_active(const gtfs_feed *f, int32_t s, int32_t day) {
    if (s < 0 || day < f->first_day || day >= f->first_day + (int32_t)f->n_days) return 0;
    uint32_t d = (uint32_t)(day - f->first_day);
    return (int)((f->services[s].bits[d >> 6] >> (d & 63)) & 1u);
}

#endif
