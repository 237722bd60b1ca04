/*
 * scenario.c — parse scenario files into plain C, and apply their transit modifications to a gtfs_feed (see
 * scenario.h; the format is documented in data/changzhutan/README.md).
 *
 * Applying works on the feed's own tables, so the network builder sees an ordinary feed afterwards:
 *  - set_headways keeps one template per distinct stop sequence of the selected trips (the trip running nearest
 *    the first period), gives it frequencies.txt rows for the periods, and removes the scheduled trips that start
 *    inside the periods and the parts of frequency rows that overlap them — R5's adjust-frequency does the same;
 *  - change_run_times rewrites stop_times hop by hop and shifts the rest of the trip by the difference, so the
 *    trips of a pattern keep their order;
 *  - removals mark records and compact the feed once (fe_compact), remapping every index.
 */
#include "sketch/scenario.h"
#include "sketch/sketch.h"
#include "common/json_file.h"
#include "common/geo.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P 300

static const char *const kind_names[] = {"", "add_line", "set_headways", "remove_route", "remove_stop",
                                         "change_run_times", "set_transfer", "car_speeds", "add_road"};

const char *scenario_kind_name(scenario_kind k) {
    return (k >= SCN_ADD_LINE && k <= SCN_ADD_ROAD) ? kind_names[k] : "unknown";
}

/* ------------------------------------------------------------------------------------------ parsing */

static char *pdup(scenario *s, const char *v) { return v ? sk_pool_strdup(&s->pool, v) : NULL; }

static tc_status parse_periods(skj *j, const cJSON *o, const char *path, scenario_mod *m) {
    const cJSON *arr = NULL;
    tc_status st = skj_array(j, o, path, "periods", 1, 1, &arr);
    if (st) return st;
    m->n_periods = (size_t)cJSON_GetArraySize(arr);
    m->periods = calloc(m->n_periods, sizeof *m->periods);
    if (!m->periods) return skj_fail_code(j, TC_ERR_NO_MEMORY, path, "out of memory");
    char p[P], q[P], r[P];
    skj_key(q, sizeof q, path, "periods");
    size_t i = 0;
    static const char *const keys[] = {"from", "to", "headway_min", NULL};
    for (const cJSON *x = arr->child; x; x = x->next, i++) {
        skj_idx(p, sizeof p, q, i);
        if ((st = skj_object(j, x, p))) return st;
        skj_check_keys(j, x, p, keys);
        const cJSON *fv = cJSON_GetObjectItemCaseSensitive(x, "from"), *tv = cJSON_GetObjectItemCaseSensitive(x, "to");
        if (!fv) return skj_fail(j, skj_key(r, sizeof r, p, "from"), "missing: expected a time \"HH:MM\"");
        if (!tv) return skj_fail(j, skj_key(r, sizeof r, p, "to"), "missing: expected a time \"HH:MM\"");
        scenario_period *pe = &m->periods[i];
        double h = 0;
        if ((st = skj_time_value(j, fv, skj_key(r, sizeof r, p, "from"), &pe->from)) ||
            (st = skj_time_value(j, tv, skj_key(r, sizeof r, p, "to"), &pe->to)) ||
            (st = skj_number(j, x, p, "headway_min", 1, 0.05, 1440, &h)))
            return st;
        pe->headway_s = (int32_t)lround(h * 60);
        if (pe->to <= pe->from) return skj_fail(j, skj_key(r, sizeof r, p, "to"), "must be later than \"from\"");
        if (i > 0 && pe->from < m->periods[i - 1].to)
            return skj_fail(j, skj_key(r, sizeof r, p, "from"),
                            "overlaps the previous period (periods must be in time order and not overlap)");
    }
    return TC_OK;
}

static tc_status parse_selector(skj *j, scenario *s, const cJSON *o, const char *path, scenario_mod *m) {
    const char *route = NULL, *pattern = NULL, *trip = NULL;
    long dir = -1;
    tc_status st;
    if ((st = skj_string(j, o, path, "route", 1, &route)) || (st = skj_string(j, o, path, "pattern", 0, &pattern)) ||
        (st = skj_string(j, o, path, "trip", 0, &trip)) || (st = skj_int(j, o, path, "direction", 0, 0, 1, &dir)))
        return st;
    if (pattern && trip) return skj_fail(j, path, "give \"pattern\" or \"trip\", not both");
    m->route = pdup(s, route);
    m->pattern = pdup(s, pattern);
    m->trip = pdup(s, trip);
    m->direction = (int)dir;
    if (!m->route || (pattern && !m->pattern) || (trip && !m->trip))
        return skj_fail_code(j, TC_ERR_NO_MEMORY, path, "out of memory");
    return TC_OK;
}

/* One parser per modification kind, each checking its own keys: parse_mod() reads the common "type" and
 * dispatches, so a new kind adds one function and one case. */

