/*
 * network.c — opening a compiled network file: mmap (netfile.c checks magic, version, bounds and every section's
 * checksum), then point the typed arrays of network_view into the map. Nothing is parsed or copied.
 *
 * A checksum only proves the bytes are the ones the writer wrote; it does not prove the writer (or a hand-made
 * file that recomputed the checksums) was right. So every count in the META section is checked against its
 * section's size, and every index the searches follow (CSR offsets, stop / pattern / trip / route / service
 * indices) is checked once here, in one linear pass over the index arrays (times are not indices and are not
 * scanned). After a successful open the searches may trust every index without bounds checks.
 */
#include "network/network.h"
#include "netfile/netfile.h"
#include "common/error.h"
#include "streets/street_build.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tc_free(void *p) { free(p); }

#define BAD(...) error_set(err, TC_ERR_FORMAT, path, 0, 0, __VA_ARGS__)

static tc_status get_arr(const netfile *nf, const char *path, uint32_t id, size_t elem, uint64_t count,
                         const void **out, tc_error *err) {
    const void *p = NULL;
    uint64_t len = 0;
    tc_status st = netfile_get(nf, id, 1, &p, &len, err);
    if (st) return error_set(err, TC_ERR_FORMAT, path, 0, 0, "network file is incomplete: section %u is missing", id);
    if (len % elem || len / elem != count)
        return BAD("network file is corrupted: section %u holds %llu bytes, its counts say %llu elements of %zu bytes",
                   id, (unsigned long long)len, (unsigned long long)count, elem);
    *out = count ? p : NULL;
    /* keep a valid pointer even for empty arrays so that callers may index [0] of CSR begin arrays safely */
    if (!count) *out = p;
    return TC_OK;
}

static int csr_ok(const uint32_t *begin, uint32_t n, uint64_t total, int exact_end) {
    if (begin[0] != 0) return 0;
    for (uint32_t i = 0; i < n; i++)
        if (begin[i + 1] < begin[i]) return 0;
    return exact_end ? begin[n] == total : begin[n] <= total;
}

