/*
 * isochrone.c — contouring a surface into isochrone polygons (see isochrone.h).
 *
 * The contours are traced here by marching squares rather than by GDAL's contour generator, measured to be the
 * bottleneck: in `serve` it was half of an isochrone request's instructions (callgrind, Porto Alegre: 6.9 of 13.9 M;
 * 29% of the CPU under load), mostly allocation — a list node per vertex, a realloc per point added to an OGR ring,
 * copies into and out of an in-memory OGR layer — and a second band per level (the area above it) that was thrown
 * away; this tracer takes 0.5 M. The geometry is the one GDAL traced (checked against GDALContourGenerateEx,
 * POLYGONIZE=YES, on 300 random surfaces full of saddles and holes and on 64 Porto Alegre isochrones: the same rings,
 * vertex for vertex to the last bit of rounding):
 *  - cell values sit at cell centres; a vertex is where the level crosses the segment between two neighbouring
 *    centres, interpolated linearly (through the segment's midpoint first, as GDAL does, for the same rounding);
 *  - a square whose diagonal corners are on opposite sides (a saddle) is split the way GDAL splits it: the segments
 *    cut off its upper-right and lower-left corners;
 *  - the band is padded with unreachable cells, so every ring closes inside the raster and never meets its border.
 * Each crossing is left by exactly one segment, with the area below the level always on the same side, so the rings
 * come out consistently oriented: an outer boundary one way, a hole the other; a hole belongs to the smallest outer
 * ring around it (rings of one level never cross). The Web Mercator rings are unprojected point by point (exact
 * spherical formulas, raster.h) and written as GeoJSON text directly, re-oriented as RFC 7946 asks.
 */
#include "analysis/isochrone.h"
#include "analysis/gpkg_out.h"
#include "analysis/travel_times.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/geo.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double ring_area_m2(const double *lon, const double *lat, size_t n) {
    if (n > 1 && lon[0] == lon[n - 1] && lat[0] == lat[n - 1]) n--; /* closing point */
    if (n < 3) return 0.0;
    double sum = 0.0, rad = M_PI / 180.0;
    for (size_t i = 0; i < n; i++) {
        size_t prev = i ? i - 1 : n - 1, next = i + 1 < n ? i + 1 : 0;
        sum += (lon[next] - lon[prev]) * rad * sin(lat[i] * rad);
    }
    /* this sum is negative for counter-clockwise rings */
    return -sum * TC_EARTH_RADIUS_M * TC_EARTH_RADIUS_M / 2.0;
}

/* ---------------------------------------------------------------- text ----------------------------------------- */

typedef struct text_buf {
    char *s;
    size_t len, cap;
    int oom;
} text_buf;

/* Room for n more bytes; on failure sets oom and returns NULL (later writes are dropped). */
static char *text_room(text_buf *t, size_t n) {
    if (t->oom) return NULL;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1 << 16;
        while (t->len + n + 1 > cap) cap *= 2;
        char *s = realloc(t->s, cap);
        if (!s) {
            t->oom = 1;
            return NULL;
        }
        t->s = s;
        t->cap = cap;
    }
    return t->s + t->len;
}

static void text_put(text_buf *t, const char *s, size_t n) {
    char *b = text_room(t, n);
    if (!b) return;
    memcpy(b, s, n);
    t->len += n;
    t->s[t->len] = 0;
}

static void text_puts(text_buf *t, const char *s) { text_put(t, s, strlen(s)); }

/* Degrees with 6 decimals (0.1 m) through integer arithmetic: printf's float formatting was 15% of an isochrone. */
static char *put_degrees(char *b, double deg) {
    long long micro = llround(deg * 1e6);
    if (micro < 0) {
        *b++ = '-';
        micro = -micro;
    }
    char tmp[24];
    int n = 0;
    long long whole = micro / 1000000, frac = micro % 1000000;
    do tmp[n++] = (char)('0' + whole % 10); while ((whole /= 10) > 0);
    while (n) *b++ = tmp[--n];
    *b++ = '.';
    for (int i = 6; i > 0; i--) { /* last digit first: divisions by a constant, which compile to multiplications */
        b[i - 1] = (char)('0' + frac % 10);
        frac /= 10;
    }
    return b + 6;
}

