/*
 * feed_read.c — gtfs_feed_read(): one GTFS feed from disk into the gtfs_feed tables of feed.h.
 *
 * Files are read in dependency order (agency, stops, routes, calendar, calendar_dates, shapes, trips, stop_times,
 * frequencies, transfers, feed_info) so every reference can be resolved the moment it is read, through id maps.
 * Each file is streamed row by row (csv.c); strings go to one arena; stop_times rows go to one growing array and
 * are then grouped by trip with a counting sort and ordered by stop_sequence — no per-row allocation.
 *
 * Error policy: a problem drops only what it touches and is reported with file, line and column (a stop_time with
 * an unknown stop drops its trip; a trip with an unknown route is dropped; a row with a bad date is dropped; a bad
 * optional value falls back to its default). Two common export bugs are repaired with a warning rather than
 * dropped: a clock that restarts at 00:00 after 23:xx within a trip (read as +24 h), and equal stop_sequence
 * values (file order kept). Only a feed that cannot give a network at all fails: no stops.txt, no stops / trips /
 * stop_times left, or no trip that runs on any day.
 *
 * Validation rides along: besides what loading needs, the best-practice checks of the common validators
 * (MobilityData, transitland) that are cheap here are reported as warnings — stops within 2 m of each other,
 * implausible speeds, stops far from their parent or shape, overlapping blocks, route naming and colours. The
 * files a build ignores (fares, networks, areas, ...) are checked in extra_files.c.
 */
#include "gtfs/gtfs_internal.h"
#include "common/error.h"
#include "common/timeutil.h"
#include "common/geo.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct feed_storage {
    gtfs_arena arena;
    uint64_t *service_bits;
} feed_storage;

typedef struct st_rec {
    gtfs_stop_time st;
    int32_t trip;
    uint32_t line;
} st_rec;

typedef struct reader {
    gtfs_feed *f;
    gtfs_arena *arena;
    gtfs_source *src;
    diag_log *diag;
    tc_error *err;
    gtfs_idmap agencies, stops, routes, trips, services, shapes;
    /* per-stop parent_station id while stops.txt is read */
    const char **parent_ids;
    uint32_t *stop_lines;
    size_t cap_stops;
    size_t cap_agencies, cap_routes, cap_trips, cap_services;
    /* calendar rows */
    gtfs_calendar_row *cal;
    uint32_t *cal_lines;
    size_t n_cal, cap_cal;
    gtfs_calendar_date *dates;
    size_t n_dates, cap_dates;
    /* trips: line in trips.txt, flags */
    uint32_t *trip_lines;
    uint8_t *trip_bad; /* 1 = drop (reported already) */
    int32_t *trip_new; /* old index → index after dropping, GTFS_NONE if dropped */
    /* shape points before grouping */
    int have_calendar, have_calendar_dates;
} reader;

/* ------------------------------------------------------------------ small helpers --------------------------- */

static int vgrow(void **p, size_t *cap, size_t elem) {
    size_t ncap = *cap ? *cap * 2 : 64;
    void *n = realloc(*p, ncap * elem);
    if (!n) return -1;
    *p = n;
    *cap = ncap;
    return 0;
}
#define VGROW(arr, n, cap) ((n) < (cap) || vgrow((void **)&(arr), &(cap), sizeof *(arr)) == 0)

int gtfs_parse_time(const char *s, size_t len, int32_t *out) {
    if (len == 0) return -1;
    return time_parse(s, len, 0, out);
}

