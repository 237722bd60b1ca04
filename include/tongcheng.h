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
#include <stdio.h>

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
    double walk_speed_mps;       /* <=0 = TC_DEFAULT_WALK_SPEED_MPS */
    double straight_line_detour; /* walking distance factor when there is no street network; <=0 = default 1.3 */
    double snap_radius_m;        /* <=0 = default 500 */
    int progress;                /* nonzero: show progress on stderr (the caller decides whether it is a terminal) */
    tc_finding_fn on_finding;    /* warnings while building; may be NULL */
    void *finding_user;
    const char *const *scenarios; /* scenario JSON files applied in order to the feeds before building */
    size_t n_scenarios;
    const char *lts_overrides;   /* per-way cycling level of traffic stress, R5's CSV form osm_id,lts; NULL = none */
    const char *elevation_path;  /* DEM GeoTIFF (lon/lat): walking and cycling slope factors per street; NULL = flat */
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

/* Map a compiled network file. Refuses truncated, corrupted (checksum) and wrong-version files. The routing index
 * every search reads is built once, on the first search, and shared by all threads. */
tc_status tc_network_open(const char *path, tc_network **out, tc_error *err);
/* Unmap the network and free its routing index. Free every analysis workspace and isochrone cache made on it first:
 * they read the network's index. */
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
    int street_elevation;                /* nonzero: built with --elevation (walking and cycling slope factors) */
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

/* ---------------------------------------------------------------- streets ----------------------------------------- */

typedef enum tc_mode { TC_MODE_WALK = 0, TC_MODE_BIKE = 1, TC_MODE_CAR = 2, TC_MODE_TRUCK = 3 } tc_mode;

/* The goods vehicle of a TC_MODE_TRUCK query and when it departs (heavy-vehicle rules: src/osm/osm_truck.c).
 * tc_truck_init gives the documented default vehicle: a two-axle rigid delivery truck of 18 t — 4.0 m high, 2.55 m
 * wide, 10 m long, 11.5 t on the heaviest axle (the EU drive-axle limit), no dangerous goods, making deliveries (so
 * ways open for deliveries only are open to it), at most 80 km/h, departing Tuesday 08:00 (a working day inside
 * the usual daytime delivery bans, so a time-window ban is met unless the query says otherwise).
 * Vehicles over 3.5 t follow hgv=*, lighter ones goods=*. */
typedef struct tc_truck {
    double height_m, width_m, length_m, weight_t, axle_load_t;
    double max_kmh;   /* the vehicle's own top speed on any road */
    int hazmat;       /* nonzero: carries dangerous goods (hazmat=no ways are closed) */
    int delivery;     /* nonzero: delivering (access=delivery ways are open) */
    int weekday;      /* of the departure: 0 Monday … 6 Sunday */
    int32_t time_s;   /* departure, seconds after midnight: decides the time-window restrictions */
} tc_truck;

void tc_truck_init(tc_truck *truck);

/* The one default walking and cycling speed of every command, the server and the library (m/s). R5/r5r walk at
 * 3.6 km/h (1.0 m/s) and cycle at 12 km/h (3.33 m/s); pass those to compare with them (docs/semantics.md). */
#define TC_DEFAULT_WALK_SPEED_MPS 1.3
/* Without a street network, walking goes the straight line × this detour factor (as R5 and OTP do). */
#define TC_DEFAULT_STRAIGHT_LINE_DETOUR 1.3
/* A point or a stop farther than this from every street its mode may use is not linked (metres). */
#define TC_DEFAULT_SNAP_RADIUS_M 500.0
#define TC_DEFAULT_BIKE_SPEED_MPS 4.2

