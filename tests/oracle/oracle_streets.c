/*
 * oracle_streets.c — independent check of the street engine's walking distances on Porto Alegre.
 *
 * The oracle shares no code with src/: it reads $TC_DATA/porto-alegre/poa_osm.pbf itself with readosm, builds its own
 * adjacency over raw OSM nodes (no segment compression, no grid, no CSR) using the WALK rules as documented in
 * src/osm/osm_rules.c — re-implemented here from that text —, keeps the largest connected walk component, and runs a
 * plain Dijkstra (binary heap with decrease-key) with haversine edge lengths. The engine is driven only through the
 * public API (tc_build with the OSM file alone, tc_network_open, tc_street_route) with points placed exactly on
 * OSM nodes, so both sides answer the same question. Distances must agree within 0.5 m + 0.05 %: the engine measures
 * pieces with a local equirectangular formula and rounds each segment to the millimetre, the oracle uses haversine.
 *
 * The pairs are drawn from nodes whose coordinates are unique among walkable nodes (two unconnected OSM nodes at
 * one position would make "the node under this point" ambiguous for any snapping engine) and that lie on a way a
 * point may be linked to (the documented linking rule of street_snap.c: not tunnel=yes, covered=yes or a
 * motorway; a point on such a way alone links to the nearest other street instead).
 */
#include "tongcheng.h"

#include <readosm.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_SOURCES 40
#define TARGETS_PER_SOURCE 12

/* ---- OSM data as the oracle keeps it ---- */
typedef struct onode {
    long long id;
    double lat, lon;
} onode;

static onode *nodes;
static size_t n_nodes, cap_nodes;
static long long *way_refs; /* consecutive refs of walkable ways, each way terminated by 0 */
static size_t n_refs, cap_refs;

static int in(const char *v, const char *const *list) {
    for (; *list; list++)
        if (!strcmp(v, *list)) return 1;
    return 0;
}

/* WALK rules of osm_rules.c, from its comment */
static int walkable(const readosm_way *w) {
    static const char *const walk_classes[] = {"trunk", "trunk_link", "primary", "primary_link", "secondary",
                                               "secondary_link", "tertiary", "tertiary_link", "unclassified",
                                               "residential", "living_street", "service", "road", "track", "path",
                                               "footway", "pedestrian", "steps", "cycleway", "bridleway", "corridor",
                                               "platform", NULL};
    static const char *const other_known[] = {"motorway", "motorway_link", NULL};
    static const char *const deny[] = {"no", "private", "use_sidepath", NULL};
    const char *hw = NULL, *foot = NULL, *access = NULL;
    for (int i = 0; i < w->tag_count; i++) {
        const char *k = w->tags[i].key, *v = w->tags[i].value;
        if (!k || !v) continue;
        if (!strcmp(k, "highway")) hw = v;
        else if (!strcmp(k, "foot")) foot = v;
        else if (!strcmp(k, "access")) access = v;
    }
    if (!hw) return 0;
    int cls = in(hw, walk_classes);
    if (!cls && !in(hw, other_known)) return 0;
    if (foot) return !in(foot, deny);
    if (access) return cls && !in(access, deny);
    return cls;
}

static int on_node(const void *u, const readosm_node *n) {
    (void)u;
    if (n_nodes == cap_nodes) {
        cap_nodes = cap_nodes ? cap_nodes * 2 : 1 << 16;
        nodes = realloc(nodes, cap_nodes * sizeof *nodes);
        if (!nodes) return READOSM_ABORT;
    }
    nodes[n_nodes++] = (onode){n->id, n->latitude, n->longitude};
    return READOSM_OK;
}

/* the linking rule of street_snap.c, from its comment */
static int linkable(const readosm_way *w) {
    for (int i = 0; i < w->tag_count; i++) {
        const char *k = w->tags[i].key, *v = w->tags[i].value;
        if (!k || !v) continue;
        if ((!strcmp(k, "tunnel") || !strcmp(k, "covered")) && !strcmp(v, "yes")) return 0;
        if (!strcmp(k, "highway") && !strcmp(v, "motorway")) return 0;
    }
    return 1;
}

