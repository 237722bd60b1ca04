/* test_analysis_isochrone_gdal.c — the isochrone contour tracer (src/analysis/isochrone.c, hand-written because
 * GDAL's contour generator was measured at half of a served isochrone) against GDAL's own GDALContourGenerateEx
 * (polygon mode), called here directly as the oracle: on random surfaces full of saddles, holes, unreachable cells
 * and unsorted or many cutoffs, every (cutoff, percentile) geometry must have GDAL's number of polygons, holes and
 * vertices, the same vertices (to the 6 decimals GeoJSON carries) and the same area. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "analysis/isochrone.h"
#include "analysis/raster.h"
#include "analysis/travel_times.h"

#include <cjson/cJSON.h>
#include <gdal.h>
#include <gdal_alg.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng = 88172645463325252ull;
static double rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) * (1.0 / 9007199254740992.0);
}

/* GDAL's polygon below `cutoff` for band p, in lon/lat: the surface padded with unreachable cells (so rings close
 * inside), contoured at cutoff − 0.5 (minutes are truncated: t < cutoff ⇔ minutes ≤ cutoff − 1). */
static OGRGeometryH gdal_polygon(const tc_grid *g, const uint16_t *pm, size_t np, size_t p, int cutoff,
                                 int max_cutoff, OGRCoordinateTransformationH to_wgs84) {
    const size_t w = g->width + 2, h = g->height + 2;
    float *band = malloc(w * h * sizeof *band);
    assert_non_null(band);
    const float far = (float)max_cutoff + 1.0f;
    for (size_t i = 0; i < w * h; i++) band[i] = far;
    for (size_t r = 0; r < g->height; r++)
        for (size_t c = 0; c < g->width; c++) {
            uint16_t v = pm[(r * g->width + c) * np + p];
            band[(r + 1) * w + c + 1] = v == TC_UNREACHED_MIN ? far : (float)v;
        }
    GDALDatasetH rds = GDALCreate(GDALGetDriverByName("MEM"), "", (int)w, (int)h, 1, GDT_Float32, NULL);
    assert_non_null(rds);
    double gt[6];
    grid_geotransform(g, gt);
    gt[0] -= gt[1]; /* the padding cell */
    gt[3] -= gt[5];
    GDALSetGeoTransform(rds, gt);
    GDALRasterBandH rb = GDALGetRasterBand(rds, 1);
    assert_int_equal(GDALRasterIO(rb, GF_Write, 0, 0, (int)w, (int)h, band, (int)w, (int)h, GDT_Float32, 0, 0),
                     CE_None);
    GDALDatasetH vds = GDALCreate(GDALGetDriverByName("Memory"), "", 0, 0, 0, GDT_Unknown, NULL);
    OGRLayerH layer = GDALDatasetCreateLayer(vds, "contour", NULL, wkbMultiPolygon, NULL);
    const char *names[3] = {"id", "tmin", "tmax"};
    OGRFieldType types[3] = {OFTInteger, OFTReal, OFTReal};
    for (int i = 0; i < 3; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(names[i], types[i]);
        OGR_L_CreateField(layer, fd, 1);
        OGR_Fld_Destroy(fd);
    }
    const double level = cutoff - 0.5;
    char lv[48];
    snprintf(lv, sizeof lv, "FIXED_LEVELS=%.1f", level);
    char *opts[] = {lv, "POLYGONIZE=YES", "ID_FIELD=0", "ELEV_FIELD_MIN=1", "ELEV_FIELD_MAX=2", NULL};
    assert_int_equal(GDALContourGenerateEx(rb, layer, opts, NULL, NULL), CE_None);
    OGRGeometryH out = OGR_G_CreateGeometry(wkbMultiPolygon);
    OGR_L_ResetReading(layer);
    OGRFeatureH f;
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        OGRGeometryH geom = OGR_F_GetGeometryRef(f);
        if (OGR_F_GetFieldAsDouble(f, 2) <= level && geom)
            for (int i = 0; i < OGR_G_GetGeometryCount(geom); i++)
                OGR_G_AddGeometry(out, OGR_G_GetGeometryRef(geom, i));
        OGR_F_Destroy(f);
    }
    GDALClose(vds);
    GDALClose(rds);
    free(band);
    assert_int_equal(OGR_G_Transform(out, to_wgs84), OGRERR_NONE);
    return out;
}