static tc_status validate(const network_view *v, const char *path, tc_error *err) {
    const net_meta *m = v->meta;
#define IDX_OK(x, n) ((x) < (n))
#define IDX_OR_NONE(x, n) ((x) == TC_NONE || (x) < (n))
    if (m->service_words != (uint32_t)(((uint64_t)m->n_days + 63) / 64))
        return BAD("network file is corrupted: service calendar size");
    if (m->n_scheduled_trips > m->n_trips || m->n_services == 0)
        return BAD("network file is corrupted: trip counts");
    for (uint32_t i = 0; i < v->n_feeds; i++) {
        const net_feed *f = &v->feeds[i];
        if ((uint64_t)f->stop_begin + f->n_stops > v->n_stops || (uint64_t)f->route_begin + f->n_routes > v->n_routes ||
            (uint64_t)f->agency_begin + f->n_agencies > v->n_agencies)
            return BAD("network file is corrupted: feed %u's ranges", i);
    }
    for (uint32_t i = 0; i < v->n_agencies; i++)
        if (!IDX_OK(v->agencies[i].feed, v->n_feeds)) return BAD("network file is corrupted: agency %u", i);
    for (uint32_t i = 0; i < v->n_stops; i++)
        if (!IDX_OR_NONE(v->stops[i].parent, v->n_stops) || !IDX_OK(v->stops[i].feed, v->n_feeds))
            return BAD("network file is corrupted: stop %u", i);
    for (uint32_t i = 0; i < v->n_routes; i++)
        if (!IDX_OR_NONE(v->routes[i].agency, v->n_agencies) || !IDX_OK(v->routes[i].feed, v->n_feeds))
            return BAD("network file is corrupted: route %u", i);
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const net_pattern *pt = &v->patterns[p];
        if (!IDX_OK(pt->route, v->n_routes) || pt->n_stops == 0 ||
            (uint64_t)pt->stops_begin + pt->n_stops > v->n_pattern_stops ||
            (uint64_t)pt->trips_begin + pt->n_trips > m->n_scheduled_trips || pt->times_begin > v->n_stop_times ||
            (uint64_t)pt->n_trips > (v->n_stop_times - pt->times_begin) / pt->n_stops)
            return BAD("network file is corrupted: pattern %u", p);
    }
    for (uint32_t i = 0; i < v->n_pattern_stops; i++)
        if (!IDX_OK(v->pattern_stops[i], v->n_stops)) return BAD("network file is corrupted: pattern stop %u", i);
    for (uint32_t t = 0; t < v->n_trips; t++) {
        const net_trip *tr = &v->trips[t];
        int scheduled = t < m->n_scheduled_trips;
        if (!IDX_OK(tr->route, v->n_routes) || !IDX_OK(tr->service, v->n_services) ||
            !IDX_OK(tr->feed, v->n_feeds) || (uint64_t)tr->freq_begin + tr->freq_count > v->n_frequencies ||
            (scheduled ? !IDX_OK(tr->pattern, v->n_patterns) : tr->pattern != TC_NONE))
            return BAD("network file is corrupted: trip %u", t);
        if (scheduled) {
            const net_pattern *pt = &v->patterns[tr->pattern];
            if (t < pt->trips_begin || t - pt->trips_begin >= pt->n_trips)
                return BAD("network file is corrupted: trip %u is outside its pattern", t);
        }
    }
    if (!csr_ok(v->stop_pattern_begin, v->n_stops, v->n_pattern_stops, 1))
        return BAD("network file is corrupted: stop → pattern index");
    for (uint32_t i = 0; i < v->n_pattern_stops; i++) {
        const net_stop_pattern *sp = &v->stop_patterns[i];
        if (!IDX_OK(sp->pattern, v->n_patterns) || !IDX_OK(sp->position, v->patterns[sp->pattern].n_stops))
            return BAD("network file is corrupted: stop pattern entry %u", i);
    }
    if (!csr_ok(v->transfer_begin, v->n_stops, v->n_transfers, 1))
        return BAD("network file is corrupted: transfer index");
    for (uint32_t i = 0; i < v->n_transfers; i++)
        if (!IDX_OK(v->transfers[i].to_stop, v->n_stops)) return BAD("network file is corrupted: transfer %u", i);
    if (!csr_ok(v->transfer_rule_begin, v->n_stops, v->n_transfer_rules, 0))
        return BAD("network file is corrupted: transfer rule index");
    for (uint32_t i = 0; i < v->n_transfer_rules; i++) {
        const net_transfer_rule *r = &v->transfer_rules[i];
        if (!IDX_OR_NONE(r->from_stop, v->n_stops) || !IDX_OR_NONE(r->to_stop, v->n_stops) ||
            !IDX_OR_NONE(r->from_route, v->n_routes) || !IDX_OR_NONE(r->to_route, v->n_routes) ||
            !IDX_OR_NONE(r->from_trip, v->n_trips) || !IDX_OR_NONE(r->to_trip, v->n_trips))
            return BAD("network file is corrupted: transfer rule %u", i);
        /* the CSR must agree with the rule's from_stop, or a search would read another stop's rules */
        if (r->from_stop != TC_NONE
                ? !(i >= v->transfer_rule_begin[r->from_stop] && i < v->transfer_rule_begin[r->from_stop + 1])
                : i < v->transfer_rule_begin[v->n_stops])
            return BAD("network file is corrupted: transfer rule %u is out of order", i);
    }
    for (uint32_t i = 0; i < v->n_stops; i++)
        if (!IDX_OK(v->stop_id_index[i], v->n_stops)) return BAD("network file is corrupted: stop id index");
    for (uint32_t i = 0; i < v->n_routes; i++)
        if (!IDX_OK(v->route_id_index[i], v->n_routes)) return BAD("network file is corrupted: route id index");
    for (uint32_t i = 0; i < v->n_trips; i++)
        if (!IDX_OK(v->trip_id_index[i], v->n_trips)) return BAD("network file is corrupted: trip id index");
    if (v->stop_street_link)
        for (uint32_t i = 0; i < v->n_stops; i++)
            if (!IDX_OR_NONE(v->stop_street_link[i], v->streets.n_nodes))
                return BAD("network file is corrupted: stop %u's street link", i);
#undef IDX_OK
#undef IDX_OR_NONE
    return TC_OK;
}

tc_status tc_network_open(const char *path, tc_network **out, tc_error *err) {
    if (!path || !out) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "no network path");
    *out = NULL;
    netfile nf;
    tc_status st = netfile_map(path, &nf, err);
    if (st) return st;
    tc_network *net = calloc(1, sizeof *net);
    if (!net) {
        netfile_unmap(&nf);
        return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    }
    network_view *v = &net->v;
    const void *p;
    uint64_t len;
