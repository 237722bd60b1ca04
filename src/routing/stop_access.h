/*
 * stop_access.h — access and egress: which stops can be reached from a point (or reach it) on foot, by bike or by
 * car, and in how many seconds. The routing and analysis stages call this; it hides whether the network has
 * streets (search over the street graph from the snapped point) or not (straight line × detour, as R5 and OTP do
 * when no streets are loaded). It lives in routing/, above both the street graph (streets/) and the loaded network
 * (network/), since it needs the network's stops and their links to the streets.
 */
#ifndef TC_ROUTING_STOP_ACCESS_H
#define TC_ROUTING_STOP_ACCESS_H

#include "tongcheng.h"
#include "network/network.h"
#include "streets/street_search.h"

#include <stdint.h>

/* A street_workspace (streets/street_search.h) that also answers street_stops_near for net's stops. */
tc_status street_workspace_create(const network_view *net, street_workspace **out, tc_error *err);
void street_workspace_free(street_workspace *ws);

/* Stops reachable from (lat, lon) within max_seconds by mode at speed_mps (reverse = 0: from the point to stops,
 * access; reverse = 1: from stops to the point, egress — differs for car on one-way streets). The result array
 * lives in ws and stays valid until the next call on ws. A point farther than snap_radius_m from any usable street
 * is TC_ERR_UNREACHABLE with a message naming the point. */
tc_status street_stops_near(street_workspace *ws, const network_view *net, tc_mode mode, double lat, double lon,
                            double speed_mps, int32_t max_seconds, int reverse, double snap_radius_m,
                            const stop_seconds **out, uint32_t *n_out, tc_error *err);

#endif
