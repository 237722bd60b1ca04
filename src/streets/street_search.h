/*
 * street_search.h — snapping points to the street graph and searching it (internal to the library; the entry
 * points over a loaded network are tc_street_route in tongcheng.h and street_stops_near in routing/stop_access.h).
 *
 * Costs are integers so the heap compares machine words: walk and bike search on distance in millimetres (their
 * speed is uniform, so time = distance / speed, applied at the end — the speed stays a query-time parameter), car
 * searches on time in milliseconds from each arc's speed. The car search is arc-based (a label per arc, not per
 * node) so turn restrictions can be honoured; walk and bike are node-based.
 */
#ifndef TC_STREETS_STREET_SEARCH_H
#define TC_STREETS_STREET_SEARCH_H

#include "tongcheng.h"
#include "streets/street_graph.h"

#include <stdint.h>

#define STREET_INF UINT32_MAX

/* A stop and the seconds to reach it (access) or to reach the point from it (egress). */
typedef struct stop_seconds {
    uint32_t stop;
    int32_t seconds;
} stop_seconds;

/* Per-thread scratch space for street searches; allocate once, reuse for every query. */
typedef struct street_workspace street_workspace;

/* A point projected onto a segment. */
typedef struct street_snap {
    uint32_t seg;
    uint32_t offset_mm; /* along the segment from its node a */
    double dist_m;      /* from the point to the projection */
    double lat, lon;    /* the projection */
} street_snap;

static inline unsigned street_mode_bit(tc_mode mode) {
    return mode == TC_MODE_TRUCK ? STREET_TRUCK
           : mode == TC_MODE_CAR ? STREET_CAR
           : mode == TC_MODE_BIKE ? STREET_BIKE
                                  : STREET_WALK;
}
/* Car and truck search on time over arcs (the truck over a street_truck_view whose car_kmh are truck speeds). */
static inline int street_mode_timed(tc_mode mode) { return mode == TC_MODE_CAR || mode == TC_MODE_TRUCK; }
const char *street_mode_name(tc_mode mode);

/* Nearest segment usable by mode (in at least one direction) within radius_m; TC_ERR_UNREACHABLE naming the point
 * otherwise. */
tc_status street_snap_point(const street_graph *g, tc_mode mode, double lat, double lon, double radius_m,
                            street_snap *out, tc_error *err);

/* Cost of travelling `mm` millimetres along arc e in mode (mm for walk/bike, ms for car). */
static inline uint32_t street_cost(const street_edge *e, tc_mode mode, uint32_t mm) {
    if (!street_mode_timed(mode)) return mm;
    return (uint32_t)(((uint64_t)mm * 18u + (uint64_t)e->car_kmh * 5u / 2u) / ((uint64_t)e->car_kmh * 5u));
}

/* The workspace of every street search; the stop fields are filled by street_workspace_create
 * (routing/stop_access.h) from a loaded network's stop links and stay empty for searches over a bare graph. */
struct street_workspace {
    const street_graph *g;
    uint32_t cap;         /* max(n_nodes, n_edges) */
    uint32_t *dist;       /* per node (walk/bike) or per arc (car) */
    uint32_t *parent;     /* node-based: arc into the node; arc-based: previous arc; STREET_INF at sources */
    uint32_t *touched;
    uint32_t n_touched;
    uint64_t *heap;       /* (cost << 32) | id, lazy deletion */
    uint32_t n_heap, heap_cap;
    int oom;              /* the heap could not grow: the last search is incomplete */
    unsigned max_lts;     /* cycling: arcs of a higher level of traffic stress are not used; 0 = no limit */
    int no_elevation;     /* walking / cycling ignore the network's slope factors (query --no-elevation) */
    /* access / egress to stops */
    uint32_t n_stops;
    uint32_t *node_stop_begin; /* n_nodes + 1: stops linked to each node (CSR) */
    uint32_t *node_stops;
    int32_t *stop_best;        /* per stop, for the street-based access (reset through result list) */
    stop_seconds *result;
    /* straight-line fallback: a packed grid of stops */
    double sg_lat0, sg_lon0, sg_cell_lat, sg_cell_lon; /* degrees */
    uint32_t sg_nx, sg_ny, sg_wrap;
    uint32_t *sg_begin, *sg_items;
};

/* Cost of `mm` millimetres along arc `arc` in mode: for walking and cycling, mm × the arc's slope factor when the
 * network has them (flat-equivalent millimetres, so the speed still converts cost to time); car as street_cost. */
static inline uint32_t street_arc_cost(const street_workspace *ws, tc_mode mode, uint32_t arc, uint32_t mm) {
    const street_graph *g = ws->g;
    if (street_mode_timed(mode)) return street_cost(&g->edges[arc], mode, mm);
    if (!g->seg_elev || ws->no_elevation) return mm;
    uint32_t s = g->edges[arc].seg;
    uint32_t f = g->seg_elev[(size_t)(s & STREET_SEG_MASK) * 4 + (mode == TC_MODE_BIKE ? 2 : 0) +
                             ((s & STREET_SEG_REVERSED) ? 1 : 0)];
    uint64_t c = ((uint64_t)mm * f + STREET_ELEV_ONE / 2) / STREET_ELEV_ONE;
    return c >= STREET_INF / 2 ? STREET_INF / 2 : (uint32_t)c;
}

tc_status street_workspace_init_graph(street_workspace *ws, const street_graph *g, tc_error *err);
void street_workspace_release_graph(street_workspace *ws);

/* One-to-many search from (or, reverse, towards) a snapped point, up to `limit` cost units. Afterwards the reached
 * ids are ws->touched[0 … n_touched) with their cost in ws->dist (nodes for walk/bike, arcs for car). */
void street_search_from_snap(street_workspace *ws, tc_mode mode, const street_snap *s, int reverse, uint32_t limit);
/* One-to-many from graph nodes with initial costs (walk/bike only): used for stop links and transfers. */
void street_search_from_nodes(street_workspace *ws, tc_mode mode, const uint32_t *nodes, const uint32_t *costs,
                              uint32_t n, uint32_t limit);
/* Cost at node v after a search (car: best over the arcs reaching / leaving v), STREET_INF if not reached. */
uint32_t street_node_of_id(const street_graph *g, tc_mode mode, int reverse, uint32_t id);

/* After a forward one-to-many search: the cost to reach snapped point t (STREET_INF if not reached). For the car
 * the turn at the last node is not checked (the search is arc-based; destinations read node costs). */
uint32_t street_cost_to_snap(const street_workspace *ws, tc_mode mode, const street_snap *t);

typedef struct street_path {
    uint32_t cost;        /* mm (walk/bike) or ms (car) */
    double distance_m;
    uint32_t n_points;
    double *lat, *lon;    /* malloc'd; free with street_path_free */
} street_path;

/* Point-to-point; TC_ERR_UNREACHABLE when to cannot be reached from from. */
tc_status street_route_snapped(street_workspace *ws, tc_mode mode, const street_snap *from, const street_snap *to,
                               street_path *out, tc_error *err);
void street_path_free(street_path *p);

/* Seconds for a cost in mode at speed (walk/bike); car costs are already times. */
static inline double street_cost_seconds(tc_mode mode, uint32_t cost, double speed_mps) {
    return street_mode_timed(mode) ? cost / 1000.0 : cost / 1000.0 / speed_mps;
}

#endif
