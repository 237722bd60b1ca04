/*
 * raptor_index.c — the parts of a RAPTOR search that outlive a query (raptor_internal.h): the per-network index and
 * the per-day timetables, each built once and shared by every workspace and thread.
 *
 * Why shared: every workspace used to build and hold its own copy of both, so a server's memory grew by the
 * timetable with each thread, and a new workspace paid for the day's layout before its first query. The index is
 * immutable after raptor_index_create; a day's offsets are laid out on first use under the day's lock and then
 * only read. Days live in a small cache in the index: in-use entries are never evicted, and at most
 * RAPTOR_DAY_CACHE unused ones are kept (least recently used goes first).
 */
#include "routing/raptor_internal.h"

#include "common/error.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---------------------------------------------------------------- index ---------------------------------------- */

/* Per pattern, the least first-stop time and the greatest last-stop time of its trips (frequency runs included). */
static void pattern_extents(raptor_index *ix) {
    const network_view *v = ix->v;
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const net_pattern *pt = &v->patterns[p];
        int32_t lo = RAPTOR_INF, hi = -RAPTOR_INF;
        if (pt->n_trips && pt->n_stops) {
            const net_stop_time *st = v->stop_times + pt->times_begin;
            if (pt->flags & TC_PATTERN_FREQUENCY) {
                for (uint32_t t = 0; t < pt->n_trips; t++) {
                    const net_trip *tr = &v->trips[pt->trips_begin + t];
                    const net_stop_time *tt = st + (uint64_t)t * pt->n_stops;
                    for (uint32_t f = 0; f < tr->freq_count; f++) {
                        const net_frequency *fr = &v->frequencies[tr->freq_begin + f];
                        if (fr->start_time + tt[0].arrival < lo) lo = fr->start_time + tt[0].arrival;
                        int32_t e = fr->end_time + tt[pt->n_stops - 1].departure;
                        if (e > hi) hi = e;
                    }
                }
            } else {
                /* min over all trips of the first stop's time; max of the last stop's (trips may share a start) */
                for (uint32_t t = 0; t < pt->n_trips; t++) {
                    const net_stop_time *tt = st + (uint64_t)t * pt->n_stops;
                    if (tt[0].arrival < lo) lo = tt[0].arrival;
                    if (tt[pt->n_stops - 1].departure > hi) hi = tt[pt->n_stops - 1].departure;
                }
                ix->col_need += (uint64_t)pt->n_trips * pt->n_stops;
            }
        }
        ix->pat_min_time[p] = lo;
        ix->pat_max_time[p] = hi;
        if (p == 0 || lo < ix->all_min_time) ix->all_min_time = lo;
        if (p == 0 || hi > ix->all_max_time) ix->all_max_time = hi;
    }
}

/* transfers.txt: which stops need the slow, rule-aware boarding and link relaxation, and the CSR lists of link
 * rules by their end and of stations' children. 0 if out of memory. */