typedef struct tc_street_options {
    double walk_speed_mps;  /* <=0: TC_DEFAULT_WALK_SPEED_MPS */
    double bike_speed_mps;  /* <=0: TC_DEFAULT_BIKE_SPEED_MPS */
    double car_speed_mps;   /* used only without a street network (straight line × detour); <=0: 40 km/h */
    double snap_radius_m;   /* <=0: 500 */
    int max_lts;            /* cycling: streets of a higher level of traffic stress (1…4) are avoided; 0 = any */
    tc_truck truck;         /* TC_MODE_TRUCK: the vehicle and its departure (tc_street_options_init: tc_truck_init) */
    int no_elevation;       /* nonzero: walk and cycle as if flat, ignoring the network's slope factors */
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

/* ---------------------------------------------------------------- routing ----------------------------------------- */

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
    int32_t board_slack_s;       /* minimum wait before every boarding (R5's 60 s, OTP's board slack); default 0 */
    const char *ban_stops_hard;  /* comma-separated stops: a trip that passes through one (even without stopping
                                    there) is not used (OTP's bannedStopsHard); NULL = none */
    double bike_speed_mps;       /* direct cycling journeys; <= 0: TC_DEFAULT_BIKE_SPEED_MPS */
    unsigned direct_modes;       /* street-only journeys offered beside transit: bits 1u << TC_MODE_*; default walk */
    int max_lts;                 /* a direct bike journey avoids streets above this traffic stress (1…4); 0 = any */
    int no_elevation;            /* nonzero: walking and cycling ignore the network's slope factors */
} tc_route_query;

void tc_route_query_init(tc_route_query *q);

typedef enum tc_leg_mode {
    TC_LEG_WALK = 0,
    TC_LEG_TRANSIT = 1,
    TC_LEG_BIKE = 2, /* a direct bike journey (tc_route_query.direct_modes) */
    TC_LEG_CAR = 3   /* a direct car journey */
} tc_leg_mode;

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

/* ---------------------------------------------------------------- analysis ---------------------------------------- */
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
    double walk_speed_mps;     /* <= 0: the network's build walking speed (TC_DEFAULT_WALK_SPEED_MPS) */
    double bike_speed_mps;     /* <= 0: TC_DEFAULT_BIKE_SPEED_MPS */
    int32_t board_slack_s;     /* minimum wait before every boarding (R5's 60 s); default 0 */
    int max_lts;               /* cycling: streets above this level of traffic stress (1…4) are avoided; 0 = any */
    int max_access_min;        /* walking to the first stop and from the last; default 20 */
    int max_transfers;         /* default 8 */
    int threads;               /* 0 = all cores */
    int progress;              /* nonzero: origins done / total, rate and ETA on stderr */
    tc_truck truck;            /* street-only TC_MODE_TRUCK: the vehicle (default tc_truck_init); its departure for
                                  the time-window restrictions is the window's start on date, not truck.weekday and
                                  truck.time_s */
    /* NULL, or asked between departure minutes of every origin: nonzero stops the computation with
     * TC_ERR_CANCELLED (a server's shutdown or per-request deadline); must be cheap and thread-safe */
    int (*cancelled)(void *cancel_ctx);
    void *cancel_ctx;
    int no_elevation;          /* nonzero: walking and cycling ignore the network's slope factors */
} tc_analysis_options;

void tc_analysis_options_init(tc_analysis_options *opts);

/* A destination set prepared once for a network (R5's "linkage"): each point's nearest stops and street access,
 * reused for every origin. */
typedef struct tc_destinations tc_destinations;
tc_status tc_destinations_create(const tc_network *net, const tc_analysis_options *opts, const double *lat,
                                 const double *lon, size_t n, tc_destinations **out, tc_error *err);
void tc_destinations_free(tc_destinations *dest);

/* Per-thread scratch space for one-origin computations (RAPTOR labels, street search, sample buffers). What does not
 * change between queries (the network's RAPTOR index and its day timetables) is shared, not copied: a workspace
 * holds one query's state only. Free it before its network. */
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

/* Accessibility of one origin from its percentile minutes (tc_travel_times_from's out): for each opportunity column,
 * cutoff and percentile, the sum of the opportunities weighted by R5's decay function ("step" (NULL),
 * "logistic[:SD]", "exponential[:K]", "linear[:W]"). out[(column * n_cutoffs + cutoff) * n_percentiles + k]. */
tc_status tc_accessibility_from(const uint16_t *percentile_minutes, size_t n_dest, size_t n_percentiles,
                                const double *const *opportunities, size_t n_columns, const int *cutoffs_min,
                                size_t n_cutoffs, const char *decay, double *out, tc_error *err);

/* ---------------------------------------------------------------- query parameters ----------------------------- */
/*
 * The text forms of a query's options, parsed once for every front end: `--window` of the command line, "window"
 * of an HTTP request, tongcheng-mpi and the commute-circle report read the same texts the same way. Each parser
 * leaves its outputs untouched on failure and fills err with what was expected (the front ends may word it their
 * own way, naming the option or the parameter).
 */

