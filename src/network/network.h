/*
 * network.h — the compiled network as the searches see it: typed, read-only arrays.
 *
 * A tc_network is a view: every array below points either into a memory-mapped network file (netfile.c) or into
 * memory a test filled by hand. Nothing here is written after opening, so one network serves any number of threads.
 *
 * Layout chosen for RAPTOR (Delling, Pajor, Werneck 2012):
 *  - a pattern is a maximal set of trips with the same stop sequence and pickup/drop-off flags whose trips never
 *    overtake each other (split where they do), so "the earliest trip at position j" is monotone in j;
 *  - a pattern's trips are contiguous in trips[] (sorted by departure at the first stop) and their times are one
 *    contiguous trip-major block of stop_times[]: trip k of pattern p at position j is
 *        stop_times[p.times_begin + k * p.n_stops + j];
 *  - frequency-based trips (frequencies.txt) live in patterns of their own (TC_PATTERN_FREQUENCY): each trip is a
 *    template whose times are relative to its first departure, and runs at start + i·headway per frequency row;
 *  - stop → patterns and stop → walking transfers are CSR arrays (begin offsets of n_stops + 1 entries);
 *  - trips without stop_times are kept (counted) after all pattern trips, with pattern == TC_NONE;
 *  - walking transfers of a stop are sorted by distance (then stop), so a search can stop at its walk limit;
 *  - service days: bit d of service s's bitset (service_words words from service_bits + s * service_words) says
 *    whether the service runs on day service_start + d.
 * Ids are dense indices; GTFS ids are offsets into the string table, used only at the edges. Several feeds: their
 * stops, routes, agencies are contiguous per feed (net_feed gives the ranges); a GTFS id is (feed, id string).
 * All times read in the network's timezone (the first feed's): another feed's times were shifted by its
 * net_feed.tz_shift_s at build time (see builder.c for how the shift is chosen).
 */
#ifndef TC_NETWORK_NETWORK_H
#define TC_NETWORK_NETWORK_H

#include "tongcheng.h"
#include "streets/street_graph.h"

#include <stdint.h>

#define TC_NONE UINT32_MAX
/* The most stops one trip may have: journeys keep a trip's boarding and alighting positions in 16 bits
 * (raptor_parent). The builder rejects a longer trip. */
#define TC_MAX_TRIP_STOPS 65535u

/* pattern_stop_flags bits */
#define TC_NO_PICKUP 0x1u  /* pickup_type 1: cannot board here */
#define TC_NO_DROPOFF 0x2u /* drop_off_type 1: cannot alight here */

/* pattern flags */
#define TC_PATTERN_FREQUENCY 0x1u
/* Every trip's times never go down along the pattern (arrival <= departure <= next arrival), so RAPTOR may skip
 * boarding when the earliest boarding time is already past its bound. Set by the builder; absent = not known. */
#define TC_PATTERN_MONOTONE 0x2u

typedef struct net_feed {
    uint32_t name_str;     /* feed name (id prefix) */
    uint32_t timezone_str; /* agency timezone */
    int32_t tz_shift_s;    /* seconds added to this feed's times to express them in the network's timezone */
    uint32_t reserved;
    /* where this feed's records sit in the network arrays (stops, routes, agencies are contiguous per feed) */
    uint32_t stop_begin, n_stops, route_begin, n_routes, agency_begin, n_agencies;
    uint32_t n_trips, n_frequency_templates, n_transfer_rules;
    int32_t first_day; /* the feed's own service date range (before merging) */
    uint32_t n_days;
    uint32_t reserved2;
    /* data rows read by the GTFS reader and rows it dropped (with a finding): info's counts are these minus drops */
    uint64_t rows_stops, rows_routes, rows_trips, rows_stop_times, rows_frequencies, rows_transfers;
    uint64_t trips_dropped, stop_times_dropped, n_stop_times;
} net_feed;

typedef struct net_agency {
    uint32_t id_str, name_str, timezone_str;
    uint16_t feed, reserved;
} net_agency;

typedef struct net_stop {
    int32_t lat_e7, lon_e7;
    uint32_t id_str, name_str, platform_str;
    uint32_t parent;      /* station index, TC_NONE */
    uint16_t feed;
    uint8_t location_type;
    uint8_t wheelchair;   /* 0 unknown, 1 accessible, 2 not (inherited from the parent when 0) */
} net_stop;