static int rule_lists(raptor_index *ix) {
    const network_view *v = ix->v;
    const uint32_t S = v->n_stops, R = v->n_transfer_rules;
    int global = 0;
    for (uint32_t i = 0; i < R; i++) {
        const net_transfer_rule *r = &v->transfer_rules[i];
        if (r->from_stop == TC_NONE) {
            global = 1;
            continue;
        }
        if (r->from_stop >= S || (r->to_stop != TC_NONE && r->to_stop >= S)) continue;
        if (rule_is_link(v, r)) {
            ix->stop_rules[r->from_stop] |= F_LINK_RULES;
            ix->stop_rules[r->to_stop] |= F_REV_LINK_RULES;
            ix->rev_rule_begin[r->to_stop + 1]++;
        } else {
            ix->stop_rules[r->from_stop] |= F_RULES;
        }
    }
    /* a station-level rule covers its child stops */
    for (uint32_t s = 0; s < S; s++) {
        uint32_t par = v->stops[s].parent;
        if (par != TC_NONE && par < S) ix->stop_rules[s] |= ix->stop_rules[par] & F_ANY_RULES;
        if (par != TC_NONE && par < S) ix->child_begin[par + 1]++;
        if (global) ix->stop_rules[s] |= F_RULES;
    }
    for (uint32_t s = 0; s < S; s++) ix->child_begin[s + 1] += ix->child_begin[s];
    for (uint32_t s = 0; s < S; s++) ix->rev_rule_begin[s + 1] += ix->rev_rule_begin[s];
    uint32_t *fill = malloc((S + 1) * sizeof(uint32_t));
    if (!fill) return 0;
    memcpy(fill, ix->child_begin, (S + 1) * sizeof(uint32_t));
    for (uint32_t s = 0; s < S; s++) {
        uint32_t par = v->stops[s].parent;
        if (par != TC_NONE && par < S) ix->children[fill[par]++] = s;
    }
    memset(fill, 0, (S + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < R; i++) {
        const net_transfer_rule *r = &v->transfer_rules[i];
        if (r->from_stop == TC_NONE || r->from_stop >= S || r->to_stop == TC_NONE || r->to_stop >= S) continue;
        if (!rule_is_link(v, r)) continue;
        ix->rev_rules[ix->rev_rule_begin[r->to_stop] + fill[r->to_stop]++] = i;
    }
    free(fill);
    return 1;
}

/* Which patterns scan_plain can scan, and every pattern's positions in scan order per direction. 0 if out of
 * memory. */
static int pattern_sequences(raptor_index *ix) {
    const network_view *v = ix->v;
    const uint32_t S = v->n_stops, P = v->n_patterns;
    for (uint32_t p = 0; p < P; p++) {
        const net_pattern *pt = &v->patterns[p];
        int plain = !(pt->flags & TC_PATTERN_FREQUENCY) && (pt->flags & TC_PATTERN_MONOTONE);
        for (uint32_t j = 0; plain && j < pt->n_stops; j++) {
            const uint32_t st = v->pattern_stops[pt->stops_begin + j];
            if (st >= S || (ix->stop_rules[st] & F_RULES)) plain = 0;
        }
        ix->pat_plain[p] = (uint8_t)(plain && S <= SEQ_STOP);
    }
    uint64_t n_pos = 0; /* (not n_pattern_stops: a hand-made view may leave it unset) */
    for (uint32_t p = 0; p < P; p++)
        if ((uint64_t)v->patterns[p].stops_begin + v->patterns[p].n_stops > n_pos)
            n_pos = (uint64_t)v->patterns[p].stops_begin + v->patterns[p].n_stops;
    ix->n_pos = n_pos;
    for (int r = 0; r < 2; r++)
        if (!(ix->seq[r] = malloc(((size_t)n_pos + 1) * sizeof(uint32_t)))) return 0;
    for (uint32_t p = 0; p < P; p++) {
        const net_pattern *pt = &v->patterns[p];
        for (uint32_t i = 0; i < pt->n_stops; i++)
            for (int r = 0; r < 2; r++) {
                const uint32_t j = r ? pt->n_stops - 1 - i : i;
                const uint8_t f = v->pattern_stop_flags[pt->stops_begin + j];
                const uint8_t nb = r ? TC_NO_DROPOFF : TC_NO_PICKUP, na = r ? TC_NO_PICKUP : TC_NO_DROPOFF;
                ix->seq[r][pt->stops_begin + i] = (v->pattern_stops[pt->stops_begin + j] & SEQ_STOP) |
                                                  ((f & nb) ? SEQ_NO_BOARD : 0) | ((f & na) ? SEQ_NO_ALIGHT : 0);
            }
    }
    return 1;
}

/* Per direction, the patterns boardable at each stop. 0 if out of memory. */
static int boarding_lists(raptor_index *ix) {
    const network_view *v = ix->v;
    const uint32_t S = v->n_stops, n_sp = v->stop_pattern_begin[S];
    for (int r = 0; r < 2; r++) {
        ix->sp_board[r] = malloc(((size_t)n_sp + 1) * 2 * sizeof(uint32_t));
        ix->sp_begin[r] = malloc(((size_t)S + 1) * sizeof(uint32_t));
        if (!ix->sp_board[r] || !ix->sp_begin[r]) return 0;
        uint32_t out = 0;
        for (uint32_t st = 0; st < S; st++) {
            ix->sp_begin[r][st] = out;
            for (uint32_t e = v->stop_pattern_begin[st]; e < v->stop_pattern_begin[st + 1]; e++) {
                const net_stop_pattern *sp = &v->stop_patterns[e];
                const net_pattern *pt = &v->patterns[sp->pattern];
                const uint32_t idx = r ? pt->n_stops - 1 - sp->position : sp->position;
                if (idx + 1 >= pt->n_stops || !pt->n_trips) continue;
                ix->sp_board[r][2 * out] = sp->pattern;
                ix->sp_board[r][2 * out + 1] = idx;
                out++;
            }
        }
        ix->sp_begin[r][S] = out;
    }
    return 1;
}

tc_status raptor_index_create(const network_view *v, raptor_index **out, tc_error *err) {
    *out = NULL;
    raptor_index *ix = calloc(1, sizeof *ix);
    if (!ix) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (routing index)");
    pthread_mutex_init(&ix->mu, NULL);
    ix->v = v;
    const uint32_t S = v->n_stops, P = v->n_patterns;
    ix->n_stops = S;
    ix->stop_rules = calloc(S + 1, 1);
    ix->pat_plain = calloc(P + 1, 1);
    ix->pat_min_time = malloc((P + 1) * sizeof(int32_t));
    ix->pat_max_time = malloc((P + 1) * sizeof(int32_t));
    ix->rev_rule_begin = calloc(S + 2, sizeof(uint32_t));
    ix->child_begin = calloc(S + 2, sizeof(uint32_t));
    ix->children = malloc((S + 1) * sizeof(uint32_t));
    ix->rev_rules = malloc((v->n_transfer_rules + 1) * sizeof(uint32_t));
    net_transfers_by_end(v, &ix->tin_begin, &ix->tin);
    int ok = ix->stop_rules && ix->pat_plain && ix->pat_min_time && ix->pat_max_time && ix->rev_rule_begin &&
             ix->child_begin && ix->children && ix->rev_rules && ix->tin_begin && ix->tin;
    if (ok) {
        pattern_extents(ix);
        ok = rule_lists(ix) && pattern_sequences(ix) && boarding_lists(ix);
    }
    if (!ok) {
        raptor_index_free(ix);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (routing index)");
    }
    *out = ix;
    return TC_OK;
}

static void day_free(raptor_day *d);

void raptor_index_free(raptor_index *ix) {
    if (!ix) return;
    for (raptor_day *d = ix->days, *n; d; d = n) {
        n = d->next;
        day_free(d);
    }
    free(ix->stop_rules);
    free(ix->pat_plain);
    free(ix->seq[0]);
    free(ix->seq[1]);
    free(ix->pat_min_time);
    free(ix->pat_max_time);
    free(ix->tin_begin);
    free(ix->tin);
    free(ix->rev_rule_begin);
    free(ix->rev_rules);
    free(ix->child_begin);
    free(ix->children);
    for (int r = 0; r < 2; r++) {
        free(ix->sp_begin[r]);
        free(ix->sp_board[r]);
    }
    lower_bounds_free(atomic_load(&ix->lbs));
    for (int i = 0; i < RAPTOR_TR_SPEEDS; i++) free(ix->tr_secs[i]);
    pthread_mutex_destroy(&ix->mu);
    free(ix);
}

size_t raptor_index_bytes(const raptor_index *ix) {
    const network_view *v = ix->v;
    const size_t S = ix->n_stops, P = v->n_patterns, n_sp = v->stop_pattern_begin[S];
    return sizeof *ix + (S + 1) + (P + 1) + 2 * (ix->n_pos + 1) * 4 + 2 * (P + 1) * 4 + (S + 2) * 4 * 2 +
           (S + 1) * 4 + (v->n_transfer_rules + 1) * 4 + 2 * ((n_sp + 1) * 8 + (S + 1) * 4);
}

lower_bounds *raptor_index_bounds(raptor_index *ix) {
    int state = atomic_load_explicit(&ix->lb_state, memory_order_acquire);
    if (state) return state > 0 ? atomic_load_explicit(&ix->lbs, memory_order_acquire) : NULL;
    pthread_mutex_lock(&ix->mu);
    if (!atomic_load_explicit(&ix->lb_state, memory_order_relaxed)) {
        lower_bounds *lbs = NULL;
        int ok = lower_bounds_create(ix->v, &lbs, NULL) == TC_OK;
        atomic_store_explicit(&ix->lbs, lbs, memory_order_release);
        atomic_store_explicit(&ix->lb_state, ok ? 1 : -1, memory_order_release);
    }
    pthread_mutex_unlock(&ix->mu);
    return atomic_load_explicit(&ix->lb_state, memory_order_acquire) > 0
               ? atomic_load_explicit(&ix->lbs, memory_order_acquire)
               : NULL;
}

const int32_t *raptor_index_walk_secs(raptor_index *ix, double speed) {
    const network_view *v = ix->v;
    int n = atomic_load_explicit(&ix->n_tr, memory_order_acquire);
    for (int i = 0; i < n; i++)
        if (ix->tr_speed[i] == speed) return ix->tr_secs[i];
    if (!v->n_transfers) return NULL;
    const int32_t *found = NULL;
    pthread_mutex_lock(&ix->mu);
    n = atomic_load_explicit(&ix->n_tr, memory_order_relaxed);
    for (int i = 0; i < n && !found; i++)
        if (ix->tr_speed[i] == speed) found = ix->tr_secs[i];
    if (!found && n < RAPTOR_TR_SPEEDS) {
        int32_t *secs = malloc((size_t)v->n_transfers * sizeof(int32_t));
        if (secs) {
            for (uint32_t e = 0; e < v->n_transfers; e++)
                secs[e] = raptor_walk_seconds(v->transfers[e].distance_m, speed);
            ix->tr_speed[n] = speed;
            ix->tr_secs[n] = secs;
            atomic_store_explicit(&ix->n_tr, n + 1, memory_order_release);
            found = secs;
        }
    }
    pthread_mutex_unlock(&ix->mu);
    return found;
}

/* ---------------------------------------------------------------- days ----------------------------------------- */

/* The trip events and columns a query reads at random (MBs per day offset): in 2 MB-aligned blocks the kernel may
 * back with huge pages (madvise), so a new trip's row rarely costs a page walk as well as a cache miss. */
static void *big_alloc(size_t bytes) {
    const size_t huge = (size_t)2 << 20;
    if (bytes < huge) return malloc(bytes);
    void *p = aligned_alloc(huge, (bytes + huge - 1) / huge * huge);
#ifdef MADV_HUGEPAGE
    if (p) madvise(p, (bytes + huge - 1) / huge * huge, MADV_HUGEPAGE);
#endif
    return p;
}

static void day_free(raptor_day *d) {
    if (!d) return;
    free(d->active);
    free(d->act_trips);
    free(d->act_count);
    free(d->day_begin);
    free(d->day_board);
    free(d->d_begin);
    free(d->d_board);
    for (int o = 0; o < N_OFFSETS; o++) {
        free(d->col[o]);
        free(d->rows[o]);
        free(d->col_begin[o]);
        free(d->trip_base[o]);
        free(d->ext[o]);
    }
    pthread_mutex_destroy(&d->mu);
    free(d);
}

/* Per pattern position (stored order), the last running trip's departure on D (forward), or the latest "boarding"
 * of a reverse search (the negated first arrival), for the d-lists. NULL if out of memory (no entry is skipped). */
static int32_t *last_boardings(const raptor_index *ix, const raptor_day *d) {
    const network_view *v = ix->v;
    int32_t *last_b = malloc((ix->n_pos + 1) * sizeof(int32_t));
    if (!last_b) return NULL;
    const uint32_t *at = d->act_trips + (size_t)2 * (v->n_trips + 1);
    const uint32_t *ac = d->act_count + (size_t)2 * (v->n_patterns + 1);
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const net_pattern *pt = &v->patterns[p];
        int32_t *lb = last_b + pt->stops_begin;
        for (uint32_t j = 0; j < pt->n_stops; j++) lb[j] = INT32_MIN;
        for (uint32_t vt = 0; vt < ac[p]; vt++) {
            const net_stop_time *x =
                v->stop_times + pt->times_begin + (uint64_t)at[pt->trips_begin + vt] * pt->n_stops;
            for (uint32_t j = 0; j < pt->n_stops; j++) {
                const int32_t b = d->rev ? -x[j].arrival : x[j].departure;
                if (b > lb[j]) lb[j] = b;
            }
        }
    }
    return last_b;
}

