/*
 * isochrone.h — isochrone polygons contoured from a travel-time surface, as GeoJSON.
 *
 * For each percentile band and cutoff, the area where the travel time is below the cutoff (R5's t < cutoff), traced
 * by marching squares with linear interpolation between cell centres — the polygons GDAL's contour generator gives
 * in polygon mode (GDALContourGenerateEx, POLYGONIZE=YES, FIXED_LEVELS), traced here without it (isochrone.c says
 * why). Cell values are whole minutes truncated as R5 does, so the level is cutoff − 0.5: halfway between the last
 * cells inside (cutoff − 1) and the first outside (cutoff). Unreachable cells count as (largest cutoff + 1) minutes,
 * so a boundary next to them falls within one cell; the grid is padded with one such cell all round so every polygon
 * closes.
 * Output: a GeoJSON FeatureCollection (RFC 7946: WGS84 lon/lat, exterior rings counter-clockwise, holes clockwise),
 * one MultiPolygon feature per (cutoff, percentile), properties cutoff_min, percentile, area_km2. area_km2 is the
 * area on the sphere of radius 6,371,008.8 m (holes subtracted), computed from the lon/lat rings
 * (Chamberlain & Duquette 2007) — within about 0.3% of the WGS84 ellipsoid's.
 */
#ifndef TC_ANALYSIS_ISOCHRONE_H
#define TC_ANALYSIS_ISOCHRONE_H

#include "tongcheng.h"
#include "analysis/raster.h"

#include <stddef.h>
#include <stdint.h>

/* Build the FeatureCollection text (caller frees with free()). Features come cutoff-major in the order given, then
 * percentile. percentile_minutes: cells × n_percentiles, cell-major. */
tc_status isochrones_geojson(const tc_grid *grid, const uint16_t *percentile_minutes, const int *percentiles,
                             size_t n_percentiles, const int *cutoffs_min, size_t n_cutoffs, char **geojson_out,
                             tc_error *err);

/* Area in m² on the sphere of a closed lon/lat ring (degrees; the first point may or may not be repeated last).
 * Positive when counter-clockwise. */
double ring_area_m2(const double *lon, const double *lat, size_t n);

#endif
