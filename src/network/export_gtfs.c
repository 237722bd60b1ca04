/*
 * export_gtfs.c — a compiled network written back out as GTFS (tc_export_gtfs in tongcheng.h).
 *
 * What the network file does not keep is reconstructed or filled plainly:
 *  - service_ids are not kept (a trip names a service bitset): each bitset becomes service "s<N>", written as
 *    calendar.txt (each weekday kept when it runs on most of its dates between the first and last active day) plus
 *    calendar_dates.txt for the days that differ, so a regular timetable stays a handful of rows;
 *  - all times are in the network's timezone (other feeds were shifted at build time), so every agency is written
 *    with that timezone;
 *  - agency_url is not kept; it is written as https://tongcheng.invalid/ (a reserved domain: clearly no real page);
 *  - walking links computed at build time are not transfers.txt rules and are not written (a rebuild recomputes
 *    them); shapes are not written.
 * Frequency-based trips keep their template times (relative to the first departure) and frequencies.txt rows.
 */
#include "common/csv_out.h"
#include "tongcheng.h"
#include "network/network.h"
#include "common/atomic_file.h"
#include "common/error.h"
#include "common/geo.h"
#include "common/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct exporter {
    const network_view *v;
    int prefixed; /* several feeds: ids as "FEED:id" */
    uint8_t *service_used; /* services named by an exported trip: only those are written */
    char buf[4][512];
} exporter;

/* The id to write for (feed, id string); slot picks one of four buffers so that several can be used in a row. */
static const char *xid(exporter *x, int slot, uint16_t feed, uint32_t id_str) {
    if (x->prefixed) net_format_id(x->v, feed, id_str, x->buf[slot], sizeof x->buf[slot]);
    else snprintf(x->buf[slot], sizeof x->buf[slot], "%s", net_str(x->v, id_str));
    return x->buf[slot];
}

static const char *stop_id(exporter *x, int slot, uint32_t s) {
    if (s == TC_NONE) return "";
    return xid(x, slot, x->v->stops[s].feed, x->v->stops[s].id_str);
}
static const char *route_id(exporter *x, int slot, uint32_t r) {
    if (r == TC_NONE) return "";
    return xid(x, slot, x->v->routes[r].feed, x->v->routes[r].id_str);
}
static const char *trip_id(exporter *x, int slot, uint32_t t) {
    if (t == TC_NONE) return "";
    return xid(x, slot, x->v->trips[t].feed, x->v->trips[t].id_str);
}

static void gtfs_date(int32_t day, char *buf) {
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(buf, 12, "%04d%02d%02d", y, m, d);
}

typedef tc_status (*writer_fn)(exporter *x, FILE *f);

static tc_status write_file(exporter *x, const char *dir, const char *name, writer_fn fn, tc_error *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    atomic_file af;
    tc_status st = atomic_file_open(&af, path, err);
    if (st) return st;
    st = fn(x, af.fp);
    if (st == TC_OK && ferror(af.fp)) st = error_set(err, TC_ERR_IO, path, 0, 0, "write failed");
    if (st) {
        atomic_file_abort(&af);
        return st == TC_ERR_NO_MEMORY ? error_set(err, st, path, 0, 0, "out of memory") : st;
    }
    return atomic_file_commit(&af, err);
}

static tc_status w_agency(exporter *x, FILE *f) {
    const network_view *v = x->v;
    fputs("agency_id,agency_name,agency_url,agency_timezone\n", f);
    for (uint32_t a = 0; a < v->n_agencies; a++) {
        const net_agency *ag = &v->agencies[a];
        (void)csv_put_field(f, xid(x, 0, ag->feed, ag->id_str));
        fputc(',', f);
        const char *nm = net_str(v, ag->name_str);
        (void)csv_put_field(f, *nm ? nm : net_str(v, ag->id_str));
        fputs(",https://tongcheng.invalid/,", f);
        (void)csv_put_field(f, net_str(v, v->timezone_str));
        fputc('\n', f);
    }
    return TC_OK;
}

static tc_status w_stops(exporter *x, FILE *f) {
    const network_view *v = x->v;
    fputs("stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station,platform_code,wheelchair_boarding\n", f);
    for (uint32_t s = 0; s < v->n_stops; s++) {
        const net_stop *st = &v->stops[s];
        (void)csv_put_field(f, stop_id(x, 0, s));
        fputc(',', f);
        (void)csv_put_field(f, net_str(v, st->name_str));
        fprintf(f, ",%.7f,%.7f,%u,", from_e7(st->lat_e7), from_e7(st->lon_e7), st->location_type);
        (void)csv_put_field(f, stop_id(x, 1, st->parent));
        fputc(',', f);
        (void)csv_put_field(f, net_str(v, st->platform_str));
        fprintf(f, ",%u\n", st->wheelchair);
    }
    return TC_OK;
}

