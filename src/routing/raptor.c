/*
 * raptor.c — RAPTOR rounds over the compiled patterns (see raptor.h for the shape and why).
 *
 * A round k reads the labels of round k−1 (at most k−1 trips), scans every pattern serving a stop improved in round
 * k−1 once per relevant service day, then relaxes walking transfers and transfers.txt links from the stops a trip
 * improved. Labels are "at most k trips", copied forward from round k−1 at the start of round k for the stops
 * touched so far (O(touched), not O(stops)), which also keeps range-RAPTOR's labels from later minutes valid.
 * A scan only boards at stops marked in round k−1: an unmarked stop's label is the one its patterns were scanned with
 * in an earlier round or minute, so its rides are already in round k's labels; a ride that such a stop could also
 * catch is dropped there (see scan_scheduled). In range-RAPTOR, where most stops keep their labels from one minute
 * to the next, this halves the work of an analysis.
 * Nearly every pattern is "plain" (monotone times, no transfers.txt rules, no filters): scan_plain reads one packed
 * sequence of stops and the day's trip rows (times shifted to the query's day, in scan order), seeks a marked stop,
 * then rides; a trip this run already rode from an earlier stop with no more walking (already_ridden), or a ride
 * the lower bounds show cannot reach a target in time, goes on as a "ghost" that only looks for an earlier trip.
 * Labels copied forward keep no parent; label_parent finds it where the label was set.
 * One-to-one runs of a long-lived workspace prune with lower bounds to the targets (lower_bounds.h, raptor_ws).
 * One-to-one runs also bound every label by the last trip that can still reach a target (target_last_arrival), and
 * scan the patterns serving a target first in each round, so the round that first reaches a target prunes the rest
 * of its scans already (raptor_ws.pat_target).
 * Ties are broken by less walking, but in a fresh run (raptor_run) only among journeys with as many trips: a label
 * of an earlier round has fewer, so walking less than it on more trips earns no mark, tie or second ride
 * (improve_trip, already_ridden) — 9% of a bydgoszcz query's positions went to such journeys, none of which is
 * ever in the Pareto set.
 * Reverse (arrive-by) searches negate every time: the same comparisons then mean "latest".
 * A journey is access walk, trip, (transfer walk, trip)*, egress walk: egress never follows a transfer walk, so
 * the forward and the reverse search mean the same journeys (a reverse search cannot walk twice at its start).
 */
#include "routing/raptor.h"

#include "routing/lower_bounds.h"
#include "routing/raptor_internal.h"

#include "common/error.h"
#include "common/geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct raptor_pair {
    int32_t trip, foot; /* by a trip; on foot (a walking transfer, a transfers.txt link or the access walk) */
} raptor_pair;

/* A trip already ridden in this run or range step: from which scan position, with how much walking (see
 * already_ridden). The stamp is the run's (raptor_ws.reach_stamp, a multiple of REACH_ROUNDS) plus the round. */
typedef struct raptor_reach {
    uint32_t stamp, pos;
    int32_t walk;
} raptor_reach;
#define REACH_ROUNDS 64u
_Static_assert(RAPTOR_MAX_ROUNDS <= REACH_ROUNDS, "a run's reach stamps hold its rounds");

/* ws->flag bits: what the current search did to a stop (the upper bits are the index's transfers.txt facts,
 * F_RULES … in raptor_internal.h, copied in when the workspace is made) */
enum {
    F_TOUCHED = 1,       /* some label is finite (reset goes through the touched list) */
    F_CHANGED = 2,       /* a label changed in this run / range step */
    F_MARK = 4,          /* improved in the round being computed (its patterns are scanned next round) */
    F_MARK_PREV = 8,     /* improved in the round before: the stops this round's scans start from */
    F_TRIP_MARK = 16,    /* improved by a trip this round (transfers are relaxed from it) */
};
_Static_assert((F_ANY_RULES & 31) == 0, "the query's marks and the index's rule bits share a byte");

/* A search's own state: labels and marks, nothing another thread could share. The index and the day are read
 * through ix and day (shared, raptor_internal.h). */
struct raptor_ws {
    const network_view *v;
    raptor_index *ix;
    raptor_index *own_ix; /* a private index (raptor_ws_create_rounds), freed with the workspace */
    raptor_day *day;      /* the current query's day (held: raptor_day_acquire) */
    uint32_t n_stops;
    /* labels, round-major: [round * n_stops + stop]; a stop's two arrivals (by trip, on foot) share 8 bytes because
     * every boarding test reads both, and the walking seconds (tie-break only) live apart so the hot loop does not
     * pull them into the cache */
    raptor_pair *arr, *walked;
    raptor_parent *par_trip, *par_walk;
    /* stops with any finite label (for reset and copy-forward) */
    uint32_t *touched;
    uint32_t n_touched;
    /* stops whose labels changed since the current run / range step began: only they can break "round k ≤ round
     * k−1", so copying labels forward visits them instead of every touched stop (in range-RAPTOR most stops keep
     * the labels of the later minute, and copying all of them each round was a quarter of an analysis origin) */
    uint32_t *changed;
    uint32_t n_changed;
    /* stops improved in the current / previous round; stops improved by a trip in the current round */
    uint32_t *marked_prev, *marked_cur, *trip_marked;
    uint32_t n_marked_prev, n_marked_cur, n_trip_marked;
    /* per stop, the F_* bits: one byte (one cache line for 64 stops) instead of a byte array per flag, since an
     * improvement tests and sets several of them for the same stop */
    uint8_t *flag;
    /* patterns to scan this round, with the first scan index */
    /* per pattern, the first and last marked position in scan order (first = UINT32_MAX: not listed), side by side
     * because collecting reads both for the same pattern */
    struct pat_span { uint32_t first, last; } *pat_span;
    uint32_t *pat_list;
    uint32_t n_pat_list;
    /* per pattern: it stops at one of this run's targets. Collecting lists such patterns first in a round, so the
     * round that first reaches a target does so before its other scans, and they are pruned already (in the
     * marked stops' order, many of that round's scans came before the target was reached) */
    uint8_t *pat_target;
    /* per running trip of a day offset (the day's trip_base + virtual index), where the current run or range step
     * first rode it (entries of older stamps are void) */
    raptor_reach *reach[N_OFFSETS];
    uint32_t reach_stamp;
    /* egress of the current targets */
    int32_t *egress;
    uint32_t *target_list;
    uint32_t n_targets;
    /* walking seconds of every transfer at tr_speed: the index's (shared), or own_tr at a speed it keeps no more */
    const int32_t *tr_secs;
    int32_t *own_tr;
    double tr_speed;
    int n_rounds; /* label rounds allocated: max trips + 1 */
    int rounds_run;
    int max_round_used; /* the highest round written since the last reset */
    int rev;
    int lean; /* this range step keeps arrival times only (raptor_params.times_only) */
    int fresh; /* a run from reset labels (raptor_run): round k holds nothing before round k is computed */
    /* no label walks less than this (min of 0 and every access seconds seeded since the last reset): a trip ridden
     * with this much walking cannot be re-boarded with less, so the tie-break check is skipped */
    int32_t min_walk;
    int use_d; /* this run scans day offset D alone */
    /* One-to-one runs: lower bounds to the targets (lower_bounds.h). Once a target is reached at tbest (egress
     * included), a label a at stop s with a + lb[s] > tbest cannot be part of a journey as good as the one found:
     * it is not set, and boarding, riding on (the ride is "dead" from there), collecting patterns and relaxing
     * transfers from it are skipped. Strict ">": journeys tying the best keep their labels; since lb never exceeds
     * the time still needed, every round's best target arrival is what it would be without this. The bounds'
     * graph and landmarks cost about as much as a few dozen queries, so they are built (once, in the index) only
     * from a workspace's LB_AFTER_RUNS + 1st one-to-one run on: a one-off route command never pays. */
    int lb_state;        /* 0 not asked yet, 1 usable, -1 not usable on this network */
    int32_t *lb;         /* per stop: this query's bounds */
    stop_seconds *lb_targets;
    int lb_ready;        /* 1: lb holds this query's bounds; 0: not yet; -1: not for this query */
    int32_t tbest;       /* best target arrival of this run so far, egress included */
    uint64_t target_runs; /* one-to-one runs of this workspace */
    raptor_stats stats;
};
#define LB_AFTER_RUNS 2

/* ---------------------------------------------------------------- workspace ------------------------------------ */

/* Labels for n_rounds rounds (the rounds added unreached). 0 if out of memory (the labels held stay usable). */
static int alloc_labels(raptor_ws *ws, int n_rounds) {
    const size_t S = ws->n_stops ? ws->n_stops : 1;
    const size_t old = ws->arr ? (size_t)ws->n_rounds * S : 0, cells = (size_t)n_rounds * S;
    if (!old) { /* zeroed pages: those of rounds a search never reaches are never made resident */
        ws->walked = calloc(cells, sizeof *ws->walked);
        ws->par_trip = calloc(cells, sizeof *ws->par_trip);
        ws->par_walk = calloc(cells, sizeof *ws->par_walk);
        ws->arr = malloc(cells * sizeof *ws->arr);
        if (!ws->walked || !ws->par_trip || !ws->par_walk || !ws->arr) return 0;
    } else {
        raptor_pair *arr = realloc(ws->arr, cells * sizeof *arr);
        if (arr) ws->arr = arr;
        raptor_pair *walked = arr ? realloc(ws->walked, cells * sizeof *walked) : NULL;
        if (walked) ws->walked = walked;
        raptor_parent *pt = walked ? realloc(ws->par_trip, cells * sizeof *pt) : NULL;
        if (pt) ws->par_trip = pt;
        raptor_parent *pw = pt ? realloc(ws->par_walk, cells * sizeof *pw) : NULL;
        if (pw) ws->par_walk = pw;
        if (!pw) return 0;
        memset(ws->walked + old, 0, (cells - old) * sizeof *ws->walked);
        memset(ws->par_trip + old, 0, (cells - old) * sizeof *ws->par_trip);
        memset(ws->par_walk + old, 0, (cells - old) * sizeof *ws->par_walk);
    }
    for (size_t i = old; i < cells; i++) ws->arr[i] = (raptor_pair){RAPTOR_INF, RAPTOR_INF};
    ws->n_rounds = n_rounds;
    return 1;
}

static int clamp_trips(int max_trips) {
    if (max_trips < 1) return 1;
    return max_trips > RAPTOR_MAX_ROUNDS - 1 ? RAPTOR_MAX_ROUNDS - 1 : max_trips;
}

tc_status raptor_ws_create_shared(raptor_index *ix, int max_trips, raptor_ws **out, tc_error *err) {
    *out = NULL;
    max_trips = clamp_trips(max_trips);
    raptor_ws *ws = calloc(1, sizeof *ws);
    if (!ws) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (routing workspace)");
    const network_view *v = ix->v;
    ws->v = v;
    ws->ix = ix;
    const uint32_t S = v->n_stops, P = v->n_patterns;
    ws->n_stops = S;
    ws->touched = malloc((S + 1) * sizeof(uint32_t));
    ws->changed = malloc((S + 1) * sizeof(uint32_t));
    ws->marked_prev = malloc((S + 1) * sizeof(uint32_t));
    ws->marked_cur = malloc((S + 1) * sizeof(uint32_t));
    ws->trip_marked = malloc((S + 1) * sizeof(uint32_t));
    ws->flag = malloc(S + 1);
    ws->pat_span = malloc((P + 1) * sizeof *ws->pat_span);
    ws->pat_list = malloc((P + 1) * sizeof(uint32_t));
    ws->pat_target = calloc(P + 1, 1);
    ws->egress = malloc((S + 1) * sizeof(int32_t));
    ws->target_list = malloc((S + 1) * sizeof(uint32_t));
    if (!alloc_labels(ws, max_trips + 1) || !ws->touched || !ws->changed || !ws->flag || !ws->marked_prev ||
        !ws->marked_cur || !ws->trip_marked || !ws->pat_span || !ws->pat_list || !ws->pat_target || !ws->egress ||
        !ws->target_list) {
        raptor_ws_free(ws);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (routing workspace)");
    }
    memcpy(ws->flag, ix->stop_rules, S + 1);
    for (uint32_t s = 0; s <= S; s++) ws->egress[s] = RAPTOR_INF;
    for (uint32_t p = 0; p < P; p++) ws->pat_span[p].first = UINT32_MAX;
    ws->max_round_used = 0;
    ws->n_touched = 0;
    *out = ws;
    return TC_OK;
}

tc_status raptor_ws_create(const network_view *v, raptor_ws **out, tc_error *err) {
    return raptor_ws_create_rounds(v, RAPTOR_DEFAULT_ROUNDS, out, err);
}

tc_status raptor_ws_create_rounds(const network_view *v, int max_trips, raptor_ws **out, tc_error *err) {
    *out = NULL;
    raptor_index *ix = NULL;
    tc_status st = raptor_index_create(v, &ix, err);
    if (st == TC_OK) st = raptor_ws_create_shared(ix, max_trips, out, err);
    if (st != TC_OK) {
        raptor_index_free(ix);
        return st;
    }
    (*out)->own_ix = ix;
    return TC_OK;
}

static void reset_labels(raptor_ws *ws);

tc_status raptor_ws_reserve(raptor_ws *ws, int max_trips, tc_error *err) {
    max_trips = clamp_trips(max_trips);
    if (max_trips + 1 <= ws->n_rounds) return TC_OK;
    reset_labels(ws); /* (the rounds kept are all unreached again; the new ones start so) */
    if (!alloc_labels(ws, max_trips + 1))
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (routing workspace)");
    return TC_OK;
}