static void count_parts(OGRGeometryH mp, int *polys, int *holes, int *points) {
    *polys = *holes = *points = 0;
    if (!mp || OGR_G_IsEmpty(mp)) return;
    *polys = OGR_G_GetGeometryCount(mp);
    for (int i = 0; i < *polys; i++) {
        OGRGeometryH poly = OGR_G_GetGeometryRef(mp, i);
        *holes += OGR_G_GetGeometryCount(poly) - 1;
        for (int r = 0; r < OGR_G_GetGeometryCount(poly); r++) *points += OGR_G_GetPointCount(OGR_G_GetGeometryRef(poly, r));
    }
}

static void collect_points(OGRGeometryH mp, double *xy) {
    size_t n = 0;
    for (int i = 0; i < OGR_G_GetGeometryCount(mp); i++) {
        OGRGeometryH poly = OGR_G_GetGeometryRef(mp, i);
        for (int r = 0; r < OGR_G_GetGeometryCount(poly); r++) {
            OGRGeometryH ring = OGR_G_GetGeometryRef(poly, r);
            for (int q = 0; q < OGR_G_GetPointCount(ring); q++) {
                xy[2 * n] = OGR_G_GetX(ring, q);
                xy[2 * n + 1] = OGR_G_GetY(ring, q);
                n++;
            }
        }
    }
}

static int cmp_x(const void *a, const void *b) {
    const double *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (x[1] > y[1]) - (x[1] < y[1]);
}

/* The largest distance (degrees, per axis) from a point of a to the nearest point of b (b sorted by x). */
static double farthest(const double *a, size_t na, const double *b, size_t nb) {
    double worst = 0;
    for (size_t i = 0; i < na; i++) {
        size_t lo = 0, hi = nb;
        while (lo < hi) { /* first b with x ≥ a.x − 1e-6 */
            size_t mid = (lo + hi) / 2;
            if (b[2 * mid] < a[2 * i] - 1e-6) lo = mid + 1;
            else hi = mid;
        }
        double best = INFINITY;
        for (size_t j = lo; j < nb && b[2 * j] <= a[2 * i] + 1e-6; j++)
            best = fmin(best, fmax(fabs(b[2 * j] - a[2 * i]), fabs(b[2 * j + 1] - a[2 * i + 1])));
        worst = fmax(worst, best);
    }
    return worst;
}

