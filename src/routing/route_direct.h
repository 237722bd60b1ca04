/*
 * route_direct.h — street-only journeys offered beside transit ones by tc_route (route_direct.c).
 */
#ifndef TC_ROUTING_ROUTE_DIRECT_H
#define TC_ROUTING_ROUTE_DIRECT_H

#include "network/network.h"

/* Append to set (the transit journeys of q) a direct journey for each mode of q->direct_modes that no transit
 * journey beats, and drop the transit journeys the direct walk beats or ties. The caller sorts the set. */
tc_status route_add_direct(const tc_network *net, const tc_route_query *q, tc_journey_set *set, tc_error *err);

/* The direct journeys alone, for a query whose ends reach no stop: TC_OK with *out holding at least one journey,
 * else TC_ERR_UNREACHABLE (*out NULL). */
tc_status route_direct_only(const tc_network *net, const tc_route_query *q, tc_journey_set **out);

#endif