int raptor_ws_max_trips(const raptor_ws *ws) { return ws->n_rounds - 1; }

size_t raptor_ws_bytes(const raptor_ws *ws) {
    const size_t S = ws->n_stops + 1, P = ws->v->n_patterns + 1;
    size_t b = sizeof *ws + (size_t)ws->n_rounds * (S - 1 ? S - 1 : 1) *
                                (2 * sizeof(raptor_pair) + 2 * sizeof(raptor_parent));
    b += S * (5 * sizeof(uint32_t) + 1 + sizeof(int32_t) + sizeof(uint32_t)); /* lists, flags, egress, targets */
    b += P * (sizeof(struct pat_span) + sizeof(uint32_t) + 1);
    for (int o = 0; o < N_OFFSETS; o++)
        if (ws->reach[o]) b += ((size_t)ws->v->n_trips + 1) * sizeof(raptor_reach);
    if (ws->lb) b += S * (sizeof(int32_t) + sizeof(stop_seconds));
    if (ws->own_tr) b += (size_t)ws->v->n_transfers * sizeof(int32_t);
    return b;
}

void raptor_ws_free(raptor_ws *ws) {
    if (!ws) return;
    free(ws->arr);
    free(ws->walked);
    free(ws->par_trip);
    free(ws->par_walk);
    free(ws->touched);
    free(ws->changed);
    free(ws->own_tr);
    free(ws->marked_prev);
    free(ws->marked_cur);
    free(ws->trip_marked);
    free(ws->flag);
    free(ws->pat_span);
    free(ws->pat_list);
    free(ws->pat_target);
    for (int o = 0; o < N_OFFSETS; o++) free(ws->reach[o]);
    free(ws->egress);
    free(ws->target_list);
    free(ws->lb);
    free(ws->lb_targets);
    if (ws->ix) raptor_day_release(ws->ix, ws->day);
    raptor_index_free(ws->own_ix);
    free(ws);
}

/* ---------------------------------------------------------------- transfers.txt --------------------------------- */

static int rule_matches_trips(const network_view *v, const net_transfer_rule *r, uint32_t from_trip,
                              uint32_t to_trip) {
    if (r->from_trip != TC_NONE && r->from_trip != from_trip) return 0;
    if (r->to_trip != TC_NONE && r->to_trip != to_trip) return 0;
    if (r->from_route != TC_NONE && (from_trip == TC_NONE || v->trips[from_trip].route != r->from_route)) return 0;
    if (r->to_route != TC_NONE && (to_trip == TC_NONE || v->trips[to_trip].route != r->to_route)) return 0;
    return 1;
}

static int rule_specificity(const net_transfer_rule *r) {
    return (r->from_trip != TC_NONE) * 16 + (r->to_trip != TC_NONE) * 16 + (r->from_route != TC_NONE) * 4 +
           (r->to_route != TC_NONE) * 4 + (r->from_stop != TC_NONE) + (r->to_stop != TC_NONE);
}

static int32_t rule_time(const net_transfer_rule *r, int32_t floor_s) {
    switch (r->type) {
    case 1: return 0; /* timed: no floor */
    case 2: return r->min_transfer_time > floor_s ? r->min_transfer_time : floor_s;
    case 3: return -1;
    default: return r->min_transfer_time > floor_s ? r->min_transfer_time : floor_s;
    }
}

/* The transfers.txt rule that applies to a change at stop from from_trip to to_trip (NULL: none). */
static const net_transfer_rule *change_rule(const raptor_ws *ws, uint32_t stop, uint32_t from_trip,
                                            uint32_t to_trip) {
    const network_view *v = ws->v;
    if (!(ws->flag[stop] & F_RULES)) return NULL;
    uint32_t par = v->stops[stop].parent;
    const net_transfer_rule *best = NULL;
    int best_score = -1;
    uint32_t owners[3] = {stop, par, TC_NONE};
    for (int o = 0; o < 3; o++) {
        uint32_t b, e;
        if (owners[o] == TC_NONE) {
            if (o < 2) continue;
            b = v->transfer_rule_begin[v->n_stops];
            e = v->n_transfer_rules;
        } else {
            if (owners[o] >= v->n_stops) continue;
            b = v->transfer_rule_begin[owners[o]];
            e = v->transfer_rule_begin[owners[o] + 1];
        }
        for (uint32_t i = b; i < e; i++) {
            const net_transfer_rule *r = &v->transfer_rules[i];
            if (r->to_stop != TC_NONE && r->to_stop != stop && r->to_stop != par) continue;
            if (!rule_matches_trips(v, r, from_trip, to_trip)) continue;
            int sc = rule_specificity(r);
            if (sc > best_score) {
                best_score = sc;
                best = r;
            }
        }
    }
    return best;
}

int32_t raptor_change_time(const raptor_ws *ws, uint32_t stop, uint32_t from_trip, uint32_t to_trip,
                           int32_t floor_s) {
    const net_transfer_rule *best = change_rule(ws, stop, from_trip, to_trip);
    return best ? rule_time(best, floor_s) : floor_s;
}

/* Ties (raptor_parent.board_kind): a ride boarded from a trip over a transfers.txt type 1 (timed) transfer carries
 * RAPTOR_BOARD_TIMED, and of two labels equal in time and walking set in the same round the timed one wins — of two
 * journeys arriving at once with as many transfers, the planner prefers the change the operator guarantees. */
#define RAPTOR_BOARD_TIMED 0x80u
static inline uint8_t timed_kind(const raptor_ws *ws, uint32_t stop, uint32_t from_trip, uint32_t to_trip) {
    const net_transfer_rule *r = change_rule(ws, stop, from_trip, to_trip);
    return r && r->type == 1 ? RAPTOR_BOARD_TIMED : 0;
}

/* ---------------------------------------------------------------- labels --------------------------------------- */

/* The parent of label (k, s). A label copied forward keeps no parent (copy_forward): its parent is where it was set,
 * the lowest round of the run of equal labels (time and walking) that ends at k — a label set in round k differs
 * from round k−1's, since it had to beat the copy. Times-only steps keep no walking and no parents but the trip at
 * transfers.txt stops, which they do copy. */
static inline const raptor_parent *label_parent(const raptor_ws *ws, int k, uint32_t s, int by_trip) {
    const size_t S = ws->n_stops;
    if (!ws->lean)
        for (; k > 0; k--) {
            const size_t a = (size_t)(k - 1) * S + s, b = (size_t)k * S + s;
            if (by_trip ? ws->arr[a].trip != ws->arr[b].trip || ws->walked[a].trip != ws->walked[b].trip
                        : ws->arr[a].foot != ws->arr[b].foot || ws->walked[a].foot != ws->walked[b].foot)
                break;
        }
    return by_trip ? &ws->par_trip[(size_t)k * S + s] : &ws->par_walk[(size_t)k * S + s];
}

static inline void touch(raptor_ws *ws, uint32_t s) {
    const uint8_t f = ws->flag[s];
    if ((f & (F_TOUCHED | F_CHANGED)) == (F_TOUCHED | F_CHANGED)) return;
    if (!(f & F_TOUCHED)) ws->touched[ws->n_touched++] = s;
    if (!(f & F_CHANGED)) ws->changed[ws->n_changed++] = s;
    ws->flag[s] = f | F_TOUCHED | F_CHANGED;
}

static void clear_changed(raptor_ws *ws) {
    for (uint32_t i = 0; i < ws->n_changed; i++) ws->flag[ws->changed[i]] &= (uint8_t)~F_CHANGED;
    ws->n_changed = 0;
}

static inline void mark(raptor_ws *ws, uint32_t s) {
    if (!(ws->flag[s] & F_MARK)) {
        ws->flag[s] |= F_MARK;
        ws->marked_cur[ws->n_marked_cur++] = s;
    }
}

/* Flag (or unflag) the patterns that stop at target t (see raptor_ws.pat_target). */
static void set_pat_target(raptor_ws *ws, uint32_t t, uint8_t on) {
    const network_view *v = ws->v;
    for (uint32_t e = v->stop_pattern_begin[t]; e < v->stop_pattern_begin[t + 1]; e++)
        ws->pat_target[v->stop_patterns[e].pattern] = on;
}

static void reset_labels(raptor_ws *ws) {
    uint32_t S = ws->n_stops;
    /* most stops touched (a one-to-one query on a city network): filling whole rows is a few vector stores per
     * cache line, where clearing stop by stop was a scattered store per stop and round */
    const int rows = (uint64_t)ws->n_touched * 8 > S;
    if (rows) {
        const size_t n = ((size_t)ws->max_round_used + 1) * S;
        for (size_t i = 0; i < n; i++) ws->arr[i] = (raptor_pair){RAPTOR_INF, RAPTOR_INF};
    }
    for (uint32_t i = 0; i < ws->n_touched; i++) {
        uint32_t s = ws->touched[i];
        if (!rows)
            for (int k = 0; k <= ws->max_round_used; k++)
                ws->arr[(size_t)k * S + s] = (raptor_pair){RAPTOR_INF, RAPTOR_INF};
        ws->flag[s] &= (uint8_t)~F_TOUCHED;
    }
    ws->n_touched = 0;
    clear_changed(ws);
    ws->max_round_used = 0;
    ws->min_walk = 0;
    for (uint32_t i = 0; i < ws->n_targets; i++) {
        const uint32_t t = ws->target_list[i];
        ws->egress[t] = RAPTOR_INF;
        set_pat_target(ws, t, 0);
    }
    ws->n_targets = 0;
    ws->lb_ready = 0;
}

/* The query's day (direction and board slack included): the one held, or the index's. 0 if out of memory. */
static int use_day(raptor_ws *ws, int32_t day, int rev, int32_t slack) {
    raptor_day *d = ws->day;
    if (d && d->day == day && d->rev == rev && d->slack == slack) return 1;
    raptor_day *nd = raptor_day_acquire(ws->ix, day, rev, slack);
    if (!nd) return 0;
    raptor_day_release(ws->ix, d);
    ws->day = nd;
    return 1;
}

/* Copy the labels of round k−1 into round k where they are better (labels mean "at most k trips"). Parents are not
 * copied (they were most of the memory this moved): see label_parent. */
static void copy_forward(raptor_ws *ws, int k) {
    uint32_t S = ws->n_stops;
    size_t a = (size_t)(k - 1) * S, b = (size_t)k * S;
    if (ws->fresh && !ws->lean) {
        /* round k is empty yet: a plain copy, of whole rows when most stops changed (sequential, where the changed
         * list scatters) — ULTRA's RAPTOR copies the round's whole array too */
        if ((uint64_t)ws->n_changed * 8 > S) {
            memcpy(ws->arr + b, ws->arr + a, S * sizeof *ws->arr);
            memcpy(ws->walked + b, ws->walked + a, S * sizeof *ws->walked);
        } else {
            for (uint32_t i = 0; i < ws->n_changed; i++) {
                const uint32_t s = ws->changed[i];
                ws->arr[b + s] = ws->arr[a + s];
                ws->walked[b + s] = ws->walked[a + s];
            }
        }
        return;
    }
    if (ws->lean) {
        raptor_pair *from = ws->arr + a, *to = ws->arr + b;
        for (uint32_t i = 0; i < ws->n_changed; i++) {
            const uint32_t s = ws->changed[i];
            if (from[s].trip < to[s].trip) {
                to[s].trip = from[s].trip;
                if (ws->flag[s] & F_ANY_RULES) ws->par_trip[b + s].ref = ws->par_trip[a + s].ref;
            }
            if (from[s].foot < to[s].foot) to[s].foot = from[s].foot;
        }
        return;
    }
    for (uint32_t i = 0; i < ws->n_changed; i++) {
        uint32_t s = ws->changed[i];
        if (ws->arr[a + s].trip < ws->arr[b + s].trip ||
            (ws->arr[a + s].trip == ws->arr[b + s].trip && ws->arr[a + s].trip != RAPTOR_INF &&
             ws->walked[a + s].trip < ws->walked[b + s].trip)) {
            ws->arr[b + s].trip = ws->arr[a + s].trip;
            ws->walked[b + s].trip = ws->walked[a + s].trip;
        }
        if (ws->arr[a + s].foot < ws->arr[b + s].foot ||
            (ws->arr[a + s].foot == ws->arr[b + s].foot && ws->arr[a + s].foot != RAPTOR_INF &&
             ws->walked[a + s].foot < ws->walked[b + s].foot)) {
            ws->arr[b + s].foot = ws->arr[a + s].foot;
            ws->walked[b + s].foot = ws->walked[a + s].foot;
        }
    }
}

/* ---------------------------------------------------------------- pattern scans -------------------------------- */

typedef struct scan_ctx {
    raptor_ws *ws;
    const raptor_params *p;
    int k;           /* round being computed */
    int32_t bound;   /* labels must be < bound (search sense) */
    int32_t tbest;   /* best target arrival so far, egress included (RAPTOR_INF: none yet) */
    const int32_t *lb; /* lower bounds to the targets, NULL until computed (see raptor_ws) */
    const uint8_t *active; /* services of this day offset */
    const uint32_t *act_trips, *act_count;
    const int32_t *col;        /* position-major boarding times of this offset (scan order, shifted), or NULL */
    const raptor_event *rows;  /* trip-major events of this offset (with col) */
    const uint64_t *col_begin;
    const uint32_t *trip_base; /* (with col) */
    raptor_reach *reach;
    const raptor_reach *pat_reach; /* (scan_plain) the scanned pattern's entries of reach, and its trips' events */
    const raptor_event *pat_ev;
    uint32_t pat_n;
    int32_t shift;
} scan_ctx;

