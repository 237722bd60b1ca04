/*
 * test_sketch_default.c — the shipped Chang-Zhu-Tan sketch (data/changzhutan/network.sketch.json) against the facts
 * it was encoded from: metro stations in the order and at the places of ../shared/changzhutan/metro_stations.csv
 * and every intercity, high-speed and conventional train of rail_calls_2020.csv with its times (both read here,
 * independently of the generator), interchanges shared, the 2022 intercity level, headways, and assumptions
 * marked. Skips (77) when the facts folder is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/geo.h"
#include "common/timeutil.h"
#include "sketch/sketch.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char g_sketch[4400], g_csv[4400], g_dir[4096];
static gtfs_feed *g_feed;

typedef struct csv_row {
    char line[64], zh[128];
    int seq;
    double lat, lon;
} csv_row;
static csv_row g_rows[400];
static size_t g_n_rows;

static int read_csv(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char buf[1024];
    if (!fgets(buf, sizeof buf, f)) {
        fclose(f);
        return -1;
    }
    while (fgets(buf, sizeof buf, f) && g_n_rows < 400) {
        /* line,seq,station_zh,station_pinyin,lat,lon,interchange — no quoted fields in this file. */
        char *fld[8] = {0};
        int n = 0;
        for (char *p = buf, *s; n < 8 && (s = strsep(&p, ",\r\n"));) fld[n++] = s;
        if (n < 7) continue;
        csv_row *r = &g_rows[g_n_rows++];
        snprintf(r->line, sizeof r->line, "%s", fld[0]);
        r->seq = atoi(fld[1]);
        snprintf(r->zh, sizeof r->zh, "%s", fld[2]);
        r->lat = atof(fld[4]);
        r->lon = atof(fld[5]);
    }
    fclose(f);
    return 0;
}

static const char *route_of_line(const char *line) {
    static char buf[32];
    if (!strncmp(line, "Line ", 5)) {
        snprintf(buf, sizeof buf, "metro_%s", line + 5);
        return buf;
    }
    if (strstr(line, "Maglev")) return "maglev";
    return NULL;
}

static int32_t trip(const char *id) {
    for (size_t i = 0; i < g_feed->n_trips; i++)
        if (!strcmp(g_feed->trips[i].id, id)) return (int32_t)i;
    return -1;
}

static int32_t stop_id(const char *id) {
    for (size_t i = 0; i < g_feed->n_stops; i++)
        if (!strcmp(g_feed->stops[i].id, id)) return (int32_t)i;
    return -1;
}

static int32_t route_idx(const char *id) {
    for (size_t i = 0; i < g_feed->n_routes; i++)
        if (!strcmp(g_feed->routes[i].id, id)) return (int32_t)i;
    return -1;
}

/* Seconds from departing the stop named a to arriving at the stop named b on trip t (-1 if absent). */
static int32_t ride(int32_t t, const char *a, const char *b) {
    const gtfs_trip *tr = &g_feed->trips[t];
    int32_t dep = -1;
    for (uint32_t i = 0; i < tr->st_count; i++) {
        const gtfs_stop_time *s = &g_feed->stop_times[tr->st_begin + i];
        const char *name = g_feed->stops[s->stop].name;
        if (dep < 0 && !strcmp(name, a)) dep = s->departure;
        else if (dep >= 0 && !strcmp(name, b)) return s->arrival - dep;
    }
    return -1;
}

static int warnings;
static void on_finding(void *u, const tc_finding *f) {
    (void)u;
    fprintf(stderr, "finding: %s: %s\n", f->code, f->message);
    warnings++;
}

static int setup(void **state) {
    (void)state;
    diag_log diag = {.fn = on_finding, .user = NULL};
    tc_error err = {0};
    tc_status st = sketch_read(g_sketch, NULL, &diag, &g_feed, &err);
    if (st) fprintf(stderr, "%s:%ld:%ld: %s\n", err.file, err.line, err.column, err.message);
    return st == TC_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    sketch_feed_free(g_feed);
    return 0;
}

static void test_no_warnings(void **state) {
    (void)state;
    assert_int_equal(warnings, 0);
    assert_string_equal(g_feed->name, "changzhutan");
    assert_string_equal(g_feed->timezone, "Asia/Shanghai");
}

