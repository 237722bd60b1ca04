/*
 * surface.c — the travel-time search behind every analysis output: destinations (R5's "linkage"), one origin's
 * per-sample travel times (range-RAPTOR + egress propagation, or a street search alone), matrices over many origins
 * on pthreads, and isochrones from a grid around a point.
 *
 * Shape (why):
 *  - A destination set is linked once: for each network stop, the destinations within the egress limit and the
 *    seconds to walk there (CSR by stop). Per origin, only stops whose arrival improved in a departure minute push
 *    to their destinations, so a minute costs what changed, not stops × destinations.
 *  - Range-RAPTOR runs latest minute first; arrivals at a stop never get later as the departure moves earlier, so a
 *    destination's best arrival is a running minimum and its travel time for minute t is best − t (R5's
 *    semantics: the clock starts at the departure minute, waiting at the origin counts).
 *  - Egress follows a transit ride only (as R5 propagates "non-transfer" stop times); walking from the origin
 *    straight to a destination is the direct leg, bounded by the same access limit (R5 does the same).
 *  - Frequency-based trips (exact_times=0): every draw fixes one random offset per frequencies.txt row (uniform in
 *    its headway) and runs a whole range-RAPTOR over the window with it, so every (minute, draw) sample sees a random
 *    schedule as R5's Monte Carlo does while keeping range-RAPTOR's reuse across minutes. The offsets come from a
 *    hash of (seed, origin coordinates, draw, row): the same origin gets the same numbers on any thread.
 *    Networks without such rows take one sample per minute.
 *  - Grids for isochrones can hold tens of thousands of cells; a street search per cell would cost seconds, so a
 *    grid is linked by straight line × the network's detour factor from each stop to the cells around it (cell
 *    ranges computed from the grid's geometry, no search). Point sets (CSV) are linked over the streets.
 *  - A grid is linked lazily: a stop's cells are computed on its first arrival from an origin and kept in the
 *    workspace for the rest of that origin. An isochrone reaches only part of the network, so this costs a fraction
 *    of linking all stops up front (per single-minute isochrone on Porto Alegre: 40 M → 15 M instructions), with the
 *    same links. A server also keeps grids and workspaces between requests (tc_isochrone_cache).
 */
#include "tongcheng.h"

#include "analysis/access.h"
#include "analysis/isochrone.h"
#include "analysis/percentiles.h"
#include "analysis/raster.h"
#include "analysis/surface.h"
#include "analysis/travel_times.h"
#include "common/error.h"
#include "common/geo.h"
#include "common/progress.h"
#include "network/network.h"
#include "routing/raptor.h"
#include "routing/stop_access.h"
#include "streets/street_search.h"
#include "streets/street_truck.h"
#include "common/timeutil.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_SEED 0x746f6e676368656eULL /* "tongchen" */
#define CAR_STRAIGHT_MPS (40.0 / 3.6)
#define ISO_CAR_MPS 25.0      /* the farthest a car isochrone's grid reaches: 90 km/h on average */
#define ISO_TRANSIT_MPS 12.0  /* and a transit one: ~43 km/h door to door is beyond any city network */

void tc_analysis_options_init(tc_analysis_options *opts) {
    memset(opts, 0, sizeof *opts);
    opts->percentiles[0] = 50;
    opts->n_percentiles = 1;
    opts->max_duration_min = 120;
    opts->draws = 20;
    opts->seed = DEFAULT_SEED;
    opts->mode = TC_MODE_WALK;
    opts->egress_mode = TC_MODE_WALK;
    opts->max_access_min = 20;
    opts->max_transfers = 8;
    tc_truck_init(&opts->truck);
}

/* ---------------------------------------------------------------- options -------------------------------------- */

static double walk_speed(const network_view *v, const tc_analysis_options *o) {
    if (o->walk_speed_mps > 0) return o->walk_speed_mps;
    return v->walk_speed_mps > 0 ? v->walk_speed_mps : TC_DEFAULT_WALK_SPEED_MPS;
}

static double mode_speed(const network_view *v, const tc_analysis_options *o, tc_mode mode) {
    if (mode == TC_MODE_BIKE) return o->bike_speed_mps > 0 ? o->bike_speed_mps : TC_DEFAULT_BIKE_SPEED_MPS;
    if (mode == TC_MODE_CAR) return CAR_STRAIGHT_MPS;
    if (mode == TC_MODE_TRUCK) return fmin(CAR_STRAIGHT_MPS, o->truck.max_kmh / 3.6);
    return walk_speed(v, o);
}

static tc_status check_options(const tc_analysis_options *o, tc_error *err) {
    if (o->window_end <= o->window_start)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                       "the departure window is empty (end %d s is not after start %d s)", (int)o->window_end,
                       (int)o->window_start);
    if (o->window_end - o->window_start > 48 * 3600)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "a departure window of more than 48 hours");
    if (o->max_duration_min < 1 || o->max_duration_min > 2880)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "max duration %d min is not within 1…2880",
                         o->max_duration_min);
    if (o->draws < 1 || o->draws > 1000)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "draws %d is not within 1…1000", o->draws);
    if (o->max_access_min < 0 || o->max_access_min > 240)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "access limit %d min is not within 0…240",
                         o->max_access_min);
    if (o->max_transfers < 0 || o->max_transfers > RAPTOR_MAX_ROUNDS - 2)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "max transfers %d is not within 0…%d",
                         o->max_transfers, RAPTOR_MAX_ROUNDS - 2);
    if (o->mode != TC_MODE_WALK && o->mode != TC_MODE_BIKE && o->mode != TC_MODE_CAR &&
        !(o->mode == TC_MODE_TRUCK && o->street_only))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "unknown mode %d (a truck is a street-only mode)",
                         (int)o->mode);
    if (o->egress_mode != TC_MODE_WALK && o->egress_mode != TC_MODE_BIKE && o->egress_mode != TC_MODE_CAR)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "unknown egress mode %d", (int)o->egress_mode);
    if (o->max_lts < 0 || o->max_lts > 4)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "max LTS %d is not within 1…4 (0 = any)", o->max_lts);
    if (o->board_slack_s < 0 || o->board_slack_s > 3600)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "board slack %d s is not within 0…3600",
                         (int)o->board_slack_s);
    return percentiles_check(o->percentiles, o->n_percentiles, err);
}

static int valid_point(double lat, double lon) { return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180; }

/* ---------------------------------------------------------------- destinations --------------------------------- */

typedef struct dest_link {
    uint32_t dest;
    int32_t seconds;
} dest_link;

struct tc_destinations {
    const tc_network *net;
    size_t n;
    double *lat, *lon;
    int street_only;
    tc_mode mode;           /* street-only mode, or the access mode of transit */
    int max_access_min;
    tc_mode egress_mode;    /* from the last stop to the destination */
    double egress_speed;    /* of egress_mode */
    int straight;           /* direct legs by straight line × detour (no streets, or a grid linkage) */
    street_snap *snap;      /* per destination (streets only); snapped[d] says whether it holds */
    uint8_t *snapped;
    uint32_t *stop_begin;   /* n_stops + 1: CSR of links by stop (transit), or NULL for a lazy grid: */
    dest_link *links;
    int lazy_grid;          /* a grid linked per stop on its first arrival, in the workspace (grid_stop_links) */
    tc_grid grid;
    double grid_detour, grid_max_s, grid_radius;
    const street_graph *streets; /* the network's streets, or the truck's view of them (street_truck.c) */
    street_graph truck_view;
    street_edge *truck_edges;
};

