/*
 * lower_bounds.c — lower bounds on the time to the targets of a one-to-one search (see lower_bounds.h for what and
 * why). The graph is CSR by stop, one copy per search direction, with ride and link edges pointing back towards
 * where a search comes from; walking transfers are read from the network (by their start stop) or from a copy
 * indexed by their end stop. Landmark distances: LM_COUNT rows "to L" then LM_COUNT rows "from L", S each.
 */
#include "routing/lower_bounds.h"

#include "routing/raptor.h" /* raptor_walk_seconds: the bounds walk exactly as the search does */

#include "common/error.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* landmarks per search direction: 2, 3, 4 and 8 measured on bydgoszcz and hart; 8 cost more per query than their
 * sharper bounds saved */
#define LM_COUNT 4

/* landmark sets kept per direction (walking speeds and limits a network is searched with); a query with another
 * gets no bounds (it is searched without pruning) */
#define LM_SETS 4

typedef struct lm_set {
    double speed;  /* the walking speed and limit the set was built with */
    int32_t maxw;
    int n;         /* landmarks in the set */
    int32_t *rows; /* LM_COUNT rows "to L" then LM_COUNT rows "from L", S each */
} lm_set;

typedef struct lb_edge {
    uint32_t to;
    int32_t w; /* seconds */
} lb_edge;

struct lower_bounds {
    const network_view *v;
    uint32_t S;
    uint32_t *g_begin[2]; /* [0] for forward searches, [1] for reverse ones */
    lb_edge *g_edge[2];
    uint32_t *tin_begin, *tin; /* walking transfers by their end stop (net_transfers_by_end) */
    uint64_t *heap; /* (distance << 32 | stop), lazy deletion */
    int32_t *tr_secs; /* walking seconds of every transfer at tr_speed */
    double tr_speed;
    /* landmark sets per search direction, each for a walking speed and limit; immutable once published (n_sets,
     * release), so searches on other threads read them without a lock; mu guards building one (and heap, tr_secs) */
    lm_set sets[2][LM_SETS];
    _Atomic int n_sets[2];
    pthread_mutex_t mu;
};

typedef struct lb_raw {
    uint32_t at, to;
    int32_t w;
} lb_raw;

static int cmp_lb_raw(const void *a, const void *b) {
    const lb_raw *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    if (x->to != y->to) return x->to < y->to ? -1 : 1;
    return (x->w > y->w) - (x->w < y->w);
}

/* CSR by `at` of the raw edges, keeping the least weight of each (at, to) pair. 0 if out of memory. */
static int lb_csr(uint32_t S, lb_raw *raw, size_t n, uint32_t **begin_out, lb_edge **edge_out, size_t *m_out) {
    qsort(raw, n, sizeof *raw, cmp_lb_raw);
    uint32_t *begin = calloc((size_t)S + 1, sizeof(uint32_t));
    lb_edge *edge = malloc((n + 1) * sizeof(lb_edge));
    if (!begin || !edge) {
        free(begin);
        free(edge);
        return 0;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && raw[i].at == raw[i - 1].at && raw[i].to == raw[i - 1].to) continue; /* the first is the least */
        edge[m].to = raw[i].to;
        edge[m].w = raw[i].w;
        m++;
        begin[raw[i].at + 1]++;
    }
    for (uint32_t x = 0; x < S; x++) begin[x + 1] += begin[x];
    *begin_out = begin;
    *edge_out = edge;
    *m_out = m;
    return 1;
}

void lower_bounds_free(lower_bounds *lb) {
    if (!lb) return;
    for (int d = 0; d < 2; d++) {
        free(lb->g_begin[d]);
        free(lb->g_edge[d]);
        for (int i = 0; i < LM_SETS; i++) free(lb->sets[d][i].rows);
    }
    pthread_mutex_destroy(&lb->mu);
    free(lb->tin_begin);
    free(lb->tin);
    free(lb->heap);
    free(lb->tr_secs);
    free(lb);
}

