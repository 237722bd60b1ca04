/*
 * raptor.h — the RAPTOR search (Delling, Pajor, Werneck 2012) over a network_view: forward (depart after) and
 * reverse (arrive by), one-to-one with target pruning or one-to-all, and range-RAPTOR over a departure window.
 *
 * Shape (why):
 *  - labels are per round ("best arrival with at most k trips"), split into arrival by a trip (arr_trip) and arrival
 *    on foot after a trip (arr_walk): a same-stop change may need a minimum time (transfers.txt, --min-transfer-time)
 *    while a walked arrival is ready to board at once, so one label per stop could not tell them apart;
 *  - a reverse search is the same code on negated times (latest departure = earliest negated time), the pattern
 *    walked backwards and pickup/drop-off roles swapped; the scan functions take `rev` as a compile-time constant;
 *  - a query on day D runs over the trips of days D−2…D+2 shifted by multiples of 86,400 s; each (pattern, day)
 *    pair is scanned on its own, so trips of different days never need to be mutually non-overtaking, and pairs
 *    whose times cannot touch the query window are skipped;
 *  - what outlives a query is shared: one raptor_index per network, and per service day one timetable layout in
 *    the index's cache (raptor_internal.h); everything a search writes lives in a raptor_ws allocated once (per
 *    thread) and reset through the list of stops it touched, so a query costs what it visits, not the network's
 *    size. Between the minutes of a range-RAPTOR run the labels are kept (a journey leaving later is still valid
 *    earlier), which is what makes rRAPTOR cheap; the analysis stage drives raptor_range_* with one workspace per
 *    thread.
 */
#ifndef TC_ROUTING_RAPTOR_H
#define TC_ROUTING_RAPTOR_H

#include "network/network.h"
#include "routing/stop_access.h"

#include <stdint.h>

#define RAPTOR_INF INT32_MAX
#define RAPTOR_MAX_ROUNDS 33    /* trips per journey: --max-transfers up to 31 */
#define RAPTOR_DEFAULT_ROUNDS 9 /* max trips a default workspace holds (--max-transfers 8) */

/* What a search may use; filters are byte arrays (nonzero = allowed), NULL = everything allowed. */
typedef struct raptor_params {
    int32_t day;              /* service day D (days since 1970-01-01); times are seconds from D's start */
    int arrive_by;            /* 0: earliest arrival after `time`; 1: latest departure arriving by `time` */
    int32_t time;             /* departure time (forward) or arrival deadline (reverse), seconds on day D */
    int32_t limit;            /* forward: no arrival after this; reverse: no departure before this */
    int max_trips;            /* max transfers + 1, 1 … RAPTOR_MAX_ROUNDS - 1 */
    double walk_speed_mps;    /* for walking transfers */
    int32_t max_transfer_walk_s; /* walking transfers longer than this are not used */
    int32_t min_transfer_s;   /* floor on every transfer except transfers.txt type 1 */
    const uint8_t *pattern_ok; /* n_patterns: route type / excluded routes */
    const uint8_t *trip_ok;    /* n_trips: wheelchair / excluded trips */
    const uint8_t *stop_ok;    /* n_stops: excluded / inaccessible stops (no boarding, alighting or walking) */
    /* Monte Carlo hook for frequency-based trips (analysis): n_frequencies seconds, each in [0, headway), added to
     * the start of every frequencies.txt row with exact_times=0, so its runs leave at start + offset + r·headway
     * (R5's random schedule offsets). NULL = runs at start + r·headway. Rows with exact_times=1 are never moved. */
    const int32_t *freq_offset;
    /* Range steps only: the caller reads arrival times alone (analysis), so the search keeps no walking tie-break
     * and no journey parents (only the trip where transfers.txt rules need it): raptor_label's walk_s and parent
     * are then meaningless. The same for every step of one range run. */
    int times_only;
    /* Minimum wait before every boarding (R5's MINIMUM_BOARD_WAIT_SEC, OTP's board slack), seconds >= 0: a trip is
     * caught only when it leaves at least this long after the traveller reaches the stop. The search applies it by
     * moving every boarding event earlier by the slack (forward: departures; reverse: the forward boardings the
     * search alights at), so the scans compare as without it; journeys keep the timetable's own times. */
    int32_t board_slack_s;
} raptor_params;

