/* test_analysis_isochrone.c — isochrones contoured from synthetic radial surfaces (travel time = distance / speed
 * from a centre): areas ≈ π r², each cutoff's polygon within the next one (GEOS through OGR), holes around an
 * unreachable ring, RFC 7946 ring orientation, an all-unreachable surface, and the atomic file write. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "analysis/isochrone.h"
#include "analysis/travel_times.h"
#include "common/geo.h"

#include <cjson/cJSON.h>
#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CLAT (-30.03)
#define CLON (-51.20)
#define KM_PER_MIN (1.0 / 6.0) /* 10 km/h: 30 minutes = 5 km */

/* A radial surface on a 100 m grid over ±9 km; cells between hole_in and hole_out km are unreachable. */
static uint16_t *radial_surface(tc_grid *g, double hole_in_km, double hole_out_km, int n_percentiles) {
    assert_int_equal(grid_from_bbox(CLON - 0.105, CLAT - 0.09, CLON + 0.105, CLAT + 0.09, 100, g, NULL), TC_OK);
    size_t n = tc_grid_cells(g);
    uint16_t *pm = malloc(n * n_percentiles * sizeof *pm);
    for (size_t c = 0; c < n; c++) {
        double lat, lon;
        grid_cell_center(g, c, &lat, &lon);
        double km = haversine_m(CLAT, CLON, lat, lon) / 1000.0;
        for (int p = 0; p < n_percentiles; p++) {
            /* later percentiles are slower: +5 minutes each */
            double minutes = km / KM_PER_MIN + 5 * p;
            int unreachable = km >= hole_in_km && km < hole_out_km;
            pm[c * n_percentiles + p] = unreachable || minutes > 120 ? TC_UNREACHED_MIN : (uint16_t)floor(minutes) /* truncated, as R5 */;
        }
    }
    return pm;
}

static OGRGeometryH feature_geometry(cJSON *feature) {
    char *text = cJSON_PrintUnformatted(cJSON_GetObjectItem(feature, "geometry"));
    OGRGeometryH g = OGR_G_CreateGeometryFromJson(text);
    free(text);
    assert_non_null(g);
    return g;
}

static double prop(cJSON *feature, const char *name) {
    cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(feature, "properties"), name);
    assert_true(cJSON_IsNumber(v));
    return v->valuedouble;
}

/* planar signed area of a lon/lat ring from its JSON coordinates (independent of the library's area formula) */
static double shoelace(cJSON *ring) {
    double s = 0;
    int n = cJSON_GetArraySize(ring);
    for (int i = 0; i + 1 < n; i++) {
        cJSON *a = cJSON_GetArrayItem(ring, i), *b = cJSON_GetArrayItem(ring, i + 1);
        double x0 = cJSON_GetArrayItem(a, 0)->valuedouble, y0 = cJSON_GetArrayItem(a, 1)->valuedouble;
        double x1 = cJSON_GetArrayItem(b, 0)->valuedouble, y1 = cJSON_GetArrayItem(b, 1)->valuedouble;
        s += x0 * y1 - x1 * y0;
    }
    return s / 2;
}

static void check_orientation(cJSON *feature, int *holes) {
    cJSON *polys = cJSON_GetObjectItem(cJSON_GetObjectItem(feature, "geometry"), "coordinates");
    cJSON *poly;
    cJSON_ArrayForEach(poly, polys) {
        int r = 0;
        cJSON *ring;
        cJSON_ArrayForEach(ring, poly) {
            double a = shoelace(ring);
            if (r == 0) assert_true(a > 0); /* exterior counter-clockwise */
            else {
                assert_true(a < 0);
                (*holes)++;
            }
            r++;
        }
    }
}

