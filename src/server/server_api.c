/*
 * server_api.c — GET /v1/route, GET /v1/isochrone, POST /v1/matrix, POST /v1/hubs: parse and check every parameter
 * (a 400 naming it), call the library, and map its status to an HTTP answer. Checks done here rather than left to
 * the library: unknown parameters (a typo must not silently fall back to a default), points far outside the network's extent
 * (answered before any search), dates outside the service range, and the request-cost limits (departure window,
 * cutoffs, matrix size) that keep one request from holding a worker thread for long.
 */
#include "server/server_api.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WINDOW_MIN 120   /* longest departure window of one request */
#define MAX_CUTOFF_MIN 240
#define MAX_CUTOFFS 12
#define MAX_HUBS 500 /* hubs of one /v1/hubs request: each is one street search */
#define OUT_OF_NETWORK_M 2000.0 /* a point this far outside the network's bounding box is refused at once */

/* ---------------------------------------------------------------- shared checks -------------------------------- */

static int outside_network(const srv_server *s, double lat, double lon) {
    const double *b = s->info.bbox;
    double dlat = OUT_OF_NETWORK_M / 111320.0;
    double dlon = dlat / fmax(0.05, cos(lat * M_PI / 180.0));
    return lon < b[0] - dlon || lat < b[1] - dlat || lon > b[2] + dlon || lat > b[3] + dlat;
}

/* from / to: "LAT,LON" inside the network's extent. Returns 0 or queues a 400 (returned through *answer). */
static int get_point(const srv_server *s, struct MHD_Connection *c, srv_request *r, const char *name, double *lat,
                     double *lon, enum MHD_Result *answer) {
    const char *v = srv_param(c, name);
    if (!v) {
        *answer = srv_send_error(c, r, 400, "bad_parameter", name, "%s is required (LAT,LON)", name);
        return -1;
    }
    if (srv_parse_latlon(v, lat, lon)) {
        *answer = srv_send_error(c, r, 400, "bad_parameter", name, "%s expects LAT,LON in degrees, got \"%.80s\"",
                                 name, v);
        return -1;
    }
    if (outside_network(s, *lat, *lon)) {
        *answer = srv_send_error(c, r, 400, "out_of_network", name,
                                 "%s %.6f,%.6f lies outside the network (%.4f,%.4f … %.4f,%.4f)", name, *lat, *lon,
                                 s->info.bbox[1], s->info.bbox[0], s->info.bbox[3], s->info.bbox[2]);
        return -1;
    }
    return 0;
}

/* transit: the day must lie in the service range; a street-only question (a day for time-window rules) need not. */
static int check_date(const srv_server *s, struct MHD_Connection *c, srv_request *r, const char *text, int32_t *day,
                      int transit, enum MHD_Result *answer) {
    tc_error err = {0};
    char a[16], b[16];
    if (!text) {
        *answer = srv_send_error(c, r, 400, "bad_parameter", "date", "date is required (YYYY-MM-DD)");
        return -1;
    }
    if (tc_parse_date(text, day, &err) != TC_OK) {
        *answer = srv_send_error(c, r, 400, "bad_parameter", "date", "%s", err.message);
        return -1;
    }
    if (transit && (*day < s->info.service_start || *day > s->info.service_end)) {
        tc_format_date(s->info.service_start, a);
        tc_format_date(s->info.service_end, b);
        *answer = srv_send_error(c, r, 400, "date_out_of_range", "date",
                                 "date %.16s is outside the network's service range %s…%s", text, a, b);
        return -1;
    }
    return 0;
}

static double s_request_timeout(const srv_request *r) { return r->deadline_s - r->start_s; }

/* A library failure after the parameters were checked. param: the parameter the failure is most likely about. */
static enum MHD_Result library_error(struct MHD_Connection *c, srv_request *r, const tc_error *err,
                                     const char *param) {
    switch (err->code) {
    case TC_ERR_INVALID_ARGUMENT: return srv_send_error(c, r, 400, "bad_parameter", param, "%s", err->message);
    case TC_ERR_NOT_FOUND: return srv_send_error(c, r, 400, "not_found", param, "%s", err->message);
    case TC_ERR_NO_SERVICE: return srv_send_error(c, r, 400, "date_out_of_range", "date", "%s", err->message);
    case TC_ERR_UNREACHABLE: return srv_send_error(c, r, 400, "out_of_network", param, "%s", err->message);
    case TC_ERR_NO_MEMORY: return srv_send_error(c, r, 503, "no_memory", NULL, "%s", err->message);
    case TC_ERR_CANCELLED:
        if (srv_shutting_down())
            return srv_send_error(c, r, 503, "shutting_down", NULL,
                                  "the server is shutting down and stopped this request before it finished");
        return srv_send_error_extra(c, r, 503, "deadline_exceeded", NULL, "request_timeout_s", s_request_timeout(r),
                                    NULL, 0, "the request ran longer than this server's limit of %g s",
                                    s_request_timeout(r));
    default: return srv_send_error(c, r, 500, "internal", NULL, "%s", err->message);
    }
}

/* ---------------------------------------------------------------- /v1/route ------------------------------------ */