static int on_way(const void *u, const readosm_way *w) {
    (void)u;
    if (w->node_ref_count < 2 || !walkable(w)) return READOSM_OK;
    while (n_refs + (size_t)w->node_ref_count + 1 > cap_refs) {
        cap_refs = cap_refs ? cap_refs * 2 : 1 << 16;
        way_refs = realloc(way_refs, cap_refs * sizeof *way_refs);
        if (!way_refs) return READOSM_ABORT;
    }
    for (int i = 0; i < w->node_ref_count; i++) way_refs[n_refs++] = w->node_refs[i];
    way_refs[n_refs++] = linkable(w) ? 0 : -1; /* the way's end, and whether points may link to it */
    return READOSM_OK;
}

static int cmp_node(const void *a, const void *b) {
    long long x = ((const onode *)a)->id, y = ((const onode *)b)->id;
    return x < y ? -1 : x > y;
}

static long find(long long id) {
    size_t lo = 0, hi = n_nodes;
    while (lo < hi) {
        size_t m = (lo + hi) / 2;
        if (nodes[m].id < id) lo = m + 1;
        else hi = m;
    }
    return lo < n_nodes && nodes[lo].id == id ? (long)lo : -1;
}

static double haversine(double la1, double lo1, double la2, double lo2) {
    const double r = 6371008.8, d = M_PI / 180;
    double a = sin((la2 - la1) * d / 2), b = sin((lo2 - lo1) * d / 2);
    double h = a * a + cos(la1 * d) * cos(la2 * d) * b * b;
    return 2 * r * asin(sqrt(h > 1 ? 1 : h));
}

/* ---- adjacency (edge list → CSR) ---- */
typedef struct oedge {
    uint32_t from, to;
    double len;
} oedge;

static uint32_t *adj_begin, *adj_to;
static double *adj_len;

/* ---- plain Dijkstra, binary heap with positions ---- */
static double *dist;
static uint32_t *heap, *pos, n_heap;

static void sift_up(uint32_t i) {
    uint32_t v = heap[i];
    while (i > 0 && dist[heap[(i - 1) / 2]] > dist[v]) {
        heap[i] = heap[(i - 1) / 2];
        pos[heap[i]] = i;
        i = (i - 1) / 2;
    }
    heap[i] = v;
    pos[v] = i;
}

static void sift_down(uint32_t i) {
    uint32_t v = heap[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= n_heap) break;
        if (c + 1 < n_heap && dist[heap[c + 1]] < dist[heap[c]]) c++;
        if (dist[heap[c]] >= dist[v]) break;
        heap[i] = heap[c];
        pos[heap[i]] = i;
        i = c;
    }
    heap[i] = v;
    pos[v] = i;
}

static void dijkstra(uint32_t src, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) dist[i] = INFINITY, pos[i] = UINT32_MAX;
    dist[src] = 0;
    n_heap = 0;
    heap[n_heap++] = src;
    pos[src] = 0;
    while (n_heap) {
        uint32_t v = heap[0];
        pos[v] = UINT32_MAX - 1; /* settled */
        heap[0] = heap[--n_heap];
        if (n_heap) sift_down(0);
        for (uint32_t e = adj_begin[v]; e < adj_begin[v + 1]; e++) {
            uint32_t w = adj_to[e];
            double d = dist[v] + adj_len[e];
            if (d < dist[w]) {
                dist[w] = d;
                if (pos[w] == UINT32_MAX) {
                    heap[n_heap] = w;
                    pos[w] = n_heap++;
                }
                sift_up(pos[w]);
            }
        }
    }
}

