/*
 * street_truck.h — heavy-vehicle rules at query time (street_truck.c): a vehicle meets the stored limits, and the
 * searches get a view of the graph for that vehicle and departure.
 */
#ifndef TC_STREETS_STREET_TRUCK_H
#define TC_STREETS_STREET_TRUCK_H

#include "tongcheng.h"
#include "streets/street_graph.h"

/* Nonzero when vehicle v may pass a segment with limits r at v's departure. */
int street_truck_allows(const street_truck_limit *r, const tc_truck *v);
/* TC_ERR_INVALID_ARGUMENT when v is not a plausible vehicle or departure. */
tc_status street_truck_check(const tc_truck *v, tc_error *err);
/* *view = g with arcs closed to v (truck bit cleared) and truck speeds in car_kmh; *owned is the arc copy the view
 * points to (free it after the view's last use; NULL for a graph without streets). */
tc_status street_truck_view(const street_graph *g, const tc_truck *v, street_graph *view, street_edge **owned,
                            tc_error *err);

#endif