enum MHD_Result api_route(const srv_server *s, struct MHD_Connection *c, srv_request *r) {
    static const char *const allowed[] = {"from", "to", "date", "time", "arrive_by", "max_transfers",
                                          "from_stop", "to_stop", "walk_speed", "bike_speed", "board_slack",
                                          "no_elevation", NULL};
    enum MHD_Result answer = MHD_NO;
    const char *unknown = srv_unknown_param(c, allowed);
    if (unknown)
        return srv_send_error(c, r, 400, "bad_parameter", unknown,
                              "unknown parameter \"%.64s\" (from, to, date, time, arrive_by, max_transfers, "
                              "from_stop, to_stop, walk_speed, bike_speed, board_slack, no_elevation)",
                              unknown);
    tc_route_query q;
    tc_route_query_init(&q);
    /* a stop id instead of a point: the journey starts (ends) at the stop's place, as `route --from-stop` */
    q.from_stop = srv_param(c, "from_stop");
    q.to_stop = srv_param(c, "to_stop");
    if (!q.from_stop && get_point(s, c, r, "from", &q.from_lat, &q.from_lon, &answer)) return answer;
    if (!q.to_stop && get_point(s, c, r, "to", &q.to_lat, &q.to_lon, &answer)) return answer;
    if (check_date(s, c, r, srv_param(c, "date"), &q.date, 1, &answer)) return answer;
    const char *t = srv_param(c, "time");
    tc_error err = {0};
    if (!t) return srv_send_error(c, r, 400, "bad_parameter", "time", "time is required (HH:MM)");
    if (tc_parse_clock(t, &q.time, &err) != TC_OK)
        return srv_send_error(c, r, 400, "bad_parameter", "time", "%s", err.message);
    const char *ab = srv_param(c, "arrive_by");
    if (ab) {
        if (!strcmp(ab, "true") || !strcmp(ab, "1")) q.arrive_by = 1;
        else if (!strcmp(ab, "false") || !strcmp(ab, "0")) q.arrive_by = 0;
        else return srv_send_error(c, r, 400, "bad_parameter", "arrive_by", "arrive_by expects true or false");
    }
    const char *mt = srv_param(c, "max_transfers");
    long n;
    if (mt) {
        if (srv_parse_int(mt, 0, 8, &n))
            return srv_send_error(c, r, 400, "bad_parameter", "max_transfers", "max_transfers expects 0…8");
        q.max_transfers = (int)n;
    }
    if (srv_speed_params(s, c, r, NULL, &q.walk_speed_mps, &q.bike_speed_mps, &q.board_slack_s,
                         &q.no_elevation, &answer))
        return answer;
    tc_journey_set *set = NULL;
    if (tc_route(s->net, &q, &set, &err) != TC_OK) {
        const char *param = NULL;
        if (err.code == TC_ERR_UNREACHABLE) { /* the message names the point: "point LAT,LON …" */
            const char *pt = strstr(err.message, "point ");
            double la, lo;
            param = "to";
            if (pt && sscanf(pt + 6, "%lf,%lf", &la, &lo) == 2 && fabs(la - q.from_lat) < 1e-6 &&
                fabs(lo - q.from_lon) < 1e-6)
                param = "from";
        }
        return library_error(c, r, &err, param);
    }
    char *json = NULL;
    tc_status st = tc_journeys_json(set, &json, &err);
    tc_journey_set_free(set);
    if (st != TC_OK) return library_error(c, r, &err, NULL);
    /* tc_journeys_json's text comes from malloc (tc_free is free), so MHD can own it */
    return srv_send_json(c, r, 200, json);
}

/* ---------------------------------------------------------------- analysis options ---------------------------- */

/* A request's number lists are plain: digits and commas only (no sign, no spaces), before the library parses them. */
static int plain_list(const char *s) { return s[strspn(s, "0123456789,")] == '\0'; }

/* date, time | window, modes, percentiles shared by isochrone (query) and matrix (body, given as strings). */
typedef struct analysis_params {
    const char *date, *time, *window, *modes, *percentiles;
} analysis_params;

static int fill_analysis(const srv_server *s, struct MHD_Connection *c, srv_request *r, const analysis_params *p,
                         tc_analysis_options *o, enum MHD_Result *answer) {
    tc_analysis_options_init(o);
    o->threads = 1; /* the request's worker thread does the work: the pool already uses every core */
    o->progress = 0;
    o->cancelled = srv_cancelled; /* shutdown and the per-request deadline stop the work between minutes */
    o->cancel_ctx = r;
    if (p->time && p->window) {
        *answer = srv_send_error(c, r, 400, "bad_parameter", "window", "give time or window, not both");
        return -1;
    }
    if (p->window) {
        if (tc_parse_window(p->window, &o->window_start, &o->window_end, NULL) != TC_OK) {
            *answer = srv_send_error(c, r, 400, "bad_parameter", "window",
                                     "window expects HH:MM-HH:MM with the end after the start, got \"%.40s\"",
                                     p->window);
            return -1;
        }
        if (o->window_end - o->window_start > MAX_WINDOW_MIN * 60) {
            *answer = srv_send_error(c, r, 400, "bad_parameter", "window", "window is limited to %d minutes",
                                     MAX_WINDOW_MIN);
            return -1;
        }
    } else if (p->time) {
        tc_error err = {0};
        if (tc_parse_clock(p->time, &o->window_start, &err) != TC_OK) {
            *answer = srv_send_error(c, r, 400, "bad_parameter", "time", "%s", err.message);
            return -1;
        }
        o->window_end = o->window_start + 60; /* one departure minute */
    } else {
        *answer = srv_send_error(c, r, 400, "bad_parameter", "time", "time (HH:MM) or window (HH:MM-HH:MM) is required");
        return -1;
    }
    if (p->modes) {
        if (strlen(p->modes) >= 64) { /* a long list is refused as a whole rather than read in part */
            *answer = srv_send_error(c, r, 400, "bad_parameter", "modes", "modes is longer than %d bytes", 63);
            return -1;
        }
        if (tc_parse_modes(p->modes, &o->street_only, &o->mode, NULL) != TC_OK) {
            *answer = srv_send_error(c, r, 400, "bad_parameter", "modes",
                                     "modes expects transit[,walk|bike] or one of walk, bike, car, truck; got \"%.40s\"",
                                     p->modes);
            return -1;
        }
    }
    if (check_date(s, c, r, p->date, &o->date, !o->street_only, answer)) return -1;
    if (p->percentiles) {
        size_t n = 0;
        int ok = plain_list(p->percentiles) && tc_parse_percentiles(p->percentiles, o->percentiles, &n, NULL) == TC_OK;
        for (size_t k = 0; ok && k < n; k++) /* the API's own limits: no 0 or 100, increasing */
            ok = o->percentiles[k] >= 1 && o->percentiles[k] <= 99 &&
                 (!k || o->percentiles[k] > o->percentiles[k - 1]);
        if (!ok) {
            *answer = srv_send_error(c, r, 400, "bad_parameter", "percentiles",
                                     "percentiles expects up to 5 increasing values in 1…99");
            return -1;
        }
        o->n_percentiles = n;
    }
    return 0;
}

