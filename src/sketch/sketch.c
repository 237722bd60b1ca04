/*
 * sketch.c — compile a hand-written sketch (JSON) into a gtfs_feed. See sketch.h for the choices (frequencies vs
 * expanded trips, trip ids) and data/changzhutan/README.md for the format.
 *
 * The work is in three layers: top-level tables (agencies, calendars, stations, stops, transfers); stations of a
 * line resolved to stops (reusing a stop when the id, or the name within merge_radius_m, matches — that is how
 * interchanges become one stop — or placing it under a parent station, which is how different modes share a hub);
 * and patterns (the calls of a line, with run times from per-station minutes, a speed × detour, or a total time
 * spread by distance) turned into trips and frequencies for each direction.
 */
#include "sketch/sketch.h"
#include "common/json_file.h"
#include "common/geo.h"
#include "common/timeutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define P 300 /* path buffer size */
#define SK_DEFAULT_MERGE_RADIUS_M 200.0
#define OOM(c, path) skj_fail_code(&(c)->j, TC_ERR_NO_MEMORY, path, "out of memory")

typedef struct sketch_feed {
    gtfs_feed feed; /* first member: a gtfs_feed* of a sketch is a sketch_feed* */
    sk_pool pool;
} sketch_feed;

typedef struct sk_cal {
    const char *id;
    int32_t service;
} sk_cal;

typedef struct sk_hub {
    int32_t station;
    int32_t transfer_s;
} sk_hub;

typedef struct sctx {
    skj j;
    feed_edit e;
    double merge_radius_m;
    sk_cal *cals;
    size_t n_cals;
    int32_t default_service; /* GTFS_NONE: make an all-days service when a line needs it (scenarios) */
    int in_scenario;         /* calendars may then name the feed's service_ids */
    sk_hub *hubs;
    size_t n_hubs;
} sctx;

typedef struct sk_period {
    int32_t from, to, headway;
} sk_period;

/* A resolved station of a line. */
typedef struct sk_st {
    int32_t stop;
    double run_s;   /* from the previous station, <0 = not given */
    double dwell_s; /* <0 = the pattern's */
} sk_st;

typedef struct sk_run {
    int kind; /* 0 none, 1 speed, 2 total time */
    double speed_kmh, detour, total_min;
} sk_run;

/* A pattern's timetable in both directions. */
typedef struct sk_tt {
    int32_t *deps[2];
    size_t n_deps[2];
    sk_period *per[2];
    size_t n_per[2];
    int has_deps, has_per;
} sk_tt;

static void tt_free(sk_tt *t) {
    for (int d = 0; d < 2; d++) {
        free(t->deps[d]);
        free(t->per[d]);
    }
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------------------------------------ small helpers */

static tc_status check_color(sctx *c, const char *path, const char *key, const char *v, char out[7]) {
    if (!v) {
        out[0] = 0;
        return TC_OK;
    }
    if (v[0] == '#') v++;
    size_t n = strlen(v);
    int ok = n == 6;
    for (size_t i = 0; ok && i < 6; i++) ok = strchr("0123456789abcdefABCDEF", v[i]) != NULL;
    char p[P];
    if (!ok) return skj_fail(&c->j, skj_key(p, sizeof p, path, key), "expected a colour \"RRGGBB\" (6 hex digits)");
    for (size_t i = 0; i < 6; i++) out[i] = (char)(v[i] >= 'a' && v[i] <= 'f' ? v[i] - 32 : v[i]);
    out[6] = 0;
    return TC_OK;
}

/* "1111100", or ["mon", "tue", ...] → bit 0 = Monday. */
static tc_status parse_days(sctx *c, const cJSON *v, const char *path, uint8_t *out) {
    static const char *names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    uint8_t m = 0;
    if (cJSON_IsString(v) && v->valuestring && strlen(v->valuestring) == 7 &&
        strspn(v->valuestring, "01") == 7) {
        for (int i = 0; i < 7; i++)
            if (v->valuestring[i] == '1') m |= (uint8_t)(1u << i);
    } else if (cJSON_IsArray(v)) {
        int i = 0;
        for (const cJSON *x = v->child; x; x = x->next, i++) {
            int found = -1;
            for (int k = 0; k < 7 && cJSON_IsString(x); k++)
                if (!strcmp(x->valuestring, names[k])) found = k;
            char p[P];
            if (found < 0)
                return skj_fail(&c->j, skj_idx(p, sizeof p, path, (size_t)i),
                                "expected a weekday \"mon\" … \"sun\"");
            m |= (uint8_t)(1u << found);
        }
    } else {
        return skj_fail(&c->j, path, "expected \"1111111\" (Monday … Sunday) or a list like [\"mon\", \"tue\"]");
    }
    *out = m;
    return TC_OK;
}

static tc_status calendar_range(sctx *c, const cJSON *cal, const char *path, int32_t *start, int32_t *end) {
    char p[P];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cal, "start");
    if (!v) return skj_fail(&c->j, skj_key(p, sizeof p, path, "start"), "missing: expected a date \"YYYY-MM-DD\"");
    tc_status st = skj_date_value(&c->j, v, skj_key(p, sizeof p, path, "start"), start);
    if (st) return st;
    v = cJSON_GetObjectItemCaseSensitive(cal, "end");
    if (!v) return skj_fail(&c->j, skj_key(p, sizeof p, path, "end"), "missing: expected a date \"YYYY-MM-DD\"");
    if ((st = skj_date_value(&c->j, v, skj_key(p, sizeof p, path, "end"), end))) return st;
    if (*end < *start) return skj_fail(&c->j, skj_key(p, sizeof p, path, "end"), "ends before it starts");
    if (*end - *start > 3660) return skj_fail(&c->j, path, "spans more than ten years");
    return TC_OK;
}

static void set_bit(gtfs_feed *f, int32_t s, int32_t day, int on) {
    if (day < f->first_day || day >= f->first_day + (int32_t)f->n_days) return;
    uint32_t d = (uint32_t)(day - f->first_day);
    if (on) f->services[s].bits[d >> 6] |= (uint64_t)1 << (d & 63);
    else f->services[s].bits[d >> 6] &= ~((uint64_t)1 << (d & 63));
}

/* A calendar object → a new service (days outside the feed's range are dropped with a warning). */
static tc_status make_calendar(sctx *c, const cJSON *cal, const char *path, const char *id, int32_t *out) {
    static const char *const keys[] = {"id", "start", "end", "days", "add", "remove", NULL};
    tc_status st = skj_object(&c->j, cal, path);
    if (st) return st;
    skj_check_keys(&c->j, cal, path, keys);
    int32_t start, end;
    if ((st = calendar_range(c, cal, path, &start, &end))) return st;
    char p[P], q[P];
    uint8_t days = 0x7f;
    const cJSON *dv = cJSON_GetObjectItemCaseSensitive(cal, "days");
    if (dv && (st = parse_days(c, dv, skj_key(p, sizeof p, path, "days"), &days))) return st;
    gtfs_feed *f = c->e.f;
    int32_t s = fe_add_service(&c->e, id);
    if (s < 0) return OOM(c, path);
    int clipped = 0;
    for (int32_t d = start; d <= end; d++) {
        if (!(days & (1u << date_weekday(d)))) continue;
        if (d < f->first_day || d >= f->first_day + (int32_t)f->n_days) clipped = 1;
        set_bit(f, s, d, 1);
    }
    static const char *const lists[2] = {"add", "remove"};
    for (int k = 0; k < 2; k++) {
        const cJSON *arr = NULL;
        if ((st = skj_array(&c->j, cal, path, lists[k], 0, 0, &arr))) return st;
        size_t i = 0;
        for (const cJSON *x = arr ? arr->child : NULL; x; x = x->next, i++) {
            int32_t d;
            if ((st = skj_date_value(&c->j, x, skj_idx(q, sizeof q, skj_key(p, sizeof p, path, lists[k]), i), &d)))
                return st;
            set_bit(f, s, d, k == 0);
        }
    }
    if (clipped)
        diag_report(c->j.diag, TC_SEV_WARNING, "calendar_clipped", c->j.file, 0, 0,
                    "%s: days outside the network's date range are ignored", path);
    *out = s;
    return TC_OK;
}

