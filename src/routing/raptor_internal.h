/*
 * raptor_internal.h — what the RAPTOR search reads that outlives a query, split by lifetime (routing stage only).
 *
 *  - raptor_index: one per network, immutable once built, shared by every thread and workspace: the per-direction
 *    boarding lists by stop, each pattern's positions in scan order, plain-pattern and transfers.txt facts, the
 *    pattern time extents, the walking transfers by end stop, and (built on demand, once) the lower bounds'
 *    landmarks and the transfers' walking seconds at one speed;
 *  - raptor_day: one per network, service day, direction and board slack: which trips run on days D−2 … D+2, the
 *    day's boarding lists and, built per day offset on first use, the timetable columns and rows the scans read.
 *    Immutable once built (an offset's columns are published with a release store and read after an acquire
 *    load), reference-counted, in a small cache in the index: workspaces on the same day share one copy;
 *  - raptor_ws (raptor.c): one per thread, the labels and marks of the query being run.
 * raptor.c keeps every scan in one file (inlining); raptor_index.c builds the two shared kinds.
 */
#ifndef TC_ROUTING_RAPTOR_INTERNAL_H
#define TC_ROUTING_RAPTOR_INTERNAL_H

#include "routing/lower_bounds.h"
#include "routing/raptor.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define DAY_S 86400
#define N_OFFSETS 5 /* service days D−2 … D+2 */

/* index seq entries: a pattern position's stop, and whether the search may not board / alight there (search sense) */
#define SEQ_NO_BOARD 0x80000000u
#define SEQ_NO_ALIGHT 0x40000000u
#define SEQ_STOP 0x3fffffffu

/* Per stop, what transfers.txt says of it (raptor_index.stop_rules; a workspace copies them into its flag bytes,
 * whose lower bits are the query's marks: raptor.c) */
enum {
    F_RULES = 32,           /* same-stop change rules may apply here */
    F_LINK_RULES = 64,      /* rules to other stops start here (forward) */
    F_REV_LINK_RULES = 128, /* rules from other stops end here */
    F_ANY_RULES = F_RULES | F_LINK_RULES | F_REV_LINK_RULES
};

/* One stop event of a running trip, in search sense (reverse: negated, roles swapped), with the day shift. */
typedef struct raptor_event {
    int32_t alight, board;
} raptor_event;

/* Per stop and day offset: the latest arrival and the earliest departure there (see raptor_day_extents). */
typedef struct raptor_extent {
    int32_t arr, dep;
} raptor_extent;

typedef struct raptor_day raptor_day;

/* Landmarks' walking seconds: a few speeds are kept, each immutable once published */
#define RAPTOR_TR_SPEEDS 4
/* Days kept in an index's cache while no workspace uses them */
#define RAPTOR_DAY_CACHE 4

struct raptor_index {
    const network_view *v;
    uint32_t n_stops;
    uint8_t *stop_rules; /* per stop: F_RULES, F_LINK_RULES, F_REV_LINK_RULES */
    /* per pattern: scheduled, monotone and no transfers.txt rules at its stops (scan_plain can scan it) */
    uint8_t *pat_plain;
    /* per direction, every pattern's positions in scan order as SEQ_* entries (from the pattern's stops_begin) */
    uint32_t *seq[2];
    uint64_t n_pos; /* entries of seq: every pattern's stops_begin + n_stops fits */
    /* per pattern time extents (times as stored, without day shift), and over all patterns */
    int32_t all_min_time, all_max_time;
    int32_t *pat_min_time, *pat_max_time;
    uint64_t col_need; /* events of every scheduled trip at every position: the most a day offset can lay out */
    /* walking transfers by their end stop (net_transfers_by_end) */
    uint32_t *tin_begin, *tin;
    /* transfers.txt rules between different stops, CSR by to_stop */
    uint32_t *rev_rule_begin, *rev_rules;
    /* a link rule may name stations (location_type 1): trips stop at their child stops, so a rule from a station
     * applies at each child and a rule to a station leads to each child; children CSR by station */
    uint32_t *child_begin, *children;
    /* per direction (0 forward, 1 reverse), CSR by stop: {pattern, boarding index in scan order} of the patterns a
     * stop can be boarded at (not at the line's end, not trip-less); collecting patterns read the pattern records at
     * random before (~10% of a query) */
    uint32_t *sp_begin[2], *sp_board[2];

