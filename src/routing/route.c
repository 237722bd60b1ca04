/*
 * route.c — door-to-door journey planning (tc_route): query → access/egress → RAPTOR → Pareto journeys → JSON.
 *
 * The query's filters become byte masks over patterns, trips and stops so the search's inner loop stays a table
 * lookup. A depart-after query first searches within --max-duration of the departure; if nothing arrives, it
 * searches on over the next service day (a late-evening query finds the first morning trips) and keeps journeys
 * whose own duration fits. Arrive-by is the mirror image (previous day). Journeys are rebuilt from the parent
 * pointers of each round whose arrival strictly improves on the round before, which is the Pareto set over
 * (arrival, transfers); walking breaks ties inside the search.
 */
#include "routing/raptor.h"
#include "routing/route_direct.h"

#include "common/error.h"
#include "common/geo.h"
#include "common/timeutil.h"
#include "routing/stop_access.h"
#include "streets/street_search.h" /* the workspace's query options (no_elevation) */

#include <cjson/cJSON.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_S 86400

void tc_route_query_init(tc_route_query *q) {
    memset(q, 0, sizeof *q);
    q->max_transfers = 8;
    q->max_duration_min = 240;
    q->max_walk_access_min = 20;
    q->max_walk_egress_min = 20;
    q->max_walk_transfer_min = 10;
    q->direct_modes = 1u << TC_MODE_WALK;
}

void tc_format_local_time(int64_t t, char *buf) {
    int64_t day = t >= 0 ? t / DAY_S : -((-t + DAY_S - 1) / DAY_S);
    int64_t sec = t - day * DAY_S;
    int y, m, d;
    civil_from_days((int32_t)day, &y, &m, &d);
    unsigned hh = (unsigned)(sec / 3600) % 24u, mm = (unsigned)(sec / 60 % 60), ss = (unsigned)(sec % 60);
    snprintf(buf, 20, "%04u-%02u-%02uT%02u:%02u:%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u,
             hh, mm, ss);
}

/* ---------------------------------------------------------------- ids and filters ------------------------------ */

static char *dup_str(const char *s) {
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (p) memcpy(p, s, n + 1);
    return p;
}

static char *feed_id(const network_view *v, uint16_t feed, uint32_t id_str) {
    const char *fname = feed < v->n_feeds ? net_str(v, v->feeds[feed].name_str) : "";
    const char *id = net_str(v, id_str);
    size_t a = strlen(fname), b = strlen(id);
    char *p = malloc(a + b + 2);
    if (!p) return NULL;
    memcpy(p, fname, a);
    p[a] = ':';
    memcpy(p + a + 1, id, b + 1);
    return p;
}

/* Does "FEED:id" or bare "id" (the token [tok, tok+len)) name this object? */
static int id_matches(const network_view *v, uint16_t feed, uint32_t id_str, const char *tok, size_t len) {
    const char *id = net_str(v, id_str);
    size_t n = strlen(id);
    if (n == len && !memcmp(id, tok, len)) return 1;
    const char *fname = feed < v->n_feeds ? net_str(v, v->feeds[feed].name_str) : "";
    size_t f = strlen(fname);
    return len == f + 1 + n && !memcmp(tok, fname, f) && tok[f] == ':' && !memcmp(tok + f + 1, id, n);
}

typedef enum { ID_ROUTE, ID_TRIP, ID_STOP } id_kind;

/* Clear mask entries of the objects named in a comma-separated list; unknown ids are an error. */
static tc_status apply_exclusions(const network_view *v, const char *list, id_kind kind, uint8_t *mask,
                                  tc_error *err) {
    if (!list) return TC_OK;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (*p == ' ')) p++, len--;
        while (len && p[len - 1] == ' ') len--;
        if (len) {
            int found = 0;
            uint32_t n = kind == ID_ROUTE ? v->n_routes : kind == ID_TRIP ? v->n_trips : v->n_stops;
            for (uint32_t i = 0; i < n; i++) {
                int m = kind == ID_ROUTE ? id_matches(v, v->routes[i].feed, v->routes[i].id_str, p, len)
                        : kind == ID_TRIP ? id_matches(v, v->trips[i].feed, v->trips[i].id_str, p, len)
                                          : id_matches(v, v->stops[i].feed, v->stops[i].id_str, p, len);
                if (m) {
                    mask[i] = 0;
                    found = 1;
                }
            }
            if (!found)
                return error_set(err, TC_ERR_NOT_FOUND, NULL, 0, 0, "unknown %s \"%.*s\"",
                                 kind == ID_ROUTE ? "route" : kind == ID_TRIP ? "trip" : "stop", (int)len, p);
        }
        if (!e) break;
        p = e + 1;
    }
    return TC_OK;
}

