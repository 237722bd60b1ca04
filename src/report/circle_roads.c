/*
 * circle_roads.c — a road model for car times where no OSM street network is given: named nodes (interchanges,
 * town centres) and roads through them (expressways, national roads, arterials) with a free-flow speed, a track
 * detour over the straight line and an optional peak-hour factor. data/changzhutan/roads.json is the built-in
 * default's; its format is documented in data/changzhutan/README.md ("The road model").
 *
 * The search is a plain O(V²) Dijkstra over an adjacency matrix-free edge list: a metropolitan road model has a few
 * hundred nodes, and the report asks for a few dozen place × core pairs, so a heap would only add code. A trip
 * starts on local streets to one of the nearest nodes (straight line × the model's access detour at its access
 * speed), and may also stay on local streets all the way when that is faster (short trips).
 * With OSM (--osm) the street network's car search is used instead and this model is not read.
 */
#include "report/circle.h"
#include "common/geo.h"
#include "common/json_file.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define P 300
#define ROADS_NEAREST 3 /* a trip may join or leave the road model at any of its 3 nearest nodes */

typedef struct road_edge {
    uint32_t a, b;
    double len_m, speed_kmh, peak_factor;
} road_edge;

/* A city-centre zone closed to goods vehicles in a daytime window unless they hold that city's delivery permit
 * ("truck_zones" in roads.json: labelled assumptions, see data/changzhutan/README.md). */
typedef struct truck_zone {
    char id[48], city[48];
    double lat, lon, radius_m;
    int ban_start_min, ban_end_min;
} truck_zone;

struct circle_roads {
    truck_zone *zones;
    size_t n_zones;
    double truck_kmh;
    size_t n_nodes, n_edges, n_roads;
    char **node_id;
    double *lat, *lon;
    road_edge *edges;
    double access_kmh, access_detour;
};

void circle_roads_free(circle_roads *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n_nodes; i++) free(r->node_id[i]);
    free(r->node_id);
    free(r->zones);
    free(r->lat);
    free(r->lon);
    free(r->edges);
    free(r);
}

static int32_t node_of(const circle_roads *r, const char *id) {
    for (size_t i = 0; i < r->n_nodes; i++)
        if (!strcmp(r->node_id[i], id)) return (int32_t)i;
    return -1;
}

static tc_status add_nodes(skj *j, circle_roads *r, const cJSON *nodes, const char *path) {
    static const char *const keys[] = {"id", "name", "lat", "lon", NULL};
    size_t n = (size_t)cJSON_GetArraySize(nodes), i = 0;
    char **ids = realloc(r->node_id, (r->n_nodes + n + 1) * sizeof *ids);
    if (ids) r->node_id = ids;
    double *la = realloc(r->lat, (r->n_nodes + n + 1) * sizeof *la);
    if (la) r->lat = la;
    double *lo = realloc(r->lon, (r->n_nodes + n + 1) * sizeof *lo);
    if (lo) r->lon = lo;
    if (!ids || !la || !lo) return skj_fail_code(j, TC_ERR_NO_MEMORY, path, "out of memory");
    char p[P], q[P];
    for (const cJSON *x = nodes->child; x; x = x->next, i++) {
        skj_idx(p, sizeof p, path, i);
        tc_status st = skj_object(j, x, p);
        if (st) return st;
        skj_check_keys(j, x, p, keys);
        const char *id = NULL, *name = NULL;
        double lat = 0, lon = 0;
        if ((st = skj_string(j, x, p, "id", 1, &id)) || (st = skj_string(j, x, p, "name", 0, &name)) ||
            (st = skj_number(j, x, p, "lat", 1, -90, 90, &lat)) || (st = skj_number(j, x, p, "lon", 1, -180, 180, &lon)))
            return st;
        if (node_of(r, id) >= 0) return skj_fail(j, skj_key(q, sizeof q, p, "id"), "node id \"%s\" is used twice", id);
        if (!(r->node_id[r->n_nodes] = strdup(id))) return skj_fail_code(j, TC_ERR_NO_MEMORY, p, "out of memory");
        r->lat[r->n_nodes] = lat;
        r->lon[r->n_nodes] = lon;
        r->n_nodes++;
    }
    return TC_OK;
}