/* Was label i = (k, s) (by trip, or on foot) set in round k itself, not copied from round k − 1? (A label of round k
 * that ties the time of round k − 1 walks less.) */
static inline int set_this_round(const raptor_ws *ws, size_t i, int foot) {
    const size_t pi = i - ws->n_stops;
    return foot ? ws->arr[i].foot < ws->arr[pi].foot || ws->walked[i].foot < ws->walked[pi].foot
                : ws->arr[i].trip < ws->arr[pi].trip || ws->walked[i].trip < ws->walked[pi].trip;
}

/* Try to improve the trip label of (k, s). */
static inline __attribute__((always_inline)) void improve_trip(scan_ctx *c, int32_t *bound, uint32_t s, int32_t a,
                                                               int32_t walk, uint32_t trip, int32_t shift,
                                                               uint32_t board_pos, uint32_t alight_pos,
                                                               uint8_t board_kind, const int lean) {
    raptor_ws *ws = c->ws;
    size_t i = (size_t)c->k * ws->n_stops + s;
    int earlier = 1;
    if (lean) { /* times only: no tie-break, and the trip is kept only where transfers.txt rules need it */
        if (a >= ws->arr[i].trip || a >= *bound) return;
        if (c->p->stop_ok && !c->p->stop_ok[s]) return;
        ws->arr[i].trip = a;
        if (ws->flag[s] & F_ANY_RULES) ws->par_trip[i].ref = trip;
    } else {
        if (a > ws->arr[i].trip) return;
        /* (a ride over a timed transfer may tie the best target arrival: see RAPTOR_BOARD_TIMED) */
        if (a >= *bound && !((board_kind & RAPTOR_BOARD_TIMED) && a == *bound && ws->egress[s] != RAPTOR_INF &&
                             a + ws->egress[s] == c->tbest))
            return;
        /* a tie walks less; in a fresh run only against a label of this round: against an older one (fewer trips),
         * a journey through it has one with fewer trips at the same times (see the marks below) — except where
         * transfers.txt rules make the trip arrived on matter */
        if (a == ws->arr[i].trip &&
            (walk > ws->walked[i].trip ||
             (walk == ws->walked[i].trip &&
              !((board_kind & RAPTOR_BOARD_TIMED) && set_this_round(ws, i, 0) &&
                !(ws->par_trip[i].board_kind & RAPTOR_BOARD_TIMED))) ||
             (ws->fresh && !(ws->flag[s] & F_ANY_RULES) && !set_this_round(ws, i, 0))))
            return;
        if (c->lb && a + c->lb[s] > c->tbest) return; /* cannot be part of a journey as good as the best found */
        if (c->p->stop_ok && !c->p->stop_ok[s]) return;
        earlier = a < ws->arr[i].trip;
        ws->arr[i].trip = a;
        ws->walked[i].trip = walk;
        ws->par_trip[i] = (raptor_parent){.ref = trip,
                                          .shift = shift,
                                          .board_pos = (uint16_t)board_pos,
                                          .alight_pos = (uint16_t)alight_pos,
                                          .kind = RAPTOR_BY_TRIP,
                                          .board_kind = board_kind,
                                          .round = (uint16_t)c->k};
        if (ws->egress[s] != RAPTOR_INF) {
            const int32_t at_target = a + ws->egress[s];
            if (at_target < c->tbest) c->tbest = at_target;
            if (at_target < *bound) *bound = at_target;
        }
    }
    ws->stats.labels_improved++;
    /* touch, mark and trip-mark on one copy of the stop's flags, stored once (the lists' stores could alias them) */
    uint8_t f = ws->flag[s];
    if (!(f & F_TOUCHED)) ws->touched[ws->n_touched++] = s;
    if (!(f & F_CHANGED)) ws->changed[ws->n_changed++] = s;
    f |= F_TOUCHED | F_CHANGED;
    /* less walking at the same time is kept, but rescanning the stop's patterns for it would cost ~10% of a
     * query (measured on bydgoszcz) for a tie-break only; patterns scanned anyway see the better label */
    /* nor when boarding from here gains nothing: the foot label already catches every trip the new one does
     * (ready = min(foot, trip + floor) is unchanged; a stop under transfers.txt rules depends on which trip) — a
     * trip often reaches a stop a walk reached in an earlier round.
     * Even when the new label walks less: in a fresh run the foot label is from an earlier round (this round's
     * walks come after its scans), so every ride boarded with the new label is one the foot label boards with
     * fewer trips, arriving at the same times. A journey through such a ride arrives no earlier than one with
     * fewer trips, so it is never one of the Pareto set's journeys: rescanning for it was 8% of the positions of a
     * bydgoszcz query. In a range step the foot label may be from a later minute with as many trips, so there the
     * stop is marked for the walking too. */
    if (earlier && !(f & F_MARK)) {
        const int32_t foot = ws->arr[i].foot;
        if ((f & F_RULES) || foot > a + c->p->min_transfer_s ||
            (!lean && !ws->fresh && ws->walked[i].foot > walk)) {
            f |= F_MARK;
            ws->marked_cur[ws->n_marked_cur++] = s;
        }
    }
    if (!(f & F_TRIP_MARK)) {
        f |= F_TRIP_MARK;
        ws->trip_marked[ws->n_trip_marked++] = s;
    }
    ws->flag[s] = f;
}

#define TRIP_USABLE(c, trip) ((c)->active[(c)->ws->v->trips[trip].service] && (!(c)->p->trip_ok || (c)->p->trip_ok[trip]))

/* Which label of round k−1 at s (its labels pl) catches trip `trip` leaving at d, preferring less walking: returns
 * the walking seconds it carries (lean: 0) and sets *kind (RAPTOR_BY_TRIP, maybe with RAPTOR_BOARD_TIMED, or
 * RAPTOR_BY_WALK); RAPTOR_INF when none does (e.g. a forbidden transfer). complex: transfers.txt rules apply at s. */
static inline __attribute__((always_inline)) int32_t catching_label(scan_ctx *c, uint32_t s, raptor_pair pl,
                                                                    uint32_t trip, int32_t d, int complex,
                                                                    uint8_t *kind, const int rev, const int lean) {
    raptor_ws *ws = c->ws;
    const int32_t lt = pl.trip, lw = pl.foot, floor_s = c->p->min_transfer_s;
    const size_t li = (size_t)(c->k - 1) * ws->n_stops + s;
    if (lean) { /* any label that catches it will do */
        if (lw <= d) return 0;
        if (lt == RAPTOR_INF) return RAPTOR_INF;
        const int32_t chg = !complex ? floor_s
                            : rev    ? raptor_change_time(ws, s, trip, label_parent(ws, c->k - 1, s, 1)->ref, floor_s)
                                     : raptor_change_time(ws, s, label_parent(ws, c->k - 1, s, 1)->ref, trip, floor_s);
        return chg >= 0 && lt + chg <= d ? 0 : RAPTOR_INF;
    }
    int32_t best_w = RAPTOR_INF;
    if (lw != RAPTOR_INF && lw <= d) {
        best_w = ws->walked[li].foot;
        *kind = RAPTOR_BY_WALK; /* (on foot: a journey reads which kind from the foot label itself) */
    }
    if (lt != RAPTOR_INF) {
        int32_t chg = floor_s;
        uint8_t timed = 0;
        if (complex) {
            uint32_t lab_trip = label_parent(ws, c->k - 1, s, 1)->ref;
            chg = rev ? raptor_change_time(ws, s, trip, lab_trip, floor_s)
                      : raptor_change_time(ws, s, lab_trip, trip, floor_s);
            timed = rev ? timed_kind(ws, s, trip, lab_trip) : timed_kind(ws, s, lab_trip, trip);
        }
        if (chg >= 0 && lt + chg <= d && (ws->walked[li].trip < best_w || (timed && ws->walked[li].trip == best_w))) {
            best_w = ws->walked[li].trip;
            *kind = (uint8_t)(RAPTOR_BY_TRIP | timed);
        }
    }
    return best_w;
}

/* Scheduled pattern pt on one day offset. Virtual trip index vt: forward = real index, reverse = n_trips−1−real,
 * so departures (search sense) never decrease with vt. */
static inline __attribute__((always_inline)) void scan_scheduled(scan_ctx *c, const net_pattern *pt,
                                                                 uint32_t first, uint32_t last, const int rev,
                                                                 const int use_col, const int lean) {
    raptor_ws *ws = c->ws;
    const network_view *v = ws->v;
    const uint32_t n = pt->n_stops, S = ws->n_stops;
    const uint32_t pidx = (uint32_t)(pt - v->patterns);
    const uint32_t nt = c->act_count[pidx];
    const uint32_t *act = c->act_trips + pt->trips_begin;
    const net_stop_time *st = v->stop_times + pt->times_begin;
    const uint32_t *stops = v->pattern_stops + pt->stops_begin;
    const uint8_t *fl = v->pattern_stop_flags + pt->stops_begin;
    const uint8_t board_block = rev ? TC_NO_DROPOFF : TC_NO_PICKUP;
    const uint8_t alight_block = rev ? TC_NO_PICKUP : TC_NO_DROPOFF;
    const int32_t shift = c->shift;
    const raptor_pair *prev = ws->arr + (size_t)(c->k - 1) * S;
    const int32_t floor_s = c->p->min_transfer_s;
    /* (DEPS_ST and the alighting below: as raptor_index.c lays out the columns) */
    const int32_t slack = c->p->board_slack_s;
    const uint32_t tb = pt->trips_begin;

#define REAL(vt) (act[rev ? nt - 1 - (vt) : (vt)])
#define DEPS_ST(vt, j) (rev ? -(st[(uint64_t)REAL(vt) * n + (j)].arrival + shift) : st[(uint64_t)REAL(vt) * n + (j)].departure + shift - slack)
    /* use_col is a compile-time constant: the usual path (columns built) carries no "which layout" branch */
#define DEPS(vt, j) (use_col ? colp[(uint64_t)i * nt + (vt)] : DEPS_ST(vt, j)) /* columns: scan order, shifted */
    const int32_t *colp = use_col ? c->col + c->col_begin[pidx] : NULL;
    const raptor_event *rowap = use_col ? c->rows + c->col_begin[pidx] : NULL;
    const uint8_t *trip_ok = c->p->trip_ok;
    const int32_t min_walk = ws->min_walk;
    /* the builder marks patterns whose times never go down (network.h); only those may skip a hopeless boarding */
    const int monotone = (v->patterns[pidx].flags & TC_PATTERN_MONOTONE) != 0;
    const raptor_event *arow = NULL; /* the ridden trip's events in rows */

    ws->stats.positions_scanned += n - first;
    uint32_t cur = UINT32_MAX; /* virtual index of the trip being ridden */
    const net_stop_time *row = st; /* its stop times */
    int32_t bound = c->bound;        /* a local: stores into the label arrays cannot alias it */
    const uint8_t *stop_ok = c->p->stop_ok;
    int32_t cur_walk = 0;
    uint32_t board_pos = 0;
    uint8_t board_kind = 0;
    for (uint32_t i = first; i < n; i++) {
        const uint32_t j = rev ? n - 1 - i : i;
        const uint32_t s = stops[j];
        if (cur != UINT32_MAX && !(fl[j] & alight_block)) {
            int32_t a = use_col ? arow[i].alight : rev ? -(row[j].departure + shift) + slack : row[j].arrival + shift;
            if (a < bound || (a == bound && (board_kind & RAPTOR_BOARD_TIMED)))
                improve_trip(c, &bound, s, a, cur_walk, tb + REAL(cur), shift, board_pos, j, board_kind, lean);
        }
        if (fl[j] & board_block) continue;
        /* A stop not improved in round k−1 (unmarked) has had its label since its patterns were last scanned in
         * round k, so whatever it can catch was ridden from it then and those arrivals are in round k's labels
         * already (copied forward in range-RAPTOR): boarding there is pointless, and once it can catch the ridden
         * trip or an earlier one, riding on can only repeat them — drop the trip and go on only to the next marked
         * stop. Stops under transfers.txt rules keep the full check (their change time depends on the trip). */
        const uint8_t sf = ws->flag[s];
        const int unmarked = !(sf & (F_MARK_PREV | F_RULES));
        if (unmarked && cur == UINT32_MAX) {
            if (i > last) break;
            continue;
        }
        const raptor_pair pl = prev[s];
        const int32_t lt = pl.trip, lw = pl.foot;
        if (lt == RAPTOR_INF && lw == RAPTOR_INF) continue;
        if (stop_ok && !stop_ok[s]) continue;
        const int32_t cur_dep = cur != UINT32_MAX ? DEPS(cur, j) : RAPTOR_INF;
        const uint32_t hi = cur != UINT32_MAX ? cur + 1 : nt;
        const int complex = (sf & F_RULES) && lt != RAPTOR_INF;
        int32_t ready_t = RAPTOR_INF;
        if (lt != RAPTOR_INF && !complex) ready_t = lt + floor_s;
        int32_t ready = lw < ready_t ? lw : ready_t;
        if (complex && lt < ready) ready = lt; /* rules may allow less than the floor (type 1) */
        if (ready > cur_dep) continue;
        if (lean && unmarked) { /* (riding) it catches ours or earlier: see above */
            cur = UINT32_MAX;
            if (i > last) break;
            continue;
        }
        /* a trip boarded here leaves at ≥ ready, so it arrives anywhere at ≥ bound: no label could improve (and the
         * trip ridden leaves here at ≥ ready too) */
        if (ready >= bound && monotone) continue;
        /* first trip with departure ≥ ready (binary search, then skip trips not running or filtered); when the trip
         * before the current one leaves too early, the current one stays the earliest and only walking can differ */
        uint32_t lo = 0, h = hi;
        if (cur != UINT32_MAX && (cur == 0 || DEPS(cur - 1, j) < ready)) {
            /* the same trip: only less walking could change it */
            if (lean || cur_walk <= min_walk) continue;
            lo = h = cur;
        } else {
            ws->stats.trip_searches++;
        }
        while (lo < h) {
            ws->stats.trip_probes++;
            uint32_t mid = (lo + h) >> 1;
            if (DEPS(mid, j) < ready) lo = mid + 1;
            else h = mid;
        }
        for (uint32_t vt = lo; vt < hi; vt++) {
            const uint32_t trip = tb + REAL(vt);
            if (trip_ok && !trip_ok[trip]) continue;
            uint8_t kind = 0;
            const int32_t best_w = catching_label(c, s, pl, trip, DEPS(vt, j), complex, &kind, rev, lean);
            if (best_w == RAPTOR_INF) continue; /* e.g. forbidden transfer: try the next trip */
            if (unmarked) { /* (riding) the ride from here is in the labels: drop ours unless it walks less */
                if (vt < cur || (vt == cur && best_w <= cur_walk)) cur = UINT32_MAX;
                break;
            }
            if (vt < cur || cur == UINT32_MAX || (vt == cur && best_w < cur_walk)) {
                cur = vt;
                row = st + (uint64_t)REAL(vt) * n;
                if (use_col) {
                    arow = rowap + (uint64_t)vt * n;
                    /* the new trip's row is cold (the known miss of a RAPTOR scan): fetch ahead of the positions */
                    __builtin_prefetch(arow + i + 16);
                }
                cur_walk = best_w;
                board_pos = j;
                board_kind = kind;
            }
            break;
        }
    }
    c->bound = bound;
#undef REAL
#undef DEPS
#undef DEPS_ST
}