static void test_radial_nested(void **state) {
    (void)state;
    tc_grid g; /* no GDALAllRegister: the library registers the drivers it needs */
    uint16_t *pm = radial_surface(&g, 99, 99, 2);
    int cutoffs[4] = {15, 30, 45, 60}, pcts[2] = {50, 90};
    char *text = NULL;
    tc_error err = {0};
    assert_int_equal(isochrones_geojson(&g, pm, pcts, 2, cutoffs, 4, &text, &err), TC_OK);
    cJSON *fc = cJSON_Parse(text);
    assert_non_null(fc);
    assert_string_equal(cJSON_GetObjectItem(fc, "type")->valuestring, "FeatureCollection");
    cJSON *features = cJSON_GetObjectItem(fc, "features");
    assert_int_equal(cJSON_GetArraySize(features), 8);
    OGRGeometryH geoms[4][2];
    for (int c = 0; c < 4; c++)
        for (int p = 0; p < 2; p++) {
            cJSON *f = cJSON_GetArrayItem(features, c * 2 + p);
            assert_true(prop(f, "cutoff_min") == cutoffs[c]);
            assert_true(prop(f, "percentile") == pcts[p]);
            /* the p50 surface reaches r = cutoff/6 km; p90 is 5 minutes slower */
            double r_km = (cutoffs[c] - 5 * p) * KM_PER_MIN;
            double expect = M_PI * r_km * r_km, area = prop(f, "area_km2");
            /* truncated minutes contoured at cutoff − 0.5 leave no bias: 1% covers the cell-scale wobble */
            if (fabs(area - expect) > 0.01 * expect)
                fail_msg("cutoff %d p%d: area %.3f km² vs π r² %.3f", cutoffs[c], pcts[p], area, expect);
            int holes = 0;
            check_orientation(f, &holes);
            assert_int_equal(holes, 0);
            geoms[c][p] = feature_geometry(f);
            assert_true(OGR_G_IsValid(geoms[c][p]));
            /* the library's spherical area against GDAL's planar area of the lon/lat polygon scaled to km²
             * (cos φ at the centre): they should agree to about 1% */
            double deg2 = OGR_G_Area(geoms[c][p]);
            double km2 = deg2 * pow(TC_EARTH_RADIUS_M / 1000 * M_PI / 180, 2) * cos(CLAT * M_PI / 180);
            assert_true(fabs(km2 - area) < 0.01 * area);
        }
    /* nesting: 15 ⊂ 30 ⊂ 45 ⊂ 60 and p90 ⊂ p50 for each cutoff */
    for (int c = 0; c < 4; c++) {
        if (c) {
            assert_true(OGR_G_Within(geoms[c - 1][0], geoms[c][0]));
            assert_true(OGR_G_Within(geoms[c - 1][1], geoms[c][1]));
            assert_false(OGR_G_Within(geoms[c][0], geoms[c - 1][0]));
        }
        assert_true(OGR_G_Within(geoms[c][1], geoms[c][0]));
    }
    /* the centre is inside the 15-minute polygon, a point 6 km east is outside the 30 but inside the 45 */
    OGRGeometryH centre = OGR_G_CreateGeometry(wkbPoint), east = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(centre, 0, CLON, CLAT);
    OGR_G_SetPoint_2D(east, 0, CLON + 6.0 / (111.195 * cos(CLAT * M_PI / 180)), CLAT);
    assert_true(OGR_G_Contains(geoms[0][0], centre));
    assert_false(OGR_G_Contains(geoms[1][0], east));
    assert_true(OGR_G_Contains(geoms[2][0], east));
    OGR_G_DestroyGeometry(centre);
    OGR_G_DestroyGeometry(east);
    for (int c = 0; c < 4; c++)
        for (int p = 0; p < 2; p++) OGR_G_DestroyGeometry(geoms[c][p]);
    cJSON_Delete(fc);
    free(text);
    free(pm);
}

