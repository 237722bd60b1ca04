/*
 * test_network_real.c — the builder on real feeds from $TC_DATA, checked record by record against the parsed feed
 * it was built from (gtfs_feed_read): every trip is found by its id with its route, its stop sequence, its
 * pickup/drop-off flags and its times (shifted by the feed's timezone difference; relative to the first departure
 * for frequency templates, whose frequencies.txt rows must all be there), active on exactly the dates its service
 * is active; every transfers.txt rule is there in network indices; patterns never overtake; the stop → pattern
 * index and the walking transfers are consistent (symmetric, within the radius, straight line × detour).
 * Feeds: frequencies + after-midnight + two agencies (sample-gtfs-feed), transfers.txt (nyc subway, terre-haute),
 * all-frequency (cdmx), and two of them in one network with different timezones.
 * Skipped (77) when $TC_DATA is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/geo.h"
#include "gtfs/feed.h"
#include "network/builder.h"
#include "network/network.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char net_path[256];
static const char *data_dir;

static gtfs_feed *read_feed(const char *rel, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", data_dir, rel);
    gtfs_feed *f = NULL;
    tc_error err;
    diag_log diag = {0};
    tc_status st = gtfs_feed_read(path, name, &diag, &f, &err);
    if (st) fail_msg("cannot read %s: %s", path, err.message);
    return f;
}

static void check_feed(const tc_network *net, uint32_t fi, const gtfs_feed *f) {
    const network_view *v = &net->v;
    const net_feed *nf = &v->feeds[fi];
    assert_int_equal(nf->n_stops, f->n_stops);
    assert_int_equal(nf->n_trips, f->n_trips);
    int32_t shift = nf->tz_shift_s;
    /* frequencies per trip */
    uint32_t *nfreq = calloc(f->n_trips + 1, sizeof *nfreq);
    for (size_t k = 0; k < f->n_frequencies; k++)
        if (f->frequencies[k].headway_secs > 0) nfreq[f->frequencies[k].trip]++;
    char id[1024];
    for (size_t t = 0; t < f->n_trips; t++) {
        const gtfs_trip *gt = &f->trips[t];
        snprintf(id, sizeof id, "%s:%s", net_str(v, nf->name_str), gt->id);
        uint32_t nt;
        tc_error err;
        assert_int_equal(net_find_trip(v, id, &nt, &err), TC_OK);
        const net_trip *tr = &v->trips[nt];
        assert_int_equal(tr->feed, fi);
        assert_string_equal(net_str(v, v->routes[tr->route].id_str), f->routes[gt->route].id);
        for (int32_t d = v->service_start - 2; d < v->service_start + (int32_t)v->n_days + 2; d++)
            assert_int_equal(service_active(v, tr->service, d), gtfs_service_active(f, gt->service, d));
        if (gt->st_count == 0) {
            assert_int_equal(tr->pattern, TC_NONE);
            continue;
        }
        const net_pattern *p = &v->patterns[tr->pattern];
        assert_int_equal(p->n_stops, gt->st_count);
        const net_stop_time *tt = &v->stop_times[p->times_begin + (uint64_t)(nt - p->trips_begin) * p->n_stops];
        const gtfs_stop_time *gs = &f->stop_times[gt->st_begin];
        int freq = nfreq[t] > 0;
        assert_int_equal(!!(p->flags & TC_PATTERN_FREQUENCY), freq);
        int32_t base = freq ? gs[0].departure : -shift;
        for (uint32_t j = 0; j < gt->st_count; j++) {
            uint32_t s = v->pattern_stops[p->stops_begin + j];
            assert_int_equal(s, nf->stop_begin + (uint32_t)gs[j].stop);
            assert_int_equal(tt[j].arrival, gs[j].arrival - base);
            assert_int_equal(tt[j].departure, gs[j].departure - base);
            uint8_t fl = (uint8_t)((gs[j].pickup_type == 1 ? TC_NO_PICKUP : 0) |
                                   (gs[j].drop_off_type == 1 ? TC_NO_DROPOFF : 0));
            assert_int_equal(v->pattern_stop_flags[p->stops_begin + j], fl);
        }
        assert_int_equal(tr->freq_count, nfreq[t]);
        for (uint32_t q = 0; q < tr->freq_count; q++) {
            const net_frequency *nq = &v->frequencies[tr->freq_begin + q];
            if (q) assert_true(nq[-1].start_time <= nq->start_time);
            int found = 0;
            for (size_t k = 0; k < f->n_frequencies && !found; k++) {
                const gtfs_frequency *g = &f->frequencies[k];
                found = (size_t)g->trip == t && g->start_time + shift == nq->start_time &&
                        g->end_time + shift == nq->end_time && g->headway_secs == nq->headway_s;
            }
            assert_true(found);
        }
    }
    free(nfreq);
    /* transfers.txt: every rule, by ids */
    assert_int_equal(nf->n_transfer_rules, f->n_transfers);
    for (size_t k = 0; k < f->n_transfers; k++) {
        const gtfs_transfer *gx = &f->transfers[k];
        uint32_t from = gx->from_stop >= 0 ? nf->stop_begin + (uint32_t)gx->from_stop : TC_NONE;
        uint32_t to = gx->to_stop >= 0 ? nf->stop_begin + (uint32_t)gx->to_stop : TC_NONE;
        uint32_t b = from == TC_NONE ? v->transfer_rule_begin[v->n_stops] : v->transfer_rule_begin[from];
        uint32_t e = from == TC_NONE ? v->n_transfer_rules : v->transfer_rule_begin[from + 1];
        int found = 0;
        for (uint32_t r = b; r < e && !found; r++) {
            const net_transfer_rule *x = &v->transfer_rules[r];
            found = x->from_stop == from && x->to_stop == to && (int)x->type == gx->type &&
                    x->min_transfer_time == gx->min_transfer_time &&
                    (gx->from_route < 0 ? x->from_route == TC_NONE
                                        : x->from_route == nf->route_begin + (uint32_t)gx->from_route) &&
                    (gx->from_trip < 0 ? x->from_trip == TC_NONE
                                       : !strcmp(net_str(v, v->trips[x->from_trip].id_str), f->trips[gx->from_trip].id));
        }
        assert_true(found);
    }
}