/* Every metro/maglev line's stations, in order, named and placed as in metro_stations.csv, both directions. */
static void test_metro_stations_in_order(void **state) {
    (void)state;
    size_t lines_checked = 0;
    for (size_t i = 0; i < g_n_rows;) {
        size_t j = i;
        while (j < g_n_rows && !strcmp(g_rows[j].line, g_rows[i].line)) j++;
        const char *rid = route_of_line(g_rows[i].line);
        assert_non_null(rid);
        char id[64];
        snprintf(id, sizeof id, "%s.all.0.f", rid);
        int32_t t = trip(id);
        if (t < 0) fprintf(stderr, "no trip %s\n", id);
        assert_true(t >= 0);
        const gtfs_trip *tr = &g_feed->trips[t];
        assert_int_equal(tr->st_count, j - i);
        snprintf(id, sizeof id, "%s.all.1.f", rid);
        int32_t tb = trip(id);
        assert_true(tb >= 0);
        assert_int_equal(g_feed->trips[tb].st_count, j - i);
        for (size_t k = i; k < j; k++) {
            assert_int_equal(g_rows[k].seq, (int)(k - i + 1)); /* the CSV is in line order */
            const gtfs_stop *s = &g_feed->stops[g_feed->stop_times[tr->st_begin + (k - i)].stop];
            if (strcmp(s->name, g_rows[k].zh)) fprintf(stderr, "%s #%zu: %s vs %s\n", rid, k - i, s->name, g_rows[k].zh);
            assert_string_equal(s->name, g_rows[k].zh);
            assert_true(haversine_m(s->lat, s->lon, g_rows[k].lat, g_rows[k].lon) < 1.0);
            /* Backward trip: same stops reversed. */
            const gtfs_stop_time *sb = &g_feed->stop_times[g_feed->trips[tb].st_begin + (j - 1 - k)];
            assert_int_equal(sb->stop, g_feed->stop_times[tr->st_begin + (k - i)].stop);
        }
        lines_checked++;
        i = j;
    }
    assert_int_equal(lines_checked, 7); /* Lines 1–6 and the maglev */
    assert_int_equal(g_n_rows, 161);
}

/* A station on several lines is one stop (same name) or stops under one parent (a hub). */
static void test_interchanges_shared(void **state) {
    (void)state;
    size_t shared = 0;
    for (size_t i = 0; i < g_n_rows; i++)
        for (size_t k = i + 1; k < g_n_rows; k++) {
            if (strcmp(g_rows[i].zh, g_rows[k].zh) || !strcmp(g_rows[i].line, g_rows[k].line)) continue;
            int32_t a = -1, b = -1;
            for (size_t s = 0; s < g_feed->n_stops; s++) {
                const gtfs_stop *x = &g_feed->stops[s];
                if (x->location_type || strcmp(x->name, g_rows[i].zh)) continue;
                if (haversine_m(x->lat, x->lon, g_rows[i].lat, g_rows[i].lon) < 1) a = (int32_t)s;
                if (haversine_m(x->lat, x->lon, g_rows[k].lat, g_rows[k].lon) < 1) b = (int32_t)s;
            }
            assert_true(a >= 0 && b >= 0);
            assert_int_equal(a, b);
            shared++;
        }
    assert_int_equal(shared, 161 - 143); /* FACTS.md: 161 rows, 143 distinct stations */
    /* Mode interchanges share a parent station. */
    static const char *const groups[][3] = {
        {"czt_changsha", "m_changsha_huochezhan", NULL},
        {"hsr_changsha_south", "m_changsha_huoche_nanzhan", "m_cifu_gaotie_zhan"},
        {"m_huanghua_jichang_t1t2", "m_cifu_jichang_zhan", NULL},
        {"hsr_xiangtan_north", "m_xiangtan_beizhan", NULL},
        {"czt_shumuling", "m_shumuling", NULL},
        {"czt_kaifusi", "m_kaifusi", NULL},
        {"czt_guanshaling", "m_guanshaling", NULL},
    };
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        int32_t first = stop_id(groups[g][0]);
        assert_true(first >= 0);
        int32_t parent = g_feed->stops[first].parent;
        assert_true(parent >= 0);
        assert_int_equal(g_feed->stops[parent].location_type, 1);
        for (int k = 1; k < 3 && groups[g][k]; k++) {
            int32_t s = stop_id(groups[g][k]);
            if (s < 0) fprintf(stderr, "no stop %s\n", groups[g][k]);
            assert_true(s >= 0);
            assert_int_equal(g_feed->stops[s].parent, parent);
            /* a stated transfer time links the two platforms */
            int found = 0;
            for (size_t x = 0; x < g_feed->n_transfers; x++)
                if (g_feed->transfers[x].from_stop == first && g_feed->transfers[x].to_stop == s &&
                    g_feed->transfers[x].type == 2 && g_feed->transfers[x].min_transfer_time > 0)
                    found = 1;
            assert_true(found);
        }
    }
}