#define ARR(id, field, count) \
    if (!st) st = get_arr(&nf, path, id, sizeof *v->field, (uint64_t)(count), (const void **)&v->field, err)
    st = get_arr(&nf, path, TC_SEC_META, sizeof(net_meta), 1, (const void **)&v->meta, err);
    if (!st) {
        const net_meta *m = v->meta;
        v->n_feeds = m->n_feeds, v->n_agencies = m->n_agencies, v->n_stops = m->n_stops, v->n_routes = m->n_routes;
        v->n_patterns = m->n_patterns, v->n_trips = m->n_trips, v->n_frequencies = m->n_frequencies;
        v->n_transfers = m->n_transfers, v->n_transfer_rules = m->n_transfer_rules, v->n_services = m->n_services;
        v->n_stop_times = m->n_stop_times, v->n_source_stop_times = m->n_source_stop_times;
        v->n_trips_without_service = m->n_trips_without_service;
        v->n_frequency_templates = m->n_frequency_templates, v->n_scheduled_trips = m->n_scheduled_trips;
        v->n_pattern_stops = m->n_pattern_stops;
        v->service_start = m->service_start, v->n_days = m->n_days, v->service_words = m->service_words;
        v->transfer_radius_m = m->transfer_radius_m, v->walk_speed_mps = m->walk_speed_mps;
        v->straight_line_detour = m->straight_line_detour;
        memcpy(v->bbox_e7, m->bbox_e7, sizeof v->bbox_e7);
        v->timezone_str = m->timezone_str;
        if (m->n_stops == UINT32_MAX) st = BAD("network file is corrupted: stop count");
    }
    if (!st) {
        st = netfile_get(&nf, TC_SEC_STRINGS, 1, &p, &len, err);
        if (st || len == 0 || ((const char *)p)[len - 1] != '\0' || ((const char *)p)[0] != '\0')
            st = BAD("network file is corrupted: string table");
        v->strings = p;
        v->strings_size = len;
    }
    ARR(TC_SEC_FEEDS, feeds, v->n_feeds);
    ARR(TC_SEC_AGENCIES, agencies, v->n_agencies);
    ARR(TC_SEC_STOPS, stops, v->n_stops);
    ARR(TC_SEC_ROUTES, routes, v->n_routes);
    ARR(TC_SEC_PATTERNS, patterns, v->n_patterns);
    ARR(TC_SEC_PATTERN_STOPS, pattern_stops, v->n_pattern_stops);
    ARR(TC_SEC_PATTERN_STOP_FLAGS, pattern_stop_flags, v->n_pattern_stops);
    ARR(TC_SEC_STOP_TIMES, stop_times, v->n_stop_times);
    ARR(TC_SEC_TRIPS, trips, v->n_trips);
    ARR(TC_SEC_FREQUENCIES, frequencies, v->n_frequencies);
    ARR(TC_SEC_STOP_PATTERN_BEGIN, stop_pattern_begin, (uint64_t)v->n_stops + 1);
    ARR(TC_SEC_STOP_PATTERNS, stop_patterns, v->n_pattern_stops);
    ARR(TC_SEC_TRANSFER_BEGIN, transfer_begin, (uint64_t)v->n_stops + 1);
    ARR(TC_SEC_TRANSFERS, transfers, v->n_transfers);
    ARR(TC_SEC_TRANSFER_RULE_BEGIN, transfer_rule_begin, (uint64_t)v->n_stops + 1);
    ARR(TC_SEC_TRANSFER_RULES, transfer_rules, v->n_transfer_rules);
    ARR(TC_SEC_SERVICE_BITS, service_bits, (uint64_t)v->n_services * v->service_words);
    ARR(TC_SEC_STOP_ID_INDEX, stop_id_index, v->n_stops);
    ARR(TC_SEC_ROUTE_ID_INDEX, route_id_index, v->n_routes);
    ARR(TC_SEC_TRIP_ID_INDEX, trip_id_index, v->n_trips);
    if (!st) { /* optional: the patterns' shapes (for drawing) */
        st = netfile_get(&nf, TC_SEC_SHAPES, 0, &p, &len, err);
        if (!st && p && len % (2 * sizeof(int32_t)) == 0) {
            v->n_shape_points = len / (2 * sizeof(int32_t));
            v->shape_points = p;
            ARR(TC_SEC_PATTERN_SHAPE, pattern_shape, (uint64_t)v->n_patterns * 2);
            ARR(TC_SEC_PATTERN_STOP_SHAPE, pattern_stop_shape, v->n_pattern_stops);
            for (uint32_t q = 0; !st && q < v->n_patterns; q++)
                if ((uint64_t)v->pattern_shape[2 * q] + v->pattern_shape[2 * q + 1] > v->n_shape_points)
                    st = error_set(err, TC_ERR_FORMAT, path, 0, 0, "pattern %u's shape lies outside the shape points", q);
        }
    }
    if (!st) {
        st = netfile_get(&nf, TC_SEC_STOP_STREET_LINK, 0, &p, &len, err);
        if (!st && p) {
            ARR(TC_SEC_STOP_STREET_LINK, stop_street_link, v->n_stops);
            ARR(TC_SEC_STOP_STREET_LINK_M, stop_street_link_m, v->n_stops);
        }
    }
