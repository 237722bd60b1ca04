/*
 * street_graph.h — the walk / bike / car street network as the searches see it (a read-only view, like network.h).
 *
 * OWNED BY THE STREETS MODULE: src/osm builds it from a PBF, src/streets searches it; the network file stores it in
 * sections (street_graph_write / street_graph_attach). An empty graph (n_nodes == 0) means "no street network":
 * walking then falls back to straight-line distance × detour.
 */
#ifndef TC_STREETS_STREET_GRAPH_H
#define TC_STREETS_STREET_GRAPH_H

#include <stdint.h>

typedef struct street_graph {
    uint32_t n_nodes, n_edges;
    /* Fields are defined by the streets module (CSR adjacency, per-mode flags and speeds, geometry, spatial
     * index). Until it lands the graph is always empty. */
    const void *reserved;
} street_graph;

#endif
