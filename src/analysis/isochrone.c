/*
 * isochrone.c — contouring a surface into isochrone polygons with GDAL (see isochrone.h).
 *
 * One contour run per (percentile, cutoff) with a single fixed level: GDAL then yields the band below the level and
 * the band above it, and we keep the one below. Separate runs keep each isochrone a plain GDAL output (no polygon
 * unions), and a few runs over a city-sized grid cost milliseconds. The Web Mercator rings are unprojected point by
 * point (exact spherical formulas, raster.h) and written as GeoJSON text directly, re-oriented as RFC 7946 asks.
 */
#include "analysis/isochrone.h"
#include "analysis/gdal_env.h"
#include "analysis/travel_times.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/geo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double tc_ring_area_m2(const double *lon, const double *lat, size_t n) {
    if (n > 1 && lon[0] == lon[n - 1] && lat[0] == lat[n - 1]) n--; /* closing point */
    if (n < 3) return 0.0;
    double sum = 0.0, rad = M_PI / 180.0;
    for (size_t i = 0; i < n; i++) {
        size_t prev = i ? i - 1 : n - 1, next = i + 1 < n ? i + 1 : 0;
        sum += (lon[next] - lon[prev]) * rad * sin(lat[i] * rad);
    }
    /* this sum is negative for counter-clockwise rings */
    return -sum * TC_EARTH_RADIUS_M * TC_EARTH_RADIUS_M / 2.0;
}

/* Degrees with 6 decimals (0.1 m) through integer arithmetic: printf's float formatting was 15% of an isochrone. */
static char *put_degrees(char *b, double deg) {
    long long micro = llround(deg * 1e6);
    if (micro < 0) {
        *b++ = '-';
        micro = -micro;
    }
    char tmp[24];
    int n = 0;
    long long whole = micro / 1000000, frac = micro % 1000000;
    do tmp[n++] = (char)('0' + whole % 10); while ((whole /= 10) > 0);
    while (n) *b++ = tmp[--n];
    *b++ = '.';
    for (long long div = 100000; div; div /= 10) *b++ = (char)('0' + (frac / div) % 10);
    return b;
}

typedef struct ring_buf {
    double *x, *y;
    size_t cap;
} ring_buf;

static int ring_reserve(ring_buf *r, size_t n) {
    if (n <= r->cap) return 1;
    double *x = realloc(r->x, n * sizeof *x);
    if (!x) return 0;
    r->x = x;
    double *y = realloc(r->y, n * sizeof *y);
    if (!y) return 0;
    r->y = y;
    r->cap = n;
    return 1;
}

/* Write one ring as a JSON array, unprojected and oriented (ccw for exteriors); returns its signed area (m², >0). */
static double write_ring(FILE *fp, OGRGeometryH ring, int exterior, ring_buf *rb, int *oom) {
    int n = OGR_G_GetPointCount(ring);
    if (n <= 0 || !ring_reserve(rb, (size_t)n)) {
        if (n > 0) *oom = 1;
        fputs("[]", fp);
        return 0.0;
    }
    OGR_G_GetPoints(ring, rb->x, sizeof(double), rb->y, sizeof(double), NULL, 0);
    for (int i = 0; i < n; i++) tc_lonlat_from_mercator(rb->x[i], rb->y[i], &rb->x[i], &rb->y[i]);
    double area = tc_ring_area_m2(rb->x, rb->y, (size_t)n);
    int reverse = exterior ? area < 0 : area > 0;
    putc('[', fp);
    for (int k = 0; k < n; k++) {
        int i = reverse ? n - 1 - k : k;
        char buf[64], *b = buf;
        if (k) *b++ = ',';
        *b++ = '[';
        b = put_degrees(b, rb->x[i]);
        *b++ = ',';
        b = put_degrees(b, rb->y[i]);
        *b++ = ']';
        fwrite(buf, 1, (size_t)(b - buf), fp);
    }
    putc(']', fp);
    return fabs(area);
}

/* Write the polygons of one contour feature's geometry (Polygon or MultiPolygon); adds their area. */
static void write_polygons(FILE *fp, OGRGeometryH g, int *first, double *area, ring_buf *rb, int *oom) {
    OGRwkbGeometryType t = wkbFlatten(OGR_G_GetGeometryType(g));
    if (t == wkbMultiPolygon || t == wkbGeometryCollection) {
        for (int i = 0; i < OGR_G_GetGeometryCount(g); i++)
            write_polygons(fp, OGR_G_GetGeometryRef(g, i), first, area, rb, oom);
        return;
    }
    if (t != wkbPolygon || OGR_G_IsEmpty(g)) return;
    fputs(*first ? "[" : ",[", fp);
    *first = 0;
    for (int r = 0; r < OGR_G_GetGeometryCount(g); r++) {
        if (r) putc(',', fp);
        double a = write_ring(fp, OGR_G_GetGeometryRef(g, r), r == 0, rb, oom);
        *area += r == 0 ? a : -a;
    }
    putc(']', fp);
}

