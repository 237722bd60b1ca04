/*
 * interpolate.c — blank stop times between timepoints, filled as OTP and R5 do.
 *
 * GTFS lets a trip give times only at timepoints; the stops between get times in proportion to the distance
 * travelled: shape_dist_traveled when the run's stops all have it (the agency's own measure along the path), else
 * the straight-line distance between consecutive stops (R5's fallback). Equal distances (stops at one place) share
 * the time evenly by count. Interpolated times are rounded to whole seconds and marked timepoint 0.
 */
#include "gtfs/gtfs_internal.h"
#include "common/geo.h"
#include "common/timeutil.h"

#include <math.h>

int gtfs_interpolate_trip(gtfs_stop_time *st, size_t n, const gtfs_stop *stops) {
    if (n == 0) return 0;
    /* one of arrival/departure given: the other is the same (a stop with no dwell) */
    for (size_t i = 0; i < n; i++) {
        if (st[i].arrival == TC_TIME_NONE) st[i].arrival = st[i].departure;
        else if (st[i].departure == TC_TIME_NONE) st[i].departure = st[i].arrival;
    }
    if (st[0].arrival == TC_TIME_NONE || st[n - 1].arrival == TC_TIME_NONE) return -1;
    size_t prev = 0;
    for (size_t i = 1; i < n; i++) {
        if (st[i].arrival == TC_TIME_NONE) continue;
        if (i > prev + 1) {
            /* stops prev+1 … i-1 are blank: measure the run */
            int by_shape = 1;
            for (size_t k = prev; k <= i; k++)
                if (isnan(st[k].shape_dist_traveled)) by_shape = 0;
            if (by_shape && !(st[i].shape_dist_traveled > st[prev].shape_dist_traveled)) by_shape = 0;
            /* distances are summed on the fly: no buffer, whatever the run's length */
            double total = 0;
            if (by_shape) {
                total = (double)st[i].shape_dist_traveled - (double)st[prev].shape_dist_traveled;
            } else {
                for (size_t k = prev + 1; k <= i; k++) {
                    const gtfs_stop *a = &stops[st[k - 1].stop], *b = &stops[st[k].stop];
                    total += haversine_m(a->lat, a->lon, b->lat, b->lon);
                }
            }
            double t0 = st[prev].departure, t1 = st[i].arrival, run = 0;
            for (size_t k = prev + 1; k < i; k++) {
                double frac;
                if (by_shape) {
                    frac = ((double)st[k].shape_dist_traveled - (double)st[prev].shape_dist_traveled) / total;
                } else {
                    const gtfs_stop *a = &stops[st[k - 1].stop], *b = &stops[st[k].stop];
                    run += haversine_m(a->lat, a->lon, b->lat, b->lon);
                    frac = total > 0 ? run / total : 0;
                }
                if (!(total > 0)) frac = (double)(k - prev) / (double)(i - prev);
                if (frac < 0) frac = 0;
                if (frac > 1) frac = 1;
                int32_t t = (int32_t)lround(t0 + (t1 - t0) * frac);
                st[k].arrival = st[k].departure = t;
                st[k].timepoint = 0;
            }
        }
        prev = i;
    }
    return 0;
}