/* rail_calls_2020.csv, read here independently of the generator: station, train, type, call, origin, terminus,
 * arrival, departure (minutes, -1 for "-"). */
typedef struct rail_call {
    char station[32], train[16], origin[48], terminus[48];
    int arr, dep;
} rail_call;
static rail_call *g_calls;
static size_t g_n_calls;

static int hhmm(const char *s) {
    int h, m;
    return sscanf(s, "%d:%d", &h, &m) == 2 ? h * 60 + m : -1;
}

static int read_rail_calls(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char buf[512];
    g_calls = calloc(2000, sizeof *g_calls);
    if (!g_calls || !fgets(buf, sizeof buf, f)) {
        fclose(f);
        return -1;
    }
    while (fgets(buf, sizeof buf, f) && g_n_calls < 2000) {
        char *fld[8] = {0};
        int n = 0;
        for (char *p = buf, *x; n < 8 && (x = strsep(&p, ",\r\n"));) fld[n++] = x;
        if (n < 8) continue;
        rail_call *c = &g_calls[g_n_calls++];
        snprintf(c->station, sizeof c->station, "%s", fld[0]);
        snprintf(c->train, sizeof c->train, "%s", fld[1]);
        snprintf(c->origin, sizeof c->origin, "%s", fld[4]);
        snprintf(c->terminus, sizeof c->terminus, "%s", fld[5]);
        c->arr = hhmm(fld[6]);
        c->dep = hhmm(fld[7]);
    }
    fclose(f);
    return 0;
}

/* The stop_time of trip t at the stop named name, or NULL. */
static const gtfs_stop_time *call_at(int32_t t, const char *name) {
    const gtfs_trip *tr = &g_feed->trips[t];
    for (uint32_t i = 0; i < tr->st_count; i++) {
        const gtfs_stop_time *s = &g_feed->stop_times[tr->st_begin + i];
        if (!strcmp(g_feed->stops[s->stop].name, name)) return s;
    }
    return NULL;
}

/* The trip whose id ends in ".TRAIN" on a route whose id starts with prefix. */
static int32_t trip_of_train(const char *prefix, const char *train) {
    size_t n = strlen(train);
    for (size_t i = 0; i < g_feed->n_trips; i++) {
        const char *id = g_feed->trips[i].id, *rid = g_feed->routes[g_feed->trips[i].route].id;
        size_t k = strlen(id);
        if (!strncmp(rid, prefix, strlen(prefix)) && k > n && id[k - n - 1] == '.' && !strcmp(id + k - n, train))
            return (int32_t)i;
    }
    return -1;
}

/* A CSV call's times equal the stop_time's of trip t (minutes of the day: a feed time may pass 24:00). A missing
 * CSV arrival or departure ("-") is the other one; where the trip starts (ends) only the departure (arrival) is
 * compared: a train running on beyond the model ends there. */
static void same_times(const rail_call *c, int32_t t, const char *name) {
    const gtfs_stop_time *s = call_at(t, name);
    if (!s) fprintf(stderr, "%s: no call at %s\n", c->train, name);
    assert_non_null(s);
    const gtfs_trip *tr = &g_feed->trips[t];
    int first = s == &g_feed->stop_times[tr->st_begin], last = s == &g_feed->stop_times[tr->st_begin + tr->st_count - 1];
    int arr = c->arr >= 0 ? c->arr : c->dep, dep = c->dep >= 0 ? c->dep : c->arr;
    int f_arr = (s->arrival / 60) % 1440, f_dep = (s->departure / 60) % 1440;
    if ((!first && f_arr != arr) || (!last && f_dep != dep))
        fprintf(stderr, "%s at %s: CSV %d/%d, feed %d/%d\n", c->train, c->station, arr, dep, f_arr, f_dep);
    if (!first) assert_int_equal(f_arr, arr);
    if (!last) assert_int_equal(f_dep, dep);
}