/* The service a line or pattern runs on. */
static tc_status line_service(sctx *c, const cJSON *obj, const char *path, const char *id_hint, int32_t *out) {
    char p[P];
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "calendar");
    if (!v) {
        if (c->default_service == GTFS_NONE) {
            /* Scenarios: every day of the feed's range. */
            int32_t s = fe_add_service(&c->e, "scenario_all_days");
            if (s < 0) return OOM(c, path);
            for (uint32_t d = 0; d < c->e.f->n_days; d++) set_bit(c->e.f, s, c->e.f->first_day + (int32_t)d, 1);
            c->default_service = s;
        }
        *out = c->default_service;
        return TC_OK;
    }
    skj_key(p, sizeof p, path, "calendar");
    if (cJSON_IsString(v)) {
        for (size_t i = 0; i < c->n_cals; i++)
            if (!strcmp(c->cals[i].id, v->valuestring)) {
                *out = c->cals[i].service;
                return TC_OK;
            }
        if (c->in_scenario) {
            int32_t s = fe_find_service(c->e.f, v->valuestring);
            if (s != GTFS_NONE) {
                *out = s;
                return TC_OK;
            }
        }
        return skj_fail_code(&c->j, TC_ERR_NOT_FOUND, p, "no calendar \"%s\"%s", v->valuestring,
                             c->in_scenario ? " (a service_id of the feed, or an inline {start, end, days})"
                                            : " in \"calendars\"");
    }
    if (cJSON_IsObject(v)) {
        /* An inline calendar becomes service "<line>[.<pattern>].calendar" (an id export-gtfs can write). */
        char id[300];
        snprintf(id, sizeof id, "%s.calendar", id_hint);
        return make_calendar(c, v, p, id, out);
    }
    return skj_fail(&c->j, p, "expected a calendar id (string) or a calendar object {start, end, days}");
}

/* ------------------------------------------------------------------------------------------ stops */

static int32_t find_stop_by_name_near(const gtfs_feed *f, const char *name, double lat, double lon, double radius,
                                      int32_t parent, int match_parent) {
    int32_t best = GTFS_NONE;
    double best_d = radius;
    for (size_t i = 0; i < f->n_stops; i++) {
        const gtfs_stop *s = &f->stops[i];
        if (s->location_type != 0 || strcmp(s->name, name)) continue;
        if (match_parent && s->parent != parent) continue;
        double d = haversine_m(lat, lon, s->lat, s->lon);
        if (d <= best_d) {
            best_d = d;
            best = (int32_t)i;
        }
    }
    return best;
}

/* A stop reference "ID" (or a unique stop name). */
static tc_status stop_ref(sctx *c, const char *ref, const char *path, int32_t *out) {
    const gtfs_feed *f = c->e.f;
    int32_t s = fe_find_stop(f, ref);
    if (s == GTFS_NONE) {
        /* Scenario files may write "FEED:stop_id" as the CLI does. */
        size_t nl = f->name ? strlen(f->name) : 0;
        if (nl && !strncmp(ref, f->name, nl) && ref[nl] == ':') s = fe_find_stop(f, ref + nl + 1);
    }
    if (s == GTFS_NONE) {
        int n = 0;
        for (size_t i = 0; i < f->n_stops; i++)
            if (f->stops[i].location_type == 0 && !strcmp(f->stops[i].name, ref)) {
                s = (int32_t)i;
                n++;
            }
        if (n > 1)
            return skj_fail_code(&c->j, TC_ERR_NOT_FOUND, path,
                                 "\"%s\" names %d stops: refer to one by its id", ref, n);
    }
    if (s == GTFS_NONE)
        return skj_fail_code(&c->j, TC_ERR_NOT_FOUND, path,
                             "no stop \"%s\" (define it with name, lat and lon, or give the id of a stop defined "
                             "earlier)", ref);
    if (f->stops[s].location_type != 0)
        return skj_fail(&c->j, path, "\"%s\" is a station (a parent of stops): refer to one of its stops", ref);
    *out = s;
    return TC_OK;
}

static int add_hub(sctx *c, int32_t station, int32_t transfer_s) {
    for (size_t i = 0; i < c->n_hubs; i++)
        if (c->hubs[i].station == station) {
            c->hubs[i].transfer_s = transfer_s;
            return 0;
        }
    sk_hub *h = realloc(c->hubs, (c->n_hubs + 1) * sizeof *h);
    if (!h) return -1;
    c->hubs = h;
    c->hubs[c->n_hubs++] = (sk_hub){station, transfer_s};
    return 0;
}

/* A parent station object {id, name, lat, lon, transfer_min}. */
static tc_status station_def(sctx *c, const cJSON *o, const char *path) {
    static const char *const keys[] = {"id", "name", "lat", "lon", "transfer_min", NULL};
    tc_status st = skj_object(&c->j, o, path);
    if (st) return st;
    skj_check_keys(&c->j, o, path, keys);
    const char *id = NULL, *name = NULL;
    double lat = 0, lon = 0, tmin = -1;
    if ((st = skj_string(&c->j, o, path, "id", 1, &id)) || (st = skj_string(&c->j, o, path, "name", 1, &name)) ||
        (st = skj_number(&c->j, o, path, "lat", 1, -90, 90, &lat)) ||
        (st = skj_number(&c->j, o, path, "lon", 1, -180, 180, &lon)) ||
        (st = skj_number(&c->j, o, path, "transfer_min", 0, 0, 120, &tmin)))
        return st;
    char p[P];
    if (fe_find_stop(c->e.f, id) != GTFS_NONE)
        return skj_fail(&c->j, skj_key(p, sizeof p, path, "id"), "id \"%s\" is used twice", id);
    int32_t s = fe_add_stop(&c->e, id, name, lat, lon, 1, GTFS_NONE);
    if (s < 0) return OOM(c, path);
    if (tmin >= 0 && add_hub(c, s, (int32_t)lround(tmin * 60))) return OOM(c, path);
    return TC_OK;
}

static int has_self_transfer(const gtfs_feed *f, int32_t s) {
    for (size_t i = 0; i < f->n_transfers; i++)
        if (f->transfers[i].from_stop == s && f->transfers[i].to_stop == s && f->transfers[i].from_route < 0 &&
            f->transfers[i].to_route < 0)
            return 1;
    return 0;
}

/* A stop given by name + lat/lon (+ id, station, transfer_min): reuse or create. auto_id names a new stop with no
 * id. */
static tc_status stop_def(sctx *c, const cJSON *o, const char *path, const char *auto_id, int32_t *out) {
    const char *id = NULL, *name = NULL, *station = NULL, *platform = NULL;
    double lat = 0, lon = 0, tmin = -1;
    long wheelchair = 0;
    tc_status st;
    if ((st = skj_string(&c->j, o, path, "id", 0, &id)) || (st = skj_string(&c->j, o, path, "name", 1, &name)) ||
        (st = skj_number(&c->j, o, path, "lat", 1, -90, 90, &lat)) ||
        (st = skj_number(&c->j, o, path, "lon", 1, -180, 180, &lon)) ||
        (st = skj_string(&c->j, o, path, "station", 0, &station)) ||
        (st = skj_string(&c->j, o, path, "platform_code", 0, &platform)) ||
        (st = skj_int(&c->j, o, path, "wheelchair_boarding", 0, 0, 2, &wheelchair)) ||
        (st = skj_number(&c->j, o, path, "transfer_min", 0, 0, 120, &tmin)))
        return st;
    if (id && !*id) id = NULL;
    char p[P];
    gtfs_feed *f = c->e.f;
    int32_t parent = GTFS_NONE;
    if (station) {
        parent = fe_find_stop(f, station);
        if (parent != GTFS_NONE && f->stops[parent].location_type != 1)
            return skj_fail(&c->j, skj_key(p, sizeof p, path, "station"),
                            "\"%s\" is a stop, not a station (declare stations in \"stations\")", station);
        if (parent == GTFS_NONE) {
            /* A station first named here: it takes this stop's name and place. */
            parent = fe_add_stop(&c->e, station, name, lat, lon, 1, GTFS_NONE);
            if (parent < 0) return OOM(c, path);
        }
    }
    int32_t s = GTFS_NONE;
    if (id) {
        s = fe_find_stop(f, id);
        if (s != GTFS_NONE) {
            const gtfs_stop *e = &f->stops[s];
            if (e->location_type != 0)
                return skj_fail(&c->j, skj_key(p, sizeof p, path, "id"), "\"%s\" is already a station's id", id);
            double d = haversine_m(lat, lon, e->lat, e->lon);
            if (d > c->merge_radius_m)
                return skj_fail(&c->j, path,
                                "stop \"%s\" is already defined %.0f m away (more than merge_radius_m %.0f): "
                                "same id, different place?", id, d, c->merge_radius_m);
            if (station && e->parent != parent)
                return skj_fail(&c->j, skj_key(p, sizeof p, path, "station"),
                                "stop \"%s\" was defined under another station", id);
        }
    } else {
        s = find_stop_by_name_near(f, name, lat, lon, c->merge_radius_m, parent, station != NULL);
    }
    if (s == GTFS_NONE) {
        char gen[256];
        const char *new_id = id;
        if (!new_id) {
            snprintf(gen, sizeof gen, "%s", auto_id);
            for (int k = 2; fe_find_stop(f, gen) != GTFS_NONE && k < 1000; k++)
                snprintf(gen, sizeof gen, "%s_%d", auto_id, k);
            new_id = gen;
        }
        s = fe_add_stop(&c->e, new_id, name, lat, lon, 0, parent);
        if (s < 0) return OOM(c, path);
        /* A platform added (by a scenario) to an existing hub inherits the hub's transfer time: the time already
         * stated between two of its other stops. */
        if (c->in_scenario && parent != GTFS_NONE) {
            int32_t hub_time = -1;
            for (size_t i = 0; i < f->n_transfers && hub_time < 0; i++) {
                const gtfs_transfer *t = &f->transfers[i];
                if (t->type == 2 && t->from_stop != t->to_stop && t->from_stop >= 0 && t->to_stop >= 0 &&
                    t->from_route < 0 && t->to_route < 0 && t->from_trip < 0 && t->to_trip < 0 &&
                    f->stops[t->from_stop].parent == parent && f->stops[t->to_stop].parent == parent)
                    hub_time = t->min_transfer_time;
            }
            for (size_t i = 0; hub_time >= 0 && i < f->n_stops; i++)
                if ((int32_t)i != s && f->stops[i].parent == parent && f->stops[i].location_type == 0 &&
                    (fe_add_transfer(&c->e, s, (int32_t)i, GTFS_NONE, GTFS_NONE, 2, hub_time) ||
                     fe_add_transfer(&c->e, (int32_t)i, s, GTFS_NONE, GTFS_NONE, 2, hub_time)))
                    return OOM(c, path);
        }
        f->stops[s].wheelchair_boarding = (int)wheelchair;
        if (platform && !(f->stops[s].platform_code = sk_pool_strdup(c->e.pool, platform))) return OOM(c, path);
    }
    if (tmin >= 0 && !has_self_transfer(f, s) && fe_add_transfer(&c->e, s, s, GTFS_NONE, GTFS_NONE, 2,
                                                                  (int32_t)lround(tmin * 60)))
        return OOM(c, path);
    *out = s;
    return TC_OK;
}

