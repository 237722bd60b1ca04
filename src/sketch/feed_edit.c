/* feed_edit.c — growing, searching and compacting a gtfs_feed (see feed_edit.h). */
#include "sketch/feed_edit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void *sk_pool_alloc(sk_pool *p, size_t size) {
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        void **items = realloc(p->items, cap * sizeof *items);
        if (!items) return NULL;
        p->items = items;
        p->cap = cap;
    }
    void *block = calloc(1, size ? size : 1);
    if (!block) return NULL;
    p->items[p->n++] = block;
    return block;
}

char *sk_pool_strdup(sk_pool *p, const char *s) {
    if (!s) s = "";
    size_t len = strlen(s);
    char *out = sk_pool_alloc(p, len + 1);
    if (out) memcpy(out, s, len + 1);
    return out;
}

void sk_pool_free(sk_pool *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n; i++) free(p->items[i]);
    free(p->items);
    p->items = NULL;
    p->n = p->cap = 0;
}

void fe_begin(feed_edit *e, gtfs_feed *f, sk_pool *pool) {
    memset(e, 0, sizeof *e);
    e->f = f;
    e->pool = pool;
    e->cap_agencies = f->n_agencies;
    e->cap_stops = f->n_stops;
    e->cap_routes = f->n_routes;
    e->cap_trips = f->n_trips;
    e->cap_stop_times = f->n_stop_times;
    e->cap_services = f->n_services;
    e->cap_frequencies = f->n_frequencies;
    e->cap_transfers = f->n_transfers;
}

/* Make room for `more` elements in *arr (n used, *cap allocated). 0 or -1. */
static int grow(void **arr, size_t elem, size_t n, size_t more, size_t *cap) {
    if (n + more <= *cap) return 0;
    size_t c = *cap ? *cap : 16;
    while (c < n + more) c *= 2;
    void *a = realloc(*arr, c * elem);
    if (!a) return -1;
    *arr = a;
    *cap = c;
    return 0;
}
#define GROW(e, field, capf, more) grow((void **)&(e)->f->field, sizeof *(e)->f->field, (e)->f->n_##field, more, &(e)->capf)

int32_t fe_add_agency(feed_edit *e, const char *id, const char *name, const char *url, const char *timezone) {
    if (GROW(e, agencies, cap_agencies, 1)) return -1;
    gtfs_agency a = {sk_pool_strdup(e->pool, id), sk_pool_strdup(e->pool, name), sk_pool_strdup(e->pool, url),
                     sk_pool_strdup(e->pool, timezone), sk_pool_strdup(e->pool, "")};
    if (!a.id || !a.name || !a.url || !a.timezone || !a.lang) return -1;
    e->f->agencies[e->f->n_agencies] = a;
    return (int32_t)e->f->n_agencies++;
}

int32_t fe_add_stop(feed_edit *e, const char *id, const char *name, double lat, double lon, int location_type,
                    int32_t parent) {
    if (GROW(e, stops, cap_stops, 1)) return -1;
    gtfs_stop s = {sk_pool_strdup(e->pool, id), sk_pool_strdup(e->pool, ""), sk_pool_strdup(e->pool, name),
                   sk_pool_strdup(e->pool, ""), lat, lon, location_type, parent, 0};
    if (!s.id || !s.code || !s.name || !s.platform_code) return -1;
    e->f->stops[e->f->n_stops] = s;
    return (int32_t)e->f->n_stops++;
}

int32_t fe_add_route(feed_edit *e, const char *id, const char *short_name, const char *long_name, int type,
                     int32_t agency, const char *color, const char *text_color) {
    if (GROW(e, routes, cap_routes, 1)) return -1;
    gtfs_route r = {sk_pool_strdup(e->pool, id), sk_pool_strdup(e->pool, short_name),
                    sk_pool_strdup(e->pool, long_name), sk_pool_strdup(e->pool, color),
                    sk_pool_strdup(e->pool, text_color), agency, type};
    if (!r.id || !r.short_name || !r.long_name || !r.color || !r.text_color) return -1;
    e->f->routes[e->f->n_routes] = r;
    return (int32_t)e->f->n_routes++;
}

int32_t fe_add_service(feed_edit *e, const char *id) {
    if (GROW(e, services, cap_services, 1)) return -1;
    size_t words = (e->f->n_days + 63) / 64;
    /* From the pool too: the GTFS reader keeps all its bitsets in one block, so bits are never freed one by one. */
    gtfs_service s = {sk_pool_strdup(e->pool, id), sk_pool_alloc(e->pool, (words ? words : 1) * sizeof(uint64_t))};
    if (!s.id || !s.bits) return -1;
    e->f->services[e->f->n_services] = s;
    return (int32_t)e->f->n_services++;
}