/* Which trips run on each of D−2 … D+2. */
static void day_activity(const raptor_index *ix, raptor_day *d) {
    const network_view *v = ix->v;
    for (int o = 0; o < N_OFFSETS; o++) {
        uint8_t *a = d->active + (size_t)o * (v->n_services + 1);
        for (uint32_t s = 0; s < v->n_services; s++) a[s] = (uint8_t)service_active(v, s, d->day + o - 2);
        uint32_t *at = d->act_trips + (size_t)o * (v->n_trips + 1);
        uint32_t *ac = d->act_count + (size_t)o * (v->n_patterns + 1);
        for (uint32_t p = 0; p < v->n_patterns; p++) {
            const net_pattern *pt = &v->patterns[p];
            uint32_t n = 0;
            if (!(pt->flags & TC_PATTERN_FREQUENCY))
                for (uint32_t t = 0; t < pt->n_trips; t++)
                    if (a[v->trips[pt->trips_begin + t].service]) at[pt->trips_begin + n++] = t;
            ac[p] = n;
        }
    }
}

/* The day's boarding lists (raptor_day.day_board, d_board). */
static void day_lists(const raptor_index *ix, raptor_day *d) {
    const network_view *v = ix->v;
    const int r = d->rev;
    int32_t *last_b = last_boardings(ix, d);
    uint32_t out = 0, out_d = 0;
    for (uint32_t st = 0; st < v->n_stops; st++) {
        d->day_begin[st] = out;
        d->d_begin[st] = out_d;
        for (uint32_t e = ix->sp_begin[r][st]; e < ix->sp_begin[r][st + 1]; e++) {
            const uint32_t p = ix->sp_board[r][2 * e];
            const int freq = (v->patterns[p].flags & TC_PATTERN_FREQUENCY) != 0;
            const int runs_d = freq || d->act_count[(size_t)2 * (v->n_patterns + 1) + p] > 0;
            int runs = runs_d;
            for (int o = 0; o < N_OFFSETS && !runs; o++) runs = d->act_count[(size_t)o * (v->n_patterns + 1) + p] > 0;
            if (!runs) continue;
            d->day_board[2 * out] = p;
            d->day_board[2 * out + 1] = ix->sp_board[r][2 * e + 1];
            out++;
            if (!runs_d) continue;
            const uint32_t idx = ix->sp_board[r][2 * e + 1];
            const net_pattern *pt = &v->patterns[p];
            int32_t last = INT32_MAX;
            if (ix->pat_plain[p] && last_b) last = last_b[pt->stops_begin + (r ? pt->n_stops - 1 - idx : idx)];
            d->d_board[3 * out_d] = p;
            d->d_board[3 * out_d + 1] = idx;
            d->d_board[3 * out_d + 2] = (uint32_t)last;
            out_d++;
        }
    }
    d->day_begin[v->n_stops] = out;
    d->d_begin[v->n_stops] = out_d;
    free(last_b);
}

