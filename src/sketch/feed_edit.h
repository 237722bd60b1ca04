/*
 * feed_edit.h — growing, searching and compacting a gtfs_feed in memory: the shared tool of the sketch compiler
 * (which builds a feed from nothing) and of scenario application (which edits a feed read from GTFS or a sketch).
 *
 * Ownership, the one subtle point: the GTFS reader keeps a feed's strings in its own arena, so code outside it
 * must never free a feed's strings one by one. Every string (and scratch block) this module adds comes from an
 * sk_pool owned by whoever asked for the edit — the sketch feed itself (see sketch_feed_free) or the scenario
 * being applied (it must outlive the feed), and so do the bitsets of added services (the reader keeps all of its
 * bitsets in one block). The arrays (stops[], trips[], ...) are plain malloc blocks, grown with realloc, as the
 * reader allocates them; gtfs_feed_free frees them whoever grew them.
 * Lookups are linear: sketches have hundreds of stops, and a scenario looks up a handful of ids once.
 */
#ifndef TC_SKETCH_FEED_EDIT_H
#define TC_SKETCH_FEED_EDIT_H

#include "gtfs/feed.h"

#include <stddef.h>
#include <stdint.h>

/* A bag of malloc blocks freed together. */
typedef struct sk_pool {
    void **items;
    size_t n, cap;
} sk_pool;

void *sk_pool_alloc(sk_pool *p, size_t size); /* zeroed; NULL when out of memory */
char *sk_pool_strdup(sk_pool *p, const char *s); /* NULL s gives ""; NULL only when out of memory */
void sk_pool_free(sk_pool *p);

/* An edit session on one feed: capacities of its arrays (the feed itself only has counts). */
typedef struct feed_edit {
    gtfs_feed *f;
    sk_pool *pool;
    size_t cap_agencies, cap_stops, cap_routes, cap_trips, cap_stop_times, cap_services, cap_frequencies,
        cap_transfers;
} feed_edit;

void fe_begin(feed_edit *e, gtfs_feed *f, sk_pool *pool);

/* Appends: return the new index, or -1 when out of memory. Strings are copied into the pool. */
int32_t fe_add_agency(feed_edit *e, const char *id, const char *name, const char *url, const char *timezone);
int32_t fe_add_stop(feed_edit *e, const char *id, const char *name, double lat, double lon, int location_type,
                    int32_t parent);
int32_t fe_add_route(feed_edit *e, const char *id, const char *short_name, const char *long_name, int type,
                     int32_t agency, const char *color, const char *text_color);
/* A service active on no day yet (bits over the feed's date range, all zero). */
int32_t fe_add_service(feed_edit *e, const char *id);
/* A trip with its stop_times copied (stop_sequence renumbered 1..n). */
int32_t fe_add_trip(feed_edit *e, const char *id, int32_t route, int32_t service, int direction_id,
                    const char *headsign, const gtfs_stop_time *st, size_t n);
int fe_add_frequency(feed_edit *e, int32_t trip, int32_t start, int32_t end, int32_t headway, int exact_times);
int fe_add_transfer(feed_edit *e, int32_t from_stop, int32_t to_stop, int32_t from_route, int32_t to_route,
                    int type, int32_t min_transfer_time);

/* Lookups by GTFS id (exact), GTFS_NONE when absent. */
int32_t fe_find_stop(const gtfs_feed *f, const char *id);
int32_t fe_find_route(const gtfs_feed *f, const char *id);
int32_t fe_find_agency(const gtfs_feed *f, const char *id);
int32_t fe_find_service(const gtfs_feed *f, const char *id);
int32_t fe_find_trip(const gtfs_feed *f, const char *id);

/* Drop every stop, route and trip whose keep flag is 0 (NULL = keep all) and every stop_time whose keep_st flag
 * is 0 (NULL = keep all), remapping all indices; frequencies and transfers that touch a dropped record go too,
 * trips left with fewer than two stop_times are dropped, and stop_times are rewritten trip by trip. Strings are
 * not freed (see the ownership note above). Returns 0, or -1 when out of memory (the feed is then unchanged). */
int fe_compact(feed_edit *e, const uint8_t *keep_stop, const uint8_t *keep_route, const uint8_t *keep_trip,
               const uint8_t *keep_stop_time);

/* First departure of a trip (its first stop_time's departure). */
static inline int32_t fe_trip_start(const gtfs_feed *f, int32_t t) {
    return f->trips[t].st_count ? f->stop_times[f->trips[t].st_begin].departure : 0;
}

#endif
