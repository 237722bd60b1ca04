/*
 * network_geojson.c — the network drawn from the network itself, for a map (the server's page; tongcheng.h, "map
 * layers"): stops as GeoJSON points and each pattern (a stop sequence of a route) as a line along its GTFS shape
 * (network/pattern_shapes.h), or through its stops without one; the streets of a view generalised for its zoom; a
 * walk along the streets; and the page's default day and hour. Reads the compiled network's arrays directly: the
 * file is read-only, so this is safe from any thread.
 */
#include "tongcheng.h"
#include "common/error.h"
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

tc_status tc_network_stops_geojson(const tc_network *net, char **out, tc_error *err) {
    const network_view *v = &net->v;
    cJSON *features = NULL, *root = collection(&features);
    char id[512];
    for (uint32_t s = 0; root && s < v->n_stops; s++) {
        const net_stop *st = &v->stops[s];
        if (st->location_type != 0) continue; /* stations and entrances: their platforms are drawn */
        cJSON *f = cJSON_CreateObject();
        cJSON_AddItemToArray(features, f);
        cJSON_AddStringToObject(f, "type", "Feature");
        cJSON *g = cJSON_AddObjectToObject(f, "geometry");
        cJSON_AddStringToObject(g, "type", "Point");
        cJSON_AddItemToObject(g, "coordinates", point_pair(coord(st->lon_e7), coord(st->lat_e7)));
        cJSON *p = cJSON_AddObjectToObject(f, "properties");
        net_format_id(v, st->feed, st->id_str, id, sizeof id);
        cJSON_AddStringToObject(p, "id", id);
        cJSON_AddStringToObject(p, "name", net_str(v, st->name_str));
    }
    char *t = root ? finish(root) : NULL;
    if (!t) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
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

tc_status tc_network_lines_geojson(const tc_network *net, char **out, tc_error *err) {
    const network_view *v = &net->v;
    cJSON *features = NULL, *root = collection(&features);
    char id[512], color[8];
    for (uint32_t pi = 0; root && pi < v->n_patterns; pi++) {
        const net_pattern *pat = &v->patterns[pi];
        if (pat->n_stops < 2 || pat->route >= v->n_routes) continue;
        const net_route *rt = &v->routes[pat->route];
        cJSON *f = cJSON_CreateObject();
        cJSON_AddItemToArray(features, f);
        cJSON_AddStringToObject(f, "type", "Feature");
        cJSON *g = cJSON_AddObjectToObject(f, "geometry");
        cJSON_AddStringToObject(g, "type", "LineString");
        cJSON *coords = cJSON_AddArrayToObject(g, "coordinates");
        /* the GTFS shape when the network has one for the pattern, else straight from stop to stop */
        const uint32_t shape_n = v->pattern_shape ? v->pattern_shape[2 * (size_t)pi + 1] : 0;
        if (shape_n >= 2) {
            const int32_t *pt = v->shape_points + 2 * (size_t)v->pattern_shape[2 * (size_t)pi];
            for (uint32_t k = 0; k < shape_n; k++)
                cJSON_AddItemToArray(coords, point_pair(coord(pt[2 * k + 1]), coord(pt[2 * k])));
        } else {
            for (uint32_t j = 0; j < pat->n_stops; j++) {
                const net_stop *st = &v->stops[v->pattern_stops[pat->stops_begin + j]];
                cJSON_AddItemToArray(coords, point_pair(coord(st->lon_e7), coord(st->lat_e7)));
            }
        }
        cJSON *p = cJSON_AddObjectToObject(f, "properties");
        cJSON_AddBoolToObject(p, "shape", shape_n >= 2);
        net_format_id(v, rt->feed, rt->id_str, id, sizeof id);
        cJSON_AddStringToObject(p, "route", id);
        const char *name = net_str(v, rt->short_name_str);
        cJSON_AddStringToObject(p, "name", *name ? name : net_str(v, rt->long_name_str));
        cJSON_AddNumberToObject(p, "route_type", rt->type);
        route_color(net_str(v, rt->color_str), color);
        if (*color) cJSON_AddStringToObject(p, "color", color);
        else cJSON_AddNullToObject(p, "color");
        cJSON_AddNumberToObject(p, "trips", pat->n_trips);
    }
    char *t = root ? finish(root) : NULL;
    if (!t) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    *out = t;
    return TC_OK;
}

int32_t tc_network_default_date(const tc_network *net) {
    const network_view *v = &net->v;
    uint32_t *count = calloc(v->n_days ? v->n_days : 1, sizeof *count);
    if (!count) return v->service_start;
    for (uint32_t t = 0; t < v->n_scheduled_trips; t++)
        for (uint32_t d = 0; d < v->n_days; d++)
            count[d] += (uint32_t)service_active(v, v->trips[t].service, v->service_start + (int32_t)d);
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

int32_t tc_network_busiest_hour(const tc_network *net, int32_t day) {
    const network_view *v = &net->v;
    uint32_t per_hour[48] = {0};
    for (uint32_t pi = 0; pi < v->n_patterns; pi++) {
        const net_pattern *p = &v->patterns[pi];
        if (p->flags & TC_PATTERN_FREQUENCY) continue;
        for (uint32_t k = 0; k < p->n_trips; k++) {
            if (!service_active(v, v->trips[p->trips_begin + k].service, day)) continue;
            int32_t dep = v->stop_times[p->times_begin + (uint64_t)k * p->n_stops].departure;
            if (dep >= 0 && dep < 48 * 3600) per_hour[dep / 3600]++;
        }
    }
    int best = 8; /* no scheduled trips: a morning hour */
    for (int h = 0; h < 24; h++)
        if (per_hour[h] > per_hour[best]) best = h;
    return best * 3600;
}

/* ---------------------------------------------------------------- streets: the page's own base map ------------- */
/*
 * The streets the network was built with, for one view (bounding box + zoom), so the map has something to orient by
 * with no tile server. Generalised by zoom as a base map is: below zoom 12 only fast roads (car speed ≥ 60 km/h:
 * motorways, trunks, primaries), below 13 also ≥ 40 km/h, below 15 every car street, then footways and cycleways
 * too; each polyline keeps only points a pixel apart at that zoom. The network's street grid finds the segments in
 * the box without scanning them all; a bitmap keeps a segment that spans several cells from appearing twice.
 */

static const char *street_class(const street_graph *g, const street_seg *sg) {
    unsigned access = g->edges[sg->arc_ab].access | g->edges[sg->arc_ba].access;
    unsigned kmh = g->edges[sg->arc_ab].car_kmh > g->edges[sg->arc_ba].car_kmh ? g->edges[sg->arc_ab].car_kmh
                                                                                 : g->edges[sg->arc_ba].car_kmh;
    if (!(access & STREET_CAR)) return "path";
    return kmh >= 60 ? "major" : kmh >= 40 ? "medium" : "minor";
}

static int class_shown(const char *cls, int zoom) {
    switch (cls[0]) {
    case 'm': return cls[1] == 'a' ? 1 : cls[1] == 'e' ? zoom >= 12 : zoom >= 13; /* major, medium, minor */
    default: return zoom >= 15;                                                   /* path */
    }
}

tc_status tc_network_streets_geojson(const tc_network *net, const double bbox[4], int zoom, size_t max_features,
                              char **out, tc_error *err) {
    const street_graph *g = &net->v.streets;
    if (!(bbox[0] < bbox[2] && bbox[1] < bbox[3] && bbox[0] >= -180 && bbox[2] <= 180 && bbox[1] >= -90 &&
          bbox[3] <= 90))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                         "bbox must be min_lon,min_lat,max_lon,max_lat with min < max, in degrees");
    if (zoom < 0 || zoom > 22) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "zoom must be 0…22");
    cJSON *features = NULL, *root = collection(&features);
    if (!root) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    size_t n_out = 0;
    int truncated = 0;
    if (g->n_segs && g->meta && !g->meta->lon_wrap) {
        const street_meta *m = g->meta;
        long x0 = (long)floor((bbox[0] * 1e7 - m->grid_lon0_e7) / m->cell_lon_e7);
        long x1 = (long)floor((bbox[2] * 1e7 - m->grid_lon0_e7) / m->cell_lon_e7);
        long y0 = (long)floor((bbox[1] * 1e7 - m->grid_lat0_e7) / m->cell_lat_e7);
        long y1 = (long)floor((bbox[3] * 1e7 - m->grid_lat0_e7) / m->cell_lat_e7);
        if (x0 < 0) x0 = 0;
        if (y0 < 0) y0 = 0;
        if (x1 >= (long)m->grid_nx) x1 = (long)m->grid_nx - 1;
        if (y1 >= (long)m->grid_ny) y1 = (long)m->grid_ny - 1;
        uint8_t *seen = calloc(g->n_segs / 8 + 1, 1);
        if (!seen) {
            cJSON_Delete(root);
            return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        }
        const double tol_e7 = 360.0 / (256.0 * pow(2.0, zoom)) * 1e7; /* one pixel, in 1e-7 degrees */
        for (long y = y0; y <= y1 && !truncated; y++)
            for (long x = x0; x <= x1 && !truncated; x++) {
                uint32_t c = (uint32_t)(y * (long)m->grid_nx + x);
                for (uint32_t i = g->grid_begin[c]; i < g->grid_begin[c + 1]; i++) {
                    uint32_t s = g->grid_items[i];
                    if (seen[s >> 3] & (1u << (s & 7))) continue;
                    seen[s >> 3] |= (uint8_t)(1u << (s & 7));
                    const street_seg *sg = &g->segs[s];
                    const char *cls = street_class(g, sg);
                    if (!class_shown(cls, zoom)) continue;
                    if (n_out == max_features) {
                        truncated = 1;
                        break;
                    }
                    uint32_t b = sg->geom_begin, e = g->segs[s + 1].geom_begin;
                    cJSON *f = cJSON_CreateObject();
                    cJSON_AddItemToArray(features, f);
                    cJSON_AddStringToObject(f, "type", "Feature");
                    cJSON *geo = cJSON_AddObjectToObject(f, "geometry");
                    cJSON_AddStringToObject(geo, "type", "LineString");
                    cJSON *coords = cJSON_AddArrayToObject(geo, "coordinates");
                    int32_t last_lat = 0, last_lon = 0;
                    for (uint32_t k = b; k < e; k++) {
                        int32_t lat = g->geom[2 * (size_t)k], lon = g->geom[2 * (size_t)k + 1];
                        if (k > b && k + 1 < e && fabs((double)lat - last_lat) < tol_e7 &&
                            fabs((double)lon - last_lon) < tol_e7)
                            continue; /* within a pixel of the last point kept; the end point always stays */
                        cJSON_AddItemToArray(coords, point_pair(coord(lon), coord(lat)));
                        last_lat = lat, last_lon = lon;
                    }
                    cJSON *p = cJSON_AddObjectToObject(f, "properties");
                    cJSON_AddStringToObject(p, "class", cls);
                    n_out++;
                }
            }
        free(seen);
    }
    cJSON_AddNumberToObject(root, "zoom", zoom);
    cJSON_AddBoolToObject(root, "truncated", truncated);
    char *t = finish(root);
    if (!t) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    *out = t;
    return TC_OK;
}