/* add_line: the line is kept as JSON and built later by the sketch builder, which knows its syntax. */
static tc_status parse_add_line(skj *j, const cJSON *o, const char *path, scenario_mod *m) {
    static const char *const keys[] = {"type", "line", NULL};
    skj_check_keys(j, o, path, keys);
    char p[P];
    const cJSON *line = cJSON_GetObjectItemCaseSensitive(o, "line");
    skj_key(p, sizeof p, path, "line");
    if (!line) return skj_fail(j, p, "missing: expected a line in sketch syntax {\"id\", \"route_type\", "
                                     "\"stations\", ...}");
    tc_status st = skj_object(j, line, p);
    if (st) return st;
    const char *id = NULL;
    if ((st = skj_string(j, line, p, "id", 1, &id))) return st;
    if (!(m->line = cJSON_Duplicate(line, 1))) return skj_fail_code(j, TC_ERR_NO_MEMORY, path, "out of memory");
    return TC_OK;
}

/* add_road: kept as JSON too, for the road model's own reader. */
static tc_status parse_add_road(skj *j, const cJSON *o, const char *path, scenario_mod *m) {
    static const char *const keys[] = {"type", "roads", "nodes", NULL};
    skj_check_keys(j, o, path, keys);
    const cJSON *roads = NULL, *nodes = NULL;
    tc_status st;
    if ((st = skj_array(j, o, path, "roads", 1, 1, &roads)) || (st = skj_array(j, o, path, "nodes", 0, 0, &nodes)))
        return st;
    if (!(m->road = cJSON_Duplicate(o, 1))) return skj_fail_code(j, TC_ERR_NO_MEMORY, path, "out of memory");
    return TC_OK;
}

static tc_status parse_set_headways(skj *j, scenario *s, const cJSON *o, const char *path, scenario_mod *m) {
    static const char *const keys[] = {"type", "route", "pattern", "trip", "direction", "periods",
                                       "exact_times", NULL};
    skj_check_keys(j, o, path, keys);
    tc_status st;
    if ((st = parse_selector(j, s, o, path, m)) || (st = parse_periods(j, o, path, m)) ||
        (st = skj_bool(j, o, path, "exact_times", 0, &m->exact_times)))
        return st;
    return TC_OK;
}

/* remove_route and remove_stop: one required id, under the key `key`, into *out. */
static tc_status parse_removal(skj *j, scenario *s, const cJSON *o, const char *path, const char *key,
                               char **out) {
    const char *const keys[] = {"type", key, NULL};
    skj_check_keys(j, o, path, keys);
    const char *id = NULL;
    tc_status st = skj_string(j, o, path, key, 1, &id);
    if (st) return st;
    if (!(*out = pdup(s, id))) return skj_fail_code(j, TC_ERR_NO_MEMORY, path, "out of memory");
    return TC_OK;
}

static tc_status parse_change_run_times(skj *j, scenario *s, const cJSON *o, const char *path, scenario_mod *m) {
    static const char *const keys[] = {"type", "route", "pattern", "trip", "direction", "factor", "speed_kmh",
                                       "detour", "dwell_s", "from_stop", "to_stop", NULL};
    skj_check_keys(j, o, path, keys);
    const char *a = NULL, *b = NULL;
    tc_status st;
    if ((st = parse_selector(j, s, o, path, m)) || (st = skj_number(j, o, path, "factor", 0, 0.05, 20, &m->factor)) ||
        (st = skj_number(j, o, path, "speed_kmh", 0, 1, 1000, &m->speed_kmh)) ||
        (st = skj_number(j, o, path, "detour", 0, 1, 5, &m->detour)) ||
        (st = skj_number(j, o, path, "dwell_s", 0, 0, 3600, &m->dwell_s)) ||
        (st = skj_string(j, o, path, "from_stop", 0, &a)) || (st = skj_string(j, o, path, "to_stop", 0, &b)))
        return st;
    if (m->factor > 0 && m->speed_kmh > 0) return skj_fail(j, path, "give \"factor\" or \"speed_kmh\", not both");
    if (m->factor <= 0 && m->speed_kmh <= 0 && m->dwell_s < 0)
        return skj_fail(j, path, "nothing to change: expected \"factor\", \"speed_kmh\" or \"dwell_s\"");
    m->from_stop = pdup(s, a);
    m->to_stop = pdup(s, b);
    return TC_OK;
}

