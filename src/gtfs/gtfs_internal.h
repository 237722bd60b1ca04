/*
 * gtfs_internal.h — the pieces of the GTFS reader, shared by its .c files and its unit tests (not by other stages).
 *
 *  - gtfs_arena: one bump allocator for every string of a feed, so reading 500k rows costs a handful of mallocs
 *    and freeing a feed is a walk over a few chunks;
 *  - gtfs_idmap: GTFS id → dense index (open addressing, xxHash), the only lookup structure the reader needs;
 *  - gtfs_source: where a feed lives (folder, zip, zip with one sub-folder) and a byte stream per member file,
 *    so that stop_times.txt is decompressed and parsed in 64 KiB pieces, never held whole;
 *  - the CSV reader of common/csv.h reads each member from such a stream;
 *  - the calendar and interpolation steps, exposed so the tests can drive them directly.
 */
#ifndef TC_GTFS_INTERNAL_H
#define TC_GTFS_INTERNAL_H

#include "gtfs/feed.h"
#include "common/csv.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ------------------------------------------------------------------ arena ----------------------------------- */

typedef struct gtfs_arena_chunk gtfs_arena_chunk;
typedef struct gtfs_arena {
    gtfs_arena_chunk *head;
    char *cur;
    size_t left;
    size_t total; /* bytes handed out, for memory accounting */
} gtfs_arena;

/* Copy len bytes and a NUL; NULL only when out of memory. len 0 returns the shared "". */
char *gtfs_arena_strndup(gtfs_arena *a, const char *s, size_t len);
void gtfs_arena_free(gtfs_arena *a);

/* ------------------------------------------------------------------ id map ---------------------------------- */

typedef struct gtfs_idmap_slot {
    const char *key; /* NULL = empty slot; points into an arena (not owned) */
    uint32_t hash;
    int32_t value;
} gtfs_idmap_slot;

typedef struct gtfs_idmap {
    gtfs_idmap_slot *slots;
    size_t cap, count; /* cap is a power of two, kept at most half full */
} gtfs_idmap;

/* The index stored for key, or GTFS_NONE. */
int32_t gtfs_idmap_get(const gtfs_idmap *m, const char *key, size_t len);
/* Insert key → value (key must outlive the map). Returns the existing value if key was already present (and
 * leaves it), GTFS_NONE if inserted, or -2 when out of memory. */
int32_t gtfs_idmap_put(gtfs_idmap *m, const char *key, size_t len, int32_t value);
void gtfs_idmap_free(gtfs_idmap *m);

/* ------------------------------------------------------------------ source ---------------------------------- */

typedef struct gtfs_source gtfs_source;
typedef struct gtfs_stream gtfs_stream;

/* Open a feed location. Refuses (TC_ERR_PARSE / TC_ERR_IO) a non-zip file, a zip holding only another zip, a zip
 * or folder holding two feeds, and a location with no stops.txt anywhere. */
tc_status gtfs_source_open(const char *path, gtfs_source **out, tc_error *err);
void gtfs_source_close(gtfs_source *src);
/* Number of member files (in the feed's folder) and the i-th name (without the folder prefix). */
size_t gtfs_source_count(const gtfs_source *src);
const char *gtfs_source_name(const gtfs_source *src, size_t i);
/* 1 when the member exists. */
int gtfs_source_has(const gtfs_source *src, const char *name);
/* Open a member as a byte stream; NULL with err filled on failure. */
gtfs_stream *gtfs_stream_open(gtfs_source *src, const char *name, tc_error *err);
/* Read up to cap bytes; returns bytes read, 0 at the end, -1 on a read error (err filled). */
long gtfs_stream_read(gtfs_stream *s, char *buf, size_t cap, tc_error *err);
void gtfs_stream_close(gtfs_stream *s);

/* ------------------------------------------------------------------ calendar -------------------------------- */

typedef struct gtfs_calendar_row {
    int32_t service;           /* index into the service table */
    uint8_t weekdays;          /* bit 0 = Monday … bit 6 = Sunday */
    int32_t start_day, end_day;
} gtfs_calendar_row;

typedef struct gtfs_calendar_date {
    int32_t service;
    int32_t day;
    uint8_t type; /* 1 added, 2 removed */
} gtfs_calendar_date;

/* Set feed->first_day / n_days and feed->services[i].bits from the rows (services[] and n_services filled by the
 * caller). Either list may be empty. TC_ERR_NO_MEMORY only. */
tc_status gtfs_services_build(gtfs_feed *feed, const gtfs_calendar_row *rows, size_t n_rows,
                              const gtfs_calendar_date *dates, size_t n_dates, tc_error *err);

/* ------------------------------------------------------------------ interpolation --------------------------- */

/* Fill blank (TC_TIME_NONE) arrival/departure times of one trip's stop_times (sorted by stop_sequence):
 * a stop with only one of the two gets the other; runs of blank stops between two timed stops get times in
 * proportion to shape_dist_traveled when every stop of the run has it, else to the straight-line distance between
 * consecutive stops (as OTP and R5 do), and timepoint 0. stops[] gives the coordinates.
 * Returns 0, or -1 when the first or last stop has no time at all (the trip cannot be used). */
int gtfs_interpolate_trip(gtfs_stop_time *st, size_t n, const gtfs_stop *stops);

/* ------------------------------------------------------------------ parsing helpers ------------------------- */

/* GTFS time "H:MM:SS" / "HH:MM:SS" (hours up to 3 digits) → seconds; 0 on success. */
int gtfs_parse_time(const char *s, size_t len, int32_t *out);
/* Integer in [lo, hi]; 0 on success. */
int gtfs_parse_int(const char *s, size_t len, long lo, long hi, long *out);
/* Finite decimal number; 0 on success. */
int gtfs_parse_double(const char *s, size_t len, double *out);

/* Check the files a build does not load (fares, attributions, networks, areas, pathways, ...) for duplicate keys and
 * references to ids that do not exist, so a validation run covers the whole feed. Called by gtfs_feed_read. */
void gtfs_check_extra_files(gtfs_source *src, const gtfs_feed *feed, diag_log *diag);

#endif