tc_status lower_bounds_create(const network_view *v, lower_bounds **out, tc_error *err) {
    *out = NULL;
    const uint32_t S = v->n_stops;
    lower_bounds *lb = calloc(1, sizeof *lb);
    uint32_t *child_begin = calloc((size_t)S + 2, sizeof(uint32_t));
    uint32_t *children = malloc(((size_t)S + 1) * sizeof(uint32_t));
    if (!lb || !child_begin || !children) goto no_memory;
    pthread_mutex_init(&lb->mu, NULL);
    lb->v = v;
    lb->S = S;
    /* a link rule may name stations: their child stops, CSR by station */
    for (uint32_t s = 0; s < S; s++)
        if (v->stops[s].parent < S) child_begin[v->stops[s].parent + 2]++;
    for (uint32_t s = 0; s < S; s++) child_begin[s + 2] += child_begin[s + 1];
    for (uint32_t s = 0; s < S; s++)
        if (v->stops[s].parent < S) children[child_begin[v->stops[s].parent + 1]++] = s;
    size_t n_raw = 0;
    uint32_t max_n = 1;
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const uint32_t n = v->patterns[p].n_stops;
        if (n > 1) n_raw += n - 1;
        if (n > max_n) max_n = n;
    }
    for (uint32_t i = 0; i < v->n_transfer_rules; i++) {
        const net_transfer_rule *r = &v->transfer_rules[i];
        if (r->from_stop == TC_NONE || r->to_stop == TC_NONE || r->from_stop >= S || r->to_stop >= S) continue;
        if (!rule_is_link(v, r)) continue;
        n_raw += 2 * (size_t)(1 + child_begin[r->from_stop + 1] - child_begin[r->from_stop]) *
                 (1 + child_begin[r->to_stop + 1] - child_begin[r->to_stop]);
    }
    lb_raw *raw = malloc((n_raw + 1) * sizeof *raw);
    int32_t *seg = malloc((size_t)max_n * sizeof *seg);
    if (!raw || !seg) {
        free(raw);
        free(seg);
        goto no_memory;
    }
    size_t n = 0;
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const net_pattern *pt = &v->patterns[p];
        const uint32_t ns = pt->n_stops;
        if (ns < 2 || !pt->n_trips) continue;
        for (uint32_t j = 0; j + 1 < ns; j++) seg[j] = INT32_MAX;
        const net_stop_time *st = v->stop_times + pt->times_begin;
        for (uint32_t t = 0; t < pt->n_trips; t++) {
            const net_stop_time *row = st + (uint64_t)t * ns;
            for (uint32_t j = 0; j < ns; j++) {
                /* a time going down: a ride could beat the sum of least segments, so no bound is safe */
                if (row[j].departure < row[j].arrival || (j + 1 < ns && row[j + 1].arrival < row[j].departure)) {
                    free(raw);
                    free(seg);
                    free(child_begin);
                    free(children);
                    lower_bounds_free(lb);
                    return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                                     "a trip's times go down along its pattern");
                }
                if (j + 1 < ns && row[j + 1].arrival - row[j].departure < seg[j])
                    seg[j] = row[j + 1].arrival - row[j].departure;
            }
        }
        const uint32_t *stops = v->pattern_stops + pt->stops_begin;
        for (uint32_t j = 0; j + 1 < ns; j++) {
            if (stops[j] == stops[j + 1] || stops[j] >= S || stops[j + 1] >= S) continue;
            /* forward searches come to stops[j + 1] from stops[j] */
            raw[n++] = (lb_raw){stops[j + 1], stops[j], seg[j]};
        }
    }
    free(seg);
    for (uint32_t i = 0; i < v->n_transfer_rules; i++) {
        const net_transfer_rule *r = &v->transfer_rules[i];
        if (r->from_stop == TC_NONE || r->to_stop == TC_NONE || r->from_stop >= S || r->to_stop >= S) continue;
        if (!rule_is_link(v, r)) continue;
        /* a link from a station applies at its children and leads to a station's children: 0 both ways between
         * the two sets covers every use in either search direction */
        const uint32_t fb = child_begin[r->from_stop], fe = child_begin[r->from_stop + 1];
        const uint32_t tb = child_begin[r->to_stop], te = child_begin[r->to_stop + 1];
        for (uint32_t a = fb; a <= fe; a++) {
            const uint32_t x = a == fe ? r->from_stop : children[a];
            for (uint32_t b = tb; b <= te; b++) {
                const uint32_t y = b == te ? r->to_stop : children[b];
                if (x == y) continue;
                raw[n++] = (lb_raw){x, y, 0};
                raw[n++] = (lb_raw){y, x, 0};
            }
        }
    }
    free(child_begin);
    free(children);
    child_begin = children = NULL;
    size_t m0 = 0, m1 = 0;
    int ok = lb_csr(S, raw, n, &lb->g_begin[0], &lb->g_edge[0], &m0);
    for (size_t i = 0; i < n; i++) {
        const uint32_t t = raw[i].at;
        raw[i].at = raw[i].to;
        raw[i].to = t;
    }
    ok = ok && lb_csr(S, raw, n, &lb->g_begin[1], &lb->g_edge[1], &m1);
    free(raw);
    /* walking transfers by their end stop */
    const uint32_t T = v->n_transfers;
    if (ok) net_transfers_by_end(v, &lb->tin_begin, &lb->tin);
    lb->heap = malloc(((m0 > m1 ? m0 : m1) + (size_t)T + S + 1) * sizeof(uint64_t));
    if (!ok || !lb->tin_begin || !lb->tin || !lb->heap) goto no_memory;
    *out = lb;
    return TC_OK;