/* set_transfer: exactly one of a minimum time, timed or not possible — the GTFS transfer_type 2, 1 or 3. */
static tc_status parse_set_transfer(skj *j, scenario *s, const cJSON *o, const char *path, scenario_mod *m) {
    static const char *const keys[] = {"type", "from_stop", "to_stop", "from_route", "to_route",
                                       "min_transfer_min", "timed", "not_possible", NULL};
    skj_check_keys(j, o, path, keys);
    const char *a = NULL, *b = NULL, *ra = NULL, *rb = NULL;
    double tmin = -1;
    int timed = 0, never = 0;
    tc_status st;
    if ((st = skj_string(j, o, path, "from_stop", 1, &a)) || (st = skj_string(j, o, path, "to_stop", 0, &b)) ||
        (st = skj_string(j, o, path, "from_route", 0, &ra)) || (st = skj_string(j, o, path, "to_route", 0, &rb)) ||
        (st = skj_number(j, o, path, "min_transfer_min", 0, 0, 240, &tmin)) ||
        (st = skj_bool(j, o, path, "timed", 0, &timed)) || (st = skj_bool(j, o, path, "not_possible", 0, &never)))
        return st;
    if ((tmin >= 0) + timed + never != 1)
        return skj_fail(j, path, "expected exactly one of \"min_transfer_min\", \"timed\": true, "
                                 "\"not_possible\": true");
    m->transfer_type = timed ? 1 : never ? 3 : 2;
    m->min_transfer_time = tmin >= 0 ? (int32_t)lround(tmin * 60) : timed ? 0 : -1;
    m->from_stop = pdup(s, a);
    m->to_stop = pdup(s, b ? b : a);
    m->from_route = pdup(s, ra);
    m->to_route = pdup(s, rb);
    return TC_OK;
}

/* car_speeds "ways": OSM way ids, whole numbers that a double holds exactly. */
static tc_status parse_way_ids(skj *j, const cJSON *ways, const char *path, scenario_mod *m) {
    char p[P], q[P];
    m->n_way_ids = (size_t)cJSON_GetArraySize(ways);
    if (!(m->way_ids = calloc(m->n_way_ids, sizeof *m->way_ids)))
        return skj_fail_code(j, TC_ERR_NO_MEMORY, path, "out of memory");
    skj_key(q, sizeof q, path, "ways");
    size_t i = 0;
    for (const cJSON *x = ways->child; x; x = x->next, i++) {
        double v = cJSON_IsNumber(x) ? x->valuedouble : -1;
        if (v < 1 || v != floor(v) || v > 9007199254740992.0)
            return skj_fail(j, skj_idx(p, sizeof p, q, i), "expected an OSM way id (a positive whole number)");
        m->way_ids[i] = (int64_t)v;
    }
    return TC_OK;
}

/* car_speeds "polygon": [lon, lat] points in GeoJSON order, stored flat. */
static tc_status parse_polygon(skj *j, const cJSON *poly, const char *path, scenario_mod *m) {
    char p[P], q[P];
    m->n_polygon = (size_t)cJSON_GetArraySize(poly);
    if (!(m->polygon = calloc(2 * m->n_polygon, sizeof *m->polygon)))
        return skj_fail_code(j, TC_ERR_NO_MEMORY, path, "out of memory");
    skj_key(q, sizeof q, path, "polygon");
    size_t i = 0;
    for (const cJSON *x = poly->child; x; x = x->next, i++) {
        const cJSON *lo = cJSON_GetArrayItem(x, 0), *la = cJSON_GetArrayItem(x, 1);
        if (!cJSON_IsArray(x) || cJSON_GetArraySize(x) != 2 || !cJSON_IsNumber(lo) || !cJSON_IsNumber(la) ||
            fabs(lo->valuedouble) > 180 || fabs(la->valuedouble) > 90)
            return skj_fail(j, skj_idx(p, sizeof p, q, i), "expected a point [lon, lat] (GeoJSON order)");
        m->polygon[2 * i] = lo->valuedouble;
        m->polygon[2 * i + 1] = la->valuedouble;
    }
    return TC_OK;
}

/* car_speeds: which roads (way ids and/or a polygon) and how (a speed or a factor, exactly one). */
static tc_status parse_car_speeds(skj *j, const cJSON *o, const char *path, scenario_mod *m) {
    static const char *const keys[] = {"type", "ways", "polygon", "speed_kmh", "factor", NULL};
    skj_check_keys(j, o, path, keys);
    const cJSON *ways = NULL, *poly = NULL;
    tc_status st;
    if ((st = skj_array(j, o, path, "ways", 0, 1, &ways)) || (st = skj_array(j, o, path, "polygon", 0, 3, &poly)) ||
        (st = skj_number(j, o, path, "speed_kmh", 0, 1, 300, &m->car_speed_kmh)) ||
        (st = skj_number(j, o, path, "factor", 0, 0.01, 10, &m->car_factor)))
        return st;
    if (!ways && !poly) return skj_fail(j, path, "expected \"ways\" [OSM way ids] or \"polygon\" [[lon, lat], ...]");
    if ((m->car_speed_kmh > 0) == (m->car_factor > 0))
        return skj_fail(j, path, "expected exactly one of \"speed_kmh\" or \"factor\"");
    if (ways && (st = parse_way_ids(j, ways, path, m))) return st;
    if (poly && (st = parse_polygon(j, poly, path, m))) return st;
    return TC_OK;
}