static raptor_day *day_create(const raptor_index *ix, int32_t day, int rev, int32_t slack) {
    const network_view *v = ix->v;
    raptor_day *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    pthread_mutex_init(&d->mu, NULL);
    d->day = day;
    d->rev = rev;
    d->slack = slack;
    const size_t S = v->n_stops, n_sp = ix->sp_begin[rev][S];
    d->active = calloc((size_t)N_OFFSETS * (v->n_services + 1), 1);
    d->act_trips = malloc((size_t)N_OFFSETS * (v->n_trips + 1) * sizeof(uint32_t));
    d->act_count = calloc((size_t)N_OFFSETS * (v->n_patterns + 1), sizeof(uint32_t));
    d->day_begin = malloc((S + 1) * sizeof(uint32_t));
    d->day_board = malloc((n_sp + 1) * 2 * sizeof(uint32_t));
    d->d_begin = malloc((S + 1) * sizeof(uint32_t));
    d->d_board = malloc((n_sp + 1) * 3 * sizeof(uint32_t));
    if (!d->active || !d->act_trips || !d->act_count || !d->day_begin || !d->day_board || !d->d_begin ||
        !d->d_board) {
        day_free(d);
        return NULL;
    }
    day_activity(ix, d);
    day_lists(ix, d);
    return d;
}