typedef struct route_masks {
    uint8_t *pattern_ok, *trip_ok, *stop_ok;
} route_masks;

static void masks_free(route_masks *m) {
    free(m->pattern_ok);
    free(m->trip_ok);
    free(m->stop_ok);
    memset(m, 0, sizeof *m);
}

static int stop_inaccessible(const network_view *v, uint32_t s) {
    uint8_t w = v->stops[s].wheelchair;
    if (w == 0 && v->stops[s].parent != TC_NONE && v->stops[s].parent < v->n_stops)
        w = v->stops[v->stops[s].parent].wheelchair;
    return w == 2;
}

/* --ban-stops-hard (OTP's bannedStopsHard): no pattern that lists a banned stop (or a stop of a banned station) is
 * used, even where it neither picks up nor drops off there: the vehicle passes through the stop. */
static tc_status ban_stops_hard(const network_view *v, const char *list, uint8_t *pattern_ok, tc_error *err) {
    if (!list) return TC_OK;
    uint8_t *banned = malloc(v->n_stops + 1);
    if (!banned) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    memset(banned, 1, v->n_stops + 1);
    tc_status st = apply_exclusions(v, list, ID_STOP, banned, err); /* banned[s] == 0: named */
    for (uint32_t s = 0; st == TC_OK && s < v->n_stops; s++) {
        uint32_t parent = v->stops[s].parent;
        int ban = !banned[s] || (parent != TC_NONE && parent < v->n_stops && !banned[parent]);
        if (!ban) continue;
        for (uint32_t e = v->stop_pattern_begin[s]; e < v->stop_pattern_begin[s + 1]; e++)
            pattern_ok[v->stop_patterns[e].pattern] = 0;
    }
    free(banned);
    return st;
}

static tc_status build_masks(const network_view *v, const tc_route_query *q, route_masks *m, tc_error *err) {
    memset(m, 0, sizeof *m);
    tc_status st = TC_OK;
    if (q->n_route_types || q->exclude_routes || q->ban_stops_hard) {
        uint8_t *route_ok = malloc(v->n_routes + 1);
        m->pattern_ok = malloc(v->n_patterns + 1);
        if (!route_ok || !m->pattern_ok) {
            free(route_ok);
            masks_free(m);
            return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        }
        for (uint32_t r = 0; r < v->n_routes; r++) {
            int ok = 1;
            if (q->n_route_types) {
                ok = 0;
                for (size_t i = 0; i < q->n_route_types; i++)
                    if (q->route_types[i] == v->routes[r].type) ok = 1;
            }
            route_ok[r] = (uint8_t)ok;
        }
        st = apply_exclusions(v, q->exclude_routes, ID_ROUTE, route_ok, err);
        for (uint32_t p = 0; p < v->n_patterns; p++)
            m->pattern_ok[p] = v->patterns[p].route < v->n_routes ? route_ok[v->patterns[p].route] : 1;
        free(route_ok);
        if (st == TC_OK) st = ban_stops_hard(v, q->ban_stops_hard, m->pattern_ok, err);
        if (st != TC_OK) {
            masks_free(m);
            return st;
        }
    }
    if (q->wheelchair || q->exclude_trips) {
        m->trip_ok = malloc(v->n_trips + 1);
        if (!m->trip_ok) {
            masks_free(m);
            return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        }
        for (uint32_t t = 0; t < v->n_trips; t++) m->trip_ok[t] = !q->wheelchair || v->trips[t].wheelchair == 1;
        st = apply_exclusions(v, q->exclude_trips, ID_TRIP, m->trip_ok, err);
        if (st != TC_OK) {
            masks_free(m);
            return st;
        }
    }
    if (q->wheelchair || q->exclude_stops) {
        m->stop_ok = malloc(v->n_stops + 1);
        if (!m->stop_ok) {
            masks_free(m);
            return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        }
        for (uint32_t s = 0; s < v->n_stops; s++) m->stop_ok[s] = !q->wheelchair || !stop_inaccessible(v, s);
        st = apply_exclusions(v, q->exclude_stops, ID_STOP, m->stop_ok, err);
        if (st != TC_OK) {
            masks_free(m);
            return st;
        }
    }
    return TC_OK;
}

/* ---------------------------------------------------------------- access / egress ------------------------------ */

typedef struct endpoint {
    int is_stop;
    uint32_t stop;
    double lat, lon;
    stop_seconds *near; /* stops with walking seconds */
    uint32_t n_near;
} endpoint;

