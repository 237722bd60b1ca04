/*
 * gpkg_out.c — GeoPackage output through GDAL's GPKG driver (see gpkg_out.h). GDAL does the SQLite, the R-tree and
 * the geometry encoding; this file maps tongcheng's rows onto OGR layers. Each layer's rows go in one transaction
 * (one SQLite commit instead of one per feature).
 */
#include "analysis/gpkg_out.h"
#include "common/atomic_file.h"
#include "analysis/gdal_env.h"
#include "common/error.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct gpkg_writer {
    GDALDatasetH ds;
    OGRSpatialReferenceH srs;
    OGRLayerH layer;
    size_t n_fields;
    gpkg_field *fields; /* the current layer's (names not owned: the caller's strings outlive the layer) */
    int in_transaction;
    char path[4096], tmp[4200];
};

int tc_gpkg_path(const char *path) {
    size_t n = path ? strlen(path) : 0;
    return n > 5 && !strcasecmp(path + n - 5, ".gpkg");
}

static tc_status gpkg_fail(gpkg_writer *g, tc_error *err, const char *what) {
    return gdal_env_fail(err, TC_ERR_IO, g->path, what);
}

tc_status gpkg_create(const char *path, gpkg_writer **out, tc_error *err) {
    tc_status special = output_path_check(path, err); /* a device, FIFO or directory is never replaced */
    if (special) return special;
    gpkg_writer *g = calloc(1, sizeof *g);
    if (!g) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    snprintf(g->path, sizeof g->path, "%s", path);
    snprintf(g->tmp, sizeof g->tmp, "%s.tmp.%ld.gpkg", path, (long)getpid());
    tc_status st = gdal_env_begin(err);
    if (st) {
        gdal_env_end();
        free(g);
        return st;
    }
    unlink(g->tmp);
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    g->ds = drv ? GDALCreate(drv, g->tmp, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    g->srs = OSRNewSpatialReference(NULL);
    if (!g->ds || !g->srs || OSRImportFromEPSG(g->srs, 4326) != OGRERR_NONE) {
        st = gpkg_fail(g, err, drv ? "cannot create the GeoPackage" : "GDAL has no GeoPackage driver");
        gpkg_abort(g);
        return st;
    }
    OSRSetAxisMappingStrategy(g->srs, OAMS_TRADITIONAL_GIS_ORDER); /* x = longitude, as GeoJSON */
    *out = g;
    return TC_OK;
}

static tc_status end_layer(gpkg_writer *g, tc_error *err) {
    if (g->in_transaction) {
        g->in_transaction = 0;
        if (GDALDatasetCommitTransaction(g->ds) != OGRERR_NONE) return gpkg_fail(g, err, "cannot write a layer");
    }
    return TC_OK;
}

tc_status gpkg_layer(gpkg_writer *g, const char *name, gpkg_shape shape, const gpkg_field *fields,
                     size_t n_fields, tc_error *err) {
    tc_status st = end_layer(g, err);
    if (st) return st;
    static const OGRwkbGeometryType types[] = {wkbNone, wkbPoint, wkbUnknown, wkbUnknown};
    static const char *const options[] = {"FID=fid", "GEOMETRY_NAME=geom", NULL};
    g->layer = GDALDatasetCreateLayer(g->ds, name, shape == TC_GPKG_NO_GEOMETRY ? NULL : g->srs, types[shape],
                                      (char **)options);
    if (!g->layer) return gpkg_fail(g, err, "cannot create a layer");
    for (size_t i = 0; i < n_fields; i++) {
        OGRFieldType t = fields[i].type == TC_GPKG_INTEGER ? OFTInteger64
                       : fields[i].type == TC_GPKG_REAL ? OFTReal : OFTString;
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, t);
        OGRErr e = OGR_L_CreateField(g->layer, fd, 1);
        OGR_Fld_Destroy(fd);
        if (e != OGRERR_NONE) return gpkg_fail(g, err, "cannot create a field");
    }
    gpkg_field *copy = realloc(g->fields, (n_fields + 1) * sizeof *copy);
    if (!copy) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    memcpy(copy, fields, n_fields * sizeof *copy);
    g->fields = copy;
    g->n_fields = n_fields;
    if (GDALDatasetStartTransaction(g->ds, 0) == OGRERR_NONE) g->in_transaction = 1;
    return TC_OK;
}