static void test_tracer_equals_gdal(void **state) {
    (void)state;
    GDALAllRegister();
    OGRSpatialReferenceH merc = OSRNewSpatialReference(NULL), wgs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(merc, 3857);
    OSRImportFromEPSG(wgs, 4326);
    OSRSetAxisMappingStrategy(wgs, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(merc, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH to_wgs84 = OCTNewCoordinateTransformation(merc, wgs);
    assert_non_null(to_wgs84);
    long features = 0, polygons = 0, holes_seen = 0;
    for (int k = 0; k < 90; k++) {
        tc_grid g;
        const int sz = k % 7 == 0 ? 1 + k % 3 : 5 + (int)(rnd() * 45); /* some of 1-3 cells a side */
        assert_int_equal(grid_from_bbox(-51.3, -30.1, -51.3 + sz * 0.001, -30.1 + sz * 0.0009, 100 + 50 * (k % 5),
                                        &g, NULL),
                      TC_OK);
        const size_t cells = tc_grid_cells(&g), np = 2;
        uint16_t *pm = malloc(cells * np * sizeof *pm);
        const int mode = k % 3;
        const double cx = rnd() * (double)g.width, cy = rnd() * (double)g.height;
        for (size_t i = 0; i < cells; i++) {
            const double r = (double)(i / g.width), c = (double)(i % g.width);
            for (size_t p = 0; p < np; p++) {
                double v = mode == 0   ? rnd() * 70                                      /* noise: saddles */
                           : mode == 1 ? hypot(r - cy, c - cx) * 3 + rnd() * 25           /* noisy cone */
                                       : 30 + 25 * sin(r * 0.7) * cos(c * 0.5) + rnd() * 6; /* egg crate: holes */
                v += (double)p * 5;
                pm[i * np + p] = v > 75 || rnd() < 0.05 ? TC_UNREACHED_MIN : (uint16_t)v;
            }
        }
        int pct[2] = {50, 90}, cut[40];
        size_t ncut = 4;
        if (k % 10 == 9) { /* many cutoffs, in no order */
            ncut = 35;
            for (int i = 0; i < 35; i++) cut[i] = 1 + (i * 17) % 70;
        } else if (k % 10 == 8) {
            ncut = 3;
            cut[0] = 45, cut[1] = 10, cut[2] = 30;
        } else {
            cut[0] = 15, cut[1] = 30, cut[2] = 45, cut[3] = 60;
        }
        int max_cutoff = 0;
        for (size_t i = 0; i < ncut; i++) max_cutoff = cut[i] > max_cutoff ? cut[i] : max_cutoff;
        char *json = NULL;
        tc_error e = {0};
        assert_int_equal(isochrones_geojson(&g, pm, pct, np, cut, ncut, &json, &e), TC_OK);
        cJSON *doc = cJSON_Parse(json);
        assert_non_null(doc);
        cJSON *feats = cJSON_GetObjectItem(doc, "features");
        assert_int_equal(cJSON_GetArraySize(feats), (int)(ncut * np));
        cJSON *ft;
        cJSON_ArrayForEach(ft, feats) {
            cJSON *props = cJSON_GetObjectItem(ft, "properties");
            const int cutoff = cJSON_GetObjectItem(props, "cutoff_min")->valueint;
            const int percentile = cJSON_GetObjectItem(props, "percentile")->valueint;
            const size_t p = percentile == pct[0] ? 0 : 1;
            char *gtext = cJSON_PrintUnformatted(cJSON_GetObjectItem(ft, "geometry"));
            OGRGeometryH ours = OGR_G_CreateGeometryFromJson(gtext);
            free(gtext);
            assert_non_null(ours);
            OGRGeometryH ref = gdal_polygon(&g, pm, np, p, cutoff, max_cutoff, to_wgs84);
            int po, ho, vo, pr, hr, vr;
            count_parts(ours, &po, &ho, &vo);
            count_parts(ref, &pr, &hr, &vr);
            if (po != pr || ho != hr || vo != vr)
                fail_msg("surface %d, cutoff %d, p%d: ours %d polygons / %d holes / %d vertices, GDAL %d / %d / %d", k,
                         cutoff, percentile, po, ho, vo, pr, hr, vr);
            if (pr) {
                /* the same vertices (rings may start elsewhere and run the other way: compare them sorted) and the
                 * same area */
                double *va = malloc((size_t)vo * 2 * sizeof *va), *vb = malloc((size_t)vr * 2 * sizeof *vb);
                collect_points(ours, va);
                collect_points(ref, vb);
                qsort(va, (size_t)vo, 2 * sizeof *va, cmp_x);
                qsort(vb, (size_t)vr, 2 * sizeof *vb, cmp_x);
                const double worst = fmax(farthest(va, (size_t)vo, vb, (size_t)vr), farthest(vb, (size_t)vr, va, (size_t)vo));
                if (!(worst <= 5.1e-7)) /* GeoJSON carries 6 decimals: half a unit of the last, and rounding */
                    fail_msg("surface %d, cutoff %d, p%d: a vertex is %g degrees from GDAL's", k, cutoff, percentile,
                             worst);
                /* rounding each vertex by ≤ 5e-7 moves the area by at most about perimeter × 5e-7 */
                double perimeter = 0;
                for (int i = 0; i < OGR_G_GetGeometryCount(ref); i++)
                    for (int r = 0; r < OGR_G_GetGeometryCount(OGR_G_GetGeometryRef(ref, i)); r++)
                        perimeter += OGR_G_Length(OGR_G_GetGeometryRef(OGR_G_GetGeometryRef(ref, i), r));
                const double ao = OGR_G_Area(ours), ar = OGR_G_Area(ref);
                if (!(fabs(ao - ar) <= perimeter * 5.1e-7))
                    fail_msg("surface %d, cutoff %d, p%d: area %.12g, GDAL's %.12g", k, cutoff, percentile, ao, ar);
                free(va);
                free(vb);
            }
            features++;
            polygons += pr;
            holes_seen += hr;
            OGR_G_DestroyGeometry(ours);
            OGR_G_DestroyGeometry(ref);
        }
        cJSON_Delete(doc);
        free(json);
        free(pm);
    }
    /* the surfaces did exercise what they are for */
    assert_true(features > 500);
    assert_true(polygons > 2000);
    assert_true(holes_seen > 1000);
    OCTDestroyCoordinateTransformation(to_wgs84);
    OSRDestroySpatialReference(merc);
    OSRDestroySpatialReference(wgs);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_tracer_equals_gdal)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
