/*
 * street_elev.c — slope factors for walking and cycling from a digital elevation model (build --elevation DEM).
 *
 * The DEM is read once with GDAL (loaded on demand, common/gdal_env.h), only the window that covers the street
 * network. Each segment's polyline is cut at its points and every ~10 m in between (a DEM of 30 m cells interpolated
 * bilinearly changes little within 10 m), and each piece gets its horizontal length and its slope. The segment then
 * holds, per direction, the length-weighted mean of the pieces' time factors — a walk or ride along it takes
 * factor × the flat time — stored as uint16 fixed point (STREET_ELEV_ONE = 1.0) in an optional section. A network
 * without the section, or a query with no_elevation, uses factor 1 everywhere.
 *
 * Walking: Tobler's hiking function (Tobler 1993, "Three presentations on geographical analysis and modeling",
 * NCGIA technical report 93-1): speed = 6·exp(−3.5·|s + 0.05|) km/h for slope s (rise over run), 5.036 km/h on the
 * flat, so a piece's factor is exp(3.5·(|s + 0.05| − 0.05)); gentle descents are a little faster than the flat.
 *
 * Cycling: the standard road-cycling power equation (Martin et al. 1998, "Validation of a mathematical model for
 * road cycling power", J. Applied Biomechanics 14:276–291), without wind or bearing losses:
 *     P = v·m·g·(Crr + s) + ½·ρ·CdA·v³,
 * with m = 90 kg (rider and bike), Crr = 0.006, ρ = 1.2 kg/m³, CdA = 0.5 m² (upright commuter). A commuter cruising at
 * 15 km/h on the flat (about 44 W) works up to 100 W on a climb (about what a healthy adult sustains for an hour,
 * Wilson, "Bicycling Science", 3rd ed., 2004); the climbing speed solves the equation at 100 W and the factor is
 * 15 km/h over it, never below 1. Descents keep factor 1: braking, junctions and safety cap a city descent near the
 * cruising speed, and a search must not reward a detour over a hill.
 *
 * Slopes are capped at ±30 %: steeper pieces on streets are DEM artefacts (bridges, cuttings, cell edges). A piece
 * with an end outside the DEM or on a no-data cell counts as flat; the build reports the segments that had one.
 */
#include "streets/street_mem.h"
#include "netfile/street_sections.h"
#include "common/gdal_env.h"
#include "common/geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PIECE_M 10.0
#define MAX_SLOPE 0.30

double street_elev_walk_factor(double slope) {
    if (slope > MAX_SLOPE) slope = MAX_SLOPE;
    if (slope < -MAX_SLOPE) slope = -MAX_SLOPE;
    return exp(3.5 * (fabs(slope + 0.05) - 0.05));
}

/* Climbing speed (m/s) at power p on slope s of the model above: the left side grows with v, so bisect. */
static double bike_speed_at(double p, double s) {
    const double m = 90.0, g = 9.81, crr = 0.006, k = 0.5 * 1.2 * 0.5;
    double lo = 0.0, hi = 20.0;
    for (int i = 0; i < 60; i++) {
        double v = 0.5 * (lo + hi);
        double need = v * m * g * (crr + s) + k * v * v * v;
        if (need > p) hi = v;
        else lo = v;
    }
    return 0.5 * (lo + hi);
}

double street_elev_bike_factor(double slope) {
    if (slope <= 0) return 1.0;
    if (slope > MAX_SLOPE) slope = MAX_SLOPE;
    const double cruise = 15.0 / 3.6, climb_power_w = 100.0;
    double v = bike_speed_at(climb_power_w, slope);
    return v >= cruise ? 1.0 : cruise / v;
}

static uint16_t fixed(double f) {
    double x = f * STREET_ELEV_ONE + 0.5;
    return x >= UINT16_MAX ? UINT16_MAX : x < 1 ? 1 : (uint16_t)x;
}

typedef struct dem {
    float *z;          /* window rows × cols */
    int x0, y0, nx, ny; /* window in raster pixels */
    double gt[6];
    int has_nodata;
    double nodata;
} dem;