/* A departure window "HH:MM-HH:MM" (either side in tc_parse_clock's forms; the end excluded) → seconds after
 * midnight. TC_ERR_PARSE when the text is not of that form; TC_ERR_INVALID_ARGUMENT when the end is not after the
 * start (an empty window). */
tc_status tc_parse_window(const char *text, int32_t *start_out, int32_t *end_out, tc_error *err);

/* The modes of an analysis: "transit" (walking access and egress), "transit,walk", "transit,bike" (transit with that
 * access and egress), or one street mode alone, "walk", "bike", "car" or "truck" (street only). Items are
 * comma-separated, case-insensitive, in any order; empty items are skipped. *street_only_out and *mode_out are
 * tc_analysis_options' street_only and mode. TC_ERR_INVALID_ARGUMENT for anything else (two street modes, transit
 * with car or truck, no mode). */
tc_status tc_parse_modes(const char *text, int *street_only_out, tc_mode *mode_out, tc_error *err);

/* The street-only journeys a route query offers beside transit (tc_route_query.direct_modes): a comma-separated list
 * of walk, bike and car → bits 1u << TC_MODE_*, or "none" → 0. TC_ERR_INVALID_ARGUMENT otherwise. */
tc_status tc_parse_direct_modes(const char *text, unsigned *modes_out, tc_error *err);

/* Percentiles "5,50,95": 1 to 5 integers 0–100, any order, into out[5] (tc_analysis_options.percentiles).
 * TC_ERR_INVALID_ARGUMENT naming the list otherwise. */
tc_status tc_parse_percentiles(const char *text, int *out, size_t *n_out, tc_error *err);

/* Cutoffs "15,30,45,60": 1 to 16 integers 0–1440 minutes, into out[16]. TC_ERR_INVALID_ARGUMENT otherwise. */
tc_status tc_parse_cutoffs(const char *text, int *out, size_t *n_out, tc_error *err);

/* ---------------------------------------------------------------- analysis inputs and outputs ------------------- */
/*
 * What the analysis commands read and write around the searches above: points files (origins, destinations,
 * opportunities), accessibility with R5's decay functions, the matrix and accessibility CSV rows, travel-time
 * surfaces on a grid (GeoTIFF, CSV), isochrone files, GeoPackage output, and a network written back out as GTFS.
 * The CLI, the server and tongcheng-mpi write their files through these, so the same job gives the same bytes
 * whichever front end runs it.
 */

#define TC_MAX_CUTOFFS 16 /* cutoffs of one accessibility or isochrone query */

/* A points CSV (r5r's form): a header naming id, lat and lon in any order (also latitude, lng, longitude;
 * case-insensitive), plus any other columns, read as numbers when asked for (tc_points_column_values). Duplicate or
 * empty ids and bad coordinates are TC_ERR_PARSE naming file, line and column (the 1-based field). Quoting
 * (RFC 4180), a UTF-8 BOM and CRLF are accepted. */
typedef struct tc_points_column tc_points_column; /* one extra column; opaque */
typedef struct tc_points {
    size_t n;             /* points, in file order */
    char **ids;           /* n NUL-terminated ids, unique */
    double *lat, *lon;    /* degrees WGS84 */
    long *lines;          /* the line each point's record starts on (for messages) */
    size_t n_columns;     /* the columns other than id/lat/lon, in header order */
    tc_points_column *columns;
    char *source;         /* the file name used in messages */
    size_t *id_slots;     /* private: open-addressing table of index+1 by id hash (0 = empty) */
    char **wkt;           /* n geometries as text from a column named "geometry" or "wkt" (e.g. hexagons, for
                             GeoPackage output), or NULL when there is no such column */
    size_t id_slot_mask;  /* private */
} tc_points;

/* Read a points CSV from a file into *out (free with tc_points_free). Warnings go to on_finding (may be NULL). */
tc_status tc_points_read(const char *path, tc_finding_fn on_finding, void *finding_user, tc_points **out,
                         tc_error *err);
/* The same from memory (data need not be NUL-terminated); name is the file name used in messages. */
tc_status tc_points_parse(const char *name, const char *data, size_t len, tc_finding_fn on_finding,
                          void *finding_user, tc_points **out, tc_error *err);
