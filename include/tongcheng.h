/*
 * tongcheng.h — the one public header of the tongcheng library.
 *
 * Pipeline: read inputs (GTFS feeds, OSM PBF) → build one compiled network file → open it (mmap, no parsing)
 * → search (street search, RAPTOR) → analyse → output.  The command-line program and the HTTP server are thin
 * layers over the functions declared here.
 *
 * Conventions (after Uber H3's C API):
 *  - every function that can fail returns a tc_status; TC_OK (0) is success;
 *  - results come back through pointer arguments; on failure those are left untouched or set to NULL;
 *  - a failing function fills the caller's tc_error (may be NULL) with a code, a one-line message and, where the
 *    failure is about input, the file, line and column it concerns;
 *  - the library never prints and never exits.  Warnings and validation findings go to a caller-chosen callback.
 *  - times are seconds after midnight of a service day (may exceed 86,400); dates are days since 1970-01-01.
 */
#ifndef TONGCHENG_H
#define TONGCHENG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TC_VERSION_STRING "0.1.0"

/* ---------------------------------------------------------------- errors ---------------------------------------- */

typedef enum tc_status {
    TC_OK = 0,
    TC_ERR_INVALID_ARGUMENT = 1, /* the caller passed something unusable (bad option, unknown id, bad coordinate) */
    TC_ERR_IO = 2,               /* a file could not be opened, read or written */
    TC_ERR_PARSE = 3,            /* an input file is malformed beyond recovery */
    TC_ERR_FORMAT = 4,           /* a network file is truncated, corrupted or of another format version */
    TC_ERR_NO_MEMORY = 5,
    TC_ERR_NOT_FOUND = 6,        /* a named stop / route / trip does not exist */
    TC_ERR_NO_SERVICE = 7,       /* the feed has no usable service, or a date lies outside the service range */
    TC_ERR_UNREACHABLE = 8,      /* a point cannot be snapped, or a destination cannot be reached */
    TC_ERR_INTERNAL = 9,
    TC_ERR_CANCELLED = 10        /* the caller's cancellation callback asked the computation to stop */
} tc_status;

typedef struct tc_error {
    tc_status code;
    char message[512];
    char file[256]; /* input file the error concerns, or "" */
    long line;      /* 1-based; 0 when not about a line */
    long column;    /* 1-based; 0 when not about a column */
} tc_error;

/* A short stable name for a status ("io", "parse", ...). Never NULL. */
const char *tc_status_name(tc_status status);

/* Diagnostics: warnings while building, findings while validating. */
typedef enum tc_severity { TC_SEV_WARNING = 1, TC_SEV_ERROR = 2 } tc_severity;

typedef struct tc_finding {
    tc_severity severity;
    const char *code;    /* stable snake_case code, e.g. "unknown_stop" */
    const char *file;    /* e.g. "stop_times.txt" (prefixed with "NAME:" when several feeds are read) */
    long line;           /* 1-based, 0 if not about a line */
    long column;         /* 1-based, 0 if not about a column */
    const char *message;
} tc_finding;

typedef void (*tc_finding_fn)(void *user, const tc_finding *finding);

/* ---------------------------------------------------------------- build ----------------------------------------- */

typedef struct tc_feed_source {
    const char *name; /* feed name used as id prefix ("NAME:stop_id"); NULL = file's base name without extension */
    const char *path; /* GTFS zip or folder */
    int sketch;       /* nonzero: path is a sketch JSON file (data/changzhutan/README.md), compiled into a feed;
                         NULL name = the sketch's "name". tc_build also reads a path ending in .json as a sketch. */
} tc_feed_source;

typedef struct tc_build_options {
    const tc_feed_source *feeds;
    size_t n_feeds;
    const char *osm_path;        /* OSM PBF or NULL */
    double transfer_radius_m;    /* walking transfers between stops within this walking distance; <0 = default 1000 */
    double walk_speed_mps;       /* <=0 = default 1.3 */
    double straight_line_detour; /* walking distance factor when there is no street network; <=0 = default 1.3 */
    double snap_radius_m;        /* <=0 = default 500 */
    int progress;                /* nonzero: show progress on stderr (the caller decides whether it is a terminal) */
    tc_finding_fn on_finding;    /* warnings while building; may be NULL */
    void *finding_user;
    const char *const *scenarios; /* scenario JSON files applied in order to the feeds before building */
    size_t n_scenarios;
} tc_build_options;