/* The cached day for (day, rev, slack), taken (refs + 1, marked as just used); NULL if none. Under ix->mu. */
static raptor_day *day_take_locked(raptor_index *ix, int32_t day, int rev, int32_t slack) {
    for (raptor_day *d = ix->days; d; d = d->next)
        if (d->day == day && d->rev == rev && d->slack == slack) {
            d->refs++;
            d->used = ++ix->day_tick;
            return d;
        }
    return NULL;
}

raptor_day *raptor_day_acquire(raptor_index *ix, int32_t day, int rev, int32_t slack) {
    pthread_mutex_lock(&ix->mu);
    raptor_day *d = day_take_locked(ix, day, rev, slack);
    pthread_mutex_unlock(&ix->mu);
    if (d) return d;
    /* built outside the lock (other days stay available meanwhile); a twin built at the same time is dropped */
    raptor_day *nd = day_create(ix, day, rev, slack);
    if (!nd) return NULL;
    pthread_mutex_lock(&ix->mu);
    d = day_take_locked(ix, day, rev, slack);
    if (!d) {
        nd->refs = 1;
        nd->used = ++ix->day_tick;
        nd->next = ix->days;
        ix->days = d = nd;
        nd = NULL;
    }
    pthread_mutex_unlock(&ix->mu);
    if (nd) day_free(nd);
    return d;
}