/* The intercity: every Chang-Zhu-Tan train of rail_calls_2020.csv (at 长沙 and 湘潭) is a trip with the CSV's times
 * there; 麓谷 and 株洲 are stations, 九郎山 is not; the Zhuzhou branch has 52 trains each way (2022 level), at least 95
 * leave 长沙站 toward 暮云, none more than 15 min apart 07:00–09:00; all-stop trains take 45–60 min to 湘潭. */
static void test_intercity(void **state) {
    (void)state;
    int32_t r_zz = route_idx("czt_zhuzhou"), r_xt = route_idx("czt_xiangtan");
    assert_true(r_zz >= 0 && r_xt >= 0 && route_idx("czt_lugu") >= 0);
    assert_true(stop_id("czt_lugu") >= 0 && stop_id("czt_zhuzhou") >= 0);
    for (size_t i = 0; i < g_feed->n_stops; i++) assert_null(strstr(g_feed->stops[i].name, "九郎山"));
    size_t checked = 0;
    for (size_t i = 0; i < g_n_calls; i++) {
        const rail_call *c = &g_calls[i];
        if (c->train[0] != 'C') continue;
        int ends_here = !strcmp(c->origin, "湘潭") || !strcmp(c->origin, "大丰") || !strcmp(c->terminus, "湘潭") ||
                        !strcmp(c->terminus, "大丰") ||
                        (!strcmp(c->origin, "长沙") && !strcmp(c->terminus, "麓谷")) ||
                        (!strcmp(c->origin, "麓谷") && !strcmp(c->terminus, "长沙"));
        if (!ends_here) continue; /* trains of other lines (长沙–张家界西 ...) */
        int32_t t = trip_of_train("czt_", c->train);
        if (t < 0) fprintf(stderr, "no trip for %s\n", c->train);
        assert_true(t >= 0);
        same_times(c, t, !strcmp(c->station, "长沙") ? "长沙站" : c->station);
        checked++;
    }
    assert_int_equal(checked, 203 - 46 + 121); /* all but the 46 calls at 长沙 of trains of other lines only */
    int32_t south[400];
    size_t n_south = 0, zz_dir[2] = {0, 0}, allstop = 0;
    for (size_t t = 0; t < g_feed->n_trips; t++) {
        const gtfs_trip *tr = &g_feed->trips[t];
        if (tr->route != r_zz && tr->route != r_xt) continue;
        /* every trip calls at 长沙站 (expresses: only at the CSV's stations, 长沙 and 湘潭) */
        const gtfs_stop_time *cs = call_at((int32_t)t, "长沙站"), *mu = call_at((int32_t)t, "暮云");
        assert_non_null(cs);
        if (tr->direction_id == 0 && mu) {
            assert_true(cs->departure < mu->arrival);
            south[n_south++] = cs->departure;
        }
        if (tr->route == r_zz && call_at((int32_t)t, "株洲南") && call_at((int32_t)t, "株洲")) zz_dir[tr->direction_id]++;
        if (tr->route == r_xt && tr->direction_id == 0 && !strstr(tr->id, ".express.")) {
            assert_non_null(call_at((int32_t)t, "昭山")); /* all stations */
            int32_t secs = ride((int32_t)t, "长沙站", "湘潭");
            assert_in_range(secs, 45 * 60, 60 * 60);
            allstop++;
        }
    }
    assert_true(n_south >= 95);
    assert_int_equal(zz_dir[0], 52);
    assert_int_equal(zz_dir[1], 52);
    assert_int_equal(allstop, 59 - 2); /* the 2020 trains to 湘潭 but the 2 expresses (41 min) */
    /* sort the departures and find the largest gap in the morning peak */
    for (size_t i = 1; i < n_south; i++)
        for (size_t k = i; k > 0 && south[k] < south[k - 1]; k--) {
            int32_t x = south[k];
            south[k] = south[k - 1];
            south[k - 1] = x;
        }
    int32_t gap = 0;
    for (size_t i = 0; i + 1 < n_south; i++)
        if (south[i + 1] > 7 * 3600 && south[i] < 9 * 3600 && south[i + 1] - south[i] > gap) /* overlaps the peak */
            gap = south[i + 1] - south[i];
    assert_in_range(gap, 1, 15 * 60);
    /* No frequency rows for the intercity: its trains are a timetable. */
    for (size_t i = 0; i < g_feed->n_frequencies; i++) {
        int32_t r = g_feed->trips[g_feed->frequencies[i].trip].route;
        assert_true(r != r_zz && r != r_xt);
    }
}