/* A stop endpoint: the stop's place, as raptor_stop_ends defines it (the stop, its walking transfers, transfers.txt
 * links and sibling platforms, within the transfer walking limit); into = 1 for the destination. */
static tc_status stop_endpoint(const network_view *v, const raptor_ws *ws, const raptor_params *p, uint32_t s,
                               int into, endpoint *ep, tc_error *err) {
    ep->is_stop = 1;
    ep->stop = s;
    ep->lat = from_e7(v->stops[s].lat_e7);
    ep->lon = from_e7(v->stops[s].lon_e7);
    uint32_t cap = 16, n;
    for (;;) {
        stop_seconds *near = realloc(ep->near, cap * sizeof *near);
        if (!near) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        ep->near = near;
        if ((n = raptor_stop_ends(ws, p, s, into, ep->near, cap)) <= cap) break;
        cap = n;
    }
    ep->n_near = n;
    return TC_OK;
}

static tc_status point_endpoint(const network_view *v, street_workspace *sw, double lat, double lon, double speed,
                                int32_t max_s, int reverse, endpoint *ep, tc_error *err) {
    ep->is_stop = 0;
    ep->stop = TC_NONE;
    ep->lat = lat;
    ep->lon = lon;
    const stop_seconds *near = NULL;
    uint32_t n = 0;
    tc_status st = street_stops_near(sw, v, TC_MODE_WALK, lat, lon, speed, max_s, reverse, TC_DEFAULT_SNAP_RADIUS_M, &near, &n, err);
    if (st != TC_OK) return st;
    if (n == 0)
        return error_set(err, TC_ERR_UNREACHABLE, NULL, 0, 0,
                         "point %.6f,%.6f cannot be snapped: no stop within %d min of walking", lat, lon,
                         (int)(max_s / 60));
    ep->near = malloc((n + 1) * sizeof *ep->near);
    if (!ep->near) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    if (n) memcpy(ep->near, near, n * sizeof *near);
    ep->n_near = n;
    return TC_OK;
}

/* ---------------------------------------------------------------- journeys ------------------------------------- */

static void place_free(tc_place *p) {
    free(p->stop);
    free(p->name);
}

static void journey_free(tc_journey *j) {
    for (size_t i = 0; i < j->n_legs; i++) {
        place_free(&j->legs[i].from);
        place_free(&j->legs[i].to);
        free(j->legs[i].route);
        free(j->legs[i].route_name);
        free(j->legs[i].trip);
    }
    free(j->legs);
}

void tc_journey_set_free(tc_journey_set *set) {
    if (!set) return;
    for (size_t i = 0; i < set->n; i++) journey_free(&set->journeys[i]);
    free(set->journeys);
    free(set);
}

static int set_stop_place(const network_view *v, uint32_t s, tc_place *p) {
    p->stop = feed_id(v, v->stops[s].feed, v->stops[s].id_str);
    p->name = dup_str(net_str(v, v->stops[s].name_str));
    p->lat = from_e7(v->stops[s].lat_e7);
    p->lon = from_e7(v->stops[s].lon_e7);
    return p->stop && p->name;
}

static int set_point_place(const endpoint *ep, const char *name, tc_place *p) {
    p->stop = NULL;
    p->name = dup_str(name);
    p->lat = ep->lat;
    p->lon = ep->lon;
    return p->name != NULL;
}

/* A raw step of a journey in forward order, before times are laid out. */
typedef struct step {
    int transit;
    uint32_t from_stop, to_stop; /* TC_NONE = the endpoint point */
    uint32_t trip;
    int32_t dep, arr; /* transit: plain seconds on day D */
    int32_t walk_s;   /* walking: duration */
} step;

typedef struct search_result {
    int32_t value; /* search sense */
    int32_t walk;
    uint32_t stop;
    int by_trip;
} search_result;

/* Best target label of round k (value incl. egress; ties by walking). */
static int best_target(const raptor_ws *ws, int k, const endpoint *tgt, search_result *out) {
    int found = 0;
    for (uint32_t i = 0; i < tgt->n_near; i++) {
        uint32_t s = tgt->near[i].stop;
        for (int bt = 0; bt < 2; bt++) {
            int32_t w;
            raptor_parent par;
            int32_t a = raptor_label(ws, k, s, bt, &w, &par);
            if (a == RAPTOR_INF) continue;
            if (!bt && par.kind != RAPTOR_BY_SOURCE) continue; /* egress follows a trip, never a transfer walk */
            a += tgt->near[i].seconds;
            w += tgt->near[i].seconds;
            if (!found || a < out->value || (a == out->value && w < out->walk)) {
                out->value = a;
                out->walk = w;
                out->stop = s;
                out->by_trip = bt;
                found = 1;
            }
        }
    }
    return found;
}