static tc_status w_routes(exporter *x, FILE *f) {
    const network_view *v = x->v;
    fputs("route_id,agency_id,route_short_name,route_long_name,route_type,route_color\n", f);
    for (uint32_t r = 0; r < v->n_routes; r++) {
        const net_route *rt = &v->routes[r];
        (void)csv_put_field(f, route_id(x, 0, r));
        fputc(',', f);
        if (rt->agency != TC_NONE)
            (void)csv_put_field(f, xid(x, 1, v->agencies[rt->agency].feed, v->agencies[rt->agency].id_str));
        fputc(',', f);
        const char *sn = net_str(v, rt->short_name_str), *ln = net_str(v, rt->long_name_str);
        (void)csv_put_field(f, sn);
        fputc(',', f);
        (void)csv_put_field(f, !*sn && !*ln ? net_str(v, rt->id_str) : ln); /* one of the two names is required */
        fprintf(f, ",%u,", rt->type);
        (void)csv_put_field(f, net_str(v, rt->color_str));
        fputc('\n', f);
    }
    return TC_OK;
}

static tc_status w_trips(exporter *x, FILE *f) {
    const network_view *v = x->v;
    fputs("route_id,service_id,trip_id,trip_headsign,block_id,direction_id,wheelchair_accessible\n", f);
    for (uint32_t t = 0; t < v->n_scheduled_trips; t++) {
        const net_trip *tr = &v->trips[t];
        if (tr->pattern == TC_NONE || tr->service >= v->n_services) continue; /* no stop_times / calendar */
        (void)csv_put_field(f, route_id(x, 0, tr->route));
        fprintf(f, ",s%u,", tr->service);
        (void)csv_put_field(f, trip_id(x, 1, t));
        fputc(',', f);
        (void)csv_put_field(f, net_str(v, tr->headsign_str));
        fputc(',', f);
        (void)csv_put_field(f, net_str(v, tr->block_str));
        fputc(',', f);
        if (tr->direction >= 0) fprintf(f, "%d", tr->direction);
        fprintf(f, ",%u\n", tr->wheelchair);
    }
    return TC_OK;
}

static tc_status w_stop_times(exporter *x, FILE *f) {
    const network_view *v = x->v;
    fputs("trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type\n", f);
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const net_pattern *pt = &v->patterns[p];
        for (uint32_t k = 0; k < pt->n_trips; k++) {
            uint32_t t = pt->trips_begin + k;
            if (v->trips[t].service >= v->n_services) continue; /* not written to trips.txt */
            const net_stop_time *row = &v->stop_times[pt->times_begin + (uint64_t)k * pt->n_stops];
            const char *tid = trip_id(x, 0, t);
            for (uint32_t j = 0; j < pt->n_stops; j++) {
                char a[16], d[16];
                time_format(row[j].arrival < 0 ? 0 : row[j].arrival, a);
                time_format(row[j].departure < 0 ? 0 : row[j].departure, d);
                uint8_t fl = v->pattern_stop_flags[pt->stops_begin + j];
                (void)csv_put_field(f, tid);
                fprintf(f, ",%s,%s,", a, d);
                (void)csv_put_field(f, stop_id(x, 1, v->pattern_stops[pt->stops_begin + j]));
                fprintf(f, ",%u,%d,%d\n", j + 1, (fl & TC_NO_PICKUP) ? 1 : 0, (fl & TC_NO_DROPOFF) ? 1 : 0);
            }
        }
    }
    return TC_OK;
}

static int active(const network_view *v, uint32_t s, uint32_t d) {
    return (int)((v->service_bits[(uint64_t)s * v->service_words + (d >> 6)] >> (d & 63)) & 1u);
}

/* Each service's weekly pattern: the weekdays active on more than half of their dates in [first, last]. */
static int service_span(const network_view *v, uint32_t s, uint32_t *first, uint32_t *last, uint8_t *weekdays) {
    uint32_t lo = UINT32_MAX, hi = 0;
    for (uint32_t d = 0; d < v->n_days; d++)
        if (active(v, s, d)) {
            if (lo == UINT32_MAX) lo = d;
            hi = d;
        }
    if (lo == UINT32_MAX) return 0;
    uint32_t on[7] = {0}, all[7] = {0};
    for (uint32_t d = lo; d <= hi; d++) {
        int wd = date_weekday(v->service_start + (int32_t)d);
        all[wd]++;
        on[wd] += (uint32_t)active(v, s, d);
    }
    *weekdays = 0;
    for (int wd = 0; wd < 7; wd++)
        if (2 * on[wd] > all[wd]) *weekdays |= (uint8_t)(1u << wd);
    *first = lo;
    *last = hi;
    return 1;
}

