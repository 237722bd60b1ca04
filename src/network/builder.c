/*
 * builder.c — compiles one or several parsed GTFS feeds (and optionally an OSM street network) into one network
 * file in the RAPTOR-ready layout described in network.h.
 *
 * Shape of the work (each step linear or n log n in the feed's size):
 *   1. merge the feeds: stops, routes, agencies, trips are concatenated feed by feed (ids stay per feed: a GTFS id is
 *      (feed index, id string)); services are re-based onto the union of the feeds' date ranges;
 *   2. group trips into patterns with one sort: key = (route, frequency-or-not, stop sequence, pickup/drop-off
 *      flags), then departure; inside a key, first-fit into sub-patterns so that no trip overtakes another (a trip
 *      joins the first sub-pattern whose last trip is at or before it at every stop — checking only the last trip is
 *      enough because "at or before at every stop" is transitive);
 *   3. emit trip-major time blocks, the stop → patterns CSR, transfers.txt rules in network indices, walking
 *      transfers (street network through src/streets, else straight line × detour over a sorted grid);
 *   4. write every section through netfile.c (temporary file + rename: a killed build leaves the old file).
 *
 * Timezones: the network's timezone is the first feed's. Times of a feed whose agencies use another timezone are
 * shifted by (offset of the network zone − offset of the feed zone), both taken at noon UTC of the middle day of the
 * network's date range, so that every time in the file reads as the network's local clock. One constant shift per
 * feed is exact whenever the two zones change to/from summer time on the same dates (or not at all), and off by an
 * hour for the days in between otherwise — a limit stated here and in the feed record (tz_shift_s).
 */
#include "network/builder.h"
#include "network/pattern_shapes.h"
#include "netfile/netfile.h"
#include "network/network.h"
#include "common/geo.h"
#include "common/progress.h"
#include "common/timeutil.h"
#include "streets/street_build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

void tc_build_options_init(tc_build_options *opts) {
    memset(opts, 0, sizeof *opts);
    opts->transfer_radius_m = -1;
    opts->walk_speed_mps = 0;
    opts->straight_line_detour = 0;
    opts->snap_radius_m = 0;
}

/* ------------------------------------------------------------------ string table (deduplicated) -------------- */

typedef struct strtab {
    char *buf;
    size_t len, cap;
    uint32_t *slots; /* open addressing: offset + 1, 0 = empty */
    size_t n_slots, used;
} strtab;

static int strtab_init(strtab *t) {
    memset(t, 0, sizeof *t);
    t->cap = 1 << 16;
    t->buf = malloc(t->cap);
    t->n_slots = 1 << 12;
    t->slots = calloc(t->n_slots, sizeof *t->slots);
    if (!t->buf || !t->slots) return -1;
    t->buf[0] = '\0'; /* offset 0 is "" */
    t->len = 1;
    return 0;
}

static void strtab_free(strtab *t) {
    free(t->buf);
    free(t->slots);
}

/* Returns the offset of s, adding it if new; UINT32_MAX when out of memory or the table would pass 4 GB. */
static uint32_t strtab_add(strtab *t, const char *s) {
    if (!s || !*s) return 0;
    size_t n = strlen(s);
    uint64_t h = XXH3_64bits(s, n);
    size_t mask = t->n_slots - 1, i = (size_t)h & mask;
    while (t->slots[i]) {
        uint32_t off = t->slots[i] - 1;
        if (!strcmp(t->buf + off, s)) return off;
        i = (i + 1) & mask;
    }
    if (t->len + n + 1 > UINT32_MAX - 1) return UINT32_MAX;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap * 2;
        while (cap < t->len + n + 1) cap *= 2;
        char *nb = realloc(t->buf, cap);
        if (!nb) return UINT32_MAX;
        t->buf = nb;
        t->cap = cap;
    }
    uint32_t off = (uint32_t)t->len;
    memcpy(t->buf + t->len, s, n + 1);
    t->len += n + 1;
    t->slots[i] = off + 1;
    if (++t->used * 2 > t->n_slots) { /* rehash at half load */
        size_t ns = t->n_slots * 2;
        uint32_t *nsl = calloc(ns, sizeof *nsl);
        if (!nsl) return UINT32_MAX;
        for (size_t k = 0; k < t->n_slots; k++) {
            if (!t->slots[k]) continue;
            const char *str = t->buf + t->slots[k] - 1;
            size_t j = (size_t)XXH3_64bits(str, strlen(str)) & (ns - 1);
            while (nsl[j]) j = (j + 1) & (ns - 1);
            nsl[j] = t->slots[k];
        }
        free(t->slots);
        t->slots = nsl;
        t->n_slots = ns;
    }
    return off;
}

/* ------------------------------------------------------------------ straight-line transfers ------------------ */

typedef struct grid_item {
    int64_t cell;
    double lon;
    uint32_t idx;
} grid_item;