/* ---------------------------------------------------------------- tracing -------------------------------------- */

#define NO_POINT UINT32_MAX

typedef struct ring {
    size_t first, n;       /* vertices first … first + n − 1, the last repeating the first */
    double pixel_area;     /* shoelace in pixel space (x right, y down): > 0 around the area below the level */
    double x0, y0, x1, y1; /* pixel-space bounding box */
    double area_m2;        /* on the sphere, unsigned */
    int parent;            /* holes: the outer ring they belong to (−1 for outer rings) */
} ring;

/* Scratch reused for every level of one collection. Crossing ids: the segment between cell (r, c) and its right
 * neighbour is r·w + c; between (r, c) and the cell below, w·h + r·w + c. */
typedef struct tracer {
    const float *band;
    size_t w, h;
    uint32_t *next;   /* crossing → the next crossing along its ring (this level's), NO_POINT once traced */
    uint32_t *starts; /* the crossings found at this level */
    size_t n_starts;
    double *x, *y; /* ring vertices: pixel space, then EPSG:3857, then lon/lat */
    size_t n_pts, cap_pts;
    ring *rings;
    size_t n_rings, cap_rings;
} tracer;

/* GDAL's interpolation: halve the segment at its midpoint (value: the mean), then interpolate linearly on the half
 * the level crosses. The same point as straight interpolation, up to rounding — and GDAL's rounding. */
static double interpolate(double level, double x1, double x2, double v1, double v2) {
    double xm = 0.5 * (x1 + x2), vm = 0.5 * (v1 + v2);
    if ((v1 < level && level < vm) || (v1 > level && level > vm)) {
        x2 = xm;
        v2 = vm;
    } else {
        x1 = xm;
        v1 = vm;
    }
    double ratio = (level - v1) / (v2 - v1);
    return x1 * (1.0 - ratio) + x2 * ratio;
}

/* The crossing's point in pixel space (cell (r, c) has its centre at c + 0.5, r + 0.5). */
static void crossing_point(const tracer *t, double level, uint32_t id, double *x, double *y) {
    size_t wh = t->w * t->h;
    if (id < wh) {
        size_t r = id / t->w, c = id % t->w;
        *x = interpolate(level, c + 0.5, c + 1.5, t->band[id], t->band[id + 1]);
        *y = r + 0.5;
    } else {
        size_t k = id - wh, r = k / t->w, c = k % t->w;
        /* from the lower cell to the upper one, as GDAL orders it */
        *y = interpolate(level, r + 1.5, r + 0.5, t->band[k + t->w], t->band[k]);
        *x = c + 0.5;
    }
}

static int add_point(tracer *t, double x, double y) {
    if (t->n_pts == t->cap_pts) {
        size_t cap = t->cap_pts ? 2 * t->cap_pts : 4096;
        double *nx = realloc(t->x, cap * sizeof *nx);
        if (!nx) return 0;
        t->x = nx;
        double *ny = realloc(t->y, cap * sizeof *ny);
        if (!ny) return 0;
        t->y = ny;
        t->cap_pts = cap;
    }
    t->x[t->n_pts] = x;
    t->y[t->n_pts] = y;
    t->n_pts++;
    return 1;
}

/* The squares (cell (r, c) and its right, lower and lower-right neighbours; index r·w + c) that some level crosses:
 * bit k of the mask says level k does. Found in one pass for all levels, so each level then visits only the few
 * squares on its contours instead of scanning the whole raster again. */
typedef struct mixed_square {
    uint32_t square, levels;
} mixed_square;

/* Bit k of mask_of[v] set when v minutes is below level k, for v up to max_value (above it, as for max_value: below
 * no level). The band holds whole minutes, so a table replaces the comparisons with every level. */
static void below_masks(const float *levels, size_t n_levels, int max_value, uint32_t *mask_of) {
    for (int v = 0; v <= max_value; v++) {
        uint32_t m = 0;
        for (size_t k = 0; k < n_levels; k++) m |= (uint32_t)((float)v < levels[k]) << k;
        mask_of[v] = m;
    }
}

/* The squares of band that some level crosses, into out (capacity (w − 1)·(h − 1)); *n_out of them. More than 32
 * levels: every square, for every level (bit UINT32_MAX). mask_of: below_masks' table; row_masks: 2·w scratch. */