static tc_status parse_mod(skj *j, scenario *s, const cJSON *o, const char *path, scenario_mod *m) {
    tc_status st = skj_object(j, o, path);
    if (st) return st;
    const char *type = NULL;
    if ((st = skj_string(j, o, path, "type", 1, &type))) return st;
    snprintf(m->path, sizeof m->path, "%s", path);
    m->direction = -1;
    m->dwell_s = -1;
    m->detour = 1.0;
    char p[P];
    int k = 0;
    for (int i = SCN_ADD_LINE; i <= SCN_ADD_ROAD; i++)
        if (!strcmp(type, kind_names[i])) k = i;
    if (!k)
        return skj_fail(j, skj_key(p, sizeof p, path, "type"),
                        "unknown modification \"%s\" (expected add_line, set_headways, remove_route, remove_stop, "
                        "change_run_times, set_transfer, car_speeds or add_road)", type);
    m->kind = (scenario_kind)k;
    switch (m->kind) {
    case SCN_ADD_LINE: return parse_add_line(j, o, path, m);
    case SCN_ADD_ROAD: return parse_add_road(j, o, path, m);
    case SCN_SET_HEADWAYS: return parse_set_headways(j, s, o, path, m);
    case SCN_REMOVE_ROUTE: return parse_removal(j, s, o, path, "route", &m->route);
    case SCN_REMOVE_STOP: return parse_removal(j, s, o, path, "stop", &m->stop);
    case SCN_CHANGE_RUN_TIMES: return parse_change_run_times(j, s, o, path, m);
    case SCN_SET_TRANSFER: return parse_set_transfer(j, s, o, path, m);
    case SCN_CAR_SPEEDS: return parse_car_speeds(j, o, path, m);
    }
    return TC_OK;
}

tc_status scenario_parse(const char *text, size_t len, const char *file, diag_log *diag, scenario **out,
                         tc_error *err) {
    skj j = {file ? file : "", err, diag};
    cJSON *root = NULL;
    tc_status st = skj_parse(&j, text, len, &root);
    if (st) return st;
    scenario *s = calloc(1, sizeof *s);
    if (!s) {
        cJSON_Delete(root);
        return error_set(err, TC_ERR_NO_MEMORY, file, 0, 0, "out of memory");
    }
    s->merge_radius_m = 200;
    static const char *const keys[] = {"name", "description", "merge_radius_m", "modifications", NULL};
    const char *name = NULL, *desc = "";
    const cJSON *mods = NULL;
    if ((st = skj_object(&j, root, ""))) goto fail;
    skj_check_keys(&j, root, "", keys);
    if ((st = skj_string(&j, root, "", "name", 1, &name)) || (st = skj_string(&j, root, "", "description", 0, &desc)) ||
        (st = skj_number(&j, root, "", "merge_radius_m", 0, 0, 5000, &s->merge_radius_m)) ||
        (st = skj_array(&j, root, "", "modifications", 1, 1, &mods)))
        goto fail;
    if (!strcmp(name, "baseline")) {
        st = skj_fail(&j, "name", "\"baseline\" is the name of the unmodified network: choose another");
        goto fail;
    }
    s->name = pdup(s, name);
    s->description = pdup(s, desc);
    s->file = pdup(s, file ? file : "");
    s->n_mods = (size_t)cJSON_GetArraySize(mods);
    s->mods = calloc(s->n_mods, sizeof *s->mods);
    if (!s->name || !s->description || !s->file || !s->mods) {
        st = error_set(err, TC_ERR_NO_MEMORY, file, 0, 0, "out of memory");
        goto fail;
    }
    size_t i = 0;
    char p[P];
    for (const cJSON *x = mods->child; x; x = x->next, i++)
        if ((st = parse_mod(&j, s, x, skj_idx(p, sizeof p, "modifications", i), &s->mods[i]))) goto fail;
    cJSON_Delete(root);
    *out = s;
    return TC_OK;
fail:
    cJSON_Delete(root);
    scenario_free(s);
    return st;
}

tc_status scenario_read(const char *path, diag_log *diag, scenario **out, tc_error *err) {
    char *text = NULL;
    size_t len = 0;
    tc_status st = skj_read_file(path, &text, &len, err);
    if (st) return st;
    st = scenario_parse(text, len, path, diag, out, err);
    free(text);
    return st;
}

void scenario_free(scenario *s) {
    if (!s) return;
    for (size_t i = 0; s->mods && i < s->n_mods; i++) {
        scenario_mod *m = &s->mods[i];
        free(m->periods);
        cJSON_Delete(m->line);
        cJSON_Delete(m->road);
        free(m->way_ids);
        free(m->polygon);
    }
    free(s->mods);
    sk_pool_free(&s->pool);
    free(s);
}