/* The trip a scan_plain rides: virtual index (UINT32_MAX: none), the walking seconds it was boarded with, where
 * (scan index) and from which label. */
typedef struct raptor_ride {
    uint32_t cur, board_i;
    int32_t walk;
    uint8_t board_kind;
} raptor_ride;

/* Has this run (or range step) ridden the trip whose entry is e from scan position pos or before, with at most
 * `walk` seconds of walking? Then its arrivals from pos on are in the labels of this round already (labels are "at
 * most k trips" and only improve, and a ride cut short by the bound or an unmarked stop left its arrivals to be no
 * better than what the labels hold), so riding it again can improve nothing: in a one-to-one query about a third
 * of the boardings are such — a stop improved by a trip in round k−1 is marked, and its pattern is scanned again
 * in round k. In a fresh run (fresh: see raptor_ws) a ride of an earlier round counts whatever it walked: the new
 * ride, with more trips, could only tie its arrivals, and a tie with a label of an earlier round is no improvement
 * there (improve_trip); that made a fifth of the boardings rides again for less walking. Otherwise the entry
 * records this ride when it dominates the one recorded. */
static inline int already_ridden(raptor_reach *e, uint32_t stamp, uint32_t pos, int32_t walk, int k, int fresh,
                                 const int lean) {
    /* (a lean step is never fresh, and its entries keep round 0: the plain comparison of before) */
    const int same = lean ? e->stamp == stamp : (e->stamp & ~(REACH_ROUNDS - 1)) == stamp;
    if (same && e->pos <= pos && (e->walk <= walk || (fresh && (e->stamp & (REACH_ROUNDS - 1)) < (uint32_t)k)))
        return 1;
    if (!same || (pos <= e->pos && walk <= e->walk)) {
        e->stamp = lean ? stamp : stamp | (uint32_t)k;
        e->pos = pos;
        e->walk = walk;
    }
    return 0;
}

/* Label improvement for scan_plain, kept out of line: most alightings fail the caller's inline test, and the scan
 * loop keeps its few hot values in registers only if this body is not in it. Returns the (maybe lower) bound. */
static inline __attribute__((always_inline)) int32_t plain_alight_body(scan_ctx *c, int32_t bound, uint32_t s,
                                                                       int32_t a, const raptor_ride *r,
                                                                       const net_pattern *pt, uint32_t nt,
                                                                       uint32_t i, const int rev, const int lean) {
    const uint32_t *act = c->act_trips + pt->trips_begin;
    const uint32_t real = act[rev ? nt - 1 - r->cur : r->cur], n = pt->n_stops;
    const uint32_t j = rev ? n - 1 - i : i, bj = rev ? n - 1 - r->board_i : r->board_i;
    improve_trip(c, &bound, s, a, r->walk, pt->trips_begin + real, c->shift, bj, j, r->board_kind, lean);
    return bound;
}
/* one copy per direction and kind of step, so none tests them at run time */
#define PLAIN_ALIGHT(name, rev, lean)                                                                                \
    static __attribute__((noinline)) int32_t name(scan_ctx *c, int32_t bound, uint32_t s, int32_t a,               \
                                                  const raptor_ride *r, const net_pattern *pt, uint32_t nt,     \
                                                  uint32_t i) {                                                    \
        return plain_alight_body(c, bound, s, a, r, pt, nt, i, rev, lean);                                         \
    }
PLAIN_ALIGHT(plain_alight_fwd, 0, 0)
PLAIN_ALIGHT(plain_alight_rev, 1, 0)
PLAIN_ALIGHT(plain_alight_fwd_lean, 0, 1)
PLAIN_ALIGHT(plain_alight_rev_lean, 1, 1)
#undef PLAIN_ALIGHT
static inline __attribute__((always_inline)) int32_t plain_alight(scan_ctx *c, int32_t bound, uint32_t s, int32_t a,
                                                                  const raptor_ride *r, const net_pattern *pt,
                                                                  uint32_t nt, uint32_t i, const int rev,
                                                                  const int lean) {
    if (lean) return rev ? plain_alight_rev_lean(c, bound, s, a, r, pt, nt, i)
                         : plain_alight_fwd_lean(c, bound, s, a, r, pt, nt, i);
    return rev ? plain_alight_rev(c, bound, s, a, r, pt, nt, i) : plain_alight_fwd(c, bound, s, a, r, pt, nt, i);
}

/* Boarding at a marked stop for scan_plain: the earliest trip before `r->cur` (or any, when riding none) that the
 * labels of round k−1 at s can catch, preferring less walking between the two labels. */
static __attribute__((noinline)) void plain_board(scan_ctx *c, raptor_ride *r, uint32_t s, uint32_t i,
                                                  const int32_t *colp, uint32_t nt, raptor_pair pl, const int lean) {
    /* pl: the labels of round k−1 at s; every caller has checked already that they are before the bound and can
     * reach a target in time */
    raptor_ws *ws = c->ws;
    const size_t li = (size_t)(c->k - 1) * ws->n_stops + s;
    const int32_t lt = pl.trip, lw = pl.foot;
    const int32_t rt = lt == RAPTOR_INF ? RAPTOR_INF : lt + c->p->min_transfer_s;
    const int32_t ready = lw < rt ? lw : rt;
    const int32_t *col = colp + (uint64_t)i * nt;
    const uint32_t hi = r->cur != UINT32_MAX ? r->cur : nt;
    uint32_t lo = 0, h = hi;
    ws->stats.trip_searches++;
    if (hi < nt) {
        /* riding, and the trip before ours is caught: the one wanted is nearly always one or two before it, in
         * the same cache line of the column, so gallop back from ours before searching */
        uint32_t step = 1;
        h = hi - 1; /* col[h] ≥ ready (the caller checked) */
        while (h >= step && col[h - step] >= ready) {
            ws->stats.trip_probes++;
            h -= step;
            step *= 2;
        }
        lo = h >= step ? h - step + 1 : 0;
    }
    /* The first of col[lo, h) at or after ready (h if none): the column is sorted, so it is lo plus the number of
     * entries before ready. Counted, not binary-searched: a binary search's probes wait for each other, and they
     * miss the cache (a day's columns are megabytes) — it was a fifth of a query; counting reads every line of the
     * range at once, and past 32 entries the last of each 16 first, to pick the 16 to count. */
    uint32_t end = h;
    if (h - lo > 32) {
        uint32_t blocks = 0;
        for (uint32_t j = lo + 15; j < h; j += 16) blocks += col[j] < ready;
        ws->stats.trip_probes += (h - lo) / 16;
        lo += blocks * 16;
        end = h - lo > 16 ? lo + 16 : h;
    }
    uint32_t below = 0;
    for (uint32_t j = lo; j < end; j++) below += col[j] < ready;
    ws->stats.trip_probes += (end - lo + 15) / 16; /* (counted in the column's cache lines) */
    lo += below;
    if (lo == hi) return;
    /* the caller reads the trip's entry of reach and its events from here on next: both are likely misses */
    __builtin_prefetch(c->pat_reach + lo);
    __builtin_prefetch(c->pat_ev + (uint64_t)lo * c->pat_n + i);
    /* d ≥ ready, so at least one label catches it */
    const int32_t d = col[lo];
    int32_t best_w = 0;
    uint8_t kind = 0;
    if (!lean) {
        best_w = RAPTOR_INF;
        if (lw <= d) {
            best_w = ws->walked[li].foot;
            kind = RAPTOR_BY_WALK; /* (on foot: a journey reads which kind from the foot label itself) */
        }
        if (rt <= d && ws->walked[li].trip < best_w) {
            best_w = ws->walked[li].trip;
            kind = RAPTOR_BY_TRIP;
        }
    }
    r->cur = lo;
    r->board_i = i;
    r->walk = best_w;
    r->board_kind = kind;
}

/* When labels pl of round k−1 can board (scan_plain): the foot label, or the trip label after the transfer floor
 * (*rt; no_floor: none, the usual case: a trip label boards as it is, and INF stays INF). */
static inline __attribute__((always_inline)) int32_t ready_time(raptor_pair pl, int32_t floor_s, const int no_floor,
                                                                int32_t *rt) {
    *rt = no_floor || pl.trip == RAPTOR_INF ? pl.trip : pl.trip + floor_s;
    return pl.foot < *rt ? pl.foot : *rt;
}

/* The least walking of labels pl (walking wp) that catch a trip leaving at dep (rt: when the trip label is ready),
 * and whether that is the trip label (*by_trip); RAPTOR_INF when neither does. */
static inline __attribute__((always_inline)) int32_t catch_walk(raptor_pair pl, int32_t rt, raptor_pair wp,
                                                                int32_t dep, int *by_trip) {
    int32_t w = RAPTOR_INF;
    if (pl.foot <= dep) w = wp.foot;
    *by_trip = rt <= dep && (pl.foot > dep || wp.trip < wp.foot);
    if (rt <= dep && wp.trip < w) w = wp.trip;
    return w;
}

/* scan_plain, riding nothing: seek a marked stop from position i on to board at. Returns the position of the
 * boarding (r->cur set), or last + 1. */
static inline __attribute__((always_inline)) uint32_t plain_seek(scan_ctx *c, raptor_ride *r, uint32_t i,
                                                                 uint32_t last, const uint32_t *seq,
                                                                 const raptor_pair *prev, const int32_t *colp,
                                                                 uint32_t nt, int32_t bound, int32_t tbest,
                                                                 const int use_lb, const int no_floor,
                                                                 const int lean) {
    const uint8_t *flag = c->ws->flag;
    const int32_t *lb = use_lb ? c->lb : NULL;
    const int32_t floor_s = no_floor ? 0 : c->p->min_transfer_s;
    for (; i <= last; i++) {
        const uint32_t e = seq[i], s = e & SEQ_STOP;
        if ((e & SEQ_NO_BOARD) || !(flag[s] & F_MARK_PREV)) continue;
        /* half the marked stops have nothing to board: too late for the bound, the targets, or the day's last trip
         * (ULTRA's RAPTOR skips the last case when collecting) */
        const raptor_pair pl = prev[s];
        int32_t rt;
        const int32_t ready = ready_time(pl, floor_s, no_floor, &rt);
        if (ready >= bound || (use_lb && ready + lb[s] > tbest) || colp[(uint64_t)i * nt + nt - 1] < ready) continue;
        plain_board(c, r, s, i, colp, nt, pl, lean);
        if (r->cur != UINT32_MAX) break;
    }
    return i;
}

/* scan_scheduled for a plain pattern — monotone, no transfers.txt rules at any of its stops, no stop or trip filter,
 * columns built — which is nearly every pattern of a query: the same boardings and labels, in two tight loops.
 * Seeking, it looks only for a marked stop to board at. Riding, it reads the position's stop (seq) and the trip's
 * event (times already shifted to the day), tests the alighting against the bound and the label, and the boarding
 * against the label of round k−1; everything rarer (improving, searching, changing trips) is out of line, so the
 * loop's values stay in registers. */