static void check_structure(const network_view *v) {
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const net_pattern *pt = &v->patterns[p];
        if (pt->flags & TC_PATTERN_FREQUENCY) continue;
        for (uint32_t k = 0; k + 1 < pt->n_trips; k++) {
            const net_stop_time *a = &v->stop_times[pt->times_begin + (uint64_t)k * pt->n_stops];
            for (uint32_t j = 0; j < pt->n_stops; j++) {
                assert_true(a[j].arrival <= a[j + pt->n_stops].arrival);
                assert_true(a[j].departure <= a[j + pt->n_stops].departure);
            }
        }
    }
    uint64_t entries = 0;
    for (uint32_t s = 0; s < v->n_stops; s++) {
        for (uint32_t e = v->stop_pattern_begin[s]; e < v->stop_pattern_begin[s + 1]; e++) {
            const net_stop_pattern *sp = &v->stop_patterns[e];
            assert_int_equal(v->pattern_stops[v->patterns[sp->pattern].stops_begin + sp->position], s);
            entries++;
        }
        for (uint32_t e = v->transfer_begin[s]; e < v->transfer_begin[s + 1]; e++) {
            const net_transfer *x = &v->transfers[e];
            if (e > v->transfer_begin[s]) assert_true(x[-1].distance_m <= x->distance_m);
            assert_true(x->distance_m <= v->transfer_radius_m + 0.5);
            const net_stop *a = &v->stops[s], *b = &v->stops[x->to_stop];
            double d = haversine_m(from_e7(a->lat_e7), from_e7(a->lon_e7), from_e7(b->lat_e7),
                                   from_e7(b->lon_e7)) * v->straight_line_detour;
            assert_true(fabs(d - x->distance_m) < 1.5); /* coordinates rounded to 1e-7° in the file */
            int back = 0;
            for (uint32_t r = v->transfer_begin[x->to_stop]; r < v->transfer_begin[x->to_stop + 1] && !back; r++)
                back = v->transfers[r].to_stop == s;
            assert_true(back);
        }
    }
    assert_int_equal(entries, v->n_pattern_stops);
}

