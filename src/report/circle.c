/*
 * circle.c — computing the commute-circle report on one network (see circle.h).
 *
 * Transit times come from the analysis stage (circle_transit.c) so that they share R5's semantics (every departure
 * minute of the window, Monte Carlo over headways, percentiles); car times from the street search (or its straight
 * line fallback, which this report states); hub waits are read straight off the network's timetable here, because
 * they are a property of the timetable, not of a journey search.
 */
#include "report/circle.h"
#include "report/circle_internal.h"
#include "network/network.h"
#include "common/geo.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define OOM() error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory")

void circle_params_init(circle_params *p) {
    memset(p, 0, sizeof *p);
    p->date = INT32_MIN;
    p->window_start = 7 * 3600;
    p->window_end = 9 * 3600;
    p->cutoff_min = 60;
    p->access_mode = TC_MODE_WALK;
    p->max_access_min = 20;
    p->draws = 0;
    p->car_speed_kmh = 40;
    p->max_duration_min = 180;
    p->isochrones = 1;
}

const char *circle_class_name(circle_class c) {
    switch (c) {
    case CC_HIGH_SPEED: return "high-speed";
    case CC_RAIL: return "intercity/rail";
    case CC_METRO: return "metro";
    default: return "other";
    }
}

/* GTFS basic and extended route types: 101/102 high-speed and long distance; 2 and the other 1xx rail; metro,
 * subway, monorail/maglev and urban rail 4xx as metro. */
circle_class circle_class_of_route_type(int t) {
    if (t == 101 || t == 102) return CC_HIGH_SPEED;
    if (t == 2 || (t >= 100 && t < 200)) return CC_RAIL;
    if (t == 1 || t == 12 || (t >= 400 && t < 500)) return CC_METRO;
    return CC_OTHER;
}

void circle_format_clock(int32_t s, char *buf) {
    if (s < 0) s = 0;
    snprintf(buf, 16, "%02d:%02d", (int)(s / 3600) % 100, (int)(s / 60 % 60));
}

void circle_result_free(circle_result *r) {
    if (!r) return;
    free(r->name);
    free(r->description);
    free(r->pairs);
    free(r->core_area_km2);
    free(r->core_population);
    free(r->core_walk_to_stop_min);
    if (r->core_isochrones)
        for (size_t c = 0; c < r->n_cores; c++) tc_free(r->core_isochrones[c]);
    free(r->core_isochrones);
    free(r->all_cores);
    free(r->hubs);
    for (size_t i = 0; i < r->n_lines; i++) {
        free(r->lines[i].lat);
        free(r->lines[i].lon);
    }
    free(r->lines);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------ map lines ------------------------------ */

static int same_sequence(const network_view *v, const net_pattern *a, const net_pattern *b) {
    if (a->route != b->route || a->n_stops != b->n_stops) return 0;
    const uint32_t *sa = v->pattern_stops + a->stops_begin, *sb = v->pattern_stops + b->stops_begin;
    uint32_t n = a->n_stops, fwd = 1, rev = 1;
    for (uint32_t i = 0; i < n && (fwd || rev); i++) {
        if (sa[i] != sb[i]) fwd = 0;
        if (sa[i] != sb[n - 1 - i]) rev = 0;
    }
    return fwd || rev;
}

static tc_status collect_lines(const network_view *v, circle_result *r, tc_error *err) {
    r->lines = calloc(v->n_patterns + 1, sizeof *r->lines);
    if (!r->lines) return OOM();
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const net_pattern *pt = &v->patterns[p];
        if (pt->n_stops < 2) continue;
        int dup = 0;
        for (uint32_t q = 0; q < p && !dup; q++) dup = same_sequence(v, &v->patterns[q], pt);
        if (dup) continue;
        circle_line *l = &r->lines[r->n_lines];
        const net_route *rt = &v->routes[pt->route];
        snprintf(l->color, sizeof l->color, "%s", net_str(v, rt->color_str));
        const char *nm = net_str(v, rt->short_name_str);
        snprintf(l->name, sizeof l->name, "%s", *nm ? nm : net_str(v, rt->long_name_str));
        l->route_type = rt->type;
        l->lat = malloc(pt->n_stops * sizeof *l->lat);
        l->lon = malloc(pt->n_stops * sizeof *l->lon);
        if (!l->lat || !l->lon) {
            free(l->lat), free(l->lon);
            l->lat = l->lon = NULL;
            return OOM();
        }
        l->n = pt->n_stops;
        for (uint32_t i = 0; i < pt->n_stops; i++) {
            const net_stop *s = &v->stops[v->pattern_stops[pt->stops_begin + i]];
            l->lat[i] = from_e7(s->lat_e7);
            l->lon[i] = from_e7(s->lon_e7);
        }
        r->n_lines++;
    }
    return TC_OK;
}

