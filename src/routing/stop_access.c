/*
 * stop_access.c — access and egress between a point and the network's stops (see stop_access.h).
 *
 * With a street network: snap the point to the nearest street usable by the mode, run one street search bounded by
 * the time budget, and read the stops linked to every reached node (a node → stops CSR built once per workspace
 * from the network's stop links). Without one: straight-line distance × the network's detour factor at the given
 * speed, as R5 and OTP do, over a packed grid of stops built once per workspace (O(stops)), so a query scans only
 * the cells within its radius instead of every stop.
 * For the car, speed_mps applies to the stop-link stretch and to the no-street fallback; on streets the car uses
 * each street's speed.
 */
#include "routing/stop_access.h"
#include "common/error.h"
#include "common/geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SG_CELL_DEG 0.005 /* ~550 m: a 20-minute walk radius covers a few cells */

static double sg_lon(const street_workspace *ws, double lon) { return (ws->sg_wrap && lon < 0) ? lon + 360 : lon; }

static tc_status build_stop_grid(street_workspace *ws, const network_view *net, tc_error *err) {
    uint32_t n = net->n_stops;
    if (!n) return TC_OK;
    double min_lat = 90, max_lat = -90, min_lon = 180, max_lon = -180;
    for (uint32_t i = 0; i < n; i++) {
        double la = from_e7(net->stops[i].lat_e7), lo = from_e7(net->stops[i].lon_e7);
        if (la < min_lat) min_lat = la;
        if (la > max_lat) max_lat = la;
        if (lo < min_lon) min_lon = lo;
        if (lo > max_lon) max_lon = lo;
    }
    ws->sg_wrap = max_lon - min_lon > 180; /* stops on both sides of the antimeridian */
    if (ws->sg_wrap) {
        min_lon = 540;
        max_lon = -540;
        for (uint32_t i = 0; i < n; i++) {
            double lo = sg_lon(ws, from_e7(net->stops[i].lon_e7));
            if (lo < min_lon) min_lon = lo;
            if (lo > max_lon) max_lon = lo;
        }
    }
    double c = cos((min_lat + max_lat) / 2 * M_PI / 180);
    if (c < 0.05) c = 0.05;
    double cell_lat = SG_CELL_DEG, cell_lon = SG_CELL_DEG / c;
    for (;;) {
        double nx = floor((max_lon - min_lon) / cell_lon) + 1, ny = floor((max_lat - min_lat) / cell_lat) + 1;
        if (nx * ny <= 4.0 * n + 1024) {
            ws->sg_nx = (uint32_t)nx;
            ws->sg_ny = (uint32_t)ny;
            break;
        }
        cell_lat *= 2;
        cell_lon *= 2;
    }
    ws->sg_lat0 = min_lat;
    ws->sg_lon0 = min_lon; /* may exceed 180° when wrapped */
    ws->sg_cell_lat = cell_lat;
    ws->sg_cell_lon = cell_lon;
    size_t ncell = (size_t)ws->sg_nx * ws->sg_ny;
    ws->sg_begin = calloc(ncell + 1, sizeof *ws->sg_begin);
    ws->sg_items = malloc((size_t)n * sizeof *ws->sg_items);
    uint32_t *cell_of = malloc((size_t)n * sizeof *cell_of);
    if (!ws->sg_begin || !ws->sg_items || !cell_of) {
        free(cell_of);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for the stop index");
    }
    for (uint32_t i = 0; i < n; i++) {
        double lo = sg_lon(ws, from_e7(net->stops[i].lon_e7));
        long x = (long)floor((lo - ws->sg_lon0) / ws->sg_cell_lon);
        long y = (long)floor((from_e7(net->stops[i].lat_e7) - ws->sg_lat0) / ws->sg_cell_lat);
        if (x < 0) x = 0;
        if (x >= (long)ws->sg_nx) x = ws->sg_nx - 1;
        if (y < 0) y = 0;
        if (y >= (long)ws->sg_ny) y = ws->sg_ny - 1;
        cell_of[i] = (uint32_t)(y * ws->sg_nx + x);
        ws->sg_begin[cell_of[i] + 1]++;
    }
    for (size_t k = 0; k < ncell; k++) ws->sg_begin[k + 1] += ws->sg_begin[k];
    uint32_t *fill = malloc(ncell * sizeof *fill + 1);
    if (!fill) {
        free(cell_of);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for the stop index");
    }
    memcpy(fill, ws->sg_begin, ncell * sizeof *fill);
    for (uint32_t i = 0; i < n; i++) ws->sg_items[fill[cell_of[i]]++] = i;
    free(fill);
    free(cell_of);
    return TC_OK;
}