#undef ARR
    if (!st) st = street_graph_attach(&v->streets, &nf, err);
    if (!st) st = validate(v, path, err);
    if (st) {
        if (err && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", path);
        netfile_unmap(&nf);
        free(net);
        return st;
    }
    net->map = nf.base;
    net->map_size = (size_t)nf.size;
    net->format_version = nf.format_version;
    *out = net;
    return TC_OK;
}

void tc_network_close(tc_network *net) {
    if (!net) return;
    if (net->routing_cache_free) net->routing_cache_free(net->routing_cache);
    netfile nf;
    memset(&nf, 0, sizeof nf);
    nf.base = net->map;
    nf.size = net->map_size;
    netfile_unmap(&nf);
    free(net);
}

tc_status tc_network_get_info(const tc_network *net, tc_network_info *out, tc_error *err) {
    if (!net || !out) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "no network");
    const network_view *v = &net->v;
    memset(out, 0, sizeof *out);
    out->format_version = net->format_version;
    out->file_size = net->map_size;
    out->feeds = v->n_feeds;
    out->agencies = v->n_agencies;
    out->stops = v->n_stops;
    out->routes = v->n_routes;
    out->patterns = v->n_patterns;
    out->trips = v->n_trips;
    out->frequency_templates = v->n_frequency_templates;
    out->transfers = v->n_transfers;
    out->stop_times = v->n_source_stop_times;
    out->trips_without_service = v->n_trips_without_service;
    out->service_start = v->service_start;
    out->service_end = v->n_days ? v->service_start + (int32_t)v->n_days - 1 : v->service_start;
    /* bbox: the stops', widened by the street network's when there is one */
    int32_t bb[4];
    memcpy(bb, v->bbox_e7, sizeof bb);
    int have = v->n_stops > 0;
    if (v->streets.n_nodes && v->streets.meta) {
        const int32_t *sb = v->streets.meta->bbox_e7;
        if (!have) memcpy(bb, sb, sizeof bb);
        else {
            if (sb[0] < bb[0]) bb[0] = sb[0];
            if (sb[1] < bb[1]) bb[1] = sb[1];
            if (sb[2] > bb[2]) bb[2] = sb[2];
            if (sb[3] > bb[3]) bb[3] = sb[3];
        }
    }
    for (int i = 0; i < 4; i++) out->bbox[i] = bb[i] / 1e7;
    out->street_nodes = v->streets.n_nodes;
    out->street_edges = v->streets.n_edges;
    out->straight_line_walking = v->streets.n_nodes == 0;
    out->straight_line_detour = v->straight_line_detour;
    out->transfer_radius_m = v->transfer_radius_m;
    out->street_elevation = v->streets.seg_elev != NULL;
    return TC_OK;
}

