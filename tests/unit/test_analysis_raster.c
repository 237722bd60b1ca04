/* test_analysis_raster.c — the Web Mercator grid (cell size on the ground, centres inside the bbox) and the
 * surface writers: a GeoTIFF read back with GDAL (values, nodata, geotransform, EPSG:3857, band names, no temp file
 * left), and the CSV at points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "analysis/raster.h"
#include "analysis/travel_times.h"
#include "common/geo.h"

#include <dirent.h>
#include <gdal.h>
#include <math.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/tc_test_raster_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    if (d) closedir(d);
    rmdir(dir);
    return 0;
}

static int files_in_dir(void) {
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void test_grid(void **state) {
    (void)state;
    tc_grid g;
    assert_int_equal(grid_from_bbox(-51.30, -30.15, -51.10, -29.95, 200, &g, NULL), TC_OK);
    /* 0.2° × 0.2° at 30°S ≈ 19.3 km × 22.2 km → about 97 × 112 cells of 200 m */
    assert_true(g.width >= 95 && g.width <= 99);
    assert_true(g.height >= 110 && g.height <= 114);
    /* neighbouring centres in the middle row are 200 m apart on the ground, to 1% */
    size_t mid = (size_t)(g.height / 2) * g.width + g.width / 2;
    double lat0, lon0, lat1, lon1, lat2, lon2;
    grid_cell_center(&g, mid, &lat0, &lon0);
    grid_cell_center(&g, mid + 1, &lat1, &lon1);
    grid_cell_center(&g, mid + g.width, &lat2, &lon2);
    assert_true(fabs(haversine_m(lat0, lon0, lat1, lon1) - 200) < 2);
    assert_true(fabs(haversine_m(lat0, lon0, lat2, lon2) - 200) < 2);
    assert_true(lat2 < lat0); /* rows run north to south */
    /* corner cells cover the bbox corners */
    double lat, lon;
    grid_cell_center(&g, 0, &lat, &lon);
    assert_true(lat > -29.95 - 0.002 && lat < -29.95 + 0.002 && lon > -51.30 - 0.002 && lon < -51.30 + 0.002);
    grid_cell_center(&g, tc_grid_cells(&g) - 1, &lat, &lon);
    assert_true(lat > -30.15 - 0.002 && lat < -30.15 + 0.002 && lon > -51.10 - 0.002 && lon < -51.10 + 0.002);
    /* all centres at once agree with one at a time */
    double *alat = malloc(tc_grid_cells(&g) * sizeof *alat), *alon = malloc(tc_grid_cells(&g) * sizeof *alon);
    tc_grid_cell_centers(&g, alat, alon);
    for (size_t c = 0; c < tc_grid_cells(&g); c += 37) {
        grid_cell_center(&g, c, &lat, &lon);
        assert_true(fabs(alat[c] - lat) < 1e-12 && fabs(alon[c] - lon) < 1e-12);
    }
    free(alat);
    free(alon);
    /* a grid around a point reaches the radius in every direction */
    tc_grid a;
    assert_int_equal(grid_around_point(-30.03, -51.2, 10000, 250, &a, NULL), TC_OK);
    grid_cell_center(&a, 0, &lat, &lon);
    assert_true(haversine_m(-30.03, -51.2, lat, -51.2) > 9800);
    assert_true(haversine_m(-30.03, -51.2, -30.03, lon) > 9800);
    assert_true(a.width >= 79 && a.width <= 82 && a.height >= 79 && a.height <= 82);
    /* mercator round trip */
    double x, y, lo, la;
    mercator_from_lonlat(-51.2, -30.05, &x, &y);
    lonlat_from_mercator(x, y, &lo, &la);
    assert_true(fabs(lo + 51.2) < 1e-10 && fabs(la + 30.05) < 1e-10);
    tc_error err;
    assert_int_equal(grid_from_bbox(-51, -30, -50, -29, 0.5, &g, &err), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(grid_from_bbox(-51, -30, -50, -29, 1, &g, &err), TC_ERR_INVALID_ARGUMENT); /* too many */
    assert_int_equal(grid_from_bbox(-50, -30, -51, -29, 100, &g, &err), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(grid_from_bbox(0, 86, 1, 87, 100, &g, &err), TC_ERR_INVALID_ARGUMENT);
}

static void test_geotiff_round_trip(void **state) {
    (void)state;
    tc_grid g;
    assert_int_equal(grid_from_bbox(-51.25, -30.06, -51.20, -30.02, 300, &g, NULL), TC_OK);
    size_t n = tc_grid_cells(&g);
    uint16_t *pm = malloc(n * 2 * sizeof *pm);
    for (size_t c = 0; c < n; c++) {
        pm[c * 2] = c % 7 == 3 ? TC_UNREACHED_MIN : (uint16_t)(c % 121);
        pm[c * 2 + 1] = c % 5 == 1 ? TC_UNREACHED_MIN : (uint16_t)(c % 97 + 1);
    }
    int pcts[2] = {50, 90};
    char path[512];
    snprintf(path, sizeof path, "%s/surface.tif", dir);
    tc_error err = {0};
    assert_int_equal(tc_surface_write_geotiff(path, &g, pm, pcts, 2, &err), TC_OK);
    assert_int_equal(files_in_dir(), 1); /* no temporary left behind */

    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    assert_non_null(ds);
    assert_int_equal(GDALGetRasterXSize(ds), (int)g.width);
    assert_int_equal(GDALGetRasterYSize(ds), (int)g.height);
    assert_int_equal(GDALGetRasterCount(ds), 2);
    double gt[6];
    assert_int_equal(GDALGetGeoTransform(ds, gt), CE_None);
    assert_true(fabs(gt[0] - g.min_x) < 1e-6 && fabs(gt[3] - g.max_y) < 1e-6);
    assert_true(fabs(gt[1] - g.cell) < 1e-9 && fabs(gt[5] + g.cell) < 1e-9 && gt[2] == 0 && gt[4] == 0);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(GDALGetProjectionRef(ds));
    assert_non_null(srs);
    OSRAutoIdentifyEPSG(srs);
    assert_string_equal(OSRGetAuthorityCode(srs, NULL), "3857");
    OSRDestroySpatialReference(srs);
    uint16_t *back = malloc(n * sizeof *back);
    for (int b = 0; b < 2; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b + 1);
        assert_int_equal(GDALGetRasterDataType(band), GDT_UInt16);
        int has = 0;
        assert_true(GDALGetRasterNoDataValue(band, &has) == 65535.0);
        assert_true(has);
        assert_string_equal(GDALGetDescription(band), b ? "travel_time_p90" : "travel_time_p50");
        assert_int_equal(GDALRasterIO(band, GF_Read, 0, 0, (int)g.width, (int)g.height, back, (int)g.width,
                                      (int)g.height, GDT_UInt16, 0, 0),
                         CE_None);
        for (size_t c = 0; c < n; c++)
            if (back[c] != pm[c * 2 + b]) fail_msg("band %d cell %zu: %u != %u", b, c, back[c], pm[c * 2 + b]);
    }
    /* pixel (0,0)'s centre maps to cell 0's centre */
    double lat, lon, x, y;
    grid_cell_center(&g, 0, &lat, &lon);
    mercator_from_lonlat(lon, lat, &x, &y);
    assert_true(fabs(gt[0] + 0.5 * gt[1] - x) < 1e-6 && fabs(gt[3] + 0.5 * gt[5] - y) < 1e-6);
    GDALClose(ds);
    free(back);

    /* a path in a missing folder fails cleanly */
    char bad[600];
    snprintf(bad, sizeof bad, "%s/no/such/dir/x.tif", dir);
    assert_int_equal(tc_surface_write_geotiff(bad, &g, pm, pcts, 2, &err), TC_ERR_IO);
    assert_int_equal(files_in_dir(), 1);
    unlink(path);
    free(pm);
}

static void test_csv_at_points(void **state) {
    (void)state;
    const uint16_t U = TC_UNREACHED_MIN;
    uint16_t pm[4] = {7, 9, U, U};
    const char *ids[2] = {"a", "b,c"};
    double lat[2] = {-30.1, -30.2}, lon[2] = {-51.1, -51.2};
    int pcts[2] = {5, 95};
    char path[512];
    snprintf(path, sizeof path, "%s/surface.csv", dir);
    assert_int_equal(tc_surface_write_csv(path, 2, ids, lat, lon, pm, pcts, 2, NULL), TC_OK);
    FILE *fp = fopen(path, "r");
    char buf[512] = "";
    size_t got = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[got] = '\0';
    assert_string_equal(buf, "id,lat,lon,travel_time_p5,travel_time_p95\n"
                             "a,-30.1000000,-51.1000000,7,9\n"
                             "\"b,c\",-30.2000000,-51.2000000,,\n");
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_geotiff_round_trip),
        cmocka_unit_test(test_csv_at_points),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
