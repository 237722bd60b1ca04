/*
 * street_search.c — Dijkstra over the street graph: one-to-many with a cost limit, and point-to-point with the path.
 *
 * Hand-written because it is the product's core (issue 3): a binary heap of packed (cost << 32 | id) words with lazy
 * deletion (a stale entry is skipped when popped) — no decrease-key bookkeeping, and an 8-byte entry compares in one
 * instruction. Labels live in a per-thread workspace sized once for the graph and reset through the list of ids the
 * last search touched, so a short search costs what it touches, not the size of the city.
 * Walk and bike are node-based; car is arc-based so that a turn restriction (from arc, via node, to arc) can be
 * checked when relaxing; see street_search.h for the cost units.
 */
#include "streets/street_search.h"
#include "common/error.h"
#include "common/geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

tc_status street_workspace_init_graph(street_workspace *ws, const street_graph *g, tc_error *err) {
    ws->g = g;
    ws->cap = g->n_nodes > g->n_edges ? g->n_nodes : g->n_edges;
    if (ws->cap == 0) return TC_OK;
    ws->dist = malloc((size_t)ws->cap * sizeof *ws->dist);
    ws->parent = malloc((size_t)ws->cap * sizeof *ws->parent);
    ws->touched = malloc((size_t)ws->cap * sizeof *ws->touched);
    ws->heap_cap = 1024;
    ws->heap = malloc(ws->heap_cap * sizeof *ws->heap);
    if (!ws->dist || !ws->parent || !ws->touched || !ws->heap)
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for a street search workspace");
    for (uint32_t i = 0; i < ws->cap; i++) ws->dist[i] = STREET_INF;
    ws->n_touched = 0;
    return TC_OK;
}

void street_workspace_release_graph(street_workspace *ws) {
    free(ws->dist);
    free(ws->parent);
    free(ws->touched);
    free(ws->heap);
    ws->dist = ws->parent = ws->touched = NULL;
    ws->heap = NULL;
}

static void reset(street_workspace *ws) {
    for (uint32_t i = 0; i < ws->n_touched; i++) ws->dist[ws->touched[i]] = STREET_INF;
    ws->n_touched = 0;
    ws->n_heap = 0;
    ws->oom = 0;
}

static void heap_push(street_workspace *ws, uint32_t cost, uint32_t id) {
    if (ws->n_heap == ws->heap_cap) {
        uint64_t *nh = ws->heap_cap < UINT32_MAX / 2 ? realloc(ws->heap, (size_t)ws->heap_cap * 2 * sizeof *nh) : NULL;
        if (!nh) {
            ws->oom = 1; /* reported by the caller; the search ends with what it has */
            return;
        }
        ws->heap = nh;
        ws->heap_cap *= 2;
    }
    uint64_t v = ((uint64_t)cost << 32) | id;
    uint32_t i = ws->n_heap++;
    while (i > 0) {
        uint32_t p = (i - 1) >> 1;
        if (ws->heap[p] <= v) break;
        ws->heap[i] = ws->heap[p];
        i = p;
    }
    ws->heap[i] = v;
}

static uint64_t heap_pop(street_workspace *ws) {
    uint64_t top = ws->heap[0];
    uint64_t v = ws->heap[--ws->n_heap];
    uint32_t n = ws->n_heap, i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && ws->heap[c + 1] < ws->heap[c]) c++;
        if (ws->heap[c] >= v) break;
        ws->heap[i] = ws->heap[c];
        i = c;
    }
    if (n) ws->heap[i] = v;
    return top;
}

static inline void relax(street_workspace *ws, uint32_t id, uint32_t cost, uint32_t parent) {
    if (cost >= ws->dist[id]) return;
    if (ws->dist[id] == STREET_INF) ws->touched[ws->n_touched++] = id;
    ws->dist[id] = cost;
    ws->parent[id] = parent;
    heap_push(ws, cost, id);
}

static inline uint32_t arc_source(const street_graph *g, uint32_t arc) {
    uint32_t s = g->edges[arc].seg;
    const street_seg *sg = &g->segs[s & STREET_SEG_MASK];
    return (s & STREET_SEG_REVERSED) ? sg->b : sg->a;
}

