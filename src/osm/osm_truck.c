/*
 * osm_truck.c — heavy-vehicle rules of a way: who among goods vehicles may use it, its physical and legal limits,
 * its truck speed limit, and a time window, as the OSM wiki documents the tags. The query's vehicle (tc_truck) meets
 * them in src/streets/street_truck.c; here they are only read and stored compactly (street_truck_limit).
 *
 * Access (most specific first): hgv (vehicles over 3.5 t) or goods (up to 3.5 t) > motor_vehicle > vehicle > access.
 *   "no", "private", "agricultural", "forestry", "emergency", "psv", "bus", "military" forbid; "yes", "designated",
 *   "permissive", "destination", "discouraged", "customers", "unknown" allow; "delivery" allows deliveries only.
 *   Any other value of hgv / goods is reported and ignored.
 * Limits: maxheight, maxwidth, maxlength (metres, "m", feet/inches: 12'6", 12 ft 6 in), maxweight, maxaxleload
 *   (tonnes, "t", "kg", "lbs", "st" short tons, "lt" long tons); "none" and "default" set no limit; anything else
 *   ("below_default", "3,5", "fixme") is reported and no limit is stored — the edge stays open, and the finding says
 *   so. maxheight:physical and maxweight:hgv are read as well (the smaller value wins).
 *   hazmat=no closes the way to vehicles carrying dangerous goods.
 *   maxspeed:hgv as maxspeed (km/h, "mph", "none").
 * Time window: hgv:conditional, goods:conditional, motor_vehicle:conditional, vehicle:conditional,
 *   access:conditional = "VALUE @ (DAYS HH:MM-HH:MM[,HH:MM-HH:MM])" (DAYS optional: Mo-Fr, Sa,Su, Mo-Sa, …).
 *   VALUE "no" closes the way inside the window; "yes", "delivery", "destination", "designated" open it there only.
 *   One window (with up to two time ranges) per way; further rules or other conditions (weight>7.5, PH, sunrise)
 *   are reported and not applied.
 */
#include "osm/osm.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *tag(int n, const char *const *k, const char *const *v, const char *key) {
    for (int i = 0; i < n; i++)
        if (!strcmp(k[i], key)) return v[i];
    return NULL;
}

static int in_list(const char *v, const char *const *list) {
    for (; *list; list++)
        if (!strcmp(v, *list)) return 1;
    return 0;
}

static const char *const DENY[] = {"no", "private", "agricultural", "forestry", "emergency", "psv", "bus",
                                   "military", NULL};
static const char *const ALLOW[] = {"yes", "designated", "permissive", "destination", "discouraged", "customers",
                                    "unknown", "official", NULL};

/* -1 forbids, 1 allows, 2 deliveries only, 0 not understood */
static int access_value(const char *v) {
    if (in_list(v, DENY)) return -1;
    if (in_list(v, ALLOW)) return 1;
    if (!strcmp(v, "delivery")) return 2;
    return 0;
}

static const char *base_value(int n, const char *const *k, const char *const *v) {
    static const char *const KEYS[] = {"motor_vehicle", "vehicle", "access", NULL};
    for (const char *const *key = KEYS; *key; key++) {
        const char *t = tag(n, k, v, *key);
        if (t) return t;
    }
    return NULL;
}

int osm_truck_way(int n, const char *const *k, const char *const *v, int vehicle_class) {
    const char *hgv = tag(n, k, v, "hgv"), *goods = tag(n, k, v, "goods");
    if (!vehicle_class) return 0;
    if ((hgv && access_value(hgv) > 0) || (goods && access_value(goods) > 0)) return 1;
    if ((hgv && access_value(hgv) < 0) && (goods && access_value(goods) < 0)) return 0;
    const char *b = base_value(n, k, v);
    int conditional = tag(n, k, v, "hgv:conditional") || tag(n, k, v, "goods:conditional") ||
                      tag(n, k, v, "motor_vehicle:conditional") || tag(n, k, v, "vehicle:conditional") ||
                      tag(n, k, v, "access:conditional");
    /* a way closed to motor vehicles but opened by a time window keeps the bit: the window decides per query */
    return !b || access_value(b) >= 0 || conditional;
}