/* ------------------------------------------------------------------ hub waits ------------------------------ */

typedef struct hub_event {
    uint32_t stop, route, trip;
    int32_t time;
    circle_class cls;
    int frequency;
} hub_event;

typedef struct event_list {
    hub_event *v;
    size_t n, cap;
} event_list;

static int push_event(event_list *l, hub_event e) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        hub_event *nv = realloc(l->v, cap * sizeof *nv);
        if (!nv) return -1;
        l->v = nv;
        l->cap = cap;
    }
    l->v[l->n++] = e;
    return 0;
}

/* Arrivals and departures at one stop on the date between lo and hi (seconds). */
static int stop_events(const network_view *v, uint32_t s, int32_t date, int32_t lo, int32_t hi, event_list *arr,
                       event_list *dep) {
    for (uint32_t k = v->stop_pattern_begin[s]; k < v->stop_pattern_begin[s + 1]; k++) {
        const net_stop_pattern *sp = &v->stop_patterns[k];
        const net_pattern *pt = &v->patterns[sp->pattern];
        uint32_t pos = sp->position;
        uint8_t flags = v->pattern_stop_flags[pt->stops_begin + pos];
        int can_arrive = pos > 0 && !(flags & TC_NO_DROPOFF);
        int can_depart = pos + 1 < pt->n_stops && !(flags & TC_NO_PICKUP);
        circle_class cls = circle_class_of_route_type(v->routes[pt->route].type);
        for (uint32_t t = 0; t < pt->n_trips; t++) {
            uint32_t ti = pt->trips_begin + t;
            const net_trip *tr = &v->trips[ti];
            if (!service_active(v, tr->service, date)) continue;
            const net_stop_time *row = &v->stop_times[pt->times_begin + (uint64_t)t * pt->n_stops];
            if (pt->flags & TC_PATTERN_FREQUENCY) {
                int32_t base = row[0].departure;
                for (uint32_t f = 0; f < tr->freq_count; f++) {
                    const net_frequency *fq = &v->frequencies[tr->freq_begin + f];
                    if (fq->headway_s <= 0) continue;
                    for (int32_t start = fq->start_time; start < fq->end_time; start += fq->headway_s) {
                        int32_t ta = start + row[pos].arrival - base, td = start + row[pos].departure - base;
                        if (can_arrive && ta >= lo && ta < hi &&
                            push_event(arr, (hub_event){s, pt->route, ti, ta, cls, 1}))
                            return -1;
                        if (can_depart && td >= lo && td < hi &&
                            push_event(dep, (hub_event){s, pt->route, ti, td, cls, 1}))
                            return -1;
                    }
                }
            } else {
                if (can_arrive && row[pos].arrival >= lo && row[pos].arrival < hi &&
                    push_event(arr, (hub_event){s, pt->route, ti, row[pos].arrival, cls, 0}))
                    return -1;
                if (can_depart && row[pos].departure >= lo && row[pos].departure < hi &&
                    push_event(dep, (hub_event){s, pt->route, ti, row[pos].departure, cls, 0}))
                    return -1;
            }
        }
    }
    return 0;
}

/* The time needed to change from (a, route ra) to (b, route rb): transfers.txt first (the most specific rule),
 * then the walking link, then 0 at the same stop; -1 when not possible. */
static int32_t transfer_time(const network_view *v, uint32_t a, uint32_t ra, uint32_t b, uint32_t rb) {
    int best_spec = -1;
    int32_t best = -2;
    for (uint32_t k = v->transfer_rule_begin[a]; k < v->transfer_rule_begin[a + 1]; k++) {
        const net_transfer_rule *x = &v->transfer_rules[k];
        if (x->to_stop != b || x->from_trip != TC_NONE || x->to_trip != TC_NONE) continue;
        if (x->from_route != TC_NONE && x->from_route != ra) continue;
        if (x->to_route != TC_NONE && x->to_route != rb) continue;
        int spec = (x->from_route != TC_NONE) + (x->to_route != TC_NONE);
        if (spec <= best_spec) continue;
        int32_t t;
        if (x->type == 1) t = 0;
        else if (x->type == 2) t = x->min_transfer_time > 0 ? x->min_transfer_time : 0;
        else if (x->type == 3) t = -1;
        else continue;
        best_spec = spec;
        best = t;
    }
    if (best != -2) return best;
    if (a == b) return 0;
    double speed = v->walk_speed_mps > 0 ? v->walk_speed_mps : TC_DEFAULT_WALK_SPEED_MPS;
    for (uint32_t k = v->transfer_begin[a]; k < v->transfer_begin[a + 1]; k++)
        if (v->transfers[k].to_stop == b) return (int32_t)ceil(v->transfers[k].distance_m / speed);
    return -1;
}