/* Fill opts with defaults (no feeds, no OSM). */
void tc_build_options_init(tc_build_options *opts);

/* Read the inputs and write a compiled network file to out_path (through a temporary file and rename(2), so an
 * interrupted build never leaves a corrupt file). */
tc_status tc_build(const tc_build_options *opts, const char *out_path, tc_error *err);

/* ---------------------------------------------------------------- validate -------------------------------------- */

typedef struct tc_validate_summary {
    size_t errors;
    size_t warnings;
    int usable; /* nonzero when the feeds can be built into a network (warnings allowed) */
} tc_validate_summary;

/* Read the feeds as a build would, report every finding to on_finding and summarise. Returns TC_OK when the
 * validation ran (whatever it found); an error status only when it could not run at all. */
tc_status tc_validate(const tc_feed_source *feeds, size_t n_feeds, tc_finding_fn on_finding, void *user,
                      tc_validate_summary *summary, tc_error *err);

/* ---------------------------------------------------------------- network --------------------------------------- */

typedef struct tc_network tc_network; /* opaque; read-only once open, shareable between threads */

/* Map a compiled network file. Refuses truncated, corrupted (checksum) and wrong-version files. */
tc_status tc_network_open(const char *path, tc_network **out, tc_error *err);
void tc_network_close(tc_network *net);

typedef struct tc_network_info {
    uint32_t format_version;
    uint64_t file_size;
    uint32_t feeds, agencies, stops, routes, patterns, trips, frequency_templates, transfers;
    uint64_t stop_times;
    uint32_t trips_without_service; /* trips kept in the file but active on no date */
    int32_t service_start; /* days since 1970-01-01, inclusive */
    int32_t service_end;   /* inclusive */
    double bbox[4];        /* min_lon, min_lat, max_lon, max_lat of the stops (and streets) */
    uint32_t street_nodes, street_edges; /* 0 when built without OSM */
    int straight_line_walking;           /* nonzero: no street network, walking = straight line × detour */
    double straight_line_detour;
    double transfer_radius_m;
} tc_network_info;

tc_status tc_network_get_info(const tc_network *net, tc_network_info *out, tc_error *err);

/* The `info --json` object as a NUL-terminated string (caller frees with tc_free). */
tc_status tc_network_info_json(const tc_network *net, char **json_out, tc_error *err);

/* Find a stop by "FEED:stop_id", or by the bare stop_id when the network holds one feed. */
tc_status tc_network_find_stop(const tc_network *net, const char *id, uint32_t *stop_out, tc_error *err);

/* Free memory the library handed out (JSON strings, result objects with no dedicated free function). */
void tc_free(void *p);

/* ---------------------------------------------------------------- dates ------------------------------------------ */

/* "YYYY-MM-DD" or "YYYYMMDD" → days since 1970-01-01. */
tc_status tc_parse_date(const char *text, int32_t *day_out, tc_error *err);
/* days since 1970-01-01 → "YYYY-MM-DD" (buf of at least 11 bytes). */
void tc_format_date(int32_t day, char *buf);
/* "H:MM", "HH:MM" or "HH:MM:SS" (hours may exceed 23) → seconds. */
tc_status tc_parse_clock(const char *text, int32_t *seconds_out, tc_error *err);

/* ---------------------------------------------------------------- streets (owned by src/streets) ------------- */

typedef enum tc_mode { TC_MODE_WALK = 0, TC_MODE_BIKE = 1, TC_MODE_CAR = 2 } tc_mode;

/* ---- streets API: declarations added by the streets module below this line ---- */

typedef struct tc_street_options {
    double walk_speed_mps;  /* <=0: 1.3 */
    double bike_speed_mps;  /* <=0: 4.2 */
    double car_speed_mps;   /* used only without a street network (straight line × detour); <=0: 40 km/h */
    double snap_radius_m;   /* <=0: 500 */
} tc_street_options;

void tc_street_options_init(tc_street_options *opts);

typedef struct tc_street_result {
    double distance_m, duration_s;
    size_t n_points;
    double *lat, *lon;      /* path from the origin's projection on the streets to the destination's */
    double from_snap_m, to_snap_m; /* distance from each given point to the street it was snapped to */
    int straight_line;      /* nonzero: no street network; distance = straight line × the network's detour factor */
} tc_street_result;

/* Shortest walk / bike / car path between two points over the network's streets. A point farther than the snap
 * radius from any street usable by the mode, or a pair with no path, is TC_ERR_UNREACHABLE naming the point. */