void tc_destinations_free(tc_destinations *d) {
    if (!d) return;
    free(d->lat);
    free(d->lon);
    free(d->snap);
    free(d->snapped);
    free(d->truck_edges);
    free(d->stop_begin);
    free(d->links);
    free(d);
}

typedef struct link_triple {
    uint32_t stop, dest;
    int32_t seconds;
} link_triple;

typedef struct triple_vec {
    link_triple *a;
    size_t n, cap;
} triple_vec;

static int triple_push(triple_vec *t, uint32_t stop, uint32_t dest, int32_t seconds) {
    if (t->n == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 4096;
        link_triple *na = realloc(t->a, nc * sizeof *na);
        if (!na) return -1;
        t->a = na;
        t->cap = nc;
    }
    t->a[t->n++] = (link_triple){stop, dest, seconds};
    return 0;
}

/* Triples → CSR by stop (destinations in increasing order within a stop, which keeps the result independent of
 * how the triples were found). */
static tc_status links_to_csr(tc_destinations *d, const triple_vec *t, tc_error *err) {
    uint32_t S = d->net->v.n_stops;
    d->stop_begin = calloc((size_t)S + 2, sizeof *d->stop_begin);
    d->links = malloc((t->n + 1) * sizeof *d->links);
    if (!d->stop_begin || !d->links) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (linkage)");
    for (size_t i = 0; i < t->n; i++) d->stop_begin[t->a[i].stop + 1]++;
    for (uint32_t s = 0; s < S; s++) d->stop_begin[s + 1] += d->stop_begin[s];
    uint32_t *fill = malloc(((size_t)S + 1) * sizeof *fill);
    if (!fill) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (linkage)");
    memcpy(fill, d->stop_begin, ((size_t)S + 1) * sizeof *fill);
    for (size_t i = 0; i < t->n; i++)
        d->links[fill[t->a[i].stop]++] = (dest_link){t->a[i].dest, t->a[i].seconds};
    free(fill);
    return TC_OK;
}

static tc_destinations *dest_alloc(const tc_network *net, const tc_analysis_options *opts, const double *lat,
                                   const double *lon, size_t n, tc_error *err) {
    tc_destinations *d = calloc(1, sizeof *d);
    if (!d) {
        error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (destinations)");
        return NULL;
    }
    d->net = net;
    d->n = n;
    d->street_only = opts->street_only;
    d->mode = opts->mode;
    d->max_access_min = opts->max_access_min;
    d->egress_mode = opts->egress_mode;
    d->egress_speed = mode_speed(&net->v, opts, opts->egress_mode);
    d->lat = malloc((n + 1) * sizeof *d->lat);
    d->lon = malloc((n + 1) * sizeof *d->lon);
    if (!d->lat || !d->lon) {
        tc_destinations_free(d);
        error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (destinations)");
        return NULL;
    }
    if (n) {
        memcpy(d->lat, lat, n * sizeof *lat);
        memcpy(d->lon, lon, n * sizeof *lon);
    }
    return d;
}

static int net_has_streets(const network_view *v) {
    return v->streets.n_nodes > 0 && v->stop_street_link && v->stop_street_link_m;
}

/* Snap every destination for the direct leg (or the street-only search); one that cannot be snapped keeps only
 * its transit links. */
static tc_status snap_all(tc_destinations *d, tc_mode mode, tc_error *err) {
    const network_view *v = &d->net->v;
    if (!net_has_streets(v)) {
        d->straight = 1;
        return TC_OK;
    }
    d->snap = calloc(d->n + 1, sizeof *d->snap);
    d->snapped = calloc(d->n + 1, 1);
    if (!d->snap || !d->snapped) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (destinations)");
    for (size_t i = 0; i < d->n; i++) {
        tc_error e = {0};
        tc_status st = street_snap_point(d->streets, mode, d->lat[i], d->lon[i], TC_DEFAULT_SNAP_RADIUS_M, &d->snap[i], &e);
        if (st == TC_OK) d->snapped[i] = 1;
        else if (st != TC_ERR_UNREACHABLE) return error_set(err, st, NULL, 0, 0, "%s", e.message);
    }
    return TC_OK;
}

tc_status tc_destinations_create(const tc_network *net, const tc_analysis_options *opts, const double *lat,
                                 const double *lon, size_t n, tc_destinations **out, tc_error *err) {
    if (out) *out = NULL;
    if (!net || !opts || !out || (n && (!lat || !lon)))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "tc_destinations_create: missing argument");
    if (n > UINT32_MAX - 1) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "too many destinations");
    for (size_t i = 0; i < n; i++)
        if (!valid_point(lat[i], lon[i]))
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                             "destination %zu: %.7f,%.7f is not a valid coordinate", i + 1, lat[i], lon[i]);
    tc_status st = check_options(opts, err);
    if (st != TC_OK) return st;
    tc_destinations *d = dest_alloc(net, opts, lat, lon, n, err);
    if (!d) return TC_ERR_NO_MEMORY;
    const network_view *v = &net->v;
    d->streets = &v->streets;
    if (opts->street_only && opts->mode == TC_MODE_TRUCK) {
        /* the truck departs at the window's start on the service day */
        tc_truck t = opts->truck;
        t.weekday = date_weekday(opts->date);
        t.time_s = opts->window_start;
        st = street_truck_view(&v->streets, &t, &d->truck_view, &d->truck_edges, err);
        if (st != TC_OK) goto fail;
        d->streets = &d->truck_view;
    }
    if (opts->street_only) {
        st = snap_all(d, opts->mode, err);
        if (st != TC_OK) goto fail;
        *out = d;
        return TC_OK;
    }
    st = snap_all(d, TC_MODE_WALK, err);
    if (st != TC_OK) goto fail;
    /* egress: the stops from which each destination is reached (on foot unless told otherwise) within the limit */
    street_workspace *sw = NULL;
    triple_vec tv = {0};
    if ((st = street_workspace_create(v, &sw, err)) != TC_OK) goto fail;
    for (size_t i = 0; i < n && st == TC_OK; i++) {
        const stop_seconds *near = NULL;
        uint32_t nn = 0;
        tc_error e = {0};
        sw->max_lts = (unsigned)opts->max_lts; /* (cycling egress) */
        sw->no_elevation = opts->no_elevation;
        tc_status s2 = street_stops_near(sw, v, opts->egress_mode, lat[i], lon[i], d->egress_speed,
                                         opts->max_access_min * 60, 1, TC_DEFAULT_SNAP_RADIUS_M, &near, &nn, &e);
        if (s2 == TC_ERR_UNREACHABLE) continue; /* no street near: reachable by nothing but a straight walk */
        if (s2 != TC_OK) {
            st = error_set(err, s2, NULL, 0, 0, "destination %zu: %s", i + 1, e.message);
            break;
        }
        for (uint32_t k = 0; k < nn; k++)
            if (triple_push(&tv, near[k].stop, (uint32_t)i, near[k].seconds)) {
                st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (linkage)");
                break;
            }
    }
    street_workspace_free(sw);
    if (st == TC_OK) st = links_to_csr(d, &tv, err);
    free(tv.a);
    if (st != TC_OK) goto fail;
    *out = d;
    return TC_OK;
fail:
    tc_destinations_free(d);
    return st;
}

/* The cells of a grid as destinations, linked by straight line from each stop to the cells within the egress
 * limit (see the file comment). */