/* Every G/D train of the CSV calling at 长沙南 and 株洲西 (or 湘潭北) is a trip with the CSV's times at both, and every
 * K/T/Z train between two of 长沙, 株洲, 湘潭 too. */
static void test_rail_from_timetable(void **state) {
    (void)state;
    size_t n_zzw = 0, n_xtn = 0, n_conv = 0;
    for (size_t i = 0; i < g_n_calls; i++) {
        const rail_call *c = &g_calls[i];
        const char *model = NULL, *prefix = NULL;
        if ((c->train[0] == 'G' || c->train[0] == 'D') &&
            (!strcmp(c->station, "株洲西") || !strcmp(c->station, "湘潭北"))) {
            model = c->station;
            prefix = !strcmp(c->station, "株洲西") ? "hsr_zhuzhou" : "hsr_xiangtan";
            if (!strcmp(c->station, "株洲西")) n_zzw++;
            else n_xtn++;
        } else if (strchr("KTZ", c->train[0])) {
            /* a conventional train is modelled when it calls at two of the three stations */
            int n = 0;
            for (size_t k = 0; k < g_n_calls; k++)
                if (!strcmp(g_calls[k].train, c->train) &&
                    (!strcmp(g_calls[k].station, "长沙") || !strcmp(g_calls[k].station, "株洲") ||
                     !strcmp(g_calls[k].station, "湘潭")))
                    n++;
            if (n < 2) continue;
            model = !strcmp(c->station, "长沙") ? "长沙站(普速)" : !strcmp(c->station, "株洲") ? "株洲站(普速)"
                                                                                             : "湘潭站(普速)";
            prefix = "rail_";
            n_conv++;
        } else {
            continue;
        }
        int32_t t = trip_of_train(prefix, c->train);
        if (t < 0) fprintf(stderr, "no trip for %s\n", c->train);
        assert_true(t >= 0);
        same_times(c, t, model);
    }
    assert_int_equal(n_zzw, 96);
    assert_int_equal(n_xtn, 69);
    assert_int_equal(n_conv, 2 * (34 + 19 + 6));
    /* 长沙南 → 株洲西 southbound 15 min, 长沙南 → 湘潭北 13–14 (FACTS.md) */
    int32_t t = trip_of_train("hsr_zhuzhou", "G6021");
    if (t >= 0 && g_feed->trips[t].direction_id == 0) assert_in_range(ride(t, "长沙南", "株洲西"), 13 * 60, 20 * 60);
}

static int32_t headway_at(const char *trip_id, int32_t t) {
    int32_t tr = trip(trip_id);
    for (size_t i = 0; i < g_feed->n_frequencies; i++) {
        const gtfs_frequency *q = &g_feed->frequencies[i];
        if (q->trip == tr && t >= q->start_time && t < q->end_time) return q->headway_secs;
    }
    return -1;
}

/* FACTS.md: high-speed 14 / 15 + 10 / 23 min; maglev 20 min every 15; metro 4 / 6 min peak, about double
 * off-peak, 06:30–23:00, about 35 km/h. */