int32_t fe_add_trip(feed_edit *e, const char *id, int32_t route, int32_t service, int direction_id,
                    const char *headsign, const gtfs_stop_time *st, size_t n) {
    if (GROW(e, trips, cap_trips, 1) || GROW(e, stop_times, cap_stop_times, n)) return -1;
    gtfs_trip t = {0};
    t.id = sk_pool_strdup(e->pool, id);
    t.headsign = sk_pool_strdup(e->pool, headsign);
    t.short_name = sk_pool_strdup(e->pool, "");
    t.block_id = t.short_name;
    t.shape_id = t.short_name;
    if (!t.id || !t.headsign || !t.short_name) return -1;
    t.route = route;
    t.service = service;
    t.direction_id = direction_id;
    t.wheelchair_accessible = 0;
    t.st_begin = (uint32_t)e->f->n_stop_times;
    t.st_count = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        gtfs_stop_time s = st[i];
        s.stop_sequence = (uint32_t)(i + 1);
        e->f->stop_times[e->f->n_stop_times++] = s;
    }
    e->f->trips[e->f->n_trips] = t;
    return (int32_t)e->f->n_trips++;
}

int fe_add_frequency(feed_edit *e, int32_t trip, int32_t start, int32_t end, int32_t headway, int exact_times) {
    if (GROW(e, frequencies, cap_frequencies, 1)) return -1;
    gtfs_frequency q = {trip, start, end, headway, (uint8_t)(exact_times ? 1 : 0)};
    e->f->frequencies[e->f->n_frequencies++] = q;
    return 0;
}

int fe_add_transfer(feed_edit *e, int32_t from_stop, int32_t to_stop, int32_t from_route, int32_t to_route,
                    int type, int32_t min_transfer_time) {
    if (GROW(e, transfers, cap_transfers, 1)) return -1;
    gtfs_transfer t = {from_stop, to_stop, from_route, to_route, GTFS_NONE, GTFS_NONE, type, min_transfer_time};
    e->f->transfers[e->f->n_transfers++] = t;
    return 0;
}

#define FIND(arr, n)                                                                                                  \
    do {                                                                                                              \
        if (!id) return GTFS_NONE;                                                                                    \
        for (size_t i = 0; i < (n); i++)                                                                              \
            if ((arr)[i].id && !strcmp((arr)[i].id, id)) return (int32_t)i;                                           \
        return GTFS_NONE;                                                                                             \
    } while (0)

int32_t fe_find_stop(const gtfs_feed *f, const char *id) { FIND(f->stops, f->n_stops); }
int32_t fe_find_route(const gtfs_feed *f, const char *id) { FIND(f->routes, f->n_routes); }
int32_t fe_find_agency(const gtfs_feed *f, const char *id) { FIND(f->agencies, f->n_agencies); }
int32_t fe_find_service(const gtfs_feed *f, const char *id) { FIND(f->services, f->n_services); }
int32_t fe_find_trip(const gtfs_feed *f, const char *id) { FIND(f->trips, f->n_trips); }

/* old index → new index (GTFS_NONE when dropped) for n records with keep flags. */
static int32_t *remap(const uint8_t *keep, size_t n, size_t *kept) {
    int32_t *m = malloc((n ? n : 1) * sizeof *m);
    if (!m) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) m[i] = (!keep || keep[i]) ? (int32_t)k++ : GTFS_NONE;
    *kept = k;
    return m;
}

static int32_t map_idx(const int32_t *m, int32_t i) { return i < 0 ? GTFS_NONE : m[i]; }

