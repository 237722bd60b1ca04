/*
 * route_direct.c — street-only journeys beside the transit ones (tc_route): a direct walk, and a direct bike or car
 * trip where the query asks for those modes (tc_route_query.direct_modes).
 *
 * Why this shape:
 *  - the direct walk is the leg the analysis stage (surface.c, direct_legs) adds to every matrix cell: the same
 *    snapping, the same street search, the same bound (the access walking limit) and the same rounding to whole
 *    seconds, so `route` and `matrix` agree on every pair where walking wins;
 *  - a direct journey is offered unless a transit journey beats it (arrives strictly earlier, or in an arrive-by
 *    query leaves strictly later). Transit journeys that the direct walk beats or ties are dropped: walking arrives
 *    no later with no ride at all, so they are no longer Pareto-optimal over (arrival, transfers). Bike and car
 *    journeys never drop transit ones: a traveller without a bike or car still needs them;
 *  - between two stops the direct walk is the network's own walking transfer between them (what the build's
 *    --transfer-radius allows, as for walking between trips): a network built without walking transfers walks
 *    from stop to stop nowhere;
 *  - origin = destination is a journey of 0 s (the analysis stage says 0 minutes for such a pair too).
 */
#include "routing/route_direct.h"

#include "routing/raptor.h"

#include "common/error.h"
#include "common/geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY_S 86400

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* Coordinates of a query end: its point, or its stop's position. */
static tc_status query_end(const tc_network *net, const char *stop, double lat, double lon, double *lat_out,
                           double *lon_out, tc_error *err) {
    if (!stop) {
        *lat_out = lat;
        *lon_out = lon;
        return TC_OK;
    }
    uint32_t s;
    tc_status st = tc_network_find_stop(net, stop, &s, err);
    if (st != TC_OK) return st;
    *lat_out = from_e7(net->v.stops[s].lat_e7);
    *lon_out = from_e7(net->v.stops[s].lon_e7);
    return TC_OK;
}

static void free_one(tc_journey *j) {
    /* tc_journey_set_free owns the freeing of a journey's legs: hand it a set of one */
    tc_journey_set *one = calloc(1, sizeof *one);
    tc_journey *copy = malloc(sizeof *copy);
    if (!one || !copy) { /* cannot happen in practice; leak rather than free half */
        free(one);
        free(copy);
        return;
    }
    *copy = *j;
    one->n = 1;
    one->journeys = copy;
    tc_journey_set_free(one);
}

static tc_status add_direct(tc_journey_set *set, tc_mode mode, const tc_route_query *q, double flat, double flon,
                            double tlat, double tlon, int32_t secs, tc_error *err) {
    tc_journey *nj = realloc(set->journeys, (set->n + 1) * sizeof *nj);
    if (!nj) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    set->journeys = nj;
    tc_journey *j = &set->journeys[set->n];
    memset(j, 0, sizeof *j);
    tc_leg *g = calloc(1, sizeof *g);
    if (!g) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    const int64_t base = (int64_t)q->date * DAY_S;
    j->departure = base + (q->arrive_by ? q->time - secs : q->time);
    j->arrival = j->departure + secs;
    j->duration_s = secs;
    j->transfers = 0;
    j->walk_s = mode == TC_MODE_WALK ? secs : 0;
    j->n_legs = 1;
    j->legs = g;
    g->mode = mode == TC_MODE_WALK ? TC_LEG_WALK : mode == TC_MODE_BIKE ? TC_LEG_BIKE : TC_LEG_CAR;
    g->route_type = -1;
    g->departure = j->departure;
    g->arrival = j->arrival;
    g->from.stop = q->from_stop ? dup_str(q->from_stop) : NULL;
    g->from.name = dup_str(q->from_stop ? q->from_stop : "origin");
    g->from.lat = flat, g->from.lon = flon;
    g->to.stop = q->to_stop ? dup_str(q->to_stop) : NULL;
    g->to.name = dup_str(q->to_stop ? q->to_stop : "destination");
    g->to.lat = tlat, g->to.lon = tlon;
    set->n++;
    if ((q->from_stop && !g->from.stop) || (q->to_stop && !g->to.stop) || !g->from.name || !g->to.name)
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    return TC_OK;
}

/* Seconds of the network's walking transfer from the query's stop to its stop, within the access limit; -1 when
 * there is none. */
static int32_t stop_to_stop_walk(const tc_network *net, const tc_route_query *q) {
    const network_view *v = &net->v;
    uint32_t a, b;
    if (tc_network_find_stop(net, q->from_stop, &a, NULL) != TC_OK ||
        tc_network_find_stop(net, q->to_stop, &b, NULL) != TC_OK)
        return -1;
    if (a == b) return 0;
    double speed = q->walk_speed_mps > 0   ? q->walk_speed_mps
                   : v->walk_speed_mps > 0 ? v->walk_speed_mps
                                           : TC_DEFAULT_WALK_SPEED_MPS;
    int32_t best = -1;
    for (uint32_t e = v->transfer_begin[a]; e < v->transfer_begin[a + 1]; e++) {
        if (v->transfers[e].to_stop != b) continue;
        int32_t w = raptor_walk_seconds(v->transfers[e].distance_m, speed);
        if (best < 0 || w < best) best = w;
    }
    return best >= 0 && best <= q->max_walk_access_min * 60.0 ? best : -1;
}