static int cmp_i32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

tc_status circle_hub_waits(const tc_network *net, const circle_params *p, circle_hub_stat **out, size_t *n_out,
                           tc_error *err) {
    const network_view *v = &net->v;
    *out = NULL;
    *n_out = 0;
    static const circle_class pairs[][2] = {{CC_HIGH_SPEED, CC_RAIL}, {CC_RAIL, CC_HIGH_SPEED},
                                            {CC_HIGH_SPEED, CC_METRO}, {CC_METRO, CC_HIGH_SPEED},
                                            {CC_RAIL, CC_METRO},       {CC_METRO, CC_RAIL}};
    const size_t n_pairs = sizeof pairs / sizeof *pairs;
    size_t cap = 0, n = 0;
    circle_hub_stat *stats = NULL;
    event_list arr = {0}, dep = {0};
    uint32_t *members = malloc((v->n_stops + 1) * sizeof *members);
    int32_t *waits = NULL;
    size_t waits_cap = 0;
    tc_status st = TC_OK;
    if (!members) return OOM();
    const int32_t horizon = 2 * 3600; /* a departure later than this is no connection */
    for (uint32_t h = 0; h < v->n_stops && !st; h++) {
        if (v->stops[h].location_type != 1) continue;
        size_t nm = 0;
        for (uint32_t s = 0; s < v->n_stops; s++)
            if (v->stops[s].parent == h) members[nm++] = s;
        if (nm == 0) continue;
        arr.n = dep.n = 0;
        for (size_t i = 0; i < nm; i++)
            if (stop_events(v, members[i], p->date, p->window_start, p->window_end + horizon, &arr, &dep)) {
                st = OOM();
                break;
            }
        if (st) break;
        for (size_t q = 0; q < n_pairs && !st; q++) {
            circle_class from = pairs[q][0], to = pairs[q][1];
            int has_from = 0, has_to = 0;
            for (size_t i = 0; i < arr.n; i++) has_from |= arr.v[i].cls == from;
            for (size_t i = 0; i < dep.n; i++) has_to |= dep.v[i].cls == to;
            if (!has_from || !has_to) continue;
            circle_hub_stat hs;
            memset(&hs, 0, sizeof hs);
            snprintf(hs.hub, sizeof hs.hub, "%s", net_str(v, v->stops[h].name_str));
            net_format_id(v, v->stops[h].feed, v->stops[h].id_str, hs.hub_id, sizeof hs.hub_id);
            hs.from = from;
            hs.to = to;
            hs.transfer_min_s = INT32_MAX;
            size_t nw = 0;
            for (size_t i = 0; i < arr.n; i++) {
                const hub_event *a = &arr.v[i];
                if (a->cls != from || a->time >= p->window_end) continue;
                hs.arrivals++;
                int32_t best = INT32_MAX, best_xfer = 0;
                int best_freq = 0;
                for (size_t j = 0; j < dep.n; j++) {
                    const hub_event *d = &dep.v[j];
                    if (d->cls != to || d->route == a->route) continue;
                    int32_t x = transfer_time(v, a->stop, a->route, d->stop, d->route);
                    if (x < 0 || d->time < a->time + x || d->time > a->time + horizon) continue;
                    if (d->time - a->time < best) {
                        best = d->time - a->time;
                        best_xfer = x;
                        best_freq = d->frequency;
                    }
                }
                if (best == INT32_MAX) continue;
                if (nw == waits_cap) {
                    waits_cap = waits_cap ? 2 * waits_cap : 64;
                    int32_t *nwv = realloc(waits, waits_cap * sizeof *nwv);
                    if (!nwv) {
                        st = OOM();
                        break;
                    }
                    waits = nwv;
                }
                waits[nw++] = best;
                hs.connected++;
                hs.frequency_based |= best_freq;
                if (best_xfer < hs.transfer_min_s) hs.transfer_min_s = best_xfer;
                if (best_xfer > hs.transfer_max_s) hs.transfer_max_s = best_xfer;
            }
            if (st) break;
            if (hs.arrivals == 0) continue;
            if (nw) {
                qsort(waits, nw, sizeof *waits, cmp_i32);
                hs.wait_min_s = waits[0];
                hs.wait_max_s = waits[nw - 1];
                hs.wait_p50_s = waits[(nw - 1) / 2];
            } else {
                hs.wait_min_s = hs.wait_p50_s = hs.wait_max_s = -1;
                hs.transfer_min_s = hs.transfer_max_s = -1;
            }
            if (n == cap) {
                cap = cap ? 2 * cap : 16;
                circle_hub_stat *ns = realloc(stats, cap * sizeof *ns);
                if (!ns) {
                    st = OOM();
                    break;
                }
                stats = ns;
            }
            stats[n++] = hs;
        }
    }
    free(members);
    free(arr.v);
    free(dep.v);
    free(waits);
    if (st) {
        free(stats);
        return st;
    }
    *out = stats;
    *n_out = n;
    return TC_OK;
}

