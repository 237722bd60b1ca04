/* geo.c — spherical distances (see geo.h). */
#include "geo.h"

#include <math.h>

#define DEG2RAD (3.14159265358979323846 / 180.0)

double haversine_m(double lat1, double lon1, double lat2, double lon2) {
    double p1 = lat1 * DEG2RAD, p2 = lat2 * DEG2RAD;
    double dp = p2 - p1, dl = (lon2 - lon1) * DEG2RAD;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    if (a > 1) a = 1;
    return 2 * TC_EARTH_RADIUS_M * asin(sqrt(a));
}

double fast_distance_m(double lat1, double lon1, double lat2, double lon2) {
    double dl = lon2 - lon1;
    if (dl > 180) dl -= 360;
    if (dl < -180) dl += 360;
    double x = dl * DEG2RAD * cos((lat1 + lat2) * 0.5 * DEG2RAD);
    double y = (lat2 - lat1) * DEG2RAD;
    return TC_EARTH_RADIUS_M * sqrt(x * x + y * y);
}