static void find_mixed_squares(const float *band, size_t w, size_t h, const uint32_t *mask_of, int max_value,
                               size_t n_levels, uint32_t *row_masks, mixed_square *out, size_t *n_out) {
    uint32_t *up = row_masks, *down = row_masks + w;
    size_t n = 0;
    if (n_levels > 32) {
        for (size_t r = 0; r + 1 < h; r++)
            for (size_t c = 0; c + 1 < w; c++) out[n++] = (mixed_square){(uint32_t)(r * w + c), UINT32_MAX};
        *n_out = n;
        return;
    }
    const float top = (float)max_value;
    for (size_t c = 0; c < w; c++) up[c] = mask_of[(int)fminf(band[c], top)];
    for (size_t r = 0; r + 1 < h; r++) {
        const float *next_row = band + (r + 1) * w;
        for (size_t c = 0; c < w; c++) down[c] = mask_of[(int)fminf(next_row[c], top)];
        for (size_t c = 0; c + 1 < w; c++) {
            uint32_t any = up[c] | up[c + 1] | down[c] | down[c + 1];
            uint32_t every = up[c] & up[c + 1] & down[c] & down[c + 1];
            if (any != every) out[n++] = (mixed_square){(uint32_t)(r * w + c), any ^ every};
        }
        uint32_t *tmp = up;
        up = down;
        down = tmp;
    }
    *n_out = n;
}

/* Link the segments of the squares level crosses (bit: its bit in the masks). Corners are visited clockwise on
 * screen (upper-left, upper-right, lower-right, lower-left) with edge k from corner k to corner k + 1. A segment
 * leaves the crossing where the corners go from below the level to above it and ends where they come back below,
 * so the area below the level is always on the segment's right (on screen). */
static void link_segments(tracer *t, float level, uint32_t bit, const mixed_square *squares, size_t n_squares) {
    const size_t w = t->w, wh = w * t->h;
    const float *v = t->band;
    t->n_starts = 0;
    for (size_t i = 0; i < n_squares; i++) {
        if (!(squares[i].levels & bit)) continue;
        size_t sq = squares[i].square;
        const float *up = v + sq, *down = up + w;
        unsigned below = (unsigned)(up[0] < level) | (unsigned)(up[1] < level) << 1 | (unsigned)(down[1] < level) << 2 |
                         (unsigned)(down[0] < level) << 3;
        if (below == 0 || below == 15) continue;
        uint32_t edge[4] = {(uint32_t)sq, (uint32_t)(wh + sq + 1), (uint32_t)(sq + w), (uint32_t)(wh + sq)};
        if (below == 5 || below == 10) {
            /* saddle: GDAL always pairs the upper edge with the right one and the lower with the left */
            if (below == 5) { /* upper-left and lower-right below: leave by edges 0 and 2 */
                t->next[edge[0]] = edge[1];
                t->next[edge[2]] = edge[3];
                t->starts[t->n_starts++] = edge[0];
                t->starts[t->n_starts++] = edge[2];
            } else { /* upper-right and lower-left below: leave by edges 1 and 3 */
                t->next[edge[1]] = edge[0];
                t->next[edge[3]] = edge[2];
                t->starts[t->n_starts++] = edge[1];
                t->starts[t->n_starts++] = edge[3];
            }
            continue;
        }
        int leave = -1, enter = -1;
        for (int k = 0; k < 4; k++) {
            unsigned a = below >> k & 1, b = below >> ((k + 1) & 3) & 1;
            if (a && !b) leave = k;
            if (!a && b) enter = k;
        }
        t->next[edge[leave]] = edge[enter];
        t->starts[t->n_starts++] = edge[leave];
    }
}

static int point_in_ring(const tracer *t, const ring *rg, double px, double py) {
    int inside = 0;
    const double *x = t->x + rg->first, *y = t->y + rg->first;
    for (size_t i = 0, j = rg->n - 1; i < rg->n; j = i++)
        if ((y[i] > py) != (y[j] > py) && px < (x[j] - x[i]) * (py - y[i]) / (y[j] - y[i]) + x[i]) inside = !inside;
    return inside;
}

/* Trace every ring of one level into t->rings (pixel space) and give each hole its outer ring. 0 when out of
 * memory. */
