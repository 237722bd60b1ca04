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

tc_status straight_line_transfers(const double *lat, const double *lon, const uint8_t *include, uint32_t n,
                                  double radius_m, double detour, uint32_t **begin_out, uint32_t **to_out,
                                  uint32_t **metres_out, uint32_t *count_out, tc_error *err) {
    *begin_out = calloc((size_t)n + 1, sizeof(uint32_t));
    *to_out = NULL;
    *metres_out = NULL;
    *count_out = 0;
    if (!*begin_out) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (transfers)");
    if (radius_m <= 0 || n < 2) {
        *to_out = malloc(sizeof(uint32_t));
        *metres_out = malloc(sizeof(uint32_t));
        return (*to_out && *metres_out) ? TC_OK : error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    if (detour < 1) detour = 1;
    const double max_straight = radius_m / detour;
    const double m_per_deg = TC_EARTH_RADIUS_M * M_PI / 180.0;
    const double cell_deg = max_straight / m_per_deg; /* one cell of latitude = the search radius */

    grid_item *items = malloc(((size_t)n + 1) * sizeof *items);
    size_t n_items = 0;
    if (!items) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (transfers)");
    for (uint32_t i = 0; i < n; i++) {
        if ((include && !include[i]) || !isfinite(lat[i]) || !isfinite(lon[i])) continue;
        items[n_items++] = (grid_item){(int64_t)floor((lat[i] + 90.0) / cell_deg), lon[i], i};
    }
    qsort(items, n_items, sizeof *items, grid_item_cmp);

    size_t cap = 1024, count = 0;
    pair_link *links = malloc(cap * sizeof *links);
    tc_status st = TC_OK;
    if (!links) st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (transfers)");
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
                    double d = haversine_m(lat[i], lon[i], lat[j], lon[j]);
                    if (d > max_straight) continue;
                    if (count == cap) {
                        cap *= 2;
                        pair_link *nl = realloc(links, cap * sizeof *links);
                        if (!nl) {
                            st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (transfers)");
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
        st = error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "too many walking transfers: lower --transfer-radius");
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
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (transfers)");
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

static int rule_cmp(const void *x, const void *y) {
    const net_transfer_rule *a = x, *b = y;
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
    if (tz_offset(net_tz, utc, &a) || tz_offset(feed_tz, utc, &b)) return 0;
    return a - b;
}

/* Everything one build holds, filled by the steps below in the order they are called from build_from_feeds()
 * and freed by build_state_free(). The network tables are in their file layout; the *_off arrays give each feed's
 * first index in the merged stops, routes, agencies, trips and services. One struct rather than parameter lists,
 * because most steps read the results of several earlier ones. */
typedef struct build_state {
    gtfs_feed *const *feeds;
    size_t n_feeds;
    const tc_build_options *opts;
    diag_log *diag;
    tc_error *err;
    double radius, detour, walk_speed, snap; /* the options with their defaults filled in */
    int with_osm;
    progress_bar prog;
    strtab strs;

    /* sizes summed over the feeds, and each feed's offsets */
    uint64_t n_stops, n_routes, n_agencies, n_trips, n_st, n_freq, n_rules, n_svc;
    uint32_t *stop_off, *route_off, *agency_off, *trip_off, *svc_off;
    int32_t day_lo;                  /* first day of the union of the feeds' date ranges */
    uint32_t n_days, words;          /* days in the union, 64-bit words per service's day bits */
    uint32_t empty_svc, n_services;  /* the never-active service for trips without one; services + 1 */

    /* merged records */
    net_meta meta;
    net_feed *nfeeds;
    net_agency *agencies;
    net_stop *stops;
    net_route *routes;
    double *lat, *lon; /* stop coordinates in degrees, NAN without a position: input of walking transfers */
    uint64_t *svc_bits;
    uint8_t *svc_empty;

    /* trips into patterns */
    btrip *bt;                 /* every trip of every feed, in feed order */
    freq_ref *frefs;           /* valid frequencies.txt rows, by trip then start */
    size_t nfr;
    uint32_t *order, n_sched;  /* trips with stop times, sorted by key class then departure */
    uint32_t *new_trip_index;  /* feed-order trip → network trip */
    uint32_t *sub_of, *sub_last;
    net_pattern *patterns;
    uint64_t *first_trip;      /* per pattern (feed << 32 | trip): where its shape comes from */
    uint32_t *pattern_stops;
    uint8_t *pattern_flags;
    net_stop_time *times;
    net_trip *trips;
    net_frequency *freqs;
    uint32_t n_patterns, n_ps, n_tr, n_fq, n_templates, n_no_service;
    uint64_t n_times;

    /* indexes over the patterns, transfers */
    uint32_t *stop_pattern_begin;
    net_stop_pattern *stop_patterns;
    uint8_t *served; /* stops with at least one pattern: only they get straight-line transfers */
    net_transfer_rule *rules;
    uint32_t *rule_begin, n_rl;
    uint32_t *xfer_begin, *xfer_to, *xfer_m, n_xfers; /* xfer_begin belongs to links when have_links */
    net_transfer *xfers;
    streets_stop_links links;
    int have_links;
    uint32_t *stop_idx, *route_idx, *trip_idx;
    pattern_shapes shapes;
} build_state;

#define OOM(what) error_set(b->err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (%s)", what)

static void build_state_free(build_state *b) {
    if (b->have_links) {
        b->xfer_begin = NULL; /* owned by links */
        streets_stop_links_free(&b->links);
    }
    free(b->xfer_begin), free(b->xfer_to), free(b->xfer_m), free(b->xfers);
    strtab_free(&b->strs);
    free(b->nfeeds), free(b->agencies), free(b->stops), free(b->routes), free(b->patterns), free(b->pattern_stops);
    free(b->new_trip_index), free(b->order), free(b->sub_of), free(b->sub_last), free(b->pattern_flags);
    free(b->served), free(b->svc_empty), free(b->times), free(b->trips), free(b->freqs), free(b->frefs), free(b->bt);
    free(b->stop_pattern_begin), free(b->rule_begin), free(b->stop_patterns), free(b->rules), free(b->svc_bits);
    free(b->stop_idx), free(b->route_idx), free(b->trip_idx), free(b->lat), free(b->lon);
    free(b->stop_off), free(b->route_off), free(b->agency_off), free(b->trip_off), free(b->svc_off);
    free(b->first_trip);
    pattern_shapes_free(&b->shapes);
}

/* Warnings about feed f carry its name when there are several feeds. */
static const char *diag_enter_feed(build_state *b, size_t f) {
    const char *saved = b->diag ? b->diag->prefix : NULL;
    if (b->diag && b->n_feeds > 1) b->diag->prefix = b->feeds[f]->name;
    return saved;
}

static void diag_leave_feed(build_state *b, const char *saved) {
    if (b->diag) b->diag->prefix = saved;
}

/* ---- step 1: sizes, offsets and the union of the date ranges, checked against the file's 32-bit indices ---- */

static tc_status count_feeds(build_state *b) {
    size_t n_feeds = b->n_feeds;
    b->stop_off = calloc(n_feeds + 1, sizeof *b->stop_off);
    b->route_off = calloc(n_feeds + 1, sizeof *b->route_off);
    b->agency_off = calloc(n_feeds + 1, sizeof *b->agency_off);
    b->trip_off = calloc(n_feeds + 1, sizeof *b->trip_off);
    b->svc_off = calloc(n_feeds + 1, sizeof *b->svc_off);
    b->nfeeds = calloc(n_feeds + 1, sizeof *b->nfeeds);
    if (!b->stop_off || !b->route_off || !b->agency_off || !b->trip_off || !b->svc_off || !b->nfeeds)
        return OOM("feeds");
    int32_t day_lo = INT32_MAX, day_hi = INT32_MIN; /* [lo, hi) */
    for (size_t f = 0; f < n_feeds; f++) {
        const gtfs_feed *fd = b->feeds[f];
        b->stop_off[f] = (uint32_t)b->n_stops, b->route_off[f] = (uint32_t)b->n_routes;
        b->agency_off[f] = (uint32_t)b->n_agencies, b->trip_off[f] = (uint32_t)b->n_trips;
        b->svc_off[f] = (uint32_t)b->n_svc;
        b->n_stops += fd->n_stops, b->n_routes += fd->n_routes, b->n_agencies += fd->n_agencies;
        b->n_trips += fd->n_trips, b->n_st += fd->n_stop_times, b->n_freq += fd->n_frequencies;
        b->n_rules += fd->n_transfers, b->n_svc += fd->n_services;
        if (fd->n_days) {
            if (fd->first_day < day_lo) day_lo = fd->first_day;
            if (fd->first_day + (int32_t)fd->n_days > day_hi) day_hi = fd->first_day + (int32_t)fd->n_days;
        }
        const struct {
            uint64_t n;
            const char *what;
        } limits[] = {{b->n_stops, "stops"},       {b->n_trips, "trips"},           {b->n_routes, "routes"},
                      {b->n_svc + 1, "services"}, {b->n_freq, "frequencies"},     {b->n_rules, "transfer rules"},
                      {b->n_st, "stop_times"}};
        for (size_t k = 0; k < sizeof limits / sizeof *limits; k++)
            if (limits[k].n >= UINT32_MAX)
                return error_set(b->err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "too many %s for one network file",
                                 limits[k].what);
    }
    if (day_lo > day_hi) day_lo = day_hi = 0;
    b->day_lo = day_lo;
    b->n_days = (uint32_t)(day_hi - day_lo);
    b->words = (b->n_days + 63) / 64;
    b->empty_svc = (uint32_t)b->n_svc; /* one extra, never-active service for trips without a service */
    b->n_services = (uint32_t)b->n_svc + 1;
    return TC_OK;
}

/* ---- feeds, agencies, stops, routes: concatenated feed by feed ---- */

/* Feed f's own record, with its timezone shift (see the top of the file; an unknown zone is warned, not fatal). */
static void merge_feed_record(build_state *b, size_t f, const char *net_tz, int32_t mid_day) {
    const gtfs_feed *fd = b->feeds[f];
    net_feed *nf = &b->nfeeds[f];
    char fallback[32];
    snprintf(fallback, sizeof fallback, "feed%zu", f + 1);
    nf->name_str = strtab_add(&b->strs, fd->name && *fd->name ? fd->name : fallback);
    nf->timezone_str = strtab_add(&b->strs, fd->timezone);
    nf->tz_shift_s = feed_tz_shift(net_tz, fd->timezone, mid_day);
    if (fd->timezone && net_tz && strcmp(fd->timezone, net_tz)) {
        int32_t probe;
        const char *saved = diag_enter_feed(b, f);
        if (tz_offset(fd->timezone, 0, &probe) || tz_offset(net_tz, 0, &probe))
            diag_report(b->diag, TC_SEV_WARNING, "unknown_timezone", "agency.txt", 0, 0,
                        "timezone \"%s\" or \"%s\" is unknown to this system: times not shifted", fd->timezone, net_tz);
        diag_leave_feed(b, saved);
    }
    nf->stop_begin = b->stop_off[f], nf->n_stops = (uint32_t)fd->n_stops;
    nf->route_begin = b->route_off[f], nf->n_routes = (uint32_t)fd->n_routes;
    nf->agency_begin = b->agency_off[f], nf->n_agencies = (uint32_t)fd->n_agencies;
    nf->n_trips = (uint32_t)fd->n_trips;
    nf->n_transfer_rules = (uint32_t)fd->n_transfers;
    nf->first_day = fd->first_day, nf->n_days = fd->n_days;
    nf->rows_stops = fd->counts.stops, nf->rows_routes = fd->counts.routes, nf->rows_trips = fd->counts.trips;
    nf->rows_stop_times = fd->counts.stop_times, nf->rows_frequencies = fd->counts.frequencies;
    nf->rows_transfers = fd->counts.transfers;
    nf->trips_dropped = fd->counts.trips_dropped, nf->stop_times_dropped = fd->counts.stop_times_dropped;
    nf->n_stop_times = fd->n_stop_times;
}

static void merge_agencies(build_state *b, size_t f) {
    const gtfs_feed *fd = b->feeds[f];
    for (size_t a = 0; a < fd->n_agencies; a++) {
        net_agency *na = &b->agencies[b->agency_off[f] + a];
        na->id_str = strtab_add(&b->strs, fd->agencies[a].id);
        na->name_str = strtab_add(&b->strs, fd->agencies[a].name);
        na->timezone_str = strtab_add(&b->strs, fd->agencies[a].timezone);
        na->feed = (uint16_t)f;
    }
}

/* Feed f's stops, growing the bounding box bb (min lon, min lat, max lon, max lat, 1e-7 degrees). */
static void merge_stops(build_state *b, size_t f, int32_t bb[4]) {
    const gtfs_feed *fd = b->feeds[f];
    const uint32_t off = b->stop_off[f];
    for (size_t s = 0; s < fd->n_stops; s++) {
        const gtfs_stop *gs = &fd->stops[s];
        net_stop *ns = &b->stops[off + s];
        uint32_t g = off + (uint32_t)s;
        /* a stop without coordinates (allowed for generic nodes and boarding areas) stays out of the bbox
         * and of walking transfers */
        int has_pos = isfinite(gs->lat) && isfinite(gs->lon) && fabs(gs->lat) <= 90 && fabs(gs->lon) <= 180;
        b->lat[g] = has_pos ? gs->lat : NAN, b->lon[g] = has_pos ? gs->lon : NAN;
        ns->lat_e7 = has_pos ? to_e7(gs->lat) : 0, ns->lon_e7 = has_pos ? to_e7(gs->lon) : 0;
        ns->id_str = strtab_add(&b->strs, gs->id);
        ns->name_str = strtab_add(&b->strs, gs->name);
        ns->platform_str = strtab_add(&b->strs, gs->platform_code);
        ns->parent = (gs->parent >= 0 && (size_t)gs->parent < fd->n_stops) ? off + (uint32_t)gs->parent : TC_NONE;
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
}

static void merge_routes(build_state *b, size_t f) {
    const gtfs_feed *fd = b->feeds[f];
    for (size_t r = 0; r < fd->n_routes; r++) {
        const gtfs_route *gr = &fd->routes[r];
        net_route *nr = &b->routes[b->route_off[f] + r];
        nr->id_str = strtab_add(&b->strs, gr->id);
        nr->short_name_str = strtab_add(&b->strs, gr->short_name);
        nr->long_name_str = strtab_add(&b->strs, gr->long_name);
        nr->color_str = strtab_add(&b->strs, gr->color);
        /* a feed with one agency may leave agency_id blank */
        if (gr->agency >= 0 && (size_t)gr->agency < fd->n_agencies)
            nr->agency = b->agency_off[f] + (uint32_t)gr->agency;
        else
            nr->agency = fd->n_agencies == 1 ? b->agency_off[f] : TC_NONE;
        nr->type = (uint16_t)(gr->type >= 0 && gr->type <= 65535 ? gr->type : 3);
        nr->feed = (uint16_t)f;
    }
}

/* The strings go into the table in a fixed order (network timezone, then per feed: the feed, its agencies, stops,
 * routes), which fixes their offsets: two builds of the same inputs are byte-identical. */
static tc_status merge_feeds(build_state *b) {
    const char *net_tz = b->n_feeds ? b->feeds[0]->timezone : NULL;
    b->meta.timezone_str = strtab_add(&b->strs, net_tz);
    int32_t mid_day = b->day_lo + (int32_t)(b->n_days / 2);
    b->agencies = calloc(b->n_agencies + 1, sizeof *b->agencies);
    b->stops = calloc(b->n_stops + 1, sizeof *b->stops);
    b->routes = calloc(b->n_routes + 1, sizeof *b->routes);
    b->lat = calloc(b->n_stops + 1, sizeof *b->lat);
    b->lon = calloc(b->n_stops + 1, sizeof *b->lon);
    if (!b->agencies || !b->stops || !b->routes || !b->lat || !b->lon) return OOM("stops");
    int32_t bb[4] = {INT32_MAX, INT32_MAX, INT32_MIN, INT32_MIN};
    for (size_t f = 0; f < b->n_feeds; f++) {
        merge_feed_record(b, f, net_tz, mid_day);
        merge_agencies(b, f);
        merge_stops(b, f, bb);
        merge_routes(b, f);
    }
    if (bb[0] > bb[2]) bb[0] = bb[1] = bb[2] = bb[3] = 0; /* no stop with coordinates */
    memcpy(b->meta.bbox_e7, bb, sizeof bb);
    return TC_OK;
}

/* ---- services: each feed's day bits re-based onto the network's [day_lo, day_lo + n_days) ---- */

static tc_status rebase_services(build_state *b) {
    const uint32_t words = b->words;
    b->svc_bits = calloc((size_t)b->n_services * words + 1, sizeof *b->svc_bits);
    b->svc_empty = calloc(b->n_services, 1);
    if (!b->svc_bits || !b->svc_empty) return OOM("services");
    for (size_t f = 0; f < b->n_feeds; f++) {
        const gtfs_feed *fd = b->feeds[f];
        uint32_t shift_days = (uint32_t)(fd->first_day - b->day_lo);
        for (size_t s = 0; s < fd->n_services; s++) {
            uint64_t *dst = b->svc_bits + (size_t)(b->svc_off[f] + s) * words;
            const uint64_t *src = fd->services[s].bits;
            int any = 0;
            for (uint32_t d = 0; src && d < fd->n_days; d++) {
                if ((src[d >> 6] >> (d & 63)) & 1u) {
                    uint32_t nd = d + shift_days;
                    dst[nd >> 6] |= 1ull << (nd & 63);
                    any = 1;
                }
            }
            b->svc_empty[b->svc_off[f] + s] = (uint8_t)!any;
        }
    }
    b->svc_empty[b->empty_svc] = 1;
    return TC_OK;
}

/* ---- step 2: trips into patterns ---- */

/* The usable frequencies.txt rows (a known trip, a positive headway; others warned and left out), sorted by trip
 * and start so that each trip's rows are one run of frefs. */
static void collect_frequencies(build_state *b) {
    size_t nfr = 0;
    for (size_t f = 0; f < b->n_feeds; f++) {
        const gtfs_feed *fd = b->feeds[f];
        for (size_t k = 0; k < fd->n_frequencies; k++) {
            const gtfs_frequency *gq = &fd->frequencies[k];
            if (gq->trip < 0 || (size_t)gq->trip >= fd->n_trips || gq->headway_secs <= 0) {
                const char *saved = diag_enter_feed(b, f);
                diag_report(b->diag, TC_SEV_WARNING, "bad_frequency", "frequencies.txt", 0, 0,
                            "frequency row %zu has no trip or a headway of %d s: ignored", k + 1, gq->headway_secs);
                diag_leave_feed(b, saved);
                continue;
            }
            b->frefs[nfr++] = (freq_ref){b->trip_off[f] + (uint32_t)gq->trip, (uint32_t)f, (uint32_t)k, gq->start_time};
        }
    }
    b->nfr = nfr;
    qsort(b->frefs, nfr, sizeof *b->frefs, freq_ref_cmp);
}

/* A multiply-xorshift mix over (route, frequency?, n, stops, flags): it only needs to spread the pattern keys. */
static uint64_t pattern_key_hash(const btrip *t) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ ((uint64_t)t->route << 32 | (uint64_t)t->is_freq << 31 | t->n);
    for (uint32_t j = 0; j < t->n; j++) {
        uint64_t x = ((uint64_t)(t->stop_off + (uint32_t)t->st[j].stop) << 8) | stop_flags(&t->st[j]);
        h = (h ^ x) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
    }
    return h;
}

/* One btrip per trip of every feed: where its stop_times are, its frequency rows, its sort key and key hash. */
static tc_status describe_trips(build_state *b) {
    size_t k = 0; /* walks frefs, which is in trip order like the loop */
    for (size_t f = 0; f < b->n_feeds; f++) {
        const gtfs_feed *fd = b->feeds[f];
        for (size_t t = 0; t < fd->n_trips; t++) {
            uint32_t g = b->trip_off[f] + (uint32_t)t;
            const gtfs_trip *gt = &fd->trips[t];
            btrip *bt = &b->bt[g];
            bt->feed = (uint32_t)f, bt->local = (uint32_t)t;
            bt->route = b->route_off[f] + (uint32_t)(gt->route >= 0 ? gt->route : 0);
            bt->stop_off = b->stop_off[f];
            bt->shift = b->nfeeds[f].tz_shift_s;
            bt->n = gt->st_begin + (uint64_t)gt->st_count <= fd->n_stop_times ? gt->st_count : 0;
            if (bt->n > TC_MAX_TRIP_STOPS)
                return error_set(b->err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                                 "feed %s: stop_times.txt: trip %s has %u stops; expected at most %u", fd->name, gt->id,
                                 bt->n, TC_MAX_TRIP_STOPS);
            bt->st = fd->stop_times + (bt->n ? gt->st_begin : 0);
            while (k < b->nfr && b->frefs[k].trip_g < g) k++;
            bt->freq_begin = (uint32_t)k;
            while (k < b->nfr && b->frefs[k].trip_g == g) k++;
            bt->freq_count = (uint32_t)k - bt->freq_begin;
            bt->is_freq = bt->freq_count > 0 && bt->n > 0;
            if (bt->n == 0) continue;
            bt->first_dep = bt->is_freq ? b->frefs[bt->freq_begin].start + bt->shift : bt->st[0].departure + bt->shift;
            bt->hash = pattern_key_hash(bt);
        }
    }
    return TC_OK;
}

/* The trips with stop times, each given its key class through a hash table (one full key comparison per trip), so
 * that the sort by (class, departure) compares integers rather than stop sequences. */
static tc_status sort_trips_by_key(build_state *b) {
    btrip *bt = b->bt;
    uint32_t *order = b->order, n_sched = 0;
    for (uint32_t g = 0; g < b->n_trips; g++)
        if (bt[g].n) order[n_sched++] = g;
    b->n_sched = n_sched;
    size_t n_slots = 16;
    while (n_slots < (size_t)n_sched * 2) n_slots *= 2;
    uint32_t *slot = malloc(n_slots * sizeof *slot); /* representative trip, UINT32_MAX = empty */
    if (!slot) return OOM("patterns");
    memset(slot, 0xff, n_slots * sizeof *slot);
    uint32_t n_groups = 0;
    for (uint32_t k = 0; k < n_sched; k++) {
        btrip *t = &bt[order[k]];
        size_t h = (size_t)t->hash & (n_slots - 1);
        while (slot[h] != UINT32_MAX && key_cmp(&bt[slot[h]], t) != 0) h = (h + 1) & (n_slots - 1);
        if (slot[h] == UINT32_MAX) {
            slot[h] = order[k];
            bt[order[k]].group = n_groups++;
        } else {
            t->group = bt[slot[h]].group;
        }
    }
    free(slot);
    qsort_r(order, n_sched, sizeof *order, trip_order_cmp, bt);
    return TC_OK;
}

/* The trip record of network trip n_tr for feed-order trip g, in pattern `pattern` (TC_NONE: none). The trip's
 * frequencies are the caller's. */
static net_trip *emit_trip(build_state *b, uint32_t g, uint32_t pattern) {
    const btrip *t = &b->bt[g];
    const gtfs_feed *fd = b->feeds[t->feed];
    const gtfs_trip *gt = &fd->trips[t->local];
    net_trip *nt = &b->trips[b->n_tr];
    nt->id_str = strtab_add(&b->strs, gt->id);
    nt->headsign_str = strtab_add(&b->strs, gt->headsign);
    nt->block_str = strtab_add(&b->strs, gt->block_id);
    nt->route = t->route;
    nt->pattern = pattern;
    nt->service = (gt->service >= 0 && (size_t)gt->service < fd->n_services)
                      ? b->svc_off[t->feed] + (uint32_t)gt->service
                      : b->empty_svc;
    nt->freq_begin = b->n_fq;
    nt->feed = (uint16_t)t->feed;
    nt->wheelchair = (uint8_t)(gt->wheelchair_accessible == 1 ? 1 : gt->wheelchair_accessible == 2 ? 2 : 0);
    nt->direction = (int8_t)(gt->direction_id == 0 || gt->direction_id == 1 ? gt->direction_id : -1);
    if (b->svc_empty[nt->service]) b->n_no_service++;
    b->new_trip_index[g] = b->n_tr++;
    return nt;
}

/* A frequency template's rows, shifted onto the network clock (at most 65535 per trip: the count is 16-bit). */
static void emit_frequencies(build_state *b, const btrip *t, net_trip *nt) {
    b->n_templates++;
    for (uint32_t q = 0; q < t->freq_count && q < 65535; q++) {
        const freq_ref *fr = &b->frefs[t->freq_begin + q];
        const gtfs_frequency *gq = &b->feeds[fr->feed]->frequencies[fr->row];
        b->freqs[b->n_fq++] = (net_frequency){gq->start_time + t->shift, gq->end_time + t->shift,
                                                 gq->headway_secs, gq->exact_times};
        nt->freq_count++;
    }
}

/* A new pattern shaped like trip t: its stops and pickup/drop-off flags. */
static net_pattern *open_pattern(build_state *b, const btrip *t) {
    net_pattern *p = &b->patterns[b->n_patterns];
    b->first_trip[b->n_patterns] = (uint64_t)t->feed << 32 | t->local;
    p->route = t->route;
    p->n_stops = t->n;
    p->stops_begin = b->n_ps;
    p->trips_begin = b->n_tr;
    p->flags = t->is_freq ? TC_PATTERN_FREQUENCY : 0;
    p->times_begin = b->n_times;
    for (uint32_t q = 0; q < t->n; q++) {
        b->pattern_stops[b->n_ps + q] = t->stop_off + (uint32_t)t->st[q].stop;
        b->pattern_flags[b->n_ps + q] = stop_flags(&t->st[q]);
    }
    b->n_ps += t->n;
    return p;
}

/* Trip t's times appended to pattern p's block. TC_PATTERN_MONOTONE (times never go down along the trip) is
 * cleared by any trip of the pattern that breaks it: a scratch bit marks it until the pattern is complete. */
static void emit_times(build_state *b, const btrip *t, net_pattern *p) {
    net_stop_time *tm = b->times + b->n_times;
    for (uint32_t q = 0; q < t->n; q++) {
        trip_time(t, q, &tm[q].arrival, &tm[q].departure);
        if (tm[q].departure < tm[q].arrival || (q && tm[q].arrival < tm[q - 1].departure))
            p->flags |= 0x80000000u; /* scratch bit: not monotone */
    }
    b->n_times += t->n;
}

/* The trips order[i..j) share one key: first-fit them into sub-patterns in which no trip overtakes another
 * (sub_of[k] for each). Returns the number of sub-patterns. */
static uint32_t split_non_overtaking(build_state *b, uint32_t i, uint32_t j) {
    const btrip *bt = b->bt;
    uint32_t n_sub = 0;
    for (uint32_t k = i; k < j; k++) {
        const btrip *t = &bt[b->order[k]];
        uint32_t s = 0;
        while (s < n_sub && !trip_precedes(&bt[b->sub_last[s]], t)) s++;
        if (s == n_sub) n_sub++;
        b->sub_last[s] = b->order[k];
        b->sub_of[k] = s;
    }
    return n_sub;
}

/* Every key class becomes one pattern per sub-pattern, its trips in departure order: the pattern record, its
 * stops, its trip-major times, its trips and their frequencies. */
static tc_status emit_patterns(build_state *b) {
    const uint32_t n_sched = b->n_sched;
    b->patterns = calloc(n_sched + 1, sizeof *b->patterns);
    b->first_trip = calloc(n_sched + 1, sizeof *b->first_trip);
    b->pattern_stops = malloc((b->n_st + 1) * sizeof *b->pattern_stops);
    b->pattern_flags = malloc(b->n_st + 1);
    b->times = malloc((b->n_st + 1) * sizeof *b->times);
    b->trips = calloc(b->n_trips + 1, sizeof *b->trips);
    b->freqs = calloc(b->nfr + 1, sizeof *b->freqs);
    b->sub_of = malloc((n_sched + 1) * sizeof *b->sub_of);
    b->sub_last = malloc((n_sched + 1) * sizeof *b->sub_last);
    if (!b->patterns || !b->first_trip || !b->pattern_stops || !b->pattern_flags || !b->times || !b->trips ||
        !b->freqs || !b->sub_of || !b->sub_last)
        return OOM("patterns");
    const uint32_t *order = b->order;
    for (uint32_t i = 0; i < n_sched;) {
        uint32_t j = i + 1;
        while (j < n_sched && b->bt[order[i]].group == b->bt[order[j]].group) j++;
        uint32_t n_sub = split_non_overtaking(b, i, j);
        for (uint32_t s = 0; s < n_sub; s++) {
            net_pattern *p = NULL;
            for (uint32_t k = i; k < j; k++) {
                if (b->sub_of[k] != s) continue;
                uint32_t g = order[k];
                const btrip *t = &b->bt[g];
                if (!p) p = open_pattern(b, t);
                emit_times(b, t, p);
                net_trip *nt = emit_trip(b, g, b->n_patterns);
                nt->freq_count = 0;
                if (t->is_freq) emit_frequencies(b, t, nt);
                p->n_trips++;
            }
            p->flags = (p->flags & 0x80000000u) ? (p->flags & ~0x80000000u) : (p->flags | TC_PATTERN_MONOTONE);
            b->n_patterns++;
        }
        i = j;
        progress_update(&b->prog, i);
    }
    return TC_OK;
}

static tc_status build_patterns(build_state *b) {
    progress_start(&b->prog, b->opts->progress, "grouping trips into patterns", b->n_trips);
    b->bt = calloc(b->n_trips + 1, sizeof *b->bt);
    b->frefs = calloc(b->n_freq + 1, sizeof *b->frefs);
    b->order = malloc((b->n_trips + 1) * sizeof *b->order);
    b->new_trip_index = malloc((b->n_trips + 1) * sizeof *b->new_trip_index);
    if (!b->bt || !b->frefs || !b->order || !b->new_trip_index) return OOM("trips");
    collect_frequencies(b);
    tc_status st = describe_trips(b);
    if (!st) st = sort_trips_by_key(b);
    if (!st) st = emit_patterns(b);
    if (st) return st;
    /* trips without stop times: kept (counted, findable by id), in no pattern */
    for (uint32_t g = 0; g < b->n_trips; g++)
        if (!b->bt[g].n) emit_trip(b, g, TC_NONE);
    progress_finish(&b->prog);
    for (size_t f = 0; f < b->n_feeds; f++)
        for (uint32_t g = b->trip_off[f]; g < b->trip_off[f] + b->feeds[f]->n_trips; g++)
            if (b->bt[g].is_freq) b->nfeeds[f].n_frequency_templates++;
    return TC_OK;
}

/* ---- step 3: the stop → patterns CSR (pattern, position), and which stops any pattern serves ---- */

static tc_status index_stop_patterns(build_state *b) {
    const uint32_t n_stops = (uint32_t)b->n_stops;
    b->stop_pattern_begin = calloc(b->n_stops + 2, sizeof *b->stop_pattern_begin);
    b->stop_patterns = malloc(((size_t)b->n_ps + 1) * sizeof *b->stop_patterns);
    b->served = calloc(b->n_stops + 1, 1);
    uint32_t *cursor = malloc((b->n_stops + 1) * sizeof *cursor);
    if (!b->stop_pattern_begin || !b->stop_patterns || !b->served || !cursor) {
        free(cursor);
        return OOM("stop patterns");
    }
    uint32_t *begin = b->stop_pattern_begin;
    for (uint32_t q = 0; q < b->n_ps; q++) begin[b->pattern_stops[q] + 1]++;
    for (uint32_t s = 0; s < n_stops; s++) begin[s + 1] += begin[s];
    memcpy(cursor, begin, n_stops * sizeof *cursor);
    for (uint32_t p = 0; p < b->n_patterns; p++)
        for (uint32_t q = 0; q < b->patterns[p].n_stops; q++) {
            uint32_t s = b->pattern_stops[b->patterns[p].stops_begin + q];
            b->stop_patterns[cursor[s]++] = (net_stop_pattern){p, q};
            b->served[s] = 1;
        }
    free(cursor);
    return TC_OK;
}

/* ---- transfers.txt rules in network indices, sorted, with a CSR by from-stop ---- */

static tc_status map_transfer_rules(build_state *b) {
    b->rules = calloc(b->n_rules + 1, sizeof *b->rules);
    b->rule_begin = calloc(b->n_stops + 1, sizeof *b->rule_begin);
    if (!b->rules || !b->rule_begin) return OOM("transfer rules");
    uint32_t n_rl = 0;
    for (size_t f = 0; f < b->n_feeds; f++) {
        const gtfs_feed *fd = b->feeds[f];
#define MAP_IDX(v, lim, off) (((v) >= 0 && (size_t)(v) < (lim)) ? (off) + (uint32_t)(v) : TC_NONE)
        for (size_t k = 0; k < fd->n_transfers; k++) {
            const gtfs_transfer *gx = &fd->transfers[k];
            net_transfer_rule *r = &b->rules[n_rl++];
            r->from_stop = MAP_IDX(gx->from_stop, fd->n_stops, b->stop_off[f]);
            r->to_stop = MAP_IDX(gx->to_stop, fd->n_stops, b->stop_off[f]);
            r->from_route = MAP_IDX(gx->from_route, fd->n_routes, b->route_off[f]);
            r->to_route = MAP_IDX(gx->to_route, fd->n_routes, b->route_off[f]);
            r->from_trip = (gx->from_trip >= 0 && (size_t)gx->from_trip < fd->n_trips)
                               ? b->new_trip_index[b->trip_off[f] + (uint32_t)gx->from_trip]
                               : TC_NONE;
            r->to_trip = (gx->to_trip >= 0 && (size_t)gx->to_trip < fd->n_trips)
                             ? b->new_trip_index[b->trip_off[f] + (uint32_t)gx->to_trip]
                             : TC_NONE;
            r->min_transfer_time = gx->min_transfer_time;
            r->type = (uint32_t)(gx->type >= 0 ? gx->type : 0);
        }
#undef MAP_IDX
    }
    b->n_rl = n_rl;
    qsort(b->rules, n_rl, sizeof *b->rules, rule_cmp);
    uint32_t k = 0;
    for (uint32_t s = 0; s <= b->n_stops; s++) {
        while (k < n_rl && b->rules[k].from_stop < s) k++;
        b->rule_begin[s] = k;
    }
    /* rule_begin[n_stops] = first rule without a from_stop (TC_NONE sorts last) */
    return TC_OK;
}

/* ---- walking transfers: over the streets (which write their own sections into w first), else by straight line
 * between served stops ---- */

static tc_status walking_transfers(build_state *b, netfile_writer *w) {
    tc_status st;
    const uint32_t *to, *metres;
    if (b->with_osm) {
        st = streets_build_sections_dem(w, b->opts->osm_path, b->opts->lts_overrides, b->opts->elevation_path, b->lat,
                                        b->lon, (uint32_t)b->n_stops, b->radius, b->snap, b->diag, b->opts->progress,
                                        &b->links, b->err);
        if (st) return st;
        b->have_links = 1;
        b->xfer_begin = b->links.transfer_begin;
        b->n_xfers = b->links.n_transfers;
        to = b->links.transfer_to, metres = b->links.transfer_m;
    } else {
        progress_start(&b->prog, b->opts->progress, "walking transfers (straight line)", 0);
        st = straight_line_transfers(b->lat, b->lon, b->served, (uint32_t)b->n_stops, b->radius, b->detour,
                                     &b->xfer_begin, &b->xfer_to, &b->xfer_m, &b->n_xfers, b->err);
        if (st) return st;
        progress_finish(&b->prog);
        to = b->xfer_to, metres = b->xfer_m;
    }
    b->xfers = malloc(((size_t)b->n_xfers + 1) * sizeof *b->xfers);
    if (!b->xfers) return OOM("transfers");
    for (uint32_t k = 0; k < b->n_xfers; k++) b->xfers[k] = (net_transfer){to[k], metres[k]};
    return TC_OK;
}

/* ---- id indices (after every string is in the table), and the meta record ---- */

static tc_status make_id_indices(build_state *b) {
    b->stop_idx = make_id_index(b->stops, sizeof *b->stops, offsetof(net_stop, id_str),
                                offsetof(net_stop, feed), (uint32_t)b->n_stops, b->strs.buf);
    b->route_idx = make_id_index(b->routes, sizeof *b->routes, offsetof(net_route, id_str),
                                 offsetof(net_route, feed), (uint32_t)b->n_routes, b->strs.buf);
    b->trip_idx = make_id_index(b->trips, sizeof *b->trips, offsetof(net_trip, id_str),
                                offsetof(net_trip, feed), b->n_tr, b->strs.buf);
    if (!b->stop_idx || !b->route_idx || !b->trip_idx) return OOM("id index");
    return TC_OK;
}

static tc_status fill_meta(build_state *b) {
    net_meta *meta = &b->meta;
    if (b->with_osm) meta->osm_str = strtab_add(&b->strs, b->opts->osm_path);
    for (size_t f = 0; f < b->n_feeds; f++)
        if (b->nfeeds[f].name_str == UINT32_MAX) meta->osm_str = UINT32_MAX;
    if (meta->osm_str == UINT32_MAX || meta->timezone_str == UINT32_MAX) return OOM("strings");
    meta->n_feeds = (uint32_t)b->n_feeds;
    meta->n_agencies = (uint32_t)b->n_agencies;
    meta->n_stops = (uint32_t)b->n_stops;
    meta->n_routes = (uint32_t)b->n_routes;
    meta->n_patterns = b->n_patterns;
    meta->n_trips = b->n_tr;
    meta->n_frequencies = b->n_fq;
    meta->n_transfers = b->n_xfers;
    meta->n_transfer_rules = b->n_rl;
    meta->n_services = b->n_services;
    meta->n_pattern_stops = b->n_ps;
    meta->n_frequency_templates = b->n_templates;
    meta->n_trips_without_service = b->n_no_service;
    meta->n_scheduled_trips = b->n_sched;
    meta->n_stop_times = b->n_times;
    meta->n_source_stop_times = b->n_st;
    meta->service_start = b->day_lo;
    meta->n_days = b->n_days;
    meta->service_words = b->words;
    meta->transfer_radius_m = b->radius;
    meta->walk_speed_mps = b->walk_speed;
    meta->straight_line_detour = b->detour;
    meta->snap_radius_m = b->snap;
    meta->straight_line_walking = !b->with_osm;
    /* SOURCE_DATE_EPOCH (reproducible-builds.org) makes two builds of the same inputs byte-identical */
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    meta->built_unix = sde && *sde ? strtoll(sde, NULL, 10) : (int64_t)time(NULL);
    return TC_OK;
}

/* ---- step 4: the sections, in the order of the file format; then the patterns' shapes and the stop links ---- */

static tc_status write_sections(build_state *b, netfile_writer *w) {
    const uint64_t n_stops = b->n_stops;
    const struct {
        uint32_t id;
        const void *data;
        uint64_t len;
    } secs[] = {
        {TC_SEC_META, &b->meta, sizeof b->meta},
        {TC_SEC_STRINGS, b->strs.buf, b->strs.len},
        {TC_SEC_FEEDS, b->nfeeds, b->n_feeds * sizeof *b->nfeeds},
        {TC_SEC_AGENCIES, b->agencies, b->n_agencies * sizeof *b->agencies},
        {TC_SEC_STOPS, b->stops, n_stops * sizeof *b->stops},
        {TC_SEC_ROUTES, b->routes, b->n_routes * sizeof *b->routes},
        {TC_SEC_PATTERNS, b->patterns, (uint64_t)b->n_patterns * sizeof *b->patterns},
        {TC_SEC_PATTERN_STOPS, b->pattern_stops, (uint64_t)b->n_ps * sizeof *b->pattern_stops},
        {TC_SEC_PATTERN_STOP_FLAGS, b->pattern_flags, b->n_ps},
        {TC_SEC_STOP_TIMES, b->times, b->n_times * sizeof *b->times},
        {TC_SEC_TRIPS, b->trips, (uint64_t)b->n_tr * sizeof *b->trips},
        {TC_SEC_FREQUENCIES, b->freqs, (uint64_t)b->n_fq * sizeof *b->freqs},
        {TC_SEC_STOP_PATTERN_BEGIN, b->stop_pattern_begin, (n_stops + 1) * sizeof *b->stop_pattern_begin},
        {TC_SEC_STOP_PATTERNS, b->stop_patterns, (uint64_t)b->n_ps * sizeof *b->stop_patterns},
        {TC_SEC_TRANSFER_BEGIN, b->xfer_begin, (n_stops + 1) * sizeof *b->xfer_begin},
        {TC_SEC_TRANSFERS, b->xfers, (uint64_t)b->n_xfers * sizeof *b->xfers},
        {TC_SEC_TRANSFER_RULE_BEGIN, b->rule_begin, (n_stops + 1) * sizeof *b->rule_begin},
        {TC_SEC_TRANSFER_RULES, b->rules, (uint64_t)b->n_rl * sizeof *b->rules},
        {TC_SEC_SERVICE_BITS, b->svc_bits, (uint64_t)b->n_services * b->words * sizeof *b->svc_bits},
        {TC_SEC_STOP_ID_INDEX, b->stop_idx, n_stops * sizeof *b->stop_idx},
        {TC_SEC_ROUTE_ID_INDEX, b->route_idx, b->n_routes * sizeof *b->route_idx},
        {TC_SEC_TRIP_ID_INDEX, b->trip_idx, (uint64_t)b->n_tr * sizeof *b->trip_idx},
    };
    tc_status st;
    for (size_t k = 0; k < sizeof secs / sizeof *secs; k++)
        if ((st = netfile_add(w, secs[k].id, secs[k].data, secs[k].len, b->err))) return st;
    st = pattern_shapes_build((const gtfs_feed *const *)b->feeds, b->n_feeds, b->patterns, b->n_patterns,
                              b->first_trip, b->pattern_stops, b->stops, &b->shapes, b->err);
    if (!st && b->shapes.n_points) {
        st = netfile_add(w, TC_SEC_SHAPES, b->shapes.points, (uint64_t)b->shapes.n_points * 2 * sizeof(int32_t),
                         b->err);
        if (!st) st = netfile_add(w, TC_SEC_PATTERN_SHAPE, b->shapes.pattern_shape,
                                  (uint64_t)b->n_patterns * 2 * sizeof(uint32_t), b->err);
        if (!st) st = netfile_add(w, TC_SEC_PATTERN_STOP_SHAPE, b->shapes.stop_point,
                                  (uint64_t)b->n_ps * sizeof(uint32_t), b->err);
    }
    if (st) return st;
    if (b->have_links && b->links.link_node && b->links.link_m) {
        st = netfile_add(w, TC_SEC_STOP_STREET_LINK, b->links.link_node, n_stops * sizeof *b->links.link_node,
                         b->err);
        if (!st) st = netfile_add(w, TC_SEC_STOP_STREET_LINK_M, b->links.link_m, n_stops * sizeof *b->links.link_m,
                                  b->err);
    }
    return st;
}

/* The writer is opened only once every table is built, so a bad feed never touches the output path; from then on
 * the file is a temporary one, renamed into place by the commit (abort removes it). */
static tc_status write_network(build_state *b, const char *out_path) {
    netfile_writer *w = malloc(sizeof *w);
    if (!w) return OOM("writer");
    tc_status st = netfile_create(w, out_path, b->err);
    if (st) {
        free(w);
        return st;
    }
    st = walking_transfers(b, w);
    if (!st) st = make_id_indices(b);
    if (!st) st = fill_meta(b);
    if (!st) st = write_sections(b, w);
    if (!st) st = netfile_commit(w, b->err);
    else netfile_abort(w);
    free(w);
    return st;
}

tc_status build_from_feeds(gtfs_feed *const *feeds, size_t n_feeds, const tc_build_options *opts, diag_log *diag,
                           const char *out_path, tc_error *err) {
    if (n_feeds > 65535) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "too many feeds");
    build_state state, *b = &state;
    memset(b, 0, sizeof *b);
    b->feeds = feeds, b->n_feeds = n_feeds, b->opts = opts, b->diag = diag, b->err = err;
    b->radius = opts->transfer_radius_m < 0 ? 1000.0 : opts->transfer_radius_m;
    b->detour = opts->straight_line_detour > 0 ? opts->straight_line_detour : TC_DEFAULT_STRAIGHT_LINE_DETOUR;
    b->walk_speed = opts->walk_speed_mps > 0 ? opts->walk_speed_mps : TC_DEFAULT_WALK_SPEED_MPS;
    b->snap = opts->snap_radius_m > 0 ? opts->snap_radius_m : TC_DEFAULT_SNAP_RADIUS_M;
    b->with_osm = opts->osm_path && *opts->osm_path;

    tc_status st = strtab_init(&b->strs) == 0 ? TC_OK : OOM("strings");
    if (!st) st = count_feeds(b);       /* 1. sizes, offsets, date range */
    if (!st) st = merge_feeds(b);       /*    feeds, agencies, stops, routes */
    if (!st) st = rebase_services(b);   /*    services */
    if (!st) st = build_patterns(b);    /* 2. patterns, trips, frequencies */
    if (!st) st = index_stop_patterns(b); /* 3. stop → patterns */
    if (!st) st = map_transfer_rules(b);  /*    transfers.txt */
    if (!st) st = write_network(b, out_path); /* walking transfers, 4. the file */
    build_state_free(b);
    return st;
}