void tc_points_free(tc_points *points);
/* The n values of the extra column called name (case-insensitive); the array belongs to points. Empty or "NA"
 * cells count as 0 and are reported once per column to on_finding as warning "missing_value" (with the count and
 * the first line); a cell that is not a number is TC_ERR_PARSE naming its line and column; TC_ERR_NOT_FOUND when
 * there is no such column. */
tc_status tc_points_column_values(const tc_points *points, const char *name, tc_finding_fn on_finding,
                                  void *finding_user, const double **values_out, tc_error *err);

/* R5's decay functions (com.conveyal.r5.analyst.decay), evaluated in seconds: step (1 below the cutoff), logistic
 * with a standard deviation in minutes, exponential with the cutoff as half-life, fixed exponential with a constant
 * per minute, linear over a width in minutes centred on the cutoff. */
typedef enum tc_decay_kind {
    TC_DECAY_STEP = 0,
    TC_DECAY_LOGISTIC,
    TC_DECAY_EXPONENTIAL,       /* half-life = cutoff */
    TC_DECAY_FIXED_EXPONENTIAL, /* param = decay constant per minute */
    TC_DECAY_LINEAR
} tc_decay_kind;
typedef struct tc_decay {
    tc_decay_kind kind;
    double param; /* logistic: SD minutes; fixed exponential: per minute; linear: width minutes; else unused */
} tc_decay;

/* "step", "logistic[:SD]", "exponential[:K]", "fixed_exponential:K", "linear[:W]" → *out (defaults filled in).
 * TC_ERR_INVALID_ARGUMENT saying what was expected otherwise. */
tc_status tc_decay_parse(const char *text, tc_decay *out, tc_error *err);

/* tc_accessibility_from with a parsed decay: for one origin, out[(column * n_cutoffs + cutoff) * n_percentiles + k]
 * = the opportunities of each column weighted by decay at the destinations' percentile minutes
 * (n_dest × n_percentiles, TC_UNREACHED_MIN = unreachable). */
tc_status tc_accessibility(const uint16_t *percentile_minutes, uint32_t n_dest, size_t n_percentiles,
                           const double *const *opportunities, size_t n_columns, const int *cutoffs_min,
                           size_t n_cutoffs, const tc_decay *decay, double *out, tc_error *err);

/* The accessibility CSV: the header "id,column,cutoff,percentile,accessibility\n", then one origin's rows in
 * tc_accessibility's order. The caller owns the stream. Return 0, or EOF when writing failed. */
int tc_access_write_header(FILE *fp);
int tc_access_write_rows(FILE *fp, const char *origin_id, const char *const *column_names, size_t n_columns,
                         const int *cutoffs_min, size_t n_cutoffs, const int *percentiles, size_t n_percentiles,
                         const double *values);

/* The travel-time matrix CSV: the header "from_id,to_id,travel_time_p5,travel_time_p50\n" (one column per
 * percentile), then one origin's rows: for each destination d, from_id, to_ids[d] and its minutes from
 * percentile_minutes (n_dest × n_percentiles; unreachable = empty cell, as r5r's NA). skip_unreachable: omit
 * destinations unreachable at every percentile. The caller owns the stream (rows of many origins can be streamed as
 * they are computed). Return 0, or EOF when writing failed. */
int tc_matrix_write_header(FILE *fp, const int *percentiles, size_t n_percentiles);
int tc_matrix_write_rows(FILE *fp, const char *from_id, const char *const *to_ids, uint32_t n_dest,
                         const uint16_t *percentile_minutes, size_t n_percentiles, int skip_unreachable);

/* The accessibility GeoPackage (through GDAL, loaded on demand): layer "accessibility", one feature per origin with
 * its id and one column per opportunity column × cutoff × percentile ("jobs_c30_p50", tc_accessibility's order);
 * the geometry is the origin's point, or the polygon (WKT) of its points file's "geometry" column when polygons is
 * nonzero. Written under a temporary name and renamed by commit (abort removes it); both free a. */
typedef struct tc_access_gpkg tc_access_gpkg;
tc_status tc_access_gpkg_begin(const char *path, const char *const *columns, size_t n_columns, const int *cutoffs,
                               size_t n_cutoffs, const int *percentiles, size_t n_percentiles, int polygons,
                               tc_access_gpkg **out, tc_error *err);