int scenario_polygon_contains(const scenario_mod *m, double lat, double lon) {
    if (!m || m->n_polygon < 3) return 0;
    int in = 0;
    for (size_t i = 0, k = m->n_polygon - 1; i < m->n_polygon; k = i++) {
        double xi = m->polygon[2 * i], yi = m->polygon[2 * i + 1];
        double xk = m->polygon[2 * k], yk = m->polygon[2 * k + 1];
        if ((yi > lat) != (yk > lat) && lon < (xk - xi) * (lat - yi) / (yk - yi) + xi) in = !in;
    }
    return in;
}

/* ------------------------------------------------------------------------------------------ applying */

typedef struct actx {
    skj j;
    feed_edit e;
    scenario *s;
} actx;

static const char *strip_feed(const gtfs_feed *f, const char *id) {
    size_t n = f->name ? strlen(f->name) : 0;
    if (n && !strncmp(id, f->name, n) && id[n] == ':') return id + n + 1;
    return id;
}

static tc_status find_route(actx *a, const scenario_mod *m, const char *key, const char *id, int32_t *out) {
    int32_t r = fe_find_route(a->e.f, strip_feed(a->e.f, id));
    char p[P];
    if (r == GTFS_NONE)
        return skj_fail_code(&a->j, TC_ERR_NOT_FOUND, skj_key(p, sizeof p, m->path, key), "no route \"%s\" in feed \"%s\"",
                             id, a->e.f->name ? a->e.f->name : "");
    *out = r;
    return TC_OK;
}

static tc_status find_stop(actx *a, const scenario_mod *m, const char *key, const char *id, int32_t *out) {
    int32_t s = fe_find_stop(a->e.f, strip_feed(a->e.f, id));
    char p[P];
    if (s == GTFS_NONE)
        return skj_fail_code(&a->j, TC_ERR_NOT_FOUND, skj_key(p, sizeof p, m->path, key), "no stop \"%s\" in feed \"%s\"",
                             id, a->e.f->name ? a->e.f->name : "");
    *out = s;
    return TC_OK;
}

static int same_stops(const gtfs_feed *f, int32_t t, int32_t u) {
    const gtfs_trip *a = &f->trips[t], *b = &f->trips[u];
    if (a->st_count != b->st_count) return 0;
    for (uint32_t i = 0; i < a->st_count; i++)
        if (f->stop_times[a->st_begin + i].stop != f->stop_times[b->st_begin + i].stop) return 0;
    return 1;
}

/* Mark the trips a modification selects; error when none. */
static tc_status select_trips(actx *a, const scenario_mod *m, uint8_t *sel, size_t *n_sel) {
    gtfs_feed *f = a->e.f;
    int32_t r = 0;
    tc_status st = find_route(a, m, "route", m->route, &r);
    if (st) return st;
    int32_t tref = GTFS_NONE;
    char p[P];
    if (m->trip) {
        tref = fe_find_trip(f, strip_feed(f, m->trip));
        if (tref == GTFS_NONE || f->trips[tref].route != r)
            return skj_fail_code(&a->j, TC_ERR_NOT_FOUND, skj_key(p, sizeof p, m->path, "trip"),
                                 "no trip \"%s\" on route \"%s\"", m->trip, m->route);
    }
    char prefix[512];
    if (m->pattern) snprintf(prefix, sizeof prefix, "%s.%s.", f->routes[r].id, m->pattern);
    size_t n = 0;
    for (size_t t = 0; t < f->n_trips; t++) {
        const gtfs_trip *tr = &f->trips[t];
        int ok = tr->route == r;
        if (ok && m->pattern) ok = !strncmp(tr->id, prefix, strlen(prefix));
        if (ok && tref != GTFS_NONE) ok = same_stops(f, (int32_t)t, tref);
        if (ok && m->direction >= 0) ok = tr->direction_id == m->direction;
        sel[t] = (uint8_t)ok;
        n += (size_t)ok;
    }
    if (n == 0) {
        if (m->pattern)
            return skj_fail_code(&a->j, TC_ERR_NOT_FOUND, skj_key(p, sizeof p, m->path, "pattern"),
                                 "no trips of pattern \"%s\" on route \"%s\"%s", m->pattern, m->route,
                                 m->direction >= 0 ? " in that direction" : "");
        return skj_fail_code(&a->j, TC_ERR_NOT_FOUND, m->path, "route \"%s\" has no trips to change", m->route);
    }
    *n_sel = n;
    return TC_OK;
}

static int in_periods(const scenario_mod *m, int32_t t) {
    for (size_t i = 0; i < m->n_periods; i++)
        if (t >= m->periods[i].from && t < m->periods[i].to) return 1;
    return 0;
}