static inline __attribute__((always_inline)) void scan_plain(scan_ctx *c, const net_pattern *pt, uint32_t first,
                                                             uint32_t last, const int rev, const int lean,
                                                             const int use_lb, const int no_floor) {
    raptor_ws *ws = c->ws;
    const uint32_t n = pt->n_stops, S = ws->n_stops;
    const uint32_t pidx = (uint32_t)(pt - ws->v->patterns);
    const uint32_t nt = c->act_count[pidx];
    const uint32_t *seq = ws->ix->seq[rev] + pt->stops_begin;
    const raptor_event *ev = c->rows + c->col_begin[pidx];
    const int32_t *colp = c->col + c->col_begin[pidx];
    const raptor_pair *prev = ws->arr + (size_t)(c->k - 1) * S, *lab = prev + S;
    const raptor_pair *wprev = ws->walked + (size_t)(c->k - 1) * S, *wlab = wprev + S;
    const uint8_t *flag = ws->flag;
    const int32_t floor_s = no_floor ? 0 : c->p->min_transfer_s; /* (see ready_time) */
    const int32_t min_walk = ws->min_walk;
    int32_t bound = c->bound;
    /* (use_lb) lower bounds to the targets: a ride whose alighting (or departure from a stop whose labels catch it)
     * plus the bound exceeds tbest is dead from there, every later stop too (the bounds never exceed a ride's time
     * between two stops): it goes on as a ghost, looking only for an earlier trip */
    const int32_t *lb = use_lb ? c->lb : NULL;
    int32_t tbest = use_lb ? c->tbest : RAPTOR_INF;
    raptor_reach *reach = c->reach + c->trip_base[pidx];
    c->pat_reach = reach;
    c->pat_ev = ev;
    c->pat_n = n;
    const uint32_t stamp = ws->reach_stamp;
    const int k = c->k, fresh = ws->fresh;
    raptor_ride r = {.cur = UINT32_MAX};
    ws->stats.positions_scanned += n - first;
    uint32_t i = first;            /* the next position to look at */
    const raptor_event *row = NULL; /* the ridden trip's events */
    int ghost = 0;                  /* riding a trip already_ridden: only an earlier trip can bring anything */
    for (;;) {
        if (r.cur == UINT32_MAX) {
            i = plain_seek(c, &r, i, last, seq, prev, colp, nt, bound, tbest, use_lb, no_floor, lean);
            if (i > last) break;
            row = ev + (uint64_t)r.cur * n;
            /* the new trip's row is cold (the known miss of a RAPTOR scan): fetch ahead of the positions */
            __builtin_prefetch(row + i + 8);
            ghost = already_ridden(&reach[r.cur], stamp, i, r.walk, k, fresh, lean);
            i++;
        }
        if (ghost) {
            /* Its arrivals are in the labels: look only at marked stops (an unmarked one has nothing new to catch,
             * see below), for an earlier trip or for ours with less walking, which would be a ride of its own. */
            for (; i <= last; i++) {
                const uint32_t e = seq[i], s = e & SEQ_STOP;
                if ((e & SEQ_NO_BOARD) || !(flag[s] & F_MARK_PREV)) continue;
                const raptor_pair pl = prev[s];
                int32_t rt;
                const int32_t ready = ready_time(pl, floor_s, no_floor, &rt);
                const int32_t dep = row[i].board;
                if (ready > dep || ready >= bound) continue;
                if (use_lb && ready + lb[s] > tbest) continue;
                if (r.cur > 0 && row[(int64_t)i - (int64_t)n].board >= ready) {
                    plain_board(c, &r, s, i, colp, nt, pl, lean);
                    row = ev + (uint64_t)r.cur * n;
                    __builtin_prefetch(row + i + 8);
                } else {
                    if (lean || r.walk <= min_walk) continue;
                    int by_trip;
                    const int32_t w = catch_walk(pl, rt, wprev[s], dep, &by_trip);
                    if (w >= r.walk) continue;
                    r.board_kind = by_trip ? RAPTOR_BY_TRIP : RAPTOR_BY_WALK;
                    r.walk = w;
                    r.board_i = i;
                }
                if (!already_ridden(&reach[r.cur], stamp, i, r.walk, k, fresh, lean)) {
                    ghost = 0;
                    break;
                }
            }
            if (ghost) break; /* past the last marked stop */
            i++;
        }
        int ended = 1; /* the ride reached the end of the line */
        for (; i < n; i++) { /* ride */
            const uint32_t e = seq[i], s = e & SEQ_STOP;
            const raptor_event x = row[i];
            /* (a tie is common: the same trip reached again after a transfer; only less walking improves it) */
            if (use_lb && !(e & SEQ_NO_ALIGHT) && x.alight + lb[s] > tbest) {
                /* dead from here: go on as a ghost from this very stop (i−− against the i++ below) */
                ghost = 1;
                ended = 0;
                i--;
                break;
            }
            if (!(e & SEQ_NO_ALIGHT) && x.alight < bound &&
                (x.alight < lab[s].trip || (!lean && x.alight == lab[s].trip && r.walk < wlab[s].trip))) {
                bound = plain_alight(c, bound, s, x.alight, &r, pt, nt, i, rev, lean);
                if (use_lb) tbest = c->tbest;
            }
            if (e & SEQ_NO_BOARD) continue;
            const raptor_pair pl = prev[s];
            int32_t rt;
            const int32_t ready = ready_time(pl, floor_s, no_floor, &rt);
            if (ready > x.board) continue;
            if (use_lb && ready + lb[s] > tbest) { /* our trip leaves here at ≥ ready: dead, and nothing to board */
                ghost = 1;
                ended = 0;
                break;
            }
            /* the labels here catch our trip: an earlier one too? */
            const int earlier = r.cur > 0 && row[(int64_t)i - (int64_t)n].board >= ready;
            const int marked = (flag[s] & F_MARK_PREV) != 0;
            if (!earlier) {
                /* exactly our trip: the walking of the label that catches it decides (ties: less walking) */
                int32_t w = RAPTOR_INF;
                int by_trip = 0;
                if (!lean && (r.walk > min_walk || !marked)) w = catch_walk(pl, rt, wprev[s], x.board, &by_trip);
                if (!marked) {
                    /* An unmarked stop (not improved in round k−1) has had its label since its patterns were last
                     * scanned, so what it can catch was ridden from it then and is in round k's labels already:
                     * once it catches the trip ridden or an earlier one with no more walking, riding on repeats
                     * those arrivals. */
                    if (lean || w <= r.walk) {
                        ended = 0;
                        break;
                    }
                    continue;
                }
                if (w < r.walk && ready < bound) { /* the same trip with less walking: board it here instead */
                    r.board_kind = by_trip ? RAPTOR_BY_TRIP : RAPTOR_BY_WALK;
                    r.walk = w;
                    r.board_i = i;
                }
                continue;
            }
            if (!marked) { /* (see above) it catches an earlier trip */
                ended = 0;
                break;
            }
            if (ready >= bound) continue; /* (plain patterns are monotone) */
            plain_board(c, &r, s, i, colp, nt, pl, lean);
            row = ev + (uint64_t)r.cur * n;
            __builtin_prefetch(row + i + 8);
            if (already_ridden(&reach[r.cur], stamp, i, r.walk, k, fresh, lean)) {
                ghost = 1;
                ended = 0;
                break;
            }
        }
        if (ended) break;
        if (!ghost) r.cur = UINT32_MAX; /* dropped */
        i++;
    }
    c->bound = bound;
}

/* Frequency template `t` (trip index) of pattern pt on one day offset: runs at start + r·headway. The run ridden
 * is identified by its start time (absolute, search sense key = rev ? −start : start). */
static inline void scan_frequency(scan_ctx *c, const net_pattern *pt, uint32_t t, uint32_t first,
                                  const int rev) {
    raptor_ws *ws = c->ws;
    const network_view *v = ws->v;
    const uint32_t n = pt->n_stops, S = ws->n_stops;
    const uint32_t trip = pt->trips_begin + t;
    const net_trip *tr = &v->trips[trip];
    if (!TRIP_USABLE(c, trip)) return;
    const net_stop_time *tt = v->stop_times + pt->times_begin + (uint64_t)t * n;
    const net_frequency *fq = v->frequencies + tr->freq_begin;
    const uint32_t *stops = v->pattern_stops + pt->stops_begin;
    const uint8_t *fl = v->pattern_stop_flags + pt->stops_begin;
    const uint8_t board_block = rev ? TC_NO_DROPOFF : TC_NO_PICKUP;
    const uint8_t alight_block = rev ? TC_NO_PICKUP : TC_NO_DROPOFF;
    const int32_t shift = c->shift;
    const int32_t floor_s = c->p->min_transfer_s;
    int have = 0;
    int32_t run = 0; /* absolute start of the run ridden (stored time + shift) */
    int32_t cur_walk = 0;
    uint32_t board_pos = 0;
    uint8_t board_kind = 0;
    for (uint32_t i = first; i < n; i++) {
        const uint32_t j = rev ? n - 1 - i : i;
        const uint32_t s = stops[j];
        if (have && !(fl[j] & alight_block)) {
            int32_t a = rev ? -(run + tt[j].departure) + c->p->board_slack_s : run + tt[j].arrival;
            if (a < c->bound) improve_trip(c, &c->bound, s, a, cur_walk, trip, run, board_pos, j, board_kind, 0);
        }
        if (fl[j] & board_block) continue;
        size_t li = (size_t)(c->k - 1) * S + s;
        const int32_t lt = ws->arr[li].trip, lw = ws->arr[li].foot;
        if (lt == RAPTOR_INF && lw == RAPTOR_INF) continue;
        if (c->p->stop_ok && !c->p->stop_ok[s]) continue;
        /* the candidate labels: (ready time, walk, kind) */
        for (int which = 0; which < 2; which++) {
            int32_t ready, walk;
            uint8_t kind;
            if (which == 0) {
                if (lw == RAPTOR_INF) continue;
                ready = lw;
                walk = ws->walked[li].foot;
                kind = RAPTOR_BY_WALK;
            } else {
                if (lt == RAPTOR_INF) continue;
                int32_t chg = floor_s;
                if (ws->flag[s] & F_RULES) {
                    uint32_t lab_trip = label_parent(ws, c->k - 1, s, 1)->ref;
                    chg = rev ? raptor_change_time(ws, s, trip, lab_trip, floor_s)
                              : raptor_change_time(ws, s, lab_trip, trip, floor_s);
                    if (chg < 0) continue;
                }
                ready = lt + chg;
                walk = ws->walked[li].trip;
                kind = RAPTOR_BY_TRIP;
            }
            /* best run over the frequency rows */
            int found = 0;
            int32_t best_run = 0;
            for (uint32_t f = 0; f < tr->freq_count; f++) {
                const int64_t off =
                    c->p->freq_offset && !fq[f].exact_times ? c->p->freq_offset[tr->freq_begin + f] : 0;
                const int64_t base = (int64_t)fq[f].start_time + shift + off, end = (int64_t)fq[f].end_time + shift;
                const int64_t h = fq[f].headway_s > 0 ? fq[f].headway_s : 1;
                int64_t r;
                if (!rev) {
                    int64_t x = (int64_t)ready + c->p->board_slack_s - tt[j].departure - base;
                    r = x <= 0 ? 0 : (x + h - 1) / h;
                    int64_t st = base + r * h;
                    if (st >= end) continue;
                    if (!found || st < best_run) best_run = (int32_t)st, found = 1;
                } else {
                    int64_t x = (int64_t)(-ready) - tt[j].arrival - base; /* latest arrival allowed */
                    if (x < 0) continue;
                    r = x / h;
                    int64_t rmax = (end - base + h - 1) / h - 1;
                    if (r > rmax) r = rmax;
                    if (r < 0) continue;
                    int64_t st = base + r * h;
                    if (!found || st > best_run) best_run = (int32_t)st, found = 1;
                }
            }
            if (!found) continue;
            int better;
            if (!have) better = 1;
            else if (best_run == run) better = walk < cur_walk;
            else better = rev ? best_run > run : best_run < run;
            if (better) {
                have = 1;
                run = best_run;
                cur_walk = walk;
                board_pos = j;
                board_kind = kind;
            }
        }
    }
}

/* ---------------------------------------------------------------- transfers ------------------------------------ */

static inline void improve_walk(raptor_ws *ws, const raptor_params *p, int k, int32_t *bound, uint32_t to,
                                int32_t a, int32_t walk, uint32_t from, uint8_t kind) {
    size_t i = (size_t)k * ws->n_stops + to;
    if (ws->lean) { /* times only (see improve_trip) */
        if (a >= *bound || a >= ws->arr[i].foot) return;
        if (p->stop_ok && !p->stop_ok[to]) return;
        ws->arr[i].foot = a;
        touch(ws, to);
        /* (as in improve_trip: no mark when the trip label catches everything this one does) */
        if ((ws->flag[to] & F_RULES) || ws->arr[i].trip == RAPTOR_INF || ws->arr[i].trip + p->min_transfer_s > a)
            mark(ws, to);
        return;
    }
    if (a >= *bound || a > ws->arr[i].foot) return;
    if (a == ws->arr[i].foot &&
        (walk >= ws->walked[i].foot || (ws->fresh && !(ws->flag[to] & F_ANY_RULES) && !set_this_round(ws, i, 1))))
        return;
    if (ws->lb_ready == 1 && a + ws->lb[to] > ws->tbest) return; /* see raptor_ws */
    if (p->stop_ok && !p->stop_ok[to]) return;
    const int earlier = a < ws->arr[i].foot;
    ws->arr[i].foot = a;
    ws->walked[i].foot = walk;
    ws->par_walk[i] = (raptor_parent){.ref = from, .kind = kind, .round = (uint16_t)k};
    touch(ws, to);
    /* (for less walking only outside fresh runs: see improve_trip) */
    if (earlier && ((ws->flag[to] & F_RULES) || ws->arr[i].trip == RAPTOR_INF ||
                    ws->arr[i].trip + p->min_transfer_s > a || (!ws->fresh && ws->walked[i].trip > walk)))
        mark(ws, to);
}