/* How a label was reached (for journey reconstruction). */
enum { RAPTOR_BY_NONE = 0, RAPTOR_BY_SOURCE = 1, RAPTOR_BY_TRIP = 2, RAPTOR_BY_WALK = 3, RAPTOR_BY_LINK = 4 };

typedef struct raptor_parent {
    uint32_t ref;       /* BY_TRIP: trip index; BY_WALK / BY_LINK: stop walked from; BY_SOURCE: source index */
    int32_t shift;      /* BY_TRIP: seconds added to the trip's stored times (day offset, frequency run start) */
    uint16_t board_pos, alight_pos; /* BY_TRIP: pattern positions */
    uint8_t kind;       /* RAPTOR_BY_* */
    uint8_t board_kind; /* BY_TRIP: which label of round k−1 at the boarding stop was used (BY_TRIP or not) */
    uint16_t round;     /* round in which this label was set (labels are copied forward to later rounds) */
} raptor_parent;

typedef struct raptor_ws raptor_ws;
typedef struct raptor_index raptor_index;

/* The network's routing index: what every search reads and none changes (boarding lists by stop, patterns in scan
 * order, transfers.txt facts), plus a cache of per-day timetables and, on demand, the lower bounds' landmarks.
 * One per network, shared by every workspace and thread (its caches lock internally); it must outlive them.
 * Networks opened with tc_network_open keep one (raptor_network_index, route.c). */
tc_status raptor_index_create(const network_view *v, raptor_index **out, tc_error *err);
void raptor_index_free(raptor_index *ix);
/* Bytes the index holds itself (without its day cache and landmarks): for benchmarks. */
size_t raptor_index_bytes(const raptor_index *ix);
/* The index of a network opened with tc_network_open: built on first use (once, whatever the threads), kept and
 * freed with the network (route.c keeps it in the network's routing cache). */
tc_status raptor_network_index(const tc_network *net, raptor_index **out, tc_error *err);

/* A workspace: the labels and marks of one search at a time (one per thread), for searches of up to max_trips
 * trips (labels cost rounds × stops × 48 bytes, so they are sized to the longest search the caller will run);
 * raptor_run clamps p->max_trips to it. _shared reads the index ix (which must outlive it); the others build a
 * private index for v (a one-off search, a test's hand-made view). */
tc_status raptor_ws_create_shared(raptor_index *ix, int max_trips, raptor_ws **out, tc_error *err);
tc_status raptor_ws_create(const network_view *v, raptor_ws **out, tc_error *err);
tc_status raptor_ws_create_rounds(const network_view *v, int max_trips, raptor_ws **out, tc_error *err);
/* Room for searches of up to max_trips trips: grows the labels (between searches), never the index. */
tc_status raptor_ws_reserve(raptor_ws *ws, int max_trips, tc_error *err);
/* The most trips a search of ws may have (raptor_ws_create_rounds' max_trips). */
int raptor_ws_max_trips(const raptor_ws *ws);
/* Bytes the workspace holds (labels and marks; nothing shared): for benchmarks. */
size_t raptor_ws_bytes(const raptor_ws *ws);
void raptor_ws_free(raptor_ws *ws);

/* One query. Sources: stops with access seconds (forward: reached at time + seconds; reverse: the targets of the
 * journey, left at time − seconds). Targets (may be NULL/0 for one-to-all): stops with egress seconds, used for
 * pruning: once a target is reached, labels that cannot lead to a journey as good (by a lower bound on the time
 * still needed, from landmarks a workspace builds after its first few one-to-one runs) are not set, so only the
 * labels of journeys at least as good as the best target arrival of each round are complete. Returns the number
 * of rounds run (0, nothing reached, when the day's timetable cannot be laid out for want of memory). */
int raptor_run(raptor_ws *ws, const raptor_params *p, const stop_seconds *sources, uint32_t n_sources,
               const stop_seconds *targets, uint32_t n_targets);