/* ------------------------------------------------------------------------------------------ transfers */

static int set_one_transfer(feed_edit *e, int32_t a, int32_t b, int32_t ra, int32_t rb, int type, int32_t min) {
    gtfs_feed *f = e->f;
    for (size_t i = 0; i < f->n_transfers; i++) {
        gtfs_transfer *t = &f->transfers[i];
        if (t->from_stop == a && t->to_stop == b && t->from_route == ra && t->to_route == rb && t->from_trip < 0 &&
            t->to_trip < 0) {
            t->type = type;
            t->min_transfer_time = min;
            return 0;
        }
    }
    return fe_add_transfer(e, a, b, ra, rb, type, min);
}

/* The stops a stop or station stands for (a station with no stops stands for itself). */
static size_t members(const gtfs_feed *f, int32_t s, int32_t *buf, size_t cap) {
    size_t n = 0;
    if (f->stops[s].location_type == 1)
        for (size_t i = 0; i < f->n_stops && n < cap; i++)
            if (f->stops[i].parent == s && f->stops[i].location_type == 0) buf[n++] = (int32_t)i;
    if (n == 0) buf[n++] = s;
    return n;
}

int sketch_set_transfer(feed_edit *e, int32_t from, int32_t to, int32_t from_route, int32_t to_route, int type,
                        int32_t min_transfer_time) {
    int32_t fa[64], fb[64];
    size_t na = members(e->f, from, fa, 64), nb = members(e->f, to, fb, 64);
    for (size_t i = 0; i < na; i++)
        for (size_t k = 0; k < nb; k++)
            if (set_one_transfer(e, fa[i], fb[k], from_route, to_route, type, min_transfer_time)) return -1;
    return 0;
}

/* {"from", "to", "from_route", "to_route", "min_transfer_min" | "timed": true | "not_possible": true} */
static tc_status transfer_def(sctx *c, const cJSON *o, const char *path) {
    static const char *const keys[] = {"from", "to", "from_route", "to_route", "min_transfer_min", "timed",
                                       "not_possible", NULL};
    tc_status st = skj_object(&c->j, o, path);
    if (st) return st;
    skj_check_keys(&c->j, o, path, keys);
    const char *from = NULL, *to = NULL, *fr = NULL, *tr = NULL;
    double tmin = -1;
    int timed = 0, never = 0;
    if ((st = skj_string(&c->j, o, path, "from", 1, &from)) || (st = skj_string(&c->j, o, path, "to", 0, &to)) ||
        (st = skj_string(&c->j, o, path, "from_route", 0, &fr)) ||
        (st = skj_string(&c->j, o, path, "to_route", 0, &tr)) ||
        (st = skj_number(&c->j, o, path, "min_transfer_min", 0, 0, 240, &tmin)) ||
        (st = skj_bool(&c->j, o, path, "timed", 0, &timed)) ||
        (st = skj_bool(&c->j, o, path, "not_possible", 0, &never)))
        return st;
    if ((tmin >= 0) + timed + never != 1)
        return skj_fail(&c->j, path, "expected exactly one of \"min_transfer_min\", \"timed\": true, "
                                     "\"not_possible\": true");
    char p[P];
    int32_t a = fe_find_stop(c->e.f, from), b = to ? fe_find_stop(c->e.f, to) : a;
    if (a == GTFS_NONE)
        return skj_fail_code(&c->j, TC_ERR_NOT_FOUND, skj_key(p, sizeof p, path, "from"), "no stop or station \"%s\"", from);
    if (b == GTFS_NONE)
        return skj_fail_code(&c->j, TC_ERR_NOT_FOUND, skj_key(p, sizeof p, path, "to"), "no stop or station \"%s\"", to);
    int32_t ra = fr ? fe_find_route(c->e.f, fr) : GTFS_NONE, rb = tr ? fe_find_route(c->e.f, tr) : GTFS_NONE;
    if (fr && ra == GTFS_NONE)
        return skj_fail_code(&c->j, TC_ERR_NOT_FOUND, skj_key(p, sizeof p, path, "from_route"), "no line \"%s\"", fr);
    if (tr && rb == GTFS_NONE)
        return skj_fail_code(&c->j, TC_ERR_NOT_FOUND, skj_key(p, sizeof p, path, "to_route"), "no line \"%s\"", tr);
    int type = timed ? 1 : never ? 3 : 2;
    int32_t min = tmin >= 0 ? (int32_t)lround(tmin * 60) : timed ? 0 : -1;
    if (sketch_set_transfer(&c->e, a, b, ra, rb, type, min)) return OOM(c, path);
    return TC_OK;
}

/* ------------------------------------------------------------------------------------------ timetables */

static tc_status time_list(sctx *c, const cJSON *arr, const char *path, int32_t **out, size_t *n) {
    if (!cJSON_IsArray(arr)) return skj_fail(&c->j, path, "expected a list of times [\"06:30\", ...]");
    size_t cnt = (size_t)cJSON_GetArraySize(arr);
    int32_t *v = malloc((cnt ? cnt : 1) * sizeof *v);
    if (!v) return OOM(c, path);
    size_t i = 0;
    char p[P];
    for (const cJSON *x = arr->child; x; x = x->next, i++) {
        tc_status st = skj_time_value(&c->j, x, skj_idx(p, sizeof p, path, i), &v[i]);
        if (st) {
            free(v);
            return st;
        }
    }
    *out = v;
    *n = cnt;
    return TC_OK;
}