tc_status tc_network_info_json(const tc_network *net, char **json_out, tc_error *err) {
    tc_network_info in;
    tc_status st = tc_network_get_info(net, &in, err);
    if (st) return st;
    const network_view *v = &net->v;
    char d0[16], d1[16];
    tc_format_date(in.service_start, d0);
    tc_format_date(in.service_end, d1);
    cJSON *o = cJSON_CreateObject();
    if (!o) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    cJSON_AddNumberToObject(o, "format_version", in.format_version);
    cJSON_AddNumberToObject(o, "file_size", (double)in.file_size);
    cJSON_AddNumberToObject(o, "stops", in.stops);
    cJSON_AddNumberToObject(o, "routes", in.routes);
    cJSON_AddNumberToObject(o, "patterns", in.patterns);
    cJSON_AddNumberToObject(o, "trips", in.trips);
    cJSON_AddNumberToObject(o, "stop_times", (double)in.stop_times);
    cJSON_AddNumberToObject(o, "frequency_templates", in.frequency_templates);
    cJSON_AddNumberToObject(o, "frequencies", v->n_frequencies);
    cJSON_AddNumberToObject(o, "transfers", in.transfers);
    cJSON_AddNumberToObject(o, "transfer_rules", v->n_transfer_rules);
    cJSON_AddNumberToObject(o, "trips_without_service", in.trips_without_service);
    cJSON_AddNumberToObject(o, "agencies", in.agencies);
    if (v->n_days) { /* a street-only network has no service dates */
        cJSON_AddStringToObject(o, "service_start", d0);
        cJSON_AddStringToObject(o, "service_end", d1);
    } else {
        cJSON_AddNullToObject(o, "service_start");
        cJSON_AddNullToObject(o, "service_end");
    }
    cJSON_AddNumberToObject(o, "service_days", v->n_days);
    cJSON *bb = cJSON_AddArrayToObject(o, "bbox");
    for (int i = 0; i < 4; i++) cJSON_AddItemToArray(bb, cJSON_CreateNumber(in.bbox[i]));
    cJSON_AddStringToObject(o, "timezone", net_str(v, v->timezone_str));
    cJSON_AddBoolToObject(o, "straight_line_walking", in.straight_line_walking);
    cJSON_AddNumberToObject(o, "straight_line_detour", in.straight_line_detour);
    cJSON_AddNumberToObject(o, "transfer_radius_m", in.transfer_radius_m);
    cJSON_AddNumberToObject(o, "walk_speed_mps", v->walk_speed_mps);
    cJSON_AddNumberToObject(o, "street_nodes", in.street_nodes);
    cJSON_AddNumberToObject(o, "street_edges", in.street_edges);
    cJSON_AddBoolToObject(o, "street_elevation", in.street_elevation);
    cJSON *fa = cJSON_AddArrayToObject(o, "feeds");
    for (uint32_t i = 0; i < v->n_feeds; i++) {
        const net_feed *f = &v->feeds[i];
        cJSON *fo = cJSON_CreateObject();
        cJSON_AddItemToArray(fa, fo);
        cJSON_AddStringToObject(fo, "name", net_str(v, f->name_str));
        cJSON_AddStringToObject(fo, "timezone", net_str(v, f->timezone_str));
        cJSON_AddNumberToObject(fo, "tz_shift_s", f->tz_shift_s);
        cJSON_AddNumberToObject(fo, "stops", f->n_stops);
        cJSON_AddNumberToObject(fo, "routes", f->n_routes);
        cJSON_AddNumberToObject(fo, "trips", f->n_trips);
        cJSON_AddNumberToObject(fo, "stop_times", (double)f->n_stop_times);
        cJSON_AddNumberToObject(fo, "frequency_templates", f->n_frequency_templates);
        cJSON_AddNumberToObject(fo, "transfer_rules", f->n_transfer_rules);
        tc_format_date(f->first_day, d0);
        tc_format_date(f->n_days ? f->first_day + (int32_t)f->n_days - 1 : f->first_day, d1);
        cJSON_AddStringToObject(fo, "service_start", d0);
        cJSON_AddStringToObject(fo, "service_end", d1);
        cJSON *rows = cJSON_AddObjectToObject(fo, "rows_read");
        cJSON_AddNumberToObject(rows, "stops", (double)f->rows_stops);
        cJSON_AddNumberToObject(rows, "routes", (double)f->rows_routes);
        cJSON_AddNumberToObject(rows, "trips", (double)f->rows_trips);
        cJSON_AddNumberToObject(rows, "stop_times", (double)f->rows_stop_times);
        cJSON_AddNumberToObject(rows, "frequencies", (double)f->rows_frequencies);
        cJSON_AddNumberToObject(rows, "transfers", (double)f->rows_transfers);
        cJSON_AddNumberToObject(fo, "trips_dropped", (double)f->trips_dropped);
        cJSON_AddNumberToObject(fo, "stop_times_dropped", (double)f->stop_times_dropped);
        cJSON *ag = cJSON_AddArrayToObject(fo, "agencies");
        for (uint32_t a = f->agency_begin; a < f->agency_begin + f->n_agencies; a++)
            cJSON_AddItemToArray(ag, cJSON_CreateString(net_str(v, v->agencies[a].name_str)));
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    /* cJSON allocates with malloc (its default hooks), so tc_free (free) releases it */
    *json_out = s;
    return TC_OK;
}

/* Binary search of (feed, id) in one of the id indices. kind: 0 stops, 1 routes, 2 trips. */
static int find_in_feed(const network_view *v, int kind, uint32_t feed, const char *id, uint32_t *out) {
    const uint32_t *index = kind == 0 ? v->stop_id_index : kind == 1 ? v->route_id_index : v->trip_id_index;
    uint32_t n = kind == 0 ? v->n_stops : kind == 1 ? v->n_routes : v->n_trips;
#define REC(i, f, s)                                                                                                 \
    do {                                                                                                             \
        if (kind == 0) f = v->stops[i].feed, s = v->stops[i].id_str;                                                 \
        else if (kind == 1) f = v->routes[i].feed, s = v->routes[i].id_str;                                          \
        else f = v->trips[i].feed, s = v->trips[i].id_str;                                                           \
    } while (0)
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, f, sid;
        REC(index[mid], f, sid);
        int c = f != feed ? (f < feed ? -1 : 1) : strcmp(net_str(v, sid), id);
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    if (lo < n) {
        uint32_t f, sid;
        REC(index[lo], f, sid);
        if (f == feed && !strcmp(net_str(v, sid), id)) {
            *out = index[lo];
            return 1;
        }
    }
#undef REC
    return 0;
}

static tc_status find_id(const network_view *v, int kind, const char *id, uint32_t *out, tc_error *err) {
    static const char *what[] = {"stop", "route", "trip"};
    if (!id) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "no %s id", what[kind]);
    if (v->n_feeds == 1 && find_in_feed(v, kind, 0, id, out)) return TC_OK;
    for (uint32_t f = 0; f < v->n_feeds; f++) {
        const char *name = net_str(v, v->feeds[f].name_str);
        size_t n = strlen(name);
        if (!strncmp(id, name, n) && id[n] == ':' && find_in_feed(v, kind, f, id + n + 1, out)) return TC_OK;
    }
    if (v->n_feeds > 1 && !strchr(id, ':'))
        return error_set(err, TC_ERR_NOT_FOUND, NULL, 0, 0,
                         "unknown %s \"%s\": this network has %u feeds, name it as FEED:%s_id", what[kind], id,
                         v->n_feeds, what[kind]);
    return error_set(err, TC_ERR_NOT_FOUND, NULL, 0, 0, "unknown %s \"%s\"", what[kind], id);
}