static tc_status apply_headways(actx *a, const scenario_mod *m) {
    gtfs_feed *f = a->e.f;
    size_t n_trips = f->n_trips, n_sel = 0;
    uint8_t *sel = calloc(n_trips ? n_trips : 1, 1), *has_freq = calloc(n_trips ? n_trips : 1, 1),
            *keep = malloc(n_trips ? n_trips : 1), *grouped = calloc(n_trips ? n_trips : 1, 1);
    tc_status st = TC_OK;
    if (!sel || !has_freq || !keep || !grouped) {
        st = skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
        goto out;
    }
    if ((st = select_trips(a, m, sel, &n_sel))) goto out;
    for (size_t i = 0; i < f->n_frequencies; i++) has_freq[f->frequencies[i].trip] = 1;
    /* One new template per distinct stop sequence among the selected trips. */
    for (size_t t = 0; t < n_trips && !st; t++) {
        if (!sel[t] || grouped[t]) continue;
        int32_t rep = (int32_t)t;
        int32_t best = INT32_MAX;
        for (size_t u = t; u < n_trips; u++) {
            if (!sel[u] || grouped[u] || !same_stops(f, (int32_t)t, (int32_t)u)) continue;
            grouped[u] = 1;
            int32_t gap = fe_trip_start(f, (int32_t)u) - m->periods[0].from;
            if (gap < 0) gap = 1000000 - gap; /* prefer trips at or after the first period */
            if (gap < best) {
                best = gap;
                rep = (int32_t)u;
            }
        }
        const gtfs_trip rt = f->trips[rep];
        gtfs_stop_time *tmp = malloc(rt.st_count * sizeof *tmp);
        if (!tmp) {
            st = skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
            break;
        }
        int32_t shift = m->periods[0].from - f->stop_times[rt.st_begin].departure;
        for (uint32_t i = 0; i < rt.st_count; i++) {
            tmp[i] = f->stop_times[rt.st_begin + i];
            tmp[i].arrival += shift;
            tmp[i].departure += shift;
        }
        char id[512];
        snprintf(id, sizeof id, "%s.%s", rt.id, a->s->name);
        for (int k = 2; fe_find_trip(f, id) != GTFS_NONE && k < 1000; k++)
            snprintf(id, sizeof id, "%s.%s%d", rt.id, a->s->name, k);
        int32_t nt = fe_add_trip(&a->e, id, rt.route, rt.service, rt.direction_id, rt.headsign, tmp, rt.st_count);
        free(tmp);
        if (nt < 0) {
            st = skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
            break;
        }
        f->trips[nt].wheelchair_accessible = rt.wheelchair_accessible;
        for (size_t i = 0; i < m->n_periods && !st; i++)
            if (fe_add_frequency(&a->e, nt, m->periods[i].from, m->periods[i].to, m->periods[i].headway_s,
                                 m->exact_times))
                st = skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
    }
    if (st) goto out;
    /* Cut the periods out of the selected trips' frequency rows (a row may split in two). */
    {
        size_t cap = f->n_frequencies * (m->n_periods + 1) + 1;
        gtfs_frequency *nf = malloc(cap * sizeof *nf);
        if (!nf) {
            st = skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
            goto out;
        }
        size_t k = 0;
        uint8_t *rows_left = calloc(n_trips ? n_trips : 1, 1);
        if (!rows_left) {
            free(nf);
            st = skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < f->n_frequencies; i++) {
            gtfs_frequency q = f->frequencies[i];
            if ((size_t)q.trip >= n_trips || !sel[q.trip]) {
                nf[k++] = q;
                continue;
            }
            int32_t start = q.start_time;
            for (size_t pi = 0; pi < m->n_periods && start < q.end_time; pi++) {
                const scenario_period *pe = &m->periods[pi];
                if (pe->to <= start || pe->from >= q.end_time) continue;
                if (pe->from > start) {
                    gtfs_frequency piece = q;
                    piece.start_time = start;
                    piece.end_time = pe->from;
                    nf[k++] = piece;
                    rows_left[q.trip] = 1;
                }
                start = pe->to;
            }
            if (start < q.end_time) {
                gtfs_frequency piece = q;
                piece.start_time = start;
                nf[k++] = piece;
                rows_left[q.trip] = 1;
            }
        }
        free(f->frequencies); /* a row may have split in two: the new array replaces the old */
        f->frequencies = nf;
        a->e.cap_frequencies = cap;
        f->n_frequencies = k;
        for (size_t t = 0; t < n_trips; t++) {
            keep[t] = 1;
            if (!sel[t]) continue;
            if (has_freq[t]) keep[t] = rows_left[t];
            else keep[t] = !in_periods(m, fe_trip_start(f, (int32_t)t));
        }
        free(rows_left);
    }
    {
        /* The new templates (appended after n_trips) are kept. */
        uint8_t *keep_all = malloc(f->n_trips ? f->n_trips : 1);
        if (!keep_all) {
            st = skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
            goto out;
        }
        for (size_t t = 0; t < f->n_trips; t++) keep_all[t] = t < n_trips ? keep[t] : 1;
        if (fe_compact(&a->e, NULL, NULL, keep_all, NULL))
            st = skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
        free(keep_all);
    }
out:
    free(sel);
    free(has_freq);
    free(keep);
    free(grouped);
    return st;
}