static tc_status w_calendar(exporter *x, FILE *f) {
    const network_view *v = x->v;
    fputs("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n", f);
    for (uint32_t s = 0; s < v->n_services; s++) {
        if (!x->service_used[s]) continue;
        uint32_t lo = 0, hi = 0;
        uint8_t wk = 0;
        char a[12], b[12];
        if (!service_span(v, s, &lo, &hi, &wk)) lo = hi = 0; /* runs on no day: all weekdays 0 */
        gtfs_date(v->service_start + (int32_t)lo, a);
        gtfs_date(v->service_start + (int32_t)hi, b);
        fprintf(f, "s%u", s);
        for (int wd = 0; wd < 7; wd++) fprintf(f, ",%d", (wk >> wd) & 1);
        fprintf(f, ",%s,%s\n", a, b);
    }
    return TC_OK;
}

static tc_status w_calendar_dates(exporter *x, FILE *f) {
    const network_view *v = x->v;
    fputs("service_id,date,exception_type\n", f);
    for (uint32_t s = 0; s < v->n_services; s++) {
        if (!x->service_used[s]) continue;
        uint32_t lo, hi;
        uint8_t wk;
        if (!service_span(v, s, &lo, &hi, &wk)) continue;
        for (uint32_t d = lo; d <= hi; d++) {
            int day = v->service_start + (int32_t)d;
            int expected = (wk >> date_weekday(day)) & 1, is = active(v, s, d);
            if (expected == is) continue;
            char a[12];
            gtfs_date(day, a);
            fprintf(f, "s%u,%s,%d\n", s, a, is ? 1 : 2);
        }
    }
    return TC_OK;
}

static tc_status w_frequencies(exporter *x, FILE *f) {
    const network_view *v = x->v;
    fputs("trip_id,start_time,end_time,headway_secs,exact_times\n", f);
    for (uint32_t t = 0; t < v->n_scheduled_trips; t++) {
        const net_trip *tr = &v->trips[t];
        if (tr->pattern == TC_NONE || tr->service >= v->n_services) continue;
        for (uint32_t k = 0; k < tr->freq_count; k++) {
            const net_frequency *fq = &v->frequencies[tr->freq_begin + k];
            char a[16], b[16];
            time_format(fq->start_time, a);
            time_format(fq->end_time, b);
            (void)csv_put_field(f, trip_id(x, 0, t));
            fprintf(f, ",%s,%s,%d,%u\n", a, b, fq->headway_s, fq->exact_times ? 1u : 0u);
        }
    }
    return TC_OK;
}

static tc_status w_transfers(exporter *x, FILE *f) {
    const network_view *v = x->v;
    fputs("from_stop_id,to_stop_id,from_route_id,to_route_id,from_trip_id,to_trip_id,transfer_type,"
          "min_transfer_time\n",
          f);
    for (uint32_t k = 0; k < v->n_transfer_rules; k++) {
        const net_transfer_rule *r = &v->transfer_rules[k];
        (void)csv_put_field(f, stop_id(x, 0, r->from_stop));
        fputc(',', f);
        (void)csv_put_field(f, stop_id(x, 1, r->to_stop));
        fputc(',', f);
        (void)csv_put_field(f, route_id(x, 2, r->from_route));
        fputc(',', f);
        (void)csv_put_field(f, route_id(x, 3, r->to_route));
        fputc(',', f);
        (void)csv_put_field(f, trip_id(x, 0, r->from_trip));
        fputc(',', f);
        (void)csv_put_field(f, trip_id(x, 1, r->to_trip));
        fprintf(f, ",%u,", r->type);
        if (r->min_transfer_time >= 0) fprintf(f, "%d", r->min_transfer_time);
        fputc('\n', f);
    }
    return TC_OK;
}

tc_status tc_export_gtfs(const tc_network *net, const char *dir, tc_error *err) {
    if (!net || !dir || !*dir) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "no network or folder");
    if (mkdir(dir, 0777) && errno != EEXIST)
        return error_set(err, TC_ERR_IO, dir, 0, 0, "cannot create the folder: %s", strerror(errno));
    exporter x;
    memset(&x, 0, sizeof x);
    x.v = &net->v;
    x.prefixed = net->v.n_feeds > 1;
    x.service_used = calloc(net->v.n_services + 1, 1);
    if (!x.service_used) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    for (uint32_t t = 0; t < net->v.n_scheduled_trips; t++)
        if (net->v.trips[t].pattern != TC_NONE && net->v.trips[t].service < net->v.n_services)
            x.service_used[net->v.trips[t].service] = 1;
    static const struct {
        const char *name;
        writer_fn fn;
    } files[] = {{"agency.txt", w_agency},       {"stops.txt", w_stops},
                 {"routes.txt", w_routes},       {"trips.txt", w_trips},
                 {"stop_times.txt", w_stop_times}, {"calendar.txt", w_calendar},
                 {"calendar_dates.txt", w_calendar_dates}, {"frequencies.txt", w_frequencies},
                 {"transfers.txt", w_transfers}};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        tc_status st = write_file(&x, dir, files[i].name, files[i].fn, err);
        if (st) {
            free(x.service_used);
            return st;
        }
    }
    free(x.service_used);
    return TC_OK;
}