/* Turn restriction check for the car: may a car continue from arc `from` onto arc `to`? */
static int turn_allowed(const street_graph *g, uint32_t from, uint32_t to) {
    if (!g->n_turns) return 1;
    uint32_t lo = 0, hi = g->n_turns;
    while (lo < hi) {
        uint32_t mid = (lo + hi) >> 1;
        if (g->turns[mid].from_arc < from) lo = mid + 1;
        else hi = mid;
    }
    int has_only = 0, only_match = 0;
    for (uint32_t i = lo; i < g->n_turns && g->turns[i].from_arc == from; i++) {
        if (g->turns[i].only) {
            has_only = 1;
            if (g->turns[i].to_arc == to) only_match = 1;
        } else if (g->turns[i].to_arc == to) {
            return 0;
        }
    }
    return !has_only || only_match;
}

uint32_t street_node_of_id(const street_graph *g, tc_mode mode, int reverse, uint32_t id) {
    if (!street_mode_timed(mode)) return id;
    return reverse ? arc_source(g, id) : g->edges[id].target;
}

/* The main loop: pops until the heap is empty or the limit is passed. target_* optional (point-to-point). */
typedef struct route_target {
    const street_snap *snap;
    uint32_t best;       /* best cost to the target point so far */
    uint32_t best_id;    /* id (node or arc) the best arrival came through, STREET_INF: same-segment direct */
    uint32_t best_arc;   /* arc of the target segment used for the last stretch */
} route_target;

static void run(street_workspace *ws, tc_mode mode, int reverse, uint32_t limit, route_target *t) {
    const street_graph *g = ws->g;
    unsigned bit = street_mode_bit(mode);
    /* cycling avoids arcs above the workspace's level of traffic stress (--max-lts); the segments of the two ends
     * are always usable: a cyclist may wheel the bike along them to the door */
    const unsigned lts_cap = mode == TC_MODE_BIKE && ws->max_lts ? ws->max_lts : 7u;
    while (ws->n_heap) {
        uint64_t top = heap_pop(ws);
        uint32_t d = (uint32_t)(top >> 32), id = (uint32_t)top;
        if (d > ws->dist[id]) continue; /* stale */
        if (d > limit) break;
        if (t && d >= t->best) break;
        if (!street_mode_timed(mode)) {
            uint32_t v = id;
            if (t) {
                const street_seg *ts = &g->segs[t->snap->seg];
                if (v == ts->a && (g->edges[ts->arc_ab].access & bit)) {
                    uint32_t c = d + street_arc_cost(ws, mode, ts->arc_ab, t->snap->offset_mm);
                    if (c < t->best) { t->best = c; t->best_id = v; t->best_arc = ts->arc_ab; }
                }
                if (v == ts->b && (g->edges[ts->arc_ba].access & bit)) {
                    uint32_t c = d + street_arc_cost(ws, mode, ts->arc_ba, ts->length_mm - t->snap->offset_mm);
                    if (c < t->best) { t->best = c; t->best_id = v; t->best_arc = ts->arc_ba; }
                }
            }
            if (!reverse) {
                for (uint32_t a = g->edge_begin[v], e = g->edge_begin[v + 1]; a < e; a++) {
                    const street_edge *ed = &g->edges[a];
                    if ((ed->access & bit) && street_edge_lts(ed->flags) <= lts_cap)
                        relax(ws, ed->target, d + street_arc_cost(ws, mode, a, ed->length_mm), a);
                }
            } else {
                for (uint32_t r = g->rev_begin[v], e = g->rev_begin[v + 1]; r < e; r++) {
                    const street_edge *ed = &g->edges[g->rev[r].arc];
                    if ((ed->access & bit) && street_edge_lts(ed->flags) <= lts_cap)
                        relax(ws, g->rev[r].source, d + street_arc_cost(ws, mode, g->rev[r].arc, ed->length_mm), g->rev[r].arc);
                }
            }
        } else {
            uint32_t x = id;
            if (!reverse) {
                uint32_t v = g->edges[x].target;
                if (t) {
                    const street_seg *ts = &g->segs[t->snap->seg];
                    if (v == ts->a && (g->edges[ts->arc_ab].access & bit) && turn_allowed(g, x, ts->arc_ab)) {
                        uint32_t c = d + street_arc_cost(ws, mode, ts->arc_ab, t->snap->offset_mm);
                        if (c < t->best) { t->best = c; t->best_id = x; t->best_arc = ts->arc_ab; }
                    }
                    if (v == ts->b && (g->edges[ts->arc_ba].access & bit) && turn_allowed(g, x, ts->arc_ba)) {
                        uint32_t c = d + street_arc_cost(ws, mode, ts->arc_ba, ts->length_mm - t->snap->offset_mm);
                        if (c < t->best) { t->best = c; t->best_id = x; t->best_arc = ts->arc_ba; }
                    }
                }
                for (uint32_t a = g->edge_begin[v], e = g->edge_begin[v + 1]; a < e; a++) {
                    const street_edge *ed = &g->edges[a];
                    if ((ed->access & bit) && turn_allowed(g, x, a))
                        relax(ws, a, d + street_cost(ed, mode, ed->length_mm), x);
                }
            } else {
                /* label of x = cost from x's source node to the point, x taken first */
                uint32_t u = arc_source(g, x);
                for (uint32_t r = g->rev_begin[u], e = g->rev_begin[u + 1]; r < e; r++) {
                    uint32_t y = g->rev[r].arc;
                    const street_edge *ed = &g->edges[y];
                    if ((ed->access & bit) && turn_allowed(g, y, x))
                        relax(ws, y, d + street_cost(ed, mode, ed->length_mm), x);
                }
            }
        }
    }
}

