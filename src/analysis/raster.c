/*
 * raster.c — the Web Mercator grid and surface writers (see raster.h).
 *
 * The GeoTIFF goes through GDAL's GTiff driver into a temporary name beside the target, then rename(2): GDAL
 * writes TIFF directories at close, so a reader must never see the file before GDALClose has returned.
 */
#include "analysis/raster.h"
#include "common/csv_out.h"
#include "analysis/gdal_env.h"
#include "analysis/travel_times.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/geo.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_MERCATOR_LAT 85.05112878

void mercator_from_lonlat(double lon, double lat, double *x, double *y) {
    *x = TC_MERCATOR_R * lon * M_PI / 180.0;
    *y = TC_MERCATOR_R * log(tan(M_PI / 4.0 + lat * M_PI / 360.0));
}

void lonlat_from_mercator(double x, double y, double *lon, double *lat) {
    *lon = x / TC_MERCATOR_R * 180.0 / M_PI;
    *lat = (2.0 * atan(exp(y / TC_MERCATOR_R)) - M_PI / 2.0) * 180.0 / M_PI;
}

tc_status grid_from_bbox(double min_lon, double min_lat, double max_lon, double max_lat, double resolution_m,
                         tc_grid *out, tc_error *err) {
    if (!(resolution_m >= 1 && resolution_m <= 100000))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "resolution %g m is not between 1 and 100000",
                         resolution_m);
    if (!(min_lon >= -180 && max_lon <= 180 && min_lon <= max_lon && min_lat >= -MAX_MERCATOR_LAT &&
          max_lat <= MAX_MERCATOR_LAT && min_lat <= max_lat))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                       "bad bounding box %g,%g,%g,%g (expected min_lon,min_lat,max_lon,max_lat within ±180/±85)",
                       min_lon, min_lat, max_lon, max_lat);
    double x0, y0, x1, y1;
    mercator_from_lonlat(min_lon, min_lat, &x0, &y0);
    mercator_from_lonlat(max_lon, max_lat, &x1, &y1);
    double centre_lat = (min_lat + max_lat) / 2.0;
    double cell = resolution_m / cos(centre_lat * M_PI / 180.0);
    double w = ceil((x1 - x0) / cell), h = ceil((y1 - y0) / cell);
    if (w < 1) w = 1;
    if (h < 1) h = 1;
    if (w * h > TC_GRID_MAX_CELLS)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                       "a %.0f x %.0f grid at %g m is over %u cells; use a coarser --resolution", w, h, resolution_m,
                       TC_GRID_MAX_CELLS);
    /* centre the grid on the bbox so the margin is even on both sides */
    out->cell = cell;
    out->width = (uint32_t)w;
    out->height = (uint32_t)h;
    out->min_x = (x0 + x1) / 2.0 - w * cell / 2.0;
    out->max_y = (y0 + y1) / 2.0 + h * cell / 2.0;
    out->resolution_m = resolution_m;
    return TC_OK;
}

size_t tc_grid_cells(const tc_grid *g) { return (size_t)g->width * g->height; }

void grid_cell_center(const tc_grid *g, size_t cell, double *lat, double *lon) {
    size_t row = cell / g->width, col = cell % g->width;
    lonlat_from_mercator(g->min_x + (col + 0.5) * g->cell, g->max_y - (row + 0.5) * g->cell, lon, lat);
}

void tc_grid_cell_centers(const tc_grid *g, double *lat, double *lon) {
    /* one inverse projection per row and per column, not per cell: lat depends on the row, lon on the column */
    for (size_t c = 0; c < g->width; c++) {
        double la;
        lonlat_from_mercator(g->min_x + (c + 0.5) * g->cell, 0, &lon[c], &la);
    }
    for (size_t r = 0; r < g->height; r++) {
        double lo, la;
        lonlat_from_mercator(0, g->max_y - (r + 0.5) * g->cell, &lo, &la);
        for (size_t c = 0; c < g->width; c++) {
            lat[r * g->width + c] = la;
            if (r) lon[r * g->width + c] = lon[c];
        }
    }
}

tc_status grid_around_point(double lat, double lon, double radius_m, double resolution_m, tc_grid *out,
                            tc_error *err) {
    if (!(lat >= -MAX_MERCATOR_LAT && lat <= MAX_MERCATOR_LAT && lon >= -180 && lon <= 180) ||
        !(radius_m > 0 && radius_m <= 2000000))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "bad point %g,%g or radius %g m", lat, lon,
                         radius_m);
    double dlat = radius_m / TC_EARTH_RADIUS_M * 180.0 / M_PI;
    double dlon = dlat / cos(lat * M_PI / 180.0);
    double min_lat = fmax(lat - dlat, -MAX_MERCATOR_LAT), max_lat = fmin(lat + dlat, MAX_MERCATOR_LAT);
    return grid_from_bbox(fmax(lon - dlon, -180), min_lat, fmin(lon + dlon, 180), max_lat, resolution_m, out,
                          err);
}