/* Bilinear elevation at lat/lon; NAN outside the window or next to a no-data cell. */
static double dem_at(const dem *d, double lat, double lon) {
    double fc = (lon - d->gt[0]) / d->gt[1] - 0.5 - d->x0, fr = (lat - d->gt[3]) / d->gt[5] - 0.5 - d->y0;
    /* within half a cell of the edge: the edge cells' values */
    if (fc < -0.5 || fr < -0.5 || fc > d->nx - 0.5 || fr > d->ny - 0.5) return NAN;
    if (fc < 0) fc = 0;
    if (fr < 0) fr = 0;
    if (fc > d->nx - 1) fc = d->nx - 1;
    if (fr > d->ny - 1) fr = d->ny - 1;
    int c = (int)fc, r = (int)fr;
    if (c > d->nx - 2) c = d->nx > 1 ? d->nx - 2 : 0;
    if (r > d->ny - 2) r = d->ny > 1 ? d->ny - 2 : 0;
    double tx = d->nx > 1 ? fc - c : 0, ty = d->ny > 1 ? fr - r : 0;
    int c1 = d->nx > 1 ? c + 1 : c, r1 = d->ny > 1 ? r + 1 : r;
    double v[4] = {d->z[(size_t)r * d->nx + c], d->z[(size_t)r * d->nx + c1], d->z[(size_t)r1 * d->nx + c],
                   d->z[(size_t)r1 * d->nx + c1]};
    for (int i = 0; i < 4; i++)
        if (!isfinite(v[i]) || (d->has_nodata && v[i] == (double)(float)d->nodata)) return NAN;
    return (1 - ty) * ((1 - tx) * v[0] + tx * v[1]) + ty * ((1 - tx) * v[2] + tx * v[3]);
}

/* Open the DEM and read the window over the bbox (degrees) into d. */
static tc_status dem_read(const char *path, const int32_t bbox_e7[4], dem *d, tc_error *err) {
    memset(d, 0, sizeof *d);
    tc_status st = gdal_env_begin(err);
    if (st != TC_OK) {
        gdal_env_end();
        return st;
    }
    GDALDatasetH ds = GDALOpen(path, GA_ReadOnly);
    if (!ds) {
        st = gdal_env_fail(err, TC_ERR_FORMAT, path, "not a raster GDAL can read (expected a GeoTIFF elevation model)");
        goto out;
    }
    if (GDALGetRasterCount(ds) < 1) {
        st = error_set(err, TC_ERR_FORMAT, path, 0, 0, "the elevation model has no raster band");
        goto out;
    }
    if (GDALGetGeoTransform(ds, d->gt) != CE_None || d->gt[2] != 0 || d->gt[4] != 0 || d->gt[1] == 0 ||
        d->gt[5] == 0) {
        st = error_set(err, TC_ERR_FORMAT, path, 0, 0, "the elevation model has no north-up geotransform");
        goto out;
    }
    OGRSpatialReferenceH srs = GDALGetSpatialRef(ds);
    if (srs && !OSRIsGeographic(srs)) {
        st = error_set(err, TC_ERR_FORMAT, path, 0, 0,
                       "the elevation model is in projected coordinates; expected longitude/latitude (WGS 84), e.g. "
                       "gdalwarp -t_srs EPSG:4326");
        goto out;
    }
    int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    double lon0 = from_e7(bbox_e7[0]), lat0 = from_e7(bbox_e7[1]), lon1 = from_e7(bbox_e7[2]),
           lat1 = from_e7(bbox_e7[3]);
    double ca = (lon0 - d->gt[0]) / d->gt[1], cb = (lon1 - d->gt[0]) / d->gt[1];
    double ra = (lat0 - d->gt[3]) / d->gt[5], rb = (lat1 - d->gt[3]) / d->gt[5];
    double cmin = floor(fmin(ca, cb)) - 1, cmax = ceil(fmax(ca, cb)) + 1;
    double rmin = floor(fmin(ra, rb)) - 1, rmax = ceil(fmax(ra, rb)) + 1;
    if (cmin < 0) cmin = 0;
    if (rmin < 0) rmin = 0;
    if (cmax > w) cmax = w;
    if (rmax > h) rmax = h;
    if (cmin >= cmax || rmin >= rmax) {
        st = error_set(err, TC_ERR_INVALID_ARGUMENT, path, 0, 0,
                       "the elevation model does not cover the street network (lon %.5f..%.5f, lat %.5f..%.5f)", lon0,
                       lon1, lat0, lat1);
        goto out;
    }
    d->x0 = (int)cmin;
    d->y0 = (int)rmin;
    d->nx = (int)(cmax - cmin);
    d->ny = (int)(rmax - rmin);
    d->z = malloc((size_t)d->nx * d->ny * sizeof *d->z);
    if (!d->z) {
        st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory reading the elevation model");
        goto out;
    }
    GDALRasterBandH band = GDALGetRasterBand(ds, 1);
    d->nodata = GDALGetRasterNoDataValue(band, &d->has_nodata);
    if (GDALRasterIO(band, GF_Read, d->x0, d->y0, d->nx, d->ny, d->z, d->nx, d->ny, GDT_Float32, 0, 0) != CE_None)
        st = gdal_env_fail(err, TC_ERR_IO, path, "cannot read the elevation model");
out:
    if (ds) GDALClose(ds);
    gdal_env_end();
    if (st != TC_OK) {
        free(d->z);
        d->z = NULL;
    }
    return st;
}