static tc_status dest_create_grid(const tc_network *net, const tc_analysis_options *opts, const tc_grid *g,
                                  tc_destinations **out, tc_error *err) {
    *out = NULL;
    size_t n = tc_grid_cells(g);
    double *lat = malloc((n + 1) * sizeof *lat), *lon = malloc((n + 1) * sizeof *lon);
    if (!lat || !lon) {
        free(lat);
        free(lon);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (grid)");
    }
    tc_grid_cell_centers(g, lat, lon);
    tc_status st;
    if (opts->street_only) {
        st = tc_destinations_create(net, opts, lat, lon, n, out, err);
        free(lat);
        free(lon);
        return st;
    }
    tc_destinations *d = dest_alloc(net, opts, lat, lon, n, err);
    free(lat);
    free(lon);
    if (!d) return TC_ERR_NO_MEMORY;
    d->straight = 1;
    const network_view *v = &net->v;
    const double detour = v->straight_line_detour > 0 ? v->straight_line_detour : TC_DEFAULT_STRAIGHT_LINE_DETOUR;
    const double max_s = opts->max_access_min * 60.0;
    d->lazy_grid = 1;
    d->grid = *g;
    d->grid_detour = detour;
    d->grid_max_s = max_s;
    d->grid_radius = max_s * d->egress_speed / detour; /* ground metres */
    *out = d;
    return TC_OK;
}

/* The most cells stop s of a lazy grid can link (its box), and the links themselves, in increasing cell order. Only
 * the stops an origin reaches are ever linked (a single-minute isochrone reaches a fraction of the network), which
 * costs less than linking every stop up front; the links are the same. */
static size_t grid_stop_box(const tc_destinations *d, uint32_t s, long box[4], double *cos_lat) {
    const network_view *v = &d->net->v;
    const tc_grid *g = &d->grid;
    double sl = from_e7(v->stops[s].lat_e7), so = from_e7(v->stops[s].lon_e7);
    double x, y;
    mercator_from_lonlat(so, sl, &x, &y);
    *cos_lat = cos(sl * M_PI / 180.0);
    double r = d->grid_radius / *cos_lat; /* in EPSG:3857 metres */
    long c0 = (long)floor((x - r - g->min_x) / g->cell), c1 = (long)floor((x + r - g->min_x) / g->cell);
    long r0 = (long)floor((g->max_y - (y + r)) / g->cell), r1 = (long)floor((g->max_y - (y - r)) / g->cell);
    if (c1 < 0 || r1 < 0 || c0 >= (long)g->width || r0 >= (long)g->height) return 0;
    if (c0 < 0) c0 = 0;
    if (r0 < 0) r0 = 0;
    if (c1 >= (long)g->width) c1 = (long)g->width - 1;
    if (r1 >= (long)g->height) r1 = (long)g->height - 1;
    box[0] = c0, box[1] = c1, box[2] = r0, box[3] = r1;
    return (size_t)(r1 - r0 + 1) * (size_t)(c1 - c0 + 1);
}

static uint32_t grid_stop_links(const tc_destinations *d, uint32_t s, const long box[4], double cos_sl,
                                dest_link *out) {
    const network_view *v = &d->net->v;
    const double sl = from_e7(v->stops[s].lat_e7), so = from_e7(v->stops[s].lon_e7);
    const double detour = d->grid_detour, speed = d->egress_speed, max_s = d->grid_max_s;
    const size_t width = d->grid.width;
    uint32_t n = 0;
    for (long row = box[2]; row <= box[3]; row++)
        for (long col = box[0]; col <= box[1]; col++) {
            size_t cell = (size_t)row * width + (size_t)col;
            double dist = local_distance_m(sl, so, d->lat[cell], d->lon[cell], cos_sl);
            double secs = dist * detour / speed;
            if (secs > max_s) continue;
            /* lround for secs ≥ 0 without the libm call: secs − trunc(secs) is exact, so this rounds half away
             * from zero exactly as lround does */
            int32_t whole = (int32_t)secs;
            out[n++] = (dest_link){(uint32_t)cell, whole + (secs - whole >= 0.5)};
        }
    return n;
}

/* ---------------------------------------------------------------- workspace ------------------------------------ */

struct tc_analysis_workspace {
    const tc_network *net;
    raptor_ws *rw;
    street_workspace *sw;
    uint16_t *samples;
    size_t samples_cap;
    int32_t *dest_arr, *direct;
    size_t dest_cap;
    int32_t *stop_seen; /* per stop: the arrival already pushed to its destinations */
    stop_seconds *access;
    int32_t *freq_off;
    /* a lazy grid's links of the stops reached from the current origin: grid_at[s] into grid_links when
     * grid_gen[s] == gen */
    uint32_t *grid_at, *grid_n, *grid_gen, gen;
    dest_link *grid_links;
    size_t grid_len, grid_cap;
};

tc_status tc_analysis_workspace_create(const tc_network *net, tc_analysis_workspace **out, tc_error *err) {
    if (out) *out = NULL;
    if (!net || !out) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "missing argument");
    const network_view *v = &net->v;
    tc_analysis_workspace *ws = calloc(1, sizeof *ws);
    if (!ws) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (analysis workspace)");
    ws->net = net;
    raptor_index *ix = NULL;
    tc_status st = raptor_network_index(net, &ix, err); /* (shared by every workspace of the network) */
    if (st == TC_OK) st = raptor_ws_create_shared(ix, RAPTOR_DEFAULT_ROUNDS, &ws->rw, err);
    if (st == TC_OK) st = street_workspace_create(v, &ws->sw, err);
    if (st == TC_OK) {
        ws->stop_seen = malloc(((size_t)v->n_stops + 1) * sizeof *ws->stop_seen);
        ws->access = malloc(((size_t)v->n_stops + 1) * sizeof *ws->access);
        ws->freq_off = calloc((size_t)v->n_frequencies + 1, sizeof *ws->freq_off);
        ws->grid_at = malloc(((size_t)v->n_stops + 1) * sizeof *ws->grid_at);
        ws->grid_n = malloc(((size_t)v->n_stops + 1) * sizeof *ws->grid_n);
        ws->grid_gen = calloc((size_t)v->n_stops + 1, sizeof *ws->grid_gen);
        if (!ws->stop_seen || !ws->access || !ws->freq_off || !ws->grid_at || !ws->grid_n || !ws->grid_gen)
            st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (analysis workspace)");
        else
            for (uint32_t s = 0; s <= v->n_stops; s++) ws->stop_seen[s] = RAPTOR_INF;
    }
    if (st != TC_OK) {
        tc_analysis_workspace_free(ws);
        return st;
    }
    *out = ws;
    return TC_OK;
}

void tc_analysis_workspace_free(tc_analysis_workspace *ws) {
    if (!ws) return;
    raptor_ws_free(ws->rw);
    street_workspace_free(ws->sw);
    free(ws->samples);
    free(ws->dest_arr);
    free(ws->direct);
    free(ws->stop_seen);
    free(ws->access);
    free(ws->freq_off);
    free(ws->grid_at);
    free(ws->grid_n);
    free(ws->grid_gen);
    free(ws->grid_links);
    free(ws);
}

