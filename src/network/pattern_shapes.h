/*
 * pattern_shapes.h — each pattern's path from GTFS shapes.txt, for drawing lines and journey legs (not for
 * routing). A pattern takes the shape of its first trip; patterns sharing a shape share its points. For every
 * pattern stop, the index of the point starting the shape segment nearest to the stop, never going back along the
 * shape, so a leg from stop a to stop b is: a, points[i_a + 1 … i_b], b.
 */
#ifndef TC_NETWORK_PATTERN_SHAPES_H
#define TC_NETWORK_PATTERN_SHAPES_H

#include "gtfs/feed.h"
#include "network/network.h"
#include "common/error.h"

typedef struct pattern_shapes {
    int32_t *points;          /* n_points × {lat_e7, lon_e7} */
    uint32_t n_points;
    uint32_t *pattern_shape;  /* n_patterns × {first point, count}; count 0: the pattern's trip has no shape */
    uint32_t *stop_point;     /* n_pattern_stops: the stop's segment (its first point) within its pattern's shape */
} pattern_shapes;

/* first_trip[p] = (feed index << 32) | trip index in that feed, of pattern p's first trip. */
tc_status pattern_shapes_build(const gtfs_feed *const *feeds, size_t n_feeds, const net_pattern *patterns,
                               uint32_t n_patterns, const uint64_t *first_trip, const uint32_t *pattern_stops,
                               const net_stop *stops, pattern_shapes *out, tc_error *err);
void pattern_shapes_free(pattern_shapes *s);

#endif