static int trace_level(tracer *t, float level, uint32_t bit, const mixed_square *squares, size_t n_squares) {
    t->n_pts = 0;
    t->n_rings = 0;
    link_segments(t, level, bit, squares, n_squares);
    for (size_t s = 0; s < t->n_starts; s++) {
        uint32_t start = t->starts[s];
        if (t->next[start] == NO_POINT) continue; /* already on a ring */
        if (t->n_rings == t->cap_rings) {
            size_t cap = t->cap_rings ? 2 * t->cap_rings : 64;
            ring *nr = realloc(t->rings, cap * sizeof *nr);
            if (!nr) return 0;
            t->rings = nr;
            t->cap_rings = cap;
        }
        ring *rg = &t->rings[t->n_rings++];
        rg->first = t->n_pts;
        rg->parent = -1;
        uint32_t p = start;
        size_t guard = t->n_starts;
        do {
            double x, y;
            crossing_point(t, level, p, &x, &y);
            if (!add_point(t, x, y)) return 0;
            uint32_t q = t->next[p];
            t->next[p] = NO_POINT;
            p = q;
        } while (p != start && p != NO_POINT && guard-- > 0);
        if (!add_point(t, t->x[rg->first], t->y[rg->first])) return 0; /* closed as GeoJSON wants */
        rg->n = t->n_pts - rg->first;
        double a = 0.0, x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
        for (size_t i = rg->first; i + 1 < t->n_pts; i++) {
            a += t->x[i] * t->y[i + 1] - t->x[i + 1] * t->y[i];
            x0 = fmin(x0, t->x[i]), x1 = fmax(x1, t->x[i]);
            y0 = fmin(y0, t->y[i]), y1 = fmax(y1, t->y[i]);
        }
        rg->pixel_area = a / 2.0;
        rg->x0 = x0, rg->y0 = y0, rg->x1 = x1, rg->y1 = y1;
    }
    for (size_t h = 0; h < t->n_rings; h++) {
        ring *hole = &t->rings[h];
        if (hole->pixel_area > 0) continue;
        double px = t->x[hole->first], py = t->y[hole->first], best = INFINITY;
        for (size_t o = 0; o < t->n_rings; o++) {
            const ring *outer = &t->rings[o];
            /* the innermost outer ring around the hole: the smallest that is larger and contains its points */
            if (outer->pixel_area <= 0 || outer->pixel_area >= best || outer->pixel_area <= -hole->pixel_area ||
                px < outer->x0 || px > outer->x1 || py < outer->y0 || py > outer->y1 ||
                !point_in_ring(t, outer, px, py))
                continue;
            best = outer->pixel_area;
            hole->parent = (int)o;
        }
    }
    return 1;
}

/* Write one ring as a JSON array of lon/lat, counter-clockwise for an outer ring, clockwise for a hole. */
static void write_ring(text_buf *out, const tracer *t, const ring *rg, int exterior, double signed_area) {
    int reverse = exterior ? signed_area < 0 : signed_area > 0;
    char *b = text_room(out, rg->n * 26 + 2);
    if (!b) return;
    char *start = b;
    *b++ = '[';
    for (size_t k = 0; k < rg->n; k++) {
        size_t i = rg->first + (reverse ? rg->n - 1 - k : k);
        if (k) *b++ = ',';
        *b++ = '[';
        b = put_degrees(b, t->x[i]);
        *b++ = ',';
        b = put_degrees(b, t->y[i]);
        *b++ = ']';
    }
    *b++ = ']';
    out->len += (size_t)(b - start);
    out->s[out->len] = 0;
}

/* Trace one percentile band (t->band; squares: its mixed squares) at one cutoff (bit: its bit in their masks) and
 * write its feature. gt: the band's geotransform. */