/* ---------------------------------------------------------------- cost admission ------------------------------- */

/* A request's work in searches: one RAPTOR search per origin, departure minute and draw (draws only where the
 * network has frequency-based trips), scaled by what each search then fills in (destinations, grid cells). Refused
 * with 422 naming the budget when over --max-cost, before any work: the pair limit alone let 6,000 origins × 1
 * destination over a 2-hour window hold a worker for 107 s. */
static int over_budget(const srv_server *s, struct MHD_Connection *c, srv_request *r, const tc_analysis_options *o,
                       double origins, double per_search, enum MHD_Result *answer) {
    double minutes = (double)((o->window_end - o->window_start + 59) / 60);
    double draws = s->info.frequency_templates > 0 && o->draws > 1 ? (double)o->draws : 1.0;
    double cost = origins * minutes * draws * per_search;
    if (cost <= s->opt.max_cost) return 0;
    *answer = srv_send_error_extra(c, r, 422, "over_budget", NULL, "estimated_cost", ceil(cost), "budget",
                                   s->opt.max_cost,
                                   "this request would take about %.0f searches (%.0f origins × %.0f departure minutes "
                                   "× %.0f draws × %.2f for its outputs); this server's budget (--max-cost) is %.0f: "
                                   "ask for fewer origins or a shorter window",
                                   cost, origins, minutes, draws, per_search, s->opt.max_cost);
    return -1;
}

/* Grid cells an isochrone fills: the network's extent, or the square a fast ride reaches within the largest
 * cutoff, whichever is smaller; res 0 means the default of about 200 cells across. */
static double isochrone_cells(const srv_server *s, double lat, int cutoff_min, double res) {
    const double *b = s->info.bbox;
    double w = (b[2] - b[0]) * 111320.0 * fmax(0.05, cos(lat * M_PI / 180.0)), h = (b[3] - b[1]) * 111320.0;
    double reach = 2.0 * cutoff_min * 60.0 * 15.0; /* 54 km/h */
    w = fmin(w, reach);
    h = fmin(h, reach);
    if (res <= 0) return 200.0 * 200.0;
    return ceil(w / res) * ceil(h / res);
}

/* ---------------------------------------------------------------- /v1/isochrone -------------------------------- */

enum MHD_Result api_isochrone(const srv_server *s, struct MHD_Connection *c, srv_request *r) {
    static const char *const allowed[] = {"from", "date", "time", "window", "cutoffs", "modes", "percentiles",
                                          "resolution", "scenario", "walk_speed", "bike_speed", "board_slack",
                                          "no_elevation",
                                          NULL};
    enum MHD_Result answer = MHD_NO;
    const char *unknown = srv_unknown_param(c, allowed);
    if (unknown)
        return srv_send_error(c, r, 400, "bad_parameter", unknown,
                              "unknown parameter \"%.64s\" (from, date, time, window, cutoffs, modes, percentiles, "
                              "resolution, scenario, walk_speed, bike_speed, board_slack, no_elevation)", unknown);
    double lat, lon;
    if (get_point(s, c, r, "from", &lat, &lon, &answer)) return answer;
    int cutoffs[TC_MAX_CUTOFFS] = {15, 30, 45, 60};
    size_t n_cutoffs = 4;
    const char *cs = srv_param(c, "cutoffs");
    int ok = !cs || (plain_list(cs) && tc_parse_cutoffs(cs, cutoffs, &n_cutoffs, NULL) == TC_OK);
    for (size_t k = 0; ok && cs && k < n_cutoffs; k++) /* the API's own limits: fewer, shorter, increasing */
        ok = n_cutoffs <= MAX_CUTOFFS && cutoffs[k] >= 1 && cutoffs[k] <= MAX_CUTOFF_MIN &&
             (!k || cutoffs[k] > cutoffs[k - 1]);
    if (!ok)
        return srv_send_error(c, r, 400, "bad_parameter", "cutoffs",
                              "cutoffs expects up to %d increasing minutes in 1…%d, e.g. 15,30,45,60", MAX_CUTOFFS,
                              MAX_CUTOFF_MIN);
    long res = 0;
    const char *rs = srv_param(c, "resolution");
    if (rs && srv_parse_int(rs, 100, 2000, &res)) /* finer grids cost seconds (50 m: ~3 s, 25 m: ~20 s) */
        return srv_send_error(c, r, 400, "bad_parameter", "resolution", "resolution expects 100…2000 metres");
    analysis_params p = {srv_param(c, "date"), srv_param(c, "time"), srv_param(c, "window"), srv_param(c, "modes"),
                         srv_param(c, "percentiles")};
    tc_analysis_options o;
    if (fill_analysis(s, c, r, &p, &o, &answer)) return answer;
    if (srv_speed_params(s, c, r, NULL, &o.walk_speed_mps, &o.bike_speed_mps, &o.board_slack_s,
                         &o.no_elevation, &answer))
        return answer;
    o.max_duration_min = cutoffs[n_cutoffs - 1];
    if (over_budget(s, c, r, &o, 1.0, 1.0 + isochrone_cells(s, lat, cutoffs[n_cutoffs - 1], (double)res) / 10000.0,
                    &answer))
        return answer;
    char *geojson = NULL;
    tc_error err = {0};
    tc_status st = s->iso_cache
                       ? tc_isochrones_cached(s->iso_cache, &o, lat, lon, cutoffs, n_cutoffs, (double)res, &geojson, &err)
                       : tc_isochrones(s->net, &o, lat, lon, cutoffs, n_cutoffs, (double)res, &geojson, &err);
    if (st != TC_OK)
        return library_error(c, r, &err, err.code == TC_ERR_UNREACHABLE ? "from" : NULL);
    return srv_send_owned(c, r, 200, geojson, "application/geo+json");
}

/* ---------------------------------------------------------------- /v1/matrix ----------------------------------- */