tc_status tc_network_find_stop(const tc_network *net, const char *id, uint32_t *stop_out, tc_error *err) {
    if (!net) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "no network");
    return find_id(&net->v, 0, id, stop_out, err);
}

tc_status net_find_route(const network_view *v, const char *id, uint32_t *route_out, tc_error *err) {
    return find_id(v, 1, id, route_out, err);
}

tc_status net_transfers_by_end(const network_view *v, uint32_t **begin_out, uint32_t **pairs_out) {
    const uint32_t S = v->n_stops;
    uint32_t *begin = calloc((size_t)S + 2, sizeof(uint32_t));
    uint32_t *pairs = malloc(((size_t)v->n_transfers + 1) * 2 * sizeof(uint32_t));
    *begin_out = *pairs_out = NULL;
    if (!begin || !pairs) {
        free(begin);
        free(pairs);
        return TC_ERR_NO_MEMORY;
    }
    for (uint32_t x = 0; x < S; x++)
        for (uint32_t e = v->transfer_begin[x]; e < v->transfer_begin[x + 1]; e++) {
            const uint32_t y = v->transfers[e].to_stop;
            if (y < S && y != x) begin[y + 2]++;
        }
    for (uint32_t y = 0; y < S; y++) begin[y + 2] += begin[y + 1];
    for (uint32_t x = 0; x < S; x++)
        for (uint32_t e = v->transfer_begin[x]; e < v->transfer_begin[x + 1]; e++) {
            const uint32_t y = v->transfers[e].to_stop;
            if (y >= S || y == x) continue;
            const uint32_t at = begin[y + 1]++;
            pairs[2 * at] = x;
            pairs[2 * at + 1] = e;
        }
    *begin_out = begin;
    *pairs_out = pairs;
    return TC_OK;
}

tc_status net_find_trip(const network_view *v, const char *id, uint32_t *trip_out, tc_error *err) {
    return find_id(v, 2, id, trip_out, err);
}

size_t net_format_id(const network_view *v, uint16_t feed, uint32_t id_str, char *buf, size_t size) {
    if (feed < v->n_feeds)
        return (size_t)snprintf(buf, size, "%s:%s", net_str(v, v->feeds[feed].name_str), net_str(v, id_str));
    return (size_t)snprintf(buf, size, "%s", net_str(v, id_str));
}