typedef struct checked {
    size_t trips, frequencies, transfer_rules, walking_transfers;
    int32_t max_shift;
} checked;

/* Build, open, compare; returns what was compared so that each test can insist it compared something. */
static checked build_check(const char **rel, const char **names, size_t n, double radius) {
    checked c = {0};
    gtfs_feed *feeds[4];
    for (size_t i = 0; i < n; i++) feeds[i] = read_feed(rel[i], names[i]);
    tc_build_options o;
    tc_build_options_init(&o);
    o.transfer_radius_m = radius;
    tc_error err;
    tc_status st = build_from_feeds(feeds, n, &o, NULL, net_path, &err);
    if (st) fail_msg("build: %s", err.message);
    tc_network *net = NULL;
    assert_int_equal(tc_network_open(net_path, &net, &err), TC_OK);
    check_structure(&net->v);
    for (size_t i = 0; i < n; i++) {
        check_feed(net, (uint32_t)i, feeds[i]);
        c.trips += feeds[i]->n_trips;
        c.frequencies += feeds[i]->n_frequencies;
        c.transfer_rules += feeds[i]->n_transfers;
        if (abs(net->v.feeds[i].tz_shift_s) > abs(c.max_shift)) c.max_shift = net->v.feeds[i].tz_shift_s;
    }
    c.walking_transfers = net->v.n_transfers;
    tc_network_close(net);
    for (size_t i = 0; i < n; i++) gtfs_feed_free(feeds[i]);
    unlink(net_path);
    return c;
}

static void test_sample_feed(void **state) {
    (void)state;
    const char *rel[] = {"feeds/sample-gtfs-feed/gtfs"}, *names[] = {"sample"};
    checked c = build_check(rel, names, 1, 1000);
    assert_true(c.trips > 0 && c.frequencies > 0 && c.transfer_rules > 0 && c.walking_transfers > 0);
}

static void test_transfers_feeds(void **state) {
    (void)state;
    const char *rel[] = {"feeds/nyc_subway_gtfs.zip"}, *names[] = {"nyc"};
    checked c = build_check(rel, names, 1, 300);
    assert_true(c.trips > 1000 && c.transfer_rules > 0 && c.walking_transfers > 0);
    const char *rel2[] = {"terre-haute/terre-haute-gtfs.zip"}, *names2[] = {"th"};
    c = build_check(rel2, names2, 1, 0);
    assert_true(c.trips > 100 && c.transfer_rules > 0);
    assert_int_equal(c.walking_transfers, 0); /* --transfer-radius 0 */
}

static void test_frequency_feed(void **state) {
    (void)state;
    const char *rel[] = {"feeds/cdmx.zip"}, *names[] = {"cdmx"};
    checked c = build_check(rel, names, 1, 200);
    assert_true(c.trips > 0 && c.frequencies >= c.trips);
}

static void test_two_timezones(void **state) {
    (void)state;
    const char *rel[] = {"feeds/caltrain.zip", "mmri/2c"}, *names[] = {"caltrain", "mmri"};
    checked c = build_check(rel, names, 2, 500);
    assert_true(c.max_shift != 0); /* Los Angeles vs Amsterdam */
}

int main(void) {
    data_dir = getenv("TC_DATA");
    if (!data_dir || access(data_dir, R_OK) != 0) {
        printf("TC_DATA not set or unreadable: skipped\n");
        return 77;
    }
    snprintf(net_path, sizeof net_path, "/tmp/tc_test_network_real_%ld.net", (long)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sample_feed),
        cmocka_unit_test(test_transfers_feeds),
        cmocka_unit_test(test_frequency_feed),
        cmocka_unit_test(test_two_timezones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