static const char *skip_space(const char *p) {
    while (isspace((unsigned char)*p)) p++;
    return p;
}

int osm_parse_length_m(const char *v, double *out) {
    if (!v) return 0;
    v = skip_space(v);
    if (!strcmp(v, "none") || !strcmp(v, "default")) return 0;
    if (!isdigit((unsigned char)*v) && *v != '.') return -1;
    char *end;
    double x = strtod(v, &end);
    const char *p = skip_space(end);
    double m;
    if (!*p || !strcmp(p, "m")) {
        m = x;
    } else if (!strcmp(p, "cm")) {
        m = x / 100;
    } else if (*p == '\'' || !strncmp(p, "ft", 2)) { /* feet, then optional inches: 12'6", 12 ft 6 in */
        p = skip_space(p + (*p == '\'' ? 1 : 2));
        double in = 0;
        if (*p) {
            if (!isdigit((unsigned char)*p)) return -1;
            in = strtod(p, &end);
            p = skip_space(end);
            if (*p == '"') p++;
            else if (!strncmp(p, "in", 2)) p += 2;
            else return -1;
            if (*skip_space(p) || in >= 12) return -1;
        }
        m = x * 0.3048 + in * 0.0254;
    } else if (*p == '"' || !strcmp(p, "in")) {
        m = x * 0.0254;
    } else {
        return -1;
    }
    if (!(m > 0) || m > 600) return -1;
    *out = m;
    return 1;
}

int osm_parse_weight_t(const char *v, double *out) {
    if (!v) return 0;
    v = skip_space(v);
    if (!strcmp(v, "none") || !strcmp(v, "default")) return 0;
    if (!isdigit((unsigned char)*v) && *v != '.') return -1;
    char *end;
    double x = strtod(v, &end);
    const char *p = skip_space(end);
    double t;
    if (!*p || !strcmp(p, "t")) t = x;
    else if (!strcmp(p, "kg")) t = x / 1000;
    else if (!strcmp(p, "lbs") || !strcmp(p, "lb")) t = x * 0.45359237 / 1000;
    else if (!strcmp(p, "st")) t = x * 0.90718474;
    else if (!strcmp(p, "lt")) t = x * 1.0160469;
    else return -1;
    if (!(t > 0) || t > 600) return -1;
    *out = t;
    return 1;
}

static uint16_t clamp16(double x) {
    if (x < 1) return 1;
    if (x > 65535) return 65535;
    return (uint16_t)(x + 0.5);
}

/* the smaller of two limits, 0 meaning none */
static uint16_t tighter(uint16_t a, uint16_t b) { return !a ? b : !b ? a : a < b ? a : b; }

static void read_length(int n, const char *const *k, const char *const *v, const char *key, uint16_t *cm,
                        osm_unknown_fn bad, void *user) {
    const char *t = tag(n, k, v, key);
    double m;
    int r = osm_parse_length_m(t, &m);
    if (r < 0) bad(user, key, t, "not a length (m, ft/in, none, default)");
    else if (r > 0) *cm = tighter(*cm, clamp16(m * 100));
}

static void read_weight(int n, const char *const *k, const char *const *v, const char *key, uint16_t *tenkg,
                        osm_unknown_fn bad, void *user) {
    const char *t = tag(n, k, v, key);
    double w;
    int r = osm_parse_weight_t(t, &w);
    if (r < 0) bad(user, key, t, "not a weight (t, kg, lbs, st, lt, none, default)");
    else if (r > 0) *tenkg = tighter(*tenkg, clamp16(w * 100));
}