int gtfs_parse_int(const char *s, size_t len, long lo, long hi, long *out) {
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == len) return -1;
    long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        if (v > 100000000000L) return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (neg) v = -v;
    if (v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int gtfs_parse_double(const char *s, size_t len, double *out) {
    char buf[64];
    if (len == 0 || len >= sizeof buf) return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + len || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

static int timezone_known(const char *tz) {
    if (!*tz || strstr(tz, "..") || tz[0] == '/') return 0;
    char path[512];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tz);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *dup_cell(reader *r, const csv_reader *c, int col) {
    size_t n;
    const char *s = csv_reader_get(c, col, &n);
    return gtfs_arena_strndup(r->arena, s, n);
}

static long stream_reader(void *ctx, char *buf, size_t cap, tc_error *err) {
    return gtfs_stream_read(ctx, buf, cap, err);
}

/* The files a feed may hold (GTFS schedule reference, incl. fares v2, flex, pathways): others get unknown_file. */
static const char *const known_files[] = {
    "agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt", "calendar_dates.txt",
    "fare_attributes.txt", "fare_rules.txt", "timeframes.txt", "fare_media.txt", "fare_products.txt",
    "fare_leg_rules.txt", "fare_leg_join_rules.txt", "fare_transfer_rules.txt", "rider_categories.txt",
    "fare_containers.txt", "areas.txt", "stop_areas.txt", "networks.txt", "route_networks.txt", "shapes.txt",
    "frequencies.txt", "transfers.txt", "pathways.txt", "levels.txt", "location_groups.txt",
    "location_group_stops.txt", "locations.geojson", "booking_rules.txt", "translations.txt", "feed_info.txt",
    "attributions.txt", NULL};

/* An open table: the file's CSV reader on its stream. */
typedef struct table {
    csv_reader csv;
    gtfs_stream *stream;
    const char *file;
    int present;
} table;

static void table_close(table *t) {
    if (t->present) csv_reader_close(&t->csv);
    gtfs_stream_close(t->stream);
    memset(t, 0, sizeof *t);
}

/* Open file as a table. Absent → TC_OK with present = 0. Unreadable encoding or no header → finding, present = 0.
 * Unknown columns → warnings. I/O failure → error status. */
static tc_status table_open(reader *r, table *t, const char *file, const char *const *known) {
    memset(t, 0, sizeof *t);
    t->file = file;
    if (!gtfs_source_has(r->src, file)) return TC_OK;
    t->stream = gtfs_stream_open(r->src, file, r->err);
    if (!t->stream) return r->err ? r->err->code : TC_ERR_IO;
    tc_error e = {0};
    tc_status rc = csv_reader_open(&t->csv, file, stream_reader, t->stream, r->diag, &e);
    if (rc == TC_ERR_PARSE && t->csv.fatal) { /* binary content or a limit passed: the feed cannot be read */
        diag_report(r->diag, TC_SEV_ERROR, "unreadable_file", file, e.line, e.column, "%s", e.message);
        if (r->err) *r->err = e;
        csv_reader_close(&t->csv);
        gtfs_stream_close(t->stream);
        t->stream = NULL;
        return rc;
    }
    if (rc == TC_ERR_PARSE) {
        diag_report(r->diag, e.line ? TC_SEV_ERROR : TC_SEV_WARNING, e.line && e.column ? "unsupported_encoding" : "empty_file",
                    file, e.line, e.column, "%s", e.message);
        csv_reader_close(&t->csv);
        gtfs_stream_close(t->stream);
        t->stream = NULL;
        return TC_OK;
    }
    if (rc != TC_OK) {
        if (r->err) *r->err = e;
        csv_reader_close(&t->csv);
        gtfs_stream_close(t->stream);
        t->stream = NULL;
        return rc;
    }
    t->present = 1;
    for (size_t i = 0; i < t->csv.n_header; i++) {
        const char *h = t->csv.header[i];
        if (!*h) continue;
        int ok = 0;
        for (const char *const *k = known; *k; k++)
            if (!strcmp(*k, h)) ok = 1;
        if (!ok)
            diag_report(r->diag, TC_SEV_WARNING, "unknown_column", file, t->csv.row_line, (long)i + 1,
                        "unknown column \"%s\" (ignored)", h);
    }
    return TC_OK;
}

/* Report each missing required column; returns 0 when all are there. */
static int require_columns(reader *r, table *t, const char *const *cols) {
    int missing = 0;
    for (const char *const *c = cols; *c; c++)
        if (csv_reader_col(&t->csv, *c) < 0) {
            diag_report(r->diag, TC_SEV_ERROR, "missing_required_column", t->file, 1, 0,
                        "required column \"%s\" is missing", *c);
            missing = 1;
        }
    return missing ? -1 : 0;
}

/* A file the feed cannot do without: opened with its required columns, or a failure naming the file (if_missing: the
 * file is not there; if_columns: a required column is not, each one reported). */
static tc_status open_essential(reader *r, table *t, const char *file, const char *const *known,
                                const char *const *req, const char *if_missing, const char *if_columns) {
    tc_status rc = table_open(r, t, file, known);
    if (rc) return rc;
    if (!t->present) return error_set(r->err, TC_ERR_PARSE, file, 0, 0, "%s", if_missing);
    if (require_columns(r, t, req)) {
        table_close(t);
        return error_set(r->err, TC_ERR_PARSE, file, 1, 0, "%s", if_columns);
    }
    return TC_OK;
}

/* A file the feed may leave out: absent, or present without a required column (reported; the file is then ignored)
 * → TC_OK with t->present = 0. */
static tc_status open_optional(reader *r, table *t, const char *file, const char *const *known,
                               const char *const *req) {
    tc_status rc = table_open(r, t, file, known);
    if (rc || !t->present) return rc;
    if (require_columns(r, t, req)) {
        diag_report(r->diag, TC_SEV_ERROR, "file_ignored", file, 1, 0, "%s ignored: a required column is missing", file);
        table_close(t);
    }
    return TC_OK;
}

static tc_status row_error(reader *r, table *t) {
    if (t->csv.fatal) {
        diag_report(r->diag, TC_SEV_ERROR, "limit_exceeded", t->file, t->csv.failed_line, t->csv.failed_column, "%s",
                    t->csv.failed);
        return error_set(r->err, TC_ERR_PARSE, t->file, t->csv.failed_line, t->csv.failed_column, "%s", t->csv.failed);
    }
    if (t->csv.io_failed) return r->err ? r->err->code : TC_ERR_IO;
    return error_set(r->err, TC_ERR_NO_MEMORY, t->file, t->csv.row_line, 0, "out of memory");
}

#define LINE(t) ((t)->csv.row_line)
#define OOM(r, t) error_set((r)->err, TC_ERR_NO_MEMORY, (t)->file, LINE(t), 0, "out of memory")

/* Optional small integer cell: default when blank, warning and default when invalid. */
static int opt_int(reader *r, table *t, int col, long lo, long hi, int def, const char *what) {
    size_t n;
    const char *s = csv_reader_get(&t->csv, col, &n);
    if (!n) return def;
    long v;
    if (gtfs_parse_int(s, n, lo, hi, &v)) {
        diag_report(r->diag, TC_SEV_WARNING, "invalid_value", t->file, LINE(t), col + 1,
                    "%s \"%.*s\" is not an integer in %ld..%ld (read as %d)", what, (int)n, s, lo, hi, def);
        return def;
    }
    return (int)v;
}

/* Required id cell: returns length, 0 (and an error finding) when blank. */
static size_t req_id(reader *r, table *t, int col, const char *name, const char **out) {
    size_t n;
    *out = csv_reader_get(&t->csv, col, &n);
    if (!n)
        diag_report(r->diag, TC_SEV_ERROR, "missing_required_field", t->file, LINE(t), col + 1,
                    "%s is empty (row dropped)", name);
    return n;
}

/* ------------------------------------------------------------------ agency.txt ------------------------------ */

static tc_status read_agency(reader *r) {
    static const char *const known[] = {"agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang",
                                        "agency_phone", "agency_fare_url", "agency_email", "cemv_support", NULL};
    static const char *const req[] = {"agency_name", "agency_timezone", NULL};
    gtfs_feed *f = r->f;
    table t;
    tc_status rc = table_open(r, &t, "agency.txt", known);
    if (rc) return rc;
    if (!t.present) {
        if (!gtfs_source_has(r->src, "agency.txt"))
            diag_report(r->diag, TC_SEV_ERROR, "missing_file", "agency.txt", 0, 0,
                        "agency.txt is missing (required); the feed's timezone is unknown");
        return TC_OK;
    }
    require_columns(r, &t, req);
    int c_id = csv_reader_col(&t.csv, "agency_id"), c_name = csv_reader_col(&t.csv, "agency_name"),
        c_url = csv_reader_col(&t.csv, "agency_url"), c_tz = csv_reader_col(&t.csv, "agency_timezone"),
        c_lang = csv_reader_col(&t.csv, "agency_lang");
    int row;
    while ((row = csv_reader_next(&t.csv)) == 1) {
        f->counts.agency++;
        size_t n;
        const char *id = csv_reader_get(&t.csv, c_id, &n);
        char *sid = gtfs_arena_strndup(r->arena, id, n);
        if (!sid) return OOM(r, &t);
        if (gtfs_idmap_get(&r->agencies, sid, n) != GTFS_NONE) {
            diag_report(r->diag, TC_SEV_ERROR, "duplicate_key", t.file, LINE(&t), c_id + 1,
                      "agency_id \"%s\" is defined twice (row dropped)", sid);
            continue;
        }
        if (!VGROW(f->agencies, f->n_agencies, r->cap_agencies)) return OOM(r, &t);
        gtfs_agency *a = &f->agencies[f->n_agencies];
        a->id = sid;
        if (!(a->name = dup_cell(r, &t.csv, c_name)) || !(a->url = dup_cell(r, &t.csv, c_url)) ||
            !(a->timezone = dup_cell(r, &t.csv, c_tz)) || !(a->lang = dup_cell(r, &t.csv, c_lang)))
            return OOM(r, &t);
        if (!*a->name)
            diag_report(r->diag, TC_SEV_WARNING, "missing_required_field", t.file, LINE(&t), c_name + 1,
                        "agency_name is empty");
        if (!*a->timezone)
            diag_report(r->diag, TC_SEV_ERROR, "missing_required_field", t.file, LINE(&t), c_tz + 1,
                        "agency_timezone is empty");
        else if (!timezone_known(a->timezone))
            diag_report(r->diag, TC_SEV_ERROR, "invalid_timezone", t.file, LINE(&t), c_tz + 1,
                        "agency_timezone \"%s\" is not an IANA timezone", a->timezone);
        else if (f->n_agencies > 0 && f->agencies[0].timezone[0] && strcmp(a->timezone, f->agencies[0].timezone))
            diag_report(r->diag, TC_SEV_ERROR, "inconsistent_timezone", t.file, LINE(&t), c_tz + 1,
                        "agency_timezone \"%s\" differs from the first agency's \"%s\" (all agencies must share one)",
                        a->timezone, f->agencies[0].timezone);
        if (!n)
            diag_report(r->diag, TC_SEV_WARNING, "missing_recommended_field", t.file, LINE(&t), c_id + 1,
                        "agency_id is empty (recommended, required when there are several agencies)");
        if (n && gtfs_idmap_put(&r->agencies, sid, n, (int32_t)f->n_agencies) == -2) return OOM(r, &t);
        f->n_agencies++;
    }
    if (row < 0) {
        rc = row_error(r, &t);
        table_close(&t);
        return rc;
    }
    table_close(&t);
    return TC_OK;
}

/* ------------------------------------------------------------------ stops.txt ------------------------------- */

typedef struct stop_by_lat {
    double lat;
    int32_t stop;
} stop_by_lat;

static int cmp_stop_lat(const void *a, const void *b) {
    const stop_by_lat *x = a, *y = b;
    if (x->lat != y->lat) return x->lat < y->lat ? -1 : 1;
    return x->stop < y->stop ? -1 : x->stop > y->stop;
}

/* Two boarding places (location_type 0) closer than 2 m are almost certainly one stop entered twice: riders and
 * the transfer search would see two stops where there is one. Sweep over the stops sorted by latitude. */
static void check_duplicate_stops(reader *r, int c_lat) {
    const gtfs_feed *f = r->f;
    stop_by_lat *order = malloc(f->n_stops * sizeof *order);
    if (!order) return;
    size_t n = 0;
    for (size_t i = 0; i < f->n_stops; i++)
        if (f->stops[i].location_type == 0) order[n++] = (stop_by_lat){f->stops[i].lat, (int32_t)i};
    qsort(order, n, sizeof *order, cmp_stop_lat);
    const double lat_eps = 2.0 / 111000.0;
    for (size_t i = 0; i < n; i++) {
        const gtfs_stop *a = &f->stops[order[i].stop];
        for (size_t j = i + 1; j < n && order[j].lat - a->lat < lat_eps; j++) {
            const gtfs_stop *b = &f->stops[order[j].stop];
            /* platforms of one station often share its coordinates: not a duplicate */
            if (a->parent != GTFS_NONE && a->parent == b->parent) continue;
            if (haversine_m(a->lat, a->lon, b->lat, b->lon) < 2.0) {
                int32_t first = order[i].stop < order[j].stop ? order[i].stop : order[j].stop;
                int32_t second = order[i].stop < order[j].stop ? order[j].stop : order[i].stop;
                diag_report(r->diag, TC_SEV_WARNING, "duplicate_stop", "stops.txt", r->stop_lines[second], c_lat + 1,
                            "stop \"%s\" is within 2 m of stop \"%s\" (line %u): the same stop twice?",
                            f->stops[second].id, f->stops[first].id, r->stop_lines[first]);
            }
        }
    }
    free(order);
}

/* The row's stop_lat and stop_lon, required unless the stop is a generic node or a boarding area
 * (location_type 3, 4) that gives neither. Returns -1 when the stop is dropped (reported), else 0. */
static int read_stop_position(reader *r, table *t, int c_lat, int c_lon, int type, const char *id, size_t n,
                              double *lat, double *lon) {
    size_t la, lo;
    const char *slat = csv_reader_get(&t->csv, c_lat, &la), *slon = csv_reader_get(&t->csv, c_lon, &lo);
    if (!(la || lo || type <= 2)) return 0;
    if (gtfs_parse_double(slat, la, lat) || *lat < -90 || *lat > 90) {
        diag_report(r->diag, TC_SEV_ERROR, la ? "invalid_coordinate" : "missing_required_field", t->file, LINE(t),
                    c_lat + 1, "stop \"%.*s\": stop_lat \"%.*s\" is not a latitude (stop dropped)", (int)n, id,
                    (int)la, slat);
        return -1;
    }
    if (gtfs_parse_double(slon, lo, lon) || *lon < -180 || *lon > 180) {
        diag_report(r->diag, TC_SEV_ERROR, lo ? "invalid_coordinate" : "missing_required_field", t->file, LINE(t),
                    c_lon + 1, "stop \"%.*s\": stop_lon \"%.*s\" is not a longitude (stop dropped)", (int)n, id,
                    (int)lo, slon);
        return -1;
    }
    if (fabs(*lat) < 1e-6 && fabs(*lon) < 1e-6)
        diag_report(r->diag, TC_SEV_WARNING, "zero_coordinates", t->file, LINE(t), c_lat + 1,
                    "stop \"%.*s\" is at 0,0 (kept, but probably a placeholder)", (int)n, id);
    return 0;
}

/* Parent stations, once every stop is known: the parent must exist and be of the type the child's location_type
 * calls for (a station for stops, entrances and generic nodes; a stop for a boarding area; none for a station). */
static void resolve_parent_stations(reader *r, const char *file, int c_parent, int c_lat) {
    gtfs_feed *f = r->f;
    for (size_t i = 0; i < f->n_stops; i++) {
        gtfs_stop *s = &f->stops[i];
        const char *pid = r->parent_ids[i];
        long line = r->stop_lines[i];
        if (!*pid) {
            if (s->location_type >= 2)
                diag_report(r->diag, TC_SEV_ERROR, "missing_required_field", file, line, c_parent + 1,
                            "stop \"%s\" (location_type %d) needs a parent_station", s->id, s->location_type);
            continue;
        }
        int32_t p = gtfs_idmap_get(&r->stops, pid, strlen(pid));
        if (p == GTFS_NONE) {
            diag_report(r->diag, TC_SEV_ERROR, "unknown_parent_station", file, line, c_parent + 1,
                        "parent_station \"%s\" of stop \"%s\" is not in stops.txt (ignored)", pid, s->id);
            continue;
        }
        int pt = f->stops[p].location_type;
        int ok = s->location_type == 1 ? 0 : s->location_type == 4 ? pt == 0 : pt == 1;
        if (!ok || p == (int32_t)i) {
            diag_report(r->diag, TC_SEV_ERROR, "invalid_parent_station", file, line, c_parent + 1,
                        "stop \"%s\" (location_type %d) cannot have \"%s\" (location_type %d) as parent_station "
                        "(ignored)", s->id, s->location_type, pid, pt);
            continue;
        }
        s->parent = p;
        if (!isnan(s->lat) && !isnan(f->stops[p].lat) &&
            haversine_m(s->lat, s->lon, f->stops[p].lat, f->stops[p].lon) > 1000)
            diag_report(r->diag, TC_SEV_WARNING, "stop_too_far_from_parent", file, line, c_lat + 1,
                        "stop \"%s\" is %.0f m from its parent station \"%s\"", s->id,
                        haversine_m(s->lat, s->lon, f->stops[p].lat, f->stops[p].lon), pid);
    }
}

/* Generic nodes and boarding areas may omit coordinates: they take their parent's (up to four levels up). */
static void inherit_parent_positions(reader *r, const char *file, int c_lat) {
    gtfs_feed *f = r->f;
    for (size_t i = 0; i < f->n_stops; i++) {
        gtfs_stop *s = &f->stops[i];
        if (!isnan(s->lat)) continue;
        int32_t p = s->parent;
        for (int hop = 0; hop < 4 && p != GTFS_NONE && isnan(f->stops[p].lat); hop++) p = f->stops[p].parent;
        if (p != GTFS_NONE && !isnan(f->stops[p].lat)) {
            s->lat = f->stops[p].lat;
            s->lon = f->stops[p].lon;
        } else {
            /* no position anywhere up the tree: place it at 0,0 but say so (nothing should route through it) */
            diag_report(r->diag, TC_SEV_WARNING, "missing_coordinates", file, r->stop_lines[i], c_lat + 1,
                        "stop \"%s\" has no coordinates and no parent with some (placed at 0,0)", s->id);
            s->lat = s->lon = 0;
        }
    }
}

static tc_status read_stops(reader *r) {
    static const char *const known[] = {"stop_id", "stop_code", "stop_name", "tts_stop_name", "stop_desc",
                                        "stop_lat", "stop_lon", "zone_id", "stop_url", "location_type",
                                        "parent_station", "stop_timezone", "wheelchair_boarding", "level_id",
                                        "platform_code", "stop_access", NULL};
    static const char *const req[] = {"stop_id", NULL};
    gtfs_feed *f = r->f;
    table t;
    tc_status rc = open_essential(r, &t, "stops.txt", known, req, "stops.txt cannot be read: no stops, no network",
                                  "stops.txt has no stop_id column");
    if (rc) return rc;
    int c_id = csv_reader_col(&t.csv, "stop_id"), c_code = csv_reader_col(&t.csv, "stop_code"),
        c_name = csv_reader_col(&t.csv, "stop_name"), c_lat = csv_reader_col(&t.csv, "stop_lat"),
        c_lon = csv_reader_col(&t.csv, "stop_lon"), c_type = csv_reader_col(&t.csv, "location_type"),
        c_parent = csv_reader_col(&t.csv, "parent_station"), c_wc = csv_reader_col(&t.csv, "wheelchair_boarding"),
        c_plat = csv_reader_col(&t.csv, "platform_code"), c_tz = csv_reader_col(&t.csv, "stop_timezone");
    int row;
    while ((row = csv_reader_next(&t.csv)) == 1) {
        f->counts.stops++;
        const char *id;
        size_t n = req_id(r, &t, c_id, "stop_id", &id);
        if (!n) continue;
        if (gtfs_idmap_get(&r->stops, id, n) != GTFS_NONE) {
            diag_report(r->diag, TC_SEV_ERROR, "duplicate_key", t.file, LINE(&t), c_id + 1,
                      "stop_id \"%.*s\" is defined twice (row dropped)", (int)n, id);
            continue;
        }
        int type = opt_int(r, &t, c_type, 0, 4, 0, "location_type");
        double lat = NAN, lon = NAN;
        if (read_stop_position(r, &t, c_lat, c_lon, type, id, n, &lat, &lon)) continue;
        size_t tzn;
        const char *tz = csv_reader_get(&t.csv, c_tz, &tzn);
        if (tzn) {
            char buf[128];
            snprintf(buf, sizeof buf, "%.*s", (int)(tzn < 127 ? tzn : 127), tz);
            if (!timezone_known(buf))
                diag_report(r->diag, TC_SEV_ERROR, "invalid_timezone", t.file, LINE(&t), c_tz + 1,
                            "stop_timezone \"%s\" is not an IANA timezone (ignored)", buf);
        }
        if (!VGROW(f->stops, f->n_stops, r->cap_stops)) return OOM(r, &t);
        size_t cap = r->cap_stops; /* parallel arrays follow the stops array's capacity */
        const char **np = realloc(r->parent_ids, cap * sizeof *np);
        if (!np) return OOM(r, &t);
        r->parent_ids = np;
        uint32_t *nl = realloc(r->stop_lines, cap * sizeof *nl);
        if (!nl) return OOM(r, &t);
        r->stop_lines = nl;
        gtfs_stop *s = &f->stops[f->n_stops];
        memset(s, 0, sizeof *s);
        if (!(s->id = gtfs_arena_strndup(r->arena, id, n)) || !(s->code = dup_cell(r, &t.csv, c_code)) ||
            !(s->name = dup_cell(r, &t.csv, c_name)) || !(s->platform_code = dup_cell(r, &t.csv, c_plat)) ||
            !(r->parent_ids[f->n_stops] = dup_cell(r, &t.csv, c_parent)))
            return OOM(r, &t);
        s->lat = lat;
        s->lon = lon;
        s->location_type = type;
        s->parent = GTFS_NONE;
        s->wheelchair_boarding = opt_int(r, &t, c_wc, 0, 2, 0, "wheelchair_boarding");
        r->stop_lines[f->n_stops] = (uint32_t)LINE(&t);
        if (gtfs_idmap_put(&r->stops, s->id, n, (int32_t)f->n_stops) == -2) return OOM(r, &t);
        f->n_stops++;
    }
    if (row < 0) {
        rc = row_error(r, &t);
        table_close(&t);
        return rc;
    }
    resolve_parent_stations(r, t.file, c_parent, c_lat);
    inherit_parent_positions(r, t.file, c_lat);
    table_close(&t);
    if (f->n_stops == 0) return error_set(r->err, TC_ERR_PARSE, "stops.txt", 0, 0, "stops.txt has no usable stop");
    check_duplicate_stops(r, c_lat);
    return TC_OK;
}

/* ------------------------------------------------------------------ routes.txt ------------------------------ */

/* sRGB relative luminance (WCAG 2) of "RRGGBB"; -1 when not a colour. */
static double luminance(const char *hex) {
    if (strlen(hex) != 6) return -1;
    double lin[3];
    for (int i = 0; i < 3; i++) {
        char b[3] = {hex[2 * i], hex[2 * i + 1], 0}, *end;
        long v = strtol(b, &end, 16);
        if (*end) return -1;
        double c = (double)v / 255.0;
        lin[i] = c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
    }
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
}

/* Best practices for route names and colours (GTFS best practices, as MobilityData's and transitland's validators
 * check them): all warnings, nothing dropped. */
static void check_route_names(reader *r, const gtfs_route *rt, const char *desc, size_t dn, gtfs_idmap *names,
                              gtfs_arena *keys, long line, int c_sn, int c_ln, int c_desc, int c_type, int c_tcol) {
    const char *file = "routes.txt";
    size_t sl = strlen(rt->short_name), ll = strlen(rt->long_name);
    if (sl > 12)
        diag_report(r->diag, TC_SEV_WARNING, "route_short_name_too_long", file, line, c_sn + 1,
                    "route_short_name \"%s\" is long for a short name (over 12 characters)", rt->short_name);
    if (sl && ll > sl && !strncasecmp(rt->long_name, rt->short_name, sl) &&
        (rt->long_name[sl] == ' ' || rt->long_name[sl] == '-' || rt->long_name[sl] == ':'))
        diag_report(r->diag, TC_SEV_WARNING, "route_long_name_repeats_short_name", file, line, c_ln + 1,
                    "route_long_name \"%s\" starts with route_short_name \"%s\"", rt->long_name, rt->short_name);
    if (dn && ((sl == dn && !strncmp(desc, rt->short_name, dn)) || (ll == dn && !strncmp(desc, rt->long_name, dn))))
        diag_report(r->diag, TC_SEV_WARNING, "route_desc_repeats_name", file, line, c_desc + 1,
                    "route_desc repeats the route's name instead of describing it");
    const char *names_[2] = {rt->short_name, rt->long_name};
    for (int k = 0; k < 2; k++)
        if (strpbrk(names_[k], "_\\%#@$^={}[]`~")) {
            diag_report(r->diag, TC_SEV_WARNING, "route_name_characters", file, line, (k ? c_ln : c_sn) + 1,
                        "route name \"%s\" holds characters riders would not expect (_ \\ %% # @ ...)", names_[k]);
            break;
        }
    if (rt->type >= 100)
        diag_report(r->diag, TC_SEV_WARNING, "extended_route_type", file, line, c_type + 1,
                    "route_type %d is an extended type, which some consumers do not read", rt->type);
    double l1 = luminance(rt->color), l2 = luminance(rt->text_color);
    if (l1 >= 0 && l2 >= 0) {
        double hi = l1 > l2 ? l1 : l2, lo = l1 > l2 ? l2 : l1;
        if ((hi + 0.05) / (lo + 0.05) < 2.0)
            diag_report(r->diag, TC_SEV_WARNING, "low_color_contrast", file, line, c_tcol + 1,
                        "route_text_color %s is hard to read on route_color %s", rt->text_color, rt->color);
    }
    if (sl || ll) {
        char kb[1024];
        int kl = snprintf(kb, sizeof kb, "%d\x1f%s\x1f%s\x1f%d", rt->agency, rt->short_name, rt->long_name, rt->type);
        if (kl > 0 && (size_t)kl < sizeof kb) {
            char *key = gtfs_arena_strndup(keys, kb, (size_t)kl);
            int32_t prev = key ? gtfs_idmap_put(names, key, (size_t)kl, (int32_t)line) : -2;
            if (prev >= 0)
                diag_report(r->diag, TC_SEV_WARNING, "duplicate_route_name", file, line, (ll ? c_ln : c_sn) + 1,
                            "route \"%s\" has the same names and type as the route on line %d", rt->id, (int)prev);
        }
    }
}

static tc_status read_routes(reader *r) {
    static const char *const known[] = {"route_id", "agency_id", "route_short_name", "route_long_name",
                                        "route_desc", "route_type", "route_url", "route_color", "route_text_color",
                                        "route_sort_order", "continuous_pickup", "continuous_drop_off",
                                        "network_id", "cemv_support", NULL};
    static const char *const req[] = {"route_id", "route_type", NULL};
    gtfs_feed *f = r->f;
    table t;
    tc_status rc = open_essential(r, &t, "routes.txt", known, req, "routes.txt is missing or unreadable: no routes",
                                  "routes.txt lacks a required column");
    if (rc) return rc;
    int c_id = csv_reader_col(&t.csv, "route_id"), c_ag = csv_reader_col(&t.csv, "agency_id"),
        c_sn = csv_reader_col(&t.csv, "route_short_name"), c_ln = csv_reader_col(&t.csv, "route_long_name"),
        c_type = csv_reader_col(&t.csv, "route_type"), c_col = csv_reader_col(&t.csv, "route_color"),
        c_tcol = csv_reader_col(&t.csv, "route_text_color"), c_desc = csv_reader_col(&t.csv, "route_desc");
    gtfs_idmap names = {0}; /* agency, short name, long name, type → line: duplicate routes by name */
    gtfs_arena name_keys = {0};
    int row;
    while ((row = csv_reader_next(&t.csv)) == 1) {
        f->counts.routes++;
        const char *id;
        size_t n = req_id(r, &t, c_id, "route_id", &id);
        if (!n) continue;
        if (gtfs_idmap_get(&r->routes, id, n) != GTFS_NONE) {
            diag_report(r->diag, TC_SEV_ERROR, "duplicate_key", t.file, LINE(&t), c_id + 1,
                      "route_id \"%.*s\" is defined twice (row dropped)", (int)n, id);
            continue;
        }
        size_t tn;
        const char *ts = csv_reader_get(&t.csv, c_type, &tn);
        long type;
        if (gtfs_parse_int(ts, tn, 0, 1799, &type) || (type > 12 && type < 100)) {
            diag_report(r->diag, TC_SEV_ERROR, tn ? "invalid_route_type" : "missing_required_field", t.file, LINE(&t),
                        c_type + 1, "route \"%.*s\": route_type \"%.*s\" is not a GTFS route type (0–12, 100–1799) "
                        "(route dropped)", (int)n, id, (int)tn, ts);
            continue;
        }
        int32_t agency = f->n_agencies ? 0 : GTFS_NONE;
        size_t an;
        const char *as = csv_reader_get(&t.csv, c_ag, &an);
        if (an) {
            int32_t a = gtfs_idmap_get(&r->agencies, as, an);
            if (a == GTFS_NONE)
                diag_report(r->diag, TC_SEV_ERROR, "unknown_agency", t.file, LINE(&t), c_ag + 1,
                            "agency_id \"%.*s\" is not in agency.txt (route kept under the first agency)", (int)an, as);
            else
                agency = a;
        } else if (f->n_agencies > 1) {
            diag_report(r->diag, TC_SEV_ERROR, "missing_required_field", t.file, LINE(&t), c_ag + 1,
                        "agency_id is empty but the feed has %zu agencies (route kept under the first)", f->n_agencies);
        } else {
            diag_report(r->diag, TC_SEV_WARNING, "missing_recommended_field", t.file, LINE(&t), c_ag + 1,
                        "agency_id is empty (recommended)");
        }
        if (!VGROW(f->routes, f->n_routes, r->cap_routes)) return OOM(r, &t);
        gtfs_route *rt = &f->routes[f->n_routes];
        if (!(rt->id = gtfs_arena_strndup(r->arena, id, n)) || !(rt->short_name = dup_cell(r, &t.csv, c_sn)) ||
            !(rt->long_name = dup_cell(r, &t.csv, c_ln)) || !(rt->color = dup_cell(r, &t.csv, c_col)) ||
            !(rt->text_color = dup_cell(r, &t.csv, c_tcol)))
            return OOM(r, &t);
        rt->agency = agency;
        rt->type = (int)type;
        if (!*rt->short_name && !*rt->long_name)
            diag_report(r->diag, TC_SEV_ERROR, "missing_required_field", t.file, LINE(&t), c_sn + 1,
                        "route \"%s\" has neither route_short_name nor route_long_name", rt->id);
        size_t dn;
        const char *desc = csv_reader_get(&t.csv, c_desc, &dn);
        check_route_names(r, rt, desc, dn, &names, &name_keys, LINE(&t), c_sn, c_ln, c_desc, c_type, c_tcol);
        if (gtfs_idmap_put(&r->routes, rt->id, n, (int32_t)f->n_routes) == -2) return OOM(r, &t);
        f->n_routes++;
    }
    gtfs_idmap_free(&names);
    gtfs_arena_free(&name_keys);
    if (row < 0) {
        rc = row_error(r, &t);
        table_close(&t);
        return rc;
    }
    table_close(&t);
    return TC_OK;
}

/* ------------------------------------------------------------------ calendar -------------------------------- */

static int32_t service_index(reader *r, const char *id, size_t n) {
    int32_t s = gtfs_idmap_get(&r->services, id, n);
    if (s != GTFS_NONE) return s;
    gtfs_feed *f = r->f;
    if (!VGROW(f->services, f->n_services, r->cap_services)) return -2;
    char *sid = gtfs_arena_strndup(r->arena, id, n);
    if (!sid) return -2;
    f->services[f->n_services].id = sid;
    f->services[f->n_services].bits = NULL;
    if (gtfs_idmap_put(&r->services, sid, n, (int32_t)f->n_services) == -2) return -2;
    return (int32_t)f->n_services++;
}

static tc_status read_calendar(reader *r) {
    static const char *const known[] = {"service_id", "monday", "tuesday", "wednesday", "thursday", "friday",
                                        "saturday", "sunday", "start_date", "end_date", NULL};
    table t;
    tc_status rc = open_optional(r, &t, "calendar.txt", known, known);
    if (rc || !t.present) return rc;
    r->have_calendar = 1;
    int c_id = csv_reader_col(&t.csv, "service_id"), c_start = csv_reader_col(&t.csv, "start_date"),
        c_end = csv_reader_col(&t.csv, "end_date");
    int c_wd[7];
    for (int d = 0; d < 7; d++) c_wd[d] = csv_reader_col(&t.csv, known[1 + d]);
    gtfs_idmap seen = {0};
    int row;
    while ((row = csv_reader_next(&t.csv)) == 1) {
        r->f->counts.calendar++;
        const char *id;
        size_t n = req_id(r, &t, c_id, "service_id", &id);
        if (!n) continue;
        if (gtfs_idmap_get(&seen, id, n) != GTFS_NONE) {
            diag_report(r->diag, TC_SEV_ERROR, "duplicate_key", t.file, LINE(&t), c_id + 1,
                      "service_id \"%.*s\" appears twice in calendar.txt (row dropped)", (int)n, id);
            continue;
        }
        uint8_t wd = 0;
        int bad = 0;
        for (int d = 0; d < 7 && !bad; d++) {
            size_t vn;
            const char *v = csv_reader_get(&t.csv, c_wd[d], &vn);
            if (vn == 1 && (v[0] == '0' || v[0] == '1')) {
                if (v[0] == '1') wd |= (uint8_t)(1u << d);
            } else {
                diag_report(r->diag, TC_SEV_ERROR, vn ? "invalid_value" : "missing_required_field", t.file, LINE(&t),
                            c_wd[d] + 1, "%s \"%.*s\" must be 0 or 1 (row dropped)", known[1 + d], (int)vn, v);
                bad = 1;
            }
        }
        if (bad) continue;
        int32_t days[2];
        int cols[2] = {c_start, c_end};
        for (int k = 0; k < 2 && !bad; k++) {
            size_t vn;
            const char *v = csv_reader_get(&t.csv, cols[k], &vn);
            if (vn != 8 || date_parse(v, vn, &days[k])) {
                diag_report(r->diag, TC_SEV_ERROR, vn ? "invalid_date" : "missing_required_field", t.file, LINE(&t),
                            cols[k] + 1, "%s \"%.*s\" is not a YYYYMMDD date (row dropped)", k ? "end_date" : "start_date",
                            (int)vn, v);
                bad = 1;
            }
        }
        if (bad) continue;
        if (days[1] < days[0]) {
            diag_report(r->diag, TC_SEV_ERROR, "invalid_date_range", t.file, LINE(&t), c_end + 1,
                        "end_date is before start_date (row dropped)");
            continue;
        }
        if (wd && days[1] - days[0] < 6)
            diag_report(r->diag, TC_SEV_WARNING, "short_service_period", t.file, LINE(&t), c_end + 1,
                        "service \"%.*s\" covers only %d day(s): calendar_dates.txt would say it more plainly", (int)n,
                        id, (int)(days[1] - days[0] + 1));
        int32_t s = service_index(r, id, n);
        if (s < 0) return OOM(r, &t);
        if (gtfs_idmap_put(&seen, r->f->services[s].id, n, s) == -2) return OOM(r, &t);
        if (!VGROW(r->cal, r->n_cal, r->cap_cal)) return OOM(r, &t);
        size_t cap = r->cap_cal;
        uint32_t *nl = realloc(r->cal_lines, cap * sizeof *nl);
        if (!nl) return OOM(r, &t);
        r->cal_lines = nl;
        r->cal[r->n_cal] = (gtfs_calendar_row){s, wd, days[0], days[1]};
        r->cal_lines[r->n_cal++] = (uint32_t)LINE(&t);
    }
    gtfs_idmap_free(&seen);
    if (row < 0) rc = row_error(r, &t);
    table_close(&t);
    return rc;
}

static tc_status read_calendar_dates(reader *r) {
    static const char *const known[] = {"service_id", "date", "exception_type", NULL};
    table t;
    tc_status rc = open_optional(r, &t, "calendar_dates.txt", known, known);
    if (rc || !t.present) return rc;
    r->have_calendar_dates = 1;
    int c_id = csv_reader_col(&t.csv, "service_id"), c_date = csv_reader_col(&t.csv, "date"),
        c_type = csv_reader_col(&t.csv, "exception_type");
    /* duplicate (service, date) pairs: a map keyed by "service\x1fdate" */
    gtfs_idmap seen = {0};
    gtfs_arena keys = {0};
    int row;
    while ((row = csv_reader_next(&t.csv)) == 1) {
        r->f->counts.calendar_dates++;
        const char *id;
        size_t n = req_id(r, &t, c_id, "service_id", &id);
        if (!n) continue;
        size_t dn, tn;
        const char *ds = csv_reader_get(&t.csv, c_date, &dn), *ts = csv_reader_get(&t.csv, c_type, &tn);
        int32_t day;
        if (dn != 8 || date_parse(ds, dn, &day)) {
            diag_report(r->diag, TC_SEV_ERROR, dn ? "invalid_date" : "missing_required_field", t.file, LINE(&t),
                        c_date + 1, "date \"%.*s\" is not a YYYYMMDD date (row dropped)", (int)dn, ds);
            continue;
        }
        if (tn != 1 || (ts[0] != '1' && ts[0] != '2')) {
            diag_report(r->diag, TC_SEV_ERROR, tn ? "invalid_value" : "missing_required_field", t.file, LINE(&t),
                        c_type + 1, "exception_type \"%.*s\" must be 1 or 2 (row dropped)", (int)tn, ts);
            continue;
        }
        char kb[600];
        int kl = snprintf(kb, sizeof kb, "%.*s\x1f%.8s", (int)(n < 580 ? n : 580), id, ds);
        char *key = gtfs_arena_strndup(&keys, kb, (size_t)kl);
        if (!key) {
            rc = OOM(r, &t);
            break;
        }
        int32_t prev = gtfs_idmap_put(&seen, key, (size_t)kl, (int32_t)LINE(&t));
        if (prev == -2) {
            rc = OOM(r, &t);
            break;
        }
        if (prev != GTFS_NONE) {
            diag_report(r->diag, TC_SEV_ERROR, "duplicate_key", t.file, LINE(&t), c_date + 1,
                        "service_id \"%.*s\" and date %.8s already appear on line %d (row dropped)", (int)n, id, ds,
                        (int)prev);
            int32_t s = gtfs_idmap_get(&r->services, id, n);
            for (size_t i = 0; s != GTFS_NONE && i < r->n_cal; i++)
                if (r->cal[i].service == s) {
                    diag_report(r->diag, TC_SEV_ERROR, "duplicate_key", "calendar.txt", r->cal_lines[i], 0,
                                "service \"%.*s\" has a duplicate exception in calendar_dates.txt (line %ld)", (int)n,
                                id, LINE(&t));
                    break;
                }
            continue;
        }
        int32_t s = service_index(r, id, n);
        if (s < 0 || !VGROW(r->dates, r->n_dates, r->cap_dates)) {
            rc = OOM(r, &t);
            break;
        }
        r->dates[r->n_dates++] = (gtfs_calendar_date){s, day, (uint8_t)(ts[0] - '0')};
    }
    gtfs_idmap_free(&seen);
    gtfs_arena_free(&keys);
    if (row < 0 && rc == TC_OK) rc = row_error(r, &t);
    table_close(&t);
    return rc;
}

static tc_status finish_services(reader *r) {
    gtfs_feed *f = r->f;
    if (!r->have_calendar && !r->have_calendar_dates)
        diag_report(r->diag, TC_SEV_ERROR, "missing_file", "calendar.txt", 0, 0,
                    "neither calendar.txt nor calendar_dates.txt can be used: no trip has service days");
    tc_status rc = gtfs_services_build(f, r->cal, r->n_cal, r->dates, r->n_dates, r->err);
    if (rc) return rc;
    ((feed_storage *)f->storage)->service_bits = f->n_services ? f->services[0].bits : NULL;
    /* a calendar row with no weekday (best practice: leave such services to calendar_dates.txt alone) */
    for (size_t i = 0; i < r->n_cal; i++)
        if (!r->cal[i].weekdays)
            diag_report(r->diag, TC_SEV_WARNING, "calendar_no_weekdays", "calendar.txt", r->cal_lines[i], 0,
                        "service \"%s\" runs on no weekday: its days come from calendar_dates.txt alone",
                        f->services[r->cal[i].service].id);
    /* services that never run */
    size_t words = (f->n_days + 63) / 64;
    for (size_t i = 0; i < r->n_cal; i++) {
        const gtfs_service *s = &f->services[r->cal[i].service];
        int any = 0;
        for (size_t w = 0; w < words && !any; w++) any = s->bits[w] != 0;
        if (!any)
            diag_report(r->diag, TC_SEV_WARNING, "service_never_active", "calendar.txt", r->cal_lines[i], 0,
                        "service_id \"%s\" is active on no day", s->id);
    }
    return TC_OK;
}

/* ------------------------------------------------------------------ shapes.txt ------------------------------ */

typedef struct shape_rec {
    int32_t shape;
    uint32_t seq;
    uint32_t line;
    gtfs_shape_point pt;
} shape_rec;

static int cmp_shape_rec(const void *a, const void *b) {
    const shape_rec *x = a, *y = b;
    if (x->shape != y->shape) return x->shape < y->shape ? -1 : 1;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static tc_status read_shapes(reader *r) {
    static const char *const known[] = {"shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence",
                                        "shape_dist_traveled", NULL};
    static const char *const req[] = {"shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence", NULL};
    gtfs_feed *f = r->f;
    table t;
    tc_status rc = open_optional(r, &t, "shapes.txt", known, req);
    if (rc || !t.present) return rc;
    int c_id = csv_reader_col(&t.csv, "shape_id"), c_lat = csv_reader_col(&t.csv, "shape_pt_lat"),
        c_lon = csv_reader_col(&t.csv, "shape_pt_lon"), c_seq = csv_reader_col(&t.csv, "shape_pt_sequence"),
        c_dist = csv_reader_col(&t.csv, "shape_dist_traveled");
    shape_rec *recs = NULL;
    uint32_t *first_line = NULL; /* per shape: its first row, where shape-wide problems are also reported */
    size_t n_recs = 0, cap_recs = 0, cap_shapes = 0;
    int row;
    while ((row = csv_reader_next(&t.csv)) == 1) {
        f->counts.shapes++;
        const char *id;
        size_t n = req_id(r, &t, c_id, "shape_id", &id);
        if (!n) continue;
        size_t la, lo, sn, dn;
        const char *slat = csv_reader_get(&t.csv, c_lat, &la), *slon = csv_reader_get(&t.csv, c_lon, &lo),
                   *sseq = csv_reader_get(&t.csv, c_seq, &sn), *sd = csv_reader_get(&t.csv, c_dist, &dn);
        double lat, lon, dist = NAN;
        long seq;
        if (gtfs_parse_double(slat, la, &lat) || lat < -90 || lat > 90 || gtfs_parse_double(slon, lo, &lon) ||
            lon < -180 || lon > 180) {
            diag_report(r->diag, TC_SEV_ERROR, "invalid_coordinate", t.file, LINE(&t), c_lat + 1,
                        "shape point \"%.*s\",\"%.*s\" is not a latitude,longitude (point dropped)", (int)la, slat,
                        (int)lo, slon);
            continue;
        }
        if (gtfs_parse_int(sseq, sn, 0, UINT32_MAX, &seq)) {
            diag_report(r->diag, TC_SEV_ERROR, "invalid_value", t.file, LINE(&t), c_seq + 1,
                        "shape_pt_sequence \"%.*s\" is not a non-negative integer (point dropped)", (int)sn, sseq);
            continue;
        }
        if (dn && (gtfs_parse_double(sd, dn, &dist) || dist < 0)) {
            diag_report(r->diag, TC_SEV_WARNING, "invalid_value", t.file, LINE(&t), c_dist + 1,
                        "shape_dist_traveled \"%.*s\" is not a non-negative number (ignored)", (int)dn, sd);
            dist = NAN;
        }
        if (fabs(lat) < 1e-6 && fabs(lon) < 1e-6)
            diag_report(r->diag, TC_SEV_WARNING, "zero_coordinates", t.file, LINE(&t), c_lat + 1,
                        "shape point at 0,0 (kept, but probably a placeholder)");
        int32_t s = gtfs_idmap_get(&r->shapes, id, n);
        if (s == GTFS_NONE) {
            size_t old_cap = cap_shapes;
            if (!VGROW(f->shapes, f->n_shapes, cap_shapes)) goto oom;
            if (cap_shapes != old_cap) {
                uint32_t *nl = realloc(first_line, cap_shapes * sizeof *nl);
                if (!nl) goto oom;
                first_line = nl;
            }
            first_line[f->n_shapes] = (uint32_t)LINE(&t);
            char *sid = gtfs_arena_strndup(r->arena, id, n);
            if (!sid) goto oom;
            f->shapes[f->n_shapes] = (gtfs_shape){sid, 0, 0};
            s = (int32_t)f->n_shapes++;
            if (gtfs_idmap_put(&r->shapes, sid, n, s) == -2) goto oom;
        }
        if (!VGROW(recs, n_recs, cap_recs)) goto oom;
        recs[n_recs++] = (shape_rec){s, (uint32_t)seq, (uint32_t)LINE(&t), {lat, lon, (float)dist}};
    }
    if (row < 0) {
        rc = row_error(r, &t);
        free(recs);
        table_close(&t);
        return rc;
    }
    table_close(&t);
    if (n_recs) qsort(recs, n_recs, sizeof *recs, cmp_shape_rec);
    uint8_t *reported_shape = calloc(f->n_shapes ? f->n_shapes : 1, 1);
    f->shape_points = malloc((n_recs ? n_recs : 1) * sizeof *f->shape_points);
    if (!f->shape_points) {
        free(recs);
        free(first_line);
        free(reported_shape);
        return error_set(r->err, TC_ERR_NO_MEMORY, "shapes.txt", 0, 0, "out of memory");
    }
    size_t out = 0;
    for (size_t i = 0; i < n_recs; i++) {
        shape_rec *p = &recs[i];
        gtfs_shape *sh = &f->shapes[p->shape];
        if (i == 0 || recs[i - 1].shape != p->shape) {
            sh->pt_begin = (uint32_t)out;
            sh->pt_count = 0;
        } else {
            const shape_rec *q = &recs[i - 1];
            const char *problem = NULL;
            if (q->seq == p->seq) {
                diag_report(r->diag, TC_SEV_ERROR, "duplicate_key", "shapes.txt", p->line, c_seq + 1,
                            "shape \"%s\" has shape_pt_sequence %u twice (also line %u; point dropped)", sh->id, p->seq,
                            q->line);
                problem = "duplicate shape_pt_sequence";
            } else if (!isnan(p->pt.dist) && sh->pt_count && !isnan(f->shape_points[out - 1].dist) &&
                       p->pt.dist < f->shape_points[out - 1].dist) {
                diag_report(r->diag, TC_SEV_ERROR, "decreasing_shape_distance", "shapes.txt", p->line, c_dist + 1,
                            "shape \"%s\": shape_dist_traveled decreases along the shape", sh->id);
                problem = "shape_dist_traveled decreases";
            } else if (sh->pt_count) {
                const gtfs_shape_point *a = &f->shape_points[out - 1];
                double d = haversine_m(a->lat, a->lon, p->pt.lat, p->pt.lon);
                if (d > 100000)
                    diag_report(r->diag, TC_SEV_WARNING, "shape_segment_too_long", "shapes.txt", p->line, c_lat + 1,
                                "shape \"%s\": %.0f km from the previous point (a wrong coordinate?)", sh->id, d / 1000);
            }
            if (problem && first_line[p->shape] != p->line && !(reported_shape && reported_shape[p->shape])) {
                diag_report(r->diag, TC_SEV_ERROR, "invalid_shape", "shapes.txt", first_line[p->shape], 0,
                            "shape \"%s\": %s at line %u", sh->id, problem, p->line);
                if (reported_shape) reported_shape[p->shape] = 1;
            }
            if (q->seq == p->seq) continue;
        }
        f->shape_points[out++] = p->pt;
        sh->pt_count++;
    }
    f->n_shape_points = out;
    free(recs);
    free(first_line);
    free(reported_shape);
    return TC_OK;
oom:
    free(recs);
    free(first_line);
    table_close(&t);
    return error_set(r->err, TC_ERR_NO_MEMORY, "shapes.txt", 0, 0, "out of memory");
}

/* ------------------------------------------------------------------ trips.txt ------------------------------- */

static tc_status read_trips(reader *r) {
    static const char *const known[] = {"route_id", "service_id", "trip_id", "trip_headsign", "trip_short_name",
                                        "direction_id", "block_id", "shape_id", "wheelchair_accessible",
                                        "bikes_allowed", "cars_allowed", "safe_duration_factor",
                                        "safe_duration_offset", NULL};
    static const char *const req[] = {"route_id", "service_id", "trip_id", NULL};
    gtfs_feed *f = r->f;
    table t;
    tc_status rc = open_essential(r, &t, "trips.txt", known, req, "trips.txt is missing or unreadable: no trips",
                                  "trips.txt lacks a required column");
    if (rc) return rc;
    int c_route = csv_reader_col(&t.csv, "route_id"), c_svc = csv_reader_col(&t.csv, "service_id"),
        c_id = csv_reader_col(&t.csv, "trip_id"), c_head = csv_reader_col(&t.csv, "trip_headsign"),
        c_sn = csv_reader_col(&t.csv, "trip_short_name"), c_dir = csv_reader_col(&t.csv, "direction_id"),
        c_block = csv_reader_col(&t.csv, "block_id"), c_shape = csv_reader_col(&t.csv, "shape_id"),
        c_wc = csv_reader_col(&t.csv, "wheelchair_accessible");
    int row;
    size_t cap_lines = 0;
    while ((row = csv_reader_next(&t.csv)) == 1) {
        f->counts.trips++;
        const char *id;
        size_t n = req_id(r, &t, c_id, "trip_id", &id);
        if (!n) {
            f->counts.trips_dropped++;
            continue;
        }
        if (gtfs_idmap_get(&r->trips, id, n) != GTFS_NONE) {
            diag_report(r->diag, TC_SEV_ERROR, "duplicate_key", t.file, LINE(&t), c_id + 1,
                      "trip_id \"%.*s\" is defined twice (row dropped)", (int)n, id);
            f->counts.trips_dropped++;
            continue;
        }
        size_t rn, sn;
        const char *rs = csv_reader_get(&t.csv, c_route, &rn), *ss = csv_reader_get(&t.csv, c_svc, &sn);
        int32_t route = rn ? gtfs_idmap_get(&r->routes, rs, rn) : GTFS_NONE;
        if (route == GTFS_NONE) {
            diag_report(r->diag, TC_SEV_ERROR, rn ? "unknown_route" : "missing_required_field", t.file, LINE(&t),
                        c_route + 1, "trip \"%.*s\": route_id \"%.*s\" is not in routes.txt (trip dropped)", (int)n, id,
                        (int)rn, rs);
            f->counts.trips_dropped++;
            continue;
        }
        int32_t service = sn ? gtfs_idmap_get(&r->services, ss, sn) : GTFS_NONE;
        if (service == GTFS_NONE)
            diag_report(r->diag, TC_SEV_ERROR, sn ? "unknown_service" : "missing_required_field", t.file, LINE(&t),
                        c_svc + 1, "trip \"%.*s\": service_id \"%.*s\" is in no calendar file (trip kept, runs on no day)",
                        (int)n, id, (int)sn, ss);
        if (!VGROW(f->trips, f->n_trips, r->cap_trips)) return OOM(r, &t);
        if (cap_lines < r->cap_trips) {
            uint32_t *nl = realloc(r->trip_lines, r->cap_trips * sizeof *nl);
            if (!nl) return OOM(r, &t);
            r->trip_lines = nl;
            cap_lines = r->cap_trips;
        }
        gtfs_trip *tr = &f->trips[f->n_trips];
        memset(tr, 0, sizeof *tr);
        if (!(tr->id = gtfs_arena_strndup(r->arena, id, n)) || !(tr->headsign = dup_cell(r, &t.csv, c_head)) ||
            !(tr->short_name = dup_cell(r, &t.csv, c_sn)) || !(tr->block_id = dup_cell(r, &t.csv, c_block)) ||
            !(tr->shape_id = dup_cell(r, &t.csv, c_shape)))
            return OOM(r, &t);
        if (*tr->shape_id && gtfs_idmap_get(&r->shapes, tr->shape_id, strlen(tr->shape_id)) == GTFS_NONE) {
            diag_report(r->diag, TC_SEV_ERROR, "unknown_shape", t.file, LINE(&t), c_shape + 1,
                        "trip \"%s\": shape_id \"%s\" is not in shapes.txt (ignored)", tr->id, tr->shape_id);
            tr->shape_id = gtfs_arena_strndup(r->arena, "", 0);
        }
        tr->route = route;
        tr->service = service;
        tr->direction_id = opt_int(r, &t, c_dir, 0, 1, -1, "direction_id");
        tr->wheelchair_accessible = opt_int(r, &t, c_wc, 0, 2, 0, "wheelchair_accessible");
        r->trip_lines[f->n_trips] = (uint32_t)LINE(&t);
        if (gtfs_idmap_put(&r->trips, tr->id, n, (int32_t)f->n_trips) == -2) return OOM(r, &t);
        f->n_trips++;
    }
    if (row < 0) {
        rc = row_error(r, &t);
        table_close(&t);
        return rc;
    }
    table_close(&t);
    return TC_OK;
}

/* ------------------------------------------------------------------ stop_times.txt -------------------------- */

static int cmp_seq(const void *a, const void *b) {
    const st_rec *x = a, *y = b;
    if (x->st.stop_sequence != y->st.stop_sequence) return x->st.stop_sequence < y->st.stop_sequence ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static void drop_trip(reader *r, int32_t trip) {
    if (!r->trip_bad[trip]) r->trip_bad[trip] = 1;
}

/* The columns of stop_times.txt that are read (-1 when absent). */
typedef struct st_columns {
    int trip, arr, dep, stop, seq, pick, drop, tp, dist, loc, locg, win1, win2;
} st_columns;

/* The rows kept so far, as three parallel arrays: the stop_times themselves become the feed's array; the trip and
 * the line of each row serve the grouping and its messages. */
typedef struct st_rows {
    gtfs_stop_time *sts;
    int32_t *trip_of;
    uint32_t *line_of;
    size_t n, cap;
} st_rows;

static void st_rows_free(st_rows *rows) {
    free(rows->sts);
    free(rows->trip_of);
    free(rows->line_of);
}

/* Room for one more row; -1 when out of memory. */
static int st_rows_reserve(st_rows *rows) {
    if (rows->n < rows->cap) return 0;
    size_t ncap = rows->cap ? rows->cap * 2 : 4096;
    gtfs_stop_time *a = realloc(rows->sts, ncap * sizeof *a);
    if (!a) return -1;
    rows->sts = a;
    int32_t *b = realloc(rows->trip_of, ncap * sizeof *b);
    if (!b) return -1;
    rows->trip_of = b;
    uint32_t *c = realloc(rows->line_of, ncap * sizeof *c);
    if (!c) return -1;
    rows->line_of = c;
    rows->cap = ncap;
    return 0;
}

/* Feeds list a trip's stop_times together: the last trip_id seen skips most id lookups. */
typedef struct last_trip {
    char id[256];
    size_t len; /* 0: none remembered */
    int32_t idx;
} last_trip;

/* The row's trip (its id in *ts, *tn), or GTFS_NONE after reporting an unknown or blank trip_id. */
static int32_t row_trip(reader *r, table *t, const st_columns *c, last_trip *last, const char **ts, size_t *tn) {
    *ts = csv_reader_get(&t->csv, c->trip, tn);
    int32_t trip;
    if (*tn && *tn == last->len && !memcmp(*ts, last->id, *tn)) {
        trip = last->idx;
    } else {
        trip = *tn ? gtfs_idmap_get(&r->trips, *ts, *tn) : GTFS_NONE;
        if (*tn < sizeof last->id) {
            memcpy(last->id, *ts, *tn);
            last->len = *tn;
            last->idx = trip;
        } else {
            last->len = 0;
        }
    }
    if (trip == GTFS_NONE)
        diag_report(r->diag, TC_SEV_ERROR, *tn ? "unknown_trip" : "missing_required_field", t->file, LINE(t),
                    c->trip + 1, "trip_id \"%.*s\" is not in trips.txt (row dropped)", (int)*tn, *ts);
    return trip;
}

/* The row's stop, or GTFS_NONE after dropping the trip: a GTFS-Flex row (a time window, a location or a location
 * group: not supported, said once per trip), a blank stop_id, or one not in stops.txt. */
static int32_t row_stop(reader *r, table *t, const st_columns *c, int32_t trip, const char *ts, size_t tn) {
    size_t sn, wn1, wn2;
    const char *ss = csv_reader_get(&t->csv, c->stop, &sn);
    csv_reader_get(&t->csv, c->win1, &wn1);
    csv_reader_get(&t->csv, c->win2, &wn2);
    if (sn && (wn1 || wn2)) {
        /* GTFS-Flex: a stop served on demand within a time window, not at a scheduled time */
        if (!r->trip_bad[trip])
            diag_report(r->diag, TC_SEV_WARNING, "flex_not_supported", t->file, LINE(t), (wn1 ? c->win1 : c->win2) + 1,
                        "trip \"%.*s\" is a GTFS-Flex trip with pickup/drop-off windows (trip dropped)", (int)tn, ts);
        drop_trip(r, trip);
        return GTFS_NONE;
    }
    if (!sn) {
        size_t ln, gn;
        csv_reader_get(&t->csv, c->loc, &ln);
        csv_reader_get(&t->csv, c->locg, &gn);
        if (ln || gn) {
            if (!r->trip_bad[trip])
                diag_report(r->diag, TC_SEV_WARNING, "flex_not_supported", t->file, LINE(t), (ln ? c->loc : c->locg) + 1,
                            "trip \"%.*s\" serves a GTFS-Flex location or location group (trip dropped)", (int)tn, ts);
        } else {
            diag_report(r->diag, TC_SEV_ERROR, "missing_required_field", t->file, LINE(t), c->stop + 1,
                        "stop_id is empty (trip \"%.*s\" dropped)", (int)tn, ts);
        }
        drop_trip(r, trip);
        return GTFS_NONE;
    }
    int32_t stop = gtfs_idmap_get(&r->stops, ss, sn);
    if (stop == GTFS_NONE) {
        diag_report(r->diag, TC_SEV_ERROR, "unknown_stop", t->file, LINE(t), c->stop + 1,
                    "stop_id \"%.*s\" is not in stops.txt (trip \"%.*s\" dropped)", (int)sn, ss, (int)tn, ts);
        drop_trip(r, trip);
    }
    return stop;
}

/* The row's arrival and departure (TC_TIME_NONE when blank; a bad time is reported and read as blank; a departure
 * before the arrival is set to the arrival). */
static void row_times(reader *r, table *t, const st_columns *c, int32_t *arr_out, int32_t *dep_out) {
    int32_t arr = TC_TIME_NONE, dep = TC_TIME_NONE;
    size_t an, dn;
    const char *as = csv_reader_get(&t->csv, c->arr, &an), *ds = csv_reader_get(&t->csv, c->dep, &dn);
    if (an && gtfs_parse_time(as, an, &arr)) {
        diag_report(r->diag, TC_SEV_ERROR, "invalid_time", t->file, LINE(t), c->arr + 1,
                    "arrival_time \"%.*s\" is not H:MM:SS (treated as blank)", (int)an, as);
        arr = TC_TIME_NONE;
    }
    if (dn && gtfs_parse_time(ds, dn, &dep)) {
        diag_report(r->diag, TC_SEV_ERROR, "invalid_time", t->file, LINE(t), c->dep + 1,
                    "departure_time \"%.*s\" is not H:MM:SS (treated as blank)", (int)dn, ds);
        dep = TC_TIME_NONE;
    }
    if ((arr == TC_TIME_NONE) != (dep == TC_TIME_NONE) && (an != 0) != (dn != 0))
        diag_report(r->diag, TC_SEV_WARNING, "missing_required_field", t->file, LINE(t), (an ? c->dep : c->arr) + 1,
                    "%s is given but %s is blank (taken to be the same)", an ? "arrival_time" : "departure_time",
                    an ? "departure_time" : "arrival_time");
    if (arr != TC_TIME_NONE && dep != TC_TIME_NONE && dep < arr) {
        diag_report(r->diag, TC_SEV_ERROR, "departure_before_arrival", t->file, LINE(t), c->dep + 1,
                    "departure_time is before arrival_time (departure set to the arrival)");
        dep = arr;
    }
    *arr_out = arr;
    *dep_out = dep;
}

/* One stop_times row into rows, or reported and left out (with its trip, when the trip cannot run without it).
 * Returns -1 when out of memory, else 0. */
static int read_stop_time_row(reader *r, table *t, const st_columns *c, last_trip *last, st_rows *rows) {
    r->f->counts.stop_times++;
    const char *ts;
    size_t tn;
    int32_t trip = row_trip(r, t, c, last, &ts, &tn);
    if (trip == GTFS_NONE) {
        r->f->counts.stop_times_dropped++;
        return 0;
    }
    int32_t stop = row_stop(r, t, c, trip, ts, tn);
    if (stop == GTFS_NONE) return 0;
    size_t qn;
    const char *qs = csv_reader_get(&t->csv, c->seq, &qn);
    long seq;
    if (gtfs_parse_int(qs, qn, 0, UINT32_MAX, &seq)) {
        diag_report(r->diag, TC_SEV_ERROR, qn ? "invalid_stop_sequence" : "missing_required_field", t->file, LINE(t),
                    c->seq + 1, "stop_sequence \"%.*s\" is not a non-negative integer (trip \"%.*s\" dropped)", (int)qn,
                    qs, (int)tn, ts);
        drop_trip(r, trip);
        return 0;
    }
    int32_t arr, dep;
    row_times(r, t, c, &arr, &dep);
    size_t xn;
    const char *xs = csv_reader_get(&t->csv, c->dist, &xn);
    double dist = NAN;
    if (xn && (gtfs_parse_double(xs, xn, &dist) || dist < 0)) {
        diag_report(r->diag, TC_SEV_WARNING, "invalid_value", t->file, LINE(t), c->dist + 1,
                    "shape_dist_traveled \"%.*s\" is not a non-negative number (ignored)", (int)xn, xs);
        dist = NAN;
    }
    int tp_default = (arr != TC_TIME_NONE || dep != TC_TIME_NONE) ? 1 : 0;
    int tp = opt_int(r, t, c->tp, 0, 1, tp_default, "timepoint");
    if (tp == 1 && arr == TC_TIME_NONE && dep == TC_TIME_NONE) tp = 0;
    if (st_rows_reserve(rows)) return -1;
    gtfs_stop_time *rec = &rows->sts[rows->n];
    rec->stop = stop;
    rec->arrival = arr;
    rec->departure = dep;
    rec->stop_sequence = (uint32_t)seq;
    rec->pickup_type = (uint8_t)opt_int(r, t, c->pick, 0, 3, 0, "pickup_type");
    rec->drop_off_type = (uint8_t)opt_int(r, t, c->drop, 0, 3, 0, "drop_off_type");
    rec->timepoint = (uint8_t)tp;
    rec->shape_dist_traveled = (float)dist;
    rows->trip_of[rows->n] = trip;
    rows->line_of[rows->n++] = (uint32_t)LINE(t);
    return 0;
}

static tc_status group_stop_times(reader *r, st_rows *rows, const st_columns *c);
static void check_trips_together(reader *r, const uint32_t *kept_line);

static tc_status read_stop_times(reader *r) {
    static const char *const known[] = {"trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence",
                                        "stop_headsign", "pickup_type", "drop_off_type", "continuous_pickup",
                                        "continuous_drop_off", "shape_dist_traveled", "timepoint", "location_id",
                                        "location_group_id", "start_pickup_drop_off_window",
                                        "end_pickup_drop_off_window", "pickup_booking_rule_id",
                                        "drop_off_booking_rule_id", "mean_duration_factor", "mean_duration_offset",
                                        "safe_duration_factor", "safe_duration_offset", NULL};
    static const char *const req[] = {"trip_id", "stop_sequence", NULL};
    gtfs_feed *f = r->f;
    st_rows rows = {0};
    const st_columns no_columns = {0};
    r->trip_bad = calloc(f->n_trips ? f->n_trips : 1, 1);
    if (!r->trip_bad) return error_set(r->err, TC_ERR_NO_MEMORY, "stop_times.txt", 0, 0, "out of memory");
    table t;
    tc_status rc = table_open(r, &t, "stop_times.txt", known);
    if (rc) return rc;
    if (!t.present)
        return error_set(r->err, TC_ERR_PARSE, "stop_times.txt", 0, 0,
                         "stop_times.txt is missing or unreadable: no trip has stops");
    if (require_columns(r, &t, req)) {
        /* no rows can be read: every trip is left without stop_times (each reported), which is fatal later */
        table_close(&t);
        return group_stop_times(r, &rows, &no_columns);
    }
    const csv_reader *csv = &t.csv;
    const st_columns c = {
        .trip = csv_reader_col(csv, "trip_id"), .arr = csv_reader_col(csv, "arrival_time"),
        .dep = csv_reader_col(csv, "departure_time"), .stop = csv_reader_col(csv, "stop_id"),
        .seq = csv_reader_col(csv, "stop_sequence"), .pick = csv_reader_col(csv, "pickup_type"),
        .drop = csv_reader_col(csv, "drop_off_type"), .tp = csv_reader_col(csv, "timepoint"),
        .dist = csv_reader_col(csv, "shape_dist_traveled"), .loc = csv_reader_col(csv, "location_id"),
        .locg = csv_reader_col(csv, "location_group_id"), .win1 = csv_reader_col(csv, "start_pickup_drop_off_window"),
        .win2 = csv_reader_col(csv, "end_pickup_drop_off_window")};
    if (c.stop < 0 && c.loc < 0 && c.locg < 0) {
        table_close(&t);
        diag_report(r->diag, TC_SEV_ERROR, "missing_required_column", "stop_times.txt", 1, 0,
                    "required column \"stop_id\" is missing");
        return group_stop_times(r, &rows, &no_columns);
    }
    last_trip last = {.len = 0, .idx = GTFS_NONE};
    int row;
    while ((row = csv_reader_next(&t.csv)) == 1) {
        if (read_stop_time_row(r, &t, &c, &last, &rows)) {
            st_rows_free(&rows);
            table_close(&t);
            return error_set(r->err, TC_ERR_NO_MEMORY, "stop_times.txt", 0, 0, "out of memory");
        }
    }
    tc_status row_rc = row < 0 && t.csv.fatal ? row_error(r, &t) : TC_OK; /* before the close forgets why */
    table_close(&t);
    if (row < 0) {
        st_rows_free(&rows);
        return row_rc ? row_rc : r->err ? r->err->code : TC_ERR_IO;
    }
    return group_stop_times(r, &rows, &c);
}

/* Implausible speed between consecutive stops: a stop more than 500 m away reached in the same second, or faster
 * than the mode allows (km/h: 150 for road and water, 350 for rail, 1000 for air). Usually a wrong coordinate or a
 * wrong time; reported, not dropped, since the timetable itself is still consistent. */
static void check_trip_speeds(reader *r, const gtfs_trip *tr, const gtfs_stop_time *s, const uint32_t *ln, size_t n,
                              int c_arr) {
    const gtfs_feed *f = r->f;
    int type = f->routes[tr->route].type;
    double max_kmh = type == 1100 || (type >= 1100 && type < 1200) ? 1000
                     : (type == 1 || type == 2 || (type >= 100 && type < 500)) ? 350 : 150;
    for (size_t k = 1; k < n; k++) {
        const gtfs_stop *a = &f->stops[s[k - 1].stop], *b = &f->stops[s[k].stop];
        double d = fast_distance_m(a->lat, a->lon, b->lat, b->lon);
        double dt = (double)s[k].arrival - (double)s[k - 1].departure;
        if ((dt <= 0 && d > 500) || (dt > 0 && d / dt * 3.6 > max_kmh)) {
            /* said once, on the trip's row (it is the trip that is suspicious), naming the stop_times row */
            diag_report(r->diag, TC_SEV_WARNING, "fast_travel", "trips.txt", r->trip_lines[tr - f->trips], 0,
                          "trip \"%s\" covers %.0f m from stop \"%s\" to \"%s\" in %.0f s (stop_times.txt line %u, "
                          "column %d): implausible speed", tr->id, d, a->id, b->id, dt, ln[k], c_arr + 1);
            return;
        }
    }
}

/* Where each trip's rows are once they are grouped: trip ti's rows are [begin[ti], begin[ti] + count[ti]) of the
 * rows; order lists the trips with rows in the order of their runs. */
typedef struct trip_runs {
    uint32_t *begin, *count;
    int32_t *order;
    size_t n_order;
    st_rec *tmp; /* scratch for sorting one trip's rows */
    size_t tmp_cap;
} trip_runs;

static void trip_runs_free(trip_runs *runs) {
    free(runs->begin);
    free(runs->count);
    free(runs->order);
    free(runs->tmp);
}

/* Makes each trip's rows one contiguous run. Feeds nearly always list them so: then the runs are used in place, in
 * file order. Otherwise a counting sort by trip (stable, so file order within a trip) makes them so. Returns -1
 * when out of memory. */
static int group_runs(size_t nt, st_rows *rows, trip_runs *runs) {
    const size_t n_recs = rows->n;
    const int32_t *trip_of = rows->trip_of;
    runs->begin = malloc((nt ? nt : 1) * sizeof *runs->begin);
    runs->count = calloc(nt ? nt : 1, sizeof *runs->count);
    runs->order = malloc((nt ? nt : 1) * sizeof *runs->order);
    if (!runs->begin || !runs->count || !runs->order) return -1;
    uint32_t *begin = runs->begin, *count = runs->count;
    size_t n_order = 0;
    int grouped = 1;
    for (size_t i = 0; i < n_recs; i++) {
        int32_t tr = trip_of[i];
        if (i > 0 && trip_of[i - 1] == tr) {
            count[tr]++;
            continue;
        }
        if (count[tr]) grouped = 0; /* a second run of the same trip */
        else {
            begin[tr] = (uint32_t)i;
            runs->order[n_order++] = tr;
        }
        count[tr]++;
    }
    runs->n_order = n_order;
    if (grouped) return 0;
    gtfs_stop_time *s2 = malloc((n_recs ? n_recs : 1) * sizeof *s2);
    uint32_t *l2 = malloc((n_recs ? n_recs : 1) * sizeof *l2);
    if (!s2 || !l2) {
        free(s2);
        free(l2);
        return -1;
    }
    uint32_t acc = 0;
    n_order = 0;
    for (size_t ti = 0; ti < nt; ti++) {
        begin[ti] = acc;
        acc += count[ti];
        if (count[ti]) runs->order[n_order++] = (int32_t)ti;
    }
    for (size_t i = 0; i < n_recs; i++) {
        uint32_t k = begin[trip_of[i]]++;
        s2[k] = rows->sts[i];
        l2[k] = rows->line_of[i];
    }
    for (size_t ti = 0; ti < nt; ti++) begin[ti] -= count[ti];
    free(rows->sts);
    rows->sts = s2;
    memcpy(rows->line_of, l2, n_recs * sizeof *l2);
    free(l2);
    runs->n_order = n_order;
    return 0;
}

/* The first problem of a trip, echoed on its trips.txt row once the trip is done. */
typedef struct trip_issue {
    const char *code;
    uint32_t line;
} trip_issue;

static void note_issue(trip_issue *is, const char *code, uint32_t line) {
    if (!is->code) is->code = code, is->line = line;
}

/* One trip's rows s[0..n) (lines ln) in stop_sequence order; equal values are reported and kept in file order, the
 * best guess left. Returns -1 when out of memory. */
static int sort_by_sequence(reader *r, trip_runs *runs, size_t ti, gtfs_stop_time *s, uint32_t *ln, size_t n,
                            int c_seq, trip_issue *is) {
    int sorted_already = 1;
    for (size_t k = 1; k < n; k++)
        if (s[k].stop_sequence <= s[k - 1].stop_sequence) sorted_already = 0;
    if (!sorted_already) {
        if (n > runs->tmp_cap) {
            st_rec *bigger = realloc(runs->tmp, n * sizeof *bigger);
            if (!bigger) return -1;
            runs->tmp = bigger;
            runs->tmp_cap = n;
        }
        st_rec *tmp = runs->tmp;
        for (size_t k = 0; k < n; k++) tmp[k] = (st_rec){s[k], (int32_t)ti, ln[k]};
        qsort(tmp, n, sizeof *tmp, cmp_seq);
        for (size_t k = 0; k < n; k++) s[k] = tmp[k].st, ln[k] = tmp[k].line;
    }
    for (size_t k = 1; k < n; k++)
        if (s[k].stop_sequence == s[k - 1].stop_sequence) {
            diag_report(r->diag, TC_SEV_ERROR, "duplicate_stop_sequence", "stop_times.txt", ln[k], c_seq + 1,
                        "trip \"%s\" has stop_sequence %u twice (also line %u; kept in file order)", r->f->trips[ti].id,
                        s[k].stop_sequence, ln[k - 1]);
            note_issue(is, "duplicate_stop_sequence", ln[k]);
        }
    return 0;
}

/* shape_dist_traveled must not decrease; when it does, it is dropped for the trip and interpolation along the shape
 * falls back to straight lines. */
static void check_shape_distances(reader *r, const gtfs_trip *tr, gtfs_stop_time *s, const uint32_t *ln, size_t n,
                                  int c_dist, trip_issue *is) {
    float last = -1;
    for (size_t k = 0; k < n; k++) {
        float d = s[k].shape_dist_traveled;
        if (isnan(d)) continue;
        if (d < last) {
            diag_report(r->diag, TC_SEV_ERROR, "decreasing_shape_distance", "stop_times.txt", ln[k], c_dist + 1,
                        "trip \"%s\": shape_dist_traveled decreases (ignored for this trip)", tr->id);
            note_issue(is, "decreasing_shape_distance", ln[k]);
            for (size_t j = 0; j < n; j++) s[j].shape_dist_traveled = NAN;
            return;
        }
        last = d;
    }
}

/* A trip whose clock restarts at 00:00 after 23:xx (instead of 24:xx) is a common export bug: a drop of more than 12
 * hours is read as crossing midnight, with a warning. */
static void unwrap_midnight(reader *r, const gtfs_trip *tr, gtfs_stop_time *s, const uint32_t *ln, size_t n,
                            const st_columns *c) {
    int32_t last_t = INT32_MIN, shift = 0;
    for (size_t k = 0; k < n; k++) {
        int32_t *tt[2] = {&s[k].arrival, &s[k].departure};
        for (int j = 0; j < 2; j++) {
            if (*tt[j] == TC_TIME_NONE) continue;
            if (last_t != INT32_MIN && *tt[j] + shift < last_t - 12 * 3600) {
                shift += 86400;
                diag_report(r->diag, TC_SEV_WARNING, "time_wraps_midnight", "stop_times.txt", ln[k],
                            (j ? c->dep : c->arr) + 1,
                            "trip \"%s\": time goes back over 12 hours (read as the next day, +24:00:00)", tr->id);
            }
            *tt[j] += shift;
            last_t = *tt[j];
        }
    }
}

/* The times of a trip in stop_sequence order: blank ones interpolated between its timed stops; a trip without a
 * time at either end, or that arrives somewhere before it left the previous stop, cannot run. Returns 1 when the
 * trip is kept. */
static int check_trip_times(reader *r, const gtfs_trip *tr, gtfs_stop_time *s, const uint32_t *ln, size_t n,
                            const st_columns *c, trip_issue *is) {
    unwrap_midnight(r, tr, s, ln, n, c);
    int first_blank = s[0].arrival == TC_TIME_NONE && s[0].departure == TC_TIME_NONE;
    if (gtfs_interpolate_trip(s, n, r->f->stops)) {
        uint32_t line = first_blank ? ln[0] : ln[n - 1];
        diag_report(r->diag, TC_SEV_ERROR, "missing_endpoint_time", "stop_times.txt", line, c->arr + 1,
                    "trip \"%s\": the %s stop has no arrival or departure time (trip dropped)", tr->id,
                    first_blank ? "first" : "last");
        note_issue(is, "missing_endpoint_time", line);
        return 0;
    }
    for (size_t k = 1; k < n; k++) {
        if (s[k].arrival < s[k - 1].departure) {
            diag_report(r->diag, TC_SEV_ERROR, "time_travel", "stop_times.txt", ln[k], c->arr + 1,
                        "trip \"%s\" arrives at stop_sequence %u before it left the previous stop (trip dropped)",
                        tr->id, s[k].stop_sequence);
            note_issue(is, "time_travel", ln[k]);
            return 0;
        }
    }
    return 1;
}

/* Every check of trip ti, whose rows are s[0..n) (lines ln), repairing what can be repaired. Returns 1 when the
 * trip is kept, 0 when dropped, -1 when out of memory. */
static int check_trip(reader *r, trip_runs *runs, size_t ti, gtfs_stop_time *s, uint32_t *ln, size_t n,
                      const st_columns *c) {
    gtfs_trip *tr = &r->f->trips[ti];
    int ok = !r->trip_bad[ti];
    trip_issue is = {NULL, 0};
    if (ok && sort_by_sequence(r, runs, ti, s, ln, n, c->seq, &is)) return -1;
    if (ok && n == 1) {
        diag_report(r->diag, TC_SEV_WARNING, "trip_single_stop", "stop_times.txt", ln[0], 0,
                    "trip \"%s\" serves a single stop (trip dropped)", tr->id);
        note_issue(&is, "trip_single_stop", ln[0]);
        ok = 0;
    }
    if (ok) {
        check_shape_distances(r, tr, s, ln, n, c->dist, &is);
        ok = check_trip_times(r, tr, s, ln, n, c, &is);
    }
    if (ok && !is.code) check_trip_speeds(r, tr, s, ln, n, c->arr);
    if (is.code)
        diag_report(r->diag, ok ? TC_SEV_WARNING : TC_SEV_ERROR, is.code, "trips.txt", r->trip_lines[ti], 0,
                    "trip \"%s\": %s at stop_times.txt line %u (%s)", tr->id, is.code, is.line,
                    ok ? "trip kept" : "trip dropped");
    return ok;
}

/* The kept trips slide to the front of f->trips; trip_new maps old indices to new ones (GTFS_NONE: dropped). */
static size_t compact_trips(reader *r, const uint8_t *keep) {
    gtfs_feed *f = r->f;
    size_t out_trips = 0;
    for (size_t ti = 0; ti < f->n_trips; ti++) {
        if (!keep[ti]) {
            r->trip_new[ti] = GTFS_NONE;
            f->counts.trips_dropped++;
            continue;
        }
        r->trip_new[ti] = (int32_t)out_trips;
        if (out_trips != ti) f->trips[out_trips] = f->trips[ti];
        out_trips++;
    }
    return out_trips;
}

/* Groups the rows (owned from here on: they become f->stop_times) into one checked run per trip, drops the trips
 * that cannot run, and compacts the trips and stop_times. */
static tc_status group_stop_times(reader *r, st_rows *rows, const st_columns *c) {
    gtfs_feed *f = r->f;
    size_t nt = f->n_trips;
    trip_runs runs = {0};
    uint8_t *keep = NULL;
    r->trip_new = malloc((nt ? nt : 1) * sizeof *r->trip_new);
    if (!r->trip_new || group_runs(nt, rows, &runs)) goto oom;
    keep = calloc(nt ? nt : 1, 1);
    if (!keep) goto oom;
    /* trips with no rows at all */
    for (size_t ti = 0; ti < nt; ti++)
        if (!runs.count[ti] && !r->trip_bad[ti])
            diag_report(r->diag, TC_SEV_WARNING, "trip_without_stop_times", "trips.txt", r->trip_lines[ti], 0,
                        "trip \"%s\" has no stop_times (trip dropped)", f->trips[ti].id);
    gtfs_stop_time *sts = rows->sts;
    size_t out_st = 0;
    for (size_t oi = 0; oi < runs.n_order; oi++) {
        size_t ti = (size_t)runs.order[oi];
        size_t n = runs.count[ti];
        gtfs_stop_time *s = sts + runs.begin[ti];
        int ok = check_trip(r, &runs, ti, s, rows->line_of + runs.begin[ti], n, c);
        if (ok < 0) goto oom;
        if (!ok) continue;
        /* runs are visited in array order, so the kept ones slide left without overlap trouble */
        if (out_st != runs.begin[ti]) memmove(sts + out_st, s, n * sizeof *s);
        f->trips[ti].st_begin = (uint32_t)out_st;
        f->trips[ti].st_count = (uint32_t)n;
        keep[ti] = 1;
        out_st += n;
    }
    size_t out_trips = compact_trips(r, keep);
    free(keep);
    trip_runs_free(&runs);
    f->stop_times = sts;
    rows->sts = NULL;
    uint32_t *kept_line = malloc((out_trips ? out_trips : 1) * sizeof *kept_line);
    if (kept_line) {
        for (size_t ti = 0; ti < nt; ti++)
            if (r->trip_new[ti] != GTFS_NONE) kept_line[r->trip_new[ti]] = r->trip_lines[ti];
        f->n_trips = out_trips;
        check_trips_together(r, kept_line);
        free(kept_line);
    }
    f->n_stop_times = out_st;
    f->n_trips = out_trips;
    f->counts.stop_times_dropped = f->counts.stop_times - out_st;
    gtfs_stop_time *shrunk = realloc(f->stop_times, (out_st ? out_st : 1) * sizeof *shrunk);
    if (shrunk) f->stop_times = shrunk;
    st_rows_free(rows);
    return TC_OK;
oom:
    free(keep);
    trip_runs_free(&runs);
    st_rows_free(rows);
    return error_set(r->err, TC_ERR_NO_MEMORY, "stop_times.txt", 0, 0, "out of memory");
}

/* ------------------------------------------------------------------ checks across trips -------------------- */

typedef struct block_item {
    const char *block;
    int32_t service;
    int32_t start, end;
    uint32_t line;
} block_item;

static int cmp_block_item(const void *a, const void *b) {
    const block_item *x = a, *y = b;
    int c = strcmp(x->block, y->block);
    if (c) return c;
    if (x->service != y->service) return x->service < y->service ? -1 : 1;
    if (x->start != y->start) return x->start < y->start ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Distance in metres from (lat, lon) to the polyline, on a local flat projection around the point. */
static double distance_to_shape(const gtfs_shape_point *pts, size_t n, double lat, double lon) {
    const double ky = 110540.0, kx = 111320.0 * cos(lat * M_PI / 180.0);
    double best = INFINITY;
    for (size_t i = 0; i < n; i++) {
        double bx = (pts[i].lon - lon) * kx, by = (pts[i].lat - lat) * ky;
        if (fabs(bx) > 360 * kx) bx = 0; /* antimeridian: good enough for a warning */
        double d2;
        if (i == 0) {
            d2 = bx * bx + by * by;
        } else {
            double ax = (pts[i - 1].lon - lon) * kx, ay = (pts[i - 1].lat - lat) * ky;
            double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
            double u = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
            if (u < 0) u = 0;
            if (u > 1) u = 1;
            double px = ax + u * dx, py = ay + u * dy;
            d2 = px * px + py * py;
        }
        if (d2 < best) best = d2;
    }
    return sqrt(best);
}

/* After the trips are final: vehicles of one block cannot run two trips at once, and a trip's stops should lie
 * along its shape (checked once per shape, on the first trip that uses it). Warnings only. */
static void check_trips_together(reader *r, const uint32_t *kept_line) {
    gtfs_feed *f = r->f;
    block_item *items = malloc((f->n_trips ? f->n_trips : 1) * sizeof *items);
    uint8_t *shape_done = calloc(f->n_shapes ? f->n_shapes : 1, 1);
    if (items && shape_done) {
        size_t n = 0;
        for (size_t i = 0; i < f->n_trips; i++) {
            const gtfs_trip *t = &f->trips[i];
            if (*t->block_id && t->st_count)
                items[n++] = (block_item){t->block_id, t->service, f->stop_times[t->st_begin].departure,
                                          f->stop_times[t->st_begin + t->st_count - 1].arrival, kept_line[i]};
            if (!*t->shape_id) continue;
            int32_t sh = gtfs_idmap_get(&r->shapes, t->shape_id, strlen(t->shape_id));
            if (sh == GTFS_NONE || shape_done[sh]) continue;
            shape_done[sh] = 1;
            const gtfs_shape *shape = &f->shapes[sh];
            if (shape->pt_count < 2) continue;
            for (uint32_t k = 0; k < t->st_count; k++) {
                const gtfs_stop *st = &f->stops[f->stop_times[t->st_begin + k].stop];
                double d = distance_to_shape(f->shape_points + shape->pt_begin, shape->pt_count, st->lat, st->lon);
                if (d > 1000) {
                    diag_report(r->diag, TC_SEV_WARNING, "stop_too_far_from_shape", "trips.txt", kept_line[i], 0,
                                "trip \"%s\": stop \"%s\" is %.0f m from shape \"%s\"", t->id, st->id, d, shape->id);
                    break;
                }
            }
        }
        qsort(items, n, sizeof *items, cmp_block_item);
        size_t g = 0;
        for (size_t i = 1; i < n; i++) {
            if (strcmp(items[i].block, items[g].block) || items[i].service != items[g].service) {
                g = i;
                continue;
            }
            /* g: the trip of the group that ends last so far */
            if (items[i].start < items[g].end) {
                uint32_t line = items[i].line > items[g].line ? items[i].line : items[g].line;
                uint32_t other = items[i].line > items[g].line ? items[g].line : items[i].line;
                diag_report(r->diag, TC_SEV_WARNING, "block_overlap", "trips.txt", line, 0,
                            "block \"%s\": this trip overlaps in time with the trip on line %u (one vehicle, two "
                            "trips at once)", items[i].block, other);
            }
            if (items[i].end > items[g].end) g = i;
        }
    }
    free(items);
    free(shape_done);
}

/* Resolve a trip id read after stop_times (frequencies, transfers): the trip's new index, or GTFS_NONE with a
 * finding that says whether the id is unknown or its trip was dropped. */
static int32_t lookup_trip_after(reader *r, table *t, int col, const char *s, size_t n, const char *what) {
    int32_t old = gtfs_idmap_get(&r->trips, s, n);
    if (old == GTFS_NONE) {
        diag_report(r->diag, TC_SEV_ERROR, "unknown_trip", t->file, LINE(t), col + 1,
                    "%s \"%.*s\" is not in trips.txt (row dropped)", what, (int)n, s);
        return GTFS_NONE;
    }
    int32_t nw = r->trip_new[old];
    if (nw == GTFS_NONE)
        diag_report(r->diag, TC_SEV_WARNING, "dropped_trip", t->file, LINE(t), col + 1,
                    "%s \"%.*s\" was dropped earlier (row dropped)", what, (int)n, s);
    return nw;
}

/* ------------------------------------------------------------------ frequencies.txt ------------------------- */

static tc_status read_frequencies(reader *r) {
    static const char *const known[] = {"trip_id", "start_time", "end_time", "headway_secs", "exact_times", NULL};
    static const char *const req[] = {"trip_id", "start_time", "end_time", "headway_secs", NULL};
    gtfs_feed *f = r->f;
    table t;
    tc_status rc = open_optional(r, &t, "frequencies.txt", known, req);
    if (rc || !t.present) return rc;
    int c_trip = csv_reader_col(&t.csv, "trip_id"), c_start = csv_reader_col(&t.csv, "start_time"),
        c_end = csv_reader_col(&t.csv, "end_time"), c_head = csv_reader_col(&t.csv, "headway_secs"),
        c_exact = csv_reader_col(&t.csv, "exact_times");
    size_t cap = 0;
    uint32_t *lines = NULL;
    int row;
    while ((row = csv_reader_next(&t.csv)) == 1) {
        f->counts.frequencies++;
        const char *id;
        size_t n = req_id(r, &t, c_trip, "trip_id", &id);
        if (!n) continue;
        int32_t trip = lookup_trip_after(r, &t, c_trip, id, n, "trip_id");
        if (trip == GTFS_NONE) continue;
        size_t sn, en, hn;
        const char *ss = csv_reader_get(&t.csv, c_start, &sn), *es = csv_reader_get(&t.csv, c_end, &en),
                   *hs = csv_reader_get(&t.csv, c_head, &hn);
        int32_t st, et;
        long hw;
        if (gtfs_parse_time(ss, sn, &st)) {
            diag_report(r->diag, TC_SEV_ERROR, "invalid_time", t.file, LINE(&t), c_start + 1,
                        "start_time \"%.*s\" is not H:MM:SS (row dropped)", (int)sn, ss);
            continue;
        }
        if (gtfs_parse_time(es, en, &et)) {
            diag_report(r->diag, TC_SEV_ERROR, "invalid_time", t.file, LINE(&t), c_end + 1,
                        "end_time \"%.*s\" is not H:MM:SS (row dropped)", (int)en, es);
            continue;
        }
        if (et <= st) {
            diag_report(r->diag, TC_SEV_ERROR, "invalid_time_range", t.file, LINE(&t), c_end + 1,
                        "end_time is not after start_time (row dropped)");
            continue;
        }
        if (gtfs_parse_int(hs, hn, 1, 86400 * 2, &hw)) {
            diag_report(r->diag, TC_SEV_ERROR, "invalid_value", t.file, LINE(&t), c_head + 1,
                        "headway_secs \"%.*s\" is not a positive number of seconds (row dropped)", (int)hn, hs);
            continue;
        }
        int exact = opt_int(r, &t, c_exact, 0, 1, 0, "exact_times");
        if (et - st < hw)
            diag_report(r->diag, TC_SEV_WARNING, "frequency_shorter_than_headway", t.file, LINE(&t), c_end + 1,
                        "the window %d s is shorter than headway_secs %ld: at most one departure", (int)(et - st), hw);
        /* overlapping windows of one trip would run it twice at once */
        for (size_t i = f->n_frequencies; i-- > 0;) {
            const gtfs_frequency *q = &f->frequencies[i];
            if (q->trip == trip && st < q->end_time && q->start_time < et) {
                diag_report(r->diag, TC_SEV_WARNING, "overlapping_frequency", t.file, LINE(&t), c_start + 1,
                            "frequency window overlaps another of the same trip (line %u)", lines[i]);
                break;
            }
        }
        size_t oldcap = cap;
        if (!VGROW(f->frequencies, f->n_frequencies, cap)) goto oom;
        if (cap != oldcap) {
            uint32_t *nl = realloc(lines, cap * sizeof *nl);
            if (!nl) goto oom;
            lines = nl;
        }
        lines[f->n_frequencies] = (uint32_t)LINE(&t);
        f->frequencies[f->n_frequencies++] = (gtfs_frequency){trip, st, et, (int32_t)hw, (uint8_t)exact};
    }
    free(lines);
    if (row < 0) rc = row_error(r, &t);
    table_close(&t);
    return rc;
oom:
    free(lines);
    table_close(&t);
    return error_set(r->err, TC_ERR_NO_MEMORY, "frequencies.txt", 0, 0, "out of memory");
}

/* ------------------------------------------------------------------ transfers.txt --------------------------- */

static tc_status read_transfers(reader *r) {
    static const char *const known[] = {"from_stop_id", "to_stop_id", "from_route_id", "to_route_id",
                                        "from_trip_id", "to_trip_id", "transfer_type", "min_transfer_time", NULL};
    gtfs_feed *f = r->f;
    table t;
    tc_status rc = table_open(r, &t, "transfers.txt", known);
    if (rc || !t.present) return rc;
    int c_fs = csv_reader_col(&t.csv, "from_stop_id"), c_ts = csv_reader_col(&t.csv, "to_stop_id"),
        c_fr = csv_reader_col(&t.csv, "from_route_id"), c_tr = csv_reader_col(&t.csv, "to_route_id"),
        c_ft = csv_reader_col(&t.csv, "from_trip_id"), c_tt = csv_reader_col(&t.csv, "to_trip_id"),
        c_type = csv_reader_col(&t.csv, "transfer_type"), c_min = csv_reader_col(&t.csv, "min_transfer_time");
    size_t cap = 0;
    int row;
    while ((row = csv_reader_next(&t.csv)) == 1) {
        f->counts.transfers++;
        size_t tn;
        const char *ts = csv_reader_get(&t.csv, c_type, &tn);
        long type = 0;
        if (tn && gtfs_parse_int(ts, tn, 0, 5, &type)) {
            diag_report(r->diag, TC_SEV_ERROR, "invalid_value", t.file, LINE(&t), c_type + 1,
                        "transfer_type \"%.*s\" is not 0–5 (row dropped)", (int)tn, ts);
            continue;
        }
        gtfs_transfer x = {GTFS_NONE, GTFS_NONE, GTFS_NONE, GTFS_NONE, GTFS_NONE, GTFS_NONE, (int)type, -1};
        int bad = 0;
        const struct {
            int col;
            int32_t *dst;
            gtfs_idmap *map;
            const char *what, *code, *file;
        } refs[] = {{c_fs, &x.from_stop, &r->stops, "from_stop_id", "unknown_stop", "stops.txt"},
                    {c_ts, &x.to_stop, &r->stops, "to_stop_id", "unknown_stop", "stops.txt"},
                    {c_fr, &x.from_route, &r->routes, "from_route_id", "unknown_route", "routes.txt"},
                    {c_tr, &x.to_route, &r->routes, "to_route_id", "unknown_route", "routes.txt"}};
        for (size_t k = 0; k < 4 && !bad; k++) {
            size_t n;
            const char *s = csv_reader_get(&t.csv, refs[k].col, &n);
            if (!n) continue;
            *refs[k].dst = gtfs_idmap_get(refs[k].map, s, n);
            if (*refs[k].dst == GTFS_NONE) {
                diag_report(r->diag, TC_SEV_ERROR, refs[k].code, t.file, LINE(&t), refs[k].col + 1,
                            "%s \"%.*s\" is not in %s (row dropped)", refs[k].what, (int)n, s, refs[k].file);
                bad = 1;
            }
        }
        int cols_trip[2] = {c_ft, c_tt};
        int32_t *dst_trip[2] = {&x.from_trip, &x.to_trip};
        for (int k = 0; k < 2 && !bad; k++) {
            size_t n;
            const char *s = csv_reader_get(&t.csv, cols_trip[k], &n);
            if (!n) continue;
            *dst_trip[k] = lookup_trip_after(r, &t, cols_trip[k], s, n, k ? "to_trip_id" : "from_trip_id");
            if (*dst_trip[k] == GTFS_NONE) bad = 1;
        }
        if (bad) continue;
        if ((x.from_stop == GTFS_NONE || x.to_stop == GTFS_NONE) &&
            !(type >= 4 && x.from_trip != GTFS_NONE && x.to_trip != GTFS_NONE)) {
            diag_report(r->diag, TC_SEV_ERROR, "missing_required_field", t.file, LINE(&t),
                        (x.from_stop == GTFS_NONE ? c_fs : c_ts) + 1,
                        "from_stop_id and to_stop_id are required for transfer_type %ld (row dropped)", type);
            continue;
        }
        size_t mn;
        const char *ms = csv_reader_get(&t.csv, c_min, &mn);
        long mt = -1;
        if (mn && gtfs_parse_int(ms, mn, 0, 86400, &mt)) {
            diag_report(r->diag, TC_SEV_WARNING, "invalid_value", t.file, LINE(&t), c_min + 1,
                        "min_transfer_time \"%.*s\" is not a number of seconds (ignored)", (int)mn, ms);
            mt = -1;
        }
        if (type != 2 && mt >= 0)
            diag_report(r->diag, TC_SEV_WARNING, "min_transfer_time_ignored", t.file, LINE(&t), c_min + 1,
                        "min_transfer_time is only meaningful with transfer_type 2 (ignored for type %ld)", type);
        if (type != 2) mt = -1;
        if (type == 2 && mt < 0)
            diag_report(r->diag, TC_SEV_WARNING, "missing_recommended_field", t.file, LINE(&t), c_min + 1,
                        "transfer_type 2 without min_transfer_time");
        x.min_transfer_time = (int32_t)mt;
        if (!VGROW(f->transfers, f->n_transfers, cap)) {
            table_close(&t);
            return error_set(r->err, TC_ERR_NO_MEMORY, "transfers.txt", 0, 0, "out of memory");
        }
        f->transfers[f->n_transfers++] = x;
    }
    if (row < 0) rc = row_error(r, &t);
    table_close(&t);
    return rc;
}

/* ------------------------------------------------------------------ feed_info.txt --------------------------- */

static tc_status read_feed_info(reader *r) {
    static const char *const known[] = {"feed_publisher_name", "feed_publisher_url", "feed_lang", "default_lang",
                                        "feed_start_date", "feed_end_date", "feed_version", "feed_contact_email",
                                        "feed_contact_url", "feed_id", NULL};
    table t;
    tc_status rc = table_open(r, &t, "feed_info.txt", known);
    if (rc || !t.present) return rc;
    int c_pub = csv_reader_col(&t.csv, "feed_publisher_name"), c_ver = csv_reader_col(&t.csv, "feed_version");
    int row = csv_reader_next(&t.csv);
    if (row == 1) {
        if (!(r->f->feed_publisher = dup_cell(r, &t.csv, c_pub)) || !(r->f->feed_version = dup_cell(r, &t.csv, c_ver))) {
            table_close(&t);
            return error_set(r->err, TC_ERR_NO_MEMORY, "feed_info.txt", 0, 0, "out of memory");
        }
        if (csv_reader_next(&t.csv) == 1)
            diag_report(r->diag, TC_SEV_WARNING, "extra_rows", t.file, LINE(&t), 0,
                        "feed_info.txt has more than one row (the first is used)");
    }
    if (row < 0) rc = row_error(r, &t);
    table_close(&t);
    return rc;
}

/* ------------------------------------------------------------------ the whole feed -------------------------- */

static void reader_free(reader *r) {
    gtfs_idmap_free(&r->agencies);
    gtfs_idmap_free(&r->stops);
    gtfs_idmap_free(&r->routes);
    gtfs_idmap_free(&r->trips);
    gtfs_idmap_free(&r->services);
    gtfs_idmap_free(&r->shapes);
    free(r->parent_ids);
    free(r->stop_lines);
    free(r->cal);
    free(r->cal_lines);
    free(r->dates);
    free(r->trip_lines);
    free(r->trip_bad);
    free(r->trip_new);
}

static tc_status read_all(reader *r) {
    gtfs_feed *f = r->f;
    for (size_t i = 0; i < gtfs_source_count(r->src); i++) {
        const char *name = gtfs_source_name(r->src, i);
        int known = 0;
        for (const char *const *k = known_files; *k; k++)
            if (!strcmp(*k, name)) known = 1;
        if (!known)
            diag_report(r->diag, TC_SEV_WARNING, "unknown_file", name, 0, 0, "not a GTFS file (ignored)");
    }
    tc_status rc;
    if ((rc = read_agency(r)) || (rc = read_stops(r)) || (rc = read_routes(r)) || (rc = read_calendar(r)) ||
        (rc = read_calendar_dates(r)) || (rc = finish_services(r)) || (rc = read_shapes(r)) ||
        (rc = read_trips(r)) || (rc = read_stop_times(r)) || (rc = read_frequencies(r)) ||
        (rc = read_transfers(r)) || (rc = read_feed_info(r)))
        return rc;
    gtfs_check_extra_files(r->src, f, r->diag);
    if (!f->timezone) f->timezone = f->n_agencies ? f->agencies[0].timezone : gtfs_arena_strndup(r->arena, "", 0);
    if (!f->feed_publisher) f->feed_publisher = gtfs_arena_strndup(r->arena, "", 0);
    if (!f->feed_version) f->feed_version = gtfs_arena_strndup(r->arena, "", 0);
    /* fatal: nothing to route on */
    if (f->n_trips == 0)
        return error_set(r->err, TC_ERR_NO_SERVICE, "trips.txt", 0, 0,
                         "no usable trip: every trip was dropped or has no stop_times (%zu trips in trips.txt)",
                         f->counts.trips);
    size_t running = 0;
    for (size_t i = 0; i < f->n_trips; i++) {
        int32_t s = f->trips[i].service;
        if (s == GTFS_NONE) continue;
        size_t words = (f->n_days + 63) / 64;
        for (size_t w = 0; w < words; w++)
            if (f->services[s].bits[w]) {
                running++;
                break;
            }
    }
    if (running == 0)
        return error_set(r->err, TC_ERR_NO_SERVICE, "calendar.txt", 0, 0,
                         "no usable service: none of the %zu trips runs on any day", f->n_trips);
    return TC_OK;
}

tc_status gtfs_feed_read(const char *path, const char *name, diag_log *diag, gtfs_feed **out, tc_error *err) {
    *out = NULL;
    gtfs_feed *f = calloc(1, sizeof *f);
    feed_storage *fs = calloc(1, sizeof *fs);
    if (!f || !fs) {
        free(f);
        free(fs);
        return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    }
    f->storage = fs;
    reader r = {0};
    r.f = f;
    r.arena = &fs->arena;
    r.diag = diag;
    r.err = err;
    f->name = gtfs_arena_strndup(r.arena, name ? name : "", name ? strlen(name) : 0);
    tc_status rc = f->name ? gtfs_source_open(path, &r.src, err) : error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "oom");
    if (rc == TC_OK) rc = read_all(&r);
    reader_free(&r);
    gtfs_source_close(r.src);
    if (rc != TC_OK) {
        gtfs_feed_free(f);
        return rc;
    }
    *out = f;
    return TC_OK;
}

void gtfs_feed_free(gtfs_feed *f) {
    if (!f) return;
    if (f->release) { /* a feed made by another producer (the sketch compiler) frees itself */
        f->release(f);
        return;
    }
    if (f->release) { /* a feed made elsewhere (a sketch) frees its own memory */
        f->release(f);
        return;
    }
    free(f->agencies);
    free(f->stops);
    free(f->routes);
    free(f->trips);
    free(f->stop_times);
    free(f->services);
    free(f->frequencies);
    free(f->transfers);
    free(f->shapes);
    free(f->shape_points);
    feed_storage *fs = f->storage;
    if (fs) {
        free(fs->service_bits);
        gtfs_arena_free(&fs->arena);
        free(fs);
    }
    free(f);
}