static tc_status period_list(sctx *c, const cJSON *arr, const char *path, sk_period **out, size_t *n) {
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) < 1)
        return skj_fail(&c->j, path, "expected a list of periods [{\"from\": \"06:30\", \"to\": \"09:00\", "
                                     "\"headway_min\": 5}, ...]");
    size_t cnt = (size_t)cJSON_GetArraySize(arr);
    sk_period *v = calloc(cnt, sizeof *v);
    if (!v) return OOM(c, path);
    size_t i = 0;
    char p[P], q[P];
    tc_status st = TC_OK;
    static const char *const keys[] = {"from", "to", "headway_min", NULL};
    for (const cJSON *x = arr->child; x; x = x->next, i++) {
        skj_idx(p, sizeof p, path, i);
        if ((st = skj_object(&c->j, x, p))) break;
        skj_check_keys(&c->j, x, p, keys);
        const cJSON *fv = cJSON_GetObjectItemCaseSensitive(x, "from"), *tv = cJSON_GetObjectItemCaseSensitive(x, "to");
        double h = 0;
        if (!fv) {
            st = skj_fail(&c->j, skj_key(q, sizeof q, p, "from"), "missing: expected a time \"HH:MM\"");
            break;
        }
        if (!tv) {
            st = skj_fail(&c->j, skj_key(q, sizeof q, p, "to"), "missing: expected a time \"HH:MM\"");
            break;
        }
        if ((st = skj_time_value(&c->j, fv, skj_key(q, sizeof q, p, "from"), &v[i].from)) ||
            (st = skj_time_value(&c->j, tv, skj_key(q, sizeof q, p, "to"), &v[i].to)) ||
            (st = skj_number(&c->j, x, p, "headway_min", 1, 0.05, 1440, &h)))
            break;
        v[i].headway = (int32_t)lround(h * 60);
        if (v[i].to <= v[i].from) {
            st = skj_fail(&c->j, skj_key(q, sizeof q, p, "to"), "must be later than \"from\"");
            break;
        }
        if (i > 0 && v[i].from < v[i - 1].to) {
            st = skj_fail(&c->j, skj_key(q, sizeof q, p, "from"),
                          "overlaps the previous period (periods must be in time order and not overlap)");
            break;
        }
    }
    if (st) {
        free(v);
        return st;
    }
    *out = v;
    *n = cnt;
    return TC_OK;
}

/* "departures" / "headways" of a line or pattern: a list (both directions) or {"forward": [...], "backward": [...]}.
 */
static tc_status parse_timetable(sctx *c, const cJSON *o, const char *path, int both, sk_tt *tt) {
    memset(tt, 0, sizeof *tt);
    const cJSON *dv = cJSON_GetObjectItemCaseSensitive(o, "departures");
    const cJSON *hv = cJSON_GetObjectItemCaseSensitive(o, "headways");
    if (dv && hv) return skj_fail(&c->j, path, "give either \"departures\" or \"headways\", not both");
    if (!dv && !hv)
        return skj_fail(&c->j, path, "no timetable: expected \"headways\" [{from, to, headway_min}], "
                                     "\"departures\" [\"06:30\", ...] or \"trips\" [{id, calls}]");
    const cJSON *v = dv ? dv : hv;
    const char *key = dv ? "departures" : "headways";
    char p[P], q[P];
    skj_key(p, sizeof p, path, key);
    tt->has_deps = dv != NULL;
    tt->has_per = hv != NULL;
    for (int d = 0; d < (both ? 2 : 1); d++) {
        const cJSON *list = v;
        const char *lp = p;
        if (cJSON_IsObject(v)) {
            static const char *const keys[] = {"forward", "backward", NULL};
            if (d == 0) skj_check_keys(&c->j, v, p, keys);
            const char *dk = d == 0 ? "forward" : "backward";
            list = cJSON_GetObjectItemCaseSensitive(v, dk);
            lp = skj_key(q, sizeof q, p, dk);
            if (!list) {
                tt_free(tt);
                return skj_fail(&c->j, lp, "missing (the line runs in both directions; say \"directions\": "
                                           "\"forward\" for one)");
            }
        }
        tc_status st = dv ? time_list(c, list, lp, &tt->deps[d], &tt->n_deps[d])
                          : period_list(c, list, lp, &tt->per[d], &tt->n_per[d]);
        if (st) {
            tt_free(tt);
            return st;
        }
    }
    if (!both && cJSON_IsObject(v) && cJSON_GetObjectItemCaseSensitive(v, "backward")) {
        tt_free(tt);
        return skj_fail(&c->j, skj_key(q, sizeof q, p, "backward"),
                        "given, but \"directions\" is \"forward\" (say \"both\")");
    }
    return TC_OK;
}

static tc_status parse_run(sctx *c, const cJSON *o, const char *path, sk_run *run) {
    memset(run, 0, sizeof *run);
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(o, "run");
    if (!r) return TC_OK;
    char p[P];
    skj_key(p, sizeof p, path, "run");
    static const char *const keys[] = {"speed_kmh", "detour", "total_min", NULL};
    tc_status st = skj_object(&c->j, r, p);
    if (st) return st;
    skj_check_keys(&c->j, r, p, keys);
    run->detour = 1.0;
    run->speed_kmh = -1;
    run->total_min = -1;
    if ((st = skj_number(&c->j, r, p, "speed_kmh", 0, 1, 1000, &run->speed_kmh)) ||
        (st = skj_number(&c->j, r, p, "detour", 0, 1, 5, &run->detour)) ||
        (st = skj_number(&c->j, r, p, "total_min", 0, 0.1, 24 * 60, &run->total_min)))
        return st;
    if ((run->speed_kmh > 0) == (run->total_min > 0))
        return skj_fail(&c->j, p, "expected exactly one of \"speed_kmh\" (with an optional \"detour\") or "
                                  "\"total_min\"");
    run->kind = run->speed_kmh > 0 ? 1 : 2;
    return TC_OK;
}

/* ------------------------------------------------------------------------------------------ lines */

typedef struct line_info {
    const char *id;
    int32_t route;
    sk_st *st;
    size_t n;
    double *seg_m; /* n-1 straight-line segment lengths */
    int station_runs; /* every station after the first has run_min */
    sk_run run;
    double dwell_s;
    int both;
    int32_t service;
    int exact, expand;
} line_info;

/* Times of one direction of a pattern: calls[] are station indices (increasing); reverse runs them backwards.
 * st_out gets arrival/departure relative to the first departure (0). */
static tc_status pattern_times(sctx *c, const line_info *L, const int *calls, size_t m, const sk_run *prun,
                               double dwell_s, int reverse, const char *path, gtfs_stop_time *out) {
    const sk_run *run = prun->kind ? prun : &L->run;
    double *hop = malloc((m ? m : 1) * sizeof *hop);
    if (!hop) return OOM(c, path);
    double sum_d = 0, sum_dwell = 0;
    for (size_t k = 0; k + 1 < m; k++) {
        double d = 0, r = 0;
        for (int i = calls[k]; i < calls[k + 1]; i++) {
            d += L->seg_m[i];
            r += L->st[i + 1].run_s;
        }
        if (run->kind == 1) hop[k] = d * run->detour / (run->speed_kmh / 3.6);
        else if (run->kind == 2) hop[k] = d;
        else hop[k] = r;
        sum_d += d;
    }
    for (size_t k = 1; k + 1 < m; k++) {
        double w = L->st[calls[k]].dwell_s;
        sum_dwell += w >= 0 ? w : dwell_s;
    }
    if (run->kind == 2) {
        double running = run->total_min * 60 - sum_dwell;
        if (running <= 0) {
            free(hop);
            return skj_fail(&c->j, path, "run.total_min %.1f leaves no running time after %.0f s of dwell",
                            run->total_min, sum_dwell);
        }
        if (sum_d <= 0) {
            free(hop);
            return skj_fail(&c->j, path, "run.total_min needs stations at different places");
        }
        for (size_t k = 0; k + 1 < m; k++) hop[k] = running * hop[k] / sum_d;
    }
    double t = 0;
    for (size_t k = 0; k < m; k++) {
        size_t idx = reverse ? m - 1 - k : k; /* which call */
        gtfs_stop_time *s = &out[k];
        memset(s, 0, sizeof *s);
        s->stop = L->st[calls[idx]].stop;
        s->timepoint = 1;
        s->shape_dist_traveled = NAN;
        if (k > 0) t += hop[reverse ? idx : idx - 1];
        s->arrival = (int32_t)lround(t);
        if (k > 0 && k + 1 < m) {
            double w = L->st[calls[idx]].dwell_s;
            t += w >= 0 ? w : dwell_s;
        }
        s->departure = (int32_t)lround(t);
    }
    free(hop);
    return TC_OK;
}

/* Match a "calls" entry (station index, stop id or name) at or after from. */
static int find_call(const sctx *c, const line_info *L, const cJSON *x, int from) {
    if (cJSON_IsNumber(x)) {
        int i = (int)x->valuedouble;
        return (x->valuedouble == (double)i && i >= from && i < (int)L->n) ? i : -1;
    }
    if (!cJSON_IsString(x)) return -1;
    for (int i = from; i < (int)L->n; i++) {
        const gtfs_stop *s = &c->e.f->stops[L->st[i].stop];
        if (!strcmp(s->id, x->valuestring) || !strcmp(s->name, x->valuestring)) return i;
    }
    return -1;
}