void raptor_day_release(raptor_index *ix, raptor_day *d) {
    if (!d) return;
    raptor_day *victim = NULL;
    pthread_mutex_lock(&ix->mu);
    d->refs--;
    /* over RAPTOR_DAY_CACHE unused days: the least recently used one goes */
    int unused = 0;
    for (raptor_day *e = ix->days; e; e = e->next)
        if (!e->refs) {
            unused++;
            if (!victim || e->used < victim->used) victim = e;
        }
    if (unused > RAPTOR_DAY_CACHE) {
        for (raptor_day **pp = &ix->days; *pp; pp = &(*pp)->next)
            if (*pp == victim) {
                *pp = victim->next;
                break;
            }
    } else {
        victim = NULL;
    }
    pthread_mutex_unlock(&ix->mu);
    day_free(victim);
}

/* Lay out day offset o's columns and rows (raptor_day.col, rows); under d->mu. 0 if out of memory. */
static int build_columns(const raptor_index *ix, raptor_day *d, int o) {
    const network_view *v = ix->v;
    const int rev = d->rev;
    const int32_t slack = d->slack;
    d->col_begin[o] = malloc((v->n_patterns + 1) * sizeof(uint64_t));
    d->trip_base[o] = malloc((v->n_patterns + 1) * sizeof(uint32_t));
    d->col[o] = big_alloc((size_t)(ix->col_need + 1) * sizeof(int32_t));
    d->rows[o] = big_alloc((size_t)(ix->col_need + 1) * sizeof(raptor_event));
    if (!d->col_begin[o] || !d->col[o] || !d->rows[o] || !d->trip_base[o]) return 0;
    raptor_event *rows = d->rows[o];
    const uint32_t *at = d->act_trips + (size_t)o * (v->n_trips + 1);
    const uint32_t *ac = d->act_count + (size_t)o * (v->n_patterns + 1);
    int32_t *col = d->col[o];
    uint64_t pos = 0;
    uint32_t trips = 0;
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const net_pattern *pt = &v->patterns[p];
        d->col_begin[o][p] = pos;
        d->trip_base[o][p] = trips;
        const uint32_t nt = ac[p], n = pt->n_stops;
        trips += nt;
        if (!nt) continue;
        const net_stop_time *st = v->stop_times + pt->times_begin;
        const uint32_t *act = at + pt->trips_begin;
        /* search sense, in scan order (reverse: last position first), with the day's shift added: a scan then
         * reads position i of both at index i and adds nothing */
        const int32_t shift = (o - 2) * DAY_S;
        for (uint32_t vt = 0; vt < nt; vt++) {
            const net_stop_time *x = &st[(uint64_t)act[rev ? nt - 1 - vt : vt] * n];
            for (uint32_t i = 0; i < n; i++) {
                const uint32_t j = rev ? n - 1 - i : i;
                /* the board slack moves the forward journey's boardings earlier (raptor_params.board_slack_s) */
                col[pos + (uint64_t)i * nt + vt] = rev ? -(x[j].arrival + shift) : x[j].departure + shift - slack;
                rows[pos + (uint64_t)vt * n + i].alight =
                    rev ? -(x[j].departure + shift) + slack : x[j].arrival + shift;
                rows[pos + (uint64_t)vt * n + i].board = rev ? -(x[j].arrival + shift) : x[j].departure + shift - slack;
            }
        }
        pos += (uint64_t)nt * n;
    }
    return 1;
}