static void test_hsr_maglev_metro(void **state) {
    (void)state;
    assert_int_equal(ride(trip("hsr_shaoshan.all.0.f"), "长沙南", "湘潭北"), 14 * 60);
    assert_int_equal(ride(trip("hsr_shaoshan.all.0.f"), "湘潭北", "韶山南"), 10 * 60);
    assert_int_equal(ride(trip("hsr_shaoshan.all.1.f"), "韶山南", "湘潭北"), 10 * 60);
    assert_int_equal(ride(trip("hsr_liling.all.0.f"), "长沙南", "醴陵东"), 23 * 60);
    assert_int_equal(headway_at("hsr_liling.all.1.f", 12 * 3600), 60 * 60);
    assert_in_range(ride(trip("maglev.all.0.f"), "磁浮机场站", "磁浮高铁站"), 19 * 60, 21 * 60);
    assert_int_equal(headway_at("maglev.all.0.f", 12 * 3600), 15 * 60);
    static const struct {
        const char *trip;
        int peak_min;
    } m[] = {{"metro_1.all.0.f", 4}, {"metro_2.all.1.f", 4}, {"metro_3.all.0.f", 6},
             {"metro_4.all.0.f", 6}, {"metro_5.all.1.f", 6}, {"metro_6.all.0.f", 6}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        assert_int_equal(headway_at(m[i].trip, 8 * 3600), m[i].peak_min * 60);
        assert_int_equal(headway_at(m[i].trip, 18 * 3600), m[i].peak_min * 60);
        assert_int_equal(headway_at(m[i].trip, 12 * 3600), 2 * m[i].peak_min * 60);
        assert_int_equal(headway_at(m[i].trip, 6 * 3600 + 30 * 60), 2 * m[i].peak_min * 60);
        assert_int_equal(headway_at(m[i].trip, 6 * 3600 + 29 * 60), -1);
        assert_int_equal(headway_at(m[i].trip, 23 * 3600), -1);
        /* Average speed end to end over the straight line: below FACTS' 35 km/h along the track, above 25. */
        const gtfs_trip *tr = &g_feed->trips[trip(m[i].trip)];
        double km = 0;
        for (uint32_t k = 0; k + 1 < tr->st_count; k++) {
            const gtfs_stop *a = &g_feed->stops[g_feed->stop_times[tr->st_begin + k].stop];
            const gtfs_stop *b = &g_feed->stops[g_feed->stop_times[tr->st_begin + k + 1].stop];
            km += haversine_m(a->lat, a->lon, b->lat, b->lon) / 1000;
        }
        double h = (g_feed->stop_times[tr->st_begin + tr->st_count - 1].arrival -
                    g_feed->stop_times[tr->st_begin].departure) / 3600.0;
        assert_true(km / h > 25 && km / h < 35);
    }
    /* Every service day of 2026 is served. */
    int32_t day = days_from_civil(2026, 6, 1);
    assert_true(gtfs_service_active(g_feed, g_feed->trips[0].service, day));
}