int fe_compact(feed_edit *e, const uint8_t *keep_stop, const uint8_t *keep_route, const uint8_t *keep_trip,
               const uint8_t *keep_stop_time) {
    gtfs_feed *f = e->f;
    size_t n_stops_new = 0, n_routes_new = 0, n_trips_new = 0;
    int32_t *stop_map = remap(keep_stop, f->n_stops, &n_stops_new);
    int32_t *route_map = remap(keep_route, f->n_routes, &n_routes_new);
    uint8_t *trip_ok = calloc(f->n_trips ? f->n_trips : 1, 1); /* calloc: -O2 cannot see every byte is set below */
    gtfs_stop_time *st_new = malloc((f->n_stop_times ? f->n_stop_times : 1) * sizeof *st_new);
    if (!stop_map || !route_map || !trip_ok || !st_new) {
        free(stop_map);
        free(route_map);
        free(trip_ok);
        free(st_new);
        return -1;
    }
    /* Which trips survive: kept, on a kept route, with at least two kept stop_times at kept stops. */
    for (size_t t = 0; t < f->n_trips; t++) {
        const gtfs_trip *tr = &f->trips[t];
        int ok = (!keep_trip || keep_trip[t]) && map_idx(route_map, tr->route) != GTFS_NONE;
        size_t left = 0;
        for (uint32_t j = 0; ok && j < tr->st_count; j++) {
            size_t s = tr->st_begin + j;
            if ((!keep_stop_time || keep_stop_time[s]) && stop_map[f->stop_times[s].stop] != GTFS_NONE) left++;
        }
        trip_ok[t] = ok && left >= 2;
    }
    size_t n_trips_tmp = 0;
    int32_t *trip_map = remap(trip_ok, f->n_trips, &n_trips_tmp);
    if (!trip_map) {
        free(stop_map);
        free(route_map);
        free(trip_ok);
        free(st_new);
        return -1;
    }
    /* Nothing can fail from here on: rewrite in place. */
    size_t n_st = 0;
    for (size_t t = 0; t < f->n_trips; t++) {
        if (!trip_ok[t]) continue;
        gtfs_trip tr = f->trips[t];
        uint32_t begin = (uint32_t)n_st;
        for (uint32_t j = 0; j < tr.st_count; j++) {
            size_t s = tr.st_begin + j;
            if ((keep_stop_time && !keep_stop_time[s]) || stop_map[f->stop_times[s].stop] == GTFS_NONE) continue;
            gtfs_stop_time x = f->stop_times[s];
            x.stop = stop_map[x.stop];
            st_new[n_st++] = x;
        }
        tr.st_begin = begin;
        tr.st_count = (uint32_t)(n_st - begin);
        tr.route = route_map[tr.route];
        f->trips[n_trips_new++] = tr;
    }
    memcpy(f->stop_times, st_new, n_st * sizeof *st_new);
    f->n_stop_times = n_st;
    free(st_new);
    for (size_t i = 0; i < f->n_stops; i++) {
        if (stop_map[i] == GTFS_NONE) continue;
        gtfs_stop s = f->stops[i];
        s.parent = map_idx(stop_map, s.parent);
        f->stops[stop_map[i]] = s;
    }
    f->n_stops = n_stops_new;
    for (size_t i = 0; i < f->n_routes; i++)
        if (route_map[i] != GTFS_NONE) f->routes[route_map[i]] = f->routes[i];
    f->n_routes = n_routes_new;
    f->n_trips = n_trips_new;
    size_t k = 0;
    for (size_t i = 0; i < f->n_frequencies; i++) {
        gtfs_frequency q = f->frequencies[i];
        q.trip = map_idx(trip_map, q.trip);
        if (q.trip != GTFS_NONE) f->frequencies[k++] = q;
    }
    f->n_frequencies = k;
    k = 0;
    for (size_t i = 0; i < f->n_transfers; i++) {
        gtfs_transfer x = f->transfers[i];
        int gone = (x.from_stop >= 0 && stop_map[x.from_stop] == GTFS_NONE) ||
                   (x.to_stop >= 0 && stop_map[x.to_stop] == GTFS_NONE) ||
                   (x.from_route >= 0 && route_map[x.from_route] == GTFS_NONE) ||
                   (x.to_route >= 0 && route_map[x.to_route] == GTFS_NONE) ||
                   (x.from_trip >= 0 && trip_map[x.from_trip] == GTFS_NONE) ||
                   (x.to_trip >= 0 && trip_map[x.to_trip] == GTFS_NONE);
        if (gone) continue;
        x.from_stop = map_idx(stop_map, x.from_stop);
        x.to_stop = map_idx(stop_map, x.to_stop);
        x.from_route = map_idx(route_map, x.from_route);
        x.to_route = map_idx(route_map, x.to_route);
        x.from_trip = map_idx(trip_map, x.from_trip);
        x.to_trip = map_idx(trip_map, x.to_trip);
        f->transfers[k++] = x;
    }
    f->n_transfers = k;
    free(stop_map);
    free(route_map);
    free(trip_ok);
    free(trip_map);
    return 0;
}