tc_status tc_street_walk_geojson(const tc_network *net, double from_lat, double from_lon, double to_lat,
                                  double to_lon, char **out, tc_error *err) {
    tc_street_options o;
    tc_street_options_init(&o);
    tc_street_result r;
    memset(&r, 0, sizeof r);
    tc_status st = tc_street_route(net, TC_MODE_WALK, from_lat, from_lon, to_lat, to_lon, &o, &r, err);
    if (st) return st;
    cJSON *root = cJSON_CreateObject();
    cJSON *g = root ? cJSON_AddObjectToObject(root, "geometry") : NULL;
    cJSON *coords = g ? cJSON_AddArrayToObject(g, "coordinates") : NULL;
    if (coords) {
        cJSON_AddStringToObject(root, "type", "Feature");
        cJSON_AddStringToObject(g, "type", "LineString");
        /* from the given point, along the streets, to the given point */
        cJSON_AddItemToArray(coords, point_pair(from_lon, from_lat));
        for (size_t k = 0; !r.straight_line && k < r.n_points; k++)
            cJSON_AddItemToArray(coords, point_pair(r.lon[k], r.lat[k]));
        cJSON_AddItemToArray(coords, point_pair(to_lon, to_lat));
        cJSON *p = cJSON_AddObjectToObject(root, "properties");
        cJSON_AddNumberToObject(p, "distance_m", round(r.distance_m));
        cJSON_AddBoolToObject(p, "straight_line", r.straight_line);
    }
    tc_street_result_free(&r);
    char *t = coords ? finish(root) : NULL;
    if (!coords) cJSON_Delete(root);
    if (!t) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    *out = t;
    return TC_OK;
}