static tc_status add_roads(skj *j, circle_roads *r, const cJSON *roads, const char *path) {
    static const char *const keys[] = {"id", "name", "class", "speed_kmh", "detour", "peak_factor", "nodes", NULL};
    char p[P], q[P], s[P];
    size_t i = 0;
    for (const cJSON *x = roads->child; x; x = x->next, i++) {
        skj_idx(p, sizeof p, path, i);
        tc_status st = skj_object(j, x, p);
        if (st) return st;
        skj_check_keys(j, x, p, keys);
        const char *id = NULL;
        double speed = 0, detour = 1.1, peak = 1.0;
        const cJSON *nodes = NULL;
        if ((st = skj_string(j, x, p, "id", 1, &id)) || (st = skj_number(j, x, p, "speed_kmh", 1, 5, 200, &speed)) ||
            (st = skj_number(j, x, p, "detour", 0, 1, 3, &detour)) ||
            (st = skj_number(j, x, p, "peak_factor", 0, 0.05, 1, &peak)) ||
            (st = skj_array(j, x, p, "nodes", 1, 2, &nodes)))
            return st;
        size_t n = (size_t)cJSON_GetArraySize(nodes);
        road_edge *e = realloc(r->edges, (r->n_edges + n) * sizeof *e);
        if (!e) return skj_fail_code(j, TC_ERR_NO_MEMORY, p, "out of memory");
        r->edges = e;
        skj_key(q, sizeof q, p, "nodes");
        int32_t prev = -1;
        size_t k = 0;
        for (const cJSON *y = nodes->child; y; y = y->next, k++) {
            skj_idx(s, sizeof s, q, k);
            if (!cJSON_IsString(y)) return skj_fail(j, s, "expected a node id");
            int32_t v = node_of(r, y->valuestring);
            if (v < 0) return skj_fail_code(j, TC_ERR_NOT_FOUND, s, "no node \"%s\"", y->valuestring);
            if (prev >= 0 && v != prev) {
                road_edge *ed = &r->edges[r->n_edges++];
                ed->a = (uint32_t)prev;
                ed->b = (uint32_t)v;
                ed->len_m = haversine_m(r->lat[prev], r->lon[prev], r->lat[v], r->lon[v]) * detour;
                ed->speed_kmh = speed;
                ed->peak_factor = peak;
            }
            prev = v;
        }
        r->n_roads++;
    }
    return TC_OK;
}

static int parse_hhmm(const char *s, int *out) {
    int h, m;
    char c;
    if (sscanf(s, "%2d:%2d%c", &h, &m, &c) != 2 || h < 0 || h > 24 || m < 0 || m > 59) return -1;
    *out = h * 60 + m;
    return 0;
}