static tc_status ws_reserve(tc_analysis_workspace *ws, size_t n_dest, size_t n_samples, tc_error *err) {
    size_t need = n_dest * n_samples;
    if (n_samples && need / n_samples != n_dest)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "too many destinations × samples");
    if (need > ws->samples_cap) {
        uint16_t *p = realloc(ws->samples, (need + 1) * sizeof *p);
        if (!p) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (travel-time samples)");
        ws->samples = p;
        ws->samples_cap = need;
    }
    if (n_dest > ws->dest_cap) {
        int32_t *a = realloc(ws->dest_arr, (n_dest + 1) * sizeof *a);
        if (a) ws->dest_arr = a;
        int32_t *b = realloc(ws->direct, (n_dest + 1) * sizeof *b);
        if (b) ws->direct = b;
        if (!a || !b) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (destinations)");
        ws->dest_cap = n_dest;
    }
    return TC_OK;
}

/* ---------------------------------------------------------------- one origin ----------------------------------- */

/* Stop s's links: the CSR of a linked set, or a lazy grid's, linked on the stop's first arrival from this origin.
 * NULL (with *n = 0) only when memory runs out. */
static const dest_link *stop_links(tc_analysis_workspace *ws, const tc_destinations *d, uint32_t s, uint32_t *n) {
    if (!d->lazy_grid) {
        *n = d->stop_begin[s + 1] - d->stop_begin[s];
        return d->links + d->stop_begin[s];
    }
    if (ws->grid_gen[s] != ws->gen) {
        long box[4];
        double cos_sl = 1;
        size_t most = grid_stop_box(d, s, box, &cos_sl);
        if (ws->grid_len + most > ws->grid_cap) {
            size_t cap = ws->grid_cap ? ws->grid_cap : 1u << 15;
            while (cap < ws->grid_len + most) cap *= 2;
            dest_link *p = realloc(ws->grid_links, cap * sizeof *p);
            if (!p) {
                *n = 0;
                return NULL;
            }
            ws->grid_links = p;
            ws->grid_cap = cap;
        }
        ws->grid_at[s] = (uint32_t)ws->grid_len;
        ws->grid_n[s] = most ? grid_stop_links(d, s, box, cos_sl, ws->grid_links + ws->grid_len) : 0;
        ws->grid_len += ws->grid_n[s];
        ws->grid_gen[s] = ws->gen;
    }
    *n = ws->grid_n[s];
    return ws->grid_links + ws->grid_at[s];
}

static inline uint64_t splitmix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t origin_stream(uint64_t seed, double lat, double lon) {
    int64_t a = (int64_t)llround(lat * 1e7), b = (int64_t)llround(lon * 1e7);
    return splitmix64(seed ^ splitmix64((uint64_t)a) ^ splitmix64((uint64_t)b * 0x2545f4914f6cdd1dULL + 1));
}

/* Does any frequencies.txt row run on a random schedule (exact_times=0)? Only then are draws needed. */
static int needs_draws(const network_view *v) {
    for (uint32_t f = 0; f < v->n_frequencies; f++)
        if (!v->frequencies[f].exact_times && v->frequencies[f].headway_s > 0) return 1;
    return 0;
}

static inline uint16_t to_minutes(int64_t secs, int32_t max_s) {
    if (secs < 0) secs = 0;
    if (secs > max_s) return TC_UNREACHED_MIN;
    return (uint16_t)(secs / 60);
}

/* Direct leg (walking from the origin) to every destination, seconds or RAPTOR_INF. For a street network this reads
 * the search street_stops_near has just run from the origin (its costs stay in the street workspace). */
static void direct_legs(tc_analysis_workspace *ws, const tc_destinations *d, double lat, double lon, double speed,
                        int32_t limit_s, int searched) {
    const network_view *v = &d->net->v;
    const double reach = limit_s * speed;
    const double detour = v->straight_line_detour > 0 ? v->straight_line_detour : TC_DEFAULT_STRAIGHT_LINE_DETOUR;
    /* Most destinations (a grid's cells) are out of reach: reject them on bounds that need no cos() per cell (a
     * cos per cell was 1.7 of 7.5 M instructions of a served isochrone). Both only ever underestimate
     * fast_distance_m, so the cells kept and the times are what they were. */
    const double m_per_deg = TC_EARTH_RADIUS_M * 3.14159265358979323846 / 180.0;
    const double band_deg = (reach + 1.0) / m_per_deg;
    const double far_lat = fabs(lat) + band_deg;
    const double cos_lo = far_lat < 90.0 ? cos(far_lat * 3.14159265358979323846 / 180.0) : 0.0;
    /* the origin's and the destination's way to the street are walked too (as for stops: stop_access.c) */
    double off_o = -1; /* < 0: the origin is not on the streets */
    street_snap os = {0};
    tc_error e = {0};
    if (searched && street_snap_point(&v->streets, TC_MODE_WALK, lat, lon, TC_DEFAULT_SNAP_RADIUS_M, &os, &e) == TC_OK)
        off_o = os.dist_m;
    for (size_t i = 0; i < d->n; i++) {
        ws->direct[i] = RAPTOR_INF;
        if (d->lat[i] == lat && d->lon[i] == lon) { /* the origin itself: 0, whatever its snap (as street-only) */
            ws->direct[i] = 0;
            continue;
        }
        if (fabs(d->lat[i] - lat) > band_deg) continue;
        double dl = fabs(d->lon[i] - lon);
        if (dl > 180) dl = 360 - dl;
        if (dl * m_per_deg * cos_lo > reach + 1.0) continue;
        double dist = fast_distance_m(lat, lon, d->lat[i], d->lon[i]);
        if (dist > reach + 1.0) continue; /* streets are never shorter than the straight line */
        if (d->straight) {
            double secs = dist * detour / speed;
            if (secs <= limit_s) ws->direct[i] = (int32_t)lround(secs);
        } else if (searched && d->snapped[i]) {
            uint32_t c = street_cost_to_snap(ws->sw, TC_MODE_WALK, &d->snap[i]);
            if (off_o >= 0 && d->snap[i].seg == os.seg) { /* on the origin's segment: along it, as tc_street_route */
                const street_graph *g = &v->streets;
                const street_seg *sg = &g->segs[os.seg];
                const street_snap *t = &d->snap[i];
                uint32_t along; /* flat-equivalent millimetres (slope factors, when the network has them) */
                if (t->offset_mm >= os.offset_mm && (g->edges[sg->arc_ab].access & STREET_WALK) &&
                    (along = street_arc_cost(ws->sw, TC_MODE_WALK, sg->arc_ab, t->offset_mm - os.offset_mm)) < c)
                    c = along;
                if (t->offset_mm <= os.offset_mm && (g->edges[sg->arc_ba].access & STREET_WALK) &&
                    (along = street_arc_cost(ws->sw, TC_MODE_WALK, sg->arc_ba, os.offset_mm - t->offset_mm)) < c)
                    c = along;
            }
            if (c == STREET_INF) continue;
            double secs = street_cost_seconds(TC_MODE_WALK, c, speed) + ((off_o > 0 ? off_o : 0) + d->snap[i].dist_m) / speed;
            if (secs <= limit_s) ws->direct[i] = (int32_t)lround(secs);
        }
    }
}

/* Cost along the origin's own segment: walking and cycling in flat-equivalent millimetres (the network's slope
 * factors, unless no_elevation); a truck keeps the plain length, as before slopes existed. */
static uint32_t along_segment(const street_workspace *sw, tc_mode mode, uint32_t arc, uint32_t mm) {
    return street_mode_timed(mode) ? mm : street_arc_cost(sw, mode, arc, mm);
}


