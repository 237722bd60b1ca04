/*
 * raster.h — the regular grid a travel-time surface is computed on, and writing surfaces (GeoTIFF, CSV).
 *
 * The grid is in Web Mercator (EPSG:3857), the projection every web map and QGIS basemap uses, so a GeoTIFF drops
 * onto them without resampling. Mercator stretches distances by 1/cos(latitude), so the cell side in EPSG:3857
 * metres is the requested ground resolution / cos(latitude of the bbox centre): cells are `resolution` metres on the
 * ground at the centre (within 1% over ±80 km north–south at 30° latitude). Spherical Mercator formulas (R =
 * 6,378,137 m) — exactly EPSG:3857's definition, not an approximation of it. Cells are numbered row-major from the
 * north-west corner, matching GeoTIFF pixel order; a cell's travel time is the one at its centre.
 */
#ifndef TC_ANALYSIS_RASTER_H
#define TC_ANALYSIS_RASTER_H

#include "tongcheng.h"

#include <stddef.h>
#include <stdint.h>

#define TC_MERCATOR_R 6378137.0
#define TC_GRID_MAX_CELLS 50000000u

/* tc_grid, tc_grid_cells, tc_grid_cell_centers and the surface writers are public (tongcheng.h). */

void mercator_from_lonlat(double lon, double lat, double *x, double *y);
void lonlat_from_mercator(double x, double y, double *lon, double *lat);

/* A grid covering the bbox (degrees) with cells of about resolution_m metres on the ground. */
tc_status grid_from_bbox(double min_lon, double min_lat, double max_lon, double max_lat, double resolution_m,
                         tc_grid *out, tc_error *err);

/* A grid of cells about resolution_m on the ground covering a square of ±radius_m around a point (e.g. the origin
 * ± the farthest an isochrone's largest cutoff can reach), clipped to ±180°/±85°. */
tc_status grid_around_point(double lat, double lon, double radius_m, double resolution_m, tc_grid *out,
                            tc_error *err);

/* Centre of cell (row-major index) in degrees. */
void grid_cell_center(const tc_grid *g, size_t cell, double *lat, double *lon);

/* The six GDAL geotransform coefficients of the grid (EPSG:3857). */
void grid_geotransform(const tc_grid *g, double gt[6]);

#endif