static tc_status build_node_stops(street_workspace *ws, const network_view *net, tc_error *err) {
    uint32_t nn = net->streets.n_nodes, n = net->n_stops;
    ws->node_stop_begin = calloc((size_t)nn + 1, sizeof *ws->node_stop_begin);
    ws->node_stops = malloc(((size_t)n + 1) * sizeof *ws->node_stops);
    if (!ws->node_stop_begin || !ws->node_stops)
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for the stop links");
    for (uint32_t i = 0; i < n; i++)
        if (net->stop_street_link[i] < nn) ws->node_stop_begin[net->stop_street_link[i] + 1]++;
    for (uint32_t v = 0; v < nn; v++) ws->node_stop_begin[v + 1] += ws->node_stop_begin[v];
    uint32_t *fill = malloc(((size_t)nn + 1) * sizeof *fill);
    if (!fill) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for the stop links");
    memcpy(fill, ws->node_stop_begin, (size_t)nn * sizeof *fill);
    for (uint32_t i = 0; i < n; i++)
        if (net->stop_street_link[i] < nn) ws->node_stops[fill[net->stop_street_link[i]]++] = i;
    free(fill);
    return TC_OK;
}

static int uses_streets(const network_view *net) {
    return net->streets.n_nodes > 0 && net->stop_street_link && net->stop_street_link_m;
}

tc_status street_workspace_create(const network_view *net, street_workspace **out, tc_error *err) {
    street_workspace *ws = calloc(1, sizeof *ws);
    if (!ws) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for a street workspace");
    tc_status st = street_workspace_init_graph(ws, &net->streets, err);
    ws->n_stops = net->n_stops;
    if (st == TC_OK && net->n_stops) {
        ws->result = malloc((size_t)net->n_stops * sizeof *ws->result);
        ws->stop_best = malloc((size_t)net->n_stops * sizeof *ws->stop_best);
        if (!ws->result || !ws->stop_best)
            st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory for a street workspace");
        else
            for (uint32_t i = 0; i < net->n_stops; i++) ws->stop_best[i] = INT32_MAX;
    }
    if (st == TC_OK) st = build_stop_grid(ws, net, err);
    if (st == TC_OK && uses_streets(net)) st = build_node_stops(ws, net, err);
    if (st != TC_OK) {
        street_workspace_free(ws);
        return st;
    }
    *out = ws;
    return TC_OK;
}

void street_workspace_free(street_workspace *ws) {
    if (!ws) return;
    street_workspace_release_graph(ws);
    free(ws->node_stop_begin);
    free(ws->node_stops);
    free(ws->stop_best);
    free(ws->result);
    free(ws->sg_begin);
    free(ws->sg_items);
    free(ws);
}

