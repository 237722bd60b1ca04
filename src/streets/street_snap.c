/*
 * street_snap.c — a point → the nearest street segment usable by a mode (orthogonal projection onto the segment's
 * polyline).
 *
 * Spatial index: the packed uniform grid stored in the network file (cell → segment ids, CSR; built in
 * street_build.c). Why a grid and not GEOS's STRtree: the grid is two flat arrays that are used in place after
 * mmap, so opening a network costs nothing, while an STRtree lives on the heap and must be rebuilt (and its
 * geometries allocated) every time a network is opened — in every server worker and MPI rank. Streets are spread
 * evenly enough at city scale (cells of ~200 m hold a few dozen segments) that a ring search over the grid touches
 * a handful of cells for a typical query; see bench/street_bench.c for the measured snap time.
 *
 * Which segment a point links to: the nearest one usable by the mode among the linkable ones — not a way in a
 * tunnel, under a roof (covered=yes) or a motorway (STREET_EDGE_UNLINKABLE, from the OSM tags: osm_rules.c). A
 * place inside a large block, such as a shopping centre above its underground driveways, is otherwise linked to a
 * tunnel 2 m below it that the public streets reach only the long way round, where a traveller walks out to the
 * street at its door (R5 leaves the same ways out of its linking). Only when no linkable segment lies within the
 * radius is the nearest of the others taken, so a point is never left unlinked because of this. The largest
 * connected component per mode is all the graph keeps (street_build.c), so a point cannot land on an island.
 */
#include "streets/street_search.h"
#include "common/error.h"
#include "common/geo.h"

#include <math.h>

const char *street_mode_name(tc_mode mode) {
    return mode == TC_MODE_TRUCK ? "truck" : mode == TC_MODE_CAR ? "car" : mode == TC_MODE_BIKE ? "bike" : "walk";
}

#define DEG_M (TC_EARTH_RADIUS_M * M_PI / 180.0)

static double wrap_dlon(double d) {
    while (d > 180.0) d -= 360.0;
    while (d < -180.0) d += 360.0;
    return d;
}

/* Project (lat, lon) onto segment s; returns the distance in metres and fills offset and projection. */
static double project_on_seg(const street_graph *g, uint32_t s, double lat, double lon, double kx, int full,
                             uint32_t *offset_mm, double *plat, double *plon) {
    const street_seg *sg = &g->segs[s];
    uint32_t p0 = sg->geom_begin, p1 = g->segs[s + 1].geom_begin;
    double ky = DEG_M;
    double best = INFINITY, along = 0, best_along = 0;
    for (uint32_t p = p0; p + 1 < p1; p++) {
        double alat = from_e7(g->geom[2 * p]), alon = from_e7(g->geom[2 * p + 1]);
        double blat = from_e7(g->geom[2 * p + 2]), blon = from_e7(g->geom[2 * p + 3]);
        double ax = wrap_dlon(alon - lon) * kx, ay = (alat - lat) * ky;
        double bx = wrap_dlon(blon - lon) * kx, by = (blat - lat) * ky;
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0;
        if (t < 0) t = 0;
        if (t > 1) t = 1;
        double px = ax + t * dx, py = ay + t * dy;
        double d = sqrt(px * px + py * py);
        /* the piece length in the metric the builder used for length_mm, so offsets add up to the arc length;
         * only needed once the nearest segment is known (full), which keeps the candidate scan cheap */
        double piece = full ? fast_distance_m(alat, alon, blat, blon) : 0;
        if (d < best) {
            best = d;
            best_along = along + t * piece;
            *plat = alat + t * (blat - alat);
            *plon = alon + t * wrap_dlon(blon - alon);
            if (*plon > 180) *plon -= 360;
            if (*plon < -180) *plon += 360;
        }
        along += piece;
    }
    double mm = best_along * 1000.0;
    if (mm > sg->length_mm) mm = sg->length_mm;
    if (mm < 0) mm = 0;
    *offset_mm = (uint32_t)(mm + 0.5);
    return best;
}