/* ------------------------------------------------------------------ the whole result ----------------------- */

tc_status circle_compute(const tc_network *net, const circle_params *p, const circle_places *places,
                         const circle_places *cores, const char *name, const char *description, circle_result *out,
                         tc_error *err) {
    memset(out, 0, sizeof *out);
    circle_result *r = out;
    size_t np = places->n, nc = cores->n;
    r->n_places = np;
    r->n_cores = nc;
    r->name = strdup(name ? name : "baseline");
    r->description = strdup(description ? description : "");
    r->pairs = calloc(np * nc + 1, sizeof *r->pairs);
    r->core_area_km2 = calloc(nc + 1, sizeof *r->core_area_km2);
    r->core_population = calloc(nc + 1, sizeof *r->core_population);
    r->core_isochrones = calloc(nc + 1, sizeof *r->core_isochrones);
    r->all_cores = calloc(np + 1, 1);
    r->core_walk_to_stop_min = calloc(nc + 1, sizeof *r->core_walk_to_stop_min);
    tc_status st = TC_OK;
    if (!r->name || !r->description || !r->pairs || !r->core_area_km2 || !r->core_population ||
        !r->core_isochrones || !r->all_cores ||
        !r->core_walk_to_stop_min) {
        st = OOM();
        goto fail;
    }
    tc_network_info info;
    st = tc_network_get_info(net, &info, err);
    if (st) goto fail;
    memcpy(r->bbox, info.bbox, sizeof r->bbox);
    r->car_speed_kmh = p->car_speed_kmh;
    r->car_detour = info.straight_line_detour > 0 ? info.straight_line_detour : TC_DEFAULT_STRAIGHT_LINE_DETOUR;

    const network_view *v = &net->v;
    double walk = p->walk_speed_mps > 0   ? p->walk_speed_mps
                  : v->walk_speed_mps > 0 ? v->walk_speed_mps
                                          : TC_DEFAULT_WALK_SPEED_MPS;
    for (size_t c = 0; c < nc; c++) {
        double best = INFINITY;
        for (uint32_t s = 0; s < v->n_stops; s++) {
            if (v->stops[s].location_type != 0) continue;
            double d = haversine_m(cores->v[c].lat, cores->v[c].lon, from_e7(v->stops[s].lat_e7),
                                   from_e7(v->stops[s].lon_e7));
            if (d < best) best = d;
        }
        r->core_walk_to_stop_min[c] = best * r->car_detour / walk / 60.0;
    }

    st = circle_transit_times(net, p, places, cores, r, err);
    if (st) goto fail;

    /* car: the street network's fastest path, or its straight-line fallback (stated in the report) */
    tc_street_options so;
    tc_street_options_init(&so);
    so.car_speed_mps = p->car_speed_kmh / 3.6;
    for (size_t i = 0; i < np; i++)
        for (size_t c = 0; c < nc; c++) {
            circle_pair *pr = &r->pairs[i * nc + c];
            pr->car_min = NAN;
            tc_street_result sr;
            memset(&sr, 0, sizeof sr);
            tc_error e2;
            if (tc_street_route(net, TC_MODE_CAR, places->v[i].lat, places->v[i].lon, cores->v[c].lat,
                                cores->v[c].lon, &so, &sr, &e2) == TC_OK) {
                pr->car_min = sr.duration_s / 60.0;
                if (sr.straight_line && p->roads) { /* no streets: the road model stands in for them */
                    pr->car_min = circle_roads_car_min(p->roads, places->v[i].lat, places->v[i].lon, cores->v[c].lat,
                                                       cores->v[c].lon, p->car_peak);
                    r->car_road_model = 1;
                } else if (sr.straight_line) {
                    r->car_straight_line = 1;
                }
            }
            tc_street_result_free(&sr);
        }

    for (size_t i = 0; i < np; i++) {
        int all = nc > 0;
        for (size_t c = 0; c < nc; c++) {
            circle_pair *pr = &r->pairs[i * nc + c];
            pr->inside = pr->p50 != TC_UNREACHED_MIN && pr->p50 <= p->cutoff_min;
            all &= pr->inside;
        }
        r->all_cores[i] = (uint8_t)all;
    }

    st = circle_core_isochrones(net, p, cores, r, err);
    if (st) goto fail;
    st = circle_hub_waits(net, p, &r->hubs, &r->n_hubs, err);
    if (st) goto fail;
    st = collect_lines(&net->v, r, err);
    if (st) goto fail;
    return TC_OK;
fail:
    circle_result_free(r);
    return st;
}
