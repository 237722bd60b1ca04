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
    TC_ERR_INTERNAL = 9
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

/* ---------------------------------------------------------------- routing (owned by src/routing) ------------- */

/* ---- routing API: declarations added by the routing module below this line ---- */

#ifdef __cplusplus
}
#endif
#endif /* TONGCHENG_H */