static int32_t egress_seconds(const endpoint *ep, uint32_t s) {
    int32_t best = RAPTOR_INF;
    for (uint32_t i = 0; i < ep->n_near; i++)
        if (ep->near[i].stop == s && ep->near[i].seconds < best) best = ep->near[i].seconds;
    return best == RAPTOR_INF ? 0 : best;
}

/* Walk the parent pointers from the label (k, stop, by_trip) back to a source. Steps come out in search order
 * (forward search: from the destination back; reverse search: from the origin on). */
static int trace(const raptor_ws *ws, const network_view *v, int k, uint32_t stop, int by_trip,
                 int rev, step *steps, int max_steps, uint32_t *source_stop) {
    int n = 0;
    for (int guard = 0; guard < 4 * RAPTOR_MAX_ROUNDS + 4 && n < max_steps; guard++) {
        raptor_parent par;
        int32_t w;
        int32_t a = raptor_label(ws, k, stop, by_trip, &w, &par);
        if (a == RAPTOR_INF) return -1;
        if (par.kind == RAPTOR_BY_SOURCE) {
            *source_stop = stop;
            return n;
        }
        if (par.kind == RAPTOR_BY_WALK || par.kind == RAPTOR_BY_LINK) {
            int32_t w_from;
            raptor_label(ws, par.round, par.ref, 1, &w_from, NULL);
            step *s = &steps[n++];
            memset(s, 0, sizeof *s);
            s->transit = 0;
            s->from_stop = par.ref; /* search order: from the label's predecessor */
            s->to_stop = stop;
            s->walk_s = w - w_from;
            if (par.kind == RAPTOR_BY_LINK) {
                /* a transfers.txt link: its time is the rule's, walking 0; keep the time gap as the leg */
                int32_t a_from = raptor_label(ws, par.round, par.ref, 1, NULL, NULL);
                s->walk_s = a - a_from;
            }
            k = par.round;
            stop = par.ref;
            by_trip = 1;
            continue;
        }
        if (par.kind == RAPTOR_BY_TRIP) {
            const net_trip *tr = &v->trips[par.ref];
            const net_pattern *pt = &v->patterns[tr->pattern];
            uint32_t t = par.ref - pt->trips_begin;
            const net_stop_time *st = v->stop_times + pt->times_begin + (uint64_t)t * pt->n_stops;
            step *s = &steps[n++];
            memset(s, 0, sizeof *s);
            s->transit = 1;
            s->trip = par.ref;
            /* a reverse search boards where the forward journey alights */
            uint32_t fb = rev ? par.alight_pos : par.board_pos, fa = rev ? par.board_pos : par.alight_pos;
            s->from_stop = v->pattern_stops[pt->stops_begin + fb];
            s->to_stop = v->pattern_stops[pt->stops_begin + fa];
            s->dep = st[fb].departure + par.shift;
            s->arr = st[fa].arrival + par.shift;
            k = par.round - 1;
            stop = v->pattern_stops[pt->stops_begin + par.board_pos];
            by_trip = par.board_kind == RAPTOR_BY_TRIP;
            if (k < 0) return -1;
            continue;
        }
        return -1;
    }
    return -1;
}