static int cmp_coord(const void *a, const void *b) {
    const onode *x = a, *y = b;
    if (x->lat != y->lat) return x->lat < y->lat ? -1 : 1;
    if (x->lon != y->lon) return x->lon < y->lon ? -1 : 1;
    return 0;
}

/* The oracle's own reading of the PBF: every node, and the node refs of the walkable ways (on_node, on_way). */
static int read_osm(const char *pbf) {
    const void *h;
    if (readosm_open(pbf, &h) != READOSM_OK || readosm_parse(h, NULL, on_node, on_way, NULL) != READOSM_OK) {
        fprintf(stderr, "oracle: readosm failed on %s\n", pbf);
        return 0;
    }
    readosm_close(h);
    qsort(nodes, n_nodes, sizeof *nodes, cmp_node);
    return 1;
}

/* Both directions of every walkable way's consecutive node pair, with its haversine length, into the CSR arrays
 * adj_begin/adj_to/adj_len over node indices (nodes sorted by id); also sizes the Dijkstra arrays. Returns the
 * number of arcs. */
static size_t build_adjacency(uint32_t n) {
    oedge *edges = NULL;
    size_t n_edges = 0, cap_edges = 0;
    for (size_t i = 0; i + 1 < n_refs; i++) {
        if (way_refs[i] <= 0 || way_refs[i + 1] <= 0) continue;
        long a = find(way_refs[i]), b = find(way_refs[i + 1]);
        if (a < 0 || b < 0 || a == b) continue;
        double len = haversine(nodes[a].lat, nodes[a].lon, nodes[b].lat, nodes[b].lon);
        if (n_edges + 2 > cap_edges) {
            cap_edges = cap_edges ? cap_edges * 2 : 1 << 16;
            edges = realloc(edges, cap_edges * sizeof *edges);
        }
        edges[n_edges++] = (oedge){(uint32_t)a, (uint32_t)b, len};
        edges[n_edges++] = (oedge){(uint32_t)b, (uint32_t)a, len};
    }
    adj_begin = calloc(n + 1, sizeof *adj_begin);
    adj_to = malloc(n_edges * sizeof *adj_to);
    adj_len = malloc(n_edges * sizeof *adj_len);
    for (size_t e = 0; e < n_edges; e++) adj_begin[edges[e].from + 1]++;
    for (uint32_t v = 0; v < n; v++) adj_begin[v + 1] += adj_begin[v];
    uint32_t *fill = malloc((n + 1) * sizeof *fill);
    memcpy(fill, adj_begin, (n + 1) * sizeof *fill);
    for (size_t e = 0; e < n_edges; e++) {
        adj_to[fill[edges[e].from]] = edges[e].to;
        adj_len[fill[edges[e].from]++] = edges[e].len;
    }
    free(fill);
    free(edges);
    dist = malloc(n * sizeof *dist);
    heap = malloc(n * sizeof *heap);
    pos = malloc(n * sizeof *pos);
    return n_edges;
}

/* The largest connected walk component, as the engine keeps only that one: Dijkstra from walkable nodes not seen
 * yet until one covers the most (or more than half). Leaves dist[] from its root, so dist < INFINITY marks it;
 * *size gets its node count. */
static void largest_component(uint32_t n, uint32_t *size_out) {
    uint8_t *seen = calloc(n, 1);
    uint32_t best_root = UINT32_MAX, best_size = 0;
    for (uint32_t v = 0; v < n; v++) {
        if (seen[v] || adj_begin[v] == adj_begin[v + 1]) continue;
        dijkstra(v, n);
        uint32_t size = 0;
        for (uint32_t w = 0; w < n; w++)
            if (dist[w] < INFINITY) seen[w] = 1, size++;
        if (size > best_size) best_size = size, best_root = v;
        if (best_size > n / 2) break;
    }
    dijkstra(best_root, n);
    free(seen);
    *size_out = best_size;
}