static void test_holes(void **state) {
    (void)state;
    tc_grid g;
    /* an unreachable annulus 1.5–2.5 km from the centre, all inside the 30-minute (5 km) isochrone */
    uint16_t *pm = radial_surface(&g, 1.5, 2.5, 1);
    int cutoffs[1] = {30}, pcts[1] = {50};
    char *text = NULL;
    assert_int_equal(isochrones_geojson(&g, pm, pcts, 1, cutoffs, 1, &text, NULL), TC_OK);
    cJSON *fc = cJSON_Parse(text);
    cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(fc, "features"), 0);
    int holes = 0;
    check_orientation(f, &holes);
    assert_true(holes >= 1);
    /* two polygons: the disc inside the annulus, and the outer ring with a hole */
    cJSON *polys = cJSON_GetObjectItem(cJSON_GetObjectItem(f, "geometry"), "coordinates");
    assert_int_equal(cJSON_GetArraySize(polys), 2);
    double full = M_PI * 25, annulus = M_PI * (2.5 * 2.5 - 1.5 * 1.5), area = prop(f, "area_km2");
    /* the boundary against unreachable cells lies within a cell of the annulus edge: ±0.1 km on each side */
    double slack = 2 * M_PI * (2.5 + 1.5) * 0.1;
    if (fabs(area - (full - annulus)) > slack + 0.03 * full)
        fail_msg("area %.3f vs %.3f", area, full - annulus);
    OGRGeometryH geom = feature_geometry(f);
    assert_true(OGR_G_IsValid(geom));
    OGRGeometryH ring_pt = OGR_G_CreateGeometry(wkbPoint);
    OGR_G_SetPoint_2D(ring_pt, 0, CLON + 2.0 / (111.195 * cos(CLAT * M_PI / 180)), CLAT); /* 2 km east */
    assert_false(OGR_G_Contains(geom, ring_pt));
    OGR_G_DestroyGeometry(ring_pt);
    OGR_G_DestroyGeometry(geom);
    cJSON_Delete(fc);
    free(text);
    free(pm);
}

/* A transit-like surface: islands around 25 "stations" reached after 5–50 minutes, then walking at 5 km/h, with
 * slower later percentiles. Every polygon valid, every cutoff's polygon within the next, and each percentile's
 * within the faster one's. */
static void test_patchy_surface_nested(void **state) {
    (void)state;
    tc_grid g;
    assert_int_equal(grid_from_bbox(CLON - 0.1, CLAT - 0.1, CLON + 0.1, CLAT + 0.1, 150, &g, NULL), TC_OK);
    srand(3);
    double st_lat[25], st_lon[25], st_t[25];
    for (int s = 0; s < 25; s++) {
        st_lat[s] = CLAT - 0.09 + (rand() % 1000) * 0.00018;
        st_lon[s] = CLON - 0.09 + (rand() % 1000) * 0.00018;
        st_t[s] = 5 + rand() % 45;
    }
    size_t n = tc_grid_cells(&g);
    uint16_t *pm = malloc(n * 2 * sizeof *pm);
    for (size_t c = 0; c < n; c++) {
        double lat, lon, best = 1e9;
        grid_cell_center(&g, c, &lat, &lon);
        for (int s = 0; s < 25; s++) {
            double t = st_t[s] + haversine_m(st_lat[s], st_lon[s], lat, lon) / 1000 * 12;
            if (t < best) best = t;
        }
        pm[c * 2] = best > 120 ? TC_UNREACHED_MIN : (uint16_t)best;
        pm[c * 2 + 1] = best + 6 > 120 ? TC_UNREACHED_MIN : (uint16_t)(best + 6);
    }
    int cutoffs[3] = {20, 40, 60}, pcts[2] = {50, 90};
    char *text = NULL;
    assert_int_equal(isochrones_geojson(&g, pm, pcts, 2, cutoffs, 3, &text, NULL), TC_OK);
    cJSON *fc = cJSON_Parse(text);
    cJSON *features = cJSON_GetObjectItem(fc, "features");
    assert_int_equal(cJSON_GetArraySize(features), 6);
    OGRGeometryH geoms[3][2];
    for (int c = 0; c < 3; c++)
        for (int p = 0; p < 2; p++) {
            cJSON *f = cJSON_GetArrayItem(features, c * 2 + p);
            geoms[c][p] = feature_geometry(f);
            assert_true(OGR_G_IsValid(geoms[c][p]));
            int holes = 0;
            check_orientation(f, &holes);
        }
    /* several islands at 20 minutes */
    assert_true(OGR_G_GetGeometryCount(geoms[0][0]) > 1);
    for (int c = 0; c < 3; c++) {
        if (c) {
            assert_true(OGR_G_Within(geoms[c - 1][0], geoms[c][0]));
            assert_true(OGR_G_Within(geoms[c - 1][1], geoms[c][1]));
        }
        assert_true(OGR_G_Within(geoms[c][1], geoms[c][0]));
    }
    for (int c = 0; c < 3; c++)
        for (int p = 0; p < 2; p++) OGR_G_DestroyGeometry(geoms[c][p]);
    cJSON_Delete(fc);
    free(text);
    free(pm);
}