static tc_status emit_pattern(sctx *c, const line_info *L, const char *pat_id, const int *calls, size_t m,
                              const sk_run *prun, double dwell_s, int32_t service, const sk_tt *tt, int exact,
                              int expand, const char *path) {
    gtfs_stop_time *tmpl = malloc(m * sizeof *tmpl), *tr = malloc(m * sizeof *tr);
    if (!tmpl || !tr) {
        free(tmpl);
        free(tr);
        return OOM(c, path);
    }
    tc_status st = TC_OK;
    gtfs_feed *f = c->e.f;
    char trip_id[512];
    for (int d = 0; d < (L->both ? 2 : 1) && !st; d++) {
        if ((st = pattern_times(c, L, calls, m, prun, dwell_s, d, path, tmpl))) break;
        const char *headsign = f->stops[tmpl[m - 1].stop].name;
        size_t n_trips = 0;
        /* Departures: explicit list, or the headway periods expanded. */
        size_t n_dep = 0;
        int32_t *deps = NULL;
        if (tt->has_deps) {
            deps = tt->deps[d];
            n_dep = tt->n_deps[d];
        } else if (expand) {
            size_t cap = 0;
            for (size_t i = 0; i < tt->n_per[d]; i++)
                cap += (size_t)((tt->per[d][i].to - tt->per[d][i].from + tt->per[d][i].headway - 1) /
                                tt->per[d][i].headway);
            deps = malloc((cap ? cap : 1) * sizeof *deps);
            if (!deps) {
                st = OOM(c, path);
                break;
            }
            for (size_t i = 0; i < tt->n_per[d]; i++)
                for (int32_t t = tt->per[d][i].from; t < tt->per[d][i].to; t += tt->per[d][i].headway)
                    deps[n_dep++] = t;
        }
        if (deps) {
            for (size_t k = 0; k < n_dep && !st; k++) {
                for (size_t i = 0; i < m; i++) {
                    tr[i] = tmpl[i];
                    tr[i].arrival += deps[k];
                    tr[i].departure += deps[k];
                }
                snprintf(trip_id, sizeof trip_id, "%s.%s.%d.%zu", L->id, pat_id, d, ++n_trips);
                if (fe_add_trip(&c->e, trip_id, L->route, service, d, headsign, tr, m) < 0) st = OOM(c, path);
            }
            if (!tt->has_deps) free(deps);
        } else {
            int32_t base = tt->per[d][0].from;
            for (size_t i = 0; i < m; i++) {
                tr[i] = tmpl[i];
                tr[i].arrival += base;
                tr[i].departure += base;
            }
            snprintf(trip_id, sizeof trip_id, "%s.%s.%d.f", L->id, pat_id, d);
            int32_t t = fe_add_trip(&c->e, trip_id, L->route, service, d, headsign, tr, m);
            if (t < 0) st = OOM(c, path);
            for (size_t i = 0; i < tt->n_per[d] && !st; i++)
                if (fe_add_frequency(&c->e, t, tt->per[d][i].from, tt->per[d][i].to, tt->per[d][i].headway, exact))
                    st = OOM(c, path);
        }
    }
    free(tmpl);
    free(tr);
    return st;
}

/* "trips": [{"id": "C6501", "calls": [["长沙站", "06:40"], ["树木岭", "06:45", "06:46"], …]}, …] — timetabled
 * trips, each with its own calls and times (a published timetable, not a pattern + a headway). A call is [station,
 * time] (arrival = departure) or [station, arrival, departure]; station is a name, a stop id or an index into the
 * line's "stations". The calls follow the line's stations in one running order: increasing is direction 0,
 * decreasing direction 1 (only with "directions": "both"). Times never decrease along a trip. Trip ids are
 * "LINE.PATTERN.D.ID" so that scenarios select a pattern's trips as they do for generated ones. */
static tc_status emit_trips(sctx *c, const line_info *L, const char *pat_id, const cJSON *trips, int32_t service,
                            const char *path) {
    gtfs_feed *f = c->e.f;
    gtfs_stop_time *tr = malloc(L->n * sizeof *tr);
    if (!tr) return OOM(c, path);
    static const char *const keys[] = {"id", "calls", NULL};
    char p[P], q[P], r[P], trip_id[512];
    tc_status st = TC_OK;
    size_t ti = 0;
    for (const cJSON *t = trips->child; t && !st; t = t->next, ti++) {
        skj_idx(p, sizeof p, path, ti);
        if ((st = skj_object(&c->j, t, p))) break;
        skj_check_keys(&c->j, t, p, keys);
        const char *tid = NULL;
        const cJSON *calls = NULL;
        if ((st = skj_string(&c->j, t, p, "id", 1, &tid)) || (st = skj_array(&c->j, t, p, "calls", 1, 2, &calls)))
            break;
        if (!*tid || strchr(tid, '.')) {
            st = skj_fail(&c->j, skj_key(q, sizeof q, p, "id"), "expected a non-empty trip id without '.'");
            break;
        }
        skj_key(q, sizeof q, p, "calls");
        size_t m = 0;
        int prev = -1, dir = -1;
        for (const cJSON *x = calls->child; x && !st; x = x->next, m++) {
            skj_idx(r, sizeof r, q, m);
            int n_items = cJSON_IsArray(x) ? cJSON_GetArraySize(x) : 0;
            if (n_items != 2 && n_items != 3) {
                st = skj_fail(&c->j, r, "expected [station, \"HH:MM\"] or [station, arrival, departure]");
                break;
            }
            if (m >= L->n) {
                st = skj_fail(&c->j, r, "more calls than the line has stations");
                break;
            }
            const cJSON *ref = cJSON_GetArrayItem(x, 0);
            int i = find_call(c, L, ref, 0);
            /* A name may occur twice on a line (never in this format's use, but an id is exact): prefer the
             * occurrence that keeps the running order. */
            if (i >= 0 && dir == 0 && i <= prev) i = find_call(c, L, ref, prev + 1);
            if (i < 0) {
                st = skj_fail(&c->j, r, "not a station of line \"%s\" (give a stop id, a name or an index)", L->id);
                break;
            }
            if (m == 1) dir = i > prev ? 0 : 1;
            if (m >= 1 && (dir == 0 ? i <= prev : i >= prev)) {
                st = skj_fail(&c->j, r, "calls must follow the line's stations in one running order");
                break;
            }
            if (dir == 1 && !L->both) {
                st = skj_fail(&c->j, r, "runs against the line's order, but \"directions\" is \"forward\"");
                break;
            }
            gtfs_stop_time *s = &tr[m];
            memset(s, 0, sizeof *s);
            s->stop = L->st[i].stop;
            s->timepoint = 1;
            s->shape_dist_traveled = NAN;
            char tp[P];
            if ((st = skj_time_value(&c->j, cJSON_GetArrayItem(x, 1), skj_idx(tp, sizeof tp, r, 1), &s->arrival)))
                break;
            s->departure = s->arrival;
            if (n_items == 3 &&
                (st = skj_time_value(&c->j, cJSON_GetArrayItem(x, 2), skj_idx(tp, sizeof tp, r, 2), &s->departure)))
                break;
            if (s->departure < s->arrival || (m > 0 && s->arrival < tr[m - 1].departure)) {
                st = skj_fail(&c->j, r, "time goes backwards (times never decrease along a trip)");
                break;
            }
            prev = i;
        }
        if (st) break;
        snprintf(trip_id, sizeof trip_id, "%s.%s.%d.%s", L->id, pat_id, dir, tid);
        if (fe_find_trip(f, trip_id) != GTFS_NONE) {
            st = skj_fail(&c->j, skj_key(q, sizeof q, p, "id"), "trip \"%s\" is given twice on line \"%s\"", tid,
                          L->id);
            break;
        }
        const char *headsign = f->stops[tr[m - 1].stop].name;
        if (fe_add_trip(&c->e, trip_id, L->route, service, dir, headsign, tr, m) < 0) st = OOM(c, path);
    }
    free(tr);
    return st;
}

/* A pattern given as timetabled "trips": they carry their own calls and times, so no calls, run times or headways
 * beside them. */
static tc_status pattern_of_trips(sctx *c, const line_info *L, const cJSON *pat, const char *p, const char *pid,
                                  const cJSON *ptrips) {
    char q[P];
    tc_status st = TC_OK;
    static const char *const other[] = {"calls", "from", "to", "run", "departures", "headways", NULL};
    for (size_t k = 0; other[k] && !st; k++)
        if (cJSON_GetObjectItemCaseSensitive(pat, other[k]))
            st = skj_fail(&c->j, skj_key(q, sizeof q, p, other[k]),
                          "a pattern with \"trips\" takes its calls and times from them");
    if (st) return st;
    if (!cJSON_IsArray(ptrips)) return skj_fail(&c->j, skj_key(q, sizeof q, p, "trips"), "expected a list of trips");
    int32_t service = L->service;
    char hint[300];
    snprintf(hint, sizeof hint, "%s.%s", L->id, pid);
    if (cJSON_GetObjectItemCaseSensitive(pat, "calendar") && (st = line_service(c, pat, p, hint, &service)))
        return st;
    return emit_trips(c, L, pid, ptrips, service, skj_key(q, sizeof q, p, "trips"));
}