typedef struct point_list {
    size_t n;
    double *lat, *lon;
    cJSON **ids; /* borrowed from the parsed body */
} point_list;

static void point_list_free(point_list *p) {
    free(p->lat);
    free(p->lon);
    free(p->ids);
}

static int read_points(const srv_server *s, struct MHD_Connection *c, srv_request *r, const cJSON *body,
                       const char *name, point_list *out, enum MHD_Result *answer) {
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, name);
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) == 0) {
        *answer = srv_send_error(c, r, 400, "bad_parameter", name,
                                 "%s must be a non-empty array of {\"id\", \"lat\", \"lon\"}", name);
        return -1;
    }
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    out->n = n;
    out->lat = malloc(n * sizeof *out->lat);
    out->lon = malloc(n * sizeof *out->lon);
    out->ids = malloc(n * sizeof *out->ids);
    if (!out->lat || !out->lon || !out->ids) {
        *answer = srv_send_error(c, r, 503, "no_memory", NULL, "out of memory");
        return -1;
    }
    char param[64];
    const cJSON *pt;
    cJSON_ArrayForEach(pt, arr) {
        snprintf(param, sizeof param, "%s[%zu]", name, i);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(pt, "id");
        const cJSON *la = cJSON_GetObjectItemCaseSensitive(pt, "lat");
        const cJSON *lo = cJSON_GetObjectItemCaseSensitive(pt, "lon");
        if (!cJSON_IsObject(pt) || !(cJSON_IsString(id) || cJSON_IsNumber(id)) || !cJSON_IsNumber(la) ||
            !cJSON_IsNumber(lo) || !(la->valuedouble >= -90 && la->valuedouble <= 90) ||
            !(lo->valuedouble >= -180 && lo->valuedouble <= 180)) {
            *answer = srv_send_error(c, r, 400, "bad_parameter", param,
                                     "%s must be {\"id\": string or number, \"lat\": degrees, \"lon\": degrees}",
                                     param);
            return -1;
        }
        if (outside_network(s, la->valuedouble, lo->valuedouble)) {
            *answer = srv_send_error(c, r, 400, "out_of_network", param, "%s (%.6f,%.6f) lies outside the network",
                                     param, la->valuedouble, lo->valuedouble);
            return -1;
        }
        out->ids[i] = (cJSON *)id;
        out->lat[i] = la->valuedouble;
        out->lon[i] = lo->valuedouble;
        i++;
    }
    return 0;
}

/* A string field of the body (NULL when absent); a present non-string is an error. */
static int body_string(struct MHD_Connection *c, srv_request *r, const cJSON *body, const char *name,
                       const char **out, enum MHD_Result *answer) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, name);
    *out = NULL;
    if (!v || cJSON_IsNull(v)) return 0;
    if (!cJSON_IsString(v)) {
        *answer = srv_send_error(c, r, 400, "bad_parameter", name, "%s must be a string", name);
        return -1;
    }
    *out = v->valuestring;
    return 0;
}