no_memory:
    free(child_begin);
    free(children);
    lower_bounds_free(lb);
    return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (lower bounds)");
}

/* Walking seconds of every transfer at this speed (kept while the speed stays). 0 if out of memory. */
static int ensure_tr_secs(lower_bounds *lb, double speed_mps) {
    const network_view *v = lb->v;
    if (lb->tr_speed == speed_mps && (lb->tr_secs || !v->n_transfers)) return 1;
    if (!lb->tr_secs && v->n_transfers) lb->tr_secs = malloc((size_t)v->n_transfers * sizeof(int32_t));
    if (!lb->tr_secs && v->n_transfers) return 0;
    for (uint32_t e = 0; e < v->n_transfers; e++)
        lb->tr_secs[e] = raptor_walk_seconds(v->transfers[e].distance_m, speed_mps);
    lb->tr_speed = speed_mps;
    return 1;
}

static inline void lb_heap_push(uint64_t *h, uint32_t *n, uint64_t key) {
    uint32_t i = (*n)++;
    while (i) {
        const uint32_t up = (i - 1) >> 1;
        if (h[up] <= key) break;
        h[i] = h[up];
        i = up;
    }
    h[i] = key;
}

static inline uint64_t lb_heap_pop(uint64_t *h, uint32_t *n) {
    const uint64_t top = h[0], last = h[--*n];
    const uint32_t m = *n;
    uint32_t i = 0;
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= m) break;
        if (c + 1 < m && h[c + 1] < h[c]) c++;
        if (last <= h[c]) break;
        h[i] = h[c];
        i = c;
    }
    if (m) h[i] = last;
    return top;
}

/* Full Dijkstra from src: ride/link graph g and walking transfers either by their end stop (in_walk: the graph
 * walked backwards) or by their start stop, up to max_walk_s. dist gets LB_FAR where src cannot be reached. */