/* "truck": {"max_kmh": 80, "zones": [{"id", "city", "lat", "lon", "radius_km", "ban": "07:00-21:00"}]} */
static tc_status read_truck(skj *j, circle_roads *r, const cJSON *t) {
    static const char *const keys[] = {"max_kmh", "zones", "note", NULL};
    static const char *const zkeys[] = {"id", "city", "lat", "lon", "radius_km", "ban", "source", NULL};
    char p[P], q[P];
    tc_status st = skj_object(j, t, "truck");
    if (st) return st;
    skj_check_keys(j, t, "truck", keys);
    if ((st = skj_number(j, t, "truck", "max_kmh", 0, 5, 255, &r->truck_kmh))) return st;
    const cJSON *zones = NULL;
    if ((st = skj_array(j, t, "truck", "zones", 0, 0, &zones))) return st;
    if (!zones) return TC_OK;
    size_t n = (size_t)cJSON_GetArraySize(zones), i = 0;
    r->zones = calloc(n + 1, sizeof *r->zones);
    if (!r->zones) return skj_fail_code(j, TC_ERR_NO_MEMORY, "truck.zones", "out of memory");
    for (const cJSON *x = zones->child; x; x = x->next, i++) {
        skj_idx(p, sizeof p, "truck.zones", i);
        if ((st = skj_object(j, x, p))) return st;
        skj_check_keys(j, x, p, zkeys);
        truck_zone *z = &r->zones[r->n_zones];
        const char *id = NULL, *city = NULL, *ban = NULL;
        double km = 0;
        if ((st = skj_string(j, x, p, "id", 1, &id)) || (st = skj_string(j, x, p, "city", 1, &city)) ||
            (st = skj_number(j, x, p, "lat", 1, -90, 90, &z->lat)) ||
            (st = skj_number(j, x, p, "lon", 1, -180, 180, &z->lon)) ||
            (st = skj_number(j, x, p, "radius_km", 1, 0.1, 100, &km)) || (st = skj_string(j, x, p, "ban", 1, &ban)))
            return st;
        char b0[8] = "", b1[8] = "";
        if (strlen(ban) != 11 || ban[5] != '-' || (memcpy(b0, ban, 5), parse_hhmm(b0, &z->ban_start_min)) ||
            (memcpy(b1, ban + 6, 5), parse_hhmm(b1, &z->ban_end_min)))
            return skj_fail(j, skj_key(q, sizeof q, p, "ban"), "expected HH:MM-HH:MM, not \"%s\"", ban);
        snprintf(z->id, sizeof z->id, "%s", id);
        snprintf(z->city, sizeof z->city, "%s", city);
        z->radius_m = km * 1000;
        r->n_zones++;
    }
    return TC_OK;
}

/* One document: the model itself (with "road_version") or a scenario's add_road modification (extra). */
static tc_status read_doc(skj *j, circle_roads *r, const cJSON *root, int extra) {
    char p[P];
    const cJSON *nodes = NULL, *roads = NULL;
    tc_status st = skj_object(j, root, "");
    if (st) return st;
    if (!extra) {
        static const char *const keys[] = {"road_version", "name", "description", "access", "nodes", "roads",
                                           "truck", NULL};
        skj_check_keys(j, root, "", keys);
        long version = 0;
        if ((st = skj_int(j, root, "", "road_version", 1, 1, 1, &version))) return st;
        const cJSON *acc = cJSON_GetObjectItemCaseSensitive(root, "access");
        if (acc) {
            static const char *const akeys[] = {"speed_kmh", "detour", NULL};
            if ((st = skj_object(j, acc, "access"))) return st;
            skj_check_keys(j, acc, "access", akeys);
            if ((st = skj_number(j, acc, "access", "speed_kmh", 0, 1, 120, &r->access_kmh)) ||
                (st = skj_number(j, acc, "access", "detour", 0, 1, 3, &r->access_detour)))
                return st;
        }
    }
    const cJSON *truck = extra ? NULL : cJSON_GetObjectItemCaseSensitive(root, "truck");
    if (truck && (st = read_truck(j, r, truck))) return st;
    if ((st = skj_array(j, root, "", "nodes", !extra, 0, &nodes)) || (st = skj_array(j, root, "", "roads", 1, 1, &roads)))
        return st;
    if (nodes && (st = add_nodes(j, r, nodes, skj_key(p, sizeof p, "", "nodes")))) return st;
    return add_roads(j, r, roads, skj_key(p, sizeof p, "", "roads"));
}

tc_status circle_roads_read(const char *path, const cJSON *const *extra, const char *const *extra_file,
                            size_t n_extra, circle_roads **out, tc_error *err) {
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    tc_status st = skj_read_file(path, &text, &len, err);
    if (st) return st;
    skj j = {path, err, NULL};
    cJSON *root = NULL;
    st = skj_parse(&j, text, len, &root);
    free(text);
    if (st) return st;
    circle_roads *r = calloc(1, sizeof *r);
    if (!r) {
        cJSON_Delete(root);
        return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    }
    r->access_kmh = 25;
    r->access_detour = TC_DEFAULT_STRAIGHT_LINE_DETOUR;
    st = read_doc(&j, r, root, 0);
    cJSON_Delete(root);
    for (size_t k = 0; k < n_extra && !st; k++) {
        skj je = {extra_file && extra_file[k] ? extra_file[k] : "scenario", err, NULL};
        st = read_doc(&je, r, extra[k], 1);
    }
    if (st) {
        circle_roads_free(r);
        return st;
    }
    *out = r;
    return TC_OK;
}