typedef struct net_route {
    uint32_t id_str, short_name_str, long_name_str, color_str;
    uint32_t agency; /* TC_NONE */
    uint16_t type;   /* GTFS route_type as given (basic or extended) */
    uint16_t feed;
} net_route;

typedef struct net_pattern {
    uint32_t route;
    uint32_t n_stops;
    uint32_t n_trips;
    uint32_t stops_begin; /* into pattern_stops[] and pattern_stop_flags[] */
    uint32_t trips_begin; /* into trips[] */
    uint32_t flags;       /* TC_PATTERN_FREQUENCY */
    uint64_t times_begin; /* into stop_times[] */
} net_pattern;

typedef struct net_stop_time {
    int32_t arrival, departure; /* seconds after the service day's start (template-relative for frequency trips) */
} net_stop_time;

typedef struct net_trip {
    uint32_t id_str, headsign_str, block_str;
    uint32_t route, pattern;
    uint32_t service;    /* index into the service bitsets */
    uint32_t freq_begin; /* into frequencies[]; freq_count rows (0 for scheduled trips) */
    uint16_t freq_count;
    uint16_t feed;
    uint8_t wheelchair; /* 0 unknown, 1 accessible, 2 not */
    int8_t direction;   /* -1 absent */
    uint16_t reserved;
} net_trip;

typedef struct net_frequency {
    int32_t start_time, end_time, headway_s;
    uint32_t exact_times;
} net_frequency;

typedef struct net_stop_pattern {
    uint32_t pattern, position;
} net_stop_pattern;

/* A walking link between two stops (computed at build time over the street network, or straight line × detour). */
typedef struct net_transfer {
    uint32_t to_stop;
    uint32_t distance_m; /* walking distance; time = distance / walk speed at query time */
} net_transfer;

/* A transfers.txt rule, in network indices (TC_NONE = any). Sorted by from_stop; rule_begin is CSR over from_stop
 * (rules without a from_stop — trip-to-trip only — come last, after rule_begin[n_stops]). */
typedef struct net_transfer_rule {
    uint32_t from_stop, to_stop, from_route, to_route, from_trip, to_trip;
    int32_t min_transfer_time; /* -1 absent */
    uint32_t type;             /* 0–3 as in GTFS (4, 5 kept as given) */
} net_transfer_rule;

/* The META section: counts (so every other section's size can be checked before use), build parameters and
 * extents. */
typedef struct net_meta {
    uint32_t n_feeds, n_agencies, n_stops, n_routes, n_patterns, n_trips, n_frequencies, n_transfers,
        n_transfer_rules, n_services;
    uint32_t n_pattern_stops;        /* pattern_stops[], pattern_stop_flags[], stop_patterns[] entries */
    uint32_t n_frequency_templates;  /* trips with frequencies.txt rows */
    uint32_t n_trips_without_service;
    uint32_t n_scheduled_trips;      /* trips[0 .. n_scheduled_trips) belong to patterns; the rest (trips with no
                                        stop_times) have pattern TC_NONE */
    uint64_t n_stop_times, n_source_stop_times;
    int32_t service_start;
    uint32_t n_days, service_words;
    uint32_t timezone_str;
    int32_t bbox_e7[4];
    double transfer_radius_m, walk_speed_mps, straight_line_detour, snap_radius_m;
    uint32_t straight_line_walking; /* 1: no street network, transfers are straight line × detour */
    uint32_t osm_str;               /* OSM file name given to the build, 0 if none */
    int64_t built_unix;             /* when the file was built (seconds since the epoch, UTC) */
    uint8_t reserved[64];
} net_meta;