static void lb_dijkstra(lower_bounds *lb, int g, int in_walk, int32_t max_walk_s, uint32_t src, int32_t *dist) {
    const network_view *v = lb->v;
    const uint32_t S = lb->S;
    const int32_t *tr_secs = lb->tr_secs;
    const uint32_t *begin = lb->g_begin[g];
    const lb_edge *edge = lb->g_edge[g];
    uint64_t *h = lb->heap;
    uint32_t hn = 0;
    for (uint32_t x = 0; x < S; x++) dist[x] = LB_FAR;
    dist[src] = 0;
    lb_heap_push(h, &hn, src);
#define LB_RELAX(y, nd)                                                                                              \
    do {                                                                                                             \
        const int64_t nd_ = (nd);                                                                                    \
        if (nd_ < dist[y]) {                                                                                         \
            dist[y] = (int32_t)nd_;                                                                                  \
            lb_heap_push(h, &hn, (uint64_t)nd_ << 32 | (y));                                                         \
        }                                                                                                            \
    } while (0)
    while (hn) {
        const uint64_t key = lb_heap_pop(h, &hn);
        const uint32_t x = (uint32_t)key;
        const int64_t d = (int64_t)(key >> 32);
        if (d > dist[x]) continue; /* a stale entry */
        for (uint32_t e = begin[x]; e < begin[x + 1]; e++) LB_RELAX(edge[e].to, d + edge[e].w);
        if (in_walk) {
            for (uint32_t q = lb->tin_begin[x]; q < lb->tin_begin[x + 1]; q++) {
                const int32_t w = tr_secs[lb->tin[2 * q + 1]];
                if (w <= max_walk_s) LB_RELAX(lb->tin[2 * q], d + w);
            }
        } else {
            for (uint32_t e = v->transfer_begin[x]; e < v->transfer_begin[x + 1]; e++) {
                const uint32_t y = v->transfers[e].to_stop;
                if (y < S && tr_secs[e] <= max_walk_s) LB_RELAX(y, d + tr_secs[e]);
            }
        }
    }
#undef LB_RELAX
}

/* The landmarks of search direction dir: LM_COUNT stops L spread over the network (each the farthest from those
 * chosen before), with the distances d(x, L) and d(L, x) of every stop x in the direction's graph. Any d(s, t) is
 * then at least d(s, L) − d(t, L) and d(L, t) − d(L, s). 0 if not possible. */
static int lm_build(lower_bounds *lb, int dir, double speed_mps, int32_t max_walk_s, lm_set *set) {
    const network_view *v = lb->v;
    const uint32_t S = lb->S;
    if (!ensure_tr_secs(lb, speed_mps)) return 0;
    if (!set->rows) set->rows = malloc((size_t)2 * LM_COUNT * S * sizeof(int32_t));
    int32_t *score = malloc((size_t)S * sizeof(int32_t));
    if (!set->rows || !score) {
        free(score);
        return 0;
    }
    int32_t *rows = set->rows;
    uint32_t start = UINT32_MAX;
    for (uint32_t x = 0; x < S && start == UINT32_MAX; x++)
        if (v->stop_pattern_begin[x + 1] > v->stop_pattern_begin[x]) start = x;
    if (start == UINT32_MAX) {
        free(score);
        return 0;
    }
    /* the first landmark: the stop farthest from some served stop */
    lb_dijkstra(lb, dir, 1, max_walk_s, start, rows);
    uint32_t lm = start;
    for (uint32_t x = 0; x < S; x++)
        if (rows[x] < LB_FAR && rows[x] > rows[lm] && v->stop_pattern_begin[x + 1] > v->stop_pattern_begin[x]) lm = x;
    for (uint32_t x = 0; x < S; x++) score[x] = 2 * LB_FAR;
    int n = 0;
    while (n < LM_COUNT) {
        int32_t *to = rows + (size_t)n * S, *from = rows + (size_t)(LM_COUNT + n) * S;
        lb_dijkstra(lb, dir, 1, max_walk_s, lm, to);       /* d(x, L): the search graph walked backwards from L */
        lb_dijkstra(lb, 1 - dir, 0, max_walk_s, lm, from); /* d(L, x) */
        n++;
        uint32_t next = UINT32_MAX;
        for (uint32_t x = 0; x < S; x++) {
            const int32_t sc = to[x] + from[x];
            if (sc < score[x]) score[x] = sc;
            if (score[x] < LB_FAR && score[x] > 0 && v->stop_pattern_begin[x + 1] > v->stop_pattern_begin[x] &&
                (next == UINT32_MAX || score[x] > score[next]))
                next = x;
        }
        if (next == UINT32_MAX) break;
        lm = next;
    }
    free(score);
    set->n = n;
    set->speed = speed_mps;
    set->maxw = max_walk_s;
    return 1;
}

/* The landmark set of direction dir for this speed and limit (one built with a larger limit still bounds: more
 * edges only lower distances), built if there is room; NULL if none. */
