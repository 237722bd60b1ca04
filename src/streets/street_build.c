/*
 * street_build.c — OSM data (osm/osm.h) → the compact street graph of street_graph.h, its network-file sections,
 * and the build-time stop links and walking transfers.
 *
 * Steps, each a linear pass over flat arrays (the whole build of Porto, 348k nodes, stays well under a second):
 *  1. resolve every way's node references (binary search in the id-sorted nodes); a missing node breaks the way
 *     there: the pieces on both sides are kept, the segment through the missing node is dropped (warned);
 *  2. graph nodes = OSM nodes where ways meet (used twice or more), way ends, ends next to a missing node, and turn
 *     restriction via nodes; a chain that returns to its start (closed way, lollipop) is split at its middle so no
 *     segment is a self-loop;
 *  3. segments = the chains between consecutive graph nodes inside one way, with their polyline and length;
 *  4. per mode keep the largest component — weakly connected for walk and bike, strongly connected for car (Tarjan)
 *     — so a snapped point never lands on an island it cannot leave; islands are reported;
 *  5. renumber the surviving nodes along a Hilbert curve so nodes close in space are close in memory (a search's
 *     frontier then touches few cache lines), and lay the arcs out as CSR, forward and reverse;
 *  6. turn restrictions → (from arc, to arc) pairs: via a node directly, via one way through car-only copies of the
 *     via way's arcs (add_via_way_copies); then the packed snapping grid.
 */
#include "streets/street_build.h"
#include "streets/street_mem.h"
#include "streets/street_search.h"
#include "netfile/street_sections.h"
#include "osm/osm.h"
#include "common/error.h"
#include "common/geo.h"
#include "common/progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NONE UINT32_MAX
#define GRID_CELL_DEG 0.002 /* ~220 m of latitude: a few dozen segments per cell in a city */

typedef struct tmp_seg {
    uint32_t a, b;        /* graph node (pre-renumbering) */
    uint32_t geom_begin;  /* into tmp geometry */
    uint32_t n_points;
    uint32_t length_mm;
    uint32_t way;         /* index into osm ways */
    uint8_t fwd, bwd, kmh, unlinkable, lts;
    uint16_t truck;       /* truck limit record */
} tmp_seg;

typedef struct vec {
    void *p;
    size_t n, cap, elem;
} vec;

static void *vec_push(vec *v) {
    if (v->n == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 4096;
        void *q = realloc(v->p, nc * v->elem);
        if (!q) return NULL;
        v->p = q;
        v->cap = nc;
    }
    return (char *)v->p + v->elem * v->n++;
}

/* ---- union-find for weak components ---- */
static uint32_t uf_find(uint32_t *par, uint32_t x) {
    while (par[x] != x) {
        par[x] = par[par[x]];
        x = par[x];
    }
    return x;
}