tc_status tc_street_route(const tc_network *net, tc_mode mode, double from_lat, double from_lon, double to_lat,
                          double to_lon, const tc_street_options *opts, tc_street_result *out, tc_error *err);
void tc_street_result_free(tc_street_result *result);
/* {"distance_m":…,"duration_s":…,"geometry":{"type":"LineString","coordinates":[[lon,lat],…]}} (tc_free it). */
tc_status tc_street_result_json(const tc_street_result *result, char **json_out, tc_error *err);

/* ---------------------------------------------------------------- routing (owned by src/routing) ------------- */

/* ---- routing API: declarations added by the routing module below this line ---- */

/* One journey-planning query. Fill with tc_route_query_init, then set origin, destination, date and time. */
typedef struct tc_route_query {
    const char *from_stop;       /* "FEED:stop_id" (or bare id with one feed); NULL = use from_lat/from_lon */
    double from_lat, from_lon;
    const char *to_stop;         /* likewise */
    double to_lat, to_lon;
    int32_t date;                /* service day, days since 1970-01-01 */
    int32_t time;                /* seconds after midnight: departure, or the arrival deadline when arrive_by */
    int arrive_by;
    int max_transfers;           /* default 8 */
    int max_duration_min;        /* default 240 */
    double max_walk_access_min;  /* default 20 */
    double max_walk_egress_min;  /* default 20 */
    double max_walk_transfer_min; /* default 10 */
    double walk_speed_mps;       /* <= 0: the network's build walking speed */
    int32_t min_transfer_time_s; /* floor on every transfer except transfers.txt type 1; default 0 */
    int wheelchair;              /* nonzero: wheelchair_accessible=1 trips, stops not marked inaccessible */
    const int *route_types;      /* allowed GTFS route types; NULL/0 = all */
    size_t n_route_types;
    const char *exclude_routes;  /* comma-separated "FEED:id" or bare ids; NULL = none */
    const char *exclude_trips;
    const char *exclude_stops;
} tc_route_query;

void tc_route_query_init(tc_route_query *q);

typedef enum tc_leg_mode { TC_LEG_WALK = 0, TC_LEG_TRANSIT = 1 } tc_leg_mode;

typedef struct tc_place {
    char *stop;  /* "feed:stop_id", NULL for a coordinate */
    char *name;  /* stop name, or "origin" / "destination" */
    double lat, lon;
} tc_place;

typedef struct tc_leg {
    tc_leg_mode mode;
    tc_place from, to;
    int64_t departure, arrival; /* local seconds since 1970-01-01T00:00:00 (service day + seconds) */
    char *route, *route_name, *trip; /* transit legs ("feed:id"); NULL for walking */
    int route_type;                  /* -1 for walking */
} tc_leg;

typedef struct tc_journey {
    int64_t departure, arrival; /* local seconds since the epoch */
    int32_t duration_s, transfers, walk_s;
    size_t n_legs;
    tc_leg *legs;
} tc_journey;

typedef struct tc_journey_set {
    size_t n;
    tc_journey *journeys; /* Pareto-optimal over (arrival, transfers), sorted by arrival */
} tc_journey_set;

/* Plan journeys. An empty set (n == 0) when nothing is reachable; errors: unknown stop (TC_ERR_NOT_FOUND), date
 * outside the service range (TC_ERR_NO_SERVICE), point not snappable (TC_ERR_UNREACHABLE), bad option. Safe to call
 * from several threads on one network: the network keeps up to 8 search workspaces between calls (one per call
 * running at once; tc_network_close frees them), so later calls skip laying out the day's timetable. */
tc_status tc_route(const tc_network *net, const tc_route_query *q, tc_journey_set **out, tc_error *err);
/* The `route --json` document (caller frees with tc_free). */
tc_status tc_journeys_json(const tc_journey_set *set, char **json_out, tc_error *err);
/* "YYYY-MM-DDTHH:MM:SS" for local seconds since the epoch (buf ≥ 20 bytes). */
void tc_format_local_time(int64_t t, char *buf);
void tc_journey_set_free(tc_journey_set *set);

/* ---------------------------------------------------------------- analysis (owned by src/analysis) ----------- */
/*
 * Travel-time analysis with R5/r5r semantics: for every minute of a half-open departure window, range-RAPTOR gives
 * the earliest arrival at every stop; egress over the streets (or straight line) propagates it to destinations;
 * frequency-based trips get seeded Monte Carlo draws; each destination's per-sample travel times are summarised by
 * percentiles. Results are identical whatever the thread count: each origin's random stream depends only on the
 * seed and the origin's coordinates.
 */