/* Figures that are not in FACTS.md as confirmed carry "assumed": true and a "source". */
static void test_assumptions_marked(void **state) {
    (void)state;
    FILE *f = fopen(g_sketch, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    cJSON *root = cJSON_Parse(buf);
    assert_non_null(root);
    /* Confirmed sites of FACTS.md (intercity / high-speed stations that share sites). */
    static const double confirmed[][2] = {{28.19697, 113.00533}, {28.15929, 113.01439}, {28.22587, 112.97400},
                                          {28.23404, 112.94701}, {28.15008, 113.05939}, {27.96667, 112.93778},
                                          {27.79414, 113.06214}}; /* the last: 株洲西, zh.wikipedia */
    size_t estimated = 0;
    const cJSON *lines = cJSON_GetObjectItem(root, "lines"), *line;
    cJSON_ArrayForEach(line, lines) {
        const char *id = cJSON_GetObjectItem(line, "id")->valuestring;
        /* every line states its source; a line without a timetable from the CSV has assumed service */
        assert_true(cJSON_IsString(cJSON_GetObjectItem(line, "source")));
        if (!cJSON_GetObjectItem(line, "trips") && !cJSON_GetObjectItem(line, "patterns"))
            assert_true(cJSON_IsTrue(cJSON_GetObjectItem(line, "assumed")));
        if (!strncmp(id, "metro_", 6) || !strcmp(id, "maglev")) continue;
        if (!strncmp(id, "bus_", 4)) { /* bus corridors: every stop placed here is an estimate */
            const cJSON *b;
            cJSON_ArrayForEach(b, cJSON_GetObjectItem(line, "stations")) {
                if (!cJSON_GetObjectItem(b, "lat")) continue;
                assert_true(cJSON_IsTrue(cJSON_GetObjectItem(b, "assumed")));
                assert_true(cJSON_IsString(cJSON_GetObjectItem(b, "source")));
            }
            continue;
        }
        const cJSON *s;
        cJSON_ArrayForEach(s, cJSON_GetObjectItem(line, "stations")) {
            const cJSON *lat = cJSON_GetObjectItem(s, "lat"), *lon = cJSON_GetObjectItem(s, "lon");
            if (!lat) continue; /* a reference */
            int is_confirmed = 0;
            for (size_t k = 0; k < 7; k++)
                if (haversine_m(lat->valuedouble, lon->valuedouble, confirmed[k][0], confirmed[k][1]) < 1)
                    is_confirmed = 1;
            if (!is_confirmed) {
                estimated++;
                assert_true(cJSON_IsTrue(cJSON_GetObjectItem(s, "assumed")));
                assert_true(cJSON_IsString(cJSON_GetObjectItem(s, "source")));
            }
        }
    }
    assert_int_equal(estimated, 18 + 2 + 2); /* 18 intercity, 2 high-speed and 2 conventional stations estimated */
    cJSON_Delete(root);
    /* The README names the assumptions. */
    char readme[4200];
    snprintf(readme, sizeof readme, "%s/README.md", g_dir);
    f = fopen(readme, "rb");
    assert_non_null(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    assert_non_null(strstr(buf, "assumed"));
    assert_non_null(strstr(buf, "FACTS.md"));
}

/* places.csv and cores.csv: the report's places with FACTS.md's coordinates. */
static void test_places(void **state) {
    (void)state;
    char path[4200], buf[512];
    snprintf(path, sizeof path, "%s/places.csv", g_dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    assert_int_equal(strncmp(buf, "id,name,name_zh,lat,lon,", 24), 0);
    size_t n = 0, cores = 0, counties = 0;
    int wuyi = 0, airport = 0;
    while (fgets(buf, sizeof buf, f)) {
        char *p = buf, *fld[8];
        int k = 0;
        while (k < 8 && (fld[k] = strsep(&p, ","))) k++;
        assert_true(k >= 7);
        double lat = atof(fld[3]), lon = atof(fld[4]);
        assert_true(lat > 27.5 && lat < 28.5 && lon > 112.4 && lon < 113.7);
        if (!strcmp(fld[5], "core")) cores++;
        if (!strcmp(fld[5], "county_seat")) counties++;
        if (!strcmp(fld[0], "changsha")) wuyi = haversine_m(lat, lon, 28.19875, 112.97090) < 1;
        if (!strcmp(fld[0], "airport")) airport = haversine_m(lat, lon, 28.19411, 113.21228) < 1;
        n++;
    }
    fclose(f);
    assert_int_equal(cores, 3);
    assert_int_equal(counties, 9);
    assert_true(wuyi && airport);
    assert_int_equal(n, 13);
    snprintf(path, sizeof path, "%s/cores.csv", g_dir);
    f = fopen(path, "r");
    assert_non_null(f);
    n = 0;
    while (fgets(buf, sizeof buf, f)) n++;
    fclose(f);
    assert_int_equal(n, 4);
}

int main(void) {
    const char *src = getenv("TC_SRC"), *data = getenv("TC_DATA");
    if (!src || !data) {
        printf("TC_SRC / TC_DATA not set: skipped\n");
        return 77;
    }
    snprintf(g_dir, sizeof g_dir, "%.4000s/data/changzhutan", src);
    snprintf(g_sketch, sizeof g_sketch, "%s/network.sketch.json", g_dir);
    snprintf(g_csv, sizeof g_csv, "%.4000s/../changzhutan/rail_calls_2020.csv", data);
    if (read_rail_calls(g_csv)) {
        printf("%s absent: skipped\n", g_csv);
        return 77;
    }
    snprintf(g_csv, sizeof g_csv, "%.4000s/../changzhutan/metro_stations.csv", data);
    if (read_csv(g_csv)) {
        printf("%s absent: skipped\n", g_csv);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_warnings),        cmocka_unit_test(test_metro_stations_in_order),
        cmocka_unit_test(test_interchanges_shared), cmocka_unit_test(test_intercity),
        cmocka_unit_test(test_hsr_maglev_metro),    cmocka_unit_test(test_assumptions_marked),
        cmocka_unit_test(test_places),             cmocka_unit_test(test_rail_from_timetable),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    free(g_calls);
    return rc;
}
