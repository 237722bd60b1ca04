/*
 * street_truck.c — the street graph as one goods vehicle sees it at one departure time.
 *
 * The limits stored per segment (street_graph.h, read by src/osm/osm_truck.c) meet the query's vehicle (tc_truck)
 * once per query: each distinct limit record is decided once (a city has a few hundred), then a copy of the arcs is
 * made in which the truck bit is cleared where this vehicle may not pass and the car speed is replaced by the truck
 * speed (min of the car's, maxspeed:hgv and the vehicle's top speed). The searches then run the truck exactly as the
 * car — arc-based, with turn restrictions — over that view. Copying 16-byte arcs costs a few milliseconds on a city
 * and is shared by every origin of a matrix, where changing the search's inner loop would cost every relaxation.
 * Time windows are decided at the departure time for the whole trip (a trip rarely crosses a window's edge, and a
 * route that did would depend on its own arrival times).
 */
#include "streets/street_truck.h"
#include "common/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tc_truck_init(tc_truck *t) {
    memset(t, 0, sizeof *t);
    t->height_m = 4.0;
    t->width_m = 2.55;
    t->length_m = 10.0;
    t->weight_t = 18.0;
    t->axle_load_t = 11.5;
    t->max_kmh = 80;
    t->hazmat = 0;
    t->delivery = 1;
    t->weekday = 1;
    t->time_s = 8 * 3600;
}

static int in_window(const street_truck_limit *r, int weekday, int32_t time_s) {
    int32_t t = time_s >= 0 ? time_s : 0;
    int day = (weekday + t / 86400) % 7, minute = (int)(t % 86400) / 60;
    /* a range past midnight that started the day before belongs to that day */
    int hit = 0;
    for (int k = 0; k < 2; k++) {
        int s = k ? r->win2_start_min : r->win_start_min, e = k ? r->win2_end_min : r->win_end_min;
        if (s == e) continue;
        if (s < e) hit |= (r->win_days >> day & 1) && minute >= s && minute < e;
        else hit |= ((r->win_days >> day & 1) && minute >= s) || ((r->win_days >> ((day + 6) % 7) & 1) && minute < e);
    }
    return hit;
}

int street_truck_allows(const street_truck_limit *r, const tc_truck *v) {
    int heavy = v->weight_t > 3.5;
    unsigned f = r->flags;
    int open;
    if (f & (heavy ? TRUCK_HGV_NO : TRUCK_GOODS_NO)) open = 0;
    else if (f & (heavy ? TRUCK_HGV_YES : TRUCK_GOODS_YES)) open = 1;
    else open = !(f & TRUCK_BASE_NO);
    if (r->win_kind && (r->win_who & (heavy ? TRUCK_WHO_HGV : TRUCK_WHO_GOODS)) && in_window(r, v->weekday, v->time_s))
        open = r->win_kind == TRUCK_WIN_OPEN;
    if (!open) return 0;
    if ((f & TRUCK_DELIVERY) && !v->delivery) return 0;
    if ((f & TRUCK_HAZMAT_NO) && v->hazmat) return 0;
    /* a vehicle exactly at a limit passes; compare in the stored units, rounding the vehicle to the nearest unit */
    if (r->max_height_cm && lround(v->height_m * 100) > r->max_height_cm) return 0;
    if (r->max_width_cm && lround(v->width_m * 100) > r->max_width_cm) return 0;
    if (r->max_length_cm && lround(v->length_m * 100) > r->max_length_cm) return 0;
    if (r->max_weight_10kg && lround(v->weight_t * 100) > r->max_weight_10kg) return 0;
    if (r->max_axle_10kg && lround(v->axle_load_t * 100) > r->max_axle_10kg) return 0;
    return 1;
}

tc_status street_truck_check(const tc_truck *v, tc_error *err) {
    if (!(v->height_m > 0 && v->height_m < 20) || !(v->width_m > 0 && v->width_m < 20) ||
        !(v->length_m > 0 && v->length_m < 100) || !(v->weight_t > 0 && v->weight_t < 600) ||
        !(v->axle_load_t > 0 && v->axle_load_t <= v->weight_t) || !(v->max_kmh >= 5 && v->max_kmh <= 255))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                         "truck: height %.2f m, width %.2f m, length %.2f m, weight %.2f t, axle load %.2f t, top speed "
                         "%.0f km/h is not a vehicle (positive sizes, axle load at most the weight, 5-255 km/h)",
                         v->height_m, v->width_m, v->length_m, v->weight_t, v->axle_load_t, v->max_kmh);
    if (v->weekday < 0 || v->weekday > 6 || v->time_s < 0 || v->time_s > 7 * 86400)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "truck: departure day or time out of range");
    return TC_OK;
}

tc_status street_truck_view(const street_graph *g, const tc_truck *v, street_graph *view, street_edge **owned,
                            tc_error *err) {
    *owned = NULL;
    *view = *g;
    tc_status st = street_truck_check(v, err);
    if (st != TC_OK) return st;
    if (g->n_nodes == 0) return TC_OK;
    if (!g->truck_limits || !g->seg_truck || !g->n_truck_limits)
        return error_set(err, TC_ERR_FORMAT, NULL, 0, 0, "the network holds no heavy-vehicle rules; rebuild it");
    uint8_t *ok = malloc(g->n_truck_limits);
    street_edge *e = malloc(((size_t)g->n_edges + 1) * sizeof *e);
    if (!ok || !e) {
        free(ok);
        free(e);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for the truck view of the streets");
    }
    for (uint32_t i = 0; i < g->n_truck_limits; i++) ok[i] = (uint8_t)street_truck_allows(&g->truck_limits[i], v);
    double vmax = v->max_kmh;
    for (uint32_t a = 0; a < g->n_edges; a++) {
        e[a] = g->edges[a];
        if (!(e[a].access & STREET_TRUCK)) continue;
        const street_truck_limit *r = &g->truck_limits[g->seg_truck[e[a].seg & STREET_SEG_MASK]];
        if (!ok[g->seg_truck[e[a].seg & STREET_SEG_MASK]]) {
            e[a].access &= (uint8_t)~STREET_TRUCK;
            continue;
        }
        double kmh = e[a].car_kmh;
        if (kmh > vmax) kmh = vmax;
        if (r->hgv_kmh && kmh > r->hgv_kmh) kmh = r->hgv_kmh;
        e[a].car_kmh = (uint8_t)(kmh < 1 ? 1 : kmh);
    }
    free(ok);
    view->edges = e;
    *owned = e;
    return TC_OK;
}