/* Per node: does it lie on a way points may link to (way_refs' terminator 0, not -1)? */
static uint8_t *linkable_nodes(uint32_t n) {
    uint8_t *on_linkable = calloc(n, 1);
    for (size_t i = 0, start = 0; i < n_refs; i++) {
        if (way_refs[i] > 0) continue;
        if (way_refs[i] == 0)
            for (size_t j = start; j < i; j++) {
                long a = find(way_refs[j]);
                if (a >= 0) on_linkable[a] = 1;
            }
        start = i + 1;
    }
    return on_linkable;
}

/* Candidate query points: in the component (dist[] of largest_component), position unique among walkable nodes,
 * on a linkable way. *by_coord gets the walkable nodes sorted by position (id = node index), *nw their count. */
static uint32_t *candidates(uint32_t n, const uint8_t *on_linkable, onode **by_coord_out, uint32_t *nw_out,
                            uint32_t *n_cand_out) {
    onode *by_coord = malloc(n * sizeof *by_coord);
    uint32_t nw = 0;
    for (uint32_t v = 0; v < n; v++)
        if (adj_begin[v] != adj_begin[v + 1]) by_coord[nw++] = (onode){v, nodes[v].lat, nodes[v].lon};
    qsort(by_coord, nw, sizeof *by_coord, cmp_coord);
    uint32_t *cand = malloc(n * sizeof *cand), n_cand = 0;
    for (uint32_t i = 0; i < nw; i++) {
        int dup = (i > 0 && !cmp_coord(&by_coord[i], &by_coord[i - 1])) ||
                  (i + 1 < nw && !cmp_coord(&by_coord[i], &by_coord[i + 1]));
        uint32_t v = (uint32_t)by_coord[i].id;
        if (!dup && dist[v] < INFINITY && on_linkable[v]) cand[n_cand++] = v;
    }
    *by_coord_out = by_coord;
    *nw_out = nw;
    *n_cand_out = n_cand;
    return cand;
}

/* The engine's network of the PBF alone, through the public API, built into net_path and opened; NULL (told, the
 * file removed) when either step fails. */
static tc_network *engine_network(const char *pbf, const char *net_path) {
    tc_build_options bo;
    tc_build_options_init(&bo);
    bo.osm_path = pbf;
    tc_error err = {0};
    if (tc_build(&bo, net_path, &err) != TC_OK) {
        fprintf(stderr, "oracle: engine build failed: %s\n", err.message);
        unlink(net_path);
        return NULL;
    }
    tc_network *net;
    if (tc_network_open(net_path, &net, &err) != TC_OK) {
        fprintf(stderr, "oracle: cannot open the engine's network: %s\n", err.message);
        unlink(net_path);
        return NULL;
    }
    return net;
}

/* ORACLE_DEBUG: each point of the engine's path, with the walkable node under it and the oracle's distance there,
 * to show where the two paths part. */
static void print_engine_path(const tc_street_result *r, const onode *by_coord, uint32_t nw) {
    for (size_t k = 0; k < r->n_points; k++) {
        long found = -1;
        for (uint32_t q = 0; q < nw; q++)
            if (fabs(by_coord[q].lat - r->lat[k]) < 2e-7 && fabs(by_coord[q].lon - r->lon[k]) < 2e-7)
                found = (long)by_coord[q].id;
        fprintf(stderr, "  %.7f,%.7f node %lld oracle dist %.2f\n", r->lat[k], r->lon[k],
                found >= 0 ? nodes[found].id : -1LL, found >= 0 ? dist[found] : -1.0);
    }
}

/* N_SOURCES × TARGETS_PER_SOURCE seeded random candidate pairs: the engine's walking distance against the oracle's
 * Dijkstra (within 0.5 m + 0.05 %), and its duration against that distance at 1.3 m/s. Returns the failures;
 * *compared and *max_abs get the pair count and the largest difference. */
