/*
 * street_sections.h — which network-file section holds which street array (ids inside TC_SEC_STREETS_FIRST…LAST).
 * The record types are in streets/street_graph.h; the ids live beside the container's so the range stays one list.
 */
#ifndef TC_NETFILE_STREET_SECTIONS_H
#define TC_NETFILE_STREET_SECTIONS_H

#include "netfile/netfile.h"

enum {
    STREET_SEC_META = TC_SEC_STREETS_FIRST, /* street_meta */
    STREET_SEC_NODES,                       /* int32 lat_e7, lon_e7 per node */
    STREET_SEC_EDGE_BEGIN,                  /* uint32 × (n_nodes + 1) */
    STREET_SEC_EDGES,                       /* street_edge × n_edges */
    STREET_SEC_REV_BEGIN,                   /* uint32 × (n_nodes + 1) */
    STREET_SEC_REV,                         /* street_rev × n_edges */
    STREET_SEC_SEGS,                        /* street_seg × (n_segs + 1) */
    STREET_SEC_GEOM,                        /* int32 lat_e7, lon_e7 per point */
    STREET_SEC_GRID_BEGIN,                  /* uint32 × (nx·ny + 1) */
    STREET_SEC_GRID_ITEMS,                  /* uint32 segment ids */
    STREET_SEC_TURNS,                       /* street_turn × n_turns */
    STREET_SEC_SEG_TRUCK = TC_SEC_STREETS_FIRST + 24, /* uint16 × n_segs: truck limit record of each segment */
    STREET_SEC_TRUCK_LIMITS,                /* street_truck_limit records */
    STREET_SEC_SEG_ELEV,                    /* optional: uint16 × 4 × n_segs slope factors (street_elev.c) */
};

_Static_assert((int)STREET_SEC_SEG_ELEV <= (int)TC_SEC_STREETS_LAST, "street sections must stay in their id range");

#endif
