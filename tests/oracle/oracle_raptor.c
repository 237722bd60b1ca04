/*
 * oracle_raptor.c — an independent check of the transit router on real feeds.
 *
 * This program shares no code with src/: it reads each GTFS zip ITSELF (libzip + a small CSV reader below:
 * stops, trips, calendar, calendar_dates, stop_times, frequencies), expands the timetable of one service day D
 * (with D−1's after-midnight trips and D+1's early trips, frequency trips at start + k·headway) into connections
 * inside a time window, and answers random stop-to-stop earliest-arrival queries with a plain Connection Scan
 * (Dibbelt et al.). The engine is driven only through the public API (tc_build with --transfer-radius 0, so both
 * sides transfer at the same stop only; tc_network_open; tc_route). For every query:
 *  - the earliest arrival must be identical (or both must find nothing inside the window);
 *  - every journey returned must be valid against the oracle's own timetable: each transit leg is a real trip
 *    running on the service day its times imply, boarding and alighting where pickup/drop-off allow, at the
 *    scheduled times (or a frequency run's), legs chained at the same stop without travelling back in time.
 * A stop query means "from (to) the stop's place": with walking off, that is the stop and the other platforms of its
 * parent station (stops.txt parent_station), reached on foot at their straight-line distance × 1.3 (the engine's
 * documented detour) at 1.3 m/s (its default walking speed), rounded up to the second, within the 10-minute transfer
 * walk; so the scan starts from every such platform and ends at any of the destination's, and a journey may begin
 * or end with that walk (WMATA's stations have several platforms each).
 * Dates include calendar_dates exception days (holidays) and early-morning windows that need the previous day's
 * trips past 24:00. TC_ORACLE_QUERIES sets the number of queries per feed (default 2500; 160 under ASan). Every third reachable
 * query is also asked arrive-by (deadline = the earliest arrival): the latest departure must be ≥ the query time
 * and leaving one second later must arrive later, by the oracle's own scan. Every other query is asked with a 60 s
 * board slack (R5's minimum wait), which the oracle's scan applies to every boarding too.
 */
#include "tongcheng.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zip.h>

#define DAY 86400
#define NOTIME INT32_MIN

/* ---------------------------------------------------------------- small helpers -------------------------------- */

static void die(const char *fmt, const char *a) {
    fprintf(stderr, "oracle_raptor: ");
    fprintf(stderr, fmt, a);
    fprintf(stderr, "\n");
    exit(1);
}

static void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) die("%s", "out of memory");
    return p;
}

static void *xrealloc(void *p, size_t n) {
    p = realloc(p, n ? n : 1);
    if (!p) die("%s", "out of memory");
    return p;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return n ? (uint32_t)(rng % n) : 0;
}

/* days since 1970-01-01 (proleptic Gregorian) */
static int32_t days_from_ymd(int y, int m, int d) {
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int32_t parse_date8(const char *s) {
    int y, m, d;
    if (sscanf(s, "%4d%2d%2d", &y, &m, &d) != 3) return NOTIME;
    return days_from_ymd(y, m, d);
}

static int32_t parse_hms(const char *s) {
    while (*s == ' ') s++;
    if (!*s) return NOTIME;
    int h, m, sec;
    if (sscanf(s, "%d:%d:%d", &h, &m, &sec) != 3) return NOTIME;
    return h * 3600 + m * 60 + sec;
}

/* ---------------------------------------------------------------- string → index map --------------------------- */

typedef struct strmap {
    char **keys;
    uint32_t *vals;
    size_t cap, n;
} strmap;

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603ull;
    while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

static void map_put(strmap *m, const char *k, uint32_t v);

static void map_grow(strmap *m) {
    strmap n = {0};
    n.cap = m->cap ? m->cap * 2 : 1024;
    n.keys = calloc(n.cap, sizeof *n.keys);
    n.vals = xmalloc(n.cap * sizeof *n.vals);
    if (!n.keys) die("%s", "out of memory");
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            map_put(&n, m->keys[i], m->vals[i]);
            free(m->keys[i]);
        }
    free(m->keys);
    free(m->vals);
    *m = n;
}

static void map_put(strmap *m, const char *k, uint32_t v) {
    if ((m->n + 1) * 2 > m->cap) map_grow(m);
    size_t i = hash_str(k) & (m->cap - 1);
    while (m->keys[i]) {
        if (!strcmp(m->keys[i], k)) {
            m->vals[i] = v;
            return;
        }
        i = (i + 1) & (m->cap - 1);
    }
    m->keys[i] = strdup(k);
    m->vals[i] = v;
    m->n++;
}

static int map_get(const strmap *m, const char *k, uint32_t *v) {
    if (!m->cap) return 0;
    size_t i = hash_str(k) & (m->cap - 1);
    while (m->keys[i]) {
        if (!strcmp(m->keys[i], k)) {
            *v = m->vals[i];
            return 1;
        }
        i = (i + 1) & (m->cap - 1);
    }
    return 0;
}

static void map_free(strmap *m) {
    for (size_t i = 0; i < m->cap; i++) free(m->keys[i]);
    free(m->keys);
    free(m->vals);
}

/* ---------------------------------------------------------------- CSV from a zip ------------------------------- */

typedef struct csv {
    char *buf;
    size_t len, pos;
    char *fields[64];
    int n_fields;
    char *header[64];
    int n_header;
} csv;

/* Read one record into c->fields (pointers into a per-record copy); returns 0 at the end. */
static char *rec_store = NULL;
static size_t rec_cap = 0;

static int csv_next(csv *c) {
    if (c->pos >= c->len) return 0;
    size_t need = c->len - c->pos + 1;
    if (need > 4096) need = 4096;
    size_t o = 0;
    c->n_fields = 0;
    int inq = 0;
    if (rec_cap < 1 << 16) {
        rec_store = xrealloc(rec_store, 1 << 16);
        rec_cap = 1 << 16;
    }
    size_t field_start = 0;
    while (c->pos < c->len) {
        char ch = c->buf[c->pos++];
        if (o + 2 >= rec_cap) die("%s", "CSV record too long");
        if (inq) {
            if (ch == '"') {
                if (c->pos < c->len && c->buf[c->pos] == '"') {
                    rec_store[o++] = '"';
                    c->pos++;
                } else {
                    inq = 0;
                }
            } else {
                rec_store[o++] = ch;
            }
            continue;
        }
        if (ch == '"') {
            inq = 1;
        } else if (ch == ',') {
            rec_store[o++] = 0;
            if (c->n_fields < 64) c->fields[c->n_fields++] = rec_store + field_start;
            field_start = o;
        } else if (ch == '\n') {
            break;
        } else if (ch != '\r') {
            rec_store[o++] = ch;
        }
    }
    rec_store[o++] = 0;
    if (c->n_fields < 64) c->fields[c->n_fields++] = rec_store + field_start;
    (void)need;
    return 1;
}