static inline uint32_t station_of(const network_view *v, uint32_t s) {
    uint32_t par = v->stops[s].parent;
    return par < v->n_stops ? par : TC_NONE;
}

/* Is there a transfers.txt link between from and to (forward sense), directly or through their stations? Such a
 * link replaces walking. */
static int has_link_rule(const raptor_ws *ws, uint32_t from, uint32_t to) {
    const network_view *v = ws->v;
    if (!(ws->flag[from] & F_LINK_RULES)) return 0;
    const uint32_t owners[2] = {from, station_of(v, from)}, to_station = station_of(v, to);
    for (int o = 0; o < 2; o++) {
        if (owners[o] == TC_NONE) continue;
        for (uint32_t i = v->transfer_rule_begin[owners[o]]; i < v->transfer_rule_begin[owners[o] + 1]; i++) {
            const net_transfer_rule *r = &v->transfer_rules[i];
            if (rule_is_link(v, r) && (r->to_stop == to || (to_station != TC_NONE && r->to_stop == to_station)))
                return 1;
        }
    }
    return 0;
}

/* A link's end: the stop itself, or every child of a station (except the stop the link starts from). */
static inline void improve_link_end(raptor_ws *ws, const raptor_params *p, int k, int32_t *bound, uint32_t end,
                                    uint32_t from, int32_t a, int32_t walk) {
    const uint32_t b = ws->ix->child_begin[end], e = ws->ix->child_begin[end + 1];
    if (b == e) {
        if (end != from) improve_walk(ws, p, k, bound, end, a, walk, from, RAPTOR_BY_LINK);
        return;
    }
    for (uint32_t c = b; c < e; c++)
        if (ws->ix->children[c] != from)
            improve_walk(ws, p, k, bound, ws->ix->children[c], a, walk, from, RAPTOR_BY_LINK);
}

static __attribute__((noinline)) void relax_transfers(raptor_ws *ws, const raptor_params *p, int k, int32_t *bound) {
    const network_view *v = ws->v;
    const uint32_t S = ws->n_stops;
    const int rev = ws->rev;
    if ((ws->tr_speed != p->walk_speed_mps || !ws->tr_secs) && v->n_transfers) {
        ws->tr_secs = raptor_index_walk_secs(ws->ix, p->walk_speed_mps);
        if (!ws->tr_secs) { /* the index keeps no more speeds: one of its own */
            if (!ws->own_tr) ws->own_tr = malloc((size_t)v->n_transfers * sizeof(int32_t));
            if (ws->own_tr)
                for (uint32_t e = 0; e < v->n_transfers; e++)
                    ws->own_tr[e] = raptor_walk_seconds(v->transfers[e].distance_m, p->walk_speed_mps);
            ws->tr_secs = ws->own_tr;
        }
        ws->tr_speed = p->walk_speed_mps;
    }
    const int32_t *tr_secs = ws->tr_speed == p->walk_speed_mps ? ws->tr_secs : NULL;
    /* (in locals: the loop's stores could alias ws's and p's fields, which it would then reload) */
    const uint32_t *trip_marked = ws->trip_marked, n_trip_marked = ws->n_trip_marked;
    uint8_t *const flag = ws->flag;
    const int32_t *const lb = ws->lb_ready == 1 ? ws->lb : NULL;
    const int32_t tbest = ws->tbest; /* (walking never reaches a target: see target_best) */
    const int32_t maxw = p->max_transfer_walk_s, floor_s = p->min_transfer_s;
    const uint32_t *const tr_begin = v->transfer_begin;
    const net_transfer *const transfers = v->transfers;
    const raptor_pair *const aw = ws->arr + (size_t)k * S;
    const raptor_pair *const ww = ws->walked + (size_t)k * S;
    uint64_t relaxed = 0;
    /* (fast: a full step with no stop filter: the inline improvement below) */
    const int fast = !ws->lean && !p->stop_ok;
    raptor_pair *const awm = ws->arr + (size_t)k * S, *const wwm = ws->walked + (size_t)k * S;
    raptor_parent *const pw = ws->par_walk + (size_t)k * S;
    const int32_t bnd = *bound; /* (walking never lowers the bound: see target_best) */
    const int fresh = ws->fresh;
    for (uint32_t m = 0; m < n_trip_marked; m++) {
        const uint32_t s = trip_marked[m];
        flag[s] &= (uint8_t)~F_TRIP_MARK;
        const size_t li = (size_t)k * S + s;
        const int32_t a0 = aw[s].trip;
        const int32_t w0 = ww[s].trip;
        if (a0 == RAPTOR_INF) continue;
        /* every stop reached from here is hopeless too (the bounds are consistent with the transfers) */
        if (lb && a0 + lb[s] > tbest) continue;
        if (tr_secs && !rev && !(flag[s] & F_LINK_RULES)) {
            /* the common case (no transfers.txt link from s): most relaxations fail, so reject them on one load
             * before anything else; ~2.5 M relaxations per analysis origin on Porto Alegre */
            uint32_t e = tr_begin[s];
            const uint32_t begin = e, end = tr_begin[s + 1];
            if (fast) {
                /* improve_walk with what it reads from ws and p in locals (its stores could alias them) */
                for (; e < end; e++) {
                    const int32_t w = tr_secs[e];
                    if (w > maxw) break; /* sorted by distance */
                    const uint32_t to = transfers[e].to_stop;
                    const int32_t a = a0 + (w > floor_s ? w : floor_s), walk = w0 + w;
                    if (to >= S || a > aw[to].foot || to == s || a >= bnd) continue;
                    if (a == aw[to].foot &&
                        (walk >= ww[to].foot ||
                         (fresh && !(flag[to] & F_ANY_RULES) && !set_this_round(ws, (size_t)k * S + to, 1))))
                        continue; /* (a tie: see improve_walk) */
                    if (lb && a + lb[to] > tbest) continue;
                    const int earlier = a < aw[to].foot;
                    awm[to].foot = a;
                    wwm[to].foot = walk;
                    pw[to] = (raptor_parent){.ref = s, .kind = RAPTOR_BY_WALK, .round = (uint16_t)k};
                    touch(ws, to);
                    if (earlier && ((flag[to] & F_RULES) || aw[to].trip == RAPTOR_INF || aw[to].trip + floor_s > a ||
                                    (!fresh && ww[to].trip > walk)))
                        mark(ws, to);
                }
            } else {
                for (; e < end; e++) {
                    const int32_t w = tr_secs[e];
                    if (w > maxw) break; /* sorted by distance */
                    const uint32_t to = transfers[e].to_stop;
                    const int32_t a = a0 + (w > floor_s ? w : floor_s);
                    if (to >= S || a > aw[to].foot || to == s) continue;
                    improve_walk(ws, p, k, bound, to, a, w0 + w, s, RAPTOR_BY_WALK);
                }
            }
            relaxed += e - begin + (e < end);
            continue;
        }
        for (uint32_t e = v->transfer_begin[s]; e < v->transfer_begin[s + 1]; e++) {
            const net_transfer *tr = &v->transfers[e];
            if (tr->to_stop == s || tr->to_stop >= S) continue;
            const int32_t w = tr_secs ? tr_secs[e] : raptor_walk_seconds(tr->distance_m, p->walk_speed_mps);
            ws->stats.transfers_relaxed++;
            if (w > p->max_transfer_walk_s) break; /* sorted by distance */
            if (rev ? has_link_rule(ws, tr->to_stop, s) : has_link_rule(ws, s, tr->to_stop)) continue;
            int32_t t = w > p->min_transfer_s ? w : p->min_transfer_s;
            improve_walk(ws, p, k, bound, tr->to_stop, a0 + t, w0 + w, s, RAPTOR_BY_WALK);
        }
        /* transfers.txt links to other stops (the label was set this round: its parent is here) */
        const uint32_t lab_trip = ws->par_trip[li].ref;
        const uint32_t owners[2] = {s, station_of(v, s)};
        if (!rev && (ws->flag[s] & F_LINK_RULES)) {
            for (int o = 0; o < 2; o++) {
                if (owners[o] == TC_NONE) continue;
                for (uint32_t i = v->transfer_rule_begin[owners[o]]; i < v->transfer_rule_begin[owners[o] + 1]; i++) {
                    const net_transfer_rule *r = &v->transfer_rules[i];
                    if (!rule_is_link(v, r)) continue;
                    if (r->from_trip != TC_NONE && r->from_trip != lab_trip) continue;
                    if (r->from_route != TC_NONE && v->trips[lab_trip].route != r->from_route) continue;
                    int32_t t = rule_time(r, p->min_transfer_s);
                    if (t < 0) continue;
                    improve_link_end(ws, p, k, bound, r->to_stop, s, a0 + t, w0);
                }
            }
        } else if (rev && (ws->flag[s] & F_REV_LINK_RULES)) {
            for (int o = 0; o < 2; o++) {
                if (owners[o] == TC_NONE) continue;
                for (uint32_t q = ws->ix->rev_rule_begin[owners[o]]; q < ws->ix->rev_rule_begin[owners[o] + 1]; q++) {
                    const net_transfer_rule *r = &v->transfer_rules[ws->ix->rev_rules[q]];
                    if (r->to_trip != TC_NONE && r->to_trip != lab_trip) continue;
                    if (r->to_route != TC_NONE && v->trips[lab_trip].route != r->to_route) continue;
                    int32_t t = rule_time(r, p->min_transfer_s);
                    if (t < 0) continue;
                    improve_link_end(ws, p, k, bound, r->from_stop, s, a0 + t, w0);
                }
            }
        }
    }
    ws->stats.transfers_relaxed += relaxed;
    ws->n_trip_marked = 0;
}

/* ---------------------------------------------------------------- rounds --------------------------------------- */

static int32_t target_best(const raptor_ws *ws, int k) {
    int32_t best = RAPTOR_INF;
    size_t base = (size_t)k * ws->n_stops;
    for (uint32_t i = 0; i < ws->n_targets; i++) {
        uint32_t s = ws->target_list[i];
        /* a journey ends by egress after a trip (or at a source): never walk, then walk again */
        int32_t a = ws->arr[base + s].trip;
        if (ws->arr[base + s].foot < a && label_parent(ws, k, s, 0)->kind == RAPTOR_BY_SOURCE)
            a = ws->arr[base + s].foot;
        if (a == RAPTOR_INF) continue;
        a += ws->egress[s];
        if (a < best) best = a;
    }
    return best;
}

/* The latest time (search sense) a trip running on day offsets o_lo … o_hi alights at stop t (INT64_MIN: none),
 * or INT64_MAX when that gives no bound (a frequency-based pattern serves t). Drop-off flags are ignored: a later
 * time still bounds. */
static int64_t last_alight_at(raptor_ws *ws, uint32_t t, int o_lo, int o_hi, int rev) {
    int64_t best = INT64_MIN;
    for (int o = o_lo; o <= o_hi; o++) {
        const raptor_extent *x = raptor_day_extents(ws->ix, ws->day, o);
        if (!x || x[t].arr == INT32_MAX) return INT64_MAX;
        const int64_t shift = (int64_t)(o - 2) * DAY_S;
        if (x[t].arr == INT32_MIN) continue; /* no trip there that day */
        const int64_t a = rev ? -(x[t].dep + shift) : x[t].arr + shift;
        if (a > best) best = a;
    }
    return best;
}

/* A bound on every useful label of a one-to-one run: each journey ends at a target on a trip, or on a trip to a
 * stop one walking transfer away and that walk (the target's foot label, which raptor_arrival reports), so no label
 * it needs is later than the last such trip's alighting (plus the walk). An evening query to a stop whose last bus
 * has gone stops at once, and one whose last bus is near explores only what can still catch it: a fifth of random
 * bydgoszcz queries reach no target, and they were a tenth of the benchmark's time. Returns that label bound;
 * *with_egress gets the same for the arrival, egress included. RAPTOR_INF: no bound (transfers.txt links, which also
 * end at targets, or a frequency-based pattern); -RAPTOR_INF: nothing reaches a target. */
static int32_t target_last_arrival(raptor_ws *ws, const raptor_params *p, int o_lo, int o_hi, int rev,
                                   int32_t *with_egress) {
    const network_view *v = ws->v;
    *with_egress = RAPTOR_INF;
    if (v->n_transfer_rules) return RAPTOR_INF;
    int64_t best = INT64_MIN, best_e = INT64_MIN;
    for (uint32_t i = 0; i < ws->n_targets; i++) {
        const uint32_t t = ws->target_list[i];
        int64_t a = last_alight_at(ws, t, o_lo, o_hi, rev);
        if (a == INT64_MAX) return RAPTOR_INF;
        if (rev && a != INT64_MIN) a += p->board_slack_s; /* a reverse search alights at boardings (raptor_day) */
        if (a > best) best = a;
        if (a != INT64_MIN && a + ws->egress[t] > best_e) best_e = a + ws->egress[t];
        /* walking into t from u (a search in either direction walks a transfer's start to its end) */
        for (uint32_t q = ws->ix->tin_begin[t]; q < ws->ix->tin_begin[t + 1]; q++) {
            const uint32_t u = ws->ix->tin[2 * q], e = ws->ix->tin[2 * q + 1];
            a = last_alight_at(ws, u, o_lo, o_hi, rev);
            if (a == INT64_MAX) return RAPTOR_INF;
            if (a == INT64_MIN) continue;
            if (rev) a += p->board_slack_s;
            const int32_t w = raptor_walk_seconds(v->transfers[e].distance_m, p->walk_speed_mps);
            a += w > p->min_transfer_s ? w : p->min_transfer_s;
            if (a > best) best = a;
            if (a + ws->egress[t] > best_e) best_e = a + ws->egress[t];
        }
    }
    if (best == INT64_MIN) return -RAPTOR_INF; /* nothing reaches a target: no label is useful */
    *with_egress = best_e >= RAPTOR_INF ? RAPTOR_INF : (int32_t)best_e;
    return best >= RAPTOR_INF ? RAPTOR_INF : (int32_t)best;
}

