/*
 * gpkg_out.h — one GeoPackage file with named layers, through GDAL's GPKG driver (loaded on demand, gdal_env.h):
 * what a GIS user opens in one go instead of CSV + GeoJSON. The file is written under a temporary name beside the
 * target and renamed by gpkg_commit, so a failed run never leaves a half-written GeoPackage.
 *
 * Layers are made one after another: gpkg_layer creates one with its fields (and makes it current), then rows
 * go in with gpkg_add (a point, GeoJSON or WKT geometry) or gpkg_add_collection (every feature of a GeoJSON
 * FeatureCollection, properties matched to fields by name). Coordinates are WGS84 longitude/latitude (EPSG:4326).
 */
#ifndef TC_ANALYSIS_GPKG_OUT_H
#define TC_ANALYSIS_GPKG_OUT_H

#include "tongcheng.h"

#include <stddef.h>

typedef struct gpkg_writer gpkg_writer;

typedef enum gpkg_type { TC_GPKG_INTEGER, TC_GPKG_REAL, TC_GPKG_TEXT } gpkg_type;

typedef struct gpkg_field {
    const char *name;
    gpkg_type type;
} gpkg_field;

typedef enum gpkg_shape { TC_GPKG_NO_GEOMETRY, TC_GPKG_POINTS, TC_GPKG_POLYGONS, TC_GPKG_ANY } gpkg_shape;

typedef struct gpkg_value {
    int null;          /* nonzero: no value */
    long long integer; /* for TC_GPKG_INTEGER */
    double real;       /* for TC_GPKG_REAL */
    const char *text;  /* for TC_GPKG_TEXT */
} gpkg_value;

typedef struct gpkg_geometry {
    enum { TC_GEOM_NONE, TC_GEOM_POINT, TC_GEOM_GEOJSON, TC_GEOM_WKT } kind;
    double lat, lon;  /* TC_GEOM_POINT */
    const char *text; /* a GeoJSON geometry object or WKT */
} gpkg_geometry;

/* Start a GeoPackage that will be `path` once committed. */
tc_status gpkg_create(const char *path, gpkg_writer **out, tc_error *err);
/* A new layer; rows added next go into it. */
tc_status gpkg_layer(gpkg_writer *g, const char *name, gpkg_shape shape, const gpkg_field *fields,
                     size_t n_fields, tc_error *err);
/* One row: values[] in the layer's field order; geometry may be NULL. */
tc_status gpkg_add(gpkg_writer *g, const gpkg_value *values, const gpkg_geometry *geometry, tc_error *err);
/* Every feature of a GeoJSON FeatureCollection: the layer's first fields from the properties of the same name,
 * its last n_extra fields from extra[] (the same for every feature). */
tc_status gpkg_add_collection(gpkg_writer *g, const char *feature_collection, const gpkg_value *extra,
                              size_t n_extra, tc_error *err);
/* Close and rename into place; frees g whatever the outcome. */
tc_status gpkg_commit(gpkg_writer *g, tc_error *err);
/* Drop the temporary file; frees g. NULL is fine. */
void gpkg_abort(gpkg_writer *g);

/* The isochrone command's GeoPackage: layer "isochrones" (cutoff_min, percentile, area_km2) from the GeoJSON
 * FeatureCollection of isochrones_geojson. */
tc_status isochrones_gpkg(const char *path, const char *geojson, tc_error *err);

/* The access command's GeoPackage (tc_access_gpkg_*) and tc_gpkg_path are public (tongcheng.h). */

#endif