/* Contour one percentile band (already in the padded MEM band) at one cutoff, writing the feature. */
static tc_status contour_feature(FILE *fp, GDALRasterBandH band, int cutoff, int percentile, int first_feature,
                                 ring_buf *rb, tc_error *err) {
    tc_status st = TC_OK;
    GDALDriverH mem = GDALGetDriverByName("Memory");
    GDALDatasetH vds = mem ? GDALCreate(mem, "", 0, 0, 0, GDT_Unknown, NULL) : NULL;
    if (!vds) return tc_gdal_fail(err, TC_ERR_INTERNAL, NULL, "cannot create an in-memory layer");
    OGRLayerH layer = GDALDatasetCreateLayer(vds, "contour", NULL, wkbMultiPolygon, NULL);
    const char *names[3] = {"id", "tmin", "tmax"};
    OGRFieldType types[3] = {OFTInteger, OFTReal, OFTReal};
    for (int i = 0; layer && i < 3; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(names[i], types[i]);
        OGR_L_CreateField(layer, fd, 1);
        OGR_Fld_Destroy(fd);
    }
    /* Minutes are truncated (R5's convention, so t < cutoff ⇔ minutes ≤ cutoff − 1): the boundary lies between
     * cells of cutoff − 1 and cutoff minutes, i.e. at level cutoff − 0.5, where the true time is ≈ cutoff. This also
     * keeps the level off the integer cell values, where GDAL's contour has to break ties. */
    double level_value = cutoff - 0.5;
    char level[48];
    snprintf(level, sizeof level, "FIXED_LEVELS=%.1f", level_value);
    char *opts[] = {level, "POLYGONIZE=YES", "ID_FIELD=0", "ELEV_FIELD_MIN=1", "ELEV_FIELD_MAX=2", NULL};
    if (!layer || GDALContourGenerateEx(band, layer, opts, NULL, NULL) != CE_None) {
        st = tc_gdal_fail(err, TC_ERR_INTERNAL, NULL, "contouring failed");
        goto done;
    }
    fprintf(fp, "%s\n{\"type\":\"Feature\",\"properties\":{\"cutoff_min\":%d,\"percentile\":%d,\"area_km2\":",
            first_feature ? "" : ",", cutoff, percentile);
    /* the geometry goes to a side buffer: area_km2 is known only after writing it */
    char *geom_text = NULL;
    size_t geom_len = 0;
    FILE *gfp = open_memstream(&geom_text, &geom_len);
    if (!gfp) {
        st = tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        goto done;
    }
    int first = 1, oom = 0;
    double area = 0.0;
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        double tmax = OGR_F_GetFieldAsDouble(f, 2);
        OGRGeometryH g = OGR_F_GetGeometryRef(f);
        if (tmax <= level_value && g) write_polygons(gfp, g, &first, &area, rb, &oom);
        OGR_F_Destroy(f);
    }
    if (fclose(gfp) != 0 || oom) {
        free(geom_text);
        st = tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        goto done;
    }
    fprintf(fp, "%.6f},\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[%s]}}", area > 0 ? area / 1e6 : 0.0,
            geom_text);
    free(geom_text);
done:
    GDALClose(vds);
    return st;
}

