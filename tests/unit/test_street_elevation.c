/*
 * test_street_elevation.c — slope factors from a DEM (build --elevation) end to end, on a fixture written by the
 * test: two residential ways running east from node 1 to node 3 (about 385 m, through node 2), and a GeoTIFF whose
 * ground rises eastwards at a constant 5 % grade (written through the library's on-demand GDAL). Along a plane the
 * bilinear samples are exact, so the times are known in closed form:
 *   walking east (uphill)  = flat × exp(3.5·(0.10 − 0.05)) = flat × 1.191 (Tobler)
 *   walking west (downhill) = flat × exp(3.5·(0.00 − 0.05)) = flat × 0.839
 *   cycling east = flat × the power model's factor for 5 % (> 1.5), cycling west = flat.
 * Also: --no-elevation gives the flat times back, a network built without a DEM is flat and says so, a DEM that does
 * not cover the streets or is no raster fails naming the file, and a DEM covering only part of the streets gives
 * one finding and flat pieces outside.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pbf_writer.h"
#include "common/gdal_env.h"
#include "common/geo.h"
#include "streets/street_mem.h"

#include <math.h>
#include <unistd.h>

static char dir[] = "/tmp/test_street_elevation_XXXXXX";
static char osm[4200], dem[4200], dem_far[4200], dem_half[4200], not_raster[4200];

#define LAT0 (-30.05)
#define LON0 (-51.20)
#define D 0.002 /* degrees of longitude between nodes, ~193 m */
#define GRADE 0.05

/* metres east of LON0 along the parallel LAT0, as the build measures (haversine) */
static double east_m(double lon) { return haversine_m(LAT0, LON0, LAT0, lon) * (lon < LON0 ? -1 : 1); }

/* A GeoTIFF in EPSG:4326 of 0.0001° cells over lon [lon_a, lon_b] × lat LAT0 ± 0.002, ground rising east at GRADE */
static void write_dem(const char *path, double lon_a, double lon_b) {
    tc_error err;
    assert_int_equal(gdal_env_begin(&err), TC_OK);
    const double cell = 0.0001;
    int nx = (int)lround((lon_b - lon_a) / cell), ny = 40;
    GDALDatasetH ds = GDALCreate(GDALGetDriverByName("GTiff"), path, nx, ny, 1, GDT_Float32, NULL);
    assert_non_null(ds);
    double gt[6] = {lon_a, cell, 0, LAT0 + ny / 2 * cell, 0, -cell};
    GDALSetGeoTransform(ds, gt);
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    GDALSetSpatialRef(ds, srs);
    OSRDestroySpatialReference(srs);
    float *z = malloc((size_t)nx * ny * sizeof *z);
    assert_non_null(z);
    for (int r = 0; r < ny; r++)
        for (int c = 0; c < nx; c++) z[(size_t)r * nx + c] = (float)(100.0 + GRADE * east_m(lon_a + (c + 0.5) * cell));
    assert_int_equal(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Write, 0, 0, nx, ny, z, nx, ny, GDT_Float32, 0, 0),
                     CE_None);
    GDALClose(ds);
    free(z);
    gdal_env_end();
}