/* Street-only: one search, the same time at every sample. */
static tc_status street_only_times(tc_analysis_workspace *ws, const tc_destinations *d, const tc_analysis_options *o,
                                   double lat, double lon, tc_error *err) {
    const network_view *v = &d->net->v;
    const int32_t max_s = o->max_duration_min * 60;
    const double speed = mode_speed(v, o, o->mode);
    for (size_t i = 0; i < d->n; i++) ws->samples[i] = TC_UNREACHED_MIN;
    if (d->straight) {
        const double detour = v->straight_line_detour > 0 ? v->straight_line_detour : TC_DEFAULT_STRAIGHT_LINE_DETOUR;
        for (size_t i = 0; i < d->n; i++)
            ws->samples[i] = to_minutes(llround(fast_distance_m(lat, lon, d->lat[i], d->lon[i]) * detour / speed),
                                        max_s);
        return TC_OK;
    }
    street_snap s;
    tc_error e = {0};
    tc_status st = street_snap_point(d->streets, o->mode, lat, lon, TC_DEFAULT_SNAP_RADIUS_M, &s, &e);
    if (st == TC_ERR_UNREACHABLE) return TC_OK; /* nothing reachable from a point off the streets */
    if (st != TC_OK) return error_set(err, st, NULL, 0, 0, "%s", e.message);
    double limit = street_mode_timed(o->mode) ? max_s * 1000.0 : max_s * speed * 1000.0;
    if (limit > STREET_INF - 2.0) limit = STREET_INF - 2.0;
    const street_graph *own = ws->sw->g;
    ws->sw->g = d->streets; /* the truck's view has the network's shape: the workspace fits it */
    street_search_from_snap(ws->sw, o->mode, &s, 0, (uint32_t)limit);
    if (ws->sw->oom) {
        ws->sw->g = own;
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory in a street search");
    }
    for (size_t i = 0; i < d->n; i++) {
        if (d->lat[i] == lat && d->lon[i] == lon) {
            ws->samples[i] = 0; /* the origin itself (a car on a one-way street would go round the block) */
            continue;
        }
        if (!d->snapped[i]) continue;
        uint32_t c = street_cost_to_snap(ws->sw, o->mode, &d->snap[i]);
        if (o->mode != TC_MODE_CAR && d->snap[i].seg == s.seg) { /* on the origin's segment: along it too */
            const street_seg *sg = &v->streets.segs[s.seg];
            const unsigned bit = street_mode_bit(o->mode);
            const uint32_t to = d->snap[i].offset_mm;
            uint32_t along; /* flat-equivalent millimetres for walking and cycling (slope factors) */
            if (to >= s.offset_mm && (v->streets.edges[sg->arc_ab].access & bit) &&
                (along = along_segment(ws->sw, o->mode, sg->arc_ab, to - s.offset_mm)) < c)
                c = along;
            if (to <= s.offset_mm && (v->streets.edges[sg->arc_ba].access & bit) &&
                (along = along_segment(ws->sw, o->mode, sg->arc_ba, s.offset_mm - to)) < c)
                c = along;
        }
        if (c == STREET_INF) continue;
        /* walking and cycling cover the points' own way to the street too (see direct_legs); motor vehicles do not */
        const int on_foot = o->mode == TC_MODE_WALK || o->mode == TC_MODE_BIKE;
        double off = on_foot ? (s.dist_m + d->snap[i].dist_m) / speed : 0;
        ws->samples[i] = to_minutes(llround(street_cost_seconds(o->mode, c, speed) + off), max_s);
    }
    ws->sw->g = own;
    return TC_OK;
}

tc_status analysis_samples(tc_analysis_workspace *ws, const tc_destinations *d, const tc_analysis_options *o,
                           double lat, double lon, travel_times *tt, tc_error *err) {
    if (!ws || !d || !o || !tt) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "missing argument");
    if (ws->net != d->net)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "workspace and destinations of different networks");
    tc_status st = check_options(o, err);
    if (st != TC_OK) return st;
    ws->sw->max_lts = (unsigned)o->max_lts; /* cycling access, egress and street-only searches */
    ws->sw->no_elevation = o->no_elevation;
    if (!valid_point(lat, lon))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "origin %.7f,%.7f is not a valid coordinate", lat,
                       lon);
    if (!!o->street_only != !!d->street_only || (o->street_only && o->mode != d->mode) ||
        (!o->street_only && o->egress_mode != d->egress_mode))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                       "the destinations were prepared for another mode than the one asked for");
    const network_view *v = &d->net->v;
    const size_t n_dest = d->n;
    if (o->street_only) {
        if ((st = ws_reserve(ws, n_dest, 1, err)) != TC_OK) return st;
        st = street_only_times(ws, d, o, lat, lon, err);
        tt->n_dest = (uint32_t)n_dest;
        tt->n_samples = 1;
        tt->minutes = ws->samples;
        return st;
    }
    const uint32_t n_min = (uint32_t)((o->window_end - o->window_start + 59) / 60);
    const uint32_t n_draws = needs_draws(v) ? (uint32_t)o->draws : 1;
    const uint32_t ns = n_min * n_draws;
    if ((st = ws_reserve(ws, n_dest, ns, err)) != TC_OK) return st;
    tt->n_dest = (uint32_t)n_dest;
    tt->n_samples = ns;
    tt->minutes = ws->samples;
    const int32_t max_s = o->max_duration_min * 60;
    const int32_t access_s = o->max_access_min * 60;
    const double wspeed = walk_speed(v, o);
    const double aspeed = mode_speed(v, o, o->mode);

    /* access (and, walking, the direct leg from the same street search) */
    const stop_seconds *near = NULL;
    uint32_t n_access = 0;
    tc_error e = {0};
    st = street_stops_near(ws->sw, v, o->mode, lat, lon, aspeed, access_s, 0, TC_DEFAULT_SNAP_RADIUS_M, &near, &n_access, &e);
    int searched = st == TC_OK && net_has_streets(v) && o->mode == TC_MODE_WALK;
    if (st == TC_ERR_UNREACHABLE) {
        n_access = 0; /* off the streets: only straight-line legs, if any */
    } else if (st != TC_OK) {
        return error_set(err, st, NULL, 0, 0, "%s", e.message);
    }
    if (n_access) memcpy(ws->access, near, n_access * sizeof *near);
    if (o->mode == TC_MODE_WALK) {
        direct_legs(ws, d, lat, lon, wspeed, access_s, searched);
    } else if (d->straight) {
        /* no streets: the access mode's straight-line leg straight to the destination, as for walking */
        direct_legs(ws, d, lat, lon, aspeed, access_s, 0);
    } else {
        for (size_t i = 0; i < n_dest; i++) ws->direct[i] = d->lat[i] == lat && d->lon[i] == lon ? 0 : RAPTOR_INF;
    }

    /* more rounds grow the labels only (the index and the day's timetable are the network's) */
    if ((st = raptor_ws_reserve(ws->rw, o->max_transfers + 1, err)) != TC_OK) return st;
    raptor_params p = {0};
    p.day = o->date;
    p.max_trips = o->max_transfers + 1;
    p.walk_speed_mps = wspeed;
    p.max_transfer_walk_s = access_s > 0 ? access_s : 0;
    p.min_transfer_s = 0;
    p.board_slack_s = o->board_slack_s;
    p.times_only = 1; /* arrival times are all an analysis reads */
    if (d->lazy_grid) { /* a new origin: forget the grid links of the last one */
        ws->grid_len = 0;
        if (++ws->gen == 0) {
            memset(ws->grid_gen, 0, ((size_t)v->n_stops + 1) * sizeof *ws->grid_gen);
            ws->gen = 1;
        }
    }
    int oom = 0, cancelled = 0;
    const uint64_t stream = origin_stream(o->seed, lat, lon);
    for (uint32_t draw = 0; draw < n_draws && !cancelled; draw++) {
        if (n_draws > 1) {
            for (uint32_t f = 0; f < v->n_frequencies; f++) {
                int32_t h = v->frequencies[f].headway_s;
                uint64_t r = splitmix64(stream ^ splitmix64(((uint64_t)draw << 32) | f));
                ws->freq_off[f] = h > 0 ? (int32_t)(r % (uint64_t)h) : 0;
            }
            p.freq_offset = ws->freq_off;
        }
        for (size_t i = 0; i < n_dest; i++) ws->dest_arr[i] = RAPTOR_INF;
        p.time = o->window_start + (int32_t)(n_min - 1) * 60;
        p.limit = p.time + max_s;
        raptor_range_begin(ws->rw, &p);
        for (uint32_t m = n_min; m-- > 0;) {
            /* asked every minute: one origin over a long window can take seconds on a large network */
            if (o->cancelled && o->cancelled(o->cancel_ctx)) {
                cancelled = 1; /* the clean-up below still runs: the workspace is reused */
                break;
            }
            const int32_t t = o->window_start + (int32_t)m * 60;
            p.time = t;
            p.limit = t + max_s;
            if (n_access) raptor_range_step(ws->rw, &p, ws->access, n_access);
            /* push improved stop arrivals (after a ride) to their destinations */
            uint32_t nt = 0;
            const uint32_t *touched = raptor_changed(ws->rw, &nt);
            const int R = raptor_rounds(ws->rw);
            for (uint32_t q = 0; q < nt; q++) {
                const uint32_t s = touched[q];
                const int32_t a = raptor_label(ws->rw, R, s, 1, NULL, NULL);
                if (a >= ws->stop_seen[s]) continue;
                ws->stop_seen[s] = a;
                uint32_t nl = 0;
                const dest_link *l = stop_links(ws, d, s, &nl);
                if (!l) oom = 1; /* finish the draw so the workspace is left clean, then fail */
                for (uint32_t k = 0; k < nl; k++) {
                    const int32_t x = a + l[k].seconds;
                    if (x < ws->dest_arr[l[k].dest]) ws->dest_arr[l[k].dest] = x;
                }
            }
            uint16_t *col = ws->samples + (size_t)m * n_draws + draw;
            for (size_t i = 0; i < n_dest; i++) {
                int64_t best = ws->dest_arr[i] == RAPTOR_INF ? INT64_MAX : (int64_t)ws->dest_arr[i] - t;
                if (ws->direct[i] < best) best = ws->direct[i];
                col[i * ns] = best == INT64_MAX ? TC_UNREACHED_MIN : to_minutes(best, max_s);
            }
        }
        uint32_t nt = 0;
        const uint32_t *touched = raptor_touched(ws->rw, &nt);
        for (uint32_t q = 0; q < nt; q++) ws->stop_seen[touched[q]] = RAPTOR_INF;
    }
    if (oom) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (grid linkage)");
    if (cancelled) return error_set(err, TC_ERR_CANCELLED, NULL, 0, 0, "cancelled");
    return TC_OK;
}