/* Lay out a journey from steps in forward order. */
static int make_journey(const network_view *v, int32_t day, const endpoint *from, const endpoint *to,
                        step *steps, int n, int32_t access_s, uint32_t first_stop, int32_t egress_s,
                        uint32_t last_stop, int32_t query_time, int32_t board_slack_s, tc_journey *j) {
    memset(j, 0, sizeof *j);
    int max_legs = n + 2;
    j->legs = calloc((size_t)max_legs, sizeof *j->legs);
    if (!j->legs) return 0;
    const int64_t base = (int64_t)day * DAY_S;
    /* time of the first transit departure, to place the access walk before it */
    int32_t t = query_time;
    int first_transit = -1;
    for (int i = 0; i < n; i++)
        if (steps[i].transit) {
            first_transit = i;
            break;
        }
    if (first_transit >= 0) {
        int32_t walk_before = access_s;
        for (int i = 0; i < first_transit; i++) walk_before += steps[i].walk_s;
        t = steps[first_transit].dep - walk_before - board_slack_s; /* at the stop the board slack early */
    }
    j->departure = base + t;
    size_t L = 0;
    int ok = 1;
    int32_t walk_total = 0, transits = 0;
    /* access */
    if (!from->is_stop || first_stop != from->stop) {
        tc_leg *g = &j->legs[L++];
        g->mode = TC_LEG_WALK;
        g->route_type = -1;
        ok &= from->is_stop ? set_stop_place(v, from->stop, &g->from) : set_point_place(from, "origin", &g->from);
        ok &= set_stop_place(v, first_stop, &g->to);
        g->departure = base + t;
        g->arrival = base + t + access_s;
        t += access_s;
        walk_total += access_s;
    }
    for (int i = 0; i < n; i++) {
        tc_leg *g = &j->legs[L++];
        if (steps[i].transit) {
            const net_trip *tr = &v->trips[steps[i].trip];
            const net_route *rt = &v->routes[tr->route];
            g->mode = TC_LEG_TRANSIT;
            ok &= set_stop_place(v, steps[i].from_stop, &g->from);
            ok &= set_stop_place(v, steps[i].to_stop, &g->to);
            g->departure = base + steps[i].dep;
            g->arrival = base + steps[i].arr;
            g->route = feed_id(v, rt->feed, rt->id_str);
            const char *sn = net_str(v, rt->short_name_str);
            g->route_name = dup_str(*sn ? sn : net_str(v, rt->long_name_str));
            g->trip = feed_id(v, tr->feed, tr->id_str);
            g->route_type = rt->type;
            ok &= g->route && g->route_name && g->trip;
            t = steps[i].arr;
            transits++;
        } else {
            g->mode = TC_LEG_WALK;
            g->route_type = -1;
            ok &= set_stop_place(v, steps[i].from_stop, &g->from);
            ok &= set_stop_place(v, steps[i].to_stop, &g->to);
            g->departure = base + t;
            g->arrival = base + t + steps[i].walk_s;
            t += steps[i].walk_s;
            walk_total += steps[i].walk_s;
        }
    }
    if (!to->is_stop || last_stop != to->stop) {
        tc_leg *g = &j->legs[L++];
        g->mode = TC_LEG_WALK;
        g->route_type = -1;
        ok &= set_stop_place(v, last_stop, &g->from);
        ok &= to->is_stop ? set_stop_place(v, to->stop, &g->to) : set_point_place(to, "destination", &g->to);
        g->departure = base + t;
        g->arrival = base + t + egress_s;
        t += egress_s;
        walk_total += egress_s;
    }
    j->n_legs = L;
    j->arrival = base + t;
    j->duration_s = (int32_t)(j->arrival - j->departure);
    j->transfers = transits > 0 ? transits - 1 : 0;
    j->walk_s = walk_total;
    return ok;
}

/* One search and its Pareto journeys appended to set. */
static tc_status search_and_collect(raptor_ws *ws, const network_view *v, const tc_route_query *q,
                                    const raptor_params *p, const endpoint *from, const endpoint *to,
                                    int32_t max_duration_s, tc_journey_set *set, tc_error *err) {
    const int rev = p->arrive_by;
    const endpoint *src = rev ? to : from, *tgt = rev ? from : to;
    int rounds = raptor_run(ws, p, src->near, src->n_near, tgt->near, tgt->n_near);
    int32_t prev = RAPTOR_INF;
    step steps[4 * RAPTOR_MAX_ROUNDS + 8];
    for (int k = 0; k <= rounds; k++) {
        search_result r = {0};
        if (!best_target(ws, k, tgt, &r)) continue;
        if (r.value >= prev) continue;
        uint32_t source_stop = TC_NONE;
        int n = trace(ws, v, k, r.stop, r.by_trip, rev, steps, (int)(sizeof steps / sizeof *steps),
                      &source_stop);
        if (n < 0) continue;
        prev = r.value;
        /* put the steps in forward order: a forward trace runs destination → origin */
        if (!rev) {
            for (int i = 0; i < n / 2; i++) {
                step tmp = steps[i];
                steps[i] = steps[n - 1 - i];
                steps[n - 1 - i] = tmp;
            }
        } else {
            /* a reverse trace already runs origin → destination, but walking steps name (to, from) */
            for (int i = 0; i < n; i++)
                if (!steps[i].transit) {
                    uint32_t tmp = steps[i].from_stop;
                    steps[i].from_stop = steps[i].to_stop;
                    steps[i].to_stop = tmp;
                }
        }
        uint32_t first_stop = rev ? r.stop : source_stop, last_stop = rev ? source_stop : r.stop;
        int32_t access_s = egress_seconds(from, first_stop), egress_s = egress_seconds(to, last_stop);
        /* used only when no transit leg fixes the times: forward leaves at the query time, reverse as late as
         * the deadline allows */
        int32_t qtime = rev ? -r.value : p->time;
        tc_journey j;
        if (set->n % 8 == 0) {
            tc_journey *nj = realloc(set->journeys, (set->n + 8) * sizeof *nj);
            if (!nj) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
            set->journeys = nj;
        }
        if (!make_journey(v, p->day, from, to, steps, n, access_s, first_stop, egress_s, last_stop, qtime,
                          p->board_slack_s, &j)) {
            journey_free(&j);
            return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        }
        if (j.duration_s > max_duration_s) {
            journey_free(&j);
            continue;
        }
        set->journeys[set->n++] = j;
    }
    (void)q;
    return TC_OK;
}

