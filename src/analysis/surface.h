/*
 * surface.h — internal entry points of the travel-time search (surface.c) that the public API does not expose:
 * the raw per-sample block of one origin (for tests and the surface command) and an isochrone's grid of minutes
 * (so the CLI can write a GeoTIFF of the same surface it contours).
 */
#ifndef TC_ANALYSIS_SURFACE_H
#define TC_ANALYSIS_SURFACE_H

#include "tongcheng.h"
#include "analysis/raster.h"
#include "analysis/travel_times.h"

/* One origin's samples: tt->minutes (n_dest × n_samples, destination-major; sample = minute index × draws + draw,
 * minute 0 = window_start) points into the workspace and stays valid until its next use. */
tc_status tc_analysis_samples(tc_analysis_workspace *ws, const tc_destinations *dest, const tc_analysis_options *opts,
                              double lat, double lon, tc_travel_times *tt, tc_error *err);

/* The grid tc_isochrones contours and its percentile minutes (cells × n_percentiles; caller frees). */
tc_status tc_isochrone_surface(const tc_network *net, const tc_analysis_options *opts, double lat, double lon,
                               const int *cutoffs_min, size_t n_cutoffs, double resolution_m, tc_grid *grid_out,
                               uint16_t **minutes_out, tc_error *err);

/* A per-network cache for a server's isochrones (surface.c): the last few linked grids and a pool of analysis
 * workspaces, shared by all threads (a mutex guards the tables, never a search). tc_isochrones_cached gives
 * byte for byte what tc_isochrones gives for the cache's network. */
typedef struct tc_isochrone_cache tc_isochrone_cache;
tc_status tc_isochrone_cache_create(const tc_network *net, tc_isochrone_cache **out, tc_error *err);
void tc_isochrone_cache_free(tc_isochrone_cache *cache);
tc_status tc_isochrones_cached(tc_isochrone_cache *cache, const tc_analysis_options *opts, double lat, double lon,
                               const int *cutoffs_min, size_t n_cutoffs, double resolution_m, char **geojson_out,
                               tc_error *err);

#endif
