/*
 * street_graph.h — the walk / bike / car street network as the searches see it (a read-only view, like network.h).
 *
 * src/streets builds it from what src/osm reads out of a PBF and searches it; the network file stores it in
 * sections TC_SEC_STREETS_FIRST… (street_graph_attach fills this view from the mapped file without parsing). An
 * empty graph (n_nodes == 0) means "no street network": walking then falls back to straight-line distance × detour.
 *
 * Shape (why):
 *  - nodes are OSM nodes where ways meet or end (plus turn-restriction via nodes); the chain of OSM nodes between two
 *    of them inside one way is one *segment* with a polyline, so a search touches 3-5× fewer nodes than over raw OSM
 *    nodes, and every segment lies inside a single way (uniform tags, one way id for scenarios);
 *  - each segment has two directed arcs (a→b, b→a) in a forward CSR (edge_begin/edges) and a reverse CSR
 *    (rev_begin/rev) for searches towards a point (egress, car on one-way streets); an arc carries its length in
 *    millimetres, the modes allowed along it, and its car speed, in 16 bytes so a search streams through memory;
 *  - geometry (int32 1e-7 degree points, endpoints included) lives in its own section, read only when snapping or
 *    drawing;
 *  - a packed uniform grid (cell → segments, CSR) finds the segments near a point; it is a plain array that can be
 *    mmapped, unlike a GEOS STRtree, which would have to be rebuilt on every open (see street_snap.c);
 *  - car turn restrictions are (from arc, to arc) pairs sorted by from arc; the car search is arc-based so it can
 *    honour them. A restriction via a way adds car-only copies of the via way's arcs (n_edges ≥ 2 · n_segs; a copy
 *    shares its segment with the original), which turns it into pairs too (street_build.c).
 */
#ifndef TC_STREETS_STREET_GRAPH_H
#define TC_STREETS_STREET_GRAPH_H

#include "common/modes.h"
#include "osm/osm_truck.h"

#include <stdint.h>


#define STREET_FORMAT_VERSION 2u /* 2: truck access bit, truck limits per segment */

typedef struct street_edge {
    uint32_t target;
    uint32_t length_mm;
    uint32_t seg;      /* segment index; top bit set when the arc runs from the segment's b to a */
    uint8_t access;    /* STREET_WALK … STREET_TRUCK bits (common/modes.h) */
    uint8_t car_kmh;   /* car speed, km/h (1…255) */
    uint16_t flags;    /* STREET_EDGE_* (files written before a flag existed hold 0) */
} street_edge;

#define STREET_EDGE_UNLINKABLE 0x1u /* points and stops are not linked to this arc's segment (street_snap.c) */
/* bits 1–3: the way's cycling level of traffic stress 1…4 (osm_rules.c, or a --lts-overrides row); 0 = none */
#define STREET_EDGE_LTS_SHIFT 1
#define STREET_EDGE_LTS_MASK (0x7u << STREET_EDGE_LTS_SHIFT)
static inline unsigned street_edge_lts(uint16_t flags) { return (flags & STREET_EDGE_LTS_MASK) >> STREET_EDGE_LTS_SHIFT; }

#define STREET_SEG_REVERSED 0x80000000u
#define STREET_SEG_MASK 0x7fffffffu

typedef struct street_rev {
    uint32_t source; /* node the arc leaves */
    uint32_t arc;    /* index into edges[] */
} street_rev;

typedef struct street_seg {
    uint32_t a, b;           /* end nodes; geometry runs from a to b */
    uint32_t arc_ab, arc_ba; /* both arcs always exist (access may be 0); copies are not listed here */
    uint32_t geom_begin;     /* into geom[]: points geom_begin … next seg's geom_begin − 1 (≥ 2 points) */
    uint32_t length_mm;
    int64_t way_id;          /* OSM way the segment belongs to */
} street_seg;

typedef struct street_turn {
    uint32_t from_arc, to_arc;
    uint32_t only; /* 1: only_* (from from_arc, to_arc is the only arc allowed); 0: no_* (to_arc forbidden) */
} street_turn;

typedef struct street_meta {
    uint32_t version;
    uint32_t n_nodes, n_edges, n_segs, n_geom, n_turns;
    uint32_t grid_nx, grid_ny, n_grid_items;
    uint32_t lon_wrap; /* 1 when the data straddles the antimeridian: the grid uses lon + 360 for lon < 0 */
    int32_t grid_lat0_e7, grid_lon0_e7; /* south-west corner of the grid */
    int32_t cell_lat_e7, cell_lon_e7;   /* cell size */
    int32_t bbox_e7[4];                 /* min_lon, min_lat, max_lon, max_lat of the nodes */
    uint32_t islands_dropped[3];        /* per mode: components dropped at build time */
    uint32_t truck_islands_dropped;     /* likewise for trucks */
    uint32_t n_truck_limits;            /* records in STREET_SEC_TRUCK_LIMITS (≥ 1) */
    uint32_t reserved[3];
} street_meta;

/* Slope factors (street_elev.c): travel time over flat time, fixed point with STREET_ELEV_ONE = 1.0. */
#define STREET_ELEV_ONE 1024u

typedef struct street_graph {
    uint32_t n_nodes, n_edges;
    uint32_t n_segs, n_geom, n_turns;
    const street_meta *meta;
    const int32_t *node_coords;   /* n_nodes × {lat_e7, lon_e7} */
    const uint32_t *edge_begin;   /* n_nodes + 1 */
    const street_edge *edges;     /* n_edges */
    const uint32_t *rev_begin;    /* n_nodes + 1 */
    const street_rev *rev;        /* n_edges */
    const street_seg *segs;       /* n_segs + 1 (a sentinel whose geom_begin = n_geom) */
    const int32_t *geom;          /* n_geom × {lat_e7, lon_e7} */
    const uint32_t *grid_begin;   /* grid_nx × grid_ny + 1 */
    const uint32_t *grid_items;   /* segment indices */
    const street_turn *turns;     /* n_turns, sorted by from_arc */
    uint32_t n_truck_limits;
    const uint16_t *seg_truck;    /* n_segs: index into truck_limits */
    const street_truck_limit *truck_limits; /* n_truck_limits, [0] = no limits */
    const uint16_t *seg_elev;     /* NULL (no DEM at build), or n_segs × {walk a→b, walk b→a, bike a→b, bike b→a} */
} street_graph;

#endif
