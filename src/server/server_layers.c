/*
 * server_layers.c — the network drawn from the network itself: stops as GeoJSON points and each pattern (a stop
 * sequence of a route) as a line through its stops, built once at start-up (they never change while serving) so
 * GET /v1/stops and /v1/lines cost a memcpy. Reads the compiled network's arrays (network/network.h) because the
 * public API has no "list every stop" call; the file is read-only, so this is safe from any thread.
 */
#include "server/server_layers.h"

#include "network/network.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double coord(int32_t e7) { return round((double)e7 / 1e3) / 1e4; } /* 1e-7 degrees → 5 decimals (~1 m) */

static char *finish(cJSON *root) {
    char *t = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!t) return NULL;
    char *copy = strdup(t);
    cJSON_free(t);
    return copy;
}

static cJSON *collection(cJSON **features) {
    cJSON *root = cJSON_CreateObject();
    if (!root) return NULL;
    cJSON_AddStringToObject(root, "type", "FeatureCollection");
    *features = cJSON_AddArrayToObject(root, "features");
    return root;
}

static cJSON *point_pair(double lon, double lat) {
    double xy[2] = {lon, lat};
    return cJSON_CreateDoubleArray(xy, 2);
}

tc_status srv_stops_geojson(const tc_network *net, char **out, tc_error *err) {
    const tc_network_view *v = &net->v;
    cJSON *features = NULL, *root = collection(&features);
    char id[512];
    for (uint32_t s = 0; root && s < v->n_stops; s++) {
        const tc_net_stop *st = &v->stops[s];
        if (st->location_type != 0) continue; /* stations and entrances: their platforms are drawn */
        cJSON *f = cJSON_CreateObject();
        cJSON_AddItemToArray(features, f);
        cJSON_AddStringToObject(f, "type", "Feature");
        cJSON *g = cJSON_AddObjectToObject(f, "geometry");
        cJSON_AddStringToObject(g, "type", "Point");
        cJSON_AddItemToObject(g, "coordinates", point_pair(coord(st->lon_e7), coord(st->lat_e7)));
        cJSON *p = cJSON_AddObjectToObject(f, "properties");
        tc_net_format_id(v, st->feed, st->id_str, id, sizeof id);
        cJSON_AddStringToObject(p, "id", id);
        cJSON_AddStringToObject(p, "name", tc_str(v, st->name_str));
    }
    char *t = root ? finish(root) : NULL;
    if (!t) return tc_fail_oom(err);
    *out = t;
    return TC_OK;
}

/* "#RRGGBB" from a GTFS route_color, or "" when absent or malformed. */
static void route_color(const char *c, char *buf) {
    buf[0] = 0;
    if (strlen(c) != 6) return;
    for (int i = 0; i < 6; i++)
        if (!strchr("0123456789abcdefABCDEF", c[i])) return;
    buf[0] = '#';
    memcpy(buf + 1, c, 7);
}

tc_status srv_lines_geojson(const tc_network *net, char **out, tc_error *err) {
    const tc_network_view *v = &net->v;
    cJSON *features = NULL, *root = collection(&features);
    char id[512], color[8];
    for (uint32_t pi = 0; root && pi < v->n_patterns; pi++) {
        const tc_net_pattern *pat = &v->patterns[pi];
        if (pat->n_stops < 2 || pat->route >= v->n_routes) continue;
        const tc_net_route *rt = &v->routes[pat->route];
        cJSON *f = cJSON_CreateObject();
        cJSON_AddItemToArray(features, f);
        cJSON_AddStringToObject(f, "type", "Feature");
        cJSON *g = cJSON_AddObjectToObject(f, "geometry");
        cJSON_AddStringToObject(g, "type", "LineString");
        cJSON *coords = cJSON_AddArrayToObject(g, "coordinates");
        for (uint32_t j = 0; j < pat->n_stops; j++) {
            const tc_net_stop *st = &v->stops[v->pattern_stops[pat->stops_begin + j]];
            cJSON_AddItemToArray(coords, point_pair(coord(st->lon_e7), coord(st->lat_e7)));
        }
        cJSON *p = cJSON_AddObjectToObject(f, "properties");
        tc_net_format_id(v, rt->feed, rt->id_str, id, sizeof id);
        cJSON_AddStringToObject(p, "route", id);
        const char *name = tc_str(v, rt->short_name_str);
        cJSON_AddStringToObject(p, "name", *name ? name : tc_str(v, rt->long_name_str));
        cJSON_AddNumberToObject(p, "route_type", rt->type);
        route_color(tc_str(v, rt->color_str), color);
        if (*color) cJSON_AddStringToObject(p, "color", color);
        else cJSON_AddNullToObject(p, "color");
        cJSON_AddNumberToObject(p, "trips", pat->n_trips);
    }
    char *t = root ? finish(root) : NULL;
    if (!t) return tc_fail_oom(err);
    *out = t;
    return TC_OK;
}

int32_t srv_default_date(const tc_network *net) {
    const tc_network_view *v = &net->v;
    uint32_t *count = calloc(v->n_days ? v->n_days : 1, sizeof *count);
    if (!count) return v->service_start;
    for (uint32_t t = 0; t < v->n_scheduled_trips; t++)
        for (uint32_t d = 0; d < v->n_days; d++)
            count[d] += (uint32_t)tc_service_active(v, v->trips[t].service, v->service_start + (int32_t)d);
    uint32_t best = 0, day = 0;
    for (uint32_t d = 0; d < v->n_days; d++)
        if (count[d] > best) best = count[d];
    for (uint32_t d = 0; d < v->n_days; d++)
        if ((uint64_t)count[d] * 10 >= (uint64_t)best * 9) {
            day = d;
            break;
        }
    free(count);
    return v->service_start + (int32_t)day;
}

int32_t srv_default_time(const tc_network *net, int32_t day) {
    const tc_network_view *v = &net->v;
    uint32_t per_hour[48] = {0};
    for (uint32_t pi = 0; pi < v->n_patterns; pi++) {
        const tc_net_pattern *p = &v->patterns[pi];
        if (p->flags & TC_PATTERN_FREQUENCY) continue;
        for (uint32_t k = 0; k < p->n_trips; k++) {
            if (!tc_service_active(v, v->trips[p->trips_begin + k].service, day)) continue;
            int32_t dep = v->stop_times[p->times_begin + (uint64_t)k * p->n_stops].departure;
            if (dep >= 0 && dep < 48 * 3600) per_hour[dep / 3600]++;
        }
    }
    int best = 8; /* no scheduled trips: a morning hour */
    for (int h = 0; h < 24; h++)
        if (per_hour[h] > per_hour[best]) best = h;
    return best * 3600;
}