static const lm_set *lm_find(lower_bounds *lb, int dir, double speed_mps, int32_t max_walk_s) {
    int n = atomic_load_explicit(&lb->n_sets[dir], memory_order_acquire);
    for (int i = 0; i < n; i++)
        if (lb->sets[dir][i].speed == speed_mps && lb->sets[dir][i].maxw >= max_walk_s) return &lb->sets[dir][i];
    const lm_set *found = NULL;
    pthread_mutex_lock(&lb->mu);
    n = atomic_load_explicit(&lb->n_sets[dir], memory_order_relaxed);
    for (int i = 0; i < n && !found; i++)
        if (lb->sets[dir][i].speed == speed_mps && lb->sets[dir][i].maxw >= max_walk_s) found = &lb->sets[dir][i];
    if (!found && n < LM_SETS && lm_build(lb, dir, speed_mps, max_walk_s, &lb->sets[dir][n])) {
        found = &lb->sets[dir][n];
        atomic_store_explicit(&lb->n_sets[dir], n + 1, memory_order_release);
    }
    pthread_mutex_unlock(&lb->mu);
    return found;
}

/* For the best target t: d(s, L) − d(t, L) ≤ d(s, t), so lb(s) = max over L of
 * d(s, L) − max_t (d(t, L) − egress_t), and likewise min_t (d(L, t) + egress_t) − d(L, s). A stop that cannot reach
 * L while every target can cannot reach a target: its LB_FAR-based bound prunes it. */
int lower_bounds_compute(lower_bounds *lb, int dir, double speed_mps, int32_t max_walk_s,
                         const stop_seconds *targets, uint32_t n_targets, int32_t *out) {
    const uint32_t S = lb->S;
    dir = dir ? 1 : 0;
    const lm_set *set = lm_find(lb, dir, speed_mps, max_walk_s);
    if (!set) return 0;
    int32_t min_e = INT32_MAX;
    for (uint32_t i = 0; i < n_targets; i++)
        if (targets[i].stop < S && targets[i].seconds < min_e) min_e = targets[i].seconds;
    if (min_e == INT32_MAX || min_e < -LB_FAR || min_e > LB_FAR) return 0;
    /* per landmark the two offsets; a term that says nothing gets an offset that makes it negative */
    const int n_lm = set->n;
    int32_t c_to[LM_COUNT], c_from[LM_COUNT];
    const int32_t *to[LM_COUNT], *from[LM_COUNT];
    for (int l = 0; l < LM_COUNT; l++) {
        const int use = l < n_lm;
        to[l] = set->rows + (size_t)(use ? l : 0) * S;
        from[l] = set->rows + (size_t)(LM_COUNT + (use ? l : 0)) * S;
        int64_t c1 = -(int64_t)LB_FAR * 4, c2 = (int64_t)LB_FAR * 4;
        int to_ok = use;
        for (uint32_t i = 0; i < n_targets; i++) {
            const uint32_t t = targets[i].stop;
            if (t >= S) continue;
            const int32_t e = targets[i].seconds;
            if (to[l][t] >= LB_FAR) to_ok = 0;
            if ((int64_t)to[l][t] - e > c1) c1 = (int64_t)to[l][t] - e;
            if (from[l][t] < LB_FAR && (int64_t)from[l][t] + e < c2) c2 = (int64_t)from[l][t] + e;
        }
        c_to[l] = to_ok ? (int32_t)c1 : 2 * LB_FAR;
        c_from[l] = use && c2 < LB_FAR ? (int32_t)c2 : -2 * LB_FAR;
    }
    /* one pass over the stops (vectorised): every journey still walks its egress, hence min_e */
    for (uint32_t x = 0; x < S; x++) {
        int32_t m = min_e;
        for (int l = 0; l < LM_COUNT; l++) {
            const int32_t b1 = to[l][x] - c_to[l], b2 = c_from[l] - from[l][x];
            m = b1 > m ? b1 : m;
            m = b2 > m ? b2 : m;
        }
        out[x] = m;
    }
    return 1;
}
