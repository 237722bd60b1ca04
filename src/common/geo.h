/*
 * geo.h — distances on the sphere and fixed-point coordinates.
 *
 * Coordinates are stored as int32 in 1e-7 degrees (OSM's precision, ±214° fits). Distances are metres on a sphere
 * of radius 6,371,008.8 m (IUGG mean), which is within 0.5% of the ellipsoid: plenty for walking times.
 */
#ifndef TC_COMMON_GEO_H
#define TC_COMMON_GEO_H

#include <stdint.h>

#define TC_EARTH_RADIUS_M 6371008.8
#define TC_E7 10000000.0

static inline int32_t to_e7(double deg) { return (int32_t)(deg * TC_E7 + (deg < 0 ? -0.5 : 0.5)); }
static inline double from_e7(int32_t v) { return (double)v / TC_E7; }

/* Great-circle distance (haversine), metres. */
double haversine_m(double lat1, double lon1, double lat2, double lon2);

/* Fast local approximation (equirectangular), good to 0.1% under 50 km; handles the antimeridian. */
double fast_distance_m(double lat1, double lon1, double lat2, double lon2);

/* The same with the cosine of the latitude given by the caller: for one point against many nearby ones (a stop
 * against the grid cells around it), where a cos() per pair was measured at 22% of an isochrone. Good to 0.1%
 * within a few km; no antimeridian handling (callers stay within a city). */
static inline double local_distance_m(double lat1, double lon1, double lat2, double lon2, double cos_lat) {
    const double k = 3.14159265358979323846 / 180.0;
    double x = (lon2 - lon1) * k * cos_lat, y = (lat2 - lat1) * k;
    return TC_EARTH_RADIUS_M * __builtin_sqrt(x * x + y * y);
}

#endif