static int contour_feature(text_buf *out, tracer *t, const double gt[6], int cutoff, uint32_t bit,
                           const mixed_square *squares, size_t n_squares, int percentile, int first_feature) {
    /* Minutes are truncated (R5's convention, so t < cutoff ⇔ minutes ≤ cutoff − 1): the boundary lies between
     * cells of cutoff − 1 and cutoff minutes, i.e. at level cutoff − 0.5, where the true time is ≈ cutoff. This
     * also keeps the level off the integer cell values, so no crossing falls exactly on a cell centre. */
    float level = (float)cutoff - 0.5f;
    if (!trace_level(t, level, bit, squares, n_squares)) return 0;
    for (size_t i = 0; i < t->n_pts; i++) {
        double mx = gt[0] + t->x[i] * gt[1], my = gt[3] + t->y[i] * gt[5];
        lonlat_from_mercator(mx, my, &t->x[i], &t->y[i]);
    }
    double area = 0.0;
    for (size_t r = 0; r < t->n_rings; r++) {
        ring *rg = &t->rings[r];
        if (rg->pixel_area < 0 && rg->parent < 0) continue; /* cannot happen: the padding is above every level */
        rg->area_m2 = ring_area_m2(t->x + rg->first, t->y + rg->first, rg->n);
        area += rg->pixel_area > 0 ? fabs(rg->area_m2) : -fabs(rg->area_m2);
    }
    char head[160];
    int n = snprintf(head, sizeof head,
                     "%s\n{\"type\":\"Feature\",\"properties\":{\"cutoff_min\":%d,\"percentile\":%d,\"area_km2\":%.6f},"
                     "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[",
                     first_feature ? "" : ",", cutoff, percentile, area > 0 ? area / 1e6 : 0.0);
    text_put(out, head, (size_t)n);
    int first_polygon = 1;
    for (size_t o = 0; o < t->n_rings; o++) {
        const ring *outer = &t->rings[o];
        if (outer->pixel_area <= 0) continue;
        text_puts(out, first_polygon ? "[" : ",[");
        first_polygon = 0;
        write_ring(out, t, outer, 1, outer->area_m2);
        for (size_t h = 0; h < t->n_rings; h++)
            if (t->rings[h].parent == (int)o) {
                text_put(out, ",", 1);
                write_ring(out, t, &t->rings[h], 0, t->rings[h].area_m2);
            }
        text_put(out, "]", 1);
    }
    text_puts(out, "]}}");
    return !out->oom;
}