/* The patterns serving the stops marked in round k−1, with the span of marked positions. A marked stop whose label
 * (before any change time) is already no better than the bound cannot board anything useful: a one-to-one search
 * marks many stops early that the target's arrival later makes hopeless. */
static inline __attribute__((always_inline)) void collect_body(raptor_ws *ws, int k, int32_t bound,
                                                               const int use_d) {
    const int32_t *lb = ws->lb_ready == 1 ? ws->lb : NULL;
    const uint32_t *spb = use_d ? ws->day->d_board : ws->day->day_board;
    const uint32_t *spb_begin = use_d ? ws->day->d_begin : ws->day->day_begin;
    const size_t stride = use_d ? 3 : 2;
    const raptor_pair *prev = ws->arr + (size_t)(k - 1) * ws->n_stops;
    struct pat_span *span = ws->pat_span;
    const uint8_t *pat_target = ws->pat_target;
    uint32_t *list = ws->pat_list, n_list = 0, n_front = 0;
    /* (in locals: the list's stores could alias ws's fields, which the loop would then reload) */
    const uint32_t *marked = ws->marked_prev, n_marked = ws->n_marked_prev;
    const int64_t tbest = ws->tbest;
    for (uint32_t m = 0; m < n_marked; m++) {
        const uint32_t s = marked[m];
        const int32_t ready = prev[s].trip < prev[s].foot ? prev[s].trip : prev[s].foot;
        if (ready >= bound) continue;
        /* nothing boarded here can help (it still counts as marked where other stops start a scan) */
        if (lb && (int64_t)ready + lb[s] > tbest) continue;
        for (const uint32_t *q = spb + stride * spb_begin[s], *qe = spb + stride * spb_begin[s + 1]; q < qe;
             q += stride) {
            const uint32_t p = q[0], idx = q[1];
            if (use_d && ready > (int32_t)q[2]) continue; /* every trip has left (see raptor_day.d_board) */
            /* field by field: a copy of the whole struct went through vector registers, 20 instructions an entry */
            const uint32_t f = span[p].first, l = span[p].last;
            if (f == UINT32_MAX) {
                if (pat_target[p]) { /* first in the list (see raptor_ws) */
                    list[n_list++] = list[n_front];
                    list[n_front++] = p;
                } else {
                    list[n_list++] = p;
                }
                span[p].first = idx;
                span[p].last = idx;
                continue;
            }
            span[p].first = idx < f ? idx : f;
            span[p].last = idx > l ? idx : l;
        }
    }
    ws->n_pat_list = n_list;
}

/* (the day's lists are of the search's direction already: only use_d needs a copy of its own) */
static __attribute__((noinline)) void collect_patterns(raptor_ws *ws, int k, int32_t bound) {
    if (ws->use_d) collect_body(ws, k, bound, 1);
    else collect_body(ws, k, bound, 0);
}

/* Point c at day offset o's trips and columns (laid out on first use; c->col NULL if memory is short). */
static void scan_offset(scan_ctx *c, int o) {
    raptor_ws *ws = c->ws;
    const network_view *v = ws->v;
    raptor_day *d = ws->day;
    c->shift = (o - 2) * DAY_S;
    c->active = d->active + (size_t)o * (v->n_services + 1);
    c->act_trips = d->act_trips + (size_t)o * (v->n_trips + 1);
    c->act_count = d->act_count + (size_t)o * (v->n_patterns + 1);
    if (!ws->reach[o]) ws->reach[o] = calloc(v->n_trips + 1, sizeof(raptor_reach));
    const int cols = ws->reach[o] && raptor_day_columns(ws->ix, d, o);
    c->col = cols ? d->col[o] : NULL; /* (the rest is read only when col is set) */
    c->rows = cols ? d->rows[o] : NULL;
    c->col_begin = cols ? d->col_begin[o] : NULL;
    c->trip_base = cols ? d->trip_base[o] : NULL;
    c->reach = ws->reach[o];
}

/* Pattern pi (pt) on the day offset c is set to, from its first marked position: the scan its kind needs, each a
 * copy specialised on direction and flags (compile-time constants), so no scan tests them per position. */
static inline __attribute__((always_inline)) void scan_pattern(scan_ctx *c, const net_pattern *pt, uint32_t pi,
                                                               uint32_t first, uint32_t last, const int rev) {
    const raptor_ws *ws = c->ws;
    const raptor_params *p = c->p;
    if (!(pt->flags & TC_PATTERN_FREQUENCY) && !c->act_count[pi]) return;
    if (pt->flags & TC_PATTERN_FREQUENCY) {
        for (uint32_t t = 0; t < pt->n_trips; t++) {
            if (rev) scan_frequency(c, pt, t, first, 1);
            else scan_frequency(c, pt, t, first, 0);
        }
    } else if (c->col && ws->ix->pat_plain[pi] && !p->stop_ok && !p->trip_ok) {
        if (ws->lean) {
            if (rev) scan_plain(c, pt, first, last, 1, 1, 0, 0);
            else scan_plain(c, pt, first, last, 0, 1, 0, 0);
        } else if (p->min_transfer_s) {
            if (rev) scan_plain(c, pt, first, last, 1, 0, c->lb != NULL, 0);
            else scan_plain(c, pt, first, last, 0, 0, c->lb != NULL, 0);
        } else if (c->lb) {
            if (rev) scan_plain(c, pt, first, last, 1, 0, 1, 1);
            else scan_plain(c, pt, first, last, 0, 0, 1, 1);
        } else if (rev) {
            scan_plain(c, pt, first, last, 1, 0, 0, 1);
        } else {
            scan_plain(c, pt, first, last, 0, 0, 0, 1);
        }
    } else if (c->col) {
        if (ws->lean) {
            if (rev) scan_scheduled(c, pt, first, last, 1, 1, 1);
            else scan_scheduled(c, pt, first, last, 0, 1, 1);
        } else if (rev) {
            scan_scheduled(c, pt, first, last, 1, 1, 0);
        } else {
            scan_scheduled(c, pt, first, last, 0, 1, 0);
        }
    } else if (rev) {
        scan_scheduled(c, pt, first, last, 1, 0, 0);
    } else {
        scan_scheduled(c, pt, first, last, 0, 0, 0);
    }
}

/* The marked stops of this round seed the next. */
static void next_round_marks(raptor_ws *ws) {
    for (uint32_t m = 0; m < ws->n_marked_prev; m++) ws->flag[ws->marked_prev[m]] &= (uint8_t)~F_MARK_PREV;
    for (uint32_t m = 0; m < ws->n_marked_cur; m++) {
        uint8_t *f = &ws->flag[ws->marked_cur[m]];
        *f = (uint8_t)((*f & ~F_MARK) | F_MARK_PREV);
    }
    uint32_t *tmp = ws->marked_prev;
    ws->marked_prev = ws->marked_cur;
    ws->n_marked_prev = ws->n_marked_cur;
    ws->marked_cur = tmp;
    ws->n_marked_cur = 0;
}

/* The lower bounds, once a target has been reached (see raptor_ws). */
__attribute__((noinline)) static void lb_maybe(raptor_ws *ws, const raptor_params *p) {
    if (ws->lb_ready || ws->tbest == RAPTOR_INF) return;
    ws->lb_ready = -1;
    if (ws->target_runs <= LB_AFTER_RUNS || ws->lb_state < 0) return;
    if (ws->lb_state == 0) {
        ws->lb_state = -1;
        ws->lb = malloc(((size_t)ws->n_stops + 1) * sizeof(int32_t));
        ws->lb_targets = malloc(((size_t)ws->n_stops + 1) * sizeof(stop_seconds));
        if (!ws->lb || !ws->lb_targets || !raptor_index_bounds(ws->ix)) return;
        ws->lb_state = 1;
    }
    for (uint32_t i = 0; i < ws->n_targets; i++)
        ws->lb_targets[i] = (stop_seconds){ws->target_list[i], ws->egress[ws->target_list[i]]};
    if (!lower_bounds_compute(raptor_index_bounds(ws->ix), ws->rev, p->walk_speed_mps, p->max_transfer_walk_s,
                              ws->lb_targets, ws->n_targets, ws->lb))
        return;
    ws->lb_ready = 1;
    ws->stats.lb_runs++;
}

static int run_rounds(raptor_ws *ws, const raptor_params *p, int use_targets, int range) {
    const network_view *v = ws->v;
    const int rev = ws->rev;
    if (!use_day(ws, p->day, rev, p->board_slack_s)) { /* out of memory: nothing is reached */
        for (uint32_t m = 0; m < ws->n_marked_prev; m++) ws->flag[ws->marked_prev[m]] &= (uint8_t)~F_MARK_PREV;
        ws->n_marked_prev = 0;
        ws->rounds_run = 0;
        return 0;
    }
    int max_k = p->max_trips;
    if (max_k < 1) max_k = 1;
    if (max_k > ws->n_rounds - 1) max_k = ws->n_rounds - 1;
    /* time window in search sense: labels never worse than lim */
    const int32_t lim = rev ? -p->limit : p->limit;
    int32_t bound = lim == RAPTOR_INF ? RAPTOR_INF : lim + 1;
    ws->tbest = RAPTOR_INF;
    if (use_targets) {
        int32_t tb = target_best(ws, 0);
        if (tb < bound) bound = tb;
        ws->tbest = tb;
    }
    /* stored-time window (plain times): which day offsets can matter for a pattern */
    int32_t win_lo = rev ? p->limit : p->time, win_hi = rev ? p->time : p->limit;
    /* and which day offsets can matter for any pattern (a daytime query: D alone, or D−1 as well) */
    int o_lo = 0, o_hi = N_OFFSETS - 1;
    while (o_lo < N_OFFSETS - 1 && (int64_t)ws->ix->all_max_time + (o_lo - 2) * DAY_S < win_lo) o_lo++;
    while (o_hi > 0 && (int64_t)ws->ix->all_min_time + (o_hi - 2) * DAY_S > win_hi) o_hi--;
    ws->use_d = o_lo == 2 && o_hi == 2;
    if (use_targets) {
        int32_t last_e;
        const int32_t last = target_last_arrival(ws, p, o_lo, o_hi, rev, &last_e);
        if (last < bound - 1) bound = last + 1; /* labels must be < bound */
        /* and when that ends the search window early (an evening query), label + lower bound to the targets
         * (egress included) cannot exceed it either: the bounds prune from the first round (see raptor_ws) */
        if (last_e < lim && last_e < ws->tbest) ws->tbest = last_e;
    }
    int k;
    for (k = 1; k <= max_k; k++) {
        if (ws->n_marked_prev == 0) break;
        if (use_targets) lb_maybe(ws, p);
        if (use_targets && ws->tbest != RAPTOR_INF && !ws->use_d) {
            /* a target reached: nothing at or past its arrival helps, so the days whose trips all run later
             * (reverse: earlier) need no scan, and a run down to day D alone collects from D's own lists */
            if (!rev && ws->tbest < win_hi) win_hi = ws->tbest;
            if (rev && -ws->tbest > win_lo) win_lo = -ws->tbest;
            while (o_lo < o_hi && (int64_t)ws->ix->all_max_time + (o_lo - 2) * DAY_S < win_lo) o_lo++;
            while (o_hi > o_lo && (int64_t)ws->ix->all_min_time + (o_hi - 2) * DAY_S > win_hi) o_hi--;
            ws->use_d = o_lo == 2 && o_hi == 2;
        }
        copy_forward(ws, k);
        ws->stats.rounds++;
        collect_patterns(ws, k, bound);
        ws->n_marked_cur = 0;
        scan_ctx c = {.ws = ws, .p = p, .k = k, .bound = bound, .tbest = ws->tbest,
                      .lb = ws->lb_ready == 1 ? ws->lb : NULL};
        int cur_o = -1; /* the day offset c is set up for (a daytime query scans one) */
        for (uint32_t q = 0; q < ws->n_pat_list; q++) {
            if (use_targets && !c.lb && c.tbest != RAPTOR_INF && !ws->lb_ready) {
                /* the first target arrival: the rest of this round's scans are pruned already */
                ws->tbest = c.tbest;
                lb_maybe(ws, p);
                if (ws->lb_ready == 1) c.lb = ws->lb;
            }
            const uint32_t pi = ws->pat_list[q];
            const uint32_t first = ws->pat_span[pi].first, last = ws->pat_span[pi].last;
            ws->pat_span[pi].first = UINT32_MAX;
            if (p->pattern_ok && !p->pattern_ok[pi]) continue;
            const net_pattern *pt = &v->patterns[pi];
            if (!pt->n_trips) continue;
            const int64_t pmin = ws->ix->pat_min_time[pi], pmax = ws->ix->pat_max_time[pi];
            for (int o = o_lo; o <= o_hi; o++) {
                const int32_t shift = (o - 2) * DAY_S;
                if (pmax + shift < win_lo) continue;
                if (pmin + shift > win_hi) break; /* later days start later still */
                if (o != cur_o) {
                    cur_o = o;
                    scan_offset(&c, o);
                }
                ws->stats.patterns_scanned++;
                scan_pattern(&c, pt, pi, first, last, rev);
            }
        }
        bound = c.bound;
        ws->tbest = c.tbest;
        if (use_targets) lb_maybe(ws, p); /* a target reached in this round prunes its transfers already */
        relax_transfers(ws, p, k, &bound);
        next_round_marks(ws);
        if (use_targets) {
            int32_t tb = target_best(ws, k);
            if (tb < bound) bound = tb;
            if (tb < ws->tbest) ws->tbest = tb;
        }
    }
    for (uint32_t m = 0; m < ws->n_marked_prev; m++) ws->flag[ws->marked_prev[m]] &= (uint8_t)~F_MARK_PREV;
    ws->n_marked_prev = 0;
    ws->rounds_run = k - 1;
    if (range) {
        /* keep "at most k trips" true in every round, so the next minute reads complete labels */
        for (; k <= max_k; k++) copy_forward(ws, k);
        ws->rounds_run = max_k;
    }
    /* the rounds a reset must clear (a one-to-one query rarely runs all of them) */
    if (ws->rounds_run > ws->max_round_used) ws->max_round_used = ws->rounds_run;
    return ws->rounds_run;
}

