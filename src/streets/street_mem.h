/*
 * street_mem.h — a street graph built in memory from an OSM file (what street_build.c writes into the network file,
 * and what the build-time stop linking searches). Internal to the library, used by tests and benchmarks too.
 */
#ifndef TC_STREETS_STREET_MEM_H
#define TC_STREETS_STREET_MEM_H

#include "tongcheng.h"
#include "common/error.h"
#include "netfile/netfile.h"
#include "streets/street_graph.h"

typedef struct street_mem {
    street_graph g; /* view over the arrays below (all on the heap, so the struct may be copied) */
    street_meta meta;
    street_meta *meta_copy; /* what g.meta points to */
    int32_t *node_coords;
    uint32_t *edge_begin, *rev_begin, *grid_begin, *grid_items;
    street_edge *edges;
    street_rev *rev;
    street_seg *segs;
    int32_t *geom;
    street_turn *turns;
    uint16_t *seg_truck;
    street_truck_limit *truck_limits;
    uint16_t *seg_elev; /* NULL, or n_segs × 4 slope factors (street_graph.h); not in g during the build */
    /* build report */
    uint32_t nodes_dropped[4]; /* walk, bike, car, truck */
    uint64_t missing_refs;
    uint32_t turns_unmatched;
} street_mem;

/* Read osm_path and build the graph (largest component per mode, grid, turn restrictions). */
tc_status street_mem_build(const char *osm_path, diag_log *diag, int progress, street_mem *out, tc_error *err);
void street_mem_free(street_mem *m);
/* Per-way cycling level of traffic stress overrides (`osm_id,lts` CSV, R5's form) onto m's arcs (street_lts.c). */
tc_status street_mem_apply_lts(street_mem *m, const char *csv_path, diag_log *diag, tc_error *err);
/* Slope factors for walking and cycling from a DEM GeoTIFF in longitude/latitude (street_elev.c). */
tc_status street_mem_apply_elevation(street_mem *m, const char *dem_path, diag_log *diag, tc_error *err);
/* Time factor of a piece of street with the given slope (rise over run): Tobler's walking, the cycling model. */
double street_elev_walk_factor(double slope);
double street_elev_bike_factor(double slope);
/* Append the street sections to w. */
tc_status street_mem_write(const street_mem *m, netfile_writer *w, tc_error *err);

/* A network file holding only the street sections (tests and benchmarks: the full build is tc_build). */
tc_status street_file_build(const char *osm_path, const char *out_path, diag_log *diag, tc_error *err);

#endif
