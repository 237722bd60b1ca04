/*
 * pattern_shapes.c — patterns' paths from shapes.txt (see pattern_shapes.h). Shapes are looked up by id through
 * a per-feed sorted index; a shape used by several patterns is stored once. A stop's point starts the shape
 * segment nearest to the stop (equirectangular projection), searched from the previous stop's segment on and only
 * up to where the shape, having passed within 150 m of the stop, is 1 km away again: so a stop is matched to the
 * first pass of a route that later comes back by it, and never to an earlier segment than the stop before.
 */
#include "network/pattern_shapes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct shape_key {
    const char *id;
    uint32_t index;
} shape_key;

static int key_cmp(const void *a, const void *b) {
    return strcmp(((const shape_key *)a)->id, ((const shape_key *)b)->id);
}

void pattern_shapes_free(pattern_shapes *s) {
    free(s->points);
    free(s->pattern_shape);
    free(s->stop_point);
    memset(s, 0, sizeof *s);
}

tc_status pattern_shapes_build(const gtfs_feed *const *feeds, size_t n_feeds, const net_pattern *patterns,
                               uint32_t n_patterns, const uint64_t *first_trip, const uint32_t *pattern_stops,
                               const net_stop *stops, pattern_shapes *out, tc_error *err) {
    memset(out, 0, sizeof *out);
    size_t n_ps = 0;
    for (uint32_t p = 0; p < n_patterns; p++) n_ps += patterns[p].n_stops;
    shape_key **index = calloc(n_feeds + 1, sizeof *index);
    uint32_t **stored = calloc(n_feeds + 1, sizeof *stored); /* per feed and shape: first point + 1, 0 = not yet */
    out->pattern_shape = calloc((size_t)n_patterns * 2 + 1, sizeof *out->pattern_shape);
    out->stop_point = calloc(n_ps + 1, sizeof *out->stop_point);
    size_t cap = 0;
    tc_status st = TC_OK;
    if (!index || !stored || !out->pattern_shape || !out->stop_point) goto oom;
    for (size_t f = 0; f < n_feeds; f++) {
        index[f] = malloc((feeds[f]->n_shapes + 1) * sizeof **index);
        stored[f] = calloc(feeds[f]->n_shapes + 1, sizeof **stored);
        if (!index[f] || !stored[f]) goto oom;
        for (size_t k = 0; k < feeds[f]->n_shapes; k++) index[f][k] = (shape_key){feeds[f]->shapes[k].id, (uint32_t)k};
        qsort(index[f], feeds[f]->n_shapes, sizeof **index, key_cmp);
    }
    for (uint32_t p = 0; p < n_patterns; p++) {
        uint32_t f = (uint32_t)(first_trip[p] >> 32), t = (uint32_t)first_trip[p];
        if (f >= n_feeds || t >= feeds[f]->n_trips) continue;
        const gtfs_feed *fd = feeds[f];
        const char *sid = fd->trips[t].shape_id;
        if (!sid || !*sid || !fd->n_shapes) continue;
        shape_key probe = {sid, 0};
        const shape_key *hit = bsearch(&probe, index[f], fd->n_shapes, sizeof *index[f], key_cmp);
        if (!hit) continue;
        const gtfs_shape *sh = &fd->shapes[hit->index];
        if (sh->pt_count < 2) continue;
        if (!stored[f][hit->index]) {
            if (out->n_points + (size_t)sh->pt_count > UINT32_MAX / 2) continue; /* absurdly many points: skip */
            if (out->n_points + sh->pt_count > cap) {
                size_t nc = (out->n_points + sh->pt_count) * 2;
                int32_t *np = realloc(out->points, nc * 2 * sizeof *np);
                if (!np) goto oom;
                out->points = np;
                cap = nc;
            }
            for (uint32_t k = 0; k < sh->pt_count; k++) {
                const gtfs_shape_point *sp = &fd->shape_points[sh->pt_begin + k];
                out->points[2 * ((size_t)out->n_points + k)] = (int32_t)lround(sp->lat * 1e7);
                out->points[2 * ((size_t)out->n_points + k) + 1] = (int32_t)lround(sp->lon * 1e7);
            }
            stored[f][hit->index] = out->n_points + 1;
            out->n_points += sh->pt_count;
        }
        const uint32_t first = stored[f][hit->index] - 1, count = sh->pt_count;
        out->pattern_shape[2 * (size_t)p] = first;
        out->pattern_shape[2 * (size_t)p + 1] = count;
        const int32_t *pts = out->points + 2 * (size_t)first;
        uint32_t from = 0;
        for (uint32_t q = 0; q < patterns[p].n_stops; q++) {
            const net_stop *s = &stops[pattern_stops[patterns[p].stops_begin + q]];
            const double kx = cos((double)s->lat_e7 * 1e-7 * M_PI / 180.0);
            const double near2 = 150.0 * 150.0 / (0.0111320 * 0.0111320), /* (150 m)², (1e-7 degree)² units */
                passed2 = 1000.0 * 1000.0 / (0.0111320 * 0.0111320);
            double best = INFINITY;
            uint32_t at = from;
            for (uint32_t k = from; k + 1 < count; k++) { /* the segment k → k+1 nearest to the stop */
                double ax = (double)(pts[2 * k + 1] - s->lon_e7) * kx, ay = (double)(pts[2 * k] - s->lat_e7);
                double bx = (double)(pts[2 * k + 3] - s->lon_e7) * kx, by = (double)(pts[2 * k + 2] - s->lat_e7);
                double ex = bx - ax, ey = by - ay, len2 = ex * ex + ey * ey;
                double u = len2 > 0 ? -(ax * ex + ay * ey) / len2 : 0;
                u = u < 0 ? 0 : u > 1 ? 1 : u;
                double px = ax + u * ex, py = ay + u * ey, d = px * px + py * py;
                if (d < best) best = d, at = k;
                /* the first pass near the stop: once it was within 150 m and the shape is 1 km away, stop looking
                 * (a route that comes back by the same stop later must not be matched to its later pass) */
                if (best <= near2 && d >= passed2) break;
            }
            out->stop_point[patterns[p].stops_begin + q] = at;
            from = at;
        }
    }
    goto done;
oom:
    st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (shapes)");
    pattern_shapes_free(out);
done:
    for (size_t f = 0; index && f < n_feeds; f++) free(index[f]);
    for (size_t f = 0; stored && f < n_feeds; f++) free(stored[f]);
    free(index);
    free(stored);
    return st;
}