static int csv_open(zip_t *z, const char *name, csv *c) {
    memset(c, 0, sizeof *c);
    zip_stat_t st;
    if (zip_stat(z, name, 0, &st) != 0) return 0;
    zip_file_t *f = zip_fopen(z, name, 0);
    if (!f) return 0;
    c->buf = xmalloc(st.size + 1);
    zip_int64_t got = zip_fread(f, c->buf, st.size);
    zip_fclose(f);
    if (got < 0) die("cannot read %s", name);
    c->len = (size_t)got;
    if (c->len >= 3 && !memcmp(c->buf, "\xEF\xBB\xBF", 3)) c->pos = 3;
    if (!csv_next(c)) return 1;
    c->n_header = c->n_fields;
    for (int i = 0; i < c->n_fields; i++) {
        char *h = c->fields[i];
        while (*h == ' ') h++;
        c->header[i] = strdup(h);
        size_t n = strlen(c->header[i]);
        while (n && c->header[i][n - 1] == ' ') c->header[i][--n] = 0;
    }
    return 1;
}

static int csv_col(const csv *c, const char *name) {
    for (int i = 0; i < c->n_header; i++)
        if (!strcmp(c->header[i], name)) return i;
    return -1;
}

static const char *csv_get(const csv *c, int col) {
    if (col < 0 || col >= c->n_fields) return "";
    const char *s = c->fields[col];
    while (*s == ' ') s++;
    return s;
}

static void csv_close(csv *c) {
    free(c->buf);
    for (int i = 0; i < c->n_header; i++) free(c->header[i]);
}

/* ---------------------------------------------------------------- the timetable -------------------------------- */

typedef struct ostop_time {
    uint32_t trip, seq, stop;
    int32_t arr, dep;
    uint8_t no_pickup, no_dropoff;
} ostop_time;

typedef struct ofreq {
    int32_t start, end, headway;
} ofreq;

typedef struct otrip {
    uint32_t service;
    uint32_t st_begin, st_count; /* into stop_times (sorted by trip, seq) */
    uint32_t fq_begin, fq_count;
    int valid;
} otrip;

typedef struct feed {
    strmap stop_ids, trip_ids, service_ids;
    char **stop_names; /* id per stop index */
    uint32_t n_stops;
    otrip *trips;
    char **trip_names;
    uint32_t n_trips;
    ostop_time *st;
    size_t n_st;
    ofreq *fq;
    size_t n_fq;
    /* services: active days as a byte matrix over [day0, day0 + n_days) */
    uint32_t n_services;
    int32_t day0, n_days;
    uint8_t *active; /* [service * n_days + d] */
    int32_t *exception_days;
    size_t n_exception_days;
    uint8_t *stop_used;
    int32_t *parent; /* parent station's index, -1 none */
    int32_t *lat_e7, *lon_e7;
} feed;

static int feed_active(const feed *f, uint32_t service, int32_t day) {
    if (day < f->day0 || day >= f->day0 + f->n_days) return 0;
    return f->active[(size_t)service * (size_t)f->n_days + (size_t)(day - f->day0)];
}