/* ---- Hilbert curve index of (x, y) in a 2^16 × 2^16 grid ---- */
static uint64_t hilbert(uint32_t x, uint32_t y) {
    uint64_t d = 0;
    for (uint32_t s = 1u << 15; s > 0; s >>= 1) {
        uint32_t rx = (x & s) > 0, ry = (y & s) > 0;
        d += (uint64_t)s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = s - 1 - x;
                y = s - 1 - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

typedef struct key_idx {
    uint64_t key;
    uint32_t idx;
} key_idx;

static int cmp_key(const void *a, const void *b) {
    uint64_t x = ((const key_idx *)a)->key, y = ((const key_idx *)b)->key;
    if (x != y) return x < y ? -1 : 1;
    uint32_t i = ((const key_idx *)a)->idx, j = ((const key_idx *)b)->idx;
    return i < j ? -1 : i > j;
}

static int cmp_turn(const void *a, const void *b) {
    const street_turn *x = a, *y = b;
    if (x->from_arc != y->from_arc) return x->from_arc < y->from_arc ? -1 : 1;
    if (x->to_arc != y->to_arc) return x->to_arc < y->to_arc ? -1 : 1;
    return (int)x->only - (int)y->only;
}

/* Tarjan's strongly connected components, iterative; comp[v] = component id. Returns the number of components.
 * Arcs are given as CSR (beg, tgt) over n nodes. */
static uint32_t scc(uint32_t n, const uint32_t *beg, const uint32_t *tgt, uint32_t *comp, int *oom) {
    uint32_t *index = malloc((size_t)n * sizeof *index), *low = malloc((size_t)n * sizeof *low);
    uint32_t *stack = malloc((size_t)n * sizeof *stack), *cs_v = malloc((size_t)n * sizeof *cs_v);
    uint32_t *cs_e = malloc((size_t)n * sizeof *cs_e);
    uint8_t *on = calloc(n ? n : 1, 1);
    uint32_t ncomp = 0;
    if (!index || !low || !stack || !cs_v || !cs_e || !on) {
        *oom = 1;
        goto done;
    }
    for (uint32_t i = 0; i < n; i++) index[i] = NONE, comp[i] = NONE;
    uint32_t counter = 0, sp = 0;
    for (uint32_t root = 0; root < n; root++) {
        if (index[root] != NONE) continue;
        uint32_t csp = 0;
        cs_v[csp] = root;
        cs_e[csp++] = beg[root];
        index[root] = low[root] = counter++;
        stack[sp++] = root;
        on[root] = 1;
        while (csp) {
            uint32_t v = cs_v[csp - 1];
            if (cs_e[csp - 1] < beg[v + 1]) {
                uint32_t w = tgt[cs_e[csp - 1]++];
                if (index[w] == NONE) {
                    index[w] = low[w] = counter++;
                    stack[sp++] = w;
                    on[w] = 1;
                    cs_v[csp] = w;
                    cs_e[csp++] = beg[w];
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
            } else {
                csp--;
                if (low[v] == index[v]) {
                    uint32_t w;
                    do {
                        w = stack[--sp];
                        on[w] = 0;
                        comp[w] = ncomp;
                    } while (w != v);
                    ncomp++;
                }
                if (csp) {
                    uint32_t u = cs_v[csp - 1];
                    if (low[v] < low[u]) low[u] = low[v];
                }
            }
        }
    }
done:
    free(index);
    free(low);
    free(stack);
    free(cs_v);
    free(cs_e);
    free(on);
    return ncomp;
}

void street_mem_free(street_mem *m) {
    if (!m) return;
    free(m->node_coords);
    free(m->edge_begin);
    free(m->rev_begin);
    free(m->grid_begin);
    free(m->grid_items);
    free(m->edges);
    free(m->rev);
    free(m->segs);
    free(m->geom);
    free(m->turns);
    free(m->seg_truck);
    free(m->truck_limits);
    free(m->seg_elev);
    free(m->meta_copy);
    memset(m, 0, sizeof *m);
}

static const char *MODE_NAMES[4] = {"walk", "bike", "car", "truck"};

/* Deduplicated truck limit records (street_graph.h): open addressing on the record's bytes. */
typedef struct truck_table {
    street_truck_limit *rec;
    uint32_t n, cap;
    uint32_t *slot; /* hash slots: record index + 1, 0 = empty */
    uint32_t n_slots;
} truck_table;

static uint64_t truck_hash(const street_truck_limit *r) {
    const unsigned char *p = (const unsigned char *)r;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < sizeof *r; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* index of r in t (added when new); UINT32_MAX when out of memory or past the uint16 index */
static uint32_t truck_index(truck_table *t, const street_truck_limit *r) {
    if ((t->n + 1) * 2 > t->n_slots) {
        uint32_t ns = t->n_slots ? t->n_slots * 2 : 1024;
        uint32_t *sl = calloc(ns, sizeof *sl);
        if (!sl) return UINT32_MAX;
        for (uint32_t i = 0; i < t->n; i++) {
            uint32_t h = (uint32_t)(truck_hash(&t->rec[i]) & (ns - 1));
            while (sl[h]) h = (h + 1) & (ns - 1);
            sl[h] = i + 1;
        }
        free(t->slot);
        t->slot = sl;
        t->n_slots = ns;
    }
    uint32_t h = (uint32_t)(truck_hash(r) & (t->n_slots - 1));
    while (t->slot[h]) {
        if (!memcmp(&t->rec[t->slot[h] - 1], r, sizeof *r)) return t->slot[h] - 1;
        h = (h + 1) & (t->n_slots - 1);
    }
    if (t->n > UINT16_MAX) return UINT32_MAX;
    if (t->n == t->cap) {
        uint32_t nc = t->cap ? t->cap * 2 : 256;
        street_truck_limit *q = realloc(t->rec, nc * sizeof *q);
        if (!q) return UINT32_MAX;
        t->rec = q;
        t->cap = nc;
    }
    t->rec[t->n] = *r;
    t->slot[h] = t->n + 1;
    return t->n++;
}

/* Step 4: clear the mode bits outside each mode's largest component. */
static tc_status keep_largest(tmp_seg *segs, size_t n_segs, uint32_t n_nodes, const char *path, diag_log *diag,
                              street_mem *m, tc_error *err) {
    uint32_t *par = malloc((size_t)n_nodes * sizeof *par), *size = calloc(n_nodes ? n_nodes : 1, sizeof *size);
    uint32_t *comp = malloc((size_t)n_nodes * sizeof *comp);
    uint32_t *beg = calloc((size_t)n_nodes + 1, sizeof *beg), *tgt = malloc((2 * n_segs + 1) * sizeof *tgt);
    uint8_t *has = malloc(n_nodes ? n_nodes : 1);
    tc_status st = TC_OK;
    if (!par || !size || !comp || !beg || !tgt || !has) {
        st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory finding connected components");
        goto done;
    }
    for (int mode = 0; mode < 4; mode++) {
        uint8_t bit = (uint8_t)(1u << mode); /* STREET_WALK, _BIKE, _CAR, _TRUCK */
        memset(has, 0, n_nodes);
        for (size_t s = 0; s < n_segs; s++)
            if ((segs[s].fwd | segs[s].bwd) & bit) has[segs[s].a] = has[segs[s].b] = 1;
        uint32_t ncomp = 0, best = NONE, best_size = 0, total = 0;
        if (mode < 2) {
            for (uint32_t v = 0; v < n_nodes; v++) par[v] = v;
            for (size_t s = 0; s < n_segs; s++)
                if ((segs[s].fwd | segs[s].bwd) & bit) {
                    uint32_t x = uf_find(par, segs[s].a), y = uf_find(par, segs[s].b);
                    if (x != y) par[x] = y;
                }
            for (uint32_t v = 0; v < n_nodes; v++) comp[v] = has[v] ? uf_find(par, v) : NONE;
        } else {
            memset(beg, 0, ((size_t)n_nodes + 1) * sizeof *beg);
            for (size_t s = 0; s < n_segs; s++) {
                if (segs[s].fwd & bit) beg[segs[s].a + 1]++;
                if (segs[s].bwd & bit) beg[segs[s].b + 1]++;
            }
            for (uint32_t v = 0; v < n_nodes; v++) beg[v + 1] += beg[v];
            uint32_t *fill = malloc(((size_t)n_nodes + 1) * sizeof *fill);
            if (!fill) {
                st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory finding connected components");
                goto done;
            }
            memcpy(fill, beg, ((size_t)n_nodes + 1) * sizeof *fill);
            for (size_t s = 0; s < n_segs; s++) {
                if (segs[s].fwd & bit) tgt[fill[segs[s].a]++] = segs[s].b;
                if (segs[s].bwd & bit) tgt[fill[segs[s].b]++] = segs[s].a;
            }
            free(fill);
            int oom = 0;
            scc(n_nodes, beg, tgt, comp, &oom);
            if (oom) {
                st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory finding connected components");
                goto done;
            }
            for (uint32_t v = 0; v < n_nodes; v++)
                if (!has[v]) comp[v] = NONE;
        }
        memset(size, 0, (size_t)n_nodes * sizeof *size);
        for (uint32_t v = 0; v < n_nodes; v++)
            if (comp[v] != NONE) {
                if (size[comp[v]]++ == 0) ncomp++;
                total++;
            }
        for (uint32_t v = 0; v < n_nodes; v++)
            if (comp[v] != NONE && (size[comp[v]] > best_size || (size[comp[v]] == best_size && comp[v] < best)))
                best = comp[v], best_size = size[comp[v]];
        for (size_t s = 0; s < n_segs; s++) {
            int keep = comp[segs[s].a] == best && comp[segs[s].b] == best;
            if (!keep) {
                segs[s].fwd &= (uint8_t)~bit;
                segs[s].bwd &= (uint8_t)~bit;
            }
        }
        if (mode < 3) m->meta.islands_dropped[mode] = ncomp ? ncomp - 1 : 0;
        else m->meta.truck_islands_dropped = ncomp ? ncomp - 1 : 0;
        m->nodes_dropped[mode] = total - best_size;
        if (ncomp > 1)
            diag_report(diag, TC_SEV_WARNING, "street_islands", path, 0, 0,
                        "%s network: kept the largest %s component (%u nodes), dropped %u islands (%u nodes)",
                        MODE_NAMES[mode], mode >= 2 ? "strongly connected" : "connected", best_size, ncomp - 1,
                        total - best_size);
    }
done:
    free(par);
    free(size);
    free(comp);
    free(beg);
    free(tgt);
    free(has);
    return st;
}

static tc_status build_grid(street_mem *m, tc_error *err) {
    street_meta *mt = &m->meta;
    uint32_t n = mt->n_nodes;
    if (n == 0) {
        mt->grid_nx = mt->grid_ny = 1;
        mt->cell_lat_e7 = mt->cell_lon_e7 = 10000000;
        m->grid_begin = calloc(2, sizeof *m->grid_begin);
        m->grid_items = malloc(sizeof *m->grid_items);
        if (!m->grid_begin || !m->grid_items)
            return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for the street grid");
        return TC_OK;
    }
    double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
    for (uint32_t v = 0; v < n; v++) {
        double la = from_e7(m->node_coords[2 * v]), lo = from_e7(m->node_coords[2 * v + 1]);
        if (la < min_lat) min_lat = la;
        if (la > max_lat) max_lat = la;
        if (lo < min_lon) min_lon = lo;
        if (lo > max_lon) max_lon = lo;
    }
    mt->bbox_e7[0] = to_e7(min_lon);
    mt->bbox_e7[1] = to_e7(min_lat);
    mt->bbox_e7[2] = to_e7(max_lon);
    mt->bbox_e7[3] = to_e7(max_lat);
    /* straddling the antimeridian: work in lon + 360 for negative longitudes */
    mt->lon_wrap = max_lon - min_lon > 180;
    if (mt->lon_wrap) {
        min_lon = 540;
        max_lon = -540;
        for (uint32_t i = 0; i < mt->n_geom; i++) {
            double lo = from_e7(m->geom[2 * i + 1]);
            if (lo < 0) lo += 360;
            if (lo < min_lon) min_lon = lo;
            if (lo > max_lon) max_lon = lo;
        }
    }
    double c = cos((min_lat + max_lat) / 2 * M_PI / 180);
    if (c < 0.05) c = 0.05;
    double cell_lat = GRID_CELL_DEG, cell_lon = GRID_CELL_DEG / c;
    double limit = 2.0 * mt->n_segs + 1024;
    uint32_t nx, ny;
    for (;;) {
        double fx = floor((max_lon - min_lon) / cell_lon) + 1, fy = floor((max_lat - min_lat) / cell_lat) + 1;
        if (fx * fy <= limit) {
            nx = (uint32_t)fx;
            ny = (uint32_t)fy;
            break;
        }
        cell_lat *= 1.5;
        cell_lon *= 1.5;
    }
    mt->grid_nx = nx;
    mt->grid_ny = ny;
    mt->grid_lat0_e7 = (int32_t)floor(min_lat * TC_E7);
    mt->grid_lon0_e7 = (int32_t)floor(min_lon * TC_E7);
    mt->cell_lat_e7 = (int32_t)ceil(cell_lat * TC_E7);
    mt->cell_lon_e7 = (int32_t)ceil(cell_lon * TC_E7);
    size_t ncell = (size_t)nx * ny;
    uint32_t *count = calloc(ncell + 1, sizeof *count), *last = malloc(ncell * sizeof *last);
    if (!count || !last) {
        free(count);
        free(last);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for the street grid");
    }
    uint32_t *items = NULL;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < ncell; k++) last[k] = NONE;
        for (uint32_t s = 0; s < mt->n_segs; s++) {
            for (uint32_t p = m->segs[s].geom_begin; p + 1 < m->segs[s + 1].geom_begin; p++) {
                double la1 = from_e7(m->geom[2 * p]), la2 = from_e7(m->geom[2 * p + 2]);
                double lo1 = from_e7(m->geom[2 * p + 1]), lo2 = from_e7(m->geom[2 * p + 3]);
                if (mt->lon_wrap) {
                    if (lo1 < 0) lo1 += 360;
                    if (lo2 < 0) lo2 += 360;
                }
                long x1 = (long)floor((fmin(lo1, lo2) * TC_E7 - mt->grid_lon0_e7) / mt->cell_lon_e7);
                long x2 = (long)floor((fmax(lo1, lo2) * TC_E7 - mt->grid_lon0_e7) / mt->cell_lon_e7);
                long y1 = (long)floor((fmin(la1, la2) * TC_E7 - mt->grid_lat0_e7) / mt->cell_lat_e7);
                long y2 = (long)floor((fmax(la1, la2) * TC_E7 - mt->grid_lat0_e7) / mt->cell_lat_e7);
                if (x1 < 0) x1 = 0;
                if (y1 < 0) y1 = 0;
                if (x2 >= (long)nx) x2 = nx - 1;
                if (y2 >= (long)ny) y2 = ny - 1;
                for (long y = y1; y <= y2; y++)
                    for (long x = x1; x <= x2; x++) {
                        size_t cidx = (size_t)y * nx + (size_t)x;
                        if (last[cidx] == s) continue;
                        last[cidx] = s;
                        if (pass == 0) count[cidx + 1]++;
                        else items[count[cidx]++] = s;
                    }
            }
        }
        if (pass == 0) {
            for (size_t k = 0; k < ncell; k++) count[k + 1] += count[k];
            mt->n_grid_items = count[ncell];
            items = malloc(((size_t)mt->n_grid_items + 1) * sizeof *items);
            m->grid_begin = malloc((ncell + 1) * sizeof *m->grid_begin);
            if (!items || !m->grid_begin) {
                free(count);
                free(last);
                free(items);
                return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for the street grid");
            }
            memcpy(m->grid_begin, count, (ncell + 1) * sizeof *count);
        }
    }
    free(count);
    free(last);
    m->grid_items = items;
    return TC_OK;
}

/* ---- turn restrictions via a way ----
 * "No straight on from F via V to T" forbids the sequence F, V's arcs, T — a constraint on three or more arcs that a
 * label per arc cannot express. We use the classic graph transformation (as OSRM does): the car arcs p1…pk of V
 * between F and T get car-only copies c1…ck (same segment, so geometry and lengths are shared); a car coming off F
 * is sent onto the copies (F → p1 forbidden), only the copies continue the copies (any other arc → ci forbidden,
 * ci → p(i+1) forbidden), and from ck the turn onto T is forbidden (no_*) or the only one allowed (only_*). Leaving
 * V half way is allowed from the copies as from the originals. Everything is then plain (from arc, to arc) turn
 * pairs, so the search itself does not change. Arcs are re-laid out so the CSR stays grouped by source node. */

#define VIA_MAX_PATH 64
#define VIA_MAX_END 8

typedef struct via_plan {
    uint32_t only, k, nf, nt;
    uint32_t path[VIA_MAX_PATH], f[VIA_MAX_END], t[VIA_MAX_END];
    uint32_t copy0; /* index of the plan's first copy among all copies */
} via_plan;

static uint32_t src_of(const street_mem *m, uint32_t a) {
    const street_seg *sg = &m->segs[m->edges[a].seg & STREET_SEG_MASK];
    return (m->edges[a].seg & STREET_SEG_REVERSED) ? sg->b : sg->a;
}
static int64_t way_of(const street_mem *m, uint32_t a) { return m->segs[m->edges[a].seg & STREET_SEG_MASK].way_id; }
static uint32_t twin_of(const street_mem *m, uint32_t a) {
    const street_seg *sg = &m->segs[m->edges[a].seg & STREET_SEG_MASK];
    return a == sg->arc_ab ? sg->arc_ba : sg->arc_ab;
}

/* Find the via path of restriction r on the current layout; 0 when it cannot be matched. */
static int plan_via(const street_mem *m, const osm_restriction *r, via_plan *p) {
    uint32_t E = m->meta.n_edges;
    memset(p, 0, sizeof *p);
    p->only = r->only;
    for (uint32_t a = 0; a < E; a++) {
        if (!(m->edges[a].access & STREET_CAR) || way_of(m, a) != r->via_way) continue;
        uint32_t v1 = src_of(m, a);
        /* car arcs of the from way entering v1 */
        p->nf = 0;
        for (uint32_t ri = m->rev_begin[v1]; ri < m->rev_begin[v1 + 1]; ri++) {
            uint32_t x = m->rev[ri].arc;
            if ((m->edges[x].access & STREET_CAR) && way_of(m, x) == r->from_way && p->nf < VIA_MAX_END)
                p->f[p->nf++] = x;
        }
        if (!p->nf) continue;
        /* follow the via way until a car arc of the to way leaves */
        p->k = 0;
        uint32_t cur = a;
        for (;;) {
            if (p->k == VIA_MAX_PATH) break;
            p->path[p->k++] = cur;
            uint32_t v = m->edges[cur].target, next = NONE;
            p->nt = 0;
            for (uint32_t y = m->edge_begin[v]; y < m->edge_begin[v + 1]; y++) {
                if (!(m->edges[y].access & STREET_CAR)) continue;
                if (way_of(m, y) == r->to_way && p->nt < VIA_MAX_END) p->t[p->nt++] = y;
                else if (way_of(m, y) == r->via_way && y != twin_of(m, cur) && next == NONE) next = y;
            }
            if (p->nt) return 1;
            if (next == NONE || v == v1) break;
            cur = next;
        }
    }
    return 0;
}

static tc_status add_via_way_copies(street_mem *m, const osm_data *d, vec *turns, uint32_t *unmatched,
                                    const char *path, diag_log *diag, tc_error *err) {
    size_t n_plans = 0;
    for (size_t i = 0; i < d->n_restrictions; i++) n_plans += d->restrictions[i].via_way != 0;
    if (!n_plans) return TC_OK;
    via_plan *plans = malloc(n_plans * sizeof *plans);
    if (!plans) return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory for turn restrictions");
    size_t np = 0;
    uint32_t n_copies = 0;
    for (size_t i = 0; i < d->n_restrictions; i++) {
        const osm_restriction *r = &d->restrictions[i];
        if (!r->via_way) continue;
        if (plan_via(m, r, &plans[np])) {
            plans[np].copy0 = n_copies;
            n_copies += plans[np].k;
            np++;
        } else if (++*unmatched <= 5) {
            diag_report(diag, TC_SEV_WARNING, "osm_restriction_unmatched", path, 0, 0,
                        "turn restriction relation %lld (via way %lld): its members are missing or do not form a car "
                        "path in this network; ignored", (long long)r->id, (long long)r->via_way);
        }
    }
    if (!n_copies) {
        free(plans);
        return TC_OK;
    }
    /* re-layout: each node's original arcs, then the copies leaving it */
    uint32_t N = m->meta.n_nodes, E = m->meta.n_edges, NE = E + n_copies;
    uint32_t *copy_src = malloc(n_copies * sizeof *copy_src), *copy_orig = malloc(n_copies * sizeof *copy_orig);
    uint32_t *ncopies_at = calloc((size_t)N + 1, sizeof *ncopies_at), *old2new = malloc((size_t)E * sizeof *old2new);
    uint32_t *copy_new = malloc(n_copies * sizeof *copy_new), *nb = calloc((size_t)N + 1, sizeof *nb);
    street_edge *ne = malloc((size_t)NE * sizeof *ne);
    street_rev *nr = malloc((size_t)NE * sizeof *nr);
    uint32_t *nrb = calloc((size_t)N + 1, sizeof *nrb), *fill = malloc(((size_t)N + 1) * sizeof *fill);
    tc_status st = TC_OK;
    if (!copy_src || !copy_orig || !ncopies_at || !old2new || !copy_new || !nb || !ne || !nr || !nrb || !fill) {
        st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory for turn restrictions");
        goto done;
    }
    for (size_t i = 0; i < np; i++)
        for (uint32_t j = 0; j < plans[i].k; j++) {
            uint32_t c = plans[i].copy0 + j;
            copy_orig[c] = plans[i].path[j];
            copy_src[c] = src_of(m, plans[i].path[j]);
            ncopies_at[copy_src[c]]++;
        }
    for (uint32_t v = 0; v < N; v++)
        nb[v + 1] = nb[v] + (m->edge_begin[v + 1] - m->edge_begin[v]) + ncopies_at[v];
    for (uint32_t v = 0; v < N; v++) {
        for (uint32_t a = m->edge_begin[v]; a < m->edge_begin[v + 1]; a++) {
            old2new[a] = nb[v] + (a - m->edge_begin[v]);
            ne[old2new[a]] = m->edges[a];
        }
        fill[v] = nb[v] + (m->edge_begin[v + 1] - m->edge_begin[v]);
    }
    for (uint32_t c = 0; c < n_copies; c++) {
        copy_new[c] = fill[copy_src[c]]++;
        ne[copy_new[c]] = m->edges[copy_orig[c]];
        ne[copy_new[c]].access = (uint8_t)(STREET_CAR | (m->edges[copy_orig[c]].access & STREET_TRUCK));
    }
    for (uint32_t s = 0; s < m->meta.n_segs; s++) {
        m->segs[s].arc_ab = old2new[m->segs[s].arc_ab];
        m->segs[s].arc_ba = old2new[m->segs[s].arc_ba];
    }
    for (uint32_t a = 0; a < NE; a++) nrb[ne[a].target + 1]++;
    for (uint32_t v = 0; v < N; v++) nrb[v + 1] += nrb[v];
    memcpy(fill, nrb, ((size_t)N + 1) * sizeof *fill);
    for (uint32_t v = 0; v < N; v++)
        for (uint32_t a = nb[v]; a < nb[v + 1]; a++) nr[fill[ne[a].target]++] = (street_rev){v, a};
    free(m->edges);
    free(m->rev);
    free(m->edge_begin);
    free(m->rev_begin);
    m->edges = ne;
    m->rev = nr;
    m->edge_begin = nb;
    m->rev_begin = nrb;
    ne = NULL, nr = NULL, nb = NULL, nrb = NULL;
    m->meta.n_edges = NE;

    /* the turn pairs, in the new numbering */
#define TURN(FROM, TO, ONLY)                                                                                          \
    do {                                                                                                              \
        street_turn *t_ = vec_push(turns);                                                                            \
        if (!t_) {                                                                                                    \
            st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory for turn restrictions");                  \
            goto done;                                                                                                \
        }                                                                                                             \
        *t_ = (street_turn){(FROM), (TO), (ONLY)};                                                                    \
    } while (0)
    for (size_t i = 0; i < np; i++) {
        via_plan *p = &plans[i];
        uint32_t k = p->k;
        for (uint32_t j = 0; j < p->nf; j++) p->f[j] = old2new[p->f[j]];
        for (uint32_t j = 0; j < p->nt; j++) p->t[j] = old2new[p->t[j]];
        for (uint32_t j = 0; j < k; j++) p->path[j] = old2new[p->path[j]];
        const uint32_t *c = copy_new + p->copy0;
        /* off F: onto the copies */
        for (uint32_t j = 0; j < p->nf; j++) TURN(p->f[j], p->only ? c[0] : p->path[0], p->only);
        /* nothing but F enters c1; nothing but c(i) enters c(i+1) */
        for (uint32_t j = 0; j < k; j++) {
            uint32_t v = src_of(m, p->path[j]);
            for (uint32_t ri = m->rev_begin[v]; ri < m->rev_begin[v + 1]; ri++) {
                uint32_t x = m->rev[ri].arc;
                int allowed = 0;
                if (j == 0)
                    for (uint32_t q = 0; q < p->nf; q++) allowed |= x == p->f[q];
                else
                    allowed = x == c[j - 1];
                if (!allowed) TURN(x, c[j], 0);
            }
            if (j + 1 < k) TURN(c[j], p->only ? c[j + 1] : p->path[j + 1], p->only);
        }
        /* at the end: T forbidden, or the only way on */
        for (uint32_t j = 0; j < p->nt; j++) TURN(c[k - 1], p->t[j], p->only);
    }
#undef TURN
done:
    free(plans);
    free(copy_src);
    free(copy_orig);
    free(ncopies_at);
    free(old2new);
    free(copy_new);
    free(nb);
    free(ne);
    free(nr);
    free(nrb);
    free(fill);
    return st;
}

/* What street_mem_build() carries from one step to the next (the graph itself goes into the street_mem); freed by
 * graph_build_free(). */
typedef struct graph_build {
    const char *path;
    diag_log *diag;
    tc_error *err;
    osm_data d;
    uint32_t *ridx;  /* per way node reference: index of the node in d, NONE when absent from the file */
    uint8_t *use;    /* per OSM node: ways through it (capped at 2), 3 = forced graph node */
    uint32_t *gnode; /* per OSM node: its graph node, NONE when it is not one */
    uint32_t n_g;    /* graph nodes */
    vec segs, geom;  /* tmp_seg, and their polylines (lat_e7, lon_e7 pairs) */
    truck_table trucks;
    uint32_t *newid; /* graph node → surviving node in Hilbert order, NONE when dropped */
    uint32_t n_keep; /* surviving nodes */
    size_t n_segs;   /* surviving segments (some mode may use them) */
} graph_build;

static const street_truck_limit NO_TRUCK_LIMITS = {0};

#define GRAPH_OOM(gb) error_set((gb)->err, TC_ERR_NO_MEMORY, (gb)->path, 0, 0, "out of memory building the street graph")

static void graph_build_free(graph_build *gb) {
    free(gb->ridx);
    free(gb->use);
    free(gb->gnode);
    free(gb->segs.p);
    free(gb->geom.p);
    free(gb->newid);
    free(gb->trucks.rec);
    free(gb->trucks.slot);
    osm_data_free(&gb->d);
}

/* Step 1: every way's node references as node indices; a way through nodes absent from the file is warned (the
 * first five by id, then a total). use[] counts the ways through each node, up to 2. */
static tc_status resolve_refs(graph_build *gb, street_mem *m) {
    const osm_data *d = &gb->d;
    gb->ridx = malloc((d->n_refs + 1) * sizeof *gb->ridx);
    gb->use = calloc(d->n_nodes + 1, 1);
    gb->gnode = malloc((d->n_nodes + 1) * sizeof *gb->gnode);
    if (!gb->ridx || !gb->use || !gb->gnode) return GRAPH_OOM(gb);
    uint64_t missing = 0, ways_broken = 0;
    for (size_t w = 0; w < d->n_ways; w++) {
        const osm_way *wy = &d->ways[w];
        int broken = 0;
        for (uint32_t i = 0; i < wy->n_refs; i++) {
            size_t k = osm_node_index(d, d->refs[wy->ref_begin + i]);
            gb->ridx[wy->ref_begin + i] = k == SIZE_MAX ? NONE : (uint32_t)k;
            if (k == SIZE_MAX) {
                missing++;
                broken = 1;
            } else if (gb->use[k] < 2) {
                gb->use[k]++;
            }
        }
        if (broken) {
            ways_broken++;
            if (ways_broken <= 5)
                diag_report(gb->diag, TC_SEV_WARNING, "osm_missing_node", gb->path, 0, 0,
                            "way %lld references nodes absent from the file; the segments through them are dropped",
                            (long long)wy->id);
        }
    }
    if (ways_broken > 5)
        diag_report(gb->diag, TC_SEV_WARNING, "osm_missing_node", gb->path, 0, 0,
                    "%llu ways in all reference %llu missing nodes (segments through them dropped)",
                    (unsigned long long)ways_broken, (unsigned long long)missing);
    m->missing_refs = missing;
    return TC_OK;
}

/* Step 2: graph nodes, numbered in OSM node order: use 2 = used twice or more; 3 = forced (way end, next to a
 * missing node, via node, ring split). */
static void mark_graph_nodes(graph_build *gb) {
    const osm_data *d = &gb->d;
    uint8_t *use = gb->use;
    for (size_t w = 0; w < d->n_ways; w++) {
        const osm_way *wy = &d->ways[w];
        const uint32_t *r = gb->ridx + wy->ref_begin;
        uint32_t n = wy->n_refs;
        for (uint32_t i = 0; i < n; i++) {
            if (r[i] == NONE) continue;
            if (i == 0 || i == n - 1 || r[i - 1] == NONE || r[i + 1] == NONE) use[r[i]] = 3;
        }
    }
    for (size_t i = 0; i < d->n_restrictions; i++) {
        if (d->restrictions[i].via_way) continue;
        size_t k = osm_node_index(d, d->restrictions[i].via_node);
        if (k != SIZE_MAX && use[k]) use[k] = 3;
    }
    /* a chain that comes back to the node it left (closed ways, "lollipop" cul-de-sacs) would be a self-loop,
     * useless to a search: split it at its middle node */
    for (size_t w = 0; w < d->n_ways; w++) {
        const osm_way *wy = &d->ways[w];
        const uint32_t *r = gb->ridx + wy->ref_begin;
        uint32_t n = wy->n_refs, start = NONE;
        for (uint32_t i = 0; i < n; i++) {
            if (r[i] == NONE) {
                start = NONE;
                continue;
            }
            if (use[r[i]] < 2) continue;
            if (start != NONE && r[start] == r[i] && i - start >= 2) use[r[(start + i) / 2]] = 3;
            start = i;
        }
    }
    uint32_t n_g = 0;
    for (size_t k = 0; k < d->n_nodes; k++) gb->gnode[k] = use[k] >= 2 ? n_g++ : NONE;
    gb->n_g = n_g;
}

/* One segment of way w, between its references r[start] and r[end] (graph nodes a != b): the way's access, its
 * truck limit record, the polyline and its length. */
static tc_status add_segment(graph_build *gb, size_t w, const uint32_t *r, uint32_t start, uint32_t end, uint32_t a,
                             uint32_t b) {
    const osm_data *d = &gb->d;
    const osm_way *wy = &d->ways[w];
    tmp_seg *s = vec_push(&gb->segs);
    if (!s) return GRAPH_OOM(gb);
    s->a = a;
    s->b = b;
    s->geom_begin = (uint32_t)gb->geom.n;
    s->n_points = end - start + 1;
    s->way = (uint32_t)w;
    s->fwd = wy->acc.fwd;
    s->bwd = wy->acc.bwd;
    s->kmh = wy->acc.car_kmh;
    s->unlinkable = wy->acc.unlinkable;
    s->lts = wy->acc.lts;
    const street_truck_limit *limits = (wy->acc.fwd | wy->acc.bwd) & STREET_TRUCK ? &wy->truck : &NO_TRUCK_LIMITS;
    uint32_t ti = truck_index(&gb->trucks, limits);
    if (ti == UINT32_MAX)
        return gb->trucks.n > UINT16_MAX ? error_set(gb->err, TC_ERR_INVALID_ARGUMENT, gb->path, 0, 0,
                                                     "more than 65536 distinct heavy-vehicle limit combinations")
                                         : error_set(gb->err, TC_ERR_NO_MEMORY, gb->path, 0, 0, "out of memory");
    s->truck = (uint16_t)ti;
    double len = 0;
    for (uint32_t q = start; q <= end; q++) {
        int32_t *pt = vec_push(&gb->geom);
        if (!pt) return GRAPH_OOM(gb);
        pt[0] = d->node_coords[2 * r[q]];
        pt[1] = d->node_coords[2 * r[q] + 1];
        if (q > start)
            len += fast_distance_m(from_e7(pt[-2]), from_e7(pt[-1]), from_e7(pt[0]), from_e7(pt[1]));
    }
    double mm = len * 1000.0 + 0.5;
    s->length_mm = mm > 4e9 ? 4000000000u : (uint32_t)mm;
    return TC_OK;
}

/* Step 3: segments = the chains between consecutive graph nodes inside one way. A piece that runs into a missing
 * node or the way's end without reaching a graph node is dropped. */
static tc_status cut_segments(graph_build *gb) {
    const osm_data *d = &gb->d;
    const uint32_t *gnode = gb->gnode;
    for (size_t w = 0; w < d->n_ways; w++) {
        const osm_way *wy = &d->ways[w];
        const uint32_t *r = gb->ridx + wy->ref_begin;
        uint32_t n = wy->n_refs, i = 0;
        while (i < n) {
            if (r[i] == NONE || gnode[r[i]] == NONE) {
                i++;
                continue;
            }
            /* from graph node r[i], walk to the next graph node */
            uint32_t start = i, j = i + 1;
            while (j < n && r[j] != NONE && gnode[r[j]] == NONE) j++;
            if (j >= n || r[j] == NONE) {
                i = j; /* ran into a missing node or the end: the broken piece is dropped */
                continue;
            }
            uint32_t a = gnode[r[start]], b = gnode[r[j]];
            if (a != b) {
                tc_status st = add_segment(gb, w, r, start, j, a, b);
                if (st != TC_OK) return st;
            }
            i = j;
        }
    }
    if (gb->geom.n > UINT32_MAX / 2 || gb->segs.n > STREET_SEG_MASK / 2)
        return error_set(gb->err, TC_ERR_INVALID_ARGUMENT, gb->path, 0, 0, "street network too large for this format");
    return TC_OK;
}

/* Step 5: the nodes of segments some mode still uses survive; they are numbered along a Hilbert curve (newid) and
 * their coordinates go to m->node_coords. */
static tc_status renumber_nodes(graph_build *gb, street_mem *m) {
    const osm_data *d = &gb->d;
    const tmp_seg *ts = gb->segs.p;
    const size_t n_ts = gb->segs.n;
    const uint32_t n_g = gb->n_g;
    uint32_t *newid = gb->newid = malloc(((size_t)n_g + 1) * sizeof *newid);
    int32_t *gcoord = malloc(((size_t)n_g + 1) * 2 * sizeof *gcoord);
    key_idx *keys = NULL;
    if (!newid || !gcoord) goto oom;
    for (uint32_t v = 0; v < n_g; v++) newid[v] = NONE;
    for (size_t k = 0; k < d->n_nodes; k++)
        if (gb->gnode[k] != NONE) {
            gcoord[2 * gb->gnode[k]] = d->node_coords[2 * k];
            gcoord[2 * gb->gnode[k] + 1] = d->node_coords[2 * k + 1];
        }
    uint32_t n_keep = 0;
    size_t n_segs = 0;
    for (size_t s = 0; s < n_ts; s++)
        if (ts[s].fwd | ts[s].bwd) {
            n_segs++;
            if (newid[ts[s].a] == NONE) newid[ts[s].a] = n_keep++;
            if (newid[ts[s].b] == NONE) newid[ts[s].b] = n_keep++;
        }
    keys = malloc(((size_t)n_keep + 1) * sizeof *keys);
    if (!keys) goto oom;
    for (uint32_t v = 0; v < n_g; v++)
        if (newid[v] != NONE) {
            double la = from_e7(gcoord[2 * v]), lo = from_e7(gcoord[2 * v + 1]);
            uint32_t x = (uint32_t)((lo + 180.0) / 360.0 * 65535.0), y = (uint32_t)((la + 90.0) / 180.0 * 65535.0);
            keys[newid[v]] = (key_idx){hilbert(x & 0xffff, y & 0xffff), v};
        }
    qsort(keys, n_keep, sizeof *keys, cmp_key);
    m->node_coords = malloc(((size_t)n_keep + 1) * 2 * sizeof *m->node_coords);
    if (!m->node_coords) goto oom;
    for (uint32_t i = 0; i < n_keep; i++) {
        uint32_t v = keys[i].idx;
        newid[v] = i;
        m->node_coords[2 * i] = gcoord[2 * v];
        m->node_coords[2 * i + 1] = gcoord[2 * v + 1];
    }
    free(gcoord);
    free(keys);
    gb->n_keep = n_keep;
    gb->n_segs = n_segs;
    return TC_OK;
oom:
    free(gcoord);
    free(keys);
    return GRAPH_OOM(gb);
}

/* The reverse CSR: for every node the arcs that end there (source node, arc), in source order. */
static void build_reverse_arcs(street_mem *m, uint32_t n_keep, size_t n_segs, uint32_t *fill) {
    for (uint32_t a = 0; a < 2 * n_segs; a++) m->rev_begin[m->edges[a].target + 1]++;
    for (uint32_t v = 0; v < n_keep; v++) m->rev_begin[v + 1] += m->rev_begin[v];
    memcpy(fill, m->rev_begin, ((size_t)n_keep + 1) * sizeof *fill);
    for (uint32_t v = 0; v < n_keep; v++)
        for (uint32_t a = m->edge_begin[v]; a < m->edge_begin[v + 1]; a++)
            m->rev[fill[m->edges[a].target]++] = (street_rev){v, a};
}

/* Step 5 (continued): the surviving segments in the order of their a node (locality for the grid and the geometry
 * reads), their polylines, and the arcs as CSR, two per segment (a → b, b → a), forward and reverse. */
static tc_status lay_out_arcs(graph_build *gb, street_mem *m) {
    const tmp_seg *ts = gb->segs.p;
    const size_t n_ts = gb->segs.n, n_segs = gb->n_segs;
    const uint32_t n_keep = gb->n_keep, *newid = gb->newid;
    key_idx *skeys = malloc((n_segs + 1) * sizeof *skeys);
    uint32_t *fill = malloc(((size_t)n_keep + 1) * sizeof *fill);
    if (!skeys || !fill) goto oom;
    size_t q = 0;
    for (size_t s = 0; s < n_ts; s++)
        if (ts[s].fwd | ts[s].bwd) skeys[q++] = (key_idx){newid[ts[s].a], (uint32_t)s};
    qsort(skeys, n_segs, sizeof *skeys, cmp_key);
    uint64_t n_geom = 0;
    for (size_t i = 0; i < n_segs; i++) n_geom += ts[skeys[i].idx].n_points;
    m->segs = malloc((n_segs + 1) * sizeof *m->segs);
    m->seg_truck = malloc((n_segs + 1) * sizeof *m->seg_truck);
    m->geom = malloc((n_geom + 1) * 2 * sizeof *m->geom);
    m->edge_begin = calloc((size_t)n_keep + 1, sizeof *m->edge_begin);
    m->rev_begin = calloc((size_t)n_keep + 1, sizeof *m->rev_begin);
    m->edges = malloc((2 * n_segs + 1) * sizeof *m->edges);
    m->rev = malloc((2 * n_segs + 1) * sizeof *m->rev);
    if (!m->segs || !m->seg_truck || !m->geom || !m->edge_begin || !m->rev_begin || !m->edges || !m->rev) goto oom;
    uint32_t gpos = 0;
    for (size_t i = 0; i < n_segs; i++) {
        const tmp_seg *s = &ts[skeys[i].idx];
        street_seg *o = &m->segs[i];
        o->a = newid[s->a];
        o->b = newid[s->b];
        o->geom_begin = gpos;
        o->length_mm = s->length_mm;
        o->way_id = gb->d.ways[s->way].id;
        m->seg_truck[i] = s->truck;
        memcpy(m->geom + 2 * (size_t)gpos, (const int32_t *)gb->geom.p + 2 * (size_t)s->geom_begin,
               (size_t)s->n_points * 2 * sizeof(int32_t));
        gpos += s->n_points;
        m->edge_begin[o->a + 1]++;
        m->edge_begin[o->b + 1]++;
    }
    m->segs[n_segs] = (street_seg){0};
    m->segs[n_segs].geom_begin = gpos;
    for (uint32_t v = 0; v < n_keep; v++) m->edge_begin[v + 1] += m->edge_begin[v];
    memcpy(fill, m->edge_begin, ((size_t)n_keep + 1) * sizeof *fill);
    for (size_t i = 0; i < n_segs; i++) {
        const tmp_seg *s = &ts[skeys[i].idx];
        street_seg *o = &m->segs[i];
        uint32_t ab = fill[o->a]++, ba = fill[o->b]++;
        o->arc_ab = ab;
        o->arc_ba = ba;
        const uint16_t fl = (uint16_t)((s->unlinkable ? STREET_EDGE_UNLINKABLE : 0) |
                                       ((unsigned)(s->lts & 7u) << STREET_EDGE_LTS_SHIFT));
        m->edges[ab] = (street_edge){o->b, o->length_mm, (uint32_t)i, s->fwd, s->kmh ? s->kmh : 1, fl};
        m->edges[ba] = (street_edge){o->a, o->length_mm, (uint32_t)i | STREET_SEG_REVERSED, s->bwd,
                                     s->kmh ? s->kmh : 1, fl};
    }
    free(skeys);
    build_reverse_arcs(m, n_keep, n_segs, fill);
    free(fill);
    m->meta.version = STREET_FORMAT_VERSION;
    m->meta.n_nodes = n_keep;
    m->meta.n_edges = (uint32_t)(2 * n_segs);
    m->meta.n_segs = (uint32_t)n_segs;
    m->meta.n_geom = gpos;
    return TC_OK;
oom:
    free(skeys);
    free(fill);
    return GRAPH_OOM(gb);
}

/* Turn restriction r via a node: every (car arc of its from way into the node, car arc of its to way out of it)
 * pair. Adds nothing when the via node or the ways are not in the car network. */
static tc_status add_via_node_turns(graph_build *gb, const street_mem *m, const osm_restriction *r, vec *turns) {
    size_t k = osm_node_index(&gb->d, r->via_node);
    uint32_t via = k == SIZE_MAX || gb->gnode[k] == NONE ? NONE : gb->newid[gb->gnode[k]];
    if (via == NONE) return TC_OK;
    for (uint32_t ri = m->rev_begin[via]; ri < m->rev_begin[via + 1]; ri++) {
        uint32_t fa = m->rev[ri].arc;
        if (!(m->edges[fa].access & STREET_CAR) || m->segs[m->edges[fa].seg & STREET_SEG_MASK].way_id != r->from_way)
            continue;
        for (uint32_t ta = m->edge_begin[via]; ta < m->edge_begin[via + 1]; ta++) {
            if (!(m->edges[ta].access & STREET_CAR) || m->segs[m->edges[ta].seg & STREET_SEG_MASK].way_id != r->to_way)
                continue;
            street_turn *t = vec_push(turns);
            if (!t) return GRAPH_OOM(gb);
            *t = (street_turn){fa, ta, r->only};
        }
    }
    return TC_OK;
}

/* Step 6a: turn restrictions → sorted (from arc, to arc) pairs: via one way (arc copies, see add_via_way_copies),
 * then via a node. Restrictions that match nothing are warned (the first five, then a total). */
static tc_status apply_turn_restrictions(graph_build *gb, street_mem *m) {
    const osm_data *d = &gb->d;
    vec turns = {.elem = sizeof(street_turn)};
    uint32_t unmatched = 0;
    tc_status st = add_via_way_copies(m, d, &turns, &unmatched, gb->path, gb->diag, gb->err);
    for (size_t i = 0; st == TC_OK && i < d->n_restrictions; i++) {
        const osm_restriction *r = &d->restrictions[i];
        if (r->via_way) continue; /* applied by add_via_way_copies */
        size_t before = turns.n;
        st = add_via_node_turns(gb, m, r, &turns);
        if (st == TC_OK && turns.n == before) {
            unmatched++;
            if (unmatched <= 5)
                diag_report(gb->diag, TC_SEV_WARNING, "osm_restriction_unmatched", gb->path, 0, 0,
                            "turn restriction relation %lld: its from/via/to members are missing or not car roads"
                            " of this network; ignored",
                            (long long)r->id);
        }
    }
    if (st != TC_OK) {
        free(turns.p);
        return st;
    }
    if (unmatched > 5)
        diag_report(gb->diag, TC_SEV_WARNING, "osm_restriction_unmatched", gb->path, 0, 0,
                    "%u turn restriction relations in all could not be matched to the car network", unmatched);
    m->turns_unmatched = unmatched;
    if (turns.n) qsort(turns.p, turns.n, sizeof(street_turn), cmp_turn);
    m->turns = turns.p;
    m->meta.n_turns = (uint32_t)turns.n;
    return TC_OK;
}

/* The street_graph view over m's arrays, as a loaded network file would give it. */
static tc_status publish_graph(street_mem *m) {
    m->meta_copy = malloc(sizeof *m->meta_copy);
    if (!m->meta_copy) return TC_ERR_NO_MEMORY;
    *m->meta_copy = m->meta;
    street_graph *g = &m->g;
    g->n_nodes = m->meta.n_nodes;
    g->n_edges = m->meta.n_edges;
    g->n_segs = m->meta.n_segs;
    g->n_geom = m->meta.n_geom;
    g->n_turns = m->meta.n_turns;
    g->meta = m->meta_copy;
    g->node_coords = m->node_coords;
    g->edge_begin = m->edge_begin;
    g->edges = m->edges;
    g->rev_begin = m->rev_begin;
    g->rev = m->rev;
    g->segs = m->segs;
    g->geom = m->geom;
    g->grid_begin = m->grid_begin;
    g->grid_items = m->grid_items;
    g->turns = m->turns;
    g->n_truck_limits = m->meta.n_truck_limits;
    g->seg_truck = m->seg_truck;
    g->truck_limits = m->truck_limits;
    return TC_OK;
}

tc_status street_mem_build(const char *path, diag_log *diag, int progress, street_mem *m, tc_error *err) {
    memset(m, 0, sizeof *m);
    graph_build gb = {.path = path, .diag = diag, .err = err};
    gb.segs.elem = sizeof(tmp_seg);
    gb.geom.elem = 2 * sizeof(int32_t);
    progress_bar prog;
    progress_start(&prog, progress, "reading OSM", 0);
    tc_status st = osm_read(path, &gb.d, diag, err);
    progress_finish(&prog);
    if (st != TC_OK) return st;

    if (truck_index(&gb.trucks, &NO_TRUCK_LIMITS) != 0) st = GRAPH_OOM(&gb); /* record 0 = no limits */
    if (st == TC_OK) st = resolve_refs(&gb, m);
    if (st == TC_OK) {
        mark_graph_nodes(&gb);
        st = cut_segments(&gb);
    }
    if (st == TC_OK) st = keep_largest(gb.segs.p, gb.segs.n, gb.n_g, path, diag, m, err); /* step 4 */
    if (st == TC_OK) st = renumber_nodes(&gb, m);
    if (st == TC_OK) st = lay_out_arcs(&gb, m);
    if (st == TC_OK) {
        m->truck_limits = gb.trucks.rec;
        m->meta.n_truck_limits = gb.trucks.n;
        gb.trucks.rec = NULL;
        st = apply_turn_restrictions(&gb, m);
    }
    if (st == TC_OK) st = build_grid(m, err); /* step 6b */
    if (st == TC_OK && publish_graph(m) != TC_OK) st = GRAPH_OOM(&gb);
    if (st == TC_OK && gb.n_keep == 0)
        diag_report(diag, TC_SEV_WARNING, "osm_no_streets", path, 0, 0,
                    "the file holds no street usable by walk, bike or car");
    graph_build_free(&gb);
    if (st != TC_OK) street_mem_free(m);
    return st;
}

tc_status street_mem_write(const street_mem *m, netfile_writer *w, tc_error *err) {
    const street_meta *mt = &m->meta;
    size_t ncell = (size_t)mt->grid_nx * mt->grid_ny;
    struct {
        uint32_t id;
        const void *p;
        uint64_t len;
    } sec[] = {
        {STREET_SEC_META, mt, sizeof *mt},
        {STREET_SEC_NODES, m->node_coords, (uint64_t)mt->n_nodes * 8},
        {STREET_SEC_EDGE_BEGIN, m->edge_begin, ((uint64_t)mt->n_nodes + 1) * 4},
        {STREET_SEC_EDGES, m->edges, (uint64_t)mt->n_edges * sizeof(street_edge)},
        {STREET_SEC_REV_BEGIN, m->rev_begin, ((uint64_t)mt->n_nodes + 1) * 4},
        {STREET_SEC_REV, m->rev, (uint64_t)mt->n_edges * sizeof(street_rev)},
        {STREET_SEC_SEGS, m->segs, ((uint64_t)mt->n_segs + 1) * sizeof(street_seg)},
        {STREET_SEC_GEOM, m->geom, (uint64_t)mt->n_geom * 8},
        {STREET_SEC_GRID_BEGIN, m->grid_begin, ((uint64_t)ncell + 1) * 4},
        {STREET_SEC_GRID_ITEMS, m->grid_items, (uint64_t)mt->n_grid_items * 4},
        {STREET_SEC_TURNS, m->turns, (uint64_t)mt->n_turns * sizeof(street_turn)},
        {STREET_SEC_SEG_TRUCK, m->seg_truck, (uint64_t)mt->n_segs * sizeof(uint16_t)},
        {STREET_SEC_TRUCK_LIMITS, m->truck_limits, (uint64_t)mt->n_truck_limits * sizeof(street_truck_limit)},
        {STREET_SEC_SEG_ELEV, m->seg_elev, m->seg_elev ? (uint64_t)mt->n_segs * 4 * sizeof(uint16_t) : 0},
    };
    for (size_t i = 0; i < sizeof sec / sizeof *sec; i++) {
        if (sec[i].id == STREET_SEC_SEG_ELEV && !m->seg_elev) continue; /* optional: absent without a DEM */
        tc_status st = netfile_add(w, sec[i].id, sec[i].len ? sec[i].p : NULL, sec[i].len, err);
        if (st != TC_OK) return st;
    }
    return TC_OK;
}

tc_status street_file_build(const char *osm_path, const char *out_path, diag_log *diag, tc_error *err) {
    street_mem m;
    tc_status st = street_mem_build(osm_path, diag, 0, &m, err);
    if (st != TC_OK) return st;
    netfile_writer w;
    st = netfile_create(&w, out_path, err);
    if (st == TC_OK) {
        st = street_mem_write(&m, &w, err);
        if (st == TC_OK) st = netfile_commit(&w, err);
        else netfile_abort(&w);
    }
    street_mem_free(&m);
    return st;
}

/* ---- stops: links to the walk network and walking transfers ---- */

void streets_stop_links_free(streets_stop_links *l) {
    if (!l) return;
    free(l->link_node);
    free(l->link_m);
    free(l->transfer_begin);
    free(l->transfer_to);
    free(l->transfer_m);
    memset(l, 0, sizeof *l);
}

static tc_status link_stops(const street_mem *m, const double *lat, const double *lon, uint32_t n_stops,
                            double transfer_radius_m, double snap_radius_m, diag_log *diag, const char *path,
                            streets_stop_links *out, tc_error *err) {
    const street_graph *g = &m->g;
    memset(out, 0, sizeof *out);
    out->link_node = malloc(((size_t)n_stops + 1) * sizeof *out->link_node);
    out->link_m = malloc(((size_t)n_stops + 1) * sizeof *out->link_m);
    out->transfer_begin = calloc((size_t)n_stops + 1, sizeof *out->transfer_begin);
    if (!out->link_node || !out->link_m || !out->transfer_begin) {
        streets_stop_links_free(out);
        return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory linking stops");
    }
    uint32_t unlinked = 0;
    for (uint32_t i = 0; i < n_stops; i++) {
        street_snap s;
        out->link_node[i] = NONE;
        out->link_m[i] = 0;
        if (street_snap_point(g, TC_MODE_WALK, lat[i], lon[i], snap_radius_m, &s, NULL) != TC_OK) {
            if (++unlinked <= 20)
                diag_report(diag, TC_SEV_WARNING, "stop_unlinked", path, 0, 0,
                            "stop #%u at %.7f,%.7f is farther than %.0f m from any walkable street; it is not linked",
                            i, lat[i], lon[i], snap_radius_m);
            continue;
        }
        const street_seg *sg = &g->segs[s.seg];
        int to_a = (g->edges[sg->arc_ba].access & STREET_WALK) != 0, to_b = (g->edges[sg->arc_ab].access & STREET_WALK) != 0;
        uint32_t da = s.offset_mm, db = sg->length_mm - s.offset_mm;
        int pick_a = to_a && (!to_b || da <= db);
        double mm = s.dist_m * 1000.0 + (pick_a ? da : db);
        out->link_node[i] = pick_a ? sg->a : sg->b;
        out->link_m[i] = (uint32_t)(mm / 1000.0 + 0.5);
    }
    if (unlinked > 20)
        diag_report(diag, TC_SEV_WARNING, "stop_unlinked", path, 0, 0, "%u stops in all are not linked to the streets",
                    unlinked);
    if (!(transfer_radius_m > 0) || n_stops == 0) return TC_OK;

    /* node → stops */
    uint32_t nn = g->n_nodes;
    uint32_t *nb = calloc((size_t)nn + 1, sizeof *nb), *ns = malloc(((size_t)n_stops + 1) * sizeof *ns);
    uint32_t *f = malloc(((size_t)nn + 1) * sizeof *f);
    street_workspace ws = {0};
    vec to = {.elem = 4}, dm = {.elem = 4};
    tc_status st = TC_OK;
    if (!nb || !ns || !f) {
        st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory computing transfers");
        goto done;
    }
    for (uint32_t i = 0; i < n_stops; i++)
        if (out->link_node[i] != NONE) nb[out->link_node[i] + 1]++;
    for (uint32_t v = 0; v < nn; v++) nb[v + 1] += nb[v];
    memcpy(f, nb, ((size_t)nn + 1) * sizeof *f);
    for (uint32_t i = 0; i < n_stops; i++)
        if (out->link_node[i] != NONE) ns[f[out->link_node[i]]++] = i;
    st = street_workspace_init_graph(&ws, g, err);
    if (st != TC_OK) goto done;
    uint32_t limit = (uint32_t)fmin(transfer_radius_m * 1000.0, 4e9);
    for (uint32_t i = 0; i < n_stops; i++) {
        out->transfer_begin[i] = (uint32_t)to.n;
        if (out->link_node[i] == NONE) continue;
        uint32_t c0 = out->link_m[i] * 1000u;
        if (c0 > limit) continue;
        street_search_from_nodes(&ws, TC_MODE_WALK, &out->link_node[i], &c0, 1, limit);
        if (ws.oom) {
            st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory computing transfers");
            goto done;
        }
        for (uint32_t k = 0; k < ws.n_touched; k++) {
            uint32_t v = ws.touched[k], c = ws.dist[v];
            if (c > limit) continue;
            for (uint32_t x = nb[v]; x < nb[v + 1]; x++) {
                uint32_t j = ns[x];
                if (j == i) continue;
                uint64_t total = (uint64_t)c + (uint64_t)out->link_m[j] * 1000u;
                if (total > limit) continue;
                uint32_t *pt = vec_push(&to), *pd = vec_push(&dm);
                if (!pt || !pd) {
                    st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory computing transfers");
                    goto done;
                }
                *pt = j;
                *pd = (uint32_t)((total + 500) / 1000);
            }
        }
    }
    out->transfer_begin[n_stops] = (uint32_t)to.n;
    out->n_transfers = (uint32_t)to.n;
    out->transfer_to = to.p;
    out->transfer_m = dm.p;
    to.p = dm.p = NULL;
done:
    street_workspace_release_graph(&ws);
    free(nb);
    free(ns);
    free(f);
    free(to.p);
    free(dm.p);
    if (st != TC_OK) streets_stop_links_free(out);
    return st;
}

tc_status streets_build_sections(netfile_writer *w, const char *osm_path, const double *stop_lat,
                                 const double *stop_lon, uint32_t n_stops, double transfer_radius_m,
                                 double snap_radius_m, diag_log *diag, int progress, streets_stop_links *out,
                                 tc_error *err) {
    return streets_build_sections_lts(w, osm_path, NULL, stop_lat, stop_lon, n_stops, transfer_radius_m,
                                      snap_radius_m, diag, progress, out, err);
}

tc_status streets_build_sections_lts(netfile_writer *w, const char *osm_path, const char *lts_csv,
                                     const double *stop_lat, const double *stop_lon, uint32_t n_stops,
                                     double transfer_radius_m, double snap_radius_m, diag_log *diag, int progress,
                                     streets_stop_links *out, tc_error *err) {
    return streets_build_sections_dem(w, osm_path, lts_csv, NULL, stop_lat, stop_lon, n_stops, transfer_radius_m,
                                      snap_radius_m, diag, progress, out, err);
}

tc_status streets_build_sections_dem(netfile_writer *w, const char *osm_path, const char *lts_csv,
                                     const char *dem_path, const double *stop_lat, const double *stop_lon,
                                     uint32_t n_stops, double transfer_radius_m, double snap_radius_m, diag_log *diag,
                                     int progress, streets_stop_links *out, tc_error *err) {
    if (snap_radius_m <= 0) snap_radius_m = TC_DEFAULT_SNAP_RADIUS_M;
    street_mem m;
    tc_status st = street_mem_build(osm_path, diag, progress, &m, err);
    if (st != TC_OK) return st;
    if (lts_csv && (st = street_mem_apply_lts(&m, lts_csv, diag, err)) != TC_OK) {
        street_mem_free(&m);
        return st;
    }
    /* the slope factors go into the file only: stop-to-stop transfers stay flat walking distances (metres) */
    if (dem_path && (st = street_mem_apply_elevation(&m, dem_path, diag, err)) != TC_OK) {
        street_mem_free(&m);
        return st;
    }
    st = street_mem_write(&m, w, err);
    if (st == TC_OK && out)
        st = link_stops(&m, stop_lat, stop_lon, n_stops, transfer_radius_m, snap_radius_m, diag, osm_path, out, err);
    street_mem_free(&m);
    return st;
}