size_t circle_roads_n_roads(const circle_roads *r) { return r ? r->n_roads : 0; }

/* The k nearest nodes to a point (k <= ROADS_NEAREST), with their local-street times in seconds. */
static size_t nearest(const circle_roads *r, double lat, double lon, uint32_t *idx, double *secs) {
    size_t n = 0;
    for (size_t i = 0; i < r->n_nodes; i++) {
        double t = haversine_m(lat, lon, r->lat[i], r->lon[i]) * r->access_detour / (r->access_kmh / 3.6);
        size_t k = n < ROADS_NEAREST ? n++ : ROADS_NEAREST;
        if (k == ROADS_NEAREST) {
            if (t >= secs[ROADS_NEAREST - 1]) continue;
            k = ROADS_NEAREST - 1;
        }
        while (k > 0 && secs[k - 1] > t) {
            secs[k] = secs[k - 1];
            idx[k] = idx[k - 1];
            k--;
        }
        secs[k] = t;
        idx[k] = (uint32_t)i;
    }
    return n;
}

double circle_roads_car_min(const circle_roads *r, double alat, double alon, double blat, double blon, int peak) {
    double direct = haversine_m(alat, alon, blat, blon) * r->access_detour / (r->access_kmh / 3.6);
    if (r->n_nodes == 0) return direct / 60.0;
    uint32_t ia[ROADS_NEAREST + 1], ib[ROADS_NEAREST + 1];
    double ta[ROADS_NEAREST + 1], tb[ROADS_NEAREST + 1];
    size_t na = nearest(r, alat, alon, ia, ta), nb = nearest(r, blat, blon, ib, tb);
    double *dist = malloc(r->n_nodes * sizeof *dist);
    uint8_t *done = calloc(r->n_nodes, 1);
    double best = direct;
    if (!dist || !done) {
        free(dist);
        free(done);
        return best / 60.0;
    }
    for (size_t i = 0; i < r->n_nodes; i++) dist[i] = INFINITY;
    for (size_t k = 0; k < na; k++)
        if (ta[k] < dist[ia[k]]) dist[ia[k]] = ta[k];
    for (;;) {
        size_t u = r->n_nodes;
        for (size_t i = 0; i < r->n_nodes; i++)
            if (!done[i] && isfinite(dist[i]) && (u == r->n_nodes || dist[i] < dist[u])) u = i;
        if (u == r->n_nodes || dist[u] >= best) break; /* nothing left that could beat the best so far */
        done[u] = 1;
        for (size_t k = 0; k < nb; k++)
            if (ib[k] == u && dist[u] + tb[k] < best) best = dist[u] + tb[k];
        for (size_t e = 0; e < r->n_edges; e++) {
            const road_edge *ed = &r->edges[e];
            uint32_t v;
            if (ed->a == u) v = ed->b;
            else if (ed->b == u) v = ed->a;
            else continue;
            double kmh = ed->speed_kmh * (peak ? ed->peak_factor : 1.0);
            double t = dist[u] + ed->len_m / (kmh / 3.6);
            if (t < dist[v]) dist[v] = t;
        }
    }
    free(dist);
    free(done);
    return best / 60.0;
}

/* ---- trucks ---- */

size_t circle_roads_n_truck_zones(const circle_roads *r) { return r ? r->n_zones : 0; }

const char *circle_roads_zone_city(const circle_roads *r, double lat, double lon) {
    const char *best = NULL;
    double bd = INFINITY;
    for (size_t z = 0; r && z < r->n_zones; z++) {
        double d = haversine_m(lat, lon, r->zones[z].lat, r->zones[z].lon);
        if (d < bd) bd = d, best = r->zones[z].city;
    }
    return best;
}

