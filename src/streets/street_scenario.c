/*
 * street_scenario.c — a scenario's car-speed changes (road projects: "car_speeds" modifications, by OSM way id or
 * inside a polygon) applied to a built network's street graph.
 *
 * Why after the build and not inside it: the street graph is built from the PBF deep inside the network builder,
 * and the changes only touch one byte per arc (street_edge.car_kmh), so the file is rewritten section by section
 * with the edge array patched — the same atomic writer as a build (temporary file + rename), the other sections
 * copied unchanged. A segment matches a modification when its OSM way is listed, or when its midpoint (between its
 * end nodes) lies inside the polygon. Only arcs cars may use change; speeds are clamped to 1…255 km/h (the arc
 * stores whole km/h). A listed way id that is in no segment is an error naming the entry: a misspelt id must not
 * silently change nothing.
 */
#include "streets/street_scenario.h"
#include "common/geo.h"
#include "netfile/netfile.h"
#include "streets/street_graph.h"
#include "netfile/street_sections.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int has_car_speeds(scenario *const *scns, size_t n) {
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; i < scns[k]->n_mods; i++)
            if (scns[k]->mods[i].kind == SCN_CAR_SPEEDS) return 1;
    return 0;
}

static int listed(const scenario_mod *m, int64_t way) {
    for (size_t i = 0; i < m->n_way_ids; i++)
        if (m->way_ids[i] == way) return 1;
    return 0;
}

tc_status streets_apply_car_speeds(const char *path, scenario *const *scns, size_t n_scns, diag_log *diag,
                                   size_t *changed_out, tc_error *err) {
    if (changed_out) *changed_out = 0;
    if (!has_car_speeds(scns, n_scns)) return TC_OK;
    netfile nf;
    tc_status st = netfile_map(path, &nf, err);
    if (st) return st;
    const street_edge *edges = NULL;
    const street_seg *segs = NULL;
    const int32_t *nodes = NULL;
    uint64_t n_edges = 0, n_segs = 0, n_nodes = 0;
    st = netfile_get_array(&nf, STREET_SEC_EDGES, 0, sizeof *edges, UINT64_MAX, (const void **)&edges, &n_edges,
                           err);
    if (!st) st = netfile_get_array(&nf, STREET_SEC_SEGS, 0, sizeof *segs, UINT64_MAX, (const void **)&segs,
                                    &n_segs, err);
    if (!st) st = netfile_get_array(&nf, STREET_SEC_NODES, 0, 2 * sizeof *nodes, UINT64_MAX,
                                    (const void **)&nodes, &n_nodes, err);
    if (st) {
        netfile_unmap(&nf);
        return st;
    }
    if (n_segs) n_segs--; /* the last entry is a sentinel closing the geometry ranges */
    if (n_edges == 0) {
        for (size_t k = 0; k < n_scns; k++)
            for (size_t i = 0; i < scns[k]->n_mods; i++)
                if (scns[k]->mods[i].kind == SCN_CAR_SPEEDS)
                    diag_report(diag, TC_SEV_WARNING, "car_speeds_without_streets", scns[k]->file, 0, 0,
                                "%s: car speeds ignored: the network has no street network (build it with --osm)",
                                scns[k]->mods[i].path);
        netfile_unmap(&nf);
        return TC_OK;
    }
    street_edge *patched = malloc(n_edges * sizeof *patched);
    if (!patched) {
        netfile_unmap(&nf);
        return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory (street edges)");
    }
    memcpy(patched, edges, n_edges * sizeof *patched);
    size_t changed = 0;
    for (size_t k = 0; k < n_scns && !st; k++)
        for (size_t i = 0; i < scns[k]->n_mods && !st; i++) {
            const scenario_mod *m = &scns[k]->mods[i];
            if (m->kind != SCN_CAR_SPEEDS) continue;
            /* every listed way must exist */
            for (size_t w = 0; w < m->n_way_ids && !st; w++) {
                int found = 0;
                for (uint64_t s = 0; s < n_segs && !found; s++) found = segs[s].way_id == m->way_ids[w];
                if (!found)
                    st = error_set(err, TC_ERR_NOT_FOUND, scns[k]->file, 0, 0,
                                   "%s.ways[%zu]: no OSM way %lld in the street network", m->path, w,
                                   (long long)m->way_ids[w]);
            }
            for (uint64_t e = 0; e < n_edges && !st; e++) {
                street_edge *ed = &patched[e];
                if (!(ed->access & STREET_CAR)) continue;
                uint32_t s = ed->seg & STREET_SEG_MASK;
                if (s >= n_segs) continue;
                int match = listed(m, segs[s].way_id);
                if (!match && m->n_polygon >= 3 && segs[s].a < n_nodes && segs[s].b < n_nodes) {
                    double lat = (from_e7(nodes[2 * segs[s].a]) + from_e7(nodes[2 * segs[s].b])) / 2;
                    double lon = (from_e7(nodes[2 * segs[s].a + 1]) + from_e7(nodes[2 * segs[s].b + 1])) / 2;
                    match = scenario_polygon_contains(m, lat, lon);
                }
                if (!match) continue;
                double kmh = m->car_speed_kmh > 0 ? m->car_speed_kmh : ed->car_kmh * m->car_factor;
                long v = lround(kmh);
                ed->car_kmh = (uint8_t)(v < 1 ? 1 : v > 255 ? 255 : v);
                changed++;
            }
        }
    if (!st) {
        netfile_writer *w = malloc(sizeof *w);
        if (!w) st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
        if (!st) st = netfile_create(w, path, err);
        if (!st) {
            for (uint32_t i = 0; i < nf.n_sections && !st; i++) {
                const netfile_section *sec = &nf.table[i];
                const void *data = sec->id == STREET_SEC_EDGES ? (const void *)patched : nf.base + sec->offset;
                st = netfile_add(w, sec->id, sec->length ? data : NULL, sec->length, err);
            }
            if (!st) st = netfile_commit(w, err);
            else netfile_abort(w);
        }
        free(w);
    }
    free(patched);
    netfile_unmap(&nf);
    if (!st && changed_out) *changed_out = changed;
    return st;
}