/* Seed the search from a snapped point: forward = leaving the point, reverse = arriving at it. */
static void seed(street_workspace *ws, tc_mode mode, const street_snap *s, int reverse) {
    const street_graph *g = ws->g;
    unsigned bit = street_mode_bit(mode);
    const street_seg *sg = &g->segs[s->seg];
    const street_edge *ab = &g->edges[sg->arc_ab], *ba = &g->edges[sg->arc_ba];
    uint32_t to_b = sg->length_mm - s->offset_mm, to_a = s->offset_mm;
    if (!street_mode_timed(mode)) {
        if (!reverse) {
            if (ab->access & bit) relax(ws, sg->b, street_arc_cost(ws, mode, sg->arc_ab, to_b), STREET_INF);
            if (ba->access & bit) relax(ws, sg->a, street_arc_cost(ws, mode, sg->arc_ba, to_a), STREET_INF);
        } else {
            if (ab->access & bit) relax(ws, sg->a, street_arc_cost(ws, mode, sg->arc_ab, to_a), STREET_INF);
            if (ba->access & bit) relax(ws, sg->b, street_arc_cost(ws, mode, sg->arc_ba, to_b), STREET_INF);
        }
    } else {
        /* forward: label of an arc = cost at its target; reverse: cost from its source */
        if (ab->access & bit) relax(ws, sg->arc_ab, street_cost(ab, mode, reverse ? to_a : to_b), STREET_INF);
        if (ba->access & bit) relax(ws, sg->arc_ba, street_cost(ba, mode, reverse ? to_b : to_a), STREET_INF);
    }
}

void street_search_from_snap(street_workspace *ws, tc_mode mode, const street_snap *s, int reverse, uint32_t limit) {
    reset(ws);
    if (!ws->cap) return;
    seed(ws, mode, s, reverse);
    run(ws, mode, reverse, limit, NULL);
}

void street_search_from_nodes(street_workspace *ws, tc_mode mode, const uint32_t *nodes, const uint32_t *costs,
                              uint32_t n, uint32_t limit) {
    reset(ws);
    if (!ws->cap) return;
    for (uint32_t i = 0; i < n; i++) relax(ws, nodes[i], costs ? costs[i] : 0, STREET_INF);
    run(ws, mode, 0, limit, NULL);
}

static uint32_t node_cost(const street_workspace *ws, tc_mode mode, uint32_t v) {
    if (!street_mode_timed(mode)) return ws->dist[v];
    const street_graph *g = ws->g;
    uint32_t best = STREET_INF;
    for (uint32_t r = g->rev_begin[v]; r < g->rev_begin[v + 1]; r++)
        if (ws->dist[g->rev[r].arc] < best) best = ws->dist[g->rev[r].arc];
    return best;
}

uint32_t street_cost_to_snap(const street_workspace *ws, tc_mode mode, const street_snap *t) {
    const street_graph *g = ws->g;
    if (!ws->cap) return STREET_INF;
    unsigned bit = street_mode_bit(mode);
    const street_seg *sg = &g->segs[t->seg];
    uint64_t best = STREET_INF;
    if (g->edges[sg->arc_ab].access & bit) {
        uint32_t c = node_cost(ws, mode, sg->a);
        if (c != STREET_INF) {
            uint64_t x = (uint64_t)c + street_arc_cost(ws, mode, sg->arc_ab, t->offset_mm);
            if (x < best) best = x;
        }
    }
    if (g->edges[sg->arc_ba].access & bit) {
        uint32_t c = node_cost(ws, mode, sg->b);
        if (c != STREET_INF) {
            uint64_t x = (uint64_t)c + street_arc_cost(ws, mode, sg->arc_ba, sg->length_mm - t->offset_mm);
            if (x < best) best = x;
        }
    }
    return best >= STREET_INF ? STREET_INF : (uint32_t)best;
}