static enum MHD_Result matrix_answer(const srv_server *s, struct MHD_Connection *c, srv_request *r, cJSON *body) {
    static const char *const allowed[] = {"origins", "destinations", "date", "time", "window", "percentiles",
                                          "modes", "max_duration_min", "walk_speed", "bike_speed", "board_slack",
                                          "no_elevation",
                                          NULL};
    enum MHD_Result answer = MHD_NO;
    if (!cJSON_IsObject(body)) return srv_send_error(c, r, 400, "bad_body", NULL, "the body must be a JSON object");
    const cJSON *item;
    cJSON_ArrayForEach(item, body) {
        int known = 0;
        for (const char *const *a = allowed; *a; a++) known |= !strcmp(*a, item->string);
        if (!known)
            return srv_send_error(c, r, 400, "bad_parameter", item->string, "unknown field \"%.64s\"", item->string);
    }
    const cJSON *on = cJSON_GetObjectItemCaseSensitive(body, "origins");
    const cJSON *dn = cJSON_GetObjectItemCaseSensitive(body, "destinations");
    size_t n_o = cJSON_IsArray(on) ? (size_t)cJSON_GetArraySize(on) : 0;
    size_t n_d = cJSON_IsArray(dn) ? (size_t)cJSON_GetArraySize(dn) : 0;
    if (n_o && n_d && n_o * n_d > s->opt.max_matrix)
        return srv_send_error(c, r, 413, "too_large", NULL,
                              "%zu origins × %zu destinations = %zu pairs; this server answers at most %zu", n_o, n_d,
                              n_o * n_d, s->opt.max_matrix);
    analysis_params p = {0};
    if (body_string(c, r, body, "date", &p.date, &answer) || body_string(c, r, body, "time", &p.time, &answer) ||
        body_string(c, r, body, "window", &p.window, &answer) || body_string(c, r, body, "modes", &p.modes, &answer))
        return answer;
    /* percentiles: a JSON array of numbers, turned into the query form */
    char pbuf[64] = "";
    const cJSON *pc = cJSON_GetObjectItemCaseSensitive(body, "percentiles");
    if (pc && !cJSON_IsNull(pc)) {
        const cJSON *x;
        size_t len = 0;
        int ok = cJSON_IsArray(pc) && cJSON_GetArraySize(pc) > 0 && cJSON_GetArraySize(pc) <= 5;
        cJSON_ArrayForEach(x, pc) {
            if (!ok || !cJSON_IsNumber(x) || x->valuedouble != (double)(int)x->valuedouble) {
                ok = 0;
                break;
            }
            len += (size_t)snprintf(pbuf + len, sizeof pbuf - len, "%s%d", len ? "," : "", (int)x->valuedouble);
        }
        if (!ok)
            return srv_send_error(c, r, 400, "bad_parameter", "percentiles",
                                  "percentiles expects an array of up to 5 increasing integers in 1…99");
        p.percentiles = pbuf;
    }
    tc_analysis_options o;
    if (fill_analysis(s, c, r, &p, &o, &answer)) return answer;
    if (srv_speed_params(s, c, r, body, &o.walk_speed_mps, &o.bike_speed_mps, &o.board_slack_s,
                         &o.no_elevation, &answer))
        return answer;
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(body, "max_duration_min");
    if (md && !cJSON_IsNull(md)) {
        if (!cJSON_IsNumber(md) || md->valuedouble < 1 || md->valuedouble > MAX_CUTOFF_MIN ||
            md->valuedouble != (double)(int)md->valuedouble)
            return srv_send_error(c, r, 400, "bad_parameter", "max_duration_min",
                                  "max_duration_min expects an integer in 1…%d", MAX_CUTOFF_MIN);
        o.max_duration_min = md->valueint;
    }
    if (over_budget(s, c, r, &o, (double)n_o, 1.0 + (double)n_d / 1000.0, &answer)) return answer;
    point_list orig = {0}, dest = {0};
    tc_destinations *dset = NULL;
    uint16_t *tt = NULL;
    char *text = NULL;
    tc_error err = {0};
    if (read_points(s, c, r, body, "origins", &orig, &answer) ||
        read_points(s, c, r, body, "destinations", &dest, &answer))
        goto done;
    size_t np = o.n_percentiles ? o.n_percentiles : 1;
    tt = malloc(orig.n * dest.n * np * sizeof *tt);
    if (!tt) {
        answer = srv_send_error(c, r, 503, "no_memory", NULL, "out of memory");
        goto done;
    }
    if (tc_destinations_create(s->net, &o, dest.lat, dest.lon, dest.n, &dset, &err) != TC_OK ||
        tc_travel_time_matrix(s->net, dset, &o, orig.lat, orig.lon, orig.n, tt, &err) != TC_OK) {
        answer = library_error(c, r, &err, NULL);
        goto done;
    }
    cJSON *root = cJSON_CreateObject();
    cJSON *jo = cJSON_AddArrayToObject(root, "origins");
    for (size_t i = 0; i < orig.n; i++) cJSON_AddItemToArray(jo, cJSON_Duplicate(orig.ids[i], 0));
    cJSON *jd = cJSON_AddArrayToObject(root, "destinations");
    for (size_t i = 0; i < dest.n; i++) cJSON_AddItemToArray(jd, cJSON_Duplicate(dest.ids[i], 0));
    cJSON_AddItemToObject(root, "percentiles", cJSON_CreateIntArray(o.percentiles, (int)np));
    /* travel_time_min[o][d][k]: minutes for percentile k, null when unreachable within max_duration_min */
    cJSON *tm = cJSON_AddArrayToObject(root, "travel_time_min");
    for (size_t i = 0; i < orig.n; i++) {
        cJSON *row = cJSON_CreateArray();
        cJSON_AddItemToArray(tm, row);
        for (size_t d = 0; d < dest.n; d++) {
            cJSON *cell = cJSON_CreateArray();
            cJSON_AddItemToArray(row, cell);
            for (size_t k = 0; k < np; k++) {
                uint16_t v = tt[(i * dest.n + d) * np + k];
                cJSON_AddItemToArray(cell, v == TC_UNREACHED_MIN ? cJSON_CreateNull() : cJSON_CreateNumber(v));
            }
        }
    }
    char *t = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (t) {
        text = strdup(t);
        cJSON_free(t);
    }
    answer = srv_send_json(c, r, 200, text);
done:
    tc_destinations_free(dset);
    free(tt);
    point_list_free(&orig);
    point_list_free(&dest);
    return answer;
}

/* The first key repeated within one object of the body, or NULL: a repeated key would let the first or the last
 * value win silently, depending on the reader. */
static int cmp_name(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static const char *json_duplicate_key(const cJSON *j) {
    if (cJSON_IsObject(j)) { /* sorted names: an object of many keys costs n log n, not n² */
        size_t n = 0;
        for (const cJSON *a = j->child; a; a = a->next) n++;
        const char **names = n > 1 ? malloc(n * sizeof *names) : NULL;
        const char *dup = NULL;
        if (names) {
            size_t k = 0;
            for (const cJSON *a = j->child; a; a = a->next) names[k++] = a->string ? a->string : "";
            qsort(names, n, sizeof *names, cmp_name);
            for (size_t i = 1; i < n && !dup; i++)
                if (!strcmp(names[i - 1], names[i])) dup = names[i];
            free(names);
        }
        if (dup) return dup;
    }
    for (const cJSON *a = j ? j->child : NULL; a; a = a->next) {
        const char *inner = (cJSON_IsObject(a) || cJSON_IsArray(a)) ? json_duplicate_key(a) : NULL;
        if (inner) return inner;
    }
    return NULL;
}

/* A POSTed JSON object, checked (size, media type, syntax, repeated keys) and handed to answer(). */
static enum MHD_Result json_post(const srv_server *s, struct MHD_Connection *c, srv_request *r, const char *shape,
                                 enum MHD_Result (*answer)(const srv_server *, struct MHD_Connection *, srv_request *,
                                                           cJSON *)) {
    if (r->body_too_big)
        return srv_send_error(c, r, 413, "too_large", NULL, "the request body exceeds this server's limit of %zu bytes",
                              s->opt.max_body);
    if (!r->body || !r->body_len) return srv_send_error(c, r, 400, "bad_body", NULL, "POST a JSON object %s", shape);
    if (!srv_is_json_media_type(r->content_type))
        return srv_send_error(c, r, 415, "unsupported_media_type", NULL,
                              "the body must be application/json, got \"%.60s\"", r->content_type);
    const char *where = NULL;
    cJSON *body = cJSON_ParseWithLengthOpts(r->body, r->body_len + 1, &where, 1); /* + its NUL */
    if (!body)
        return srv_send_error(c, r, 400, "bad_body", NULL, "the body is not valid JSON (near byte %ld)",
                              where ? (long)(where - r->body) : 0L);
    const char *dup = json_duplicate_key(body);
    if (dup) {
        enum MHD_Result a = srv_send_error(c, r, 400, "bad_body", dup, "the body repeats the key \"%.64s\"", dup);
        cJSON_Delete(body);
        return a;
    }
    enum MHD_Result a = answer(s, c, r, body);
    cJSON_Delete(body);
    return a;
}

enum MHD_Result api_matrix(const srv_server *s, struct MHD_Connection *c, srv_request *r) {
    return json_post(s, c, r, "{origins, destinations, date, window, percentiles}", matrix_answer);
}

/* ---------------------------------------------------------------- POST /v1/hubs -------------------------------- */

/* Only the fields it names: a typo must not fall back to a default. */
static int unknown_field(struct MHD_Connection *c, srv_request *r, const cJSON *obj, const char *const *allowed,
                         const char *where, enum MHD_Result *answer) {
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        int known = 0;
        for (const char *const *a = allowed; *a; a++) known |= !strcmp(*a, item->string);
        if (!known) {
            *answer = srv_send_error(c, r, 400, "bad_parameter", item->string, "unknown field \"%.64s\"%s%s",
                                     item->string, where ? " in " : "", where ? where : "");
            return -1;
        }
    }
    return 0;
}