static int parse_clock_min(const char **pp, uint16_t *out) {
    const char *p = *pp;
    if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) || p[2] != ':' ||
        !isdigit((unsigned char)p[3]) || !isdigit((unsigned char)p[4]))
        return -1;
    int h = (p[0] - '0') * 10 + (p[1] - '0'), m = (p[3] - '0') * 10 + (p[4] - '0');
    if (h > 24 || m > 59 || (h == 24 && m)) return -1;
    *out = (uint16_t)(h * 60 + m);
    *pp = p + 5;
    return 0;
}

static int day_index(const char *p) {
    static const char *const D[] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
    for (int i = 0; i < 7; i++)
        if (!strncmp(p, D[i], 2)) return i;
    return -1;
}

/* "Mo-Fr 07:00-19:00", "07:00-10:00,16:00-19:00", "Sa,Su 08:00-12:00" → days, up to two ranges */
static int parse_condition(const char *c, size_t len, street_truck_limit *out) {
    char buf[128];
    if (len >= sizeof buf) return -1;
    memcpy(buf, c, len);
    buf[len] = 0;
    const char *p = skip_space(buf);
    uint8_t days = 0;
    while (day_index(p) >= 0) {
        int a = day_index(p), b = a;
        p += 2;
        if (*p == '-') {
            b = day_index(p + 1);
            if (b < 0) return -1;
            p += 3;
        }
        for (int d = a;; d = (d + 1) % 7) {
            days |= (uint8_t)(1u << d);
            if (d == b) break;
        }
        if (*p == ',') p++;
        else break;
    }
    p = skip_space(p);
    if (!days) days = 0x7f;
    uint16_t s[2] = {0}, e[2] = {0};
    int nr = 0;
    while (*p) {
        if (nr == 2) return -1;
        if (parse_clock_min(&p, &s[nr]) || *p++ != '-' || parse_clock_min(&p, &e[nr])) return -1;
        nr++;
        p = skip_space(p);
        if (*p == ',') p = skip_space(p + 1);
        else if (*p) return -1;
    }
    if (!nr) return -1;
    out->win_days = days;
    out->win_start_min = s[0];
    out->win_end_min = e[0];
    out->win2_start_min = nr > 1 ? s[1] : 0;
    out->win2_end_min = nr > 1 ? e[1] : 0;
    return 0;
}

static void read_conditional(int n, const char *const *k, const char *const *v, street_truck_limit *out,
                             osm_unknown_fn bad, void *user) {
    static const struct { const char *key; uint8_t who; } KEYS[] = {
        {"hgv:conditional", TRUCK_WHO_HGV},
        {"goods:conditional", TRUCK_WHO_GOODS},
        {"motor_vehicle:conditional", TRUCK_WHO_HGV | TRUCK_WHO_GOODS},
        {"vehicle:conditional", TRUCK_WHO_HGV | TRUCK_WHO_GOODS},
        {"access:conditional", TRUCK_WHO_HGV | TRUCK_WHO_GOODS}};
    for (size_t i = 0; i < sizeof KEYS / sizeof *KEYS; i++) {
        const char *t = tag(n, k, v, KEYS[i].key);
        if (!t) continue;
        if (out->win_kind) {
            bad(user, KEYS[i].key, t, "a second time window on the way; only the first is applied");
            continue;
        }
        const char *at = strchr(t, '@');
        if (!at) {
            bad(user, KEYS[i].key, t, "expected VALUE @ (CONDITION)");
            continue;
        }
        char value[32];
        size_t vl = (size_t)(at - t);
        while (vl && isspace((unsigned char)t[vl - 1])) vl--;
        const char *vs = skip_space(t);
        vl -= (size_t)(vs - t);
        if (vl == 0 || vl >= sizeof value) {
            bad(user, KEYS[i].key, t, "expected VALUE @ (CONDITION)");
            continue;
        }
        memcpy(value, vs, vl);
        value[vl] = 0;
        int av = access_value(value);
        const char *c = skip_space(at + 1), *close = NULL;
        size_t clen;
        if (*c == '(') {
            close = strchr(c, ')');
            if (!close) {
                bad(user, KEYS[i].key, t, "unbalanced parenthesis");
                continue;
            }
            c++;
            clen = (size_t)(close - c);
            if (*skip_space(close + 1)) {
                bad(user, KEYS[i].key, t, "several rules; only the first is applied");
            }
        } else {
            clen = strcspn(c, ";");
            if (c[clen]) bad(user, KEYS[i].key, t, "several rules; only the first is applied");
        }
        street_truck_limit w = *out;
        if (av == 0 || parse_condition(c, clen, &w)) {
            bad(user, KEYS[i].key, t,
                "not understood (expected no|yes|delivery @ (DAYS HH:MM-HH:MM)); the window is not applied");
            continue;
        }
        w.win_kind = av < 0 ? TRUCK_WIN_CLOSED : TRUCK_WIN_OPEN;
        w.win_who = KEYS[i].who;
        *out = w;
    }
}

