/*
 * surface.h — the internal entry point of the travel-time search (surface.c) that the public API does not expose:
 * the raw per-sample block of one origin (for tests and benchmarks). An isochrone's grid of minutes
 * (tc_isochrone_surface) and the server's isochrone cache are public (tongcheng.h).
 */
#ifndef TC_ANALYSIS_SURFACE_H
#define TC_ANALYSIS_SURFACE_H

#include "tongcheng.h"
#include "analysis/raster.h"
#include "analysis/travel_times.h"

/* One origin's samples: tt->minutes (n_dest × n_samples, destination-major; sample = minute index × draws + draw,
 * minute 0 = window_start) points into the workspace and stays valid until its next use. */
tc_status analysis_samples(tc_analysis_workspace *ws, const tc_destinations *dest, const tc_analysis_options *opts,
                           double lat, double lon, travel_times *tt, tc_error *err);

#endif