static int cmp_st(const void *a, const void *b) {
    const ostop_time *x = a, *y = b;
    if (x->trip != y->trip) return x->trip < y->trip ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int cmp_fq_trip(const void *a, const void *b) {
    const uint32_t *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* stops.txt: ids, coordinates, and each stop's parent station (resolved once all ids are known, since a parent may
 * be listed after its children). */
static void load_stops(zip_t *z, const char *path, feed *f) {
    csv c;
    if (!csv_open(z, "stops.txt", &c)) die("no stops.txt in %s", path);
    int c_id = csv_col(&c, "stop_id"), c_par = csv_col(&c, "parent_station"), c_lat = csv_col(&c, "stop_lat"),
        c_lon = csv_col(&c, "stop_lon");
    size_t cap = 1024;
    f->stop_names = xmalloc(cap * sizeof *f->stop_names);
    char **parent_ids = xmalloc(cap * sizeof *parent_ids);
    f->lat_e7 = xmalloc(cap * sizeof *f->lat_e7);
    f->lon_e7 = xmalloc(cap * sizeof *f->lon_e7);
    while (csv_next(&c)) {
        const char *id = csv_get(&c, c_id);
        if (!*id) continue;
        if (f->n_stops == cap) {
            cap *= 2;
            f->stop_names = xrealloc(f->stop_names, cap * sizeof *f->stop_names);
            parent_ids = xrealloc(parent_ids, cap * sizeof *parent_ids);
            f->lat_e7 = xrealloc(f->lat_e7, cap * sizeof *f->lat_e7);
            f->lon_e7 = xrealloc(f->lon_e7, cap * sizeof *f->lon_e7);
        }
        map_put(&f->stop_ids, id, f->n_stops);
        parent_ids[f->n_stops] = strdup(csv_get(&c, c_par));
        /* (degrees to 1e-7 units as the engine stores them) */
        const double la = atof(csv_get(&c, c_lat)), lo = atof(csv_get(&c, c_lon));
        f->lat_e7[f->n_stops] = (int32_t)(la * 1e7 + (la < 0 ? -0.5 : 0.5));
        f->lon_e7[f->n_stops] = (int32_t)(lo * 1e7 + (lo < 0 ? -0.5 : 0.5));
        f->stop_names[f->n_stops++] = strdup(id);
    }
    csv_close(&c);
    f->parent = xmalloc((f->n_stops + 1) * sizeof *f->parent);
    for (uint32_t i = 0; i < f->n_stops; i++) {
        uint32_t ps;
        f->parent[i] = *parent_ids[i] && map_get(&f->stop_ids, parent_ids[i], &ps) ? (int32_t)ps : -1;
        free(parent_ids[i]);
    }
    free(parent_ids);
}

/* A calendar.txt row and a calendar_dates.txt row, kept until the span of days over both files is known. */
typedef struct cal {
    uint32_t service;
    int wd[7];
    int32_t start, end;
} cal;

typedef struct cdate {
    uint32_t service;
    int32_t day;
    int type;
} cdate;

/* The service id's index, numbered on first sight in either calendar file. */
static uint32_t service_of(feed *f, const char *sid) {
    uint32_t s;
    if (!map_get(&f->service_ids, sid, &s)) map_put(&f->service_ids, sid, s = f->n_services++);
    return s;
}

/* calendar.txt rows; widens [*lo, *hi] to their date ranges. */
static cal *read_calendar(zip_t *z, feed *f, size_t *n_cal, int32_t *lo, int32_t *hi) {
    cal *cals = NULL;
    *n_cal = 0;
    csv c;
    if (!csv_open(z, "calendar.txt", &c)) return NULL;
    const char *names[7] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
    int cs = csv_col(&c, "service_id"), cwd[7], cst = csv_col(&c, "start_date"), cen = csv_col(&c, "end_date");
    for (int i = 0; i < 7; i++) cwd[i] = csv_col(&c, names[i]);
    while (csv_next(&c)) {
        const char *sid = csv_get(&c, cs);
        if (!*sid) continue;
        uint32_t s = service_of(f, sid);
        cals = xrealloc(cals, (*n_cal + 1) * sizeof *cals);
        cal *k = &cals[(*n_cal)++];
        k->service = s;
        for (int i = 0; i < 7; i++) k->wd[i] = atoi(csv_get(&c, cwd[i])) == 1;
        k->start = parse_date8(csv_get(&c, cst));
        k->end = parse_date8(csv_get(&c, cen));
        if (k->start < *lo) *lo = k->start;
        if (k->end > *hi) *hi = k->end;
    }
    csv_close(&c);
    return cals;
}

/* calendar_dates.txt rows; widens [*lo, *hi] to their days. */
static cdate *read_calendar_dates(zip_t *z, feed *f, size_t *n_cd, int32_t *lo, int32_t *hi) {
    cdate *cds = NULL;
    *n_cd = 0;
    csv c;
    if (!csv_open(z, "calendar_dates.txt", &c)) return NULL;
    int cs = csv_col(&c, "service_id"), cd = csv_col(&c, "date"), ct = csv_col(&c, "exception_type");
    while (csv_next(&c)) {
        const char *sid = csv_get(&c, cs);
        if (!*sid) continue;
        uint32_t s = service_of(f, sid);
        cds = xrealloc(cds, (*n_cd + 1) * sizeof *cds);
        cdate *k = &cds[*n_cd];
        k->service = s;
        k->day = parse_date8(csv_get(&c, cd));
        k->type = atoi(csv_get(&c, ct));
        if (k->day < *lo) *lo = k->day;
        if (k->day > *hi) *hi = k->day;
        (*n_cd)++;
    }
    csv_close(&c);
    return cds;
}

/* Services: the active-day matrix over every day either calendar file names — weekly patterns first, then the
 * exception days (added or removed) over them, which are also kept as the holiday days the test picks from. */
static void load_services(zip_t *z, const char *path, feed *f) {
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    size_t n_cal, n_cd;
    cal *cals = read_calendar(z, f, &n_cal, &lo, &hi);
    cdate *cds = read_calendar_dates(z, f, &n_cd, &lo, &hi);
    if (lo > hi) die("no service calendar in %s", path);
    f->day0 = lo;
    f->n_days = hi - lo + 1;
    f->active = calloc((size_t)(f->n_services + 1) * (size_t)f->n_days, 1);
    for (size_t i = 0; i < n_cal; i++)
        for (int32_t d = cals[i].start; d <= cals[i].end; d++) {
            int wd = (int)(((d % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday (3 with Monday = 0) */
            if (cals[i].wd[wd]) f->active[(size_t)cals[i].service * (size_t)f->n_days + (size_t)(d - lo)] = 1;
        }
    f->exception_days = xmalloc((n_cd + 1) * sizeof(int32_t));
    for (size_t i = 0; i < n_cd; i++) {
        f->active[(size_t)cds[i].service * (size_t)f->n_days + (size_t)(cds[i].day - lo)] = cds[i].type == 1;
        f->exception_days[f->n_exception_days++] = cds[i].day;
    }
    free(cals);
    free(cds);
}

/* trips.txt: only trips of a known service (one the calendars never mention never runs). */
static void load_trips(zip_t *z, const char *path, feed *f) {
    csv c;
    if (!csv_open(z, "trips.txt", &c)) die("no trips.txt in %s", path);
    int ct = csv_col(&c, "trip_id"), csv_s = csv_col(&c, "service_id");
    size_t cap = 1024;
    f->trips = xmalloc(cap * sizeof *f->trips);
    f->trip_names = xmalloc(cap * sizeof *f->trip_names);
    while (csv_next(&c)) {
        const char *id = csv_get(&c, ct);
        uint32_t s;
        if (!*id || !map_get(&f->service_ids, csv_get(&c, csv_s), &s)) continue;
        if (f->n_trips == cap) {
            cap *= 2;
            f->trips = xrealloc(f->trips, cap * sizeof *f->trips);
            f->trip_names = xrealloc(f->trip_names, cap * sizeof *f->trip_names);
        }
        memset(&f->trips[f->n_trips], 0, sizeof *f->trips);
        f->trips[f->n_trips].service = s;
        f->trips[f->n_trips].valid = 1;
        f->trip_names[f->n_trips] = strdup(id);
        map_put(&f->trip_ids, id, f->n_trips++);
    }
    csv_close(&c);
}

/* stop_times.txt, sorted by (trip, sequence) so each trip owns one run of rows; a trip with an untimed stop or
 * fewer than two stops is left out of the oracle's timetable. */
static void load_stop_times(zip_t *z, const char *path, feed *f) {
    csv c;
    if (!csv_open(z, "stop_times.txt", &c)) die("no stop_times.txt in %s", path);
    int cti = csv_col(&c, "trip_id"), cseq = csv_col(&c, "stop_sequence"), csid = csv_col(&c, "stop_id"),
        carr = csv_col(&c, "arrival_time"), cdep = csv_col(&c, "departure_time"), cpu = csv_col(&c, "pickup_type"),
        cdo = csv_col(&c, "drop_off_type");
    size_t cap = 1 << 16;
    f->st = xmalloc(cap * sizeof *f->st);
    while (csv_next(&c)) {
        uint32_t t, s;
        if (!map_get(&f->trip_ids, csv_get(&c, cti), &t) || !map_get(&f->stop_ids, csv_get(&c, csid), &s)) continue;
        if (f->n_st == cap) f->st = xrealloc(f->st, (cap *= 2) * sizeof *f->st);
        ostop_time *x = &f->st[f->n_st++];
        x->trip = t;
        x->seq = (uint32_t)atol(csv_get(&c, cseq));
        x->stop = s;
        x->arr = parse_hms(csv_get(&c, carr));
        x->dep = parse_hms(csv_get(&c, cdep));
        if (x->arr == NOTIME) x->arr = x->dep;
        if (x->dep == NOTIME) x->dep = x->arr;
        if (x->arr == NOTIME) f->trips[t].valid = 0; /* untimed stops: interpolation is the builder's business */
        x->no_pickup = atoi(csv_get(&c, cpu)) == 1;
        x->no_dropoff = atoi(csv_get(&c, cdo)) == 1;
    }
    csv_close(&c);
    qsort(f->st, f->n_st, sizeof *f->st, cmp_st);
    for (size_t i = 0; i < f->n_st;) {
        size_t j = i;
        while (j < f->n_st && f->st[j].trip == f->st[i].trip) j++;
        otrip *t = &f->trips[f->st[i].trip];
        t->st_begin = (uint32_t)i;
        t->st_count = (uint32_t)(j - i);
        if (t->st_count < 2) t->valid = 0;
        i = j;
    }
}

/* frequencies.txt (optional), grouped by trip so each frequency trip owns one run of periods; a period without a
 * positive headway leaves its trip out. */
static void load_frequencies(zip_t *z, feed *f) {
    csv c;
    if (!csv_open(z, "frequencies.txt", &c)) return;
    int c1 = csv_col(&c, "trip_id"), c2 = csv_col(&c, "start_time"), c3 = csv_col(&c, "end_time"),
        c4 = csv_col(&c, "headway_secs");
    uint32_t *rows = NULL; /* (trip, start, end, headway) */
    size_t n = 0;
    while (csv_next(&c)) {
        uint32_t t;
        if (!map_get(&f->trip_ids, csv_get(&c, c1), &t)) continue;
        rows = xrealloc(rows, (n + 1) * 4 * sizeof *rows);
        rows[n * 4] = t;
        rows[n * 4 + 1] = (uint32_t)parse_hms(csv_get(&c, c2));
        rows[n * 4 + 2] = (uint32_t)parse_hms(csv_get(&c, c3));
        rows[n * 4 + 3] = (uint32_t)atoi(csv_get(&c, c4));
        n++;
    }
    csv_close(&c);
    qsort(rows, n, 4 * sizeof *rows, cmp_fq_trip);
    f->fq = xmalloc((n + 1) * sizeof *f->fq);
    for (size_t i = 0; i < n; i++) {
        otrip *t = &f->trips[rows[i * 4]];
        if (!t->fq_count) t->fq_begin = (uint32_t)i;
        t->fq_count++;
        f->fq[i].start = (int32_t)rows[i * 4 + 1];
        f->fq[i].end = (int32_t)rows[i * 4 + 2];
        f->fq[i].headway = (int32_t)rows[i * 4 + 3];
        if (f->fq[i].headway <= 0) t->valid = 0;
    }
    f->n_fq = n;
    free(rows);
}

/* The whole timetable of one GTFS zip, read in dependency order (services before trips, trips and stops before
 * stop_times and frequencies); stop_used marks the stops some trip serves, the test's random picks. */
static void load_feed(const char *path, feed *f) {
    memset(f, 0, sizeof *f);
    int zerr;
    zip_t *z = zip_open(path, ZIP_RDONLY, &zerr);
    if (!z) die("cannot open %s", path);
    load_stops(z, path, f);
    load_services(z, path, f);
    load_trips(z, path, f);
    load_stop_times(z, path, f);
    load_frequencies(z, f);
    f->stop_used = calloc(f->n_stops + 1, 1);
    for (size_t i = 0; i < f->n_st; i++) f->stop_used[f->st[i].stop] = 1;
    zip_close(z);
}

static void free_feed(feed *f) {
    free(f->parent);
    free(f->lat_e7);
    free(f->lon_e7);
    map_free(&f->stop_ids);
    map_free(&f->trip_ids);
    map_free(&f->service_ids);
    for (uint32_t i = 0; i < f->n_stops; i++) free(f->stop_names[i]);
    for (uint32_t i = 0; i < f->n_trips; i++) free(f->trip_names[i]);
    free(f->stop_names);
    free(f->trip_names);
    free(f->trips);
    free(f->st);
    free(f->fq);
    free(f->active);
    free(f->exception_days);
    free(f->stop_used);
}

/* ---------------------------------------------------------------- connections ---------------------------------- */

typedef struct conn {
    int32_t dep, arr; /* seconds relative to day D */
    uint32_t from, to;
    uint32_t inst; /* trip instance (trip × service day × frequency run) */
    uint16_t seq;
    uint8_t board_ok, alight_ok;
} conn;

static int cmp_conn(const void *a, const void *b) {
    const conn *x = a, *y = b;
    if (x->dep != y->dep) return x->dep < y->dep ? -1 : 1;
    if (x->arr != y->arr) return x->arr < y->arr ? -1 : 1;
    if (x->inst != y->inst) return x->inst < y->inst ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

typedef struct conns {
    conn *c;
    size_t n, cap;
    uint32_t n_inst;
} conns;

static void add_trip_instance(conns *cs, const feed *f, const otrip *t, int32_t shift, int32_t lo, int32_t hi) {
    const ostop_time *st = f->st + t->st_begin;
    uint32_t inst = cs->n_inst++;
    for (uint32_t i = 0; i + 1 < t->st_count; i++) {
        int32_t dep = st[i].dep + shift;
        if (dep < lo || dep > hi) continue;
        if (cs->n == cs->cap) cs->c = xrealloc(cs->c, (cs->cap = cs->cap ? cs->cap * 2 : 1 << 16) * sizeof *cs->c);
        conn *x = &cs->c[cs->n++];
        x->dep = dep;
        x->arr = st[i + 1].arr + shift;
        x->from = st[i].stop;
        x->to = st[i + 1].stop;
        x->inst = inst;
        x->seq = (uint16_t)i;
        x->board_ok = !st[i].no_pickup;
        x->alight_ok = !st[i + 1].no_dropoff;
    }
}

/* Connections departing in [lo, hi] (seconds relative to day D), from trips of D−1, D, D+1. */
static void build_conns(const feed *f, int32_t day, int32_t lo, int32_t hi, conns *cs) {
    cs->n = 0;
    cs->n_inst = 0;
    for (uint32_t ti = 0; ti < f->n_trips; ti++) {
        const otrip *t = &f->trips[ti];
        if (!t->valid) continue;
        const ostop_time *st = f->st + t->st_begin;
        for (int o = -1; o <= 1; o++) {
            if (!feed_active(f, t->service, day + o)) continue;
            int32_t off = o * DAY;
            if (!t->fq_count) {
                if (st[t->st_count - 1].arr + off < lo || st[0].dep + off > hi) continue;
                add_trip_instance(cs, f, t, off, lo, hi);
            } else {
                for (uint32_t q = 0; q < t->fq_count; q++) {
                    const ofreq *fr = &f->fq[t->fq_begin + q];
                    for (int32_t run = fr->start; run < fr->end; run += fr->headway) {
                        int32_t shift = run - st[0].dep + off;
                        if (st[t->st_count - 1].arr + shift < lo || st[0].dep + shift > hi) continue;
                        add_trip_instance(cs, f, t, shift, lo, hi);
                    }
                }
            }
        }
    }
    qsort(cs->c, cs->n, sizeof *cs->c, cmp_conn);
}

/* A stop's place: the stop and the other children of its parent station (a station's own children), each with the
 * seconds of walking there, within max_s: straight line (haversine, 6,371,008.8 m) × 1.3, rounded to the metre,
 * at 1.3 m/s rounded up to the second. */
typedef struct end {
    uint32_t stop;
    int32_t seconds;
} end;

static double haversine_m(int32_t a_lat, int32_t a_lon, int32_t b_lat, int32_t b_lon) {
    const double d2r = 3.14159265358979323846 / 180.0;
    const double la1 = a_lat / 1e7 * d2r, la2 = b_lat / 1e7 * d2r, dla = la2 - la1, dlo = (b_lon - a_lon) / 1e7 * d2r;
    const double h = sin(dla / 2) * sin(dla / 2) + cos(la1) * cos(la2) * sin(dlo / 2) * sin(dlo / 2);
    return 2 * 6371008.8 * asin(sqrt(h > 1 ? 1 : h));
}

static int32_t sibling_seconds(const feed *f, uint32_t a, uint32_t b) {
    const double m = (double)lround(haversine_m(f->lat_e7[a], f->lon_e7[a], f->lat_e7[b], f->lon_e7[b]) * 1.3);
    const double x = m / 1.3;
    const int32_t i = (int32_t)x;
    return (double)i < x ? i + 1 : i;
}

static uint32_t place_ends(const feed *f, uint32_t s, int32_t max_s, end *out, uint32_t cap) {
    uint32_t n = 0;
    out[n++] = (end){s, 0};
    const int32_t station = f->parent[s] >= 0 ? f->parent[s] : (int32_t)s;
    for (uint32_t x = 0; x < f->n_stops && n < cap; x++) {
        if (x == s || f->parent[x] != station) continue;
        const int32_t w = sibling_seconds(f, s, x);
        if (w <= max_s) out[n++] = (end){x, w};
    }
    return n;
}

/* Earliest arrival at the target's place leaving the source's place at t0 (same-stop transfers, any number of
 * trips): a trip's arrival (or the walk from the source) at one of the target's ends, plus its walk. */
typedef struct csa_ws {
    int32_t *ea;
    uint32_t *ea_stamp, *inst_stamp;
    uint32_t stamp;
    size_t inst_cap;
} csa_ws;

/* slack: the minimum wait before every boarding (the engine's --board-slack): a connection is caught only when it
 * leaves at least slack after the traveller reached its stop. */
static int32_t csa_query(csa_ws *w, const conns *cs, const end *src, uint32_t n_src, const end *tgt, uint32_t n_tgt,
                         int32_t t0, int32_t slack) {
    if (cs->n_inst > w->inst_cap) {
        w->inst_stamp = xrealloc(w->inst_stamp, cs->n_inst * sizeof *w->inst_stamp);
        memset(w->inst_stamp, 0, cs->n_inst * sizeof *w->inst_stamp);
        w->inst_cap = cs->n_inst;
    }
    uint32_t stamp = ++w->stamp;
    for (uint32_t i = 0; i < n_src; i++)
        if (w->ea_stamp[src[i].stop] != stamp || t0 + src[i].seconds < w->ea[src[i].stop]) {
            w->ea[src[i].stop] = t0 + src[i].seconds;
            w->ea_stamp[src[i].stop] = stamp;
        }
    int32_t best = INT32_MAX;
    for (uint32_t j = 0; j < n_tgt; j++)
        if (w->ea_stamp[tgt[j].stop] == stamp && w->ea[tgt[j].stop] + tgt[j].seconds < best)
            best = w->ea[tgt[j].stop] + tgt[j].seconds;
    /* first connection departing at or after t0 + slack */
    size_t lo = 0, hi = cs->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cs->c[mid].dep < t0 + slack) lo = mid + 1;
        else hi = mid;
    }
    for (size_t i = lo; i < cs->n; i++) {
        const conn *c = &cs->c[i];
        if (c->dep > best) break;
        if (w->inst_stamp[c->inst] != stamp) {
            if (!c->board_ok || w->ea_stamp[c->from] != stamp || w->ea[c->from] + slack > c->dep) continue;
            w->inst_stamp[c->inst] = stamp;
        }
        if (c->alight_ok && (w->ea_stamp[c->to] != stamp || c->arr < w->ea[c->to])) {
            w->ea[c->to] = c->arr;
            w->ea_stamp[c->to] = stamp;
            for (uint32_t j = 0; j < n_tgt; j++)
                if (tgt[j].stop == c->to && c->arr + tgt[j].seconds < best) best = c->arr + tgt[j].seconds;
        }
    }
    return best;
}

/* ---------------------------------------------------------------- journey validation --------------------------- */

static const char *strip_feed(const char *id) {
    const char *p = strchr(id, ':');
    return p ? p + 1 : id;
}

static int32_t stop_of(const feed *f, const char *id) {
    uint32_t s;
    if (!id || !map_get(&f->stop_ids, strip_feed(id), &s)) return -1;
    return (int32_t)s;
}

/* Is the transit leg a real ride? Returns NULL when valid, else a reason. */
static const char *check_leg(const feed *f, const tc_leg *g) {
    uint32_t ti;
    if (!g->trip || !map_get(&f->trip_ids, strip_feed(g->trip), &ti)) return "unknown trip";
    const otrip *t = &f->trips[ti];
    int32_t from = stop_of(f, g->from.stop), to = stop_of(f, g->to.stop);
    if (from < 0 || to < 0) return "unknown stop";
    const ostop_time *st = f->st + t->st_begin;
    for (uint32_t i = 0; i < t->st_count; i++) {
        if ((int32_t)st[i].stop != from || st[i].no_pickup) continue;
        for (uint32_t j = i + 1; j < t->st_count; j++) {
            if ((int32_t)st[j].stop != to || st[j].no_dropoff) continue;
            /* the shift that puts stop i's departure at the leg's departure */
            int64_t shift = g->departure - st[i].dep;
            if (g->arrival - st[j].arr != shift) continue;
            if (!t->fq_count) {
                if (shift % DAY) continue;
                if (feed_active(f, t->service, (int32_t)(shift / DAY))) return NULL;
            } else {
                /* shift = service_day·DAY + run − first departure */
                for (int32_t d = -1; d <= 1; d++) {
                    int64_t day = (g->departure - st[i].dep) / DAY + d;
                    int64_t run = shift - day * DAY + st[0].dep;
                    if (!feed_active(f, t->service, (int32_t)day)) continue;
                    for (uint32_t q = 0; q < t->fq_count; q++) {
                        const ofreq *fr = &f->fq[t->fq_begin + q];
                        if (run >= fr->start && run < fr->end && (run - fr->start) % fr->headway == 0) return NULL;
                    }
                }
            }
        }
    }
    return "not a ride of that trip on any service day";
}

/* ---------------------------------------------------------------- the test ------------------------------------- */

static int verbose = 0;

typedef struct stats {
    long queries, reached, failures, arrive_by, with_siblings;
} stats;

/* What every query of one feed shares: the oracle's timetable and scan, the engine's network, the current batch's
 * day and connection window, and the feed's counts. */
typedef struct feed_run {
    const char *label;
    const feed *f;
    tc_network *net;
    uint32_t *used, n_used; /* stops some trip serves: the random picks */
    csa_ws w;
    conns cs;
    int32_t day, lo, hi; /* the batch's service day, and its window [lo, hi] in seconds of that day */
    char dbuf[16];       /* the day, for messages */
    stats st;
} feed_run;

/* The engine's network of the feed alone, built with --transfer-radius 0 (same-stop transfers, as the oracle's
 * scan) into net_path and opened; NULL (the failure counted and told) when either step fails. */
static tc_network *engine_network(const char *label, const char *zip_path, const char *net_path, stats *total) {
    tc_feed_source src = {.name = "f", .path = zip_path};
    tc_build_options opts;
    tc_build_options_init(&opts);
    opts.feeds = &src;
    opts.n_feeds = 1;
    opts.transfer_radius_m = 0;
    tc_error err = {0};
    if (tc_build(&opts, net_path, &err) != TC_OK) {
        fprintf(stderr, "FAIL %s: build: %s\n", label, err.message);
        total->failures++;
        return NULL;
    }
    tc_network *net = NULL;
    if (tc_network_open(net_path, &net, &err) != TC_OK) {
        fprintf(stderr, "FAIL %s: open: %s\n", label, err.message);
        total->failures++;
        return NULL;
    }
    return net;
}

/* Batch b's day and window, and the oracle's connections for them. The random draws come in a fixed order (day,
 * holiday tries, window start) so a feed's queries are the same on every run. */
static void start_batch(feed_run *r, const tc_network_info *info, int b) {
    const feed *f = r->f;
    /* the day: exception days (holidays) for two batches, else any day inside both calendars */
    int32_t lo_day = f->day0 > info->service_start ? f->day0 : info->service_start;
    int32_t hi_day = f->day0 + f->n_days - 1 < info->service_end ? f->day0 + f->n_days - 1 : info->service_end;
    int32_t day = lo_day + (int32_t)rnd((uint32_t)(hi_day - lo_day + 1));
    if (b < 2 && f->n_exception_days) {
        for (int tries = 0; tries < 50; tries++) {
            int32_t d = f->exception_days[rnd((uint32_t)f->n_exception_days)];
            if (d >= lo_day && d <= hi_day) {
                day = d;
                break;
            }
        }
    }
    /* the window: queries leave in [lo, lo + 60 min], max duration 180 min → connections up to lo + 240 */
    int32_t lo;
    if (b == 2 || b == 3 || b == 4) lo = (int32_t)rnd(150) * 60;          /* early morning: D−1's trips */
    else if (b == 5) lo = 21 * 3600 + (int32_t)rnd(150) * 60;             /* late evening: D+1's trips */
    else lo = 5 * 3600 + (int32_t)rnd(15 * 60) * 60;
    r->day = day;
    r->lo = lo;
    r->hi = lo + 240 * 60;
    build_conns(f, day, r->lo, r->hi, &r->cs);
    tc_format_date(day, r->dbuf);
}

/* Is every journey of js valid against the oracle's timetable, for a query from stop a (from_id) to stop z (to_id)
 * leaving at t0? Returns NULL when all are, else the first reason; *best gets the earliest arrival among the
 * journeys checked (all of them when valid). */
static const char *check_journeys(const feed_run *r, const tc_journey_set *js, const char *from_id, const char *to_id,
                                  uint32_t a, uint32_t z, int32_t t0, int64_t *best) {
    const feed *f = r->f;
    const char *why = NULL;
    *best = INT64_MAX;
    for (size_t i = 0; i < js->n && !why; i++) {
        const tc_journey *j = &js->journeys[i];
        if (j->arrival < *best) *best = j->arrival;
        int64_t t = (int64_t)r->day * DAY + t0;
        if (j->departure < t) why = "journey leaves before the query time";
        int transit = 0;
        const char *prev_stop = from_id;
        for (size_t l = 0; l < j->n_legs && !why; l++) {
            const tc_leg *g = &j->legs[l];
            if (g->departure < t) why = "leg leaves before the previous one arrives";
            else if (g->arrival < g->departure) why = "leg arrives before it leaves";
            else if (!g->from.stop || strcmp(strip_feed(g->from.stop), strip_feed(prev_stop)))
                why = "legs do not chain at the same stop";
            else if (g->mode == TC_LEG_TRANSIT) {
                transit++;
                why = check_leg(f, g);
            } else if (strcmp(g->from.stop ? g->from.stop : "", g->to.stop ? g->to.stop : "")) {
                /* only to a sibling platform, first from the origin or last into the destination */
                int32_t gf = stop_of(f, g->from.stop), gt = stop_of(f, g->to.stop);
                if (gf < 0 || gt < 0 || (l != 0 && l + 1 != j->n_legs) ||
                    (l == 0 && gf != (int32_t)a) || (l + 1 == j->n_legs && l != 0 && gt != (int32_t)z))
                    why = "walking between stops in a --transfer-radius 0 network";
                else if (!(f->parent[gf] >= 0 && (f->parent[gt] == f->parent[gf] || gt == f->parent[gf])) &&
                         !(f->parent[gt] >= 0 && gf == f->parent[gt]))
                    why = "a walk to a stop that is no sibling platform";
                else if (g->arrival - g->departure != sibling_seconds(f, (uint32_t)gf, (uint32_t)gt))
                    why = "a walk to a sibling platform, not at its walking time";
            }
            t = g->arrival;
            prev_stop = g->to.stop ? g->to.stop : "";
        }
        if (!why && strcmp(strip_feed(prev_stop), strip_feed(to_id)) && j->n_legs)
            why = "journey does not end at the destination";
        if (!why && j->transfers != (transit ? transit - 1 : 0)) why = "wrong transfer count";
        if (!why && t != j->arrival) why = "journey arrival differs from its last leg";
    }
    return why;
}

/* The arrive-by check of a reachable query (rq, leaving at t0, earliest arrival ea by the oracle): the latest
 * departure that still arrives by ea must not be before t0, and leaving one second after it must arrive later by
 * the oracle's own scan. */
static void check_arrive_by(feed_run *r, const tc_route_query *rq, const end *src, uint32_t n_src, const end *tgt,
                            uint32_t n_tgt, int32_t t0, int32_t ea, int32_t max_dur) {
    const int64_t day_s = (int64_t)r->day * DAY;
    tc_route_query rb = *rq;
    rb.arrive_by = 1;
    rb.time = ea;
    rb.max_duration_min = max_dur;
    tc_journey_set *js = NULL;
    tc_error err = {0};
    if (tc_route(r->net, &rb, &js, &err) != TC_OK || js->n == 0) {
        fprintf(stderr, "FAIL %s: arrive-by %s → %s on %s by %d: %s\n", r->label, rq->from_stop, rq->to_stop, r->dbuf,
                ea, js ? "no journey" : err.message);
        r->st.failures++;
        tc_journey_set_free(js);
        return;
    }
    int64_t latest = INT64_MIN;
    for (size_t i = 0; i < js->n; i++) {
        const tc_journey *j = &js->journeys[i];
        for (size_t l = 0; l < j->n_legs; l++)
            if (j->legs[l].mode == TC_LEG_TRANSIT && check_leg(r->f, &j->legs[l])) latest = INT64_MIN + 1;
        if (j->arrival > day_s + ea) latest = INT64_MIN + 1;
        if (latest != INT64_MIN + 1 && j->departure > latest) latest = j->departure;
    }
    int32_t dep = (int32_t)(latest - day_s);
    int bad = latest == INT64_MIN + 1 || dep < t0;
    if (!bad) r->st.arrive_by++;
    if (!bad && dep + 1 <= r->hi)
        bad = csa_query(&r->w, &r->cs, src, n_src, tgt, n_tgt, dep + 1, rq->board_slack_s) <= ea;
    if (bad) {
        r->st.failures++;
        fprintf(stderr, "FAIL %s: arrive-by %s → %s on %s by %d: latest departure %d (query from %d)\n", r->label,
                rq->from_stop, rq->to_stop, r->dbuf, ea, dep, t0);
    }
    tc_journey_set_free(js);
}

/* Query q of the batch: random stops and start time, the oracle's earliest arrival against the engine's journeys
 * (each checked against the timetable), then the arrive-by check on every third reachable query. */
static void run_query(feed_run *r, int q) {
    const feed *f = r->f;
    uint32_t a = r->used[rnd(r->n_used)], z = r->used[rnd(r->n_used)];
    int32_t t0 = r->lo + (int32_t)rnd(61) * 60;
    end src[64], tgt[64];
    const uint32_t n_src = place_ends(f, a, 600, src, 64), n_tgt = place_ends(f, z, 600, tgt, 64);
    if (n_src > 1 || n_tgt > 1) r->st.with_siblings++;
    const int32_t slack = q % 2 ? 60 : 0; /* every other query waits a minute before each boarding */
    int32_t ea = csa_query(&r->w, &r->cs, src, n_src, tgt, n_tgt, t0, slack);
    int32_t max_dur = (r->hi - t0) / 60;
    tc_route_query rq;
    tc_route_query_init(&rq);
    char from_id[256], to_id[256];
    snprintf(from_id, sizeof from_id, "f:%s", f->stop_names[a]);
    snprintf(to_id, sizeof to_id, "f:%s", f->stop_names[z]);
    rq.from_stop = from_id;
    rq.to_stop = to_id;
    rq.date = r->day;
    rq.time = t0;
    rq.max_transfers = 30;
    rq.max_duration_min = max_dur;
    rq.board_slack_s = slack;
    tc_journey_set *js = NULL;
    tc_error err = {0};
    r->st.queries++;
    if (tc_route(r->net, &rq, &js, &err) != TC_OK) {
        fprintf(stderr, "FAIL %s: route %s → %s on %s at %d: %s\n", r->label, from_id, to_id, r->dbuf, t0,
                err.message);
        r->st.failures++;
        return;
    }
    const int64_t day_s = (int64_t)r->day * DAY;
    int64_t best;
    const char *why = check_journeys(r, js, from_id, to_id, a, z, t0, &best);
    /* the engine's window ends at t0 + whole minutes of max duration */
    const int32_t limit = t0 + max_dur * 60;
    if (ea != INT32_MAX && ea > limit) ea = INT32_MAX;
    int64_t want = ea == INT32_MAX ? INT64_MAX : day_s + ea;
    if (want != INT64_MAX) r->st.reached++;
    int ok = !why;
    if (ok) {
        if (want == INT64_MAX) ok = best == INT64_MAX || best > day_s + limit;
        else ok = best == want;
    }
    if (!ok) {
        r->st.failures++;
        if (r->st.failures <= 10 || verbose) {
            char *json = NULL;
            tc_journeys_json(js, &json, NULL);
            fprintf(stderr, "FAIL %s: %s → %s on %s at %02d:%02d: %s; oracle %d s, engine %lld s\n  %s\n", r->label,
                    from_id, to_id, r->dbuf, t0 / 3600, t0 / 60 % 60, why ? why : "earliest arrival", ea,
                    best == INT64_MAX ? -1LL : (long long)(best - day_s), json ? json : "");
            tc_free(json);
        }
    }
    tc_journey_set_free(js);
    if (ok && want != INT64_MAX && q % 3 == 0) check_arrive_by(r, &rq, src, n_src, tgt, n_tgt, t0, ea, max_dur);
}

/* One feed: the oracle's timetable and the engine's network of it, then n_queries random queries in 8 batches of
 * one day and window each; prints the feed's counts and adds them to *total. */
static void run_feed(const char *label, const char *zip_path, const char *tmpdir, int n_queries, stats *total) {
    feed f;
    clock_t c0 = clock();
    load_feed(zip_path, &f);
    char net_path[512];
    snprintf(net_path, sizeof net_path, "%s/%s.tcn", tmpdir, label);
    tc_network *net = engine_network(label, zip_path, net_path, total);
    if (!net) {
        free_feed(&f);
        return;
    }
    tc_network_info info;
    tc_error err = {0};
    tc_network_get_info(net, &info, &err);
    feed_run r = {.label = label, .f = &f, .net = net};
    r.used = xmalloc(f.n_stops * sizeof *r.used);
    for (uint32_t s = 0; s < f.n_stops; s++)
        if (f.stop_used[s]) r.used[r.n_used++] = s;
    r.w.ea = xmalloc(f.n_stops * sizeof *r.w.ea);
    r.w.ea_stamp = calloc(f.n_stops, sizeof *r.w.ea_stamp);
    const int n_batches = 8;
    int per_batch = (n_queries + n_batches - 1) / n_batches;
    for (int b = 0; b < n_batches; b++) {
        start_batch(&r, &info, b);
        for (int q = 0; q < per_batch; q++) run_query(&r, q);
    }
    printf("%-10s %ld queries, %ld reachable, %ld arrive-by checked, %ld from or to a platform with siblings, %ld "
           "failures (%.1f s)\n",
           label, r.st.queries, r.st.reached, r.st.arrive_by, r.st.with_siblings, r.st.failures,
           (double)(clock() - c0) / CLOCKS_PER_SEC);
    total->queries += r.st.queries;
    total->reached += r.st.reached;
    total->failures += r.st.failures;
    free(r.cs.c);
    free(r.w.ea);
    free(r.w.ea_stamp);
    free(r.w.inst_stamp);
    free(r.used);
    tc_network_close(net);
    unlink(net_path);
    free_feed(&f);
}

int main(int argc, char **argv) {
    const char *data = getenv("TC_DATA");
    if (!data) {
        printf("TC_DATA not set: skipped\n");
        return 77;
    }
    int n_queries = 2500;
    const char *env = getenv("TC_ORACLE_QUERIES");
    if (env && atoi(env) > 0) n_queries = atoi(env);
#if defined(__SANITIZE_ADDRESS__)
    if (!env) n_queries = 160;
#endif
    verbose = getenv("TC_ORACLE_VERBOSE") != NULL;
    const char *only = argc > 1 ? argv[1] : NULL;
    struct {
        const char *label, *path;
    } feeds[] = {
        {"bydgoszcz", "bydgoszcz/bydgoszcz.gtfs.zip"},
        {"hart", "feeds/hart.zip"},
        {"milan", "milan/milano_small_gtfs.zip"},
        {"cdmx", "feeds/cdmx.zip"},
        {"wmata", "feeds/wmata.zip"},
    };
    char tmpdir[] = "/tmp/tc_oracle_raptor_XXXXXX";
    if (!mkdtemp(tmpdir)) die("%s", "cannot make a temporary folder");
    stats total = {0};
    int ran = 0;
    for (size_t i = 0; i < sizeof feeds / sizeof *feeds; i++) {
        if (only && strcmp(only, feeds[i].label)) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", data, feeds[i].path);
        if (access(path, R_OK)) {
            printf("%s: %s absent, not checked\n", feeds[i].label, path);
            continue;
        }
        rng = 0x9E3779B97F4A7C15ull + i; /* reproducible per feed */
        run_feed(feeds[i].label, path, tmpdir, n_queries, &total);
        ran++;
    }
    rmdir(tmpdir);
    free(rec_store);
    if (!ran) {
        printf("no feed found under %s: skipped\n", data);
        return 77;
    }
    printf("total: %ld queries, %ld reachable, %ld failures\n", total.queries, total.reached, total.failures);
    return total.failures ? 1 : 0;
}