tc_status tc_access_gpkg_row(tc_access_gpkg *a, const char *id, double lat, double lon, const char *wkt,
                             const double *values, tc_error *err);
tc_status tc_access_gpkg_commit(tc_access_gpkg *a, tc_error *err);
void tc_access_gpkg_abort(tc_access_gpkg *a);
/* Nonzero when path ends in ".gpkg" (any case): the cue to write a GeoPackage instead of CSV or a folder. */
int tc_gpkg_path(const char *path);

/* The regular grid of a travel-time surface, in Web Mercator (EPSG:3857) so a GeoTIFF drops onto web maps without
 * resampling; cells are about resolution_m on the ground at the grid's centre, numbered row-major from the
 * north-west corner (GeoTIFF pixel order); a cell's time is the one at its centre. */
typedef struct tc_grid {
    double min_x, max_y;  /* north-west corner of the north-west cell, EPSG:3857 metres */
    double cell;          /* cell side, EPSG:3857 metres */
    uint32_t width, height;
    double resolution_m;  /* the requested ground resolution */
} tc_grid;

/* width × height. */
size_t tc_grid_cells(const tc_grid *grid);
/* Centres of all cells (row-major) into caller arrays of tc_grid_cells() doubles each. */
void tc_grid_cell_centers(const tc_grid *grid, double *lat, double *lon);

/* The grid tc_isochrones contours and its percentile minutes (cells × n_percentiles, cell-major; caller frees
 * *minutes_out with tc_free), so a surface can be written of exactly what an isochrone is drawn from. */
tc_status tc_isochrone_surface(const tc_network *net, const tc_analysis_options *opts, double lat, double lon,
                               const int *cutoffs_min, size_t n_cutoffs, double resolution_m, tc_grid *grid_out,
                               uint16_t **minutes_out, tc_error *err);

/* A surface as a GeoTIFF: one UInt16 band per percentile ("travel_time_pN"), minutes, nodata 65535 for unreachable,
 * EPSG:3857, DEFLATE-compressed; written to a temporary file and renamed into place. */
tc_status tc_surface_write_geotiff(const char *path, const tc_grid *grid, const uint16_t *percentile_minutes,
                                   const int *percentiles, size_t n_percentiles, tc_error *err);
/* The same at n points as CSV "id,lat,lon,travel_time_p50[,…]" (unreachable = empty; ids NULL = the 0-based point
 * numbers), written atomically. */
tc_status tc_surface_write_csv(const char *path, size_t n, const char *const *ids, const double *lat,
                               const double *lon, const uint16_t *percentile_minutes, const int *percentiles,
                               size_t n_percentiles, tc_error *err);
/* The isochrones of a surface (cutoff-major, then percentile; tc_isochrones' GeoJSON) written atomically to path. */
tc_status tc_isochrones_write(const char *path, const tc_grid *grid, const uint16_t *percentile_minutes,
                              const int *percentiles, size_t n_percentiles, const int *cutoffs_min, size_t n_cutoffs,
                              tc_error *err);

/* A per-network cache for a server's isochrones: the last few linked grids and a pool of analysis workspaces,
 * shared by all threads (a mutex guards the tables, never a search). tc_isochrones_cached gives byte for byte what
 * tc_isochrones gives for the cache's network; free the cache before closing the network. */
typedef struct tc_isochrone_cache tc_isochrone_cache;
tc_status tc_isochrone_cache_create(const tc_network *net, tc_isochrone_cache **out, tc_error *err);
void tc_isochrone_cache_free(tc_isochrone_cache *cache);
tc_status tc_isochrones_cached(tc_isochrone_cache *cache, const tc_analysis_options *opts, double lat, double lon,
                               const int *cutoffs_min, size_t n_cutoffs, double resolution_m, char **geojson_out,
                               tc_error *err);

/* Write the network back out as a GTFS folder (agency, stops, routes, trips, stop_times, calendar, calendar_dates,
 * frequencies, transfers; dir created if missing, each file written atomically), so other tools can read what a
 * sketch or a scenario turned into. Ids are the GTFS ids with one feed, "FEED:id" with several. */
tc_status tc_export_gtfs(const tc_network *net, const char *dir, tc_error *err);

/* ---------------------------------------------------------------- map layers --------------------------------- */
/*
 * The network drawn for a map (the server's page): GeoJSON with coordinates rounded to 5 decimals (about 1 m).
 * Each string is NUL-terminated; the caller frees it with tc_free.
 */

