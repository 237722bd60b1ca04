/*
 * street_build.h — the street stage's two entry points used by the network builder and loader.
 *
 * The network builder (src/network/builder.c) calls
 * streets_build_sections() when an OSM file is given: it reads the PBF, builds the per-mode graph, writes its
 * sections (ids TC_SEC_STREETS_FIRST…LAST) into the network file, links every stop to the walk network and computes
 * walking transfers between stops over the streets. Without OSM the builder computes straight-line transfers itself.
 * The loader (src/network/network.c) calls street_graph_attach() to fill the view from the mapped file.
 */
#ifndef TC_STREETS_STREET_BUILD_H
#define TC_STREETS_STREET_BUILD_H

#include "tongcheng.h"
#include "common/error.h"
#include "netfile/netfile.h"
#include "streets/street_graph.h"

#include <stdint.h>

typedef struct streets_stop_links {
    uint32_t *link_node;   /* n_stops: walk-network node each stop links to, UINT32_MAX when unlinked */
    uint32_t *link_m;      /* n_stops: metres from the stop to that node */
    uint32_t *transfer_begin; /* n_stops + 1: CSR over from-stop */
    uint32_t *transfer_to;    /* to-stop of each walking transfer */
    uint32_t *transfer_m;     /* walking distance of each transfer, metres */
    uint32_t n_transfers;
} streets_stop_links;

/* Read osm_path, write the street sections into w, link stops, compute transfers within transfer_radius_m of
 * walking (0: none but the same stop). Unlinked stops and dropped islands are reported to diag. */
tc_status streets_build_sections(netfile_writer *w, const char *osm_path, const double *stop_lat,
                                 const double *stop_lon, uint32_t n_stops, double transfer_radius_m,
                                 double snap_radius_m, diag_log *diag, int progress, streets_stop_links *out,
                                 tc_error *err);
/* The same with per-way LTS overrides (NULL: none) applied before the sections are written. */
tc_status streets_build_sections_lts(netfile_writer *w, const char *osm_path, const char *lts_csv,
                                     const double *stop_lat, const double *stop_lon, uint32_t n_stops,
                                     double transfer_radius_m, double snap_radius_m, diag_log *diag, int progress,
                                     streets_stop_links *out, tc_error *err);
/* The same with a DEM (NULL: none) giving walking and cycling slope factors (street_elev.c). */
tc_status streets_build_sections_dem(netfile_writer *w, const char *osm_path, const char *lts_csv,
                                     const char *dem_path, const double *stop_lat, const double *stop_lon,
                                     uint32_t n_stops, double transfer_radius_m, double snap_radius_m, diag_log *diag,
                                     int progress, streets_stop_links *out, tc_error *err);
void streets_stop_links_free(streets_stop_links *links);

/* Fill g from the mapped file; a file without street sections gives an empty graph (n_nodes == 0). */
tc_status street_graph_attach(street_graph *g, const netfile *nf, tc_error *err);

#endif