static int setup(void **state) {
    (void)state;
    if (!mkdtemp(dir)) return -1;
    snprintf(osm, sizeof osm, "%s/t.osm.pbf", dir);
    snprintf(dem, sizeof dem, "%s/slope.tif", dir);
    snprintf(dem_far, sizeof dem_far, "%s/far.tif", dir);
    snprintf(dem_half, sizeof dem_half, "%s/half.tif", dir);
    snprintf(not_raster, sizeof not_raster, "%s/notes.txt", dir);
    pw_node nodes[] = {{1, LAT0, LON0}, {2, LAT0, LON0 + D}, {3, LAT0, LON0 + 2 * D}};
    int64_t w10[] = {1, 2}, w11[] = {2, 3}; /* two ways, so node 2 ends a segment */
    pw_way ways[] = {{10, w10, 2, "highway=residential"}, {11, w11, 2, "highway=residential"}};
    if (pw_write(osm, nodes, 3, ways, 2, NULL, 0, 1)) return -1;
    write_dem(dem, LON0 - 0.002, LON0 + 2 * D + 0.002);
    write_dem(dem_far, LON0 + 1.0, LON0 + 1.01);        /* a DEM a degree to the east */
    write_dem(dem_half, LON0 - 0.002, LON0 + D * 1.5); /* covers the western segment and half the eastern */
    FILE *f = fopen(not_raster, "w");
    if (!f) return -1;
    fputs("this is not an elevation model\n", f);
    fclose(f);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    const char *files[] = {osm, dem, dem_far, dem_half, not_raster};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) unlink(files[i]);
    char p[4300];
    snprintf(p, sizeof p, "%s/a.net", dir);
    unlink(p);
    rmdir(dir);
    return 0;
}

typedef struct findings {
    int outside;
    int n;
} findings;
static void collect(void *user, const tc_finding *f) {
    findings *fs = user;
    fs->n++;
    if (!strcmp(f->code, "elevation_outside")) fs->outside++;
}

static tc_status build(const char *dem_path, findings *fs, tc_network **net, tc_error *err) {
    char out[4300];
    snprintf(out, sizeof out, "%s/a.net", dir);
    tc_build_options bo;
    tc_build_options_init(&bo);
    bo.osm_path = osm;
    bo.elevation_path = dem_path;
    bo.on_finding = collect;
    bo.finding_user = fs;
    tc_status st = tc_build(&bo, out, err);
    if (st != TC_OK) return st;
    return tc_network_open(out, net, err);
}

/* seconds from node `from` to node `to` (1 or 3) at 1 m/s, so seconds = flat-equivalent metres */
static double secs(tc_network *net, tc_mode mode, int from, int to, int no_elevation) {
    tc_street_options o;
    tc_street_options_init(&o);
    o.walk_speed_mps = o.bike_speed_mps = 1.0;
    o.no_elevation = no_elevation;
    tc_street_result r;
    tc_error err;
    double lon_f = LON0 + (from - 1) * D, lon_t = LON0 + (to - 1) * D;
    if (tc_street_route(net, mode, LAT0, lon_f, LAT0, lon_t, &o, &r, &err) != TC_OK) fail_msg("route: %s", err.message);
    double s = r.duration_s;
    tc_street_result_free(&r);
    return s;
}

static void near(double got, double want, double rel, const char *what) {
    if (fabs(got - want) > rel * want) fail_msg("%s: %.2f s, expected %.2f s (±%.1f%%)", what, got, want, rel * 100);
}

static void test_tobler_and_cycling(void **state) {
    (void)state;
    findings fs = {0};
    tc_network *net;
    tc_error err;
    if (build(dem, &fs, &net, &err) != TC_OK) fail_msg("build: %s", err.message);
    assert_int_equal(fs.outside, 0);
    tc_network_info in;
    assert_int_equal(tc_network_get_info(net, &in, &err), TC_OK);
    assert_int_equal(in.street_elevation, 1);
    double flat = east_m(LON0 + 2 * D);
    double up = secs(net, TC_MODE_WALK, 1, 3, 0), down = secs(net, TC_MODE_WALK, 3, 1, 0);
    near(up, flat * exp(3.5 * (GRADE + 0.05 - 0.05)), 0.01, "walk uphill");
    near(down, flat * exp(3.5 * (0.0 - 0.05)), 0.01, "walk downhill");
    assert_true(up > flat && down < flat);
    double bike_up = secs(net, TC_MODE_BIKE, 1, 3, 0), bike_down = secs(net, TC_MODE_BIKE, 3, 1, 0);
    near(bike_up, flat * street_elev_bike_factor(GRADE), 0.01, "cycle uphill");
    assert_true(bike_up > 1.5 * flat); /* a 5 % climb costs a commuter well over half again the flat time */
    near(bike_down, flat, 0.005, "cycle downhill");
    /* --no-elevation: flat both ways */
    near(secs(net, TC_MODE_WALK, 1, 3, 1), flat, 0.005, "walk uphill, no elevation");
    near(secs(net, TC_MODE_WALK, 3, 1, 1), flat, 0.005, "walk downhill, no elevation");
    near(secs(net, TC_MODE_BIKE, 1, 3, 1), flat, 0.005, "cycle uphill, no elevation");
    tc_network_close(net);
}

