/*
 * feed_lint.c — warnings about a feed that reads correctly but is probably not what its publisher meant, the ones
 * the reference validators give (Google's transitfeed: unused_stop, same_short_long_name, filter_unusual_trips):
 *  - unused_stop: a stop or platform (location_type 0) that no stop_time serves;
 *  - same_short_long_name: a route whose route_short_name and route_long_name are the same (case ignored), which
 *    journey planners then show twice;
 *  - unusual_trip: a trip whose sequence of stops fewer than 10% of its route's trips share (transitfeed's
 *    filter_unusual_trips threshold) — often a data-entry slip, sometimes a real short turn worth checking.
 * Only `validate` runs these (validate.c): a build does not need them and should not slow down for them.
 */
#include "gtfs/feed.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define UNUSUAL_SHARE 0.10 /* transitfeed's default threshold for filter_unusual_trips */

typedef struct trip_key {
    int32_t route;
    uint64_t hash; /* of the trip's stop sequence (FNV-1a over the stop indices) */
    uint32_t trip;
} trip_key;

static int cmp_key(const void *a, const void *b) {
    const trip_key *x = a, *y = b;
    if (x->route != y->route) return x->route < y->route ? -1 : 1;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return (x->trip > y->trip) - (x->trip < y->trip);
}

static uint64_t sequence_hash(const gtfs_feed *f, const gtfs_trip *t) {
    uint64_t h = 1469598103934665603ull;
    for (uint32_t i = 0; i < t->st_count; i++) {
        uint32_t s = (uint32_t)f->stop_times[t->st_begin + i].stop;
        for (int b = 0; b < 4; b++) {
            h ^= (s >> (8 * b)) & 0xffu;
            h *= 1099511628211ull;
        }
    }
    return h;
}

static void unused_stops(const gtfs_feed *f, diag_log *diag) {
    uint8_t *used = calloc(f->n_stops + 1, 1);
    if (!used) return;
    for (size_t i = 0; i < f->n_stop_times; i++)
        if (f->stop_times[i].stop >= 0 && (size_t)f->stop_times[i].stop < f->n_stops) used[f->stop_times[i].stop] = 1;
    for (size_t s = 0; s < f->n_stops; s++)
        if (!used[s] && f->stops[s].location_type == 0)
            diag_report(diag, TC_SEV_WARNING, "unused_stop", "stops.txt", 0, 0,
                        "stop \"%s\" (%s) is served by no trip", f->stops[s].id, f->stops[s].name);
    free(used);
}

static void same_names(const gtfs_feed *f, diag_log *diag) {
    for (size_t r = 0; r < f->n_routes; r++) {
        const gtfs_route *rt = &f->routes[r];
        if (rt->short_name[0] && !strcasecmp(rt->short_name, rt->long_name))
            diag_report(diag, TC_SEV_WARNING, "same_short_long_name", "routes.txt", 0, 0,
                        "route \"%s\": route_short_name and route_long_name are both \"%s\"", rt->id, rt->short_name);
    }
}

static void unusual_trips(const gtfs_feed *f, diag_log *diag) {
    trip_key *k = malloc((f->n_trips + 1) * sizeof *k);
    if (!k) return;
    size_t n = 0;
    for (size_t t = 0; t < f->n_trips; t++) {
        if (f->trips[t].route < 0 || !f->trips[t].st_count) continue;
        k[n++] = (trip_key){f->trips[t].route, sequence_hash(f, &f->trips[t]), (uint32_t)t};
    }
    qsort(k, n, sizeof *k, cmp_key);
    for (size_t a = 0; a < n;) { /* one route: [a, b) */
        size_t b = a;
        while (b < n && k[b].route == k[a].route) b++;
        const size_t route_trips = b - a;
        for (size_t p = a; p < b;) { /* one stop sequence: [p, q) */
            size_t q = p;
            while (q < b && k[q].hash == k[p].hash) q++;
            if ((double)(q - p) < UNUSUAL_SHARE * (double)route_trips)
                for (size_t i = p; i < q; i++)
                    diag_report(diag, TC_SEV_WARNING, "unusual_trip", "trips.txt", 0, 0,
                                "trip \"%s\" of route \"%s\" stops at a sequence of stops only %zu of the route's %zu "
                                "trips share (below %.0f%%)",
                                f->trips[k[i].trip].id, f->routes[k[i].route].id, q - p, route_trips,
                                UNUSUAL_SHARE * 100);
            p = q;
        }
        a = b;
    }
    free(k);
}

void gtfs_feed_lint(const gtfs_feed *feed, diag_log *diag) {
    if (!feed) return;
    unused_stops(feed, diag);
    same_names(feed, diag);
    unusual_trips(feed, diag);
}