/* A JSON array of up to max increasing integers in lo…hi. */
static int int_array(struct MHD_Connection *c, srv_request *r, const cJSON *arr, const char *name, int lo, int hi,
                     int *out, size_t max, size_t *n, enum MHD_Result *answer) {
    *n = 0;
    const cJSON *x;
    int ok = cJSON_IsArray(arr) && cJSON_GetArraySize(arr) > 0 && (size_t)cJSON_GetArraySize(arr) <= max;
    cJSON_ArrayForEach(x, arr) {
        if (!ok || !cJSON_IsNumber(x) || x->valuedouble != (double)(int)x->valuedouble || x->valueint < lo ||
            x->valueint > hi || (*n && x->valueint <= out[*n - 1])) {
            ok = 0;
            break;
        }
        out[(*n)++] = x->valueint;
    }
    if (!ok)
        *answer = srv_send_error(c, r, 400, "bad_parameter", name, "%s expects up to %zu increasing integers in %d…%d",
                                 name, max, lo, hi);
    return ok ? 0 : -1;
}

/* The hubs of the body: {"id", "name"?, "lat", "lon", "type"}. */
static int read_hubs(const srv_server *s, struct MHD_Connection *c, srv_request *r, const cJSON *arr, tc_hub *hubs,
                     enum MHD_Result *answer) {
    static const char *const fields[] = {"id", "name", "lat", "lon", "type", NULL};
    size_t i = 0;
    char param[32];
    const cJSON *h;
    cJSON_ArrayForEach(h, arr) {
        snprintf(param, sizeof param, "hubs[%zu]", i);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(h, "id");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(h, "name");
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(h, "type");
        const cJSON *la = cJSON_GetObjectItemCaseSensitive(h, "lat");
        const cJSON *lo = cJSON_GetObjectItemCaseSensitive(h, "lon");
        if (!cJSON_IsObject(h) || !cJSON_IsString(id) || !*id->valuestring ||
            strlen(id->valuestring) >= sizeof hubs[i].id || (nm && !cJSON_IsNull(nm) && !cJSON_IsString(nm)) ||
            (cJSON_IsString(nm) && strlen(nm->valuestring) >= sizeof hubs[i].name) || !cJSON_IsString(ty) ||
            !*ty->valuestring || strlen(ty->valuestring) >= sizeof hubs[i].type || !cJSON_IsNumber(la) ||
            !cJSON_IsNumber(lo) || !(la->valuedouble >= -90 && la->valuedouble <= 90) ||
            !(lo->valuedouble >= -180 && lo->valuedouble <= 180)) {
            *answer = srv_send_error(c, r, 400, "bad_parameter", param,
                                     "%s must be {\"id\": string, \"name\": string (optional), \"lat\": degrees, "
                                     "\"lon\": degrees, \"type\": string}",
                                     param);
            return -1;
        }
        if (unknown_field(c, r, h, fields, param, answer)) return -1;
        if (outside_network(s, la->valuedouble, lo->valuedouble)) {
            *answer = srv_send_error(c, r, 400, "out_of_network", param, "%s (%.6f,%.6f) lies outside the network",
                                     param, la->valuedouble, lo->valuedouble);
            return -1;
        }
        snprintf(hubs[i].id, sizeof hubs[i].id, "%s", id->valuestring);
        snprintf(hubs[i].name, sizeof hubs[i].name, "%s", cJSON_IsString(nm) ? nm->valuestring : id->valuestring);
        snprintf(hubs[i].type, sizeof hubs[i].type, "%s", ty->valuestring);
        hubs[i].lat = la->valuedouble;
        hubs[i].lon = lo->valuedouble;
        i++;
    }
    return 0;
}

/* The population and jobs of the cells, when given: a number each, 0 when absent. */
static int cell_weights(struct MHD_Connection *c, srv_request *r, const cJSON *arr, const char *name, double *out,
                        int *any, enum MHD_Result *answer) {
    size_t i = 0;
    const cJSON *pt;
    cJSON_ArrayForEach(pt, arr) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(pt, name);
        out[i] = 0;
        if (v && !cJSON_IsNull(v)) {
            if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0)) {
                char param[48];
                snprintf(param, sizeof param, "cells[%zu].%s", i, name);
                *answer = srv_send_error(c, r, 400, "bad_parameter", param, "%s must be a number >= 0", param);
                return -1;
            }
            out[i] = v->valuedouble;
            *any = 1;
        }
        i++;
    }
    return 0;
}

static cJSON *minutes_json(uint16_t v) { return v == TC_UNREACHED_MIN ? cJSON_CreateNull() : cJSON_CreateNumber(v); }

/* The answer: per hub its catchments and the tier check, the minutes between hubs, the coverage by any hub and by
 * type, the pairwise overlap, and per cell the nearest hub of each type (all as `tongcheng hubs` writes them). */
