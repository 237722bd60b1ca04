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
#include "sketch/sk_json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define P 300
#define ROADS_NEAREST 3 /* a trip may join or leave the road model at any of its 3 nearest nodes */

typedef struct road_edge {
    uint32_t a, b;
    double len_m, speed_kmh, peak_factor;
} road_edge;

struct circle_roads {
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
                ed->len_m = tc_haversine_m(r->lat[prev], r->lon[prev], r->lat[v], r->lon[v]) * detour;
                ed->speed_kmh = speed;
                ed->peak_factor = peak;
            }
            prev = v;
        }
        r->n_roads++;
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
        static const char *const keys[] = {"road_version", "name", "description", "access", "nodes", "roads", NULL};
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
        return tc_fail(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    }
    r->access_kmh = 25;
    r->access_detour = 1.3;
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
        double t = tc_haversine_m(lat, lon, r->lat[i], r->lon[i]) * r->access_detour / (r->access_kmh / 3.6);
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
    double direct = tc_haversine_m(alat, alon, blat, blon) * r->access_detour / (r->access_kmh / 3.6);
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