#define TC_UNREACHED_MIN UINT16_MAX /* an unreachable destination (beyond max_duration_min or never reached) */

typedef struct tc_analysis_options {
    int32_t date;              /* service day, days since 1970-01-01 */
    int32_t window_start;      /* seconds; departures every 60 s in [window_start, window_end) */
    int32_t window_end;
    int percentiles[5];        /* 0–100; default {50} */
    size_t n_percentiles;
    int max_duration_min;      /* default 120 */
    int draws;                 /* Monte Carlo draws per departure minute for frequency-based trips; default 20 */
    uint64_t seed;             /* default fixed, so runs are reproducible */
    int street_only;           /* nonzero: no transit, the street mode alone (modes walk|bike|car) */
    tc_mode mode;              /* access (and street-only) mode; default walk */
    tc_mode egress_mode;       /* from the last stop to the destination; default walk. A sketch network without
                                  feeder buses may model them as car (see the commute-circle report) */
    double walk_speed_mps;     /* <= 0: network default (1.3) */
    double bike_speed_mps;     /* <= 0: 4.2 */
    int max_access_min;        /* walking to the first stop and from the last; default 20 */
    int max_transfers;         /* default 8 */
    int threads;               /* 0 = all cores */
    int progress;              /* nonzero: origins done / total, rate and ETA on stderr */
    /* NULL, or asked between departure minutes of every origin: nonzero stops the computation with
     * TC_ERR_CANCELLED (a server's shutdown or per-request deadline); must be cheap and thread-safe */
    int (*cancelled)(void *cancel_ctx);
    void *cancel_ctx;
} tc_analysis_options;

void tc_analysis_options_init(tc_analysis_options *opts);

/* A destination set prepared once for a network (R5's "linkage"): each point's nearest stops and street access,
 * reused for every origin. */
typedef struct tc_destinations tc_destinations;
tc_status tc_destinations_create(const tc_network *net, const tc_analysis_options *opts, const double *lat,
                                 const double *lon, size_t n, tc_destinations **out, tc_error *err);
void tc_destinations_free(tc_destinations *dest);

/* Per-thread scratch space for one-origin computations (RAPTOR labels, street search, sample buffers). */
typedef struct tc_analysis_workspace tc_analysis_workspace;
tc_status tc_analysis_workspace_create(const tc_network *net, tc_analysis_workspace **out, tc_error *err);
void tc_analysis_workspace_free(tc_analysis_workspace *ws);

/* One origin: out[d * n_percentiles + k] = minutes at destination d for percentile k (TC_UNREACHED_MIN). */
tc_status tc_travel_times_from(tc_analysis_workspace *ws, const tc_destinations *dest,
                               const tc_analysis_options *opts, double lat, double lon, uint16_t *out,
                               tc_error *err);

/* Many origins on opts->threads threads: out[(o * n_dest + d) * n_percentiles + k]. */
tc_status tc_travel_time_matrix(const tc_network *net, const tc_destinations *dest, const tc_analysis_options *opts,
                                const double *origin_lat, const double *origin_lon, size_t n_origins,
                                uint16_t *out, tc_error *err);

/* Isochrones from one point as a GeoJSON FeatureCollection (polygons with holes per cutoff and percentile,
 * properties cutoff_min, percentile, area_km2). resolution_m <= 0: a default suited to the cutoffs. Caller frees
 * *geojson_out with tc_free. */
tc_status tc_isochrones(const tc_network *net, const tc_analysis_options *opts, double lat, double lon,
                        const int *cutoffs_min, size_t n_cutoffs, double resolution_m, char **geojson_out,
                        tc_error *err);

/* ---- analysis API: further declarations added by the analysis module below this line ---- */

/* Accessibility of one origin from its percentile minutes (tc_travel_times_from's out): for each opportunity column,
 * cutoff and percentile, the sum of the opportunities weighted by R5's decay function ("step" (NULL),
 * "logistic[:SD]", "exponential[:K]", "linear[:W]"). out[(column * n_cutoffs + cutoff) * n_percentiles + k]. */
tc_status tc_accessibility_from(const uint16_t *percentile_minutes, size_t n_dest, size_t n_percentiles,
                                const double *const *opportunities, size_t n_columns, const int *cutoffs_min,
                                size_t n_cutoffs, const char *decay, double *out, tc_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TONGCHENG_H */