/* A FeatureCollection of Points {id, name}, one per stop (not stations). */
tc_status tc_network_stops_geojson(const tc_network *net, char **out, tc_error *err);
/* A FeatureCollection of LineStrings {route, name, route_type, color, trips, shape}: each pattern (a route's stop
 * sequence) along its GTFS shape, or through its stops without one. */
tc_status tc_network_lines_geojson(const tc_network *net, char **out, tc_error *err);
/* The streets inside bbox (min_lon, min_lat, max_lon, max_lat) as a FeatureCollection of LineStrings {class: major |
 * medium | minor | path}, generalised for the zoom level as a base map is (the classes shown, the points kept); at
 * most max_features, then "truncated": true. Empty without a street network. */
tc_status tc_network_streets_geojson(const tc_network *net, const double bbox[4], int zoom, size_t max_features,
                                     char **out, tc_error *err);
/* The walking path between two points along the streets as a GeoJSON Feature (a LineString from one point to the
 * other, properties distance_m and straight_line). Errors as tc_street_route's. */
tc_status tc_street_walk_geojson(const tc_network *net, double from_lat, double from_lon, double to_lat,
                                 double to_lon, char **out, tc_error *err);
/* A typical day to show: the first day whose active trips reach 90% of the busiest day's (days since 1970-01-01). */
int32_t tc_network_default_date(const tc_network *net);
/* The start (seconds after midnight) of the hour 0–23 with the most scheduled trip departures on day; 08:00 when
 * there are none. */
int32_t tc_network_busiest_hour(const tc_network *net, int32_t day);

/* ---------------------------------------------------------------- report ------------------------------------------ */

/* The one-hour commute circle job (`tongcheng circle`). With no network_path, feeds or osm_path, the built-in
 * default in data_dir runs: its sketch, cores.csv, places.csv and shipped scenarios (unless no_scenarios), with car
 * access unless access_mode is set. Fill with tc_circle_options_init. */
typedef struct tc_circle_options {
    const char *network_path;        /* a prebuilt network: the baseline only (scenarios need the inputs) */
    const tc_feed_source *feeds;     /* or the inputs to build from, as tc_build */
    size_t n_feeds;
    const char *osm_path;
    const char *const *scenarios;    /* scenario JSON files, each evaluated by rebuilding the inputs + it */
    size_t n_scenarios;
    const char *data_dir;            /* the built-in default's folder (network.sketch.json, cores.csv, ...) */
    int no_scenarios;                /* built-in default: the baseline only */
    const char *cores_path;          /* CSV id,name,lat,lon; required unless the built-in default runs */
    const char *places_path;         /* NULL: the cores */
    const char *population_path;     /* a points CSV with a population column, or NULL */
    const char *population_column;   /* NULL: "population" */
    int32_t date;                    /* INT32_MIN: the first Tuesday after the service's first week */
    int32_t window_start, window_end; /* departures every minute in [start, end); default 07:00-09:00 */
    int cutoff_min;                  /* default 60 */
    int access_mode;                 /* a tc_mode, or -1 (default): walk (the built-in default has buses) */
    int max_access_min;              /* default 20 */
    double walk_speed_mps;           /* <= 0: the network's walking speed */
    double bike_speed_mps;           /* <= 0: TC_DEFAULT_BIKE_SPEED_MPS */
    int32_t board_slack_s;           /* minimum wait before every boarding; default 0 */
    double car_speed_kmh;            /* without a street network or road model; default 40 */
    const char *roads_path;          /* a road model for car times without OSM; NULL: the built-in default's
                                      * roads.json when it runs; ignored when osm_path is given */
    int car_peak;                    /* nonzero: car times with the road model's peak-hour factors */
    int isochrones;                  /* nonzero (default): the cores' isochrones (area, map) */
    const char *network_label;       /* how the report names the network; NULL: the inputs' paths */
    int sketch_model;                /* nonzero: say the numbers rest on assumed figures (set for sketch inputs) */
    int progress;                    /* nonzero: a line per build and computation on stderr */
    tc_finding_fn on_finding;        /* the builds' warnings and errors; may be NULL */
    void *finding_user;
} tc_circle_options;

void tc_circle_options_init(tc_circle_options *opts);