static int grid_item_cmp(const void *a, const void *b) {
    const grid_item *x = a, *y = b;
    if (x->cell != y->cell) return x->cell < y->cell ? -1 : 1;
    if (x->lon != y->lon) return x->lon < y->lon ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

typedef struct pair_link {
    uint32_t from, to, metres;
} pair_link;

static int pair_link_cmp(const void *a, const void *b) {
    const pair_link *x = a, *y = b;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    if (x->metres != y->metres) return x->metres < y->metres ? -1 : 1;
    return x->to < y->to ? -1 : x->to > y->to;
}

/* First item in [lo, hi) with (cell, lon) >= (cell, lon_min). */
static size_t grid_lower(const grid_item *it, size_t lo, size_t hi, int64_t cell, double lon_min) {
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (it[mid].cell < cell || (it[mid].cell == cell && it[mid].lon < lon_min)) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

tc_status tc_straight_line_transfers(const double *lat, const double *lon, const uint8_t *include, uint32_t n,
                                     double radius_m, double detour, uint32_t **begin_out, uint32_t **to_out,
                                     uint32_t **metres_out, uint32_t *count_out, tc_error *err) {
    *begin_out = calloc((size_t)n + 1, sizeof(uint32_t));
    *to_out = NULL;
    *metres_out = NULL;
    *count_out = 0;
    if (!*begin_out) return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (transfers)");
    if (radius_m <= 0 || n < 2) {
        *to_out = malloc(sizeof(uint32_t));
        *metres_out = malloc(sizeof(uint32_t));
        return (*to_out && *metres_out) ? TC_OK : tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    if (detour < 1) detour = 1;
    const double max_straight = radius_m / detour;
    const double m_per_deg = TC_EARTH_RADIUS_M * M_PI / 180.0;
    const double cell_deg = max_straight / m_per_deg; /* one cell of latitude = the search radius */

    grid_item *items = malloc(((size_t)n + 1) * sizeof *items);
    size_t n_items = 0;
    if (!items) return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (transfers)");
    for (uint32_t i = 0; i < n; i++) {
        if ((include && !include[i]) || !isfinite(lat[i]) || !isfinite(lon[i])) continue;
        items[n_items++] = (grid_item){(int64_t)floor((lat[i] + 90.0) / cell_deg), lon[i], i};
    }
    qsort(items, n_items, sizeof *items, grid_item_cmp);

    size_t cap = 1024, count = 0;
    pair_link *links = malloc(cap * sizeof *links);
    tc_status st = TC_OK;
    if (!links) st = tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (transfers)");
    for (size_t a = 0; a < n_items && !st; a++) {
        const uint32_t i = items[a].idx;
        double lat_edge = fabs(lat[i]) + cell_deg * 2;
        double coslat = lat_edge >= 90 ? 0 : cos(lat_edge * M_PI / 180.0);
        double dlon = coslat > 1e-9 ? cell_deg / coslat : 360.0;
        /* longitude intervals to scan; at most three when the circle crosses the antimeridian */
        double iv[3][2];
        int n_iv = 0;
        if (dlon >= 180) {
            iv[n_iv][0] = -INFINITY, iv[n_iv][1] = INFINITY, n_iv++;
        } else {
            double lo = lon[i] - dlon, hi = lon[i] + dlon;
            iv[n_iv][0] = lo, iv[n_iv][1] = hi, n_iv++;
            if (lo < -180) iv[n_iv][0] = lo + 360, iv[n_iv][1] = INFINITY, n_iv++;
            if (hi > 180) iv[n_iv][0] = -INFINITY, iv[n_iv][1] = hi - 360, n_iv++;
        }
        for (int64_t c = items[a].cell - 1; c <= items[a].cell + 1 && !st; c++) {
            for (int k = 0; k < n_iv && !st; k++) {
                for (size_t b = grid_lower(items, 0, n_items, c, iv[k][0]);
                     b < n_items && items[b].cell == c && items[b].lon <= iv[k][1]; b++) {
                    uint32_t j = items[b].idx;
                    if (j == i) continue;
                    double d = tc_haversine_m(lat[i], lon[i], lat[j], lon[j]);
                    if (d > max_straight) continue;
                    if (count == cap) {
                        cap *= 2;
                        pair_link *nl = realloc(links, cap * sizeof *links);
                        if (!nl) {
                            st = tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (transfers)");
                            break;
                        }
                        links = nl;
                    }
                    links[count++] = (pair_link){i, j, (uint32_t)lround(d * detour)};
                }
            }
        }
    }
    free(items);
    if (!st && count > UINT32_MAX - 1)
        st = tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "too many walking transfers: lower --transfer-radius");
    if (st) {
        free(links);
        free(*begin_out);
        *begin_out = NULL;
        return st;
    }
    qsort(links, count, sizeof *links, pair_link_cmp);
    uint32_t *to = malloc((count + 1) * sizeof *to), *metres = malloc((count + 1) * sizeof *metres);
    if (!to || !metres) {
        free(links), free(to), free(metres), free(*begin_out);
        *begin_out = NULL;
        return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (transfers)");
    }
    uint32_t *begin = *begin_out;
    for (size_t k = 0; k < count; k++) {
        begin[links[k].from + 1]++;
        to[k] = links[k].to;
        metres[k] = links[k].metres;
    }
    for (uint32_t i = 0; i < n; i++) begin[i + 1] += begin[i];
    free(links);
    *to_out = to;
    *metres_out = metres;
    *count_out = (uint32_t)count;
    return TC_OK;
}

/* ------------------------------------------------------------------ pattern grouping ------------------------- */

typedef struct btrip {
    const gtfs_stop_time *st; /* the trip's stop_times, sorted by stop_sequence */
    uint64_t hash;            /* of the pattern key, to sort equal keys together cheaply */
    uint32_t n;               /* stops */
    uint32_t route;           /* network route index */
    uint32_t stop_off;        /* the feed's first network stop */
    uint32_t feed, local;     /* feed index, trip index in the feed */
    uint32_t freq_begin, freq_count; /* into the sorted frequency refs */
    int32_t shift;            /* timezone shift of the feed */
    int32_t first_dep;        /* sort key: departure at the first stop, or first frequency start */
    uint32_t is_freq;
    uint32_t group;           /* pattern key class: trips with equal keys share it */
} btrip;

static inline uint8_t stop_flags(const gtfs_stop_time *s) {
    return (uint8_t)((s->pickup_type == 1 ? TC_NO_PICKUP : 0) | (s->drop_off_type == 1 ? TC_NO_DROPOFF : 0));
}

/* Arrival and departure of trip t at position j as stored: network clock, or relative to the first departure
 * for frequency templates. */
static inline void trip_time(const btrip *t, uint32_t j, int32_t *arr, int32_t *dep) {
    int32_t base = t->is_freq ? t->st[0].departure : -t->shift;
    *arr = t->st[j].arrival - base;
    *dep = t->st[j].departure - base;
}

static int key_cmp(const btrip *a, const btrip *b) {
    if (a->hash != b->hash) return a->hash < b->hash ? -1 : 1;
    if (a->is_freq != b->is_freq) return a->is_freq < b->is_freq ? -1 : 1;
    if (a->route != b->route) return a->route < b->route ? -1 : 1;
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (uint32_t j = 0; j < a->n; j++) {
        uint32_t sa = a->stop_off + (uint32_t)a->st[j].stop, sb = b->stop_off + (uint32_t)b->st[j].stop;
        if (sa != sb) return sa < sb ? -1 : 1;
        uint8_t fa = stop_flags(&a->st[j]), fb = stop_flags(&b->st[j]);
        if (fa != fb) return fa < fb ? -1 : 1;
    }
    return 0;
}

static int trip_order_cmp(const void *x, const void *y, void *ctx) {
    const btrip *bt = ctx;
    const btrip *a = &bt[*(const uint32_t *)x], *b = &bt[*(const uint32_t *)y];
    if (a->group != b->group) return a->group < b->group ? -1 : 1;
    if (a->first_dep != b->first_dep) return a->first_dep < b->first_dep ? -1 : 1;
    for (uint32_t j = 0; j < a->n; j++) {
        int32_t aa, ad, ba, bd;
        trip_time(a, j, &aa, &ad);
        trip_time(b, j, &ba, &bd);
        if (ad != bd) return ad < bd ? -1 : 1;
        if (aa != ba) return aa < ba ? -1 : 1;
    }
    return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : *(const uint32_t *)x > *(const uint32_t *)y;
}

/* 1 when trip a is at or before trip b at every stop (arrival and departure): b may follow a in a pattern. */
static int trip_precedes(const btrip *a, const btrip *b) {
    for (uint32_t j = 0; j < a->n; j++) {
        int32_t aa, ad, ba, bd;
        trip_time(a, j, &aa, &ad);
        trip_time(b, j, &ba, &bd);
        if (aa > ba || ad > bd) return 0;
    }
    return 1;
}

typedef struct freq_ref {
    uint32_t trip_g; /* network-wide trip number before reordering */
    uint32_t feed, row;
    int32_t start;
} freq_ref;

static int freq_ref_cmp(const void *x, const void *y) {
    const freq_ref *a = x, *b = y;
    if (a->trip_g != b->trip_g) return a->trip_g < b->trip_g ? -1 : 1;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

typedef struct id_sort_ctx {
    const char *strings;
    const uint32_t *id_str;
    const uint16_t *feed;
    size_t stride; /* bytes between consecutive records' id_str / feed fields */
} id_sort_ctx;

static int id_index_cmp(const void *x, const void *y, void *ctxp) {
    const id_sort_ctx *c = ctxp;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    uint16_t fa = *(const uint16_t *)((const char *)c->feed + a * c->stride);
    uint16_t fb = *(const uint16_t *)((const char *)c->feed + b * c->stride);
    if (fa != fb) return fa < fb ? -1 : 1;
    uint32_t sa = *(const uint32_t *)((const char *)c->id_str + a * c->stride);
    uint32_t sb = *(const uint32_t *)((const char *)c->id_str + b * c->stride);
    int r = strcmp(c->strings + sa, c->strings + sb);
    if (r) return r;
    return a < b ? -1 : a > b;
}

static uint32_t *make_id_index(const void *records, size_t stride, size_t id_off, size_t feed_off, uint32_t n,
                               const char *strings) {
    uint32_t *idx = malloc(((size_t)n + 1) * sizeof *idx);
    if (!idx) return NULL;
    for (uint32_t i = 0; i < n; i++) idx[i] = i;
    id_sort_ctx c = {strings, (const uint32_t *)((const char *)records + id_off),
                     (const uint16_t *)((const char *)records + feed_off), stride};
    qsort_r(idx, n, sizeof *idx, id_index_cmp, &c);
    return idx;
}

/* ------------------------------------------------------------------ the build -------------------------------- */

typedef struct rule_sort {
    tc_net_transfer_rule r;
} rule_sort;

static int rule_cmp(const void *x, const void *y) {
    const tc_net_transfer_rule *a = x, *b = y;
    if (a->from_stop != b->from_stop) return a->from_stop < b->from_stop ? -1 : 1;
    if (a->to_stop != b->to_stop) return a->to_stop < b->to_stop ? -1 : 1;
    if (a->from_route != b->from_route) return a->from_route < b->from_route ? -1 : 1;
    if (a->to_route != b->to_route) return a->to_route < b->to_route ? -1 : 1;
    if (a->from_trip != b->from_trip) return a->from_trip < b->from_trip ? -1 : 1;
    return a->to_trip < b->to_trip ? -1 : a->to_trip > b->to_trip;
}

static int32_t feed_tz_shift(const char *net_tz, const char *feed_tz, int32_t day) {
    if (!net_tz || !feed_tz || !*net_tz || !*feed_tz || !strcmp(net_tz, feed_tz)) return 0;
    int64_t utc = (int64_t)day * 86400 + 12 * 3600;
    int32_t a, b;
    if (tc_tz_offset(net_tz, utc, &a) || tc_tz_offset(feed_tz, utc, &b)) return 0;
    return a - b;
}

#define OOM(what) tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (%s)", what)
#define CHECK_U32(x, what)                                                                                           \
    do {                                                                                                             \
        if ((uint64_t)(x) >= UINT32_MAX) {                                                                           \
            st = tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "too many %s for one network file", what);        \
            goto done;                                                                                               \
        }                                                                                                            \
    } while (0)

tc_status tc_build_from_feeds(gtfs_feed *const *feeds, size_t n_feeds, const tc_build_options *opts, tc_diag *diag,
                              const char *out_path, tc_error *err) {
    tc_status st = TC_OK;
    if (n_feeds > 65535) return tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "too many feeds");
    const double radius = opts->transfer_radius_m < 0 ? 1000.0 : opts->transfer_radius_m;
    const double detour = opts->straight_line_detour > 0 ? opts->straight_line_detour : 1.3;
    const double walk_speed = opts->walk_speed_mps > 0 ? opts->walk_speed_mps : TC_DEFAULT_WALK_SPEED_MPS;
    const double snap = opts->snap_radius_m > 0 ? opts->snap_radius_m : 500.0;
    const int with_osm = opts->osm_path && *opts->osm_path;
    tc_progress prog;

    /* everything allocated below is freed at `done` */
    strtab strs;
    int strs_ok = strtab_init(&strs) == 0;
    tc_net_feed *nfeeds = NULL;
    tc_net_agency *agencies = NULL;
    tc_net_stop *stops = NULL;
    tc_net_route *routes = NULL;
    tc_net_pattern *patterns = NULL;
    uint64_t *first_trip = NULL;
    pattern_shapes shapes;
    memset(&shapes, 0, sizeof shapes);
    uint32_t *pattern_stops = NULL, *new_trip_index = NULL, *order = NULL, *sub_of = NULL, *sub_last = NULL;
    uint8_t *pattern_flags = NULL, *served = NULL, *svc_empty = NULL;
    tc_net_stop_time *times = NULL;
    tc_net_trip *trips = NULL;
    tc_net_frequency *freqs = NULL;
    freq_ref *frefs = NULL;
    btrip *bt = NULL;
    uint32_t *stop_pattern_begin = NULL, *rule_begin = NULL, *xfer_begin = NULL, *xfer_to = NULL, *xfer_m = NULL;
    tc_net_stop_pattern *stop_patterns = NULL;
    tc_net_transfer_rule *rules = NULL;
    tc_net_transfer *xfers = NULL;
    uint64_t *svc_bits = NULL;
    uint32_t *stop_idx = NULL, *route_idx = NULL, *trip_idx = NULL, *link_node = NULL, *link_m = NULL;
    double *lat = NULL, *lon = NULL;
    uint32_t *stop_off = NULL, *route_off = NULL, *agency_off = NULL, *trip_off = NULL, *svc_off = NULL;
    streets_stop_links links;
    memset(&links, 0, sizeof links);
    int have_links = 0;
    tc_netfile_writer *w = NULL;
    int w_open = 0;
    tc_net_meta meta;
    memset(&meta, 0, sizeof meta);
    if (!strs_ok) {
        st = OOM("strings");
        goto done;
    }

    /* ---- 1. sizes, offsets, date range ---- */
    uint64_t n_stops = 0, n_routes = 0, n_agencies = 0, n_trips = 0, n_st = 0, n_freq = 0, n_rules = 0, n_svc = 0;
    stop_off = calloc(n_feeds + 1, sizeof *stop_off);
    route_off = calloc(n_feeds + 1, sizeof *route_off);
    agency_off = calloc(n_feeds + 1, sizeof *agency_off);
    trip_off = calloc(n_feeds + 1, sizeof *trip_off);
    svc_off = calloc(n_feeds + 1, sizeof *svc_off);
    nfeeds = calloc(n_feeds + 1, sizeof *nfeeds);
    if (!stop_off || !route_off || !agency_off || !trip_off || !svc_off || !nfeeds) {
        st = OOM("feeds");
        goto done;
    }
    int32_t day_lo = INT32_MAX, day_hi = INT32_MIN; /* [lo, hi) */
    for (size_t f = 0; f < n_feeds; f++) {
        const gtfs_feed *fd = feeds[f];
        stop_off[f] = (uint32_t)n_stops, route_off[f] = (uint32_t)n_routes, agency_off[f] = (uint32_t)n_agencies;
        trip_off[f] = (uint32_t)n_trips, svc_off[f] = (uint32_t)n_svc;
        n_stops += fd->n_stops, n_routes += fd->n_routes, n_agencies += fd->n_agencies, n_trips += fd->n_trips;
        n_st += fd->n_stop_times, n_freq += fd->n_frequencies, n_rules += fd->n_transfers, n_svc += fd->n_services;
        if (fd->n_days) {
            if (fd->first_day < day_lo) day_lo = fd->first_day;
            if (fd->first_day + (int32_t)fd->n_days > day_hi) day_hi = fd->first_day + (int32_t)fd->n_days;
        }
        CHECK_U32(n_stops, "stops");
        CHECK_U32(n_trips, "trips");
        CHECK_U32(n_routes, "routes");
        CHECK_U32(n_svc + 1, "services");
        CHECK_U32(n_freq, "frequencies");
        CHECK_U32(n_rules, "transfer rules");
        CHECK_U32(n_st, "stop_times");
    }
    if (day_lo > day_hi) day_lo = day_hi = 0;
    const uint32_t n_days = (uint32_t)(day_hi - day_lo);
    const uint32_t words = (n_days + 63) / 64;
    const uint32_t empty_svc = (uint32_t)n_svc; /* one extra, never-active service for trips without a service */
    const uint32_t n_services = (uint32_t)n_svc + 1;

    /* ---- feeds, agencies, stops, routes ---- */
    const char *net_tz = n_feeds ? feeds[0]->timezone : NULL;
    meta.timezone_str = strtab_add(&strs, net_tz);
    int32_t mid_day = day_lo + (int32_t)(n_days / 2);
    agencies = calloc(n_agencies + 1, sizeof *agencies);
    stops = calloc(n_stops + 1, sizeof *stops);
    routes = calloc(n_routes + 1, sizeof *routes);
    lat = calloc(n_stops + 1, sizeof *lat);
    lon = calloc(n_stops + 1, sizeof *lon);
    if (!agencies || !stops || !routes || !lat || !lon) {
        st = OOM("stops");
        goto done;
    }
    int32_t bb[4] = {INT32_MAX, INT32_MAX, INT32_MIN, INT32_MIN};
    for (size_t f = 0; f < n_feeds; f++) {
        const gtfs_feed *fd = feeds[f];
        tc_net_feed *nf = &nfeeds[f];
        char fallback[32];
        snprintf(fallback, sizeof fallback, "feed%zu", f + 1);
        nf->name_str = strtab_add(&strs, fd->name && *fd->name ? fd->name : fallback);
        nf->timezone_str = strtab_add(&strs, fd->timezone);
        nf->tz_shift_s = feed_tz_shift(net_tz, fd->timezone, mid_day);
        if (fd->timezone && net_tz && strcmp(fd->timezone, net_tz)) {
            int32_t probe;
            const char *saved = diag ? diag->prefix : NULL;
            if (diag && n_feeds > 1) diag->prefix = fd->name;
            if (tc_tz_offset(fd->timezone, 0, &probe) || tc_tz_offset(net_tz, 0, &probe))
                tc_report(diag, TC_SEV_WARNING, "unknown_timezone", "agency.txt", 0, 0,
                          "timezone \"%s\" or \"%s\" is unknown to this system: times not shifted", fd->timezone,
                          net_tz);
            if (diag) diag->prefix = saved;
        }
        nf->stop_begin = stop_off[f], nf->n_stops = (uint32_t)fd->n_stops;
        nf->route_begin = route_off[f], nf->n_routes = (uint32_t)fd->n_routes;
        nf->agency_begin = agency_off[f], nf->n_agencies = (uint32_t)fd->n_agencies;
        nf->n_trips = (uint32_t)fd->n_trips;
        nf->n_transfer_rules = (uint32_t)fd->n_transfers;
        nf->first_day = fd->first_day, nf->n_days = fd->n_days;
        nf->rows_stops = fd->counts.stops, nf->rows_routes = fd->counts.routes, nf->rows_trips = fd->counts.trips;
        nf->rows_stop_times = fd->counts.stop_times, nf->rows_frequencies = fd->counts.frequencies;
        nf->rows_transfers = fd->counts.transfers;
        nf->trips_dropped = fd->counts.trips_dropped, nf->stop_times_dropped = fd->counts.stop_times_dropped;
        nf->n_stop_times = fd->n_stop_times;
        for (size_t a = 0; a < fd->n_agencies; a++) {
            tc_net_agency *na = &agencies[agency_off[f] + a];
            na->id_str = strtab_add(&strs, fd->agencies[a].id);
            na->name_str = strtab_add(&strs, fd->agencies[a].name);
            na->timezone_str = strtab_add(&strs, fd->agencies[a].timezone);
            na->feed = (uint16_t)f;
        }
        for (size_t s = 0; s < fd->n_stops; s++) {
            const gtfs_stop *gs = &fd->stops[s];
            tc_net_stop *ns = &stops[stop_off[f] + s];
            uint32_t g = stop_off[f] + (uint32_t)s;
            /* a stop without coordinates (allowed for generic nodes and boarding areas) stays out of the bbox
             * and of walking transfers */
            int has_pos = isfinite(gs->lat) && isfinite(gs->lon) && fabs(gs->lat) <= 90 && fabs(gs->lon) <= 180;
            lat[g] = has_pos ? gs->lat : NAN, lon[g] = has_pos ? gs->lon : NAN;
            ns->lat_e7 = has_pos ? tc_to_e7(gs->lat) : 0, ns->lon_e7 = has_pos ? tc_to_e7(gs->lon) : 0;
            ns->id_str = strtab_add(&strs, gs->id);
            ns->name_str = strtab_add(&strs, gs->name);
            ns->platform_str = strtab_add(&strs, gs->platform_code);
            ns->parent = (gs->parent >= 0 && (size_t)gs->parent < fd->n_stops) ? stop_off[f] + (uint32_t)gs->parent
                                                                                : TC_NONE;
            ns->feed = (uint16_t)f;
            ns->location_type = (uint8_t)gs->location_type;
            int wb = gs->wheelchair_boarding;
            if (wb == 0 && gs->parent >= 0 && (size_t)gs->parent < fd->n_stops)
                wb = fd->stops[gs->parent].wheelchair_boarding; /* GTFS: 0 on a child stop inherits the parent's */
            ns->wheelchair = (uint8_t)(wb == 1 ? 1 : wb == 2 ? 2 : 0);
            if (!has_pos) continue;
            if (ns->lon_e7 < bb[0]) bb[0] = ns->lon_e7;
            if (ns->lat_e7 < bb[1]) bb[1] = ns->lat_e7;
            if (ns->lon_e7 > bb[2]) bb[2] = ns->lon_e7;
            if (ns->lat_e7 > bb[3]) bb[3] = ns->lat_e7;
        }
        for (size_t r = 0; r < fd->n_routes; r++) {
            const gtfs_route *gr = &fd->routes[r];
            tc_net_route *nr = &routes[route_off[f] + r];
            nr->id_str = strtab_add(&strs, gr->id);
            nr->short_name_str = strtab_add(&strs, gr->short_name);
            nr->long_name_str = strtab_add(&strs, gr->long_name);
            nr->color_str = strtab_add(&strs, gr->color);
            if (gr->agency >= 0 && (size_t)gr->agency < fd->n_agencies) nr->agency = agency_off[f] + (uint32_t)gr->agency;
            else nr->agency = fd->n_agencies == 1 ? agency_off[f] : TC_NONE;
            nr->type = (uint16_t)(gr->type >= 0 && gr->type <= 65535 ? gr->type : 3);
            nr->feed = (uint16_t)f;
        }
    }
    if (bb[0] > bb[2]) bb[0] = bb[1] = bb[2] = bb[3] = 0; /* no stop with coordinates */
    memcpy(meta.bbox_e7, bb, sizeof bb);

    /* ---- services: re-based onto [day_lo, day_hi) ---- */
    svc_bits = calloc((size_t)n_services * words + 1, sizeof *svc_bits);
    svc_empty = calloc(n_services, 1);
    if (!svc_bits || !svc_empty) {
        st = OOM("services");
        goto done;
    }
    for (size_t f = 0; f < n_feeds; f++) {
        const gtfs_feed *fd = feeds[f];
        uint32_t shift_days = (uint32_t)(fd->first_day - day_lo);
        for (size_t s = 0; s < fd->n_services; s++) {
            uint64_t *dst = svc_bits + (size_t)(svc_off[f] + s) * words;
            const uint64_t *src = fd->services[s].bits;
            int any = 0;
            for (uint32_t d = 0; src && d < fd->n_days; d++) {
                if ((src[d >> 6] >> (d & 63)) & 1u) {
                    uint32_t nd = d + shift_days;
                    dst[nd >> 6] |= 1ull << (nd & 63);
                    any = 1;
                }
            }
            svc_empty[svc_off[f] + s] = (uint8_t)!any;
        }
    }
    svc_empty[empty_svc] = 1;

    /* ---- 2. patterns ---- */
    tc_progress_start(&prog, opts->progress, "grouping trips into patterns", n_trips);
    bt = calloc(n_trips + 1, sizeof *bt);
    frefs = calloc(n_freq + 1, sizeof *frefs);
    order = malloc((n_trips + 1) * sizeof *order);
    new_trip_index = malloc((n_trips + 1) * sizeof *new_trip_index);
    if (!bt || !frefs || !order || !new_trip_index) {
        st = OOM("trips");
        goto done;
    }
    size_t nfr = 0;
    for (size_t f = 0; f < n_feeds; f++) {
        const gtfs_feed *fd = feeds[f];
        for (size_t k = 0; k < fd->n_frequencies; k++) {
            const gtfs_frequency *gq = &fd->frequencies[k];
            if (gq->trip < 0 || (size_t)gq->trip >= fd->n_trips || gq->headway_secs <= 0) {
                const char *saved = diag ? diag->prefix : NULL;
                if (diag && n_feeds > 1) diag->prefix = fd->name;
                tc_report(diag, TC_SEV_WARNING, "bad_frequency", "frequencies.txt", 0, 0,
                          "frequency row %zu has no trip or a headway of %d s: ignored", k + 1, gq->headway_secs);
                if (diag) diag->prefix = saved;
                continue;
            }
            frefs[nfr++] = (freq_ref){trip_off[f] + (uint32_t)gq->trip, (uint32_t)f, (uint32_t)k, gq->start_time};
        }
    }
    qsort(frefs, nfr, sizeof *frefs, freq_ref_cmp);
    {
        size_t k = 0;
        for (size_t f = 0; f < n_feeds; f++) {
            const gtfs_feed *fd = feeds[f];
            for (size_t t = 0; t < fd->n_trips; t++) {
                uint32_t g = trip_off[f] + (uint32_t)t;
                const gtfs_trip *gt = &fd->trips[t];
                btrip *b = &bt[g];
                b->feed = (uint32_t)f, b->local = (uint32_t)t;
                b->route = route_off[f] + (uint32_t)(gt->route >= 0 ? gt->route : 0);
                b->stop_off = stop_off[f];
                b->shift = nfeeds[f].tz_shift_s;
                b->n = gt->st_begin + (uint64_t)gt->st_count <= fd->n_stop_times ? gt->st_count : 0;
                if (b->n > TC_MAX_TRIP_STOPS) {
                    st = tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                                 "feed %s: stop_times.txt: trip %s has %u stops; expected at most %u", fd->name,
                                 gt->id, b->n, TC_MAX_TRIP_STOPS);
                    goto done;
                }
                b->st = fd->stop_times + (b->n ? gt->st_begin : 0);
                while (k < nfr && frefs[k].trip_g < g) k++;
                b->freq_begin = (uint32_t)k;
                while (k < nfr && frefs[k].trip_g == g) k++;
                b->freq_count = (uint32_t)k - b->freq_begin;
                b->is_freq = b->freq_count > 0 && b->n > 0;
                if (b->n == 0) continue;
                b->first_dep = b->is_freq ? frefs[b->freq_begin].start + b->shift : b->st[0].departure + b->shift;
                /* a multiply-xorshift mix over (route, frequency?, n, stops, flags): only needs to spread keys */
                uint64_t h = 0x9E3779B97F4A7C15ull ^ ((uint64_t)b->route << 32 | (uint64_t)b->is_freq << 31 | b->n);
                for (uint32_t j = 0; j < b->n; j++) {
                    uint64_t x = ((uint64_t)(b->stop_off + (uint32_t)b->st[j].stop) << 8) | stop_flags(&b->st[j]);
                    h = (h ^ x) * 0xBF58476D1CE4E5B9ull;
                    h ^= h >> 31;
                }
                b->hash = h;
            }
        }
    }
    uint32_t n_sched = 0; /* trips with stop times, which go into patterns */
    for (uint32_t g = 0; g < n_trips; g++)
        if (bt[g].n) order[n_sched++] = g;
    /* key classes through a hash table (one full key comparison per trip), so that the sort below compares
     * integers rather than stop sequences */
    {
        size_t n_slots = 16;
        while (n_slots < (size_t)n_sched * 2) n_slots *= 2;
        uint32_t *slot = malloc(n_slots * sizeof *slot); /* representative trip, UINT32_MAX = empty */
        if (!slot) {
            st = OOM("patterns");
            goto done;
        }
        memset(slot, 0xff, n_slots * sizeof *slot);
        uint32_t n_groups = 0;
        for (uint32_t k = 0; k < n_sched; k++) {
            btrip *b = &bt[order[k]];
            size_t h = (size_t)b->hash & (n_slots - 1);
            while (slot[h] != UINT32_MAX && key_cmp(&bt[slot[h]], b) != 0) h = (h + 1) & (n_slots - 1);
            if (slot[h] == UINT32_MAX) {
                slot[h] = order[k];
                bt[order[k]].group = n_groups++;
            } else {
                b->group = bt[slot[h]].group;
            }
        }
        free(slot);
    }
    qsort_r(order, n_sched, sizeof *order, trip_order_cmp, bt);

    patterns = calloc(n_sched + 1, sizeof *patterns);
    first_trip = calloc(n_sched + 1, sizeof *first_trip); /* for the patterns' shapes */
    pattern_stops = malloc((n_st + 1) * sizeof *pattern_stops);
    pattern_flags = malloc(n_st + 1);
    times = malloc((n_st + 1) * sizeof *times);
    trips = calloc(n_trips + 1, sizeof *trips);
    freqs = calloc(nfr + 1, sizeof *freqs);
    sub_of = malloc((n_sched + 1) * sizeof *sub_of);
    sub_last = malloc((n_sched + 1) * sizeof *sub_last);
    if (!patterns || !first_trip || !pattern_stops || !pattern_flags || !times || !trips || !freqs || !sub_of ||
        !sub_last) {
        st = OOM("patterns");
        goto done;
    }
    uint32_t n_patterns = 0, n_ps = 0, n_tr = 0, n_fq = 0, n_templates = 0, n_no_service = 0;
    uint64_t n_times = 0;
    for (uint32_t i = 0; i < n_sched;) {
        uint32_t j = i + 1;
        while (j < n_sched && bt[order[i]].group == bt[order[j]].group) j++;
        /* first-fit into non-overtaking sub-patterns */
        uint32_t n_sub = 0;
        for (uint32_t k = i; k < j; k++) {
            const btrip *t = &bt[order[k]];
            uint32_t s = 0;
            while (s < n_sub && !trip_precedes(&bt[sub_last[s]], t)) s++;
            if (s == n_sub) n_sub++;
            sub_last[s] = order[k];
            sub_of[k] = s;
        }
        for (uint32_t s = 0; s < n_sub; s++) {
            const btrip *t0 = NULL;
            tc_net_pattern *p = &patterns[n_patterns];
            for (uint32_t k = i; k < j; k++) {
                if (sub_of[k] != s) continue;
                uint32_t g = order[k];
                const btrip *t = &bt[g];
                if (!t0) {
                    t0 = t;
                    first_trip[n_patterns] = (uint64_t)t->feed << 32 | t->local;
                    p->route = t->route;
                    p->n_stops = t->n;
                    p->stops_begin = n_ps;
                    p->trips_begin = n_tr;
                    p->flags = t->is_freq ? TC_PATTERN_FREQUENCY : 0;
                    p->times_begin = n_times;
                    for (uint32_t q = 0; q < t->n; q++) {
                        pattern_stops[n_ps + q] = t->stop_off + (uint32_t)t->st[q].stop;
                        pattern_flags[n_ps + q] = stop_flags(&t->st[q]);
                    }
                    n_ps += t->n;
                }
                /* times, and whether they never go down along the trip (TC_PATTERN_MONOTONE is cleared by any trip
                 * of the pattern that breaks it; set below once the pattern is complete) */
                for (uint32_t q = 0; q < t->n; q++) {
                    trip_time(t, q, &times[n_times + q].arrival, &times[n_times + q].departure);
                    if (times[n_times + q].departure < times[n_times + q].arrival ||
                        (q && times[n_times + q].arrival < times[n_times + q - 1].departure))
                        p->flags |= 0x80000000u; /* scratch bit: not monotone */
                }
                n_times += t->n;
                const gtfs_feed *fd = feeds[t->feed];
                const gtfs_trip *gt = &fd->trips[t->local];
                tc_net_trip *nt = &trips[n_tr];
                nt->id_str = strtab_add(&strs, gt->id);
                nt->headsign_str = strtab_add(&strs, gt->headsign);
                nt->block_str = strtab_add(&strs, gt->block_id);
                nt->route = t->route;
                nt->pattern = n_patterns;
                nt->service = (gt->service >= 0 && (size_t)gt->service < fd->n_services)
                                  ? svc_off[t->feed] + (uint32_t)gt->service
                                  : empty_svc;
                nt->freq_begin = n_fq;
                nt->freq_count = 0;
                if (t->is_freq) {
                    n_templates++;
                    for (uint32_t q = 0; q < t->freq_count && q < 65535; q++) {
                        const freq_ref *fr = &frefs[t->freq_begin + q];
                        const gtfs_frequency *gq = &feeds[fr->feed]->frequencies[fr->row];
                        freqs[n_fq++] = (tc_net_frequency){gq->start_time + t->shift, gq->end_time + t->shift,
                                                           gq->headway_secs, gq->exact_times};
                        nt->freq_count++;
                    }
                }
                nt->feed = (uint16_t)t->feed;
                nt->wheelchair = (uint8_t)(gt->wheelchair_accessible == 1 ? 1 : gt->wheelchair_accessible == 2 ? 2 : 0);
                nt->direction = (int8_t)(gt->direction_id == 0 || gt->direction_id == 1 ? gt->direction_id : -1);
                if (svc_empty[nt->service]) n_no_service++;
                new_trip_index[g] = n_tr++;
                p->n_trips++;
            }
            p->flags = (p->flags & 0x80000000u) ? (p->flags & ~0x80000000u) : (p->flags | TC_PATTERN_MONOTONE);
            n_patterns++;
        }
        i = j;
        tc_progress_update(&prog, i);
    }
    /* trips without stop times: kept (counted, findable by id), in no pattern */
    for (uint32_t g = 0; g < n_trips; g++) {
        if (bt[g].n) continue;
        const gtfs_feed *fd = feeds[bt[g].feed];
        const gtfs_trip *gt = &fd->trips[bt[g].local];
        tc_net_trip *nt = &trips[n_tr];
        nt->id_str = strtab_add(&strs, gt->id);
        nt->headsign_str = strtab_add(&strs, gt->headsign);
        nt->block_str = strtab_add(&strs, gt->block_id);
        nt->route = bt[g].route;
        nt->pattern = TC_NONE;
        nt->service = (gt->service >= 0 && (size_t)gt->service < fd->n_services)
                          ? svc_off[bt[g].feed] + (uint32_t)gt->service
                          : empty_svc;
        nt->freq_begin = n_fq;
        nt->feed = (uint16_t)bt[g].feed;
        nt->wheelchair = (uint8_t)(gt->wheelchair_accessible == 1 ? 1 : gt->wheelchair_accessible == 2 ? 2 : 0);
        nt->direction = (int8_t)(gt->direction_id == 0 || gt->direction_id == 1 ? gt->direction_id : -1);
        if (svc_empty[nt->service]) n_no_service++;
        new_trip_index[g] = n_tr++;
    }
    tc_progress_finish(&prog);
    for (size_t f = 0; f < n_feeds; f++)
        for (uint32_t g = trip_off[f]; g < trip_off[f] + feeds[f]->n_trips; g++)
            if (bt[g].is_freq) nfeeds[f].n_frequency_templates++;

    /* ---- stop → patterns CSR ---- */
    stop_pattern_begin = calloc(n_stops + 2, sizeof *stop_pattern_begin);
    stop_patterns = malloc(((size_t)n_ps + 1) * sizeof *stop_patterns);
    served = calloc(n_stops + 1, 1);
    if (!stop_pattern_begin || !stop_patterns || !served) {
        st = OOM("stop patterns");
        goto done;
    }
    for (uint32_t q = 0; q < n_ps; q++) stop_pattern_begin[pattern_stops[q] + 1]++;
    for (uint32_t s = 0; s < n_stops; s++) stop_pattern_begin[s + 1] += stop_pattern_begin[s];
    {
        uint32_t *cursor = malloc((n_stops + 1) * sizeof *cursor);
        if (!cursor) {
            st = OOM("stop patterns");
            goto done;
        }
        memcpy(cursor, stop_pattern_begin, n_stops * sizeof *cursor);
        for (uint32_t p = 0; p < n_patterns; p++)
            for (uint32_t q = 0; q < patterns[p].n_stops; q++) {
                uint32_t s = pattern_stops[patterns[p].stops_begin + q];
                stop_patterns[cursor[s]++] = (tc_net_stop_pattern){p, q};
                served[s] = 1;
            }
        free(cursor);
    }

    /* ---- transfers.txt rules ---- */
    rules = calloc(n_rules + 1, sizeof *rules);
    rule_begin = calloc(n_stops + 1, sizeof *rule_begin);
    if (!rules || !rule_begin) {
        st = OOM("transfer rules");
        goto done;
    }
    uint32_t n_rl = 0;
    for (size_t f = 0; f < n_feeds; f++) {
        const gtfs_feed *fd = feeds[f];
#define MAP_IDX(v, lim, off) (((v) >= 0 && (size_t)(v) < (lim)) ? (off) + (uint32_t)(v) : TC_NONE)
        for (size_t k = 0; k < fd->n_transfers; k++) {
            const gtfs_transfer *gx = &fd->transfers[k];
            tc_net_transfer_rule *r = &rules[n_rl++];
            r->from_stop = MAP_IDX(gx->from_stop, fd->n_stops, stop_off[f]);
            r->to_stop = MAP_IDX(gx->to_stop, fd->n_stops, stop_off[f]);
            r->from_route = MAP_IDX(gx->from_route, fd->n_routes, route_off[f]);
            r->to_route = MAP_IDX(gx->to_route, fd->n_routes, route_off[f]);
            r->from_trip = (gx->from_trip >= 0 && (size_t)gx->from_trip < fd->n_trips)
                               ? new_trip_index[trip_off[f] + (uint32_t)gx->from_trip]
                               : TC_NONE;
            r->to_trip = (gx->to_trip >= 0 && (size_t)gx->to_trip < fd->n_trips)
                             ? new_trip_index[trip_off[f] + (uint32_t)gx->to_trip]
                             : TC_NONE;
            r->min_transfer_time = gx->min_transfer_time;
            r->type = (uint32_t)(gx->type >= 0 ? gx->type : 0);
        }
#undef MAP_IDX
    }
    qsort(rules, n_rl, sizeof *rules, rule_cmp);
    {
        uint32_t k = 0;
        for (uint32_t s = 0; s <= n_stops; s++) {
            while (k < n_rl && rules[k].from_stop < s) k++;
            rule_begin[s] = k;
        }
        /* rule_begin[n_stops] = first rule without a from_stop (TC_NONE sorts last) */
    }

    /* ---- 3. writing: streets first (they write their own sections), then walking transfers ---- */
    w = malloc(sizeof *w);
    if (!w) {
        st = OOM("writer");
        goto done;
    }
    st = tc_netfile_create(w, out_path, err);
    if (st) goto done;
    w_open = 1;
    uint32_t n_xfers = 0;
    if (with_osm) {
        st = streets_build_sections_dem(w, opts->osm_path, opts->lts_overrides, opts->elevation_path, lat, lon, (uint32_t)n_stops, radius,
                                        snap, diag, opts->progress, &links, err);
        if (st) goto done;
        have_links = 1;
        xfer_begin = links.transfer_begin;
        n_xfers = links.n_transfers;
        link_node = links.link_node;
        link_m = links.link_m;
        xfers = malloc(((size_t)n_xfers + 1) * sizeof *xfers);
        if (!xfers) {
            st = OOM("transfers");
            goto done;
        }
        for (uint32_t k = 0; k < n_xfers; k++) xfers[k] = (tc_net_transfer){links.transfer_to[k], links.transfer_m[k]};
    } else {
        tc_progress_start(&prog, opts->progress, "walking transfers (straight line)", 0);
        st = tc_straight_line_transfers(lat, lon, served, (uint32_t)n_stops, radius, detour, &xfer_begin, &xfer_to,
                                        &xfer_m, &n_xfers, err);
        if (st) goto done;
        tc_progress_finish(&prog);
        xfers = malloc(((size_t)n_xfers + 1) * sizeof *xfers);
        if (!xfers) {
            st = OOM("transfers");
            goto done;
        }
        for (uint32_t k = 0; k < n_xfers; k++) xfers[k] = (tc_net_transfer){xfer_to[k], xfer_m[k]};
    }

    /* ---- id indices (after every string is in the table) ---- */
    stop_idx = make_id_index(stops, sizeof *stops, offsetof(tc_net_stop, id_str), offsetof(tc_net_stop, feed),
                             (uint32_t)n_stops, strs.buf);
    route_idx = make_id_index(routes, sizeof *routes, offsetof(tc_net_route, id_str), offsetof(tc_net_route, feed),
                              (uint32_t)n_routes, strs.buf);
    trip_idx = make_id_index(trips, sizeof *trips, offsetof(tc_net_trip, id_str), offsetof(tc_net_trip, feed), n_tr,
                             strs.buf);
    if (!stop_idx || !route_idx || !trip_idx) {
        st = OOM("id index");
        goto done;
    }
    if (with_osm) meta.osm_str = strtab_add(&strs, opts->osm_path);
    for (size_t f = 0; f < n_feeds; f++)
        if (nfeeds[f].name_str == UINT32_MAX) meta.osm_str = UINT32_MAX;
    if (meta.osm_str == UINT32_MAX || meta.timezone_str == UINT32_MAX) {
        st = OOM("strings");
        goto done;
    }

    meta.n_feeds = (uint32_t)n_feeds;
    meta.n_agencies = (uint32_t)n_agencies;
    meta.n_stops = (uint32_t)n_stops;
    meta.n_routes = (uint32_t)n_routes;
    meta.n_patterns = n_patterns;
    meta.n_trips = n_tr;
    meta.n_frequencies = n_fq;
    meta.n_transfers = n_xfers;
    meta.n_transfer_rules = n_rl;
    meta.n_services = n_services;
    meta.n_pattern_stops = n_ps;
    meta.n_frequency_templates = n_templates;
    meta.n_trips_without_service = n_no_service;
    meta.n_scheduled_trips = n_sched;
    meta.n_stop_times = n_times;
    meta.n_source_stop_times = n_st;
    meta.service_start = day_lo;
    meta.n_days = n_days;
    meta.service_words = words;
    meta.transfer_radius_m = radius;
    meta.walk_speed_mps = walk_speed;
    meta.straight_line_detour = detour;
    meta.snap_radius_m = snap;
    meta.straight_line_walking = !with_osm;
    /* SOURCE_DATE_EPOCH (reproducible-builds.org) makes two builds of the same inputs byte-identical */
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    meta.built_unix = sde && *sde ? strtoll(sde, NULL, 10) : (int64_t)time(NULL);

    struct {
        uint32_t id;
        const void *data;
        uint64_t len;
    } secs[] = {
        {TC_SEC_META, &meta, sizeof meta},
        {TC_SEC_STRINGS, strs.buf, strs.len},
        {TC_SEC_FEEDS, nfeeds, n_feeds * sizeof *nfeeds},
        {TC_SEC_AGENCIES, agencies, n_agencies * sizeof *agencies},
        {TC_SEC_STOPS, stops, n_stops * sizeof *stops},
        {TC_SEC_ROUTES, routes, n_routes * sizeof *routes},
        {TC_SEC_PATTERNS, patterns, (uint64_t)n_patterns * sizeof *patterns},
        {TC_SEC_PATTERN_STOPS, pattern_stops, (uint64_t)n_ps * sizeof *pattern_stops},
        {TC_SEC_PATTERN_STOP_FLAGS, pattern_flags, n_ps},
        {TC_SEC_STOP_TIMES, times, n_times * sizeof *times},
        {TC_SEC_TRIPS, trips, (uint64_t)n_tr * sizeof *trips},
        {TC_SEC_FREQUENCIES, freqs, (uint64_t)n_fq * sizeof *freqs},
        {TC_SEC_STOP_PATTERN_BEGIN, stop_pattern_begin, (n_stops + 1) * sizeof *stop_pattern_begin},
        {TC_SEC_STOP_PATTERNS, stop_patterns, (uint64_t)n_ps * sizeof *stop_patterns},
        {TC_SEC_TRANSFER_BEGIN, xfer_begin, (n_stops + 1) * sizeof *xfer_begin},
        {TC_SEC_TRANSFERS, xfers, (uint64_t)n_xfers * sizeof *xfers},
        {TC_SEC_TRANSFER_RULE_BEGIN, rule_begin, (n_stops + 1) * sizeof *rule_begin},
        {TC_SEC_TRANSFER_RULES, rules, (uint64_t)n_rl * sizeof *rules},
        {TC_SEC_SERVICE_BITS, svc_bits, (uint64_t)n_services * words * sizeof *svc_bits},
        {TC_SEC_STOP_ID_INDEX, stop_idx, n_stops * sizeof *stop_idx},
        {TC_SEC_ROUTE_ID_INDEX, route_idx, n_routes * sizeof *route_idx},
        {TC_SEC_TRIP_ID_INDEX, trip_idx, (uint64_t)n_tr * sizeof *trip_idx},
    };
    for (size_t k = 0; k < sizeof secs / sizeof *secs; k++) {
        st = tc_netfile_add(w, secs[k].id, secs[k].data, secs[k].len, err);
        if (st) goto done;
    }
    st = pattern_shapes_build((const gtfs_feed *const *)feeds, n_feeds, patterns, n_patterns, first_trip,
                              pattern_stops, stops, &shapes, err);
    if (!st && shapes.n_points) {
        st = tc_netfile_add(w, TC_SEC_SHAPES, shapes.points, (uint64_t)shapes.n_points * 2 * sizeof(int32_t), err);
        if (!st) st = tc_netfile_add(w, TC_SEC_PATTERN_SHAPE, shapes.pattern_shape,
                                     (uint64_t)n_patterns * 2 * sizeof(uint32_t), err);
        if (!st) st = tc_netfile_add(w, TC_SEC_PATTERN_STOP_SHAPE, shapes.stop_point,
                                     (uint64_t)n_ps * sizeof(uint32_t), err);
    }
    if (st) goto done;
    if (have_links && link_node && link_m) {
        st = tc_netfile_add(w, TC_SEC_STOP_STREET_LINK, link_node, n_stops * sizeof *link_node, err);
        if (!st) st = tc_netfile_add(w, TC_SEC_STOP_STREET_LINK_M, link_m, n_stops * sizeof *link_m, err);
        if (st) goto done;
    }
    st = tc_netfile_commit(w, err);
    w_open = 0;

done:
    if (w_open) tc_netfile_abort(w);
    free(w);
    if (have_links) {
        xfer_begin = NULL; /* owned by links */
        streets_stop_links_free(&links);
    }
    free(xfer_begin), free(xfer_to), free(xfer_m), free(xfers);
    strtab_free(&strs);
    free(nfeeds), free(agencies), free(stops), free(routes), free(patterns), free(pattern_stops);
    free(new_trip_index), free(order), free(sub_of), free(sub_last), free(pattern_flags), free(served);
    free(svc_empty), free(times), free(trips), free(freqs), free(frefs), free(bt), free(stop_pattern_begin);
    free(rule_begin), free(stop_patterns), free(rules), free(svc_bits), free(stop_idx), free(route_idx);
    free(trip_idx), free(lat), free(lon), free(stop_off), free(route_off), free(agency_off), free(trip_off);
    free(svc_off);
    free(first_trip);
    pattern_shapes_free(&shapes);
    return st;
}