int raptor_day_columns(const raptor_index *ix, raptor_day *d, int o) {
    int state = atomic_load_explicit(&d->col_state[o], memory_order_acquire);
    if (state) return state > 0;
    pthread_mutex_lock(&d->mu);
    if (!atomic_load_explicit(&d->col_state[o], memory_order_relaxed)) {
        int ok = build_columns(ix, d, o);
        if (!ok) {
            free(d->col[o]);
            free(d->rows[o]);
            free(d->col_begin[o]);
            free(d->trip_base[o]);
            d->col[o] = NULL;
            d->rows[o] = NULL;
            d->col_begin[o] = NULL;
            d->trip_base[o] = NULL;
        }
        atomic_store_explicit(&d->col_state[o], ok ? 1 : -1, memory_order_release);
    }
    pthread_mutex_unlock(&d->mu);
    return atomic_load_explicit(&d->col_state[o], memory_order_acquire) > 0;
}

/* One pass over the day's stop times, where looking at the targets' trips on every query was 4% of a query. A stop
 * a running frequency-based pattern serves gets arr = INT32_MAX: no bound. */
static void build_extents(const raptor_index *ix, const raptor_day *d, int o, raptor_extent *x) {
    const network_view *v = ix->v;
    const uint32_t S = ix->n_stops;
    for (uint32_t s = 0; s <= S; s++) x[s] = (raptor_extent){INT32_MIN, INT32_MAX};
    const uint8_t *active = d->active + (size_t)o * (v->n_services + 1);
    const uint32_t *at = d->act_trips + (size_t)o * (v->n_trips + 1);
    const uint32_t *ac = d->act_count + (size_t)o * (v->n_patterns + 1);
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const net_pattern *pt = &v->patterns[p];
        const uint32_t *stops = v->pattern_stops + pt->stops_begin, n = pt->n_stops;
        if (pt->flags & TC_PATTERN_FREQUENCY) {
            int runs = 0;
            for (uint32_t t = 0; t < pt->n_trips && !runs; t++) runs = active[v->trips[pt->trips_begin + t].service];
            if (runs)
                for (uint32_t j = 0; j < n; j++)
                    if (stops[j] < S) x[stops[j]].arr = INT32_MAX;
            continue;
        }
        for (uint32_t vt = 0; vt < ac[p]; vt++) {
            const net_stop_time *st = v->stop_times + pt->times_begin + (uint64_t)at[pt->trips_begin + vt] * n;
            for (uint32_t j = 0; j < n; j++) {
                raptor_extent *e = &x[stops[j] < S ? stops[j] : S];
                if (e->arr != INT32_MAX && st[j].arrival > e->arr) e->arr = st[j].arrival;
                if (st[j].departure < e->dep) e->dep = st[j].departure;
            }
        }
    }
}

const raptor_extent *raptor_day_extents(const raptor_index *ix, raptor_day *d, int o) {
    int state = atomic_load_explicit(&d->ext_state[o], memory_order_acquire);
    if (state) return state > 0 ? d->ext[o] : NULL;
    pthread_mutex_lock(&d->mu);
    if (!atomic_load_explicit(&d->ext_state[o], memory_order_relaxed)) {
        d->ext[o] = malloc(((size_t)ix->n_stops + 1) * sizeof(raptor_extent));
        if (d->ext[o]) build_extents(ix, d, o, d->ext[o]);
        atomic_store_explicit(&d->ext_state[o], d->ext[o] ? 1 : -1, memory_order_release);
    }
    pthread_mutex_unlock(&d->mu);
    return atomic_load_explicit(&d->ext_state[o], memory_order_acquire) > 0 ? d->ext[o] : NULL;
}