/* The stations a pattern calls at, as indices into the line's stations (calls[0..*m)): a list, or a contiguous
 * range from/to, or every station. */
static tc_status pattern_calls(sctx *c, const line_info *L, const cJSON *pat, const char *p, int *calls,
                               size_t *m_out) {
    char q[P];
    size_t m = 0;
    const cJSON *cl = NULL;
    const char *from = NULL, *to = NULL;
    tc_status st;
    if ((st = skj_array(&c->j, pat, p, "calls", 0, 2, &cl)) || (st = skj_string(&c->j, pat, p, "from", 0, &from)) ||
        (st = skj_string(&c->j, pat, p, "to", 0, &to)))
        return st;
    if (cl && (from || to)) return skj_fail(&c->j, p, "give either \"calls\" or \"from\"/\"to\", not both");
    if (cl) {
        int prev = -1;
        size_t ci = 0;
        for (const cJSON *x = cl->child; x; x = x->next, ci++) {
            int i = find_call(c, L, x, prev + 1);
            if (i < 0) {
                char pp[P];
                skj_idx(pp, sizeof pp, skj_key(q, sizeof q, p, "calls"), ci);
                return skj_fail(&c->j, pp, "not a station of line \"%s\" after the previous call (calls follow "
                                           "the order of \"stations\"; give a stop id, a name or an index)", L->id);
            }
            calls[m++] = i;
            prev = i;
        }
        *m_out = m;
        return TC_OK;
    }
    int a = 0, b = (int)L->n - 1;
    if (from) {
        cJSON tmp = {0};
        tmp.type = cJSON_String;
        tmp.valuestring = (char *)from;
        if ((a = find_call(c, L, &tmp, 0)) < 0)
            return skj_fail(&c->j, skj_key(q, sizeof q, p, "from"), "\"%s\" is not a station of line \"%s\"", from,
                            L->id);
    }
    if (to) {
        cJSON tmp = {0};
        tmp.type = cJSON_String;
        tmp.valuestring = (char *)to;
        if ((b = find_call(c, L, &tmp, a + 1)) < 0)
            return skj_fail(&c->j, skj_key(q, sizeof q, p, "to"),
                            "\"%s\" is not a station of line \"%s\" after \"from\"", to, L->id);
    }
    for (int i = a; i <= b; i++) calls[m++] = i;
    if (m < 2) return skj_fail(&c->j, p, "a pattern needs at least two stations");
    *m_out = m;
    return TC_OK;
}

/* A pattern whose trips are generated: its calls, run times (its own or the line's), dwell, calendar and timetable
 * (departures or headways). calls is scratch room for one per station of the line. */
static tc_status pattern_of_runs(sctx *c, const line_info *L, const cJSON *pat, const char *p, const char *pid,
                                 int *calls) {
    size_t m = 0;
    tc_status st = pattern_calls(c, L, pat, p, calls, &m);
    if (st) return st;
    sk_run prun;
    double dwell = L->dwell_s;
    int exact = L->exact, expand = L->expand;
    int32_t service = L->service;
    if ((st = parse_run(c, pat, p, &prun)) || (st = skj_number(&c->j, pat, p, "dwell_s", 0, 0, 3600, &dwell)) ||
        (st = skj_bool(&c->j, pat, p, "exact_times", 0, &exact)) || (st = skj_bool(&c->j, pat, p, "expand", 0, &expand)))
        return st;
    if (!prun.kind && !L->run.kind && !L->station_runs)
        return skj_fail(&c->j, p, "no run times: give \"run\" here or on the line, or \"run_min\" on the stations");
    char hint[300];
    snprintf(hint, sizeof hint, "%s.%s", L->id, pid);
    if (cJSON_GetObjectItemCaseSensitive(pat, "calendar") && (st = line_service(c, pat, p, hint, &service)))
        return st;
    sk_tt tt;
    if ((st = parse_timetable(c, pat, p, L->both, &tt))) return st;
    st = emit_pattern(c, L, pid, calls, m, &prun, dwell, service, &tt, exact, expand, p);
    tt_free(&tt);
    return st;
}

/* A line's trips: its own "trips", or one pattern over all its stations, or each of its "patterns" in turn. */
static tc_status line_patterns(sctx *c, line_info *L, const cJSON *line, const char *path) {
    char p[P], q[P];
    tc_status st = TC_OK;
    const cJSON *pats = NULL;
    if ((st = skj_array(&c->j, line, path, "patterns", 0, 1, &pats))) return st;
    int *calls = malloc(L->n * sizeof *calls);
    if (!calls) return OOM(c, path);
    const cJSON *line_trips = cJSON_GetObjectItemCaseSensitive(line, "trips");
    if (line_trips && (pats || cJSON_GetObjectItemCaseSensitive(line, "departures") ||
                       cJSON_GetObjectItemCaseSensitive(line, "headways"))) {
        free(calls);
        return skj_fail(&c->j, path, "give \"trips\" in each pattern when the line has \"patterns\", and not "
                                     "beside \"departures\" or \"headways\"");
    }
    if (line_trips) {
        free(calls);
        if (!cJSON_IsArray(line_trips)) return skj_fail(&c->j, skj_key(p, sizeof p, path, "trips"), "expected a list of trips");
        return emit_trips(c, L, "all", line_trips, L->service, skj_key(p, sizeof p, path, "trips"));
    }
    if (!pats) {
        for (size_t i = 0; i < L->n; i++) calls[i] = (int)i;
        sk_tt tt;
        sk_run none = {0};
        if (!(st = parse_timetable(c, line, path, L->both, &tt))) {
            st = emit_pattern(c, L, "all", calls, L->n, &none, L->dwell_s, L->service, &tt, L->exact, L->expand,
                              path);
            tt_free(&tt);
        }
        free(calls);
        return st;
    }
    if (cJSON_GetObjectItemCaseSensitive(line, "departures") || cJSON_GetObjectItemCaseSensitive(line, "headways")) {
        free(calls);
        return skj_fail(&c->j, path, "a line with \"patterns\" gives its timetable in each pattern");
    }
    static const char *const keys[] = {"id", "name", "calls", "from", "to", "run", "dwell_s", "calendar",
                                       "departures", "headways", "trips", "exact_times", "expand", NULL};
    size_t pi = 0;
    const char *seen[64];
    size_t n_seen = 0;
    for (const cJSON *pat = pats->child; pat && !st; pat = pat->next, pi++) {
        skj_idx(p, sizeof p, skj_key(q, sizeof q, path, "patterns"), pi);
        if ((st = skj_object(&c->j, pat, p))) break;
        skj_check_keys(&c->j, pat, p, keys);
        const char *pid = NULL;
        if ((st = skj_string(&c->j, pat, p, "id", 1, &pid))) break;
        for (size_t k = 0; k < n_seen; k++)
            if (!strcmp(seen[k], pid)) st = skj_fail(&c->j, skj_key(q, sizeof q, p, "id"), "pattern id \"%s\" is used twice", pid);
        if (st) break;
        if (n_seen < 64) seen[n_seen++] = pid;
        const cJSON *ptrips = cJSON_GetObjectItemCaseSensitive(pat, "trips");
        st = ptrips ? pattern_of_trips(c, L, pat, p, pid, ptrips) : pattern_of_runs(c, L, pat, p, pid, calls);
    }
    free(calls);
    return st;
}