/* ---- path geometry ---- */

typedef struct pts {
    double *lat, *lon;
    uint32_t n, cap;
} pts;

static int pts_add(pts *p, double lat, double lon) {
    /* joints between pieces repeat a point (up to rounding): keep one */
    if (p->n && fabs(p->lat[p->n - 1] - lat) < 1e-9 && fabs(p->lon[p->n - 1] - lon) < 1e-9) return 0;
    if (p->n == p->cap) {
        uint32_t nc = p->cap ? p->cap * 2 : 64;
        double *a = realloc(p->lat, nc * sizeof *a);
        if (!a) return -1;
        p->lat = a;
        double *b = realloc(p->lon, nc * sizeof *b);
        if (!b) return -1;
        p->lon = b;
        p->cap = nc;
    }
    p->lat[p->n] = lat;
    p->lon[p->n] = lon;
    p->n++;
    return 0;
}

/* Points of segment s between offsets from_mm and to_mm (either order), in travel order. */
static int seg_between(const street_graph *g, uint32_t s, uint32_t from_mm, uint32_t to_mm, pts *out) {
    uint32_t p0 = g->segs[s].geom_begin, p1 = g->segs[s + 1].geom_begin, np = p1 - p0;
    double cum[np];
    cum[0] = 0;
    for (uint32_t i = 1; i < np; i++)
        cum[i] = cum[i - 1] + 1000.0 * fast_distance_m(from_e7(g->geom[2 * (p0 + i - 1)]),
                                                           from_e7(g->geom[2 * (p0 + i - 1) + 1]),
                                                           from_e7(g->geom[2 * (p0 + i)]),
                                                           from_e7(g->geom[2 * (p0 + i) + 1]));
    /* the point at offset o (mm): interpolated on the piece containing it */
#define AT(o, LAT, LON)                                                                                               \
    do {                                                                                                              \
        uint32_t k = 1;                                                                                               \
        while (k < np - 1 && cum[k] < (o)) k++;                                                                       \
        double seglen = cum[k] - cum[k - 1], t = seglen > 0 ? ((o)-cum[k - 1]) / seglen : 0;                          \
        if (t < 0) t = 0;                                                                                             \
        if (t > 1) t = 1;                                                                                             \
        double alat = from_e7(g->geom[2 * (p0 + k - 1)]), alon = from_e7(g->geom[2 * (p0 + k - 1) + 1]);        \
        double blat = from_e7(g->geom[2 * (p0 + k)]), blon = from_e7(g->geom[2 * (p0 + k) + 1]);                \
        double dl = blon - alon;                                                                                      \
        if (dl > 180) dl -= 360;                                                                                      \
        if (dl < -180) dl += 360;                                                                                     \
        LAT = alat + t * (blat - alat);                                                                               \
        LON = alon + t * dl;                                                                                          \
        if (LON > 180) LON -= 360;                                                                                    \
        if (LON < -180) LON += 360;                                                                                   \
    } while (0)
    double la, lo;
    AT((double)from_mm, la, lo);
    if (pts_add(out, la, lo)) return -1;
    if (from_mm <= to_mm) {
        for (uint32_t i = 0; i < np; i++)
            if (cum[i] > from_mm && cum[i] < to_mm &&
                pts_add(out, from_e7(g->geom[2 * (p0 + i)]), from_e7(g->geom[2 * (p0 + i) + 1])))
                return -1;
    } else {
        for (uint32_t i = np; i-- > 0;)
            if (cum[i] < from_mm && cum[i] > to_mm &&
                pts_add(out, from_e7(g->geom[2 * (p0 + i)]), from_e7(g->geom[2 * (p0 + i) + 1])))
                return -1;
    }
    AT((double)to_mm, la, lo);
    if (pts_add(out, la, lo)) return -1;
#undef AT
    return 0;
}

static int add_arc(const street_graph *g, uint32_t arc, pts *out) {
    uint32_t s = g->edges[arc].seg, si = s & STREET_SEG_MASK, len = g->segs[si].length_mm;
    return (s & STREET_SEG_REVERSED) ? seg_between(g, si, len, 0, out) : seg_between(g, si, 0, len, out);
}

void street_path_free(street_path *p) {
    if (!p) return;
    free(p->lat);
    free(p->lon);
    p->lat = p->lon = NULL;
    p->n_points = 0;
}

