/*
 * street_api.c — the public street functions of tongcheng.h: point-to-point routing and its JSON.
 *
 * tc_street_route allocates a workspace per call (O(graph) memory, fine for a command or a single request); code
 * that answers many queries keeps a street_workspace per thread and calls street_route_snapped directly.
 * Without a street network the answer is the straight line × the network's detour factor, flagged as such, so
 * callers (and the JSON) can say what it rests on.
 */
#include "streets/street_search.h"
#include "streets/street_truck.h"
#include "network/network.h"
#include "common/error.h"
#include "common/geo.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

void tc_street_options_init(tc_street_options *o) {
    o->walk_speed_mps = TC_DEFAULT_WALK_SPEED_MPS;
    o->bike_speed_mps = TC_DEFAULT_BIKE_SPEED_MPS;
    o->car_speed_mps = 40 / 3.6;
    o->snap_radius_m = TC_DEFAULT_SNAP_RADIUS_M;
    o->max_lts = 0;
    tc_truck_init(&o->truck);
    o->no_elevation = 0;
}

void tc_street_result_free(tc_street_result *r) {
    if (!r) return;
    free(r->lat);
    free(r->lon);
    r->lat = r->lon = NULL;
    r->n_points = 0;
}

tc_status tc_street_route(const tc_network *net, tc_mode mode, double from_lat, double from_lon, double to_lat,
                          double to_lon, const tc_street_options *opts, tc_street_result *out, tc_error *err) {
    tc_street_options o;
    tc_street_options_init(&o);
    if (opts) {
        if (opts->walk_speed_mps > 0) o.walk_speed_mps = opts->walk_speed_mps;
        if (opts->bike_speed_mps > 0) o.bike_speed_mps = opts->bike_speed_mps;
        if (opts->car_speed_mps > 0) o.car_speed_mps = opts->car_speed_mps;
        if (opts->snap_radius_m > 0) o.snap_radius_m = opts->snap_radius_m;
        o.max_lts = opts->max_lts;
        o.truck = opts->truck;
        o.no_elevation = opts->no_elevation;
    }
    if (o.max_lts < 0 || o.max_lts > 4)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "max LTS %d is not within 1…4 (0 = any)", o.max_lts);
    if (mode != TC_MODE_WALK && mode != TC_MODE_BIKE && mode != TC_MODE_CAR && mode != TC_MODE_TRUCK)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "unknown street mode %d", (int)mode);
    if (!(from_lat >= -90 && from_lat <= 90 && from_lon >= -180 && from_lon <= 180))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "origin %.7f,%.7f is not a valid coordinate",
                         from_lat, from_lon);
    if (!(to_lat >= -90 && to_lat <= 90 && to_lon >= -180 && to_lon <= 180))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "destination %.7f,%.7f is not a valid coordinate",
                         to_lat, to_lon);
    const network_view *v = &net->v;
    double speed = mode == TC_MODE_WALK ? o.walk_speed_mps : mode == TC_MODE_BIKE ? o.bike_speed_mps : o.car_speed_mps;
    if (mode == TC_MODE_TRUCK && o.car_speed_mps * 3.6 > o.truck.max_kmh) speed = o.truck.max_kmh / 3.6;
    memset(out, 0, sizeof *out);
    if (mode == TC_MODE_TRUCK) {
        tc_status vst = street_truck_check(&o.truck, err);
        if (vst != TC_OK) return vst;
    }
    if (v->streets.n_nodes == 0) {
        double detour = v->straight_line_detour > 0 ? v->straight_line_detour : TC_DEFAULT_STRAIGHT_LINE_DETOUR;
        out->straight_line = 1;
        out->distance_m = haversine_m(from_lat, from_lon, to_lat, to_lon) * detour;
        out->duration_s = out->distance_m / speed;
        out->lat = malloc(2 * sizeof *out->lat);
        out->lon = malloc(2 * sizeof *out->lon);
        if (!out->lat || !out->lon) {
            tc_street_result_free(out);
            return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        }
        out->lat[0] = from_lat, out->lon[0] = from_lon, out->lat[1] = to_lat, out->lon[1] = to_lon;
        out->n_points = 2;
        return TC_OK;
    }
    const street_graph *g = &v->streets;
    street_graph truck_view;
    street_edge *truck_edges = NULL;
    if (mode == TC_MODE_TRUCK) {
        tc_status st = street_truck_view(g, &o.truck, &truck_view, &truck_edges, err);
        if (st != TC_OK) return st;
        g = &truck_view;
    }
    street_snap a, b;
    tc_status st = street_snap_point(g, mode, from_lat, from_lon, o.snap_radius_m, &a, err);
    if (st == TC_OK) st = street_snap_point(g, mode, to_lat, to_lon, o.snap_radius_m, &b, err);
    street_workspace ws = {0};
    if (st == TC_OK) st = street_workspace_init_graph(&ws, g, err);
    ws.max_lts = (unsigned)o.max_lts;
    ws.no_elevation = o.no_elevation;
    street_path p = {0};
    if (st == TC_OK) st = street_route_snapped(&ws, mode, &a, &b, &p, err);
    street_workspace_release_graph(&ws);
    free(truck_edges);
    if (st != TC_OK) return st;
    out->distance_m = p.distance_m;
    out->duration_s = street_cost_seconds(mode, p.cost, speed);
    out->n_points = p.n_points;
    out->lat = p.lat;
    out->lon = p.lon;
    out->from_snap_m = a.dist_m;
    out->to_snap_m = b.dist_m;
    return TC_OK;
}

static double round_to(double x, double unit) { return (double)(long long)(x / unit + (x < 0 ? -0.5 : 0.5)) * unit; }

tc_status tc_street_result_json(const tc_street_result *r, char **json_out, tc_error *err) {
    cJSON *o = cJSON_CreateObject(), *geom = cJSON_CreateObject(), *coords = cJSON_CreateArray();
    if (!o || !geom || !coords) goto oom;
    cJSON_AddNumberToObject(o, "distance_m", round_to(r->distance_m, 0.1));
    cJSON_AddNumberToObject(o, "duration_s", round_to(r->duration_s, 0.1));
    cJSON_AddStringToObject(geom, "type", "LineString");
    for (size_t i = 0; i < r->n_points; i++) {
        cJSON *pt = cJSON_CreateArray();
        if (!pt) goto oom;
        cJSON_AddItemToArray(pt, cJSON_CreateNumber(round_to(r->lon[i], 1e-7)));
        cJSON_AddItemToArray(pt, cJSON_CreateNumber(round_to(r->lat[i], 1e-7)));
        cJSON_AddItemToArray(coords, pt);
    }
    cJSON_AddItemToObject(geom, "coordinates", coords);
    coords = NULL;
    cJSON_AddItemToObject(o, "geometry", geom);
    geom = NULL;
    if (r->straight_line) cJSON_AddBoolToObject(o, "straight_line", 1);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    /* hand the caller memory that tc_free (free) can release */
    *json_out = strdup(s);
    cJSON_free(s);
    if (!*json_out) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    return TC_OK;
oom:
    cJSON_Delete(o);
    cJSON_Delete(geom);
    cJSON_Delete(coords);
    return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
}