typedef struct network_view {
    /* counts */
    uint32_t n_feeds, n_agencies, n_stops, n_routes, n_patterns, n_trips, n_frequencies, n_transfers,
        n_transfer_rules, n_services;
    uint64_t n_stop_times;      /* stop_times[] entries (for frequency patterns: template times) */
    uint64_t n_source_stop_times; /* rows of stop_times.txt kept (info's count) */
    uint32_t n_trips_without_service;
    uint32_t n_frequency_templates, n_scheduled_trips, n_pattern_stops;

    const net_meta *meta;
    const net_feed *feeds;
    const net_agency *agencies;
    const net_stop *stops;
    const net_route *routes;
    const net_pattern *patterns;
    const uint32_t *pattern_stops;      /* stop index per pattern position */
    const uint8_t *pattern_stop_flags;  /* TC_NO_PICKUP | TC_NO_DROPOFF per pattern position */
    const net_stop_time *stop_times;
    const net_trip *trips;
    const net_frequency *frequencies;
    const uint32_t *stop_pattern_begin; /* n_stops + 1 */
    const net_stop_pattern *stop_patterns;
    const uint32_t *transfer_begin;     /* n_stops + 1 */
    const net_transfer *transfers;
    const uint32_t *transfer_rule_begin; /* n_stops + 1 */
    const net_transfer_rule *transfer_rules;

    /* service calendar */
    int32_t service_start; /* first day (days since epoch) */
    uint32_t n_days;
    uint32_t service_words;
    const uint64_t *service_bits;

    /* string table: NUL-terminated strings, referenced by byte offset; offset 0 is "" */
    const char *strings;
    uint64_t strings_size;
    /* stop indices sorted by (feed index, stop id bytes) for tc_network_find_stop; likewise routes and trips */
    const uint32_t *stop_id_index, *route_id_index, *trip_id_index;

    /* build parameters */
    double transfer_radius_m, walk_speed_mps, straight_line_detour;
    int32_t bbox_e7[4]; /* min_lon, min_lat, max_lon, max_lat */
    uint32_t timezone_str;

    /* streets (n_nodes == 0 when built without OSM) */
    street_graph streets;
    const uint32_t *stop_street_link; /* n_stops entries: the street-graph node a stop is linked to, TC_NONE */
    const uint32_t *stop_street_link_m; /* distance from the stop to that node, metres */

    /* patterns' paths from shapes.txt, for drawing (network/pattern_shapes.h); NULL when no feed had shapes */
    const int32_t *shape_points;        /* n_shape_points × {lat_e7, lon_e7} */
    uint64_t n_shape_points;
    const uint32_t *pattern_shape;      /* n_patterns × {first point, count (0: none)} */
    const uint32_t *pattern_stop_shape; /* n_pattern_stops: the stop's point index within its pattern's shape */
} network_view;

struct tc_network {
    network_view v;
    /* mapping */
    const void *map;
    size_t map_size;
    uint32_t format_version;
    /* what routing keeps with the network (route.c): the RAPTOR index shared by every thread, its day cache, and
     * the workspaces kept between tc_route calls. Freed by tc_network_close through routing_cache_free: the network
     * stage knows nothing of its type. */
    void *routing_cache;
    void (*routing_cache_free)(void *);
};

/* Route / trip by "FEED:id", or the bare id when the network holds one feed (like tc_network_find_stop). */
tc_status net_find_route(const network_view *v, const char *id, uint32_t *route_out, tc_error *err);
tc_status net_find_trip(const network_view *v, const char *id, uint32_t *trip_out, tc_error *err);
/* The id in its network-wide form "FEED:id" (what outputs print; lookups accept it for any network). Returns
 * what snprintf returns. */
size_t net_format_id(const network_view *v, uint16_t feed, uint32_t id_str, char *buf, size_t size);

/* The walking transfers by their end stop (CSR over the n_stops stops): for end y, entries begin[y] … begin[y+1]−1
 * of pairs, each {start stop, index in v->transfers}; a transfer from a stop to itself is left out. Routing and its
 * lower bounds walk transfers backwards with it. *begin and *pairs are malloc'ed (both NULL and TC_ERR_NO_MEMORY
 * on failure). */
tc_status net_transfers_by_end(const network_view *v, uint32_t **begin, uint32_t **pairs);

static inline const char *net_str(const network_view *v, uint32_t off) {
    return off < v->strings_size ? v->strings + off : "";
}

/* Is transfer rule r a link between two different stops (not the same stop, not a stop and its own station)?
 * Such a rule is a transfer in its own right, whatever the distance (routing and its lower bounds read it so). */
static inline int rule_is_link(const network_view *v, const net_transfer_rule *r) {
    if (r->from_stop == TC_NONE || r->to_stop == TC_NONE || r->from_stop == r->to_stop) return 0;
    if (r->to_stop == v->stops[r->from_stop].parent || r->from_stop == v->stops[r->to_stop].parent) return 0;
    return 1;
}

static inline int service_active(const network_view *v, uint32_t service, int32_t day) {
    if (day < v->service_start || day >= v->service_start + (int32_t)v->n_days) return 0;
    uint32_t d = (uint32_t)(day - v->service_start);
    return (int)((v->service_bits[(uint64_t)service * v->service_words + (d >> 6)] >> (d & 63)) & 1u);
}

#endif