static int cmp_journey(const void *a, const void *b) {
    const tc_journey *x = a, *y = b;
    if (x->arrival != y->arrival) return x->arrival < y->arrival ? -1 : 1;
    if (x->transfers != y->transfers) return x->transfers < y->transfers ? -1 : 1;
    return (x->departure > y->departure) - (x->departure < y->departure);
}

/* ---------------------------------------------------------------- workspaces ----------------------------------- */

/* Routing's cache kept with the network (tc_network.routing_cache, freed by tc_network_close): the network's RAPTOR
 * index, shared by every search on it (raptor.h), and the RAPTOR workspaces kept between tc_route calls — a new one
 * allocates its labels, and only a reused one gets far enough to use the lower bounds (raptor.h). At most
 * ROUTE_POOL_MAX workspaces are kept (one per request being served at once is what a server needs); one lock for
 * all networks, held only to take or give one back. */
#define ROUTE_POOL_MAX 8
typedef struct route_pool {
    raptor_ws *ws[ROUTE_POOL_MAX];
    int n;
    raptor_index *index; /* built on first use (raptor_network_index) */
} route_pool;

static pthread_mutex_t route_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t route_index_lock = PTHREAD_MUTEX_INITIALIZER; /* (held while an index is built) */

static void route_pool_free(void *p) {
    route_pool *pl = p;
    if (!pl) return;
    for (int i = 0; i < pl->n; i++) raptor_ws_free(pl->ws[i]);
    raptor_index_free(pl->index);
    free(pl);
}

/* The network's cache, made on first use; under route_pool_lock. NULL if out of memory. */
static route_pool *pool_locked(const tc_network *net) {
    tc_network *mut = (tc_network *)net; /* allocated by tc_network_open, never a const object */
    route_pool *pl = mut->routing_cache;
    if (!pl && (pl = calloc(1, sizeof *pl)) != NULL) {
        mut->routing_cache = pl;
        mut->routing_cache_free = route_pool_free;
    }
    return pl;
}

tc_status raptor_network_index(const tc_network *net, raptor_index **out, tc_error *err) {
    *out = NULL;
    pthread_mutex_lock(&route_pool_lock);
    route_pool *pl = pool_locked(net);
    raptor_index *ix = pl ? pl->index : NULL;
    pthread_mutex_unlock(&route_pool_lock);
    if (!pl) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (routing index)");
    if (ix) {
        *out = ix;
        return TC_OK;
    }
    /* built once: a second caller waits for the first one's index */
    tc_status st = TC_OK;
    pthread_mutex_lock(&route_index_lock);
    pthread_mutex_lock(&route_pool_lock);
    ix = pl->index;
    pthread_mutex_unlock(&route_pool_lock);
    if (!ix && (st = raptor_index_create(&net->v, &ix, err)) == TC_OK) {
        pthread_mutex_lock(&route_pool_lock);
        pl->index = ix;
        pthread_mutex_unlock(&route_pool_lock);
    }
    pthread_mutex_unlock(&route_index_lock);
    *out = ix;
    return st;
}

/* A workspace for searches of up to `rounds` trips: a kept one (grown if it holds fewer), or a new one. */
static tc_status route_ws_take(const tc_network *net, int rounds, raptor_ws **out, tc_error *err) {
    *out = NULL;
    pthread_mutex_lock(&route_pool_lock);
    route_pool *pl = net->routing_cache;
    if (pl && pl->n) *out = pl->ws[--pl->n];
    pthread_mutex_unlock(&route_pool_lock);
    if (*out) return raptor_ws_reserve(*out, rounds, err);
    raptor_index *ix;
    tc_status st = raptor_network_index(net, &ix, err);
    return st == TC_OK ? raptor_ws_create_shared(ix, rounds, out, err) : st;
}