static tc_status near_straight_line(street_workspace *ws, const network_view *net, double lat, double lon,
                                    double speed_mps, int32_t max_seconds, const stop_seconds **out,
                                    uint32_t *n_out) {
    double detour = net->straight_line_detour > 0 ? net->straight_line_detour : TC_DEFAULT_STRAIGHT_LINE_DETOUR;
    double radius = max_seconds * speed_mps / detour;
    uint32_t n = 0;
    if (net->n_stops && ws->sg_begin) {
        double qlo = sg_lon(ws, lon);
        double cell_lat_m = ws->sg_cell_lat * TC_EARTH_RADIUS_M * M_PI / 180;
        double cell_lon_m = ws->sg_cell_lon * TC_EARTH_RADIUS_M * M_PI / 180 * cos(lat * M_PI / 180);
        long rx = (long)ceil(radius / fmax(cell_lon_m, 1e-3)) + 1, ry = (long)ceil(radius / fmax(cell_lat_m, 1e-3)) + 1;
        long cx = (long)floor((qlo - ws->sg_lon0) / ws->sg_cell_lon);
        long cy = (long)floor((lat - ws->sg_lat0) / ws->sg_cell_lat);
        long x0 = cx - rx, x1 = cx + rx, y0 = cy - ry, y1 = cy + ry;
        if (x0 < 0) x0 = 0;
        if (y0 < 0) y0 = 0;
        if (x1 >= (long)ws->sg_nx) x1 = (long)ws->sg_nx - 1;
        if (y1 >= (long)ws->sg_ny) y1 = (long)ws->sg_ny - 1;
        for (long y = y0; y <= y1; y++)
            for (long x = x0; x <= x1; x++) {
                uint32_t c = (uint32_t)(y * ws->sg_nx + x);
                for (uint32_t k = ws->sg_begin[c]; k < ws->sg_begin[c + 1]; k++) {
                    uint32_t s = ws->sg_items[k];
                    double d = fast_distance_m(lat, lon, from_e7(net->stops[s].lat_e7),
                                               from_e7(net->stops[s].lon_e7));
                    double secs = d * detour / speed_mps;
                    if (secs <= max_seconds) ws->result[n++] = (stop_seconds){s, (int32_t)lround(secs)};
                }
            }
    }
    *out = ws->result;
    *n_out = n;
    return TC_OK;
}

tc_status street_stops_near(street_workspace *ws, const network_view *net, tc_mode mode, double lat, double lon,
                            double speed_mps, int32_t max_seconds, int reverse, double snap_radius_m,
                            const stop_seconds **out, uint32_t *n_out, tc_error *err) {
    if (!(speed_mps > 0))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "speed must be positive (got %g m/s)", speed_mps);
    if (!(lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "point %.7f,%.7f is not a valid coordinate", lat,
                         lon);
    *n_out = 0;
    *out = ws->result;
    if (max_seconds < 0) return TC_OK;
    if (!uses_streets(net) || ws->g != &net->streets)
        return near_straight_line(ws, net, lat, lon, speed_mps, max_seconds, out, n_out);

    street_snap s;
    double radius = snap_radius_m > 0 ? snap_radius_m : TC_DEFAULT_SNAP_RADIUS_M;
    tc_status st = street_snap_point(&net->streets, mode, lat, lon, radius, &s, err);
    if (st != TC_OK) return st;
    double limit = street_mode_timed(mode) ? max_seconds * 1000.0 : max_seconds * speed_mps * 1000.0;
    if (limit > STREET_INF - 2.0) limit = STREET_INF - 2.0;
    street_search_from_snap(ws, mode, &s, reverse, (uint32_t)limit);
    if (ws->oom) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory in a street search");
    uint32_t n = 0;
    for (uint32_t i = 0; i < ws->n_touched; i++) {
        uint32_t id = ws->touched[i], c = ws->dist[id];
        if (c > limit) continue;
        uint32_t v = street_node_of_id(ws->g, mode, reverse, id);
        double base = street_cost_seconds(mode, c, speed_mps);
        for (uint32_t k = ws->node_stop_begin[v]; k < ws->node_stop_begin[v + 1]; k++) {
            uint32_t stop = ws->node_stops[k];
            /* the point's own way to the street is walked too, as the stop's link is (R5 counts both) */
            double secs = base + (net->stop_street_link_m[stop] + s.dist_m) / speed_mps;
            if (secs > max_seconds) continue;
            int32_t si = (int32_t)lround(secs);
            if (ws->stop_best[stop] == INT32_MAX) ws->result[n++] = (stop_seconds){stop, si};
            if (si < ws->stop_best[stop]) ws->stop_best[stop] = si;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        ws->result[i].seconds = ws->stop_best[ws->result[i].stop];
        ws->stop_best[ws->result[i].stop] = INT32_MAX;
    }
    *n_out = n;
    return TC_OK;
}
