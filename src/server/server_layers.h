/* server_layers.h — GeoJSON of the network's stops and lines for the map page (see server_layers.c). */
#ifndef TC_SERVER_LAYERS_H
#define TC_SERVER_LAYERS_H

#include "tongcheng.h"
#include "common/error.h"

#define tc_fail_oom(err) tc_fail((err), TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory")

/* FeatureCollection of Points {id, name}, one per stop (not stations). Caller frees *out with free. */
tc_status srv_stops_geojson(const tc_network *net, char **out, tc_error *err);
/* FeatureCollection of LineStrings, each pattern's shape or else through its stops {route, name, route_type, color,
 * trips, shape}. */
tc_status srv_lines_geojson(const tc_network *net, char **out, tc_error *err);

/* The street layer of the page's own base map: a FeatureCollection of LineStrings {class: major | medium | minor |
 * path} of the network's streets inside bbox (min_lon, min_lat, max_lon, max_lat), generalised for the zoom level
 * (classes shown and points kept); at most max_features, then "truncated": true. Empty without a street network. */
tc_status srv_streets_geojson(const tc_network *net, const double bbox[4], int zoom, size_t max_features,
                              char **out, tc_error *err);

/* The walking path between two points along the streets as a GeoJSON Feature (LineString from one point to the
 * other, {distance_m, straight_line}): how the page draws walk legs. Errors as tc_street_route's. */
tc_status srv_street_path_geojson(const tc_network *net, double from_lat, double from_lon, double to_lat,
                                  double to_lon, char **out, tc_error *err);

/* A good default date for the map page: the first day whose active trips reach 90% of the busiest day's. */
int32_t srv_default_date(const tc_network *net);
/* The start of the hour (0–23) with the most scheduled trip departures on that day: the page's default time. */
int32_t srv_default_time(const tc_network *net, int32_t day);

#endif