/* Does transit journey t beat a direct journey of the query leaving `dep` and arriving `arr`? */
static int beats(const tc_route_query *q, const tc_journey *t, int64_t dep, int64_t arr) {
    return q->arrive_by ? t->departure > dep : t->arrival < arr;
}

tc_status route_add_direct(const tc_network *net, const tc_route_query *q, tc_journey_set *set, tc_error *err) {
    if (!q->direct_modes) return TC_OK;
    double flat, flon, tlat, tlon;
    tc_status st = query_end(net, q->from_stop, q->from_lat, q->from_lon, &flat, &flon, err);
    if (st == TC_OK) st = query_end(net, q->to_stop, q->to_lat, q->to_lon, &tlat, &tlon, err);
    if (st != TC_OK) return st;
    const size_t n_transit = set->n;
    const int64_t base = (int64_t)q->date * DAY_S;
    int walk_known = 0, walk_offered = 0;
    int64_t walk_dep = 0, walk_arr = 0;
    for (int m = TC_MODE_WALK; m <= TC_MODE_CAR; m++) {
        if (!(q->direct_modes & (1u << m))) continue;
        int32_t secs;
        if (flat == tlat && flon == tlon) {
            secs = 0;
        } else if (q->from_stop && q->to_stop) {
            if (m != TC_MODE_WALK) continue; /* stop to stop is a walk or a ride */
            if ((secs = stop_to_stop_walk(net, q)) < 0) continue;
        } else {
            tc_street_options so;
            tc_street_options_init(&so);
            if (q->walk_speed_mps > 0) so.walk_speed_mps = q->walk_speed_mps;
            else if (net->v.walk_speed_mps > 0) so.walk_speed_mps = net->v.walk_speed_mps;
            if (q->bike_speed_mps > 0) so.bike_speed_mps = q->bike_speed_mps;
            so.max_lts = q->max_lts;
            so.no_elevation = q->no_elevation;
            tc_street_result r;
            tc_error e = {0};
            st = tc_street_route(net, (tc_mode)m, flat, flon, tlat, tlon, &so, &r, &e);
            if (st == TC_ERR_UNREACHABLE) continue; /* no street of this mode near an end, or no path */
            if (st != TC_OK) return error_set(err, st, NULL, 0, 0, "%s", e.message);
            /* walking and cycling cover the ends' own way to the street too, as the analysis does */
            double d = r.duration_s + (m == TC_MODE_CAR || r.straight_line ? 0 : (r.from_snap_m + r.to_snap_m) /
                                                                               (m == TC_MODE_WALK ? so.walk_speed_mps
                                                                                                  : so.bike_speed_mps));
            tc_street_result_free(&r);
            /* walking is bounded as the analysis bounds its direct leg (the access limit); riding by the duration */
            double limit = m == TC_MODE_WALK ? q->max_walk_access_min * 60.0 : q->max_duration_min * 60.0;
            if (!(d <= limit)) continue;
            secs = (int32_t)lround(d);
        }
        int64_t dep = base + (q->arrive_by ? q->time - secs : q->time), arr = dep + secs;
        if (m == TC_MODE_WALK) walk_known = 1, walk_dep = dep, walk_arr = arr;
        int beaten = 0;
        for (size_t i = 0; i < n_transit && !beaten; i++) beaten = beats(q, &set->journeys[i], dep, arr);
        if (beaten) continue;
        if ((st = add_direct(set, (tc_mode)m, q, flat, flon, tlat, tlon, secs, err)) != TC_OK) return st;
        if (m == TC_MODE_WALK) walk_offered = 1;
    }
    if (walk_known) {
        /* journeys the direct walk beats or ties: all of them when it is offered (see the top of the file), else
         * those that walk from stop to stop without a ride (a detour of the direct walk) */
        size_t out = 0;
        for (size_t i = 0; i < set->n; i++) {
            tc_journey *j = &set->journeys[i];
            int rides = 0;
            for (size_t l = 0; l < j->n_legs; l++) rides += j->legs[l].mode == TC_LEG_TRANSIT;
            int drop = i < n_transit && (walk_offered || !rides) &&
                       (q->arrive_by ? j->departure <= walk_dep : j->arrival >= walk_arr);
            if (drop) free_one(j);
            else set->journeys[out++] = *j;
        }
        set->n = out;
    }
    return TC_OK;
}

tc_status route_direct_only(const tc_network *net, const tc_route_query *q, tc_journey_set **out) {
    *out = NULL;
    tc_journey_set *set = calloc(1, sizeof *set);
    if (!set) return TC_ERR_NO_MEMORY;
    tc_status st = route_add_direct(net, q, set, NULL);
    if (st != TC_OK || set->n == 0) {
        tc_journey_set_free(set);
        return st != TC_OK ? st : TC_ERR_UNREACHABLE;
    }
    *out = set;
    return TC_OK;
}