tc_status street_route_snapped(street_workspace *ws, tc_mode mode, const street_snap *from, const street_snap *to,
                               street_path *out, tc_error *err) {
    const street_graph *g = ws->g;
    unsigned bit = street_mode_bit(mode);
    reset(ws);
    route_target t = {to, STREET_INF, STREET_INF, STREET_INF};
    /* both points on one segment: the direct stretch, if the direction is allowed */
    if (from->seg == to->seg) {
        const street_seg *sg = &g->segs[from->seg];
        if (to->offset_mm >= from->offset_mm && (g->edges[sg->arc_ab].access & bit))
            t.best = street_arc_cost(ws, mode, sg->arc_ab, to->offset_mm - from->offset_mm);
        if (to->offset_mm <= from->offset_mm && (g->edges[sg->arc_ba].access & bit)) {
            uint32_t c = street_arc_cost(ws, mode, sg->arc_ba, from->offset_mm - to->offset_mm);
            if (c < t.best) t.best = c;
        }
    }
    seed(ws, mode, from, 0);
    run(ws, mode, 0, STREET_INF - 1, &t);
    if (ws->oom) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory in a street search");
    if (t.best == STREET_INF)
        return error_set(err, TC_ERR_UNREACHABLE, NULL, 0, 0,
                         "%.7f,%.7f cannot be reached from %.7f,%.7f by %s over the street network", to->lat, to->lon,
                         from->lat, from->lon, street_mode_name(mode));
    /* collect the arcs of the path, target side first */
    uint32_t n_arcs = 0, cap = 64, src_node = STREET_INF;
    uint32_t *arcs = malloc(cap * sizeof *arcs);
    pts p = {0};
    uint64_t mm = 0;
    int fail = !arcs;
    if (!fail && t.best_id != STREET_INF) {
        uint32_t id = t.best_id;
        for (;;) {
            uint32_t arc = street_mode_timed(mode) ? id : ws->parent[id];
            if (arc == STREET_INF) { src_node = id; break; }
            if (n_arcs == cap) {
                cap *= 2;
                uint32_t *na = realloc(arcs, cap * sizeof *na);
                if (!na) { fail = 1; break; }
                arcs = na;
            }
            arcs[n_arcs++] = arc;
            if (street_mode_timed(mode)) {
                if (ws->parent[id] == STREET_INF) break;
                id = ws->parent[id];
            } else {
                id = arc_source(g, arc);
            }
        }
    }
    const street_seg *fs = &g->segs[from->seg], *ts = &g->segs[to->seg];
    if (!fail && t.best_id == STREET_INF) {
        fail = seg_between(g, from->seg, from->offset_mm, to->offset_mm, &p) != 0;
        mm = from->offset_mm > to->offset_mm ? from->offset_mm - to->offset_mm : to->offset_mm - from->offset_mm;
    } else if (!fail) {
        /* first stretch: from the point along its segment to the first node */
        uint32_t i_start = n_arcs, end_off;
        if (street_mode_timed(mode)) {
            /* the last arc collected is the source segment's own arc, travelled from the point */
            end_off = arcs[n_arcs - 1] == fs->arc_ab ? fs->length_mm : 0;
            i_start = n_arcs - 1;
        } else {
            end_off = src_node == fs->b ? fs->length_mm : 0;
        }
        fail = seg_between(g, from->seg, from->offset_mm, end_off, &p) != 0;
        mm += end_off > from->offset_mm ? end_off - from->offset_mm : from->offset_mm - end_off;
        for (uint32_t i = i_start; !fail && i-- > 0;) {
            fail = add_arc(g, arcs[i], &p) != 0;
            mm += g->edges[arcs[i]].length_mm;
        }
        if (!fail) {
            uint32_t start_off = t.best_arc == ts->arc_ab ? 0 : ts->length_mm;
            fail = seg_between(g, to->seg, start_off, to->offset_mm, &p) != 0;
            mm += start_off > to->offset_mm ? start_off - to->offset_mm : to->offset_mm - start_off;
        }
    }
    free(arcs);
    if (fail) {
        free(p.lat);
        free(p.lon);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for a street path");
    }
    if (p.n == 1 && pts_add(&p, p.lat[0], p.lon[0] + 1e-9) != 0) { /* a LineString needs two positions */
        free(p.lat);
        free(p.lon);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for a street path");
    }
    out->cost = t.best;
    out->n_points = p.n;
    out->lat = p.lat;
    out->lon = p.lon;
    out->distance_m = mm / 1000.0;
    return TC_OK;
}