/* closed to this truck at this minute: inside a zone in its ban window whose city's permit the truck lacks */
static int truck_closed(const circle_roads *r, double lat, double lon, const circle_truck *t) {
    for (size_t z = 0; z < r->n_zones; z++) {
        const truck_zone *zn = &r->zones[z];
        if (t->all_permits || (t->permit_city && !strcmp(t->permit_city, zn->city))) continue;
        int m = (int)(t->depart_s / 60 % 1440);
        int in = zn->ban_start_min < zn->ban_end_min ? m >= zn->ban_start_min && m < zn->ban_end_min
                                                     : m >= zn->ban_start_min || m < zn->ban_end_min;
        if (in && haversine_m(lat, lon, zn->lat, zn->lon) < zn->radius_m) return 1;
    }
    return 0;
}

tc_status circle_roads_truck_from(const circle_roads *r, double alat, double alon, const circle_truck *t,
                                  const double *blat, const double *blon, size_t n, double *out_min) {
    for (size_t k = 0; k < n; k++) out_min[k] = INFINITY;
    if (truck_closed(r, alat, alon, t)) return TC_OK;
    double cap = r->truck_kmh > 0 ? r->truck_kmh : 80;
    double acc = fmin(r->access_kmh, cap);
    double slow = r->access_kmh / acc; /* local streets at the truck's speed */
    double *dist = malloc((r->n_nodes + 1) * sizeof *dist);
    uint8_t *done = calloc(r->n_nodes + 1, 1), *closed = calloc(r->n_nodes + 1, 1);
    if (!dist || !done || !closed) {
        free(dist), free(done), free(closed);
        return TC_ERR_NO_MEMORY;
    }
    uint32_t ia[ROADS_NEAREST + 1];
    double ta[ROADS_NEAREST + 1];
    size_t na = r->n_nodes ? nearest(r, alat, alon, ia, ta) : 0;
    for (size_t i = 0; i < r->n_nodes; i++) {
        dist[i] = INFINITY;
        closed[i] = (uint8_t)truck_closed(r, r->lat[i], r->lon[i], t);
    }
    for (size_t k = 0; k < na; k++)
        if (!closed[ia[k]] && ta[k] * slow < dist[ia[k]]) dist[ia[k]] = ta[k] * slow;
    for (;;) { /* the whole tree: every destination reads it */
        size_t u = r->n_nodes;
        for (size_t i = 0; i < r->n_nodes; i++)
            if (!done[i] && isfinite(dist[i]) && (u == r->n_nodes || dist[i] < dist[u])) u = i;
        if (u == r->n_nodes) break;
        done[u] = 1;
        for (size_t e = 0; e < r->n_edges; e++) {
            const road_edge *ed = &r->edges[e];
            uint32_t v;
            if (ed->a == u) v = ed->b;
            else if (ed->b == u) v = ed->a;
            else continue;
            if (closed[v]) continue;
            double kmh = fmin(ed->speed_kmh * (t->peak ? ed->peak_factor : 1.0), cap);
            double tt = dist[u] + ed->len_m / (kmh / 3.6);
            if (tt < dist[v]) dist[v] = tt;
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (truck_closed(r, blat[k], blon[k], t)) continue;
        double best = haversine_m(alat, alon, blat[k], blon[k]) * r->access_detour / (acc / 3.6);
        if (truck_closed(r, (alat + blat[k]) / 2, (alon + blon[k]) / 2, t)) best = INFINITY;
        uint32_t ib[ROADS_NEAREST + 1];
        double tb[ROADS_NEAREST + 1];
        size_t nb = r->n_nodes ? nearest(r, blat[k], blon[k], ib, tb) : 0;
        for (size_t j = 0; j < nb; j++)
            if (dist[ib[j]] + tb[j] * slow < best) best = dist[ib[j]] + tb[j] * slow;
        out_min[k] = best / 60.0;
    }
    free(dist), free(done), free(closed);
    return TC_OK;
}