/* Run the report and write circle.csv, isochrones.geojson and report.html into out_dir (created if absent; each
 * file written atomically), or, when out_dir ends in ".gpkg", one GeoPackage with layers circle, isochrones, places
 * and cores. *table_out (may be NULL): the readable table printed by `tongcheng circle`; tc_free it. */
tc_status tc_circle_run(const tc_circle_options *opts, const char *out_dir, char **table_out, tc_error *err);

/* ---- freight: hub catchments (src/analysis/hubs.c) ---- */

/* A freight hub: a row of a hubs CSV (id,name,lat,lon,type). */
typedef struct tc_hub {
    char id[64], name[160], type[48];
    double lat, lon;
} tc_hub;

/* Read a hubs CSV (header naming id, lat, lon and type; name optional). Bad rows: TC_ERR_PARSE with line/column. */
tc_status tc_hubs_read(const char *path, tc_hub **hubs_out, size_t *n_out, tc_error *err);

typedef struct tc_hub_query {
    tc_analysis_options analysis; /* street_only with mode TC_MODE_TRUCK (or car) for a truck catchment */
    const int *cutoffs_min;       /* catchments within each cutoff: travel time < cutoff, as `access` counts */
    size_t n_cutoffs;
    const double *cell_lat, *cell_lon; /* origin cells (a population grid); may be 0 cells */
    const double *population, *jobs;   /* per cell, NULL = none */
    size_t n_cells;
    /* tier check: each hub of tier_type[0] within tier_minutes[0] of one of tier_type[1], each of tier_type[1]
     * within tier_minutes[1] of one of tier_type[2] (from the higher tier to the lower: goods flow outwards);
     * tier_type[0] NULL = no check */
    const char *tier_type[3];
    int tier_minutes[2];
} tc_hub_query;

typedef struct tc_hub_result {
    size_t n_hubs, n_cells, n_cutoffs, n_types;
    char (*types)[48];          /* distinct hub types, in order of first appearance */
    uint16_t *hub_cell_min;     /* [h * n_cells + c]: truck minutes from hub h to cell c (TC_UNREACHED_MIN) */
    uint16_t *hub_hub_min;      /* [a * n_hubs + b]: from hub a to hub b */
    double *pop, *jobs;         /* [h * n_cutoffs + k]: covered by hub h within cutoff k */
    uint32_t *cells;            /* [h * n_cutoffs + k]: cells covered */
    double *pop_any, *jobs_any; /* [k]: covered by at least one hub */
    double *pop_type;           /* [t * n_cutoffs + k]: covered by a hub of type t */
    double *overlap_pop;        /* [(a * n_hubs + b) * n_cutoffs + k]: covered by both a and b */
    uint16_t *nearest_min;      /* [c * n_types + t]: minutes from the nearest hub of type t to cell c */
    uint16_t *tier_min;         /* [h]: minutes from the nearest hub of the next tier up; UINT16_MAX when h is of no
                                   checked tier or none reaches it */
    int8_t *tier_ok;            /* [h]: 1 within the limit, 0 not, -1 not checked */
    double total_pop, total_jobs;
} tc_hub_result;

/* Catchments of every hub (one street search per hub, over the truck's view of the streets). */
tc_status tc_hub_catchments(const tc_network *net, const tc_hub *hubs, size_t n_hubs, const tc_hub_query *q,
                            tc_hub_result **out, tc_error *err);
void tc_hub_result_free(tc_hub_result *r);

/* The files of a catchment run, named PREFIX + suffix: .catchments.csv (hub_id,name,type,cutoff_min,cells,population,
 * jobs,population_share, then the rows of all hubs and of each type), .overlap.csv (hub_a,hub_b,cutoff_min,
 * population_both), .nearest.csv (cell id, then the minutes from the nearest hub of each type; cell_ids: the
 * n_cells ids, may be NULL without cells), .tiers.csv (hub_id,type,next_tier,minutes,limit_min,ok) and .geojson (the
 * hubs with their figures, and when polygons is nonzero each hub's catchment polygons by tc_isochrones with
 * q->analysis). The four tables are renamed into place only once all are written. */
tc_status tc_hub_result_write(const tc_network *net, const tc_hub *hubs, const tc_hub_query *q,
                              const tc_hub_result *r, const char *const *cell_ids, const char *prefix, int polygons,
                              tc_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TONGCHENG_H */