tc_status street_snap_point(const street_graph *g, tc_mode mode, double lat, double lon, double radius_m,
                            street_snap *out, tc_error *err) {
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "point %.7f,%.7f is not a valid coordinate", lat,
                         lon);
    if (g->n_segs == 0 || !g->meta)
        return error_set(err, TC_ERR_UNREACHABLE, NULL, 0, 0,
                       "point %.7f,%.7f: the network has no street network to snap to", lat, lon);
    const street_meta *m = g->meta;
    unsigned bit = street_mode_bit(mode);
    double qlon = (m->lon_wrap && lon < 0) ? lon + 360.0 : lon;
    double fx = (qlon * TC_E7 - m->grid_lon0_e7) / m->cell_lon_e7;
    double fy = (lat * TC_E7 - m->grid_lat0_e7) / m->cell_lat_e7;
    long cx = (long)floor(fx), cy = (long)floor(fy);
    double cell_m = fmin(m->cell_lat_e7 / TC_E7 * DEG_M, m->cell_lon_e7 / TC_E7 * DEG_M * cos(lat * M_PI / 180.0));
    if (cell_m < 1) cell_m = 1;
    long nx = m->grid_nx, ny = m->grid_ny;
    /* how far outside the grid the point lies, in cells: rings start to hit the grid only after that */
    long outside = 0;
    if (cx < 0) outside = -cx;
    else if (cx >= nx) outside = cx - nx + 1;
    if (cy < 0 && -cy > outside) outside = -cy;
    else if (cy >= ny && cy - ny + 1 > outside) outside = cy - ny + 1;
    if ((double)(outside - 1) * cell_m > radius_m)
        return error_set(err, TC_ERR_UNREACHABLE, NULL, 0, 0,
                       "point %.7f,%.7f lies outside the street network (no street usable by %s within %.0f m)", lat,
                       lon, street_mode_name(mode), radius_m);
    long max_ring = (long)(radius_m / cell_m) + 2 + outside;
    long grid_span = (nx > ny ? nx : ny) + outside + 1;
    if (max_ring > grid_span) max_ring = grid_span;
    double best = INFINITY;
    street_snap bs = {0};
    double kx = cos(lat * M_PI / 180.0) * DEG_M;
    for (int pass = 0; pass < 2 && !(best <= radius_m); pass++) /* linkable segments first, then any */
    for (long r = 0; r <= max_ring; r++) {
        for (long y = cy - r; y <= cy + r; y++) {
            if (y < 0 || y >= ny) continue;
            long step = (y == cy - r || y == cy + r) ? 1 : 2 * r;
            for (long x = cx - r; x <= cx + r; x += step ? step : 1) {
                if (x < 0 || x >= nx) continue;
                uint32_t c = (uint32_t)(y * nx + x);
                for (uint32_t i = g->grid_begin[c]; i < g->grid_begin[c + 1]; i++) {
                    uint32_t s = g->grid_items[i];
                    const street_seg *sg = &g->segs[s];
                    if (!((g->edges[sg->arc_ab].access | g->edges[sg->arc_ba].access) & bit)) continue;
                    if (pass == 0 && (g->edges[sg->arc_ab].flags & STREET_EDGE_UNLINKABLE)) continue;
                    uint32_t off;
                    double plat = 0, plon = 0;
                    double d = project_on_seg(g, s, lat, lon, kx, 0, &off, &plat, &plon);
                    if (d < best || (d == best && s < bs.seg)) {
                        best = d;
                        bs.seg = s;
                    }
                }
                if (r == 0) break;
            }
        }
        /* every cell of ring r+1 lies at least (r − outside) cells away from the point */
        if (best <= (double)(r - outside) * cell_m) break;
    }
    if (!(best <= radius_m)) {
        if (best < INFINITY)
            return error_set(err, TC_ERR_UNREACHABLE, NULL, 0, 0,
                             "point %.7f,%.7f is %.0f m from the nearest street usable by %s (limit %.0f m)", lat, lon,
                             best, street_mode_name(mode), radius_m);
        return error_set(err, TC_ERR_UNREACHABLE, NULL, 0, 0,
                       "point %.7f,%.7f: no street usable by %s within %.0f m", lat, lon, street_mode_name(mode),
                       radius_m);
    }
    bs.dist_m = project_on_seg(g, bs.seg, lat, lon, kx, 1, &bs.offset_mm, &bs.lat, &bs.lon);
    *out = bs;
    return TC_OK;
}