tc_status street_mem_apply_elevation(street_mem *m, const char *dem_path, diag_log *diag, tc_error *err) {
    uint32_t ns = m->meta.n_segs;
    if (ns == 0) return TC_OK;
    dem d;
    tc_status st = dem_read(dem_path, m->meta.bbox_e7, &d, err);
    if (st != TC_OK) return st;
    uint16_t *f = malloc((size_t)ns * 4 * sizeof *f);
    if (!f) {
        free(d.z);
        return error_set(err, TC_ERR_NO_MEMORY, dem_path, 0, 0, "out of memory for slope factors");
    }
    uint32_t outside = 0, covered_points = 0;
    for (uint32_t s = 0; s < ns; s++) {
        double len = 0, walk_ab = 0, walk_ba = 0, bike_ab = 0, bike_ba = 0;
        int any_outside = 0;
        uint32_t g0 = m->segs[s].geom_begin, g1 = m->segs[s + 1].geom_begin;
        for (uint32_t i = g0; i + 1 < g1; i++) {
            double la0 = from_e7(m->geom[2 * i]), lo0 = from_e7(m->geom[2 * i + 1]);
            double la1 = from_e7(m->geom[2 * i + 2]), lo1 = from_e7(m->geom[2 * i + 3]);
            double dist = haversine_m(la0, lo0, la1, lo1);
            if (!(dist > 0)) continue;
            int k = (int)ceil(dist / PIECE_M);
            double piece = dist / k, z_prev = dem_at(&d, la0, lo0);
            if (i == g0 && isfinite(z_prev)) covered_points++;
            for (int j = 1; j <= k; j++) {
                double t = (double)j / k;
                double z = dem_at(&d, la0 + (la1 - la0) * t, lo0 + (lo1 - lo0) * t);
                double wa = 1, wb = 1, ba = 1, bb = 1;
                if (isfinite(z) && isfinite(z_prev)) {
                    double slope = (z - z_prev) / piece;
                    wa = street_elev_walk_factor(slope);
                    wb = street_elev_walk_factor(-slope);
                    ba = street_elev_bike_factor(slope);
                    bb = street_elev_bike_factor(-slope);
                } else {
                    any_outside = 1;
                }
                len += piece;
                walk_ab += piece * wa;
                walk_ba += piece * wb;
                bike_ab += piece * ba;
                bike_ba += piece * bb;
                z_prev = z;
            }
        }
        if (any_outside) outside++;
        uint16_t *o = &f[(size_t)s * 4];
        o[0] = fixed(len > 0 ? walk_ab / len : 1);
        o[1] = fixed(len > 0 ? walk_ba / len : 1);
        o[2] = fixed(len > 0 ? bike_ab / len : 1);
        o[3] = fixed(len > 0 ? bike_ba / len : 1);
    }
    free(d.z);
    if (covered_points == 0) {
        free(f);
        return error_set(err, TC_ERR_INVALID_ARGUMENT, dem_path, 0, 0,
                         "the elevation model covers none of the street network's points (no data there)");
    }
    if (outside)
        diag_report(diag, TC_SEV_WARNING, "elevation_outside", dem_path, 0, 0,
                    "%u of %u street segments reach outside the elevation model or onto no-data cells; those pieces "
                    "count as flat",
                    outside, ns);
    free(m->seg_elev);
    m->seg_elev = f;
    return TC_OK;
}
