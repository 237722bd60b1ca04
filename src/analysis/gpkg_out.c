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

struct tc_gpkg {
    GDALDatasetH ds;
    OGRSpatialReferenceH srs;
    OGRLayerH layer;
    size_t n_fields;
    tc_gpkg_field *fields; /* the current layer's (names not owned: the caller's strings outlive the layer) */
    int in_transaction;
    char path[4096], tmp[4200];
};

int tc_gpkg_path(const char *path) {
    size_t n = path ? strlen(path) : 0;
    return n > 5 && !strcasecmp(path + n - 5, ".gpkg");
}

static tc_status gpkg_fail(tc_gpkg *g, tc_error *err, const char *what) {
    return tc_gdal_fail(err, TC_ERR_IO, g->path, what);
}

tc_status tc_gpkg_create(const char *path, tc_gpkg **out, tc_error *err) {
    tc_status special = tc_output_path_check(path, err); /* a device, FIFO or directory is never replaced */
    if (special) return special;
    tc_gpkg *g = calloc(1, sizeof *g);
    if (!g) return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    snprintf(g->path, sizeof g->path, "%s", path);
    snprintf(g->tmp, sizeof g->tmp, "%s.tmp.%ld.gpkg", path, (long)getpid());
    tc_status st = tc_gdal_begin(err);
    if (st) {
        tc_gdal_end();
        free(g);
        return st;
    }
    unlink(g->tmp);
    GDALDriverH drv = GDALGetDriverByName("GPKG");
    g->ds = drv ? GDALCreate(drv, g->tmp, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    g->srs = OSRNewSpatialReference(NULL);
    if (!g->ds || !g->srs || OSRImportFromEPSG(g->srs, 4326) != OGRERR_NONE) {
        st = gpkg_fail(g, err, drv ? "cannot create the GeoPackage" : "GDAL has no GeoPackage driver");
        tc_gpkg_abort(g);
        return st;
    }
    OSRSetAxisMappingStrategy(g->srs, OAMS_TRADITIONAL_GIS_ORDER); /* x = longitude, as GeoJSON */
    *out = g;
    return TC_OK;
}

static tc_status end_layer(tc_gpkg *g, tc_error *err) {
    if (g->in_transaction) {
        g->in_transaction = 0;
        if (GDALDatasetCommitTransaction(g->ds) != OGRERR_NONE) return gpkg_fail(g, err, "cannot write a layer");
    }
    return TC_OK;
}

tc_status tc_gpkg_layer(tc_gpkg *g, const char *name, tc_gpkg_shape shape, const tc_gpkg_field *fields,
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
    tc_gpkg_field *copy = realloc(g->fields, (n_fields + 1) * sizeof *copy);
    if (!copy) return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    memcpy(copy, fields, n_fields * sizeof *copy);
    g->fields = copy;
    g->n_fields = n_fields;
    if (GDALDatasetStartTransaction(g->ds, 0) == OGRERR_NONE) g->in_transaction = 1;
    return TC_OK;
}

static OGRGeometryH make_geometry(const tc_gpkg_geometry *geom) {
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

tc_status tc_gpkg_add(tc_gpkg *g, const tc_gpkg_value *values, const tc_gpkg_geometry *geometry, tc_error *err) {
    if (!g->layer) return tc_fail(err, TC_ERR_INTERNAL, g->path, 0, 0, "a row before any layer");
    OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(g->layer));
    if (!f) return gpkg_fail(g, err, "cannot create a feature");
    for (size_t i = 0; i < g->n_fields; i++) {
        const tc_gpkg_value *v = &values[i];
        if (v->null || (g->fields[i].type == TC_GPKG_TEXT && !v->text)) OGR_F_SetFieldNull(f, (int)i);
        else if (g->fields[i].type == TC_GPKG_INTEGER) OGR_F_SetFieldInteger64(f, (int)i, v->integer);
        else if (g->fields[i].type == TC_GPKG_REAL) OGR_F_SetFieldDouble(f, (int)i, v->real);
        else OGR_F_SetFieldString(f, (int)i, v->text);
    }
    if (geometry && geometry->kind != TC_GEOM_NONE) {
        OGRGeometryH h = make_geometry(geometry);
        if (!h) {
            OGR_F_Destroy(f);
            return tc_fail(err, TC_ERR_PARSE, g->path, 0, 0, "not a geometry: %.80s",
                           geometry->text ? geometry->text : "(point)");
        }
        OGR_F_SetGeometryDirectly(f, h);
    }
    OGRErr e = OGR_L_CreateFeature(g->layer, f);
    OGR_F_Destroy(f);
    return e == OGRERR_NONE ? TC_OK : gpkg_fail(g, err, "cannot write a feature");
}

tc_status tc_gpkg_add_collection(tc_gpkg *g, const char *feature_collection, const tc_gpkg_value *extra,
                                 size_t n_extra, tc_error *err) {
    if (n_extra > g->n_fields) return tc_fail(err, TC_ERR_INTERNAL, g->path, 0, 0, "more extra values than fields");
    cJSON *fc = cJSON_Parse(feature_collection);
    cJSON *features = fc ? cJSON_GetObjectItemCaseSensitive(fc, "features") : NULL;
    if (!cJSON_IsArray(features)) {
        cJSON_Delete(fc);
        return tc_fail(err, TC_ERR_INTERNAL, g->path, 0, 0, "not a GeoJSON FeatureCollection");
    }
    tc_gpkg_value *values = calloc(g->n_fields + 1, sizeof *values);
    if (!values) {
        cJSON_Delete(fc);
        return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    tc_status st = TC_OK;
    const size_t n_own = g->n_fields - n_extra;
    cJSON *feat;
    cJSON_ArrayForEach(feat, features) {
        cJSON *props = cJSON_GetObjectItemCaseSensitive(feat, "properties");
        for (size_t i = 0; i < n_own; i++) {
            cJSON *p = cJSON_IsObject(props) ? cJSON_GetObjectItemCaseSensitive(props, g->fields[i].name) : NULL;
            values[i] = (tc_gpkg_value){0};
            if (cJSON_IsNumber(p)) values[i].integer = (long long)p->valuedouble, values[i].real = p->valuedouble;
            else if (cJSON_IsString(p)) values[i].text = p->valuestring;
            else values[i].null = 1;
            if (g->fields[i].type == TC_GPKG_TEXT && !cJSON_IsString(p)) values[i].null = 1;
            if (g->fields[i].type != TC_GPKG_TEXT && !cJSON_IsNumber(p)) values[i].null = 1;
        }
        for (size_t i = 0; i < n_extra; i++) values[n_own + i] = extra[i];
        char *gtext = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(feat, "geometry"));
        tc_gpkg_geometry geom = {.kind = gtext ? TC_GEOM_GEOJSON : TC_GEOM_NONE, .text = gtext};
        st = gtext || !cJSON_GetObjectItemCaseSensitive(feat, "geometry")
                 ? tc_gpkg_add(g, values, &geom, err)
                 : tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        cJSON_free(gtext);
        if (st) break;
    }
    free(values);
    cJSON_Delete(fc);
    return st;
}

static void release(tc_gpkg *g) {
    if (g->srs) OSRDestroySpatialReference(g->srs);
    free(g->fields);
    free(g);
    tc_gdal_end();
}

tc_status tc_gpkg_commit(tc_gpkg *g, tc_error *err) {
    tc_status st = end_layer(g, err);
    CPLErrorReset();
    GDALClose(g->ds); /* writes the file out */
    g->ds = NULL;
    if (!st && CPLGetLastErrorType() >= CE_Failure) st = gpkg_fail(g, err, "cannot finish the GeoPackage");
    if (!st) st = tc_output_path_check(g->path, err); /* again: it may have appeared while writing */
    if (!st && rename(g->tmp, g->path))
        st = tc_fail(err, TC_ERR_IO, g->path, 0, 0, "cannot rename %s into place", g->tmp);
    if (st) unlink(g->tmp);
    release(g);
    return st;
}

void tc_gpkg_abort(tc_gpkg *g) {
    if (!g) return;
    if (g->ds) GDALClose(g->ds);
    unlink(g->tmp);
    release(g);
}

/* ---------------------------------------------------------------- the commands' layers ------------------------- */

tc_status tc_isochrones_gpkg(const char *path, const char *geojson, tc_error *err) {
    static const tc_gpkg_field fields[] = {{"cutoff_min", TC_GPKG_INTEGER}, {"percentile", TC_GPKG_INTEGER},
                                           {"area_km2", TC_GPKG_REAL}};
    tc_gpkg *g = NULL;
    tc_status st = tc_gpkg_create(path, &g, err);
    if (st) return st;
    if (!(st = tc_gpkg_layer(g, "isochrones", TC_GPKG_POLYGONS, fields, 3, err)))
        st = tc_gpkg_add_collection(g, geojson, NULL, 0, err);
    if (st) {
        tc_gpkg_abort(g);
        return st;
    }
    return tc_gpkg_commit(g, err);
}

struct tc_access_gpkg {
    tc_gpkg *g;
    size_t n_values;
    tc_gpkg_value *row;
    char **names;
};

tc_status tc_access_gpkg_begin(const char *path, const char *const *columns, size_t n_columns, const int *cutoffs,
                               size_t n_cutoffs, const int *percentiles, size_t n_percentiles, int polygons,
                               tc_access_gpkg **out, tc_error *err) {
    tc_access_gpkg *a = calloc(1, sizeof *a);
    size_t n = n_columns * n_cutoffs * n_percentiles;
    tc_gpkg_field *fields = calloc(n + 1, sizeof *fields);
    if (a) a->names = calloc(n + 1, sizeof *a->names), a->row = calloc(n + 1, sizeof *a->row);
    if (!a || !fields || !a->names || !a->row) {
        free(fields);
        tc_access_gpkg_abort(a);
        return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    a->n_values = n;
    fields[0] = (tc_gpkg_field){"id", TC_GPKG_TEXT};
    /* one column per opportunity × cutoff × percentile, in the CSV's row order: jobs_c30_p50 */
    for (size_t k = 0, i = 0; k < n_columns; k++)
        for (size_t c = 0; c < n_cutoffs; c++)
            for (size_t p = 0; p < n_percentiles; p++, i++) {
                size_t len = strlen(columns[k]) + 32;
                if (!(a->names[i] = malloc(len))) {
                    free(fields);
                    tc_access_gpkg_abort(a);
                    return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
                }
                snprintf(a->names[i], len, "%s_c%d_p%d", columns[k], cutoffs[c], percentiles[p]);
                fields[i + 1] = (tc_gpkg_field){a->names[i], TC_GPKG_REAL};
            }
    tc_status st = tc_gpkg_create(path, &a->g, err);
    if (!st) st = tc_gpkg_layer(a->g, "accessibility", polygons ? TC_GPKG_ANY : TC_GPKG_POINTS, fields, n + 1, err);
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
    a->row[0] = (tc_gpkg_value){.text = id};
    for (size_t i = 0; i < a->n_values; i++) a->row[i + 1] = (tc_gpkg_value){.real = values[i]};
    tc_gpkg_geometry geom = {.kind = wkt && *wkt ? TC_GEOM_WKT : TC_GEOM_POINT, .lat = lat, .lon = lon, .text = wkt};
    return tc_gpkg_add(a->g, a->row, &geom, err);
}

static void access_free(tc_access_gpkg *a) {
    for (size_t i = 0; a->names && i < a->n_values; i++) free(a->names[i]);
    free(a->names);
    free(a->row);
    free(a);
}

tc_status tc_access_gpkg_commit(tc_access_gpkg *a, tc_error *err) {
    tc_status st = tc_gpkg_commit(a->g, err);
    access_free(a);
    return st;
}

void tc_access_gpkg_abort(tc_access_gpkg *a) {
    if (!a) return;
    tc_gpkg_abort(a->g);
    access_free(a);
}