static int compare_pairs(tc_network *net, uint32_t n, const uint32_t *cand, uint32_t n_cand, const onode *by_coord,
                         uint32_t nw, int *compared, double *max_abs) {
    tc_street_options so;
    tc_street_options_init(&so);
    tc_error err = {0};
    uint64_t seed = 20261129;
    int failures = 0;
    for (int s = 0; s < N_SOURCES; s++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t src = cand[(seed >> 33) % n_cand];
        dijkstra(src, n);
        for (int t = 0; t < TARGETS_PER_SOURCE; t++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            uint32_t dst = cand[(seed >> 33) % n_cand];
            tc_street_result r;
            tc_status st = tc_street_route(net, TC_MODE_WALK, nodes[src].lat, nodes[src].lon, nodes[dst].lat,
                                           nodes[dst].lon, &so, &r, &err);
            (*compared)++;
            if (st != TC_OK) {
                failures++;
                fprintf(stderr, "MISMATCH node %lld -> %lld: oracle %.2f m, engine error: %s\n", nodes[src].id,
                        nodes[dst].id, dist[dst], err.message);
                continue;
            }
            double diff = fabs(r.distance_m - dist[dst]);
            if (diff > *max_abs) *max_abs = diff;
            if (diff > 0.5 + 5e-4 * dist[dst]) {
                failures++;
                fprintf(stderr, "MISMATCH node %lld -> %lld (snaps %.2f m, %.2f m): oracle %.2f m, engine %.2f m\n", nodes[src].id,
                        nodes[dst].id, r.from_snap_m, r.to_snap_m, dist[dst], r.distance_m);
                if (getenv("ORACLE_DEBUG")) print_engine_path(&r, by_coord, nw);
            }
            /* the duration is the distance at the walking speed */
            if (fabs(r.duration_s - r.distance_m / 1.3) > 0.2) {
                failures++;
                fprintf(stderr, "duration %.1f s does not match %.1f m at 1.3 m/s\n", r.duration_s, r.distance_m);
            }
            tc_street_result_free(&r);
        }
    }
    return failures;
}

int main(void) {
    const char *data = getenv("TC_DATA");
    char pbf[4096], net_path[] = "/tmp/oracle_streets_XXXXXX";
    snprintf(pbf, sizeof pbf, "%s/porto-alegre/poa_osm.pbf", data ? data : "../shared/data");
    if (access(pbf, R_OK)) {
        printf("skipped: %s is absent\n", pbf);
        return 77;
    }
    /* 1. the oracle's own reading */
    if (!read_osm(pbf)) return 1;
    uint32_t n = (uint32_t)n_nodes;
    size_t n_edges = build_adjacency(n);
    uint32_t best_size;
    largest_component(n, &best_size);
    uint8_t *on_linkable = linkable_nodes(n);
    onode *by_coord;
    uint32_t nw, n_cand;
    uint32_t *cand = candidates(n, on_linkable, &by_coord, &nw, &n_cand);
    printf("oracle: %zu nodes, %zu walkable arcs, largest walk component %u nodes, %u candidate points\n", n_nodes,
           n_edges, best_size, n_cand);

    /* 2. the engine, through the public API */
    int fd = mkstemp(net_path);
    if (fd < 0) return 1;
    close(fd);
    tc_network *net = engine_network(pbf, net_path);
    if (!net) return 1;
    int compared = 0;
    double max_abs = 0;
    int failures = compare_pairs(net, n, cand, n_cand, by_coord, nw, &compared, &max_abs);
    tc_network_close(net);
    unlink(net_path);
    printf("oracle: %d pairs compared, %d mismatches, largest difference %.3f m\n", compared, failures, max_abs);
    free(nodes);
    free(way_refs);
    free(adj_begin);
    free(adj_to);
    free(adj_len);
    free(dist);
    free(heap);
    free(pos);
    free(by_coord);
    free(on_linkable);
    free(cand);
    return failures ? 1 : 0;
}
