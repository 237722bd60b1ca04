/*
 * lower_bounds.h — lower bounds on the time still needed to reach a set of target stops, for pruning one-to-one
 * RAPTOR runs (A*-style: a label a at stop s with a + lb[s] > best target arrival cannot be part of a better
 * journey).
 *
 * The bounds are shortest-path distances in a time-independent graph whose edges never exceed a real move: per
 * pair of consecutive pattern stops the least ride time over the pattern's trips (day shifts and frequency runs
 * keep ride times), walking transfers at the query's speed and limit (no --min-transfer-time floor), 0 for
 * transfers.txt links in both directions; waiting, pickup/drop-off flags, filters and forbidden transfers are
 * ignored (more edges and less time only lower a bound). A Dijkstra per query cost as much as the pruning saved
 * (measured on bydgoszcz and hart), so the distances come from landmarks (ALT, Goldberg & Harrelson 2005): a few
 * stops whose distances to and from every stop are computed once per search direction, walking speed and limit;
 * a query's bounds are then one pass over the stops. Unusable (lower_bounds_create fails) when some trip's times
 * go down along its pattern: a ride could then be shorter than the sum of the least segment times.
 */
#ifndef TC_ROUTING_LOWER_BOUNDS_H
#define TC_ROUTING_LOWER_BOUNDS_H

#include "network/network.h"
#include "routing/stop_access.h"

#include <stdint.h>

#define LB_FAR (1 << 29) /* "unreachable": far above any time difference, low enough that label + 2·LB_FAR fits */

typedef struct lower_bounds lower_bounds;

/* The graph of the bounds for a network. TC_ERR_NO_MEMORY, or TC_ERR_INVALID_ARGUMENT when the network has a trip
 * whose times go down (no bound is safe there); *out is NULL then. */
tc_status lower_bounds_create(const network_view *v, lower_bounds **out, tc_error *err);
void lower_bounds_free(lower_bounds *lb);

/* Bounds towards `targets` (stop, egress seconds) for a search in direction dir (0 forward: time to reach a target;
 * 1 reverse: time from a target, the graph walked backwards), at walking speed speed_mps with transfers up to
 * max_walk_s: out[s] ≤ the least time from s to any target plus its egress, for every stop s (n_stops entries; at
 * least the least egress). Builds the landmarks of the direction, speed and limit on first use (a few sets are
 * kept; beyond them no bound is given). Safe to call from several threads on one lower_bounds. Returns 0 (out
 * untouched) when no bound can be given (out of memory, no target, no landmark). */
int lower_bounds_compute(lower_bounds *lb, int dir, double speed_mps, int32_t max_walk_s,
                         const stop_seconds *targets, uint32_t n_targets, int32_t *out);

#endif