tc_status tc_travel_times_from(tc_analysis_workspace *ws, const tc_destinations *dest,
                               const tc_analysis_options *opts, double lat, double lon, uint16_t *out,
                               tc_error *err) {
    if (!out) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "missing output array");
    travel_times tt;
    tc_status st = analysis_samples(ws, dest, opts, lat, lon, &tt, err);
    if (st != TC_OK) return st;
    uint16_t cap = (uint16_t)(opts->max_duration_min < 65534 ? opts->max_duration_min : 65534);
    return travel_time_percentiles(&tt, opts->percentiles, opts->n_percentiles, cap, out, err);
}

/* ---------------------------------------------------------------- many origins --------------------------------- */

typedef struct matrix_job {
    const tc_network *net;
    const tc_destinations *dest;
    const tc_analysis_options *opts;
    const double *lat, *lon;
    size_t n;
    uint16_t *out;
    size_t stride;
    atomic_size_t next, done;
    atomic_int failed;
    pthread_mutex_t lock;
    tc_error err;
    tc_status status;
    progress_bar *progress;
} matrix_job;

static void job_fail(matrix_job *j, tc_status st, const tc_error *e) {
    pthread_mutex_lock(&j->lock);
    if (j->status == TC_OK) {
        j->status = st;
        j->err = *e;
    }
    pthread_mutex_unlock(&j->lock);
    atomic_store(&j->failed, 1);
}

static void run_worker(matrix_job *j, int is_first) {
    tc_analysis_workspace *ws = NULL;
    tc_error e = {0};
    tc_status st = tc_analysis_workspace_create(j->net, &ws, &e);
    if (st != TC_OK) {
        job_fail(j, st, &e);
        return;
    }
    for (;;) {
        if (atomic_load(&j->failed)) break;
        size_t i = atomic_fetch_add(&j->next, 1);
        if (i >= j->n) break;
        st = tc_travel_times_from(ws, j->dest, j->opts, j->lat[i], j->lon[i], j->out + i * j->stride, &e);
        if (st != TC_OK) {
            tc_error e2 = e;
            snprintf(e2.message, sizeof e2.message, "origin %zu: %.450s", i + 1, e.message);
            job_fail(j, st, &e2);
            break;
        }
        size_t done = atomic_fetch_add(&j->done, 1) + 1;
        if (is_first && j->progress) progress_update(j->progress, done);
    }
    tc_analysis_workspace_free(ws);
}

static void *worker_main(void *arg) {
    run_worker(arg, 0);
    return NULL;
}

tc_status tc_travel_time_matrix(const tc_network *net, const tc_destinations *dest, const tc_analysis_options *opts,
                                const double *origin_lat, const double *origin_lon, size_t n_origins,
                                uint16_t *out, tc_error *err) {
    if (!net || !dest || !opts || (n_origins && (!origin_lat || !origin_lon || !out)))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "tc_travel_time_matrix: missing argument");
    tc_status st = check_options(opts, err);
    if (st != TC_OK) return st;
    if (dest->net != net)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "destinations prepared for another network");
    for (size_t i = 0; i < n_origins; i++)
        if (!valid_point(origin_lat[i], origin_lon[i]))
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "origin %zu: %.7f,%.7f is not a valid coordinate",
                             i + 1, origin_lat[i], origin_lon[i]);
    if (!n_origins) return TC_OK;
    long threads = opts->threads;
    if (threads <= 0) threads = sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1) threads = 1;
    if (threads > 256) threads = 256;
    if ((size_t)threads > n_origins) threads = (long)n_origins;
    matrix_job j;
    memset(&j, 0, sizeof j);
    j.net = net;
    j.dest = dest;
    j.opts = opts;
    j.lat = origin_lat;
    j.lon = origin_lon;
    j.n = n_origins;
    j.out = out;
    j.stride = dest->n * opts->n_percentiles;
    atomic_init(&j.next, 0);
    atomic_init(&j.done, 0);
    atomic_init(&j.failed, 0);
    pthread_mutex_init(&j.lock, NULL);
    j.status = TC_OK;
    progress_bar prog;
    progress_start(&prog, opts->progress, "origins", n_origins);
    j.progress = &prog;
    pthread_t tid[256];
    long started = 0;
    for (long t = 1; t < threads; t++) {
        if (pthread_create(&tid[started], NULL, worker_main, &j) != 0) break; /* fewer threads still finish */
        started++;
    }
    run_worker(&j, 1);
    for (long t = 0; t < started; t++) pthread_join(tid[t], NULL);
    progress_finish(&prog);
    pthread_mutex_destroy(&j.lock);
    if (j.status != TC_OK) {
        if (err) *err = j.err;
        return j.status;
    }
    return TC_OK;
}