/* Keep ws with the network (the network is not changed for its readers: the pool is the network's own cache). */
static void route_ws_give(const tc_network *net, raptor_ws *ws) {
    if (!ws) return;
    pthread_mutex_lock(&route_pool_lock);
    route_pool *pl = pool_locked(net);
    if (pl && pl->n < ROUTE_POOL_MAX) {
        pl->ws[pl->n++] = ws;
        ws = NULL;
    }
    pthread_mutex_unlock(&route_pool_lock);
    raptor_ws_free(ws);
}

tc_status tc_route(const tc_network *net, const tc_route_query *q, tc_journey_set **out, tc_error *err) {
    *out = NULL;
    if (!net || !q) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "no network or query");
    const network_view *v = &net->v;
    if (q->max_transfers < 0 || q->max_transfers > RAPTOR_MAX_ROUNDS - 2)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "max transfers must be 0…%d",
                         RAPTOR_MAX_ROUNDS - 2);
    if (q->max_duration_min <= 0 || q->max_duration_min > 48 * 60)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "max duration must be 1…2880 minutes");
    if (q->max_walk_access_min < 0 || q->max_walk_egress_min < 0 || q->max_walk_transfer_min < 0 ||
        q->min_transfer_time_s < 0 || q->board_slack_s < 0)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "walking limits and transfer times must be >= 0");
    if (q->date < v->service_start || q->date >= v->service_start + (int32_t)v->n_days) {
        char a[16], b[16], d[16];
        tc_format_date(q->date, d);
        tc_format_date(v->service_start, a);
        tc_format_date(v->service_start + (int32_t)v->n_days - 1, b);
        return error_set(err, TC_ERR_NO_SERVICE, NULL, 0, 0, "date %s is outside the network's service range %s…%s",
                         d, a, b);
    }
    double speed = q->walk_speed_mps > 0 ? q->walk_speed_mps : (v->walk_speed_mps > 0 ? v->walk_speed_mps : TC_DEFAULT_WALK_SPEED_MPS);
    int32_t max_access = (int32_t)lround(q->max_walk_access_min * 60);
    int32_t max_egress = (int32_t)lround(q->max_walk_egress_min * 60);
    endpoint from = {0}, to = {0};
    route_masks masks = {0};
    raptor_ws *ws = NULL;
    street_workspace *sw = NULL;
    tc_journey_set *set = NULL;
    tc_status st = TC_OK;
    uint32_t from_stop = TC_NONE, to_stop = TC_NONE;
    if (q->from_stop && (st = tc_network_find_stop(net, q->from_stop, &from_stop, err)) != TC_OK) goto done;
    if (q->to_stop && (st = tc_network_find_stop(net, q->to_stop, &to_stop, err)) != TC_OK) goto done;
    if (!q->from_stop || !q->to_stop) {
        if ((st = street_workspace_create(v, &sw, err)) != TC_OK) goto done;
        sw->no_elevation = q->no_elevation; /* walking to and from the stops */
        if (!q->from_stop &&
            (st = point_endpoint(v, sw, q->from_lat, q->from_lon, speed, max_access, 0, &from, err)) != TC_OK)
            goto done;
        if (!q->to_stop &&
            (st = point_endpoint(v, sw, q->to_lat, q->to_lon, speed, max_egress, 1, &to, err)) != TC_OK)
            goto done;
    }
    if ((st = build_masks(v, q, &masks, err)) != TC_OK) goto done;
    if ((st = route_ws_take(net, q->max_transfers + 1, &ws, err)) != TC_OK) goto done;
    set = calloc(1, sizeof *set);
    if (!set) {
        st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        goto done;
    }
    raptor_params p = {0};
    p.day = q->date;
    p.arrive_by = q->arrive_by;
    p.time = q->time;
    p.max_trips = q->max_transfers + 1;
    p.walk_speed_mps = speed;
    p.max_transfer_walk_s = (int32_t)lround(q->max_walk_transfer_min * 60);
    p.min_transfer_s = q->min_transfer_time_s;
    p.board_slack_s = q->board_slack_s;
    p.pattern_ok = masks.pattern_ok;
    p.trip_ok = masks.trip_ok;
    p.stop_ok = masks.stop_ok;
    const int32_t dur = q->max_duration_min * 60;
    p.limit = q->arrive_by ? q->time - dur : q->time + dur;
    /* stop queries: the stop's place, with the search's own transfer rules (raptor_stop_ends) */
    if (q->from_stop && (st = stop_endpoint(v, ws, &p, from_stop, 0, &from, err)) != TC_OK) goto done;
    if (q->to_stop && (st = stop_endpoint(v, ws, &p, to_stop, 1, &to, err)) != TC_OK) goto done;
    if ((st = search_and_collect(ws, v, q, &p, &from, &to, dur, set, err)) != TC_OK) goto done;
    if (set->n == 0) {
        /* nothing within the duration on D: search on over the next (previous) service day */
        p.limit = q->arrive_by ? q->time - DAY_S - dur : q->time + DAY_S + dur;
        if ((st = search_and_collect(ws, v, q, &p, &from, &to, dur, set, err)) != TC_OK) goto done;
    }
    if ((st = route_add_direct(net, q, set, err)) != TC_OK) goto done; /* street-only journeys (route_direct.c) */
    if (set->n > 1) qsort(set->journeys, set->n, sizeof *set->journeys, cmp_journey);
    *out = set;
    set = NULL;