static char *hubs_json(const tc_hub *hubs, const tc_hub_query *q, const tc_hub_result *res, const cJSON *cell_ids) {
    const size_t H = res->n_hubs, K = res->n_cutoffs, T = res->n_types, C = res->n_cells;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "cutoffs_min", cJSON_CreateIntArray(q->cutoffs_min, (int)K));
    cJSON *types = cJSON_AddArrayToObject(root, "types");
    for (size_t t = 0; t < T; t++) cJSON_AddItemToArray(types, cJSON_CreateString(res->types[t]));
    cJSON *jh = cJSON_AddArrayToObject(root, "hubs");
    for (size_t h = 0; h < H; h++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(jh, o);
        cJSON_AddStringToObject(o, "id", hubs[h].id);
        cJSON_AddStringToObject(o, "name", hubs[h].name);
        cJSON_AddStringToObject(o, "type", hubs[h].type);
        cJSON *cs = cJSON_AddArrayToObject(o, "catchments");
        for (size_t k = 0; k < K; k++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddItemToArray(cs, e);
            cJSON_AddNumberToObject(e, "cutoff_min", q->cutoffs_min[k]);
            cJSON_AddNumberToObject(e, "cells", res->cells[h * K + k]);
            cJSON_AddNumberToObject(e, "population", res->pop[h * K + k]);
            cJSON_AddNumberToObject(e, "jobs", res->jobs[h * K + k]);
        }
        cJSON *row = cJSON_AddArrayToObject(o, "to_hubs_min");
        for (size_t u = 0; u < H; u++) cJSON_AddItemToArray(row, minutes_json(res->hub_hub_min[h * H + u]));
        if (res->tier_ok[h] >= 0) {
            cJSON *t = cJSON_AddObjectToObject(o, "tier");
            cJSON_AddItemToObject(t, "from_next_tier_min",
                                  res->tier_min[h] == UINT16_MAX ? cJSON_CreateNull()
                                                                 : cJSON_CreateNumber(res->tier_min[h]));
            cJSON_AddBoolToObject(t, "ok", res->tier_ok[h] == 1);
        } else {
            cJSON_AddNullToObject(o, "tier");
        }
    }
    cJSON *cov = cJSON_AddArrayToObject(root, "coverage");
    for (size_t k = 0; k < K; k++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(cov, e);
        cJSON_AddNumberToObject(e, "cutoff_min", q->cutoffs_min[k]);
        cJSON_AddNumberToObject(e, "population", res->pop_any[k]);
        cJSON_AddNumberToObject(e, "jobs", res->jobs_any[k]);
        cJSON *bt = cJSON_AddObjectToObject(e, "population_by_type");
        for (size_t t = 0; t < T; t++) cJSON_AddNumberToObject(bt, res->types[t], res->pop_type[t * K + k]);
    }
    cJSON_AddNumberToObject(root, "total_population", res->total_pop);
    cJSON_AddNumberToObject(root, "total_jobs", res->total_jobs);
    /* overlap_population[a][b][k]: people within cutoff k of both hub a and hub b */
    cJSON *ov = cJSON_AddArrayToObject(root, "overlap_population");
    for (size_t a = 0; a < H; a++) {
        cJSON *ra = cJSON_CreateArray();
        cJSON_AddItemToArray(ov, ra);
        for (size_t b = 0; b < H; b++) {
            cJSON *rb = cJSON_CreateArray();
            cJSON_AddItemToArray(ra, rb);
            for (size_t k = 0; k < K; k++)
                cJSON_AddItemToArray(rb, cJSON_CreateNumber(res->overlap_pop[(a * H + b) * K + k]));
        }
    }
    /* cells[i]: its id and the minutes from the nearest hub of each type (null: none within the duration limit) */
    cJSON *jc = cJSON_AddArrayToObject(root, "cells");
    const cJSON *pt = cell_ids ? cell_ids->child : NULL;
    for (size_t i = 0; i < C; i++, pt = pt ? pt->next : NULL) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(jc, e);
        const cJSON *id = pt ? cJSON_GetObjectItemCaseSensitive(pt, "id") : NULL;
        cJSON_AddItemToObject(e, "id", id ? cJSON_Duplicate(id, 0) : cJSON_CreateNumber((double)i));
        cJSON *nm = cJSON_AddObjectToObject(e, "nearest_min");
        for (size_t t = 0; t < T; t++)
            cJSON_AddItemToObject(nm, res->types[t], minutes_json(res->nearest_min[i * T + t]));
    }
    char *t = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    char *text = t ? strdup(t) : NULL;
    cJSON_free(t);
    return text;
}