static tc_status write_collection(FILE *fp, const tc_grid *grid, const uint16_t *pm, const int *percentiles,
                                  size_t n_percentiles, const int *cutoffs, size_t n_cutoffs, tc_error *err) {
    if (n_cutoffs < 1 || n_percentiles < 1)
        return tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "need at least one cutoff and one percentile");
    int max_cutoff = 0;
    for (size_t c = 0; c < n_cutoffs; c++) {
        if (cutoffs[c] < 1 || cutoffs[c] > 1440)
            return tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "cutoff %d is not 1-1440 minutes", cutoffs[c]);
        if (cutoffs[c] > max_cutoff) max_cutoff = cutoffs[c];
    }
    /* Crop to the cells inside the largest isochrone plus one cell of real values around them (they carry the
     * interpolation at the edge); everything beyond is above every level, so the polygons are unchanged and GDAL
     * traces a smaller raster. */
    size_t r0 = SIZE_MAX, r1 = 0, c0 = SIZE_MAX, c1 = 0;
    for (size_t r = 0; r < grid->height; r++)
        for (size_t c = 0; c < grid->width; c++) {
            const uint16_t *v = pm + (r * grid->width + c) * n_percentiles;
            for (size_t p = 0; p < n_percentiles; p++)
                if (v[p] < max_cutoff) {
                    if (r < r0) r0 = r;
                    if (r > r1) r1 = r;
                    if (c < c0) c0 = c;
                    if (c > c1) c1 = c;
                    break;
                }
        }
    if (r0 == SIZE_MAX) r0 = r1 = c0 = c1 = 0; /* nothing reachable: one cell, all levels empty */
    if (r0 > 0) r0--;
    if (c0 > 0) c0--;
    if (r1 + 1 < grid->height) r1++;
    if (c1 + 1 < grid->width) c1++;
    size_t w = c1 - c0 + 1 + 2, h = r1 - r0 + 1 + 2;
    float *cells = malloc(n_percentiles * w * h * sizeof *cells);
    if (!cells) return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    float far = (float)max_cutoff + 1.0f;
    for (size_t p = 0; p < n_percentiles; p++) {
        float *band = cells + p * w * h;
        for (size_t i = 0; i < w * h; i++) band[i] = far;
        for (size_t r = r0; r <= r1; r++)
            for (size_t c = c0; c <= c1; c++) {
                uint16_t v = pm[(r * grid->width + c) * n_percentiles + p];
                band[(r - r0 + 1) * w + (c - c0) + 1] = v == TC_TT_UNREACHED ? far : (float)v;
            }
    }

    ring_buf rb = {0};
    tc_status st = tc_gdal_begin(err);
    if (st) goto done;
    GDALDriverH mem = GDALGetDriverByName("MEM");
    GDALDatasetH rds = mem ? GDALCreate(mem, "", (int)w, (int)h, (int)n_percentiles, GDT_Float32, NULL) : NULL;
    if (!rds) {
        st = tc_gdal_fail(err, TC_ERR_INTERNAL, NULL, "cannot create an in-memory raster");
        goto done;
    }
    double gt[6];
    tc_grid_geotransform(grid, gt);
    gt[0] += ((double)c0 - 1) * grid->cell; /* the crop, less the padding cell */
    gt[3] -= ((double)r0 - 1) * grid->cell;
    GDALSetGeoTransform(rds, gt);
    for (size_t p = 0; p < n_percentiles && !st; p++)
        if (GDALRasterIO(GDALGetRasterBand(rds, (int)p + 1), GF_Write, 0, 0, (int)w, (int)h, cells + p * w * h,
                         (int)w, (int)h, GDT_Float32, 0, 0) != CE_None)
            st = tc_gdal_fail(err, TC_ERR_INTERNAL, NULL, "cannot fill the in-memory raster");
    if (!st) fputs("{\"type\":\"FeatureCollection\",\"features\":[", fp);
    int first_feature = 1;
    for (size_t c = 0; c < n_cutoffs && !st; c++)
        for (size_t p = 0; p < n_percentiles && !st; p++) {
            st = contour_feature(fp, GDALGetRasterBand(rds, (int)p + 1), cutoffs[c], percentiles[p], first_feature,
                                 &rb, err);
            first_feature = 0;
        }
    if (!st) fputs("\n]}\n", fp);
    GDALClose(rds);
done:
    tc_gdal_end();
    free(rb.x);
    free(rb.y);
    free(cells);
    return st;
}

tc_status tc_isochrones_geojson(const tc_grid *grid, const uint16_t *pm, const int *percentiles, size_t n_percentiles,
                                const int *cutoffs, size_t n_cutoffs, char **geojson_out, tc_error *err) {
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    if (!fp) return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    tc_status st = write_collection(fp, grid, pm, percentiles, n_percentiles, cutoffs, n_cutoffs, err);
    if (fclose(fp) != 0 && !st) st = tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    if (st) {
        free(text);
        return st;
    }
    *geojson_out = text;
    return TC_OK;
}

tc_status tc_isochrones_write(const char *path, const tc_grid *grid, const uint16_t *pm, const int *percentiles,
                              size_t n_percentiles, const int *cutoffs, size_t n_cutoffs, tc_error *err) {
    char *text = NULL;
    tc_status st = tc_isochrones_geojson(grid, pm, percentiles, n_percentiles, cutoffs, n_cutoffs, &text, err);
    if (st) return st;
    st = tc_atomic_write_all(path, text, strlen(text), err);
    free(text);
    if (st && err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", path);
    return st;
}