/* ---------------------------------------------------------------- isochrones ----------------------------------- */

/* ---------------------------------------------------------------- isochrone cache ------------------------------ */

/* A server answers isochrones from many origins over one network. A fresh grid (cell centres) and workspace per
 * request cost allocations, page faults and set-up comparable to a single-minute search (~20% of its instructions).
 * Grids repeat: centred on the origin but clipped to the network's extent, so origins whose reach covers the network
 * (and repeated origins) get the same cells. The cache keeps the last few grids, keyed by everything
 * dest_create_grid reads (grid geometry, modes, speeds, egress limit), and a pool of analysis workspaces (one per
 * concurrent request at most), so a request allocates only its output. Grids are built by the same function as
 * without the cache, so results are identical. Entries are reference-counted: one evicted while a request still
 * reads it is freed by that request. */
#define ISO_CACHE_SLOTS 8
#define ISO_CACHE_WORKSPACES 64

typedef struct linked_grid {
    tc_grid g;
    int street_only, max_access_min;
    tc_mode mode, egress_mode;
    double mode_speed, egress_speed;
    tc_truck truck;       /* street-only truck: the vehicle, and the day and start its restrictions were met at */
    int32_t truck_date, truck_start;
    tc_destinations *d;
    int refs; /* the cache's own reference (while in a slot) + requests reading it */
    uint64_t used;
} linked_grid;

struct tc_isochrone_cache {
    const tc_network *net;
    pthread_mutex_t lock;
    linked_grid *slot[ISO_CACHE_SLOTS];
    uint64_t tick;
    tc_analysis_workspace *idle[ISO_CACHE_WORKSPACES];
    int n_idle;
};

tc_status tc_isochrone_cache_create(const tc_network *net, tc_isochrone_cache **out, tc_error *err) {
    if (out) *out = NULL;
    if (!net || !out) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "tc_isochrone_cache_create: missing argument");
    tc_isochrone_cache *c = calloc(1, sizeof *c);
    if (!c) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (isochrone cache)");
    c->net = net;
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return TC_OK;
}

static void linked_grid_free(linked_grid *lg) {
    if (!lg) return;
    tc_destinations_free(lg->d);
    free(lg);
}

void tc_isochrone_cache_free(tc_isochrone_cache *c) {
    if (!c) return;
    for (int i = 0; i < ISO_CACHE_SLOTS; i++) linked_grid_free(c->slot[i]);
    for (int i = 0; i < c->n_idle; i++) tc_analysis_workspace_free(c->idle[i]);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static void linked_grid_key(linked_grid *k, const tc_network *net, const tc_analysis_options *o, const tc_grid *g) {
    memset(k, 0, sizeof *k);
    k->g = *g;
    k->street_only = !!o->street_only;
    k->max_access_min = o->max_access_min;
    k->mode = o->mode;
    k->egress_mode = o->egress_mode;
    k->mode_speed = mode_speed(&net->v, o, o->mode);
    k->egress_speed = mode_speed(&net->v, o, o->egress_mode);
    if (o->street_only && o->mode == TC_MODE_TRUCK) {
        k->truck = o->truck;
        k->truck_date = o->date;
        k->truck_start = o->window_start;
    }
}

static int linked_grid_same(const linked_grid *a, const linked_grid *b) {
    return a->g.min_x == b->g.min_x && a->g.max_y == b->g.max_y && a->g.cell == b->g.cell &&
           a->g.width == b->g.width && a->g.height == b->g.height && a->g.resolution_m == b->g.resolution_m &&
           a->street_only == b->street_only && a->max_access_min == b->max_access_min && a->mode == b->mode &&
           a->egress_mode == b->egress_mode && a->mode_speed == b->mode_speed && a->egress_speed == b->egress_speed &&
           !memcmp(&a->truck, &b->truck, sizeof a->truck) && a->truck_date == b->truck_date &&
           a->truck_start == b->truck_start;
}

static void linked_grid_unref_locked(linked_grid *lg) {
    if (lg && --lg->refs == 0) linked_grid_free(lg);
}

/* The linkage of grid g for options o, from the cache or linked now (outside the lock) and kept. */
static tc_status cache_linkage(tc_isochrone_cache *c, const tc_analysis_options *o, const tc_grid *g,
                               linked_grid **out, tc_error *err) {
    *out = NULL;
    linked_grid key;
    linked_grid_key(&key, c->net, o, g);
    pthread_mutex_lock(&c->lock);
    for (int i = 0; i < ISO_CACHE_SLOTS; i++)
        if (c->slot[i] && linked_grid_same(c->slot[i], &key)) {
            linked_grid *lg = c->slot[i];
            lg->refs++;
            lg->used = ++c->tick;
            pthread_mutex_unlock(&c->lock);
            *out = lg;
            return TC_OK;
        }
    pthread_mutex_unlock(&c->lock);
    linked_grid *lg = malloc(sizeof *lg);
    if (!lg) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (isochrone cache)");
    *lg = key;
    tc_status st = dest_create_grid(c->net, o, g, &lg->d, err);
    if (st != TC_OK) {
        free(lg);
        return st;
    }
    pthread_mutex_lock(&c->lock);
    int victim = 0;
    for (int i = 0; i < ISO_CACHE_SLOTS; i++) {
        if (c->slot[i] && linked_grid_same(c->slot[i], &key)) { /* another request linked it meanwhile */
            linked_grid *have = c->slot[i];
            have->refs++;
            have->used = ++c->tick;
            pthread_mutex_unlock(&c->lock);
            linked_grid_free(lg);
            *out = have;
            return TC_OK;
        }
        if (!c->slot[i] || (c->slot[victim] && c->slot[i]->used < c->slot[victim]->used)) victim = i;
    }
    linked_grid_unref_locked(c->slot[victim]);
    lg->refs = 2; /* the slot's and this request's */
    lg->used = ++c->tick;
    c->slot[victim] = lg;
    pthread_mutex_unlock(&c->lock);
    *out = lg;
    return TC_OK;
}

static tc_status cache_workspace(tc_isochrone_cache *c, tc_analysis_workspace **out, tc_error *err) {
    pthread_mutex_lock(&c->lock);
    tc_analysis_workspace *ws = c->n_idle ? c->idle[--c->n_idle] : NULL;
    pthread_mutex_unlock(&c->lock);
    if (ws) {
        *out = ws;
        return TC_OK;
    }
    return tc_analysis_workspace_create(c->net, out, err);
}

static void cache_release(tc_isochrone_cache *c, linked_grid *lg, tc_analysis_workspace *ws) {
    pthread_mutex_lock(&c->lock);
    linked_grid_unref_locked(lg);
    if (ws && c->n_idle < ISO_CACHE_WORKSPACES) {
        c->idle[c->n_idle++] = ws;
        ws = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    tc_analysis_workspace_free(ws);
}

static tc_status isochrone_surface(const tc_network *net, tc_isochrone_cache *cache, const tc_analysis_options *opts,
                                   double lat, double lon, const int *cutoffs_min, size_t n_cutoffs,
                                   double resolution_m, tc_grid *grid_out, uint16_t **minutes_out, tc_error *err) {
    *minutes_out = NULL;
    if (!net || !opts || !cutoffs_min)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "tc_isochrones: missing argument");
    if (n_cutoffs < 1 || n_cutoffs > 16)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "1 to 16 cutoffs expected, got %zu", n_cutoffs);
    if (!valid_point(lat, lon))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "origin %.7f,%.7f is not a valid coordinate", lat,
                       lon);
    int max_cut = 0;
    for (size_t i = 0; i < n_cutoffs; i++) {
        if (cutoffs_min[i] < 1 || cutoffs_min[i] > 1440)
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "cutoff %d min is not within 1…1440",
                             cutoffs_min[i]);
        if (cutoffs_min[i] > max_cut) max_cut = cutoffs_min[i];
    }
    tc_status st = check_options(opts, err);
    if (st != TC_OK) return st;
    const network_view *v = &net->v;
    tc_analysis_options o = *opts;
    if (o.max_duration_min > max_cut) o.max_duration_min = max_cut; /* nothing beyond the cutoffs is drawn */
    double speed = o.street_only ? (street_mode_timed(o.mode) ? ISO_CAR_MPS : mode_speed(v, &o, o.mode)) : ISO_TRANSIT_MPS;
    double radius = o.max_duration_min * 60.0 * speed;
    const double mlat = 111320.0, mlon = 111320.0 * fmax(cos(lat * M_PI / 180.0), 0.01);
    double min_lat = lat - radius / mlat, max_lat = lat + radius / mlat;
    double min_lon = lon - radius / mlon, max_lon = lon + radius / mlon;
    if (v->n_stops || v->streets.n_nodes) {
        /* nothing is reached beyond the network's extent plus a last walk (or drive) from it */
        double edge = o.street_only ? 0.0 : o.max_access_min * 60.0 * walk_speed(v, &o);
        double b0 = from_e7(v->bbox_e7[0]) - edge / mlon, b1 = from_e7(v->bbox_e7[1]) - edge / mlat;
        double b2 = from_e7(v->bbox_e7[2]) + edge / mlon, b3 = from_e7(v->bbox_e7[3]) + edge / mlat;
        if (b0 < b2 && b1 < b3) {
            min_lon = fmax(min_lon, b0);
            min_lat = fmax(min_lat, b1);
            max_lon = fmin(max_lon, b2);
            max_lat = fmin(max_lat, b3);
        }
        /* the origin stays inside (a point just off the network still gets its walking isochrone) */
        double w = o.max_access_min * 60.0 * walk_speed(v, &o);
        min_lon = fmin(min_lon, lon - w / mlon);
        max_lon = fmax(max_lon, lon + w / mlon);
        min_lat = fmin(min_lat, lat - w / mlat);
        max_lat = fmax(max_lat, lat + w / mlat);
    }
    min_lat = fmax(min_lat, -85.0);
    max_lat = fmin(max_lat, 85.0);
    min_lon = fmax(min_lon, -180.0);
    max_lon = fmin(max_lon, 180.0);
    if (resolution_m <= 0) {
        /* about 200 cells along the longer side, never finer than 50 m */
        double span = fmax((max_lat - min_lat) * mlat, (max_lon - min_lon) * mlon);
        resolution_m = fmax(50.0, ceil(span / 200.0 / 10.0) * 10.0);
    }
    tc_grid g;
    if ((st = grid_from_bbox(min_lon, min_lat, max_lon, max_lat, resolution_m, &g, err)) != TC_OK) return st;
    if (tc_grid_cells(&g) > 4000000u)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                       "an isochrone grid of %zu cells at %g m is too fine; use a coarser resolution",
                       tc_grid_cells(&g), resolution_m);
    tc_destinations *d = NULL;
    linked_grid *lg = NULL;
    if (cache) st = cache_linkage(cache, &o, &g, &lg, err);
    else st = dest_create_grid(net, &o, &g, &d, err);
    if (st != TC_OK) return st;
    if (lg) d = lg->d;
    tc_analysis_workspace *ws = NULL;
    uint16_t *minutes = malloc((tc_grid_cells(&g) * o.n_percentiles + 1) * sizeof *minutes);
    if (!minutes) st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (isochrone grid)");
    if (st == TC_OK) st = cache ? cache_workspace(cache, &ws, err) : tc_analysis_workspace_create(net, &ws, err);
    if (st == TC_OK) st = tc_travel_times_from(ws, d, &o, lat, lon, minutes, err);
    if (cache) {
        cache_release(cache, lg, ws);
    } else {
        tc_analysis_workspace_free(ws);
        tc_destinations_free(d);
    }
    if (st != TC_OK) {
        free(minutes);
        return st;
    }
    *grid_out = g;
    *minutes_out = minutes;
    return TC_OK;
}