static OGRGeometryH make_geometry(const gpkg_geometry *geom) {
    if (!geom || geom->kind == TC_GEOM_NONE) return NULL;
    if (geom->kind == TC_GEOM_POINT) {
        OGRGeometryH p = OGR_G_CreateGeometry(wkbPoint);
        if (p) OGR_G_SetPoint_2D(p, 0, geom->lon, geom->lat);
        return p;
    }
    if (geom->kind == TC_GEOM_GEOJSON) return OGR_G_CreateGeometryFromJson(geom->text);
    OGRGeometryH h = NULL;
    char *text = (char *)geom->text; /* OGR advances the pointer it is given, not the text */
    return OGR_G_CreateFromWkt(&text, NULL, &h) == OGRERR_NONE ? h : NULL;
}

tc_status gpkg_add(gpkg_writer *g, const gpkg_value *values, const gpkg_geometry *geometry, tc_error *err) {
    if (!g->layer) return error_set(err, TC_ERR_INTERNAL, g->path, 0, 0, "a row before any layer");
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(g->layer));
    if (!f) return gpkg_fail(g, err, "cannot create a feature");
    for (size_t i = 0; i < g->n_fields; i++) {
        const gpkg_value *v = &values[i];
        if (v->null || (g->fields[i].type == TC_GPKG_TEXT && !v->text)) OGR_F_SetFieldNull(f, (int)i);
        else if (g->fields[i].type == TC_GPKG_INTEGER) OGR_F_SetFieldInteger64(f, (int)i, v->integer);
        else if (g->fields[i].type == TC_GPKG_REAL) OGR_F_SetFieldDouble(f, (int)i, v->real);
        else OGR_F_SetFieldString(f, (int)i, v->text);
    }
    if (geometry && geometry->kind != TC_GEOM_NONE) {
        OGRGeometryH h = make_geometry(geometry);
        if (!h) {
            OGR_F_Destroy(f);
            return error_set(err, TC_ERR_PARSE, g->path, 0, 0, "not a geometry: %.80s",
                             geometry->text ? geometry->text : "(point)");
        }
        OGR_F_SetGeometryDirectly(f, h);
    }
    OGRErr e = OGR_L_CreateFeature(g->layer, f);
    OGR_F_Destroy(f);
    return e == OGRERR_NONE ? TC_OK : gpkg_fail(g, err, "cannot write a feature");
}

tc_status gpkg_add_collection(gpkg_writer *g, const char *feature_collection, const gpkg_value *extra,
                              size_t n_extra, tc_error *err) {
    if (n_extra > g->n_fields) return error_set(err, TC_ERR_INTERNAL, g->path, 0, 0, "more extra values than fields");
    cJSON *fc = cJSON_Parse(feature_collection);
    cJSON *features = fc ? cJSON_GetObjectItemCaseSensitive(fc, "features") : NULL;
    if (!cJSON_IsArray(features)) {
        cJSON_Delete(fc);
        return error_set(err, TC_ERR_INTERNAL, g->path, 0, 0, "not a GeoJSON FeatureCollection");
    }
    gpkg_value *values = calloc(g->n_fields + 1, sizeof *values);
    if (!values) {
        cJSON_Delete(fc);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    tc_status st = TC_OK;
    const size_t n_own = g->n_fields - n_extra;
    cJSON *feat;
    cJSON_ArrayForEach(feat, features) {
        cJSON *props = cJSON_GetObjectItemCaseSensitive(feat, "properties");
        for (size_t i = 0; i < n_own; i++) {
            cJSON *p = cJSON_IsObject(props) ? cJSON_GetObjectItemCaseSensitive(props, g->fields[i].name) : NULL;
            values[i] = (gpkg_value){0};
            if (cJSON_IsNumber(p)) values[i].integer = (long long)p->valuedouble, values[i].real = p->valuedouble;
            else if (cJSON_IsString(p)) values[i].text = p->valuestring;
            else values[i].null = 1;
            if (g->fields[i].type == TC_GPKG_TEXT && !cJSON_IsString(p)) values[i].null = 1;
            if (g->fields[i].type != TC_GPKG_TEXT && !cJSON_IsNumber(p)) values[i].null = 1;
        }
        for (size_t i = 0; i < n_extra; i++) values[n_own + i] = extra[i];
        char *gtext = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(feat, "geometry"));
        gpkg_geometry geom = {.kind = gtext ? TC_GEOM_GEOJSON : TC_GEOM_NONE, .text = gtext};
        st = gtext || !cJSON_GetObjectItemCaseSensitive(feat, "geometry")
                 ? gpkg_add(g, values, &geom, err)
                 : error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        cJSON_free(gtext);
        if (st) break;
    }
    free(values);
    cJSON_Delete(fc);
    return st;
}

static void release(gpkg_writer *g) {
    if (g->srs) OSRDestroySpatialReference(g->srs);
    free(g->fields);
    free(g);
    gdal_env_end();
}