static void test_without_dem_unchanged(void **state) {
    (void)state;
    findings fs = {0};
    tc_network *net;
    tc_error err;
    if (build(NULL, &fs, &net, &err) != TC_OK) fail_msg("build: %s", err.message);
    tc_network_info in;
    assert_int_equal(tc_network_get_info(net, &in, &err), TC_OK);
    assert_int_equal(in.street_elevation, 0);
    double flat = east_m(LON0 + 2 * D);
    near(secs(net, TC_MODE_WALK, 1, 3, 0), flat, 0.005, "walk east, no DEM");
    near(secs(net, TC_MODE_WALK, 3, 1, 0), flat, 0.005, "walk west, no DEM");
    near(secs(net, TC_MODE_BIKE, 1, 3, 0), flat, 0.005, "cycle east, no DEM");
    tc_network_close(net);
}

static void test_bad_dems(void **state) {
    (void)state;
    findings fs = {0};
    tc_network *net = NULL;
    tc_error err = {0};
    assert_int_not_equal(build(dem_far, &fs, &net, &err), TC_OK);
    assert_string_equal(err.file, dem_far);
    assert_non_null(strstr(err.message, "does not cover"));
    memset(&err, 0, sizeof err);
    assert_int_not_equal(build(not_raster, &fs, &net, &err), TC_OK);
    assert_string_equal(err.file, not_raster);
    assert_non_null(strstr(err.message, "not a raster"));
}

static void test_partial_dem(void **state) {
    (void)state;
    findings fs = {0};
    tc_network *net;
    tc_error err;
    if (build(dem_half, &fs, &net, &err) != TC_OK) fail_msg("build: %s", err.message);
    assert_int_equal(fs.outside, 1); /* one finding for the segments that leave the DEM */
    /* the western segment (1–2) is fully covered and sloped; the eastern one (2–3) is flat beyond the DEM */
    double seg = east_m(LON0 + D), all = east_m(LON0 + 2 * D);
    double up = secs(net, TC_MODE_WALK, 1, 2, 0);
    near(up, seg * exp(3.5 * GRADE), 0.01, "walk uphill inside the DEM");
    double up_all = secs(net, TC_MODE_WALK, 1, 3, 0);
    assert_true(up_all > all && up_all < all * exp(3.5 * GRADE));
    tc_network_close(net);
}

static void test_factors(void **state) {
    (void)state;
    assert_float_equal(street_elev_walk_factor(0), 1.0, 1e-12);
    assert_float_equal(street_elev_walk_factor(-0.05), exp(-3.5 * 0.05), 1e-9); /* fastest: 6 km/h vs 5.036 */
    assert_true(street_elev_walk_factor(0.10) > street_elev_walk_factor(0.05));
    assert_true(street_elev_walk_factor(-0.20) > 1.0); /* steep descents are slow too */
    assert_float_equal(street_elev_bike_factor(-0.08), 1.0, 1e-12);
    assert_float_equal(street_elev_bike_factor(0.0), 1.0, 1e-12);
    assert_true(street_elev_bike_factor(0.08) > street_elev_bike_factor(0.04));
    assert_true(street_elev_bike_factor(0.04) > 1.0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_factors),
        cmocka_unit_test(test_tobler_and_cycling),
        cmocka_unit_test(test_without_dem_unchanged),
        cmocka_unit_test(test_bad_dems),
        cmocka_unit_test(test_partial_dem),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