tc_status tc_isochrone_surface(const tc_network *net, const tc_analysis_options *opts, double lat, double lon,
                               const int *cutoffs_min, size_t n_cutoffs, double resolution_m, tc_grid *grid_out,
                               uint16_t **minutes_out, tc_error *err) {
    return isochrone_surface(net, NULL, opts, lat, lon, cutoffs_min, n_cutoffs, resolution_m, grid_out, minutes_out,
                             err);
}

static tc_status isochrones(const tc_network *net, tc_isochrone_cache *cache, const tc_analysis_options *opts,
                            double lat, double lon, const int *cutoffs_min, size_t n_cutoffs, double resolution_m,
                            char **geojson_out, tc_error *err) {
    if (!geojson_out) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "missing output");
    *geojson_out = NULL;
    tc_grid g;
    uint16_t *minutes = NULL;
    tc_status st = isochrone_surface(net, cache, opts, lat, lon, cutoffs_min, n_cutoffs, resolution_m, &g, &minutes,
                                     err);
    if (st != TC_OK) return st;
    st = isochrones_geojson(&g, minutes, opts->percentiles, opts->n_percentiles, cutoffs_min, n_cutoffs,
                            geojson_out, err);
    free(minutes);
    return st;
}

tc_status tc_isochrones(const tc_network *net, const tc_analysis_options *opts, double lat, double lon,
                        const int *cutoffs_min, size_t n_cutoffs, double resolution_m, char **geojson_out,
                        tc_error *err) {
    return isochrones(net, NULL, opts, lat, lon, cutoffs_min, n_cutoffs, resolution_m, geojson_out, err);
}

tc_status tc_isochrones_cached(tc_isochrone_cache *cache, const tc_analysis_options *opts, double lat, double lon,
                               const int *cutoffs_min, size_t n_cutoffs, double resolution_m, char **geojson_out,
                               tc_error *err) {
    if (!cache) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "tc_isochrones_cached: missing cache");
    return isochrones(cache->net, cache, opts, lat, lon, cutoffs_min, n_cutoffs, resolution_m, geojson_out, err);
}

/* ---------------------------------------------------------------- accessibility -------------------------------- */

tc_status tc_accessibility_from(const uint16_t *percentile_minutes, size_t n_dest, size_t n_percentiles,
                                const double *const *opportunities, size_t n_columns, const int *cutoffs_min,
                                size_t n_cutoffs, const char *decay, double *out, tc_error *err) {
    tc_decay dk;
    tc_status st = tc_decay_parse(decay ? decay : "step", &dk, err);
    if (st != TC_OK) return st;
    if (n_dest > UINT32_MAX) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "too many destinations");
    return tc_accessibility(percentile_minutes, (uint32_t)n_dest, n_percentiles, opportunities, n_columns,
                            cutoffs_min, n_cutoffs, &dk, out, err);
}