/* Range-RAPTOR: begin (reset), then one call per departure minute, LATEST FIRST (forward) / EARLIEST FIRST
 * (reverse); labels are kept between calls. p->time is the minute's departure; targets are not used for pruning. */
void raptor_range_begin(raptor_ws *ws, const raptor_params *p);
int raptor_range_step(raptor_ws *ws, const raptor_params *p, const stop_seconds *sources, uint32_t n_sources);

/* Results of the last run/step, in the search's own time sense (reverse: latest departure, returned as a plain
 * time). RAPTOR_INF (forward) / -RAPTOR_INF (reverse) when unreached. `round` ≤ rounds run. */
int32_t raptor_arrival(const raptor_ws *ws, int round, uint32_t stop);          /* best of trip / walk labels */
int32_t raptor_best_arrival(const raptor_ws *ws, uint32_t stop);                /* over all rounds */
int raptor_rounds(const raptor_ws *ws);
/* The label at (round, stop): by_trip selects arr_trip (else arr_walk). Returns its time (search sense, raw:
 * negated in reverse) and walking seconds so far; parent may be NULL. */
int32_t raptor_label(const raptor_ws *ws, int round, uint32_t stop, int by_trip, int32_t *walk_s,
                     raptor_parent *parent);
/* Work counters since raptor_ws_create (for benchmarks: bytes touched ≈ what these read). */
typedef struct raptor_stats {
    uint64_t runs, rounds, patterns_scanned, positions_scanned, trip_searches, trip_probes, transfers_relaxed,
        labels_improved;
    uint64_t lb_runs; /* one-to-one runs that pruned with lower bounds to the targets (once a target was reached) */
} raptor_stats;
void raptor_get_stats(const raptor_ws *ws, raptor_stats *out);

/* Stops touched by the last run (their labels may be finite). */
const uint32_t *raptor_touched(const raptor_ws *ws, uint32_t *n);
/* Stops whose labels changed in the last run or range step (a subset of the touched ones): in range-RAPTOR, the
 * only stops whose arrivals can have improved for this minute. */
const uint32_t *raptor_changed(const raptor_ws *ws, uint32_t *n);

/* Transfers.txt lookup: the change time at `stop` from trip `from_trip` to trip `to_trip` (TC_NONE = unknown),
 * given the query's floor; -1 when forbidden (type 3). */
int32_t raptor_change_time(const raptor_ws *ws, uint32_t stop, uint32_t from_trip, uint32_t to_trip,
                           int32_t floor_s);

/* Seconds to walk distance_m at speed (rounded up). */
static inline int32_t raptor_walk_seconds(uint32_t distance_m, double speed_mps) {
    double s = (double)distance_m / speed_mps;
    int32_t i = (int32_t)s;
    return (double)i < s ? i + 1 : i;
}

/* A stop query's ends: a journey from (into = 0) or into (into = 1) a stop starts or ends at the stop's place, so
 * it may leave from (arrive at) any stop one transfer away, as a change between trips could: the stop itself (0 s),
 * its walking transfers within p->max_transfer_walk_s at p->walk_speed_mps (none where a transfers.txt link between
 * the two replaces walking, as in the rounds), the transfers.txt links from (into) it or its station that name no
 * trip or route, at the rule's time, and the other platforms of its parent station (a station's own platforms) at
 * their straight-line walking time within the same limit. Each stop once, with its least seconds; stops p->stop_ok
 * excludes are left out. Writes up to cap entries to out and returns how many there are (> cap: call again with
 * room for them). Pass the origin's ends as sources (forward) or targets (arrive-by), the destination's the other
 * way round; route, the server and the benchmarks all seed through this. */
uint32_t raptor_stop_ends(const raptor_ws *ws, const raptor_params *p, uint32_t stop, int into,
                          stop_seconds *out, uint32_t cap);
/* The best arrival of the last run at a stop query's far end (ends as raptor_stop_ends gave them, for the end the
 * search runs to): over the ends, a trip's arrival (or a source's, for a journey on foot alone) plus the ends'
 * seconds; in the search's time sense, as raptor_best_arrival. */
int32_t raptor_ends_arrival(const raptor_ws *ws, const stop_seconds *ends, uint32_t n_ends);

#endif
