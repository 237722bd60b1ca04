/*
 * circle_internal.h — the report's computing steps shared between its files (not part of the report's API).
 */
#ifndef TC_REPORT_CIRCLE_INTERNAL_H
#define TC_REPORT_CIRCLE_INTERNAL_H

#include "report/circle.h"

/* Fill r->pairs[].p50 / .p90 (minutes, TC_UNREACHED_MIN) for every place → core. */
tc_status circle_transit_times(const tc_network *net, const circle_params *p, const circle_places *places,
                               const circle_places *cores, circle_result *r, tc_error *err);

/* Fill r->core_area_km2, r->core_isochrones and r->core_population (NAN where not computed). */
tc_status circle_core_isochrones(const tc_network *net, const circle_params *p, const circle_places *cores,
                                 circle_result *r, tc_error *err);

#endif