/* The flags of an access tag of one vehicle class (hgv, goods): no, yes, or delivery (yes for deliveries only). */
static unsigned class_access(const char *value, const char *key, unsigned no_bit, unsigned yes_bit, osm_unknown_fn bad,
                             void *user) {
    int a = access_value(value);
    if (a < 0) return no_bit;
    if (a == 1) return yes_bit;
    if (a == 2) return TRUCK_DELIVERY | yes_bit;
    bad(user, key, value, "not an access value; ignored");
    return 0;
}

void osm_truck_limits(int n, const char *const *k, const char *const *v, street_truck_limit *out,
                      osm_unknown_fn bad, void *user) {
    memset(out, 0, sizeof *out);
    const char *hgv = tag(n, k, v, "hgv"), *goods = tag(n, k, v, "goods"), *b = base_value(n, k, v);
    if (hgv) out->flags |= class_access(hgv, "hgv", TRUCK_HGV_NO, TRUCK_HGV_YES, bad, user);
    if (goods) out->flags |= class_access(goods, "goods", TRUCK_GOODS_NO, TRUCK_GOODS_YES, bad, user);
    if (b) {
        int a = access_value(b);
        if (a < 0) out->flags |= TRUCK_BASE_NO;
        else if (a == 2 && !(out->flags & (TRUCK_HGV_YES | TRUCK_GOODS_YES))) out->flags |= TRUCK_DELIVERY;
    }
    read_length(n, k, v, "maxheight", &out->max_height_cm, bad, user);
    read_length(n, k, v, "maxheight:physical", &out->max_height_cm, bad, user);
    read_length(n, k, v, "maxwidth", &out->max_width_cm, bad, user);
    read_length(n, k, v, "maxwidth:physical", &out->max_width_cm, bad, user);
    read_length(n, k, v, "maxlength", &out->max_length_cm, bad, user);
    read_weight(n, k, v, "maxweight", &out->max_weight_10kg, bad, user);
    read_weight(n, k, v, "maxweight:hgv", &out->max_weight_10kg, bad, user);
    read_weight(n, k, v, "maxaxleload", &out->max_axle_10kg, bad, user);
    const char *hz = tag(n, k, v, "hazmat");
    if (hz) {
        int a = access_value(hz);
        if (a < 0) out->flags |= TRUCK_HAZMAT_NO;
        else if (a == 0) bad(user, "hazmat", hz, "not an access value; ignored");
    }
    const char *ms = tag(n, k, v, "maxspeed:hgv");
    if (ms) {
        double kmh = osm_parse_maxspeed(ms);
        if (kmh <= 0) bad(user, "maxspeed:hgv", ms, "not a speed; ignored");
        else out->hgv_kmh = (uint8_t)(kmh > 255 ? 255 : kmh < 1 ? 1 : kmh + 0.5);
    }
    read_conditional(n, k, v, out, bad, user);
}