    /* built on demand, under mu; readers load the published pointers (acquire) */
    pthread_mutex_t mu;
    _Atomic(lower_bounds *) lbs;
    _Atomic int lb_state; /* 0 not built yet, 1 built, -1 not usable on this network */
    /* walking seconds of every transfer at a few speeds: a division per relaxation was a fifth of a range-RAPTOR
     * minute (measured on Porto Alegre), and a network is nearly always searched at one or two speeds */
    _Atomic int n_tr;
    double tr_speed[RAPTOR_TR_SPEEDS];
    int32_t *tr_secs[RAPTOR_TR_SPEEDS];
    /* the day cache (under mu): entries in use, and up to RAPTOR_DAY_CACHE unused ones, least recently used first
     * to go */
    raptor_day *days;
    uint64_t day_tick;
};

struct raptor_day {
    raptor_day *next; /* (the index's cache list) */
    int32_t day;
    int rev;
    int32_t slack; /* the board slack the columns are laid out with (raptor_params) */
    int refs;      /* workspaces using it (under the index's mu) */
    uint64_t used;
    /* service activity for days D−2 … D+2 */
    uint8_t *active; /* [N_OFFSETS * (n_services + 1)] */
    /* per day offset, the trips of each scheduled pattern running that day, as indices within the pattern in
     * departure order (stored from the pattern's trips_begin), and their count: a pattern mixes weekday, Saturday
     * and Sunday trips, so searching only running trips keeps "the trip before is too early" a one-probe test */
    uint32_t *act_trips; /* [N_OFFSETS * (n_trips + 1)] */
    uint32_t *act_count; /* [N_OFFSETS * (n_patterns + 1)] */
    /* the index's sp lists of this direction without the patterns that run on none of D−2 … D+2 (a quarter of the
     * entries on bydgoszcz and hart: weekend patterns on a weekday, and so on) */
    uint32_t *day_begin, *day_board;
    /* and without those that do not run on D itself, for a run that scans D alone (a daytime query: most of them):
     * the others, listed and then skipped for want of a trip that day, were a third of the patterns collected.
     * Entries {pattern, boarding index, the last boarding time there on D in search sense}: a stop whose label is
     * later than that boards nothing there, and is not collected for it (INT32_MAX: not plain, never skipped). */
    uint32_t *d_begin, *d_board;
    /* per day offset, built on first use under mu and published by col_state (1 built, -1 no memory):
     * the boarding times of the running trips transposed to position-major order (forward: departures; reverse:
     * negated arrivals), positions in scan order and the day's shift added, so the search for the earliest trip at
     * a position reads a few adjacent cache lines (the trip-major stop_times put a whole trip between two probes);
     * and the same trips' events trip-major, only the trips running that day: a ride reads its own row and, to see
     * whether the trip before it can be caught, the row just before, both in sequence (the way ULTRA's RAPTOR lays
     * out stop events); the stop_times of every trip would spread them over weekday and weekend trips */
    pthread_mutex_t mu;
    _Atomic int col_state[N_OFFSETS];
    int32_t *col[N_OFFSETS];
    raptor_event *rows[N_OFFSETS];
    uint64_t *col_begin[N_OFFSETS]; /* per pattern, into col and rows */
    uint32_t *trip_base[N_OFFSETS]; /* per pattern, its first running trip's slot among the offset's (reach) */
    _Atomic int ext_state[N_OFFSETS]; /* (raptor_day_extents) 1 built, -1 no memory */
    raptor_extent *ext[N_OFFSETS];
};

/* The day (day, direction, board slack) from the index's cache, built if missing; NULL if out of memory. Pair with
 * raptor_day_release. */
raptor_day *raptor_day_acquire(raptor_index *ix, int32_t day, int rev, int32_t slack);
void raptor_day_release(raptor_index *ix, raptor_day *d);
/* Day offset o's columns and rows, laid out on first use; 0 when out of memory (the search reads stop_times). */
int raptor_day_columns(const raptor_index *ix, raptor_day *d, int o);
/* Per stop, the latest arrival and the earliest departure of the trips running on day offset o (stored times, no
 * shift); NULL if out of memory. */
const raptor_extent *raptor_day_extents(const raptor_index *ix, raptor_day *d, int o);
/* The lower bounds' graph, built once (NULL: not usable on this network, or out of memory). */
lower_bounds *raptor_index_bounds(raptor_index *ix);
/* Every transfer's walking seconds at speed, shared (NULL when the index keeps no more speeds, or no memory). */
const int32_t *raptor_index_walk_secs(raptor_index *ix, double speed);

#endif
