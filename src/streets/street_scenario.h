/*
 * street_scenario.h — applying scenarios' car-speed changes to a built network's street graph (see
 * street_scenario.c for why it is a rewrite of the built file).
 */
#ifndef TC_STREETS_STREET_SCENARIO_H
#define TC_STREETS_STREET_SCENARIO_H

#include "tongcheng.h"
#include "common/error.h"
#include "sketch/scenario.h"

#include <stddef.h>

/* Patch the car speed of every car arc whose OSM way a "car_speeds" modification lists, or whose midpoint lies in
 * its polygon, in the network file at path (rewritten atomically; untouched when no scenario has such a change).
 * Modifications apply in order. A network without streets: a warning per modification, nothing changed. A listed
 * way in no segment: TC_ERR_NOT_FOUND naming the entry. changed_out (may be NULL): arcs changed. */
tc_status streets_apply_car_speeds(const char *path, scenario *const *scns, size_t n_scns, diag_log *diag,
                                   size_t *changed_out, tc_error *err);

#endif