static tc_status sk_line(sctx *c, const cJSON *line, const char *path) {
    static const char *const keys[] = {"id", "short_name", "name", "route_type", "agency", "color", "text_color",
                                       "calendar", "directions", "dwell_s", "run", "stations", "headways",
                                       "departures", "trips", "patterns", "exact_times", "expand", NULL};
    tc_status st = skj_object(&c->j, line, path);
    if (st) return st;
    skj_check_keys(&c->j, line, path, keys);
    gtfs_feed *f = c->e.f;
    const char *id = NULL, *short_name = "", *name = "", *agency = NULL, *color = NULL, *text_color = NULL,
               *directions = "both";
    long type = 0;
    char p[P], q[P];
    if ((st = skj_string(&c->j, line, path, "id", 1, &id)) ||
        (st = skj_string(&c->j, line, path, "short_name", 0, &short_name)) ||
        (st = skj_string(&c->j, line, path, "name", 0, &name)) ||
        (st = skj_int(&c->j, line, path, "route_type", 1, 0, 1799, &type)) ||
        (st = skj_string(&c->j, line, path, "agency", 0, &agency)) ||
        (st = skj_string(&c->j, line, path, "color", 0, &color)) ||
        (st = skj_string(&c->j, line, path, "text_color", 0, &text_color)) ||
        (st = skj_string(&c->j, line, path, "directions", 0, &directions)))
        return st;
    if (strchr(id, '.'))
        return skj_fail(&c->j, skj_key(p, sizeof p, path, "id"), "line ids may not contain '.' (trip ids use it)");
    if (fe_find_route(f, id) != GTFS_NONE)
        return skj_fail(&c->j, skj_key(p, sizeof p, path, "id"), "a line or route \"%s\" already exists", id);
    if (!((type >= 0 && type <= 12) || type >= 100))
        return skj_fail(&c->j, skj_key(p, sizeof p, path, "route_type"),
                        "expected a GTFS route_type (0–12, or extended 100–1799), got %ld", type);
    char col[7], tcol[7];
    if ((st = check_color(c, path, "color", color, col)) || (st = check_color(c, path, "text_color", text_color, tcol)))
        return st;
    int both;
    if (!strcmp(directions, "both")) both = 1;
    else if (!strcmp(directions, "forward")) both = 0;
    else return skj_fail(&c->j, skj_key(p, sizeof p, path, "directions"), "expected \"both\" or \"forward\"");
    int32_t ag = 0;
    if (agency) {
        ag = fe_find_agency(f, agency);
        if (ag == GTFS_NONE)
            return skj_fail_code(&c->j, TC_ERR_NOT_FOUND, skj_key(p, sizeof p, path, "agency"), "no agency \"%s\"", agency);
    } else if (f->n_agencies == 0) {
        return skj_fail(&c->j, skj_key(p, sizeof p, path, "agency"), "missing, and no agency is defined");
    }
    line_info L = {0};
    L.id = id;
    L.both = both;
    L.dwell_s = 0;
    if ((st = skj_number(&c->j, line, path, "dwell_s", 0, 0, 3600, &L.dwell_s)) ||
        (st = skj_bool(&c->j, line, path, "exact_times", 0, &L.exact)) ||
        (st = skj_bool(&c->j, line, path, "expand", 0, &L.expand)) || (st = parse_run(c, line, path, &L.run)) ||
        (st = line_service(c, line, path, id, &L.service)))
        return st;
    const cJSON *stations = NULL;
    if ((st = skj_array(&c->j, line, path, "stations", 1, 2, &stations))) return st;
    L.n = (size_t)cJSON_GetArraySize(stations);
    L.st = calloc(L.n, sizeof *L.st);
    L.seg_m = calloc(L.n, sizeof *L.seg_m);
    if (!L.st || !L.seg_m) {
        free(L.st);
        free(L.seg_m);
        return OOM(c, path);
    }
    /* Stations → stops. */
    static const char *const st_keys[] = {"id", "name", "lat", "lon", "station", "stop", "run_min", "dwell_s",
                                          "transfer_min", "platform_code", "wheelchair_boarding", NULL};
    size_t i = 0, n_runs = 0;
    skj_key(q, sizeof q, path, "stations");
    for (const cJSON *x = stations->child; x && !st; x = x->next, i++) {
        skj_idx(p, sizeof p, q, i);
        L.st[i].run_s = -1;
        L.st[i].dwell_s = -1;
        if (cJSON_IsString(x)) {
            st = stop_ref(c, x->valuestring, p, &L.st[i].stop);
            continue;
        }
        if (!cJSON_IsObject(x)) {
            st = skj_fail(&c->j, p, "expected a station {\"name\", \"lat\", \"lon\"} or a stop reference");
            break;
        }
        skj_check_keys(&c->j, x, p, st_keys);
        const char *ref = NULL;
        double run_min = -1;
        if ((st = skj_string(&c->j, x, p, "stop", 0, &ref)) ||
            (st = skj_number(&c->j, x, p, "run_min", 0, 0, 24 * 60, &run_min)) ||
            (st = skj_number(&c->j, x, p, "dwell_s", 0, 0, 3600, &L.st[i].dwell_s)))
            break;
        if (ref) {
            if (cJSON_GetObjectItemCaseSensitive(x, "name") || cJSON_GetObjectItemCaseSensitive(x, "lat") ||
                cJSON_GetObjectItemCaseSensitive(x, "lon")) {
                st = skj_fail(&c->j, p, "give either \"stop\" (a reference) or \"name\", \"lat\", \"lon\" (a new "
                                        "stop), not both");
                break;
            }
            st = stop_ref(c, ref, p, &L.st[i].stop);
        } else {
            char auto_id[256];
            snprintf(auto_id, sizeof auto_id, "%s_%zu", id, i + 1);
            st = stop_def(c, x, p, auto_id, &L.st[i].stop);
        }
        if (run_min >= 0) {
            if (i == 0) {
                st = skj_fail(&c->j, p, "run_min on the first station (run times count from the previous station)");
                break;
            }
            L.st[i].run_s = run_min * 60;
            n_runs++;
        }
    }
    if (!st && n_runs && n_runs != L.n - 1) {
        /* Name the first station that lacks it. */
        size_t k = 1;
        while (k < L.n && L.st[k].run_s >= 0) k++;
        st = skj_fail(&c->j, skj_idx(p, sizeof p, q, k),
                      "no run_min: give it on every station after the first, or none and use \"run\"");
    }
    if (!st && n_runs && L.run.kind)
        st = skj_fail(&c->j, skj_key(p, sizeof p, path, "run"),
                      "run times are given twice (\"run_min\" on the stations and \"run\")");
    L.station_runs = n_runs > 0;
    if (!st && !L.station_runs && !L.run.kind && !cJSON_GetObjectItemCaseSensitive(line, "patterns") &&
        !cJSON_GetObjectItemCaseSensitive(line, "trips"))
        st = skj_fail(&c->j, path, "no run times: expected \"run\" {\"speed_kmh\", \"detour\"} or {\"total_min\"}, "
                                   "or \"run_min\" on every station after the first");
    if (!st) {
        for (size_t k = 0; k + 1 < L.n; k++) {
            const gtfs_stop *a = &f->stops[L.st[k].stop], *b = &f->stops[L.st[k + 1].stop];
            L.seg_m[k] = haversine_m(a->lat, a->lon, b->lat, b->lon);
        }
        L.route = fe_add_route(&c->e, id, short_name, name, (int)type, ag, col, tcol);
        if (L.route < 0) st = OOM(c, path);
    }
    if (!st) st = line_patterns(c, &L, line, path);
    free(L.st);
    free(L.seg_m);
    return st;
}

static tc_status hub_transfers(sctx *c) {
    for (size_t h = 0; h < c->n_hubs; h++) {
        const gtfs_feed *f = c->e.f;
        int32_t kids[64];
        size_t n = 0;
        for (size_t i = 0; i < f->n_stops && n < 64; i++)
            if (f->stops[i].parent == c->hubs[h].station && f->stops[i].location_type == 0) kids[n++] = (int32_t)i;
        for (size_t a = 0; a < n; a++)
            for (size_t b = 0; b < n; b++)
                if (a != b && set_one_transfer(&c->e, kids[a], kids[b], GTFS_NONE, GTFS_NONE, 2, c->hubs[h].transfer_s))
                    return OOM(c, "stations");
    }
    return TC_OK;
}

/* ------------------------------------------------------------------------------------------ the file */