static void seed_sources(raptor_ws *ws, const raptor_params *p, const stop_seconds *sources,
                         uint32_t n_sources) {
    const int rev = ws->rev;
    const int32_t t0 = rev ? -p->time : p->time;
    ws->n_marked_prev = 0;
    for (uint32_t i = 0; i < n_sources; i++) {
        uint32_t s = sources[i].stop;
        if (s >= ws->n_stops) continue;
        if (p->stop_ok && !p->stop_ok[s]) continue;
        int32_t a = t0 + sources[i].seconds;
        if (sources[i].seconds < ws->min_walk) ws->min_walk = sources[i].seconds;
        size_t li = s; /* round 0 */
        if (a < ws->arr[li].foot || (a == ws->arr[li].foot && sources[i].seconds < ws->walked[li].foot)) {
            ws->arr[li].foot = a;
            ws->walked[li].foot = sources[i].seconds;
            raptor_parent *pr = &ws->par_walk[li];
            memset(pr, 0, sizeof *pr);
            pr->ref = i;
            pr->kind = RAPTOR_BY_SOURCE;
            touch(ws, s);
            if (!(ws->flag[s] & F_MARK_PREV)) {
                ws->flag[s] |= F_MARK_PREV;
                ws->marked_prev[ws->n_marked_prev++] = s;
            }
        }
    }
}

/* A new run or range step: the trips ridden so far no longer count (see already_ridden). */
static void new_reach_stamp(raptor_ws *ws) {
    ws->reach_stamp += REACH_ROUNDS;
    if (ws->reach_stamp) return;
    for (int o = 0; o < N_OFFSETS; o++)
        if (ws->reach[o]) memset(ws->reach[o], 0, (ws->v->n_trips + 1) * sizeof(raptor_reach));
    ws->reach_stamp = REACH_ROUNDS;
}

int raptor_run(raptor_ws *ws, const raptor_params *p, const stop_seconds *sources, uint32_t n_sources,
               const stop_seconds *targets, uint32_t n_targets) {
    reset_labels(ws);
    new_reach_stamp(ws);
    ws->lean = 0;
    ws->fresh = 1;
    ws->stats.runs++;
    if (n_targets) ws->target_runs++;
    ws->rev = p->arrive_by ? 1 : 0;
    for (uint32_t i = 0; i < n_targets; i++) {
        uint32_t s = targets[i].stop;
        if (s >= ws->n_stops) continue;
        if (ws->egress[s] == RAPTOR_INF) {
            ws->target_list[ws->n_targets++] = s;
            set_pat_target(ws, s, 1);
        }
        if (targets[i].seconds < ws->egress[s]) ws->egress[s] = targets[i].seconds;
    }
    seed_sources(ws, p, sources, n_sources);
    return run_rounds(ws, p, ws->n_targets > 0, 0);
}

void raptor_range_begin(raptor_ws *ws, const raptor_params *p) {
    reset_labels(ws);
    ws->rev = p->arrive_by ? 1 : 0;
}

int raptor_range_step(raptor_ws *ws, const raptor_params *p, const stop_seconds *sources, uint32_t n_sources) {
    clear_changed(ws);
    new_reach_stamp(ws);
    ws->lean = p->times_only != 0;
    ws->fresh = 0;
    seed_sources(ws, p, sources, n_sources);
    return run_rounds(ws, p, 0, 1);
}

/* ---------------------------------------------------------------- results -------------------------------------- */

int raptor_rounds(const raptor_ws *ws) { return ws->rounds_run; }

void raptor_get_stats(const raptor_ws *ws, raptor_stats *out) { *out = ws->stats; }

int32_t raptor_label(const raptor_ws *ws, int round, uint32_t stop, int by_trip, int32_t *walk_s,
                     raptor_parent *parent) {
    size_t i = (size_t)round * ws->n_stops + stop;
    if (walk_s) *walk_s = by_trip ? ws->walked[i].trip : ws->walked[i].foot;
    if (parent) {
        *parent = *label_parent(ws, round, stop, by_trip);
        parent->board_kind &= (uint8_t)~RAPTOR_BOARD_TIMED; /* (internal to the search's ties) */
    }
    return by_trip ? ws->arr[i].trip : ws->arr[i].foot;
}

int32_t raptor_arrival(const raptor_ws *ws, int round, uint32_t stop) {
    size_t i = (size_t)round * ws->n_stops + stop;
    int32_t a = ws->arr[i].trip < ws->arr[i].foot ? ws->arr[i].trip : ws->arr[i].foot;
    if (a == RAPTOR_INF) return ws->rev ? -RAPTOR_INF : RAPTOR_INF;
    return ws->rev ? -a : a;
}

int32_t raptor_best_arrival(const raptor_ws *ws, uint32_t stop) {
    /* labels are "at most k trips", so the last round run holds the best */
    return raptor_arrival(ws, ws->rounds_run, stop);
}

const uint32_t *raptor_changed(const raptor_ws *ws, uint32_t *n) {
    *n = ws->n_changed;
    return ws->changed;
}

const uint32_t *raptor_touched(const raptor_ws *ws, uint32_t *n) {
    *n = ws->n_touched;
    return ws->touched;
}

/* ---------------------------------------------------------------- stop queries' ends --------------------------- */

/* Add (stop, seconds) to a list of ends, keeping one entry per stop with its least seconds; returns the new count
 * (which may pass cap: the caller then asks again with room for it). */
static uint32_t end_add(stop_seconds *out, uint32_t n, uint32_t cap, uint32_t stop, int32_t seconds) {
    for (uint32_t i = 0; i < n && i < cap; i++)
        if (out[i].stop == stop) {
            if (seconds < out[i].seconds) out[i].seconds = seconds;
            return n;
        }
    if (n < cap) out[n] = (stop_seconds){stop, seconds};
    return n + 1;
}

/* A transfers.txt link usable at a journey's end: no trip or route named (no trip arrives at an origin, and the
 * egress of a destination is not told which trip arrived), and not forbidden. Its time as the rounds read it. */
static int32_t end_link_time(const network_view *v, const net_transfer_rule *r) {
    if (!rule_is_link(v, r)) return -1;
    if (r->from_trip != TC_NONE || r->to_trip != TC_NONE || r->from_route != TC_NONE || r->to_route != TC_NONE)
        return -1;
    return rule_time(r, 0);
}

/* A link's end at a journey's end: the stop, or each child of a station (improve_link_end). */
static uint32_t end_add_link(const raptor_ws *ws, stop_seconds *out, uint32_t n, uint32_t cap, uint32_t end,
                             uint32_t stop, int32_t t) {
    const uint32_t b = ws->ix->child_begin[end], e = ws->ix->child_begin[end + 1];
    if (b == e) return end != stop ? end_add(out, n, cap, end, t) : n;
    for (uint32_t c = b; c < e; c++)
        if (ws->ix->children[c] != stop) n = end_add(out, n, cap, ws->ix->children[c], t);
    return n;
}

uint32_t raptor_stop_ends(const raptor_ws *ws, const raptor_params *p, uint32_t stop, int into,
                          stop_seconds *out, uint32_t cap) {
    const network_view *v = ws->v;
    if (stop >= ws->n_stops) return 0;
    const double speed = p->walk_speed_mps > 0 ? p->walk_speed_mps : TC_DEFAULT_WALK_SPEED_MPS;
    const int32_t maxw = p->max_transfer_walk_s;
    uint32_t n = end_add(out, 0, cap, stop, 0);
    /* walking transfers (out of the stop for an origin, into it for a destination), unless a link replaces them */
    if (!into) {
        for (uint32_t e = v->transfer_begin[stop]; e < v->transfer_begin[stop + 1]; e++) {
            const uint32_t to = v->transfers[e].to_stop;
            const int32_t w = raptor_walk_seconds(v->transfers[e].distance_m, speed);
            if (w > maxw) break; /* sorted by distance */
            if (to == stop || to >= ws->n_stops || has_link_rule(ws, stop, to)) continue;
            n = end_add(out, n, cap, to, w);
        }
    } else {
        for (uint32_t q = ws->ix->tin_begin[stop]; q < ws->ix->tin_begin[stop + 1]; q++) {
            const uint32_t from = ws->ix->tin[2 * q], e = ws->ix->tin[2 * q + 1];
            const int32_t w = raptor_walk_seconds(v->transfers[e].distance_m, speed);
            if (w > maxw || from >= ws->n_stops || has_link_rule(ws, from, stop)) continue;
            n = end_add(out, n, cap, from, w);
        }
    }
    /* transfers.txt links from the stop or its station (origin), into the stop or its station (destination) */
    const uint32_t owners[2] = {stop, station_of(v, stop)};
    for (int o = 0; o < 2; o++) {
        const uint32_t w = owners[o];
        if (w == TC_NONE) continue;
        if (!into) {
            for (uint32_t i = v->transfer_rule_begin[w]; i < v->transfer_rule_begin[w + 1]; i++) {
                const net_transfer_rule *r = &v->transfer_rules[i];
                const int32_t t = end_link_time(v, r);
                if (t >= 0 && r->to_stop < ws->n_stops) n = end_add_link(ws, out, n, cap, r->to_stop, stop, t);
            }
        } else {
            for (uint32_t q = ws->ix->rev_rule_begin[w]; q < ws->ix->rev_rule_begin[w + 1]; q++) {
                const net_transfer_rule *r = &v->transfer_rules[ws->ix->rev_rules[q]];
                const int32_t t = end_link_time(v, r);
                if (t >= 0 && r->from_stop < ws->n_stops) n = end_add_link(ws, out, n, cap, r->from_stop, stop, t);
            }
        }
    }
    /* the other platforms of the stop's station (or a station's own platforms), at their straight-line walking
     * time: they are the same place, whether or not the network has a walking transfer between them */
    const uint32_t station = ws->ix->child_begin[stop] < ws->ix->child_begin[stop + 1] ? stop : station_of(v, stop);
    if (station != TC_NONE) {
        const double detour = v->straight_line_detour > 0 ? v->straight_line_detour : TC_DEFAULT_STRAIGHT_LINE_DETOUR;
        const double lat = from_e7(v->stops[stop].lat_e7), lon = from_e7(v->stops[stop].lon_e7);
        for (uint32_t c = ws->ix->child_begin[station]; c < ws->ix->child_begin[station + 1]; c++) {
            const uint32_t sib = ws->ix->children[c];
            if (sib == stop) continue;
            const double d =
                haversine_m(lat, lon, from_e7(v->stops[sib].lat_e7), from_e7(v->stops[sib].lon_e7));
            const int32_t w = raptor_walk_seconds((uint32_t)lround(d * detour), speed);
            if (w <= maxw) n = end_add(out, n, cap, sib, w);
        }
    }
    if (p->stop_ok) { /* an excluded stop is no end (the search would not seed it either) */
        uint32_t m = 0;
        for (uint32_t i = 0; i < n && i < cap; i++)
            if (p->stop_ok[out[i].stop]) out[m++] = out[i];
        if (n <= cap) n = m;
    }
    return n;
}

int32_t raptor_ends_arrival(const raptor_ws *ws, const stop_seconds *ends, uint32_t n_ends) {
    int32_t best = RAPTOR_INF;
    const size_t last = (size_t)ws->rounds_run * ws->n_stops;
    for (uint32_t i = 0; i < n_ends; i++) {
        const uint32_t s = ends[i].stop;
        if (s >= ws->n_stops) continue;
        /* after a trip (labels are "at most k trips": the last round holds the best), or at a source */
        int32_t a = ws->arr[last + s].trip;
        if (ws->arr[s].foot < a && label_parent(ws, 0, s, 0)->kind == RAPTOR_BY_SOURCE) a = ws->arr[s].foot;
        if (a == RAPTOR_INF) continue;
        if (a + ends[i].seconds < best) best = a + ends[i].seconds;
    }
    if (best == RAPTOR_INF) return ws->rev ? -RAPTOR_INF : RAPTOR_INF;
    return ws->rev ? -best : best;
}