static void test_unreachable_and_file(void **state) {
    (void)state;
    tc_grid g;
    assert_int_equal(grid_from_bbox(-51.21, -30.04, -51.19, -30.02, 200, &g, NULL), TC_OK);
    size_t n = tc_grid_cells(&g);
    uint16_t *pm = malloc(n * sizeof *pm);
    for (size_t i = 0; i < n; i++) pm[i] = TC_UNREACHED_MIN;
    int cutoffs[2] = {30, 60}, pcts[1] = {50};
    char dir[] = "/tmp/tc_test_iso_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], tmp[300];
    snprintf(path, sizeof path, "%s/iso.geojson", dir);
    tc_error err = {0};
    assert_int_equal(tc_isochrones_write(path, &g, pm, pcts, 1, cutoffs, 2, &err), TC_OK);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    assert_int_not_equal(access(tmp, F_OK), 0);
    FILE *fp = fopen(path, "r");
    char buf[4096];
    size_t got = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[got] = '\0';
    cJSON *fc = cJSON_Parse(buf);
    cJSON *features = cJSON_GetObjectItem(fc, "features");
    assert_int_equal(cJSON_GetArraySize(features), 2);
    for (int i = 0; i < 2; i++) {
        cJSON *f = cJSON_GetArrayItem(features, i);
        assert_true(prop(f, "area_km2") == 0);
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "geometry"), "coordinates")),
                         0);
    }
    cJSON_Delete(fc);
    /* bad arguments and unwritable paths are errors, not crashes */
    int bad_cutoff[1] = {0};
    assert_int_equal(tc_isochrones_write(path, &g, pm, pcts, 1, bad_cutoff, 1, &err), TC_ERR_INVALID_ARGUMENT);
    char nowhere[300];
    snprintf(nowhere, sizeof nowhere, "%s/missing/iso.geojson", dir);
    assert_int_equal(tc_isochrones_write(nowhere, &g, pm, pcts, 1, cutoffs, 2, &err), TC_ERR_IO);
    unlink(path);
    rmdir(dir);
    free(pm);
}

static void test_ring_area(void **state) {
    (void)state;
    /* a 0.1° square at the equator: (0.1 · π/180 · R)² to 0.01%, positive counter-clockwise */
    double lon[5] = {0, 0.1, 0.1, 0, 0}, lat[5] = {0, 0, 0.1, 0.1, 0};
    double side = 0.1 * M_PI / 180 * TC_EARTH_RADIUS_M;
    assert_true(fabs(ring_area_m2(lon, lat, 5) - side * side) < 1e-4 * side * side);
    assert_true(fabs(ring_area_m2(lon, lat, 4) - side * side) < 1e-4 * side * side);
    double rlon[5] = {0, 0, 0.1, 0.1, 0}, rlat[5] = {0, 0.1, 0.1, 0, 0};
    assert_true(ring_area_m2(rlon, rlat, 5) < 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radial_nested),
        cmocka_unit_test(test_holes),
        cmocka_unit_test(test_patchy_surface_nested),
        cmocka_unit_test(test_unreachable_and_file),
        cmocka_unit_test(test_ring_area),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