static tc_status sketch_root(sctx *c, const cJSON *root, const char *name) {
    static const char *const keys[] = {"sketch_version", "name", "description", "timezone", "merge_radius_m",
                                       "agencies", "calendars", "stations", "stops", "lines", "transfers", NULL};
    tc_status st = skj_object(&c->j, root, "");
    if (st) return st;
    skj_check_keys(&c->j, root, "", keys);
    gtfs_feed *f = c->e.f;
    long version = 1;
    const char *sk_name = NULL, *tz = NULL, *desc = NULL;
    c->merge_radius_m = SK_DEFAULT_MERGE_RADIUS_M;
    if ((st = skj_int(&c->j, root, "", "sketch_version", 0, 1, 1, &version)) ||
        (st = skj_string(&c->j, root, "", "name", 0, &sk_name)) ||
        (st = skj_string(&c->j, root, "", "description", 0, &desc)) ||
        (st = skj_string(&c->j, root, "", "timezone", 1, &tz)) ||
        (st = skj_number(&c->j, root, "", "merge_radius_m", 0, 0, 5000, &c->merge_radius_m)))
        return st;
    int32_t off;
    if (tz_offset(tz, 0, &off)) return skj_fail(&c->j, "timezone", "unknown timezone \"%s\" (expected an IANA name such as \"Asia/Shanghai\")", tz);
    if (!(f->name = sk_pool_strdup(c->e.pool, name ? name : sk_name ? sk_name : "sketch")) ||
        !(f->timezone = sk_pool_strdup(c->e.pool, tz)) || !(f->feed_publisher = sk_pool_strdup(c->e.pool, "")) ||
        !(f->feed_version = sk_pool_strdup(c->e.pool, "")))
        return OOM(c, "");
    char p[P], q[P];
    /* Agencies. */
    const cJSON *arr = NULL;
    if ((st = skj_array(&c->j, root, "", "agencies", 1, 1, &arr))) return st;
    size_t i = 0;
    static const char *const ag_keys[] = {"id", "name", "url", "timezone", "lang", NULL};
    for (const cJSON *x = arr->child; x; x = x->next, i++) {
        skj_idx(p, sizeof p, "agencies", i);
        if ((st = skj_object(&c->j, x, p))) return st;
        skj_check_keys(&c->j, x, p, ag_keys);
        const char *id = NULL, *an = NULL, *url = "", *atz = tz;
        if ((st = skj_string(&c->j, x, p, "id", 1, &id)) || (st = skj_string(&c->j, x, p, "name", 1, &an)) ||
            (st = skj_string(&c->j, x, p, "url", 0, &url)) || (st = skj_string(&c->j, x, p, "timezone", 0, &atz)))
            return st;
        if (fe_find_agency(f, id) != GTFS_NONE)
            return skj_fail(&c->j, skj_key(q, sizeof q, p, "id"), "agency id \"%s\" is used twice", id);
        if (strcmp(atz, tz))
            return skj_fail(&c->j, skj_key(q, sizeof q, p, "timezone"),
                            "\"%s\" differs from the sketch's timezone \"%s\" (one timezone per sketch)", atz, tz);
        if (fe_add_agency(&c->e, id, an, url, atz) < 0) return OOM(c, p);
    }
    /* Calendars: the feed's date range covers them all. */
    if ((st = skj_array(&c->j, root, "", "calendars", 1, 1, &arr)))
        return st == TC_ERR_PARSE ? skj_fail(&c->j, "calendars", "missing: expected at least one calendar "
                                                                 "{\"id\", \"start\", \"end\", \"days\"}")
                                  : st;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    i = 0;
    for (const cJSON *x = arr->child; x; x = x->next, i++) {
        skj_idx(p, sizeof p, "calendars", i);
        int32_t a, b;
        if ((st = skj_object(&c->j, x, p)) || (st = calendar_range(c, x, p, &a, &b))) return st;
        if (a < lo) lo = a;
        if (b > hi) hi = b;
    }
    if (hi - lo > 3660) return skj_fail(&c->j, "calendars", "together span more than ten years");
    f->first_day = lo;
    f->n_days = (uint32_t)(hi - lo + 1);
    c->n_cals = (size_t)cJSON_GetArraySize(arr);
    c->cals = calloc(c->n_cals, sizeof *c->cals);
    if (!c->cals) return OOM(c, "calendars");
    i = 0;
    for (const cJSON *x = arr->child; x; x = x->next, i++) {
        skj_idx(p, sizeof p, "calendars", i);
        const char *id = NULL;
        if ((st = skj_string(&c->j, x, p, "id", 1, &id))) return st;
        for (size_t k = 0; k < i; k++)
            if (!strcmp(c->cals[k].id, id))
                return skj_fail(&c->j, skj_key(q, sizeof q, p, "id"), "calendar id \"%s\" is used twice", id);
        c->cals[i].id = id;
        if ((st = make_calendar(c, x, p, id, &c->cals[i].service))) return st;
    }
    c->default_service = c->cals[0].service;
    /* Stations (parents) and stops declared up front. */
    arr = NULL;
    if ((st = skj_array(&c->j, root, "", "stations", 0, 0, &arr))) return st;
    i = 0;
    for (const cJSON *x = arr ? arr->child : NULL; x; x = x->next, i++)
        if ((st = station_def(c, x, skj_idx(p, sizeof p, "stations", i)))) return st;
    arr = NULL;
    if ((st = skj_array(&c->j, root, "", "stops", 0, 0, &arr))) return st;
    i = 0;
    static const char *const stop_keys[] = {"id", "name", "lat", "lon", "station", "transfer_min", "platform_code",
                                            "wheelchair_boarding", NULL};
    for (const cJSON *x = arr ? arr->child : NULL; x; x = x->next, i++) {
        skj_idx(p, sizeof p, "stops", i);
        int32_t s;
        if ((st = skj_object(&c->j, x, p))) return st;
        skj_check_keys(&c->j, x, p, stop_keys);
        const char *sid = NULL;
        if ((st = skj_string(&c->j, x, p, "id", 1, &sid))) return st;
        if (fe_find_stop(f, sid) != GTFS_NONE)
            return skj_fail(&c->j, skj_key(q, sizeof q, p, "id"), "stop id \"%s\" is used twice", sid);
        if ((st = stop_def(c, x, p, sid, &s))) return st;
    }
    /* Lines. */
    arr = NULL;
    if ((st = skj_array(&c->j, root, "", "lines", 1, 1, &arr))) return st;
    i = 0;
    for (const cJSON *x = arr->child; x; x = x->next, i++)
        if ((st = sk_line(c, x, skj_idx(p, sizeof p, "lines", i)))) return st;
    /* Hub transfer times first, so that explicit transfers below override them. */
    if ((st = hub_transfers(c))) return st;
    arr = NULL;
    if ((st = skj_array(&c->j, root, "", "transfers", 0, 0, &arr))) return st;
    i = 0;
    for (const cJSON *x = arr ? arr->child : NULL; x; x = x->next, i++)
        if ((st = transfer_def(c, x, skj_idx(p, sizeof p, "transfers", i)))) return st;
    /* Counts: what the sketch produced, so `info` can be checked against them like a feed's row counts. */
    f->counts.agency = f->n_agencies;
    f->counts.stops = f->n_stops;
    f->counts.routes = f->n_routes;
    f->counts.trips = f->n_trips;
    f->counts.stop_times = f->n_stop_times;
    f->counts.calendar = f->n_services;
    f->counts.frequencies = f->n_frequencies;
    f->counts.transfers = f->n_transfers;
    return TC_OK;
}

tc_status sketch_parse(const char *text, size_t len, const char *file, const char *name, diag_log *diag,
                       gtfs_feed **out, tc_error *err) {
    sctx c = {0};
    c.j.file = file ? file : "";
    c.j.err = err;
    c.j.diag = diag;
    cJSON *root = NULL;
    tc_status st = skj_parse(&c.j, text, len, &root);
    if (st) return st;
    sketch_feed *sf = calloc(1, sizeof *sf);
    if (!sf) {
        cJSON_Delete(root);
        return error_set(err, TC_ERR_NO_MEMORY, file, 0, 0, "out of memory");
    }
    sf->feed.release = sketch_feed_free; /* gtfs_feed_free(feed) frees a sketch feed correctly too */
    fe_begin(&c.e, &sf->feed, &sf->pool);
    st = sketch_root(&c, root, name);
    cJSON_Delete(root);
    free(c.cals);
    free(c.hubs);
    if (st) {
        sketch_feed_free(&sf->feed);
        return st;
    }
    *out = &sf->feed;
    return TC_OK;
}

tc_status sketch_read(const char *path, const char *name, diag_log *diag, gtfs_feed **out, tc_error *err) {
    char *text = NULL;
    size_t len = 0;
    tc_status st = skj_read_file(path, &text, &len, err);
    if (st) return st;
    st = sketch_parse(text, len, path, name, diag, out, err);
    free(text);
    return st;
}

void sketch_feed_free(gtfs_feed *feed) {
    if (!feed) return;
    sketch_feed *sf = (sketch_feed *)feed;
    free(feed->agencies);
    free(feed->stops);
    free(feed->routes);
    free(feed->trips);
    free(feed->stop_times);
    free(feed->services);
    free(feed->frequencies);
    free(feed->transfers);
    free(feed->shapes);
    free(feed->shape_points);
    sk_pool_free(&sf->pool);
    free(sf);
}

tc_status sketch_add_line(gtfs_feed *feed, sk_pool *pool, const cJSON *line, double merge_radius_m,
                          const char *file, const char *path, diag_log *diag, tc_error *err) {
    sctx c = {0};
    c.j.file = file ? file : "";
    c.j.err = err;
    c.j.diag = diag;
    c.merge_radius_m = merge_radius_m >= 0 ? merge_radius_m : SK_DEFAULT_MERGE_RADIUS_M;
    c.default_service = GTFS_NONE;
    c.in_scenario = 1;
    if (feed->n_days == 0) return skj_fail(&c.j, path, "the feed has no service days to add a line to");
    fe_begin(&c.e, feed, pool);
    tc_status st = sk_line(&c, line, path);
    free(c.hubs);
    return st;
}