done:
    tc_journey_set_free(set);
    route_ws_give(net, ws);
    if (sw) street_workspace_free(sw);
    masks_free(&masks);
    free(from.near);
    free(to.near);
    /* no stop within walking of an end: the street-only journeys may still connect the two (route_direct.c) */
    if (st == TC_ERR_UNREACHABLE && !*out && route_direct_only(net, q, out) == TC_OK) st = TC_OK;
    return st;
}

/* ---------------------------------------------------------------- JSON ----------------------------------------- */

static cJSON *place_json(const tc_place *p) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    if (p->stop) cJSON_AddStringToObject(o, "stop", p->stop);
    else cJSON_AddNullToObject(o, "stop");
    cJSON_AddStringToObject(o, "name", p->name ? p->name : "");
    cJSON_AddNumberToObject(o, "lat", round(p->lat * 1e7) / 1e7);
    cJSON_AddNumberToObject(o, "lon", round(p->lon * 1e7) / 1e7);
    return o;
}

tc_status tc_journeys_json(const tc_journey_set *set, char **json_out, tc_error *err) {
    *json_out = NULL;
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = root ? cJSON_AddArrayToObject(root, "journeys") : NULL;
    if (!arr) {
        cJSON_Delete(root);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    char buf[24];
    for (size_t i = 0; set && i < set->n; i++) {
        const tc_journey *j = &set->journeys[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        tc_format_local_time(j->departure, buf);
        cJSON_AddStringToObject(o, "departure", buf);
        tc_format_local_time(j->arrival, buf);
        cJSON_AddStringToObject(o, "arrival", buf);
        cJSON_AddNumberToObject(o, "duration_s", j->duration_s);
        cJSON_AddNumberToObject(o, "transfers", j->transfers);
        cJSON_AddNumberToObject(o, "walk_s", j->walk_s);
        cJSON *legs = cJSON_AddArrayToObject(o, "legs");
        for (size_t l = 0; l < j->n_legs; l++) {
            const tc_leg *g = &j->legs[l];
            cJSON *lo = cJSON_CreateObject();
            cJSON_AddItemToArray(legs, lo);
            cJSON_AddStringToObject(lo, "mode", g->mode == TC_LEG_TRANSIT ? "transit"
                                                : g->mode == TC_LEG_BIKE  ? "bike"
                                                : g->mode == TC_LEG_CAR   ? "car"
                                                                          : "walk");
            cJSON_AddItemToObject(lo, "from", place_json(&g->from));
            cJSON_AddItemToObject(lo, "to", place_json(&g->to));
            tc_format_local_time(g->departure, buf);
            cJSON_AddStringToObject(lo, "departure", buf);
            tc_format_local_time(g->arrival, buf);
            cJSON_AddStringToObject(lo, "arrival", buf);
            if (g->mode == TC_LEG_TRANSIT) {
                cJSON_AddStringToObject(lo, "route", g->route);
                cJSON_AddStringToObject(lo, "route_name", g->route_name);
                cJSON_AddStringToObject(lo, "trip", g->trip);
                cJSON_AddNumberToObject(lo, "route_type", g->route_type);
            } else {
                cJSON_AddNullToObject(lo, "route");
                cJSON_AddNullToObject(lo, "route_name");
                cJSON_AddNullToObject(lo, "trip");
                cJSON_AddNullToObject(lo, "route_type");
            }
        }
    }
    char *txt = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!txt) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    /* hand back memory from malloc so tc_free can release it */
    char *copy = dup_str(txt);
    cJSON_free(txt);
    if (!copy) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    *json_out = copy;
    return TC_OK;
}