static tc_status apply_run_times(actx *a, const scenario_mod *m) {
    gtfs_feed *f = a->e.f;
    size_t n_sel = 0;
    uint8_t *sel = calloc(f->n_trips ? f->n_trips : 1, 1);
    if (!sel) return skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
    tc_status st = select_trips(a, m, sel, &n_sel);
    int32_t sa = GTFS_NONE, sb = GTFS_NONE;
    if (!st && m->from_stop) st = find_stop(a, m, "from_stop", m->from_stop, &sa);
    if (!st && m->to_stop) st = find_stop(a, m, "to_stop", m->to_stop, &sb);
    size_t changed = 0;
    for (size_t t = 0; t < f->n_trips && !st; t++) {
        if (!sel[t]) continue;
        gtfs_trip *tr = &f->trips[t];
        gtfs_stop_time *s = &f->stop_times[tr->st_begin];
        int n = (int)tr->st_count, ia = 0, ib = n - 1;
        if (sa != GTFS_NONE) {
            for (ia = 0; ia < n && s[ia].stop != sa; ia++) {}
            if (ia == n) continue;
        }
        if (sb != GTFS_NONE) {
            for (ib = ia + 1; ib < n && s[ib].stop != sb; ib++) {}
            if (ib >= n) continue;
        }
        changed++;
        double dep = s[ia].departure; /* new times, as doubles to round once */
        int32_t old_dep = s[ia].departure;
        for (int k = ia; k + 1 < n; k++) {
            int32_t old_run = s[k + 1].arrival - old_dep;
            int32_t old_dwell = s[k + 1].departure - s[k + 1].arrival;
            old_dep = s[k + 1].departure;
            double run = old_run, dwell = old_dwell;
            if (k < ib) {
                if (m->factor > 0) run = old_run * m->factor;
                else if (m->speed_kmh > 0) {
                    const gtfs_stop *x = &f->stops[s[k].stop], *y = &f->stops[s[k + 1].stop];
                    run = haversine_m(x->lat, x->lon, y->lat, y->lon) * m->detour / (m->speed_kmh / 3.6);
                }
                if (m->dwell_s >= 0 && k + 1 < ib && k + 1 < n - 1) dwell = m->dwell_s;
            }
            double arr = dep + run;
            s[k + 1].arrival = (int32_t)lround(arr);
            dep = arr + dwell;
            s[k + 1].departure = (int32_t)lround(dep);
            if (s[k + 1].departure < s[k + 1].arrival) s[k + 1].departure = s[k + 1].arrival;
        }
    }
    if (!st && changed == 0) {
        char p[P];
        st = skj_fail_code(&a->j, TC_ERR_NOT_FOUND, skj_key(p, sizeof p, m->path, m->from_stop ? "from_stop" : "route"),
                           "no selected trip of route \"%s\" runs from \"%s\" to \"%s\"", m->route,
                           m->from_stop ? m->from_stop : "(start)", m->to_stop ? m->to_stop : "(end)");
    }
    free(sel);
    return st;
}

static tc_status apply_mod(actx *a, const scenario_mod *m) {
    gtfs_feed *f = a->e.f;
    tc_status st = TC_OK;
    char p[P];
    switch (m->kind) {
    case SCN_ADD_LINE:
        return sketch_add_line(f, &a->s->pool, m->line, a->s->merge_radius_m, a->j.file,
                               skj_key(p, sizeof p, m->path, "line"), a->j.diag, a->j.err);
    case SCN_SET_HEADWAYS:
        return apply_headways(a, m);
    case SCN_CHANGE_RUN_TIMES:
        return apply_run_times(a, m);
    case SCN_REMOVE_ROUTE: {
        int32_t r = 0;
        if ((st = find_route(a, m, "route", m->route, &r))) return st;
        uint8_t *keep = malloc(f->n_routes);
        if (!keep) return skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
        memset(keep, 1, f->n_routes);
        keep[r] = 0;
        int bad = fe_compact(&a->e, NULL, keep, NULL, NULL);
        free(keep);
        return bad ? skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory") : TC_OK;
    }
    case SCN_REMOVE_STOP: {
        int32_t s = 0;
        if ((st = find_stop(a, m, "stop", m->stop, &s))) return st;
        uint8_t *keep = malloc(f->n_stops);
        if (!keep) return skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
        memset(keep, 1, f->n_stops);
        keep[s] = 0;
        /* A station goes with its stops. */
        for (size_t i = 0; i < f->n_stops; i++)
            if (f->stops[i].parent == s) keep[i] = 0;
        int bad = fe_compact(&a->e, keep, NULL, NULL, NULL);
        free(keep);
        return bad ? skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory") : TC_OK;
    }
    case SCN_SET_TRANSFER: {
        int32_t x = 0, y = 0, rx = GTFS_NONE, ry = GTFS_NONE;
        if ((st = find_stop(a, m, "from_stop", m->from_stop, &x)) || (st = find_stop(a, m, "to_stop", m->to_stop, &y)))
            return st;
        if (m->from_route && (st = find_route(a, m, "from_route", m->from_route, &rx))) return st;
        if (m->to_route && (st = find_route(a, m, "to_route", m->to_route, &ry))) return st;
        if (sketch_set_transfer(&a->e, x, y, rx, ry, m->transfer_type, m->min_transfer_time))
            return skj_fail_code(&a->j, TC_ERR_NO_MEMORY, m->path, "out of memory");
        return TC_OK;
    }
    case SCN_CAR_SPEEDS:
        return TC_OK; /* applied by the street builder */
    case SCN_ADD_ROAD:
        return TC_OK; /* applied by the report's road model */
    }
    return TC_OK;
}