tc_status gpkg_commit(gpkg_writer *g, tc_error *err) {
    tc_status st = end_layer(g, err);
    CPLErrorReset();
    GDALClose(g->ds); /* writes the file out */
    g->ds = NULL;
    if (!st && CPLGetLastErrorType() >= CE_Failure) st = gpkg_fail(g, err, "cannot finish the GeoPackage");
    if (!st) st = output_path_check(g->path, err); /* again: it may have appeared while writing */
    if (!st && rename(g->tmp, g->path))
        st = error_set(err, TC_ERR_IO, g->path, 0, 0, "cannot rename %s into place", g->tmp);
    if (st) unlink(g->tmp);
    release(g);
    return st;
}

void gpkg_abort(gpkg_writer *g) {
    if (!g) return;
    if (g->ds) GDALClose(g->ds);
    unlink(g->tmp);
    release(g);
}

/* ---------------------------------------------------------------- the commands' layers ------------------------- */

tc_status isochrones_gpkg(const char *path, const char *geojson, tc_error *err) {
    static const gpkg_field fields[] = {{"cutoff_min", TC_GPKG_INTEGER}, {"percentile", TC_GPKG_INTEGER},
                                           {"area_km2", TC_GPKG_REAL}};
    gpkg_writer *g = NULL;
    tc_status st = gpkg_create(path, &g, err);
    if (st) return st;
    if (!(st = gpkg_layer(g, "isochrones", TC_GPKG_POLYGONS, fields, 3, err)))
        st = gpkg_add_collection(g, geojson, NULL, 0, err);
    if (st) {
        gpkg_abort(g);
        return st;
    }
    return gpkg_commit(g, err);
}

struct tc_access_gpkg {
    gpkg_writer *g;
    size_t n_values;
    gpkg_value *row;
    char **names;
};

tc_status tc_access_gpkg_begin(const char *path, const char *const *columns, size_t n_columns, const int *cutoffs,
                               size_t n_cutoffs, const int *percentiles, size_t n_percentiles, int polygons,
                               tc_access_gpkg **out, tc_error *err) {
    tc_access_gpkg *a = calloc(1, sizeof *a);
    size_t n = n_columns * n_cutoffs * n_percentiles;
    gpkg_field *fields = calloc(n + 1, sizeof *fields);
    if (a) a->names = calloc(n + 1, sizeof *a->names), a->row = calloc(n + 1, sizeof *a->row);
    if (!a || !fields || !a->names || !a->row) {
        free(fields);
        tc_access_gpkg_abort(a);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    a->n_values = n;
    fields[0] = (gpkg_field){"id", TC_GPKG_TEXT};
    /* one column per opportunity × cutoff × percentile, in the CSV's row order: jobs_c30_p50 */
    for (size_t k = 0, i = 0; k < n_columns; k++)
        for (size_t c = 0; c < n_cutoffs; c++)
            for (size_t p = 0; p < n_percentiles; p++, i++) {
                size_t len = strlen(columns[k]) + 32;
                if (!(a->names[i] = malloc(len))) {
                    free(fields);
                    tc_access_gpkg_abort(a);
                    return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
                }
                snprintf(a->names[i], len, "%s_c%d_p%d", columns[k], cutoffs[c], percentiles[p]);
                fields[i + 1] = (gpkg_field){a->names[i], TC_GPKG_REAL};
            }
    tc_status st = gpkg_create(path, &a->g, err);
    if (!st) st = gpkg_layer(a->g, "accessibility", polygons ? TC_GPKG_ANY : TC_GPKG_POINTS, fields, n + 1, err);
    free(fields);
    if (st) {
        tc_access_gpkg_abort(a);
        return st;
    }
    *out = a;
    return TC_OK;
}

tc_status tc_access_gpkg_row(tc_access_gpkg *a, const char *id, double lat, double lon, const char *wkt,
                             const double *values, tc_error *err) {
    a->row[0] = (gpkg_value){.text = id};
    for (size_t i = 0; i < a->n_values; i++) a->row[i + 1] = (gpkg_value){.real = values[i]};
    gpkg_geometry geom = {.kind = wkt && *wkt ? TC_GEOM_WKT : TC_GEOM_POINT, .lat = lat, .lon = lon, .text = wkt};
    return gpkg_add(a->g, a->row, &geom, err);
}

static void access_free(tc_access_gpkg *a) {
    for (size_t i = 0; a->names && i < a->n_values; i++) free(a->names[i]);
    free(a->names);
    free(a->row);
    free(a);
}

tc_status tc_access_gpkg_commit(tc_access_gpkg *a, tc_error *err) {
    tc_status st = gpkg_commit(a->g, err);
    access_free(a);
    return st;
}

void tc_access_gpkg_abort(tc_access_gpkg *a) {
    if (!a) return;
    gpkg_abort(a->g);
    access_free(a);
}
