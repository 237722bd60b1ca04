/*
 * street_attach.c — fill a street_graph view from a mapped network file (no parsing: pointers into the mapping).
 *
 * The netfile layer has already verified every section's checksum and bounds; here we check that the sizes agree
 * with the counts in the street meta section and that indices stay in range (one linear pass over the arrays that
 * searches index with, cheap next to the page faults the searches will take anyway), so a hand-crafted file with a
 * valid checksum still cannot send a search out of bounds.
 */
#include "streets/street_build.h"
#include "netfile/street_sections.h"
#include "common/error.h"

#include <string.h>

#define BAD(...) error_set(err, TC_ERR_FORMAT, NULL, 0, 0, __VA_ARGS__)

static tc_status get(const netfile *nf, uint32_t id, size_t elem, uint64_t count, const void **out,
                     tc_error *err) {
    uint64_t got = 0;
    tc_status st = netfile_get_array(nf, id, 1, elem, UINT64_MAX, out, &got, err);
    if (st != TC_OK) return st;
    if (got != count)
        return BAD("street section %u holds %llu entries, the street header says %llu", id, (unsigned long long)got,
                   (unsigned long long)count);
    return TC_OK;
}

tc_status street_graph_attach(street_graph *g, const netfile *nf, tc_error *err) {
    memset(g, 0, sizeof *g);
    const void *p;
    uint64_t len;
    tc_status st = netfile_get(nf, STREET_SEC_META, 0, &p, &len, err);
    if (st != TC_OK) return st;
    if (!p) return TC_OK; /* no street network */
    if (len != sizeof(street_meta)) return BAD("street header section has %llu bytes, expected %zu",
                                               (unsigned long long)len, sizeof(street_meta));
    const street_meta *m = p;
    if (m->version != STREET_FORMAT_VERSION)
        return BAD("street network format version %u, this program reads %u", m->version, STREET_FORMAT_VERSION);
    street_graph t = {0};
    t.meta = m;
    t.n_nodes = m->n_nodes;
    t.n_edges = m->n_edges;
    t.n_segs = m->n_segs;
    t.n_geom = m->n_geom;
    t.n_turns = m->n_turns;
    uint64_t ncell = (uint64_t)m->grid_nx * m->grid_ny;
    const void *q;
    if ((st = get(nf, STREET_SEC_NODES, 8, m->n_nodes, &q, err))) return st;
    t.node_coords = q;
    if ((st = get(nf, STREET_SEC_EDGE_BEGIN, 4, (uint64_t)m->n_nodes + 1, &q, err))) return st;
    t.edge_begin = q;
    if ((st = get(nf, STREET_SEC_EDGES, sizeof(street_edge), m->n_edges, &q, err))) return st;
    t.edges = q;
    if ((st = get(nf, STREET_SEC_REV_BEGIN, 4, (uint64_t)m->n_nodes + 1, &q, err))) return st;
    t.rev_begin = q;
    if ((st = get(nf, STREET_SEC_REV, sizeof(street_rev), m->n_edges, &q, err))) return st;
    t.rev = q;
    if ((st = get(nf, STREET_SEC_SEGS, sizeof(street_seg), (uint64_t)m->n_segs + 1, &q, err))) return st;
    t.segs = q;
    if ((st = get(nf, STREET_SEC_GEOM, 8, m->n_geom, &q, err))) return st;
    t.geom = q;
    if ((st = get(nf, STREET_SEC_GRID_BEGIN, 4, ncell + 1, &q, err))) return st;
    t.grid_begin = q;
    if ((st = get(nf, STREET_SEC_GRID_ITEMS, 4, m->n_grid_items, &q, err))) return st;
    t.grid_items = q;
    if ((st = get(nf, STREET_SEC_TURNS, sizeof(street_turn), m->n_turns, &q, err))) return st;
    t.turns = q;
    if ((st = get(nf, STREET_SEC_SEG_TRUCK, 2, m->n_segs, &q, err))) return st;
    t.seg_truck = q;
    if (m->n_truck_limits == 0) return BAD("street network: no truck limit records");
    if ((st = get(nf, STREET_SEC_TRUCK_LIMITS, sizeof(street_truck_limit), m->n_truck_limits, &q, err))) return st;
    t.truck_limits = q;
    t.n_truck_limits = m->n_truck_limits;
    for (uint32_t s = 0; s < m->n_segs; s++)
        if (t.seg_truck[s] >= m->n_truck_limits) return BAD("street network: segment %u has no truck record", s);

    /* optional slope factors (build --elevation) */
    uint64_t elen = 0;
    if ((st = netfile_get(nf, STREET_SEC_SEG_ELEV, 0, &q, &elen, err))) return st;
    if (q) {
        if (elen != (uint64_t)m->n_segs * 4 * sizeof(uint16_t))
            return BAD("street slope section has %llu bytes for %u segments", (unsigned long long)elen, m->n_segs);
        t.seg_elev = q;
        for (uint64_t i = 0; i < (uint64_t)m->n_segs * 4; i++)
            if (t.seg_elev[i] == 0) return BAD("street network: segment %llu has a zero slope factor",
                                               (unsigned long long)(i / 4));
    }

    /* indices */
    if (m->n_edges < 2u * m->n_segs) return BAD("street network: %u arcs for %u segments", m->n_edges, m->n_segs);
    if (t.edge_begin[0] != 0 || t.edge_begin[m->n_nodes] != m->n_edges || t.rev_begin[0] != 0 ||
        t.rev_begin[m->n_nodes] != m->n_edges)
        return BAD("street network: adjacency offsets do not cover the arcs");
    for (uint32_t v = 0; v < m->n_nodes; v++)
        if (t.edge_begin[v] > t.edge_begin[v + 1] || t.rev_begin[v] > t.rev_begin[v + 1])
            return BAD("street network: adjacency offsets decrease at node %u", v);
    for (uint32_t a = 0; a < m->n_edges; a++) {
        if (t.edges[a].target >= m->n_nodes || (t.edges[a].seg & STREET_SEG_MASK) >= m->n_segs ||
            t.edges[a].car_kmh == 0)
            return BAD("street network: arc %u is out of range", a);
        if (t.rev[a].source >= m->n_nodes || t.rev[a].arc >= m->n_edges)
            return BAD("street network: reverse arc %u is out of range", a);
    }
    for (uint32_t s = 0; s < m->n_segs; s++) {
        const street_seg *sg = &t.segs[s];
        if (sg->a >= m->n_nodes || sg->b >= m->n_nodes || sg->arc_ab >= m->n_edges || sg->arc_ba >= m->n_edges ||
            sg->geom_begin + 2 > t.segs[s + 1].geom_begin)
            return BAD("street network: segment %u is out of range", s);
    }
    if (t.segs[0].geom_begin != 0 || t.segs[m->n_segs].geom_begin != m->n_geom)
        return BAD("street network: geometry offsets do not cover the points");
    if (t.grid_begin[0] != 0 || t.grid_begin[ncell] != m->n_grid_items)
        return BAD("street network: grid offsets do not cover the items");
    for (uint64_t c = 0; c < ncell; c++)
        if (t.grid_begin[c] > t.grid_begin[c + 1]) return BAD("street network: grid offsets decrease");
    for (uint32_t i = 0; i < m->n_grid_items; i++)
        if (t.grid_items[i] >= m->n_segs) return BAD("street network: grid item %u is out of range", i);
    for (uint32_t i = 0; i < m->n_turns; i++)
        if (t.turns[i].from_arc >= m->n_edges || t.turns[i].to_arc >= m->n_edges ||
            (i && t.turns[i].from_arc < t.turns[i - 1].from_arc))
            return BAD("street network: turn restriction %u is out of range", i);
    if (m->n_nodes && (m->cell_lat_e7 <= 0 || m->cell_lon_e7 <= 0 || !m->grid_nx || !m->grid_ny))
        return BAD("street network: bad grid");
    *g = t;
    return TC_OK;
}