void grid_geotransform(const tc_grid *g, double gt[6]) {
    gt[0] = g->min_x;
    gt[1] = g->cell;
    gt[2] = 0;
    gt[3] = g->max_y;
    gt[4] = 0;
    gt[5] = -g->cell;
}

tc_status tc_surface_write_geotiff(const char *path, const tc_grid *grid, const uint16_t *pm, const int *percentiles,
                                   size_t n_percentiles, tc_error *err) {
    if (n_percentiles < 1 || n_percentiles > 255)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, path, 0, 0, "need at least one percentile band");
    size_t n_cells = tc_grid_cells(grid);
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, path, 0, 0, "path too long");
    tc_status special = output_path_check(path, err);
    if (special) return special;
    uint16_t *band = malloc(n_cells * sizeof *band);
    if (!band) return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");

    tc_status st = gdal_env_begin(err);
    if (st) goto done;
    GDALDriverH drv = GDALGetDriverByName("GTiff");
    char *opts[] = {"COMPRESS=DEFLATE", "PREDICTOR=2", "TILED=YES", "BIGTIFF=IF_SAFER", NULL};
    GDALDatasetH ds = drv ? GDALCreate(drv, tmp, (int)grid->width, (int)grid->height, (int)n_percentiles,
                                       GDT_UInt16, opts)
                          : NULL;
    if (!ds) {
        st = gdal_env_fail(err, TC_ERR_IO, path, "cannot create GeoTIFF");
        goto done;
    }
    double gt[6];
    grid_geotransform(grid, gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    if (GDALSetGeoTransform(ds, gt) != CE_None || OSRImportFromEPSG(srs, 3857) != OGRERR_NONE ||
        GDALSetSpatialRef(ds, srs) != CE_None) {
        OSRDestroySpatialReference(srs);
        st = gdal_env_fail(err, TC_ERR_INTERNAL, path, "cannot georeference GeoTIFF");
        goto close;
    }
    OSRDestroySpatialReference(srs);
    GDALSetMetadataItem(ds, "UNITS", "minutes", NULL);
    for (size_t p = 0; p < n_percentiles; p++) {
        for (size_t c = 0; c < n_cells; c++) band[c] = pm[c * n_percentiles + p];
        GDALRasterBandH b = GDALGetRasterBand(ds, (int)p + 1);
        char desc[32];
        snprintf(desc, sizeof desc, "travel_time_p%d", percentiles[p]);
        GDALSetDescription(b, desc);
        GDALSetRasterNoDataValue(b, TC_UNREACHED_MIN);
        if (GDALRasterIO(b, GF_Write, 0, 0, (int)grid->width, (int)grid->height, band, (int)grid->width,
                         (int)grid->height, GDT_UInt16, 0, 0) != CE_None) {
            st = gdal_env_fail(err, TC_ERR_IO, path, "cannot write GeoTIFF band");
            goto close;
        }
    }
close:
    CPLErrorReset();
    GDALClose(ds); /* returns void in GDAL 3.6: a failed flush shows as the last error */
    if (!st && CPLGetLastErrorType() >= CE_Failure) st = gdal_env_fail(err, TC_ERR_IO, path, "cannot finish GeoTIFF");
    if (!st) st = output_path_check(path, err);
    if (!st && rename(tmp, path) != 0) st = error_set(err, TC_ERR_IO, path, 0, 0, "cannot rename: %s", strerror(errno));
    if (st) unlink(tmp);
done:
    gdal_env_end();
    free(band);
    return st;
}

tc_status tc_surface_write_csv(const char *path, size_t n, const char *const *ids, const double *lat,
                               const double *lon, const uint16_t *pm, const int *percentiles, size_t n_percentiles,
                               tc_error *err) {
    atomic_file af;
    tc_status st = atomic_file_open(&af, path, err);
    if (st) return st;
    FILE *fp = af.fp;
    int bad = fputs("id,lat,lon", fp) < 0;
    for (size_t p = 0; p < n_percentiles && !bad; p++) bad = fprintf(fp, ",travel_time_p%d", percentiles[p]) < 0;
    bad = bad || putc('\n', fp) == EOF;
    for (size_t i = 0; i < n && !bad; i++) {
        if (ids) bad = csv_put_field(fp, ids[i]) != 0;
        else bad = fprintf(fp, "%zu", i) < 0;
        bad = bad || fprintf(fp, ",%.7f,%.7f", lat[i], lon[i]) < 0;
        for (size_t p = 0; p < n_percentiles && !bad; p++) {
            uint16_t v = pm[i * n_percentiles + p];
            bad = v == TC_UNREACHED_MIN ? putc(',', fp) == EOF : fprintf(fp, ",%u", (unsigned)v) < 0;
        }
        bad = bad || putc('\n', fp) == EOF;
    }
    if (bad) {
        atomic_file_abort(&af);
        return error_set(err, TC_ERR_IO, path, 0, 0, "write error");
    }
    return atomic_file_commit(&af, err);
}