static tc_status write_collection(text_buf *out, const tc_grid *grid, const uint16_t *pm, const int *percentiles,
                                  size_t n_percentiles, const int *cutoffs, size_t n_cutoffs, tc_error *err) {
    if (n_cutoffs < 1 || n_percentiles < 1)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "need at least one cutoff and one percentile");
    int max_cutoff = 0;
    for (size_t c = 0; c < n_cutoffs; c++) {
        if (cutoffs[c] < 1 || cutoffs[c] > 1440)
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "cutoff %d is not 1-1440 minutes", cutoffs[c]);
        if (cutoffs[c] > max_cutoff) max_cutoff = cutoffs[c];
    }
    /* Crop to the cells inside the largest isochrone plus one cell of real values around them (they carry the
     * interpolation at the edge); everything beyond is above every level, so the polygons are unchanged and the
     * tracer scans a smaller raster. */
    size_t r0 = SIZE_MAX, r1 = 0, c0 = SIZE_MAX, c1 = 0;
    const size_t row_len = (size_t)grid->width * n_percentiles;
    for (size_t r = 0; r < grid->height; r++) {
        /* the first and last value in the row under the largest cutoff (any percentile) */
        const uint16_t *row = pm + r * row_len;
        size_t first = 0, last = row_len;
        while (first < row_len && row[first] >= max_cutoff) first++;
        if (first == row_len) continue;
        while (row[last - 1] >= max_cutoff) last--;
        if (r0 == SIZE_MAX) r0 = r;
        r1 = r;
        if (first / n_percentiles < c0) c0 = first / n_percentiles;
        if ((last - 1) / n_percentiles > c1) c1 = (last - 1) / n_percentiles;
    }
    if (r0 == SIZE_MAX) r0 = r1 = c0 = c1 = 0; /* nothing reachable: one cell, all levels empty */
    if (r0 > 0) r0--;
    if (c0 > 0) c0--;
    if (r1 + 1 < grid->height) r1++;
    if (c1 + 1 < grid->width) c1++;
    size_t w = c1 - c0 + 1 + 2, h = r1 - r0 + 1 + 2;
    if (2 * w * h >= NO_POINT) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "isochrone grid too large");
    tc_status st = TC_OK;
    tracer t = {.w = w, .h = h};
    const size_t n_squares = (w - 1) * (h - 1);
    float *cells = malloc(n_percentiles * w * h * sizeof *cells);
    float *levels = malloc(n_cutoffs * sizeof *levels);
    mixed_square *mixed = malloc(n_percentiles * n_squares * sizeof *mixed);
    size_t *n_mixed = malloc(n_percentiles * sizeof *n_mixed);
    uint32_t *row_masks = malloc(2 * w * sizeof *row_masks);
    uint32_t *mask_of = malloc(((size_t)max_cutoff + 2) * sizeof *mask_of);
    t.next = malloc(2 * w * h * sizeof *t.next);
    t.starts = malloc(2 * w * h * sizeof *t.starts);
    if (!cells || !levels || !mixed || !n_mixed || !row_masks || !mask_of || !t.next || !t.starts) {
        st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < 2 * w * h; i++) t.next[i] = NO_POINT;
    float far = (float)max_cutoff + 1.0f;
    for (size_t p = 0; p < n_percentiles; p++) {
        float *band = cells + p * w * h;
        for (size_t i = 0; i < w * h; i++) band[i] = far;
        for (size_t r = r0; r <= r1; r++)
            for (size_t c = c0; c <= c1; c++) {
                uint16_t v = pm[(r * grid->width + c) * n_percentiles + p];
                band[(r - r0 + 1) * w + (c - c0) + 1] = v == TC_UNREACHED_MIN ? far : (float)v;
            }
    }
    for (size_t k = 0; k < n_cutoffs; k++) levels[k] = (float)cutoffs[k] - 0.5f;
    if (n_cutoffs <= 32) below_masks(levels, n_cutoffs, max_cutoff + 1, mask_of);
    for (size_t p = 0; p < n_percentiles; p++)
        find_mixed_squares(cells + p * w * h, w, h, mask_of, max_cutoff + 1, n_cutoffs, row_masks,
                           mixed + p * n_squares, &n_mixed[p]);
    double gt[6];
    grid_geotransform(grid, gt);
    gt[0] += ((double)c0 - 1) * grid->cell; /* the crop, less the padding cell */
    gt[3] -= ((double)r0 - 1) * grid->cell;
    text_puts(out, "{\"type\":\"FeatureCollection\",\"features\":[");
    int first_feature = 1;
    for (size_t c = 0; c < n_cutoffs && !st; c++)
        for (size_t p = 0; p < n_percentiles && !st; p++) {
            t.band = cells + p * w * h;
            uint32_t bit = c < 32 ? UINT32_C(1) << c : UINT32_MAX;
            if (!contour_feature(out, &t, gt, cutoffs[c], bit, mixed + p * n_squares, n_mixed[p], percentiles[p],
                                 first_feature))
                st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
            first_feature = 0;
        }
    text_puts(out, "\n]}\n");
    if (!st && out->oom) st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
done:
    free(cells);
    free(levels);
    free(mixed);
    free(n_mixed);
    free(row_masks);
    free(mask_of);
    free(t.next);
    free(t.starts);
    free(t.x);
    free(t.y);
    free(t.rings);
    return st;
}

tc_status isochrones_geojson(const tc_grid *grid, const uint16_t *pm, const int *percentiles, size_t n_percentiles,
                             const int *cutoffs, size_t n_cutoffs, char **geojson_out, tc_error *err) {
    text_buf out = {0};
    tc_status st = write_collection(&out, grid, pm, percentiles, n_percentiles, cutoffs, n_cutoffs, err);
    if (st) {
        free(out.s);
        return st;
    }
    *geojson_out = out.s;
    return TC_OK;
}

tc_status tc_isochrones_write(const char *path, const tc_grid *grid, const uint16_t *pm, const int *percentiles,
                              size_t n_percentiles, const int *cutoffs, size_t n_cutoffs, tc_error *err) {
    char *text = NULL;
    tc_status st = isochrones_geojson(grid, pm, percentiles, n_percentiles, cutoffs, n_cutoffs, &text, err);
    if (st) return st;
    if (tc_gpkg_path(path)) st = isochrones_gpkg(path, text, err); /* a GeoPackage when asked for by name */
    else st = atomic_file_write_all(path, text, strlen(text), err);
    free(text);
    if (st && err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", path);
    return st;
}