tc_status scenario_apply(gtfs_feed *feed, scenario *s, diag_log *diag, tc_error *err) {
    return scenario_apply_feeds(&feed, 1, s, diag, err);
}

/* 1 when id names feed f ("F:..." with f's name, or a bare id that exists in f according to exists). */
static int prefixed_for(const gtfs_feed *f, const char *id) {
    size_t n = f->name ? strlen(f->name) : 0;
    return id && n && !strncmp(id, f->name, n) && id[n] == ':';
}

/* The feed a modification is about: the one its ids name by prefix, else the first that has its main id. */
static int32_t target_feed(gtfs_feed **feeds, size_t n, const scenario_mod *m) {
    if (n == 1) return 0;
    const char *ids[6] = {m->route, m->stop, m->from_stop, m->to_stop, m->trip, NULL};
    for (size_t k = 0; k < 5; k++)
        for (size_t i = 0; ids[k] && i < n; i++)
            if (prefixed_for(feeds[i], ids[k])) return (int32_t)i;
    for (size_t i = 0; i < n; i++) {
        const gtfs_feed *f = feeds[i];
        switch (m->kind) {
        case SCN_SET_HEADWAYS:
        case SCN_CHANGE_RUN_TIMES:
        case SCN_REMOVE_ROUTE:
            if (fe_find_route(f, m->route) != GTFS_NONE) return (int32_t)i;
            break;
        case SCN_REMOVE_STOP:
            if (fe_find_stop(f, m->stop) != GTFS_NONE) return (int32_t)i;
            break;
        case SCN_SET_TRANSFER:
            if (fe_find_stop(f, m->from_stop) != GTFS_NONE) return (int32_t)i;
            break;
        case SCN_ADD_LINE: {
            /* The feed of the first station given as a reference ("ID" or {"stop": "ID"}). */
            const cJSON *st = cJSON_GetObjectItemCaseSensitive(m->line, "stations"), *x;
            cJSON_ArrayForEach(x, st) {
                const cJSON *ref = cJSON_IsString(x) ? x : cJSON_GetObjectItemCaseSensitive(x, "stop");
                if (!cJSON_IsString(ref)) continue;
                for (size_t k = 0; k < n; k++)
                    if (prefixed_for(feeds[k], ref->valuestring) ||
                        fe_find_stop(feeds[k], ref->valuestring) != GTFS_NONE)
                        return (int32_t)k;
                break;
            }
            return 0; /* a line of new stops only: the first feed */
        }
        case SCN_CAR_SPEEDS:
        case SCN_ADD_ROAD:
            return 0;
        }
    }
    return GTFS_NONE;
}

tc_status scenario_apply_feeds(gtfs_feed **feeds, size_t n, scenario *s, diag_log *diag, tc_error *err) {
    actx a = {{s->file ? s->file : "", err, diag}, {0}, s};
    if (n == 0) return error_set(err, TC_ERR_INVALID_ARGUMENT, a.j.file, 0, 0, "no feed to apply the scenario to");
    for (size_t i = 0; i < s->n_mods; i++) {
        const scenario_mod *m = &s->mods[i];
        if (m->kind == SCN_CAR_SPEEDS || m->kind == SCN_ADD_ROAD) continue;
        int32_t t = target_feed(feeds, n, m);
        if (t == GTFS_NONE) {
            const char *what = m->route ? m->route : m->stop ? m->stop : m->from_stop ? m->from_stop : "?";
            const char *key = m->route ? "route" : m->stop ? "stop" : "from_stop";
            char p[P];
            return skj_fail_code(&a.j, TC_ERR_NOT_FOUND, skj_key(p, sizeof p, m->path, key),
                                 "\"%s\" is in none of the %zu feeds (write FEED:%s to choose one)", what, n, what);
        }
        fe_begin(&a.e, feeds[t], &s->pool);
        tc_status st = apply_mod(&a, m);
        if (st) return st;
    }
    return TC_OK;
}