static enum MHD_Result hubs_answer(const srv_server *s, struct MHD_Connection *c, srv_request *r, cJSON *body) {
    static const char *const allowed[] = {"hubs", "cells", "cutoffs", "date", "time", "mode", "tiers",
                                          "tier_minutes", NULL};
    enum MHD_Result answer = MHD_NO;
    if (!cJSON_IsObject(body)) return srv_send_error(c, r, 400, "bad_body", NULL, "the body must be a JSON object");
    if (unknown_field(c, r, body, allowed, NULL, &answer)) return answer;
    const cJSON *hn = cJSON_GetObjectItemCaseSensitive(body, "hubs");
    const cJSON *cn = cJSON_GetObjectItemCaseSensitive(body, "cells");
    size_t n_h = cJSON_IsArray(hn) ? (size_t)cJSON_GetArraySize(hn) : 0;
    if (!n_h || n_h > MAX_HUBS)
        return srv_send_error(c, r, n_h ? 413 : 400, n_h ? "too_large" : "bad_parameter", "hubs",
                              "hubs must be an array of 1…%d hubs {id, name, lat, lon, type}", MAX_HUBS);
    if (cn && !cJSON_IsNull(cn) && !cJSON_IsArray(cn))
        return srv_send_error(c, r, 400, "bad_parameter", "cells", "cells must be an array of {id, lat, lon, "
                                                                   "population, jobs}");
    size_t n_c = cJSON_IsArray(cn) ? (size_t)cJSON_GetArraySize(cn) : 0;
    if (n_h * (n_c + n_h) > s->opt.max_matrix)
        return srv_send_error(c, r, 413, "too_large", NULL,
                              "%zu hubs × (%zu cells + %zu hubs) = %zu pairs; this server answers at most %zu", n_h,
                              n_c, n_h, n_h * (n_c + n_h), s->opt.max_matrix);
    analysis_params p = {0};
    const char *mode = NULL;
    if (body_string(c, r, body, "date", &p.date, &answer) || body_string(c, r, body, "time", &p.time, &answer) ||
        body_string(c, r, body, "mode", &mode, &answer))
        return answer;
    if (mode && strcmp(mode, "truck") && strcmp(mode, "car"))
        return srv_send_error(c, r, 400, "bad_parameter", "mode", "mode expects truck or car, got \"%.20s\"", mode);
    p.modes = mode ? mode : "truck";
    if (!p.time) p.time = "10:00"; /* the departure that decides the trucks' time windows */
    tc_hub_query q = {0};
    if (fill_analysis(s, c, r, &p, &q.analysis, &answer)) return answer;
    q.analysis.draws = 1; /* street only: nothing to draw */
    int cutoffs[MAX_CUTOFFS] = {30, 60, 90};
    size_t n_cut = 3;
    const cJSON *cj = cJSON_GetObjectItemCaseSensitive(body, "cutoffs");
    if (cj && !cJSON_IsNull(cj) &&
        int_array(c, r, cj, "cutoffs", 1, MAX_CUTOFF_MIN, cutoffs, MAX_CUTOFFS, &n_cut, &answer))
        return answer;
    q.cutoffs_min = cutoffs;
    q.n_cutoffs = n_cut;
    q.analysis.max_duration_min = cutoffs[n_cut - 1] > q.analysis.max_duration_min ? cutoffs[n_cut - 1]
                                                                                     : q.analysis.max_duration_min;
    const cJSON *tj = cJSON_GetObjectItemCaseSensitive(body, "tiers");
    const cJSON *tm = cJSON_GetObjectItemCaseSensitive(body, "tier_minutes");
    int tier_min[2] = {0, 0};
    if (tj && !cJSON_IsNull(tj)) {
        size_t n2 = 0;
        int ok = cJSON_IsArray(tj) && cJSON_GetArraySize(tj) == 3;
        for (int t = 0; ok && t < 3; t++) {
            const cJSON *x = cJSON_GetArrayItem(tj, t);
            ok = cJSON_IsString(x) && *x->valuestring;
            if (ok) q.tier_type[t] = x->valuestring;
        }
        if (!ok)
            return srv_send_error(c, r, 400, "bad_parameter", "tiers",
                                  "tiers expects three hub types from the lowest tier up, e.g. "
                                  "[\"terminal\", \"common\", \"regional\"]");
        if (!cJSON_IsArray(tm) || cJSON_GetArraySize(tm) != 2)
            return srv_send_error(c, r, 400, "bad_parameter", "tier_minutes",
                                  "tier_minutes expects two minute limits with tiers, e.g. [30, 60]");
        for (int t = 0; t < 2; t++) {
            const cJSON *x = cJSON_GetArrayItem(tm, t);
            if (!cJSON_IsNumber(x) || x->valuedouble != (double)(int)x->valuedouble || x->valueint < 1 ||
                x->valueint > MAX_CUTOFF_MIN)
                return srv_send_error(c, r, 400, "bad_parameter", "tier_minutes",
                                      "tier_minutes expects two integers in 1…%d", MAX_CUTOFF_MIN);
            tier_min[t] = x->valueint;
            n2++;
        }
        q.tier_minutes[0] = tier_min[0];
        q.tier_minutes[1] = tier_min[1];
        if (tier_min[0] > q.analysis.max_duration_min) q.analysis.max_duration_min = tier_min[0];
        if (tier_min[1] > q.analysis.max_duration_min) q.analysis.max_duration_min = tier_min[1];
    } else if (tm && !cJSON_IsNull(tm)) {
        return srv_send_error(c, r, 400, "bad_parameter", "tier_minutes", "tier_minutes needs tiers");
    }
    /* one street search per hub, filling its cells and the other hubs */
    if (over_budget(s, c, r, &q.analysis, (double)n_h, 1.0 + (double)(n_c + n_h) / 1000.0, &answer)) return answer;
    tc_hub *hubs = calloc(n_h, sizeof *hubs);
    point_list cells = {0};
    double *pop = n_c ? calloc(n_c, sizeof *pop) : NULL, *jobs = n_c ? calloc(n_c, sizeof *jobs) : NULL;
    tc_hub_result *res = NULL;
    tc_error err = {0};
    int any_pop = 0, any_jobs = 0;
    if (!hubs || (n_c && (!pop || !jobs))) {
        answer = srv_send_error(c, r, 503, "no_memory", NULL, "out of memory");
        goto done;
    }
    if (read_hubs(s, c, r, hn, hubs, &answer)) goto done;
    if (n_c && (read_points(s, c, r, body, "cells", &cells, &answer) ||
                cell_weights(c, r, cn, "population", pop, &any_pop, &answer) ||
                cell_weights(c, r, cn, "jobs", jobs, &any_jobs, &answer)))
        goto done;
    q.cell_lat = cells.lat;
    q.cell_lon = cells.lon;
    q.n_cells = cells.n;
    q.population = any_pop ? pop : NULL;
    q.jobs = any_jobs ? jobs : NULL;
    if (tc_hub_catchments(s->net, hubs, n_h, &q, &res, &err) != TC_OK) {
        answer = library_error(c, r, &err, NULL);
        goto done;
    }
    answer = srv_send_json(c, r, 200, hubs_json(hubs, &q, res, n_c ? cn : NULL));
done:
    tc_hub_result_free(res);
    point_list_free(&cells);
    free(pop);
    free(jobs);
    free(hubs);
    return answer;
}

enum MHD_Result api_hubs(const srv_server *s, struct MHD_Connection *c, srv_request *r) {
    return json_post(s, c, r, "{hubs, cells, cutoffs, date, time, mode, tiers, tier_minutes}", hubs_answer);
}
