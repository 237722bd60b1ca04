/*
 * osm_rules.c — which modes may use a way, in which direction, and how fast a car goes on it.
 *
 * One small table per mode, close to what OSRM's and R5's default profiles do, written so it can be read as the
 * specification (tests/oracle/oracle_streets.c re-implements the WALK rules independently from this text):
 *
 * A way is considered only when it has a `highway` tag whose value is listed below (or is motorway / motorway_link);
 * any other value (construction, proposed, abandoned, raceway, …) gives no mode.
 *
 * WALK — allowed by class on: trunk, trunk_link, primary, primary_link, secondary, secondary_link, tertiary,
 *   tertiary_link, unclassified, residential, living_street, service, road, track, path, footway, pedestrian,
 *   steps, cycleway, bridleway, corridor, platform. Not on motorway / motorway_link.
 *   Then the most specific tag present among foot > access decides: "no", "private", "use_sidepath" forbid; any
 *   other value ("yes", "designated", "permissive", "destination", …) allows — so foot=yes opens even a motorway.
 *   Walking ignores oneway: both directions.
 * BIKE — by class on the car classes below except motorway / motorway_link, plus track, path, cycleway.
 *   Most specific of bicycle > vehicle > access decides, as for walking ("dismount" also forbids riding).
 *   Direction: oneway=yes|true|1 (or junction=roundabout|circular, or highway=motorway) → forward only;
 *   oneway=-1|reverse → backward only; oneway=reversible → no bike; then oneway:bicycle=no, or cycleway[:left|:right|
 *   :both]=opposite* re-opens the other direction, oneway:bicycle=yes|-1 sets it.
 * CAR — by class on: motorway, motorway_link, trunk, trunk_link, primary, primary_link, secondary, secondary_link,
 *   tertiary, tertiary_link, unclassified, residential, living_street, service, road.
 *   Most specific of motorcar > motor_vehicle > vehicle > access decides: "no", "private", "agricultural", "forestry",
 *   "emergency", "psv", "bus" forbid.
 *   Direction as for the bike (without the bicycle exceptions).
 *   Speed: maxspeed as a number (km/h), "N mph", "none" (130), "walk" (7), a country code "XX:urban|rural|motorway|
 *   trunk|living_street|zoneNN" (national defaults below), else the class default.
 * TRUCK — the car's classes and direction; access and limits as osm_truck.c documents them.
 * Areas (area=yes) keep their outline as a way: a pedestrian square is walked around its edge (and a highway area
 *   never carries cars or bikes unless explicitly tagged so).
 */
#include "osm/osm.h"
#include "common/modes.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int in_list(const char *v, const char *const *list) {
    for (; *list; list++)
        if (!strcmp(v, *list)) return 1;
    return 0;
}

static const char *const WALK_CLASSES[] = {"trunk", "trunk_link", "primary", "primary_link", "secondary",
                                           "secondary_link", "tertiary", "tertiary_link", "unclassified",
                                           "residential", "living_street", "service", "road", "track", "path",
                                           "footway", "pedestrian", "steps", "cycleway", "bridleway", "corridor",
                                           "platform", NULL};
static const char *const CAR_CLASSES[] = {"motorway", "motorway_link", "trunk", "trunk_link", "primary",
                                          "primary_link", "secondary", "secondary_link", "tertiary", "tertiary_link",
                                          "unclassified", "residential", "living_street", "service", "road", NULL};
static const char *const BIKE_EXTRA[] = {"track", "path", "cycleway", NULL};
static const char *const ALL_KNOWN[] = {"motorway", "motorway_link", "footway", "pedestrian", "steps", "bridleway",
                                        "corridor", "platform", NULL};

double osm_default_car_kmh(const char *h) {
    static const struct { const char *cls; double kmh; } T[] = {
        {"motorway", 100}, {"motorway_link", 60}, {"trunk", 80}, {"trunk_link", 50}, {"primary", 60},
        {"primary_link", 40}, {"secondary", 50}, {"secondary_link", 40}, {"tertiary", 40}, {"tertiary_link", 30},
        {"unclassified", 35}, {"residential", 30}, {"living_street", 10}, {"service", 15}, {"road", 30}};
    for (size_t i = 0; i < sizeof T / sizeof *T; i++)
        if (!strcmp(h, T[i].cls)) return T[i].kmh;
    return 0;
}

/* National defaults for "XX:kind" maxspeed values (km/h); kind-only defaults when the country is not listed. */
static double country_speed(const char *cc, const char *kind) {
    static const struct { const char *cc, *kind; double kmh; } T[] = {
        {"RU", "urban", 60},        {"RU", "rural", 90},        {"DE", "rural", 100},         {"FR", "rural", 80},
        {"GB", "nsl_single", 96.6}, {"GB", "nsl_dual", 112.7},  {"GB", "motorway", 112.7},    {"IT", "rural", 90},
        {"IT", "motorway", 130},    {"FR", "motorway", 130},    {"DE", "motorway", 130},      {"PT", "rural", 90},
        {"PT", "motorway", 120},    {"BR", "urban", 60},        {"BR", "rural", 80},          {"US", "urban", 40}};
    for (size_t i = 0; i < sizeof T / sizeof *T; i++)
        if (!strcmp(cc, T[i].cc) && !strcmp(kind, T[i].kind)) return T[i].kmh;
    if (!strcmp(kind, "urban")) return 50;
    if (!strcmp(kind, "rural")) return 90;
    if (!strcmp(kind, "motorway")) return 120;
    if (!strcmp(kind, "trunk")) return 100;
    if (!strcmp(kind, "living_street")) return 10;
    if (!strcmp(kind, "walk")) return 7;
    if (!strcmp(kind, "nsl_single")) return 96.6;
    if (!strcmp(kind, "nsl_dual")) return 112.7;
    if (!strncmp(kind, "zone", 4)) {
        const char *p = kind + 4;
        while (*p && !isdigit((unsigned char)*p)) p++;
        double v = atof(p);
        return v > 0 ? v : 30;
    }
    return 0;
}

double osm_parse_maxspeed(const char *v) {
    if (!v) return 0;
    while (isspace((unsigned char)*v)) v++;
    if (!strcmp(v, "none")) return 130;
    if (!strcmp(v, "walk")) return 7;
    if (isdigit((unsigned char)*v)) {
        char *end;
        double n = strtod(v, &end); /* "50", "50;70" (first), "30 mph", "50 km/h", "40 knots" */
        while (isspace((unsigned char)*end)) end++;
        if (!strncmp(end, "mph", 3)) n *= 1.609344;
        else if (!strncmp(end, "knots", 5)) n *= 1.852;
        return n > 0 ? n : 0;
    }
    const char *colon = strchr(v, ':');
    if (colon && colon - v >= 2 && colon - v <= 3) {
        char cc[4] = {0};
        memcpy(cc, v, (size_t)(colon - v));
        return country_speed(cc, colon + 1);
    }
    return 0;
}

static const char *tag(int n, const char *const *k, const char *const *v, const char *key) {
    for (int i = 0; i < n; i++)
        if (!strcmp(k[i], key)) return v[i];
    return NULL;
}

/* the most specific of the keys present (listed most specific first), or NULL */
static const char *first_tag(int n, const char *const *k, const char *const *v, const char *const *keys) {
    for (; *keys; keys++) {
        const char *t = tag(n, k, v, *keys);
        if (t) return t;
    }
    return NULL;
}

static int denies(const char *v, const char *const *deny) { return v && in_list(v, deny); }

/* Cycling level of traffic stress (LTS, after Mekuria, Furth and Nixon's four levels, which R5 also uses) from the
 * tags alone:
 *   1  no motor traffic beside the cyclist: ways cars may not use (cycleway, path, track, pedestrian), or a
 *      separated track (cycleway*=track);
 *   2  quiet streets: residential, living_street, service and unclassified ways at most 30 km/h or without a
 *      speed, and any street up to tertiary with a painted lane (cycleway*=lane) at most 50 km/h;
 *   3  tertiary streets and lesser ones above 30 km/h, and secondary or larger streets with a painted lane at
 *      most 50 km/h;
 *   4  secondary, primary and trunk streets otherwise, and anything above 50 km/h.
 * A per-way override (R5's CSV form osm_id,lts: `build --lts-overrides`) replaces the result. */
static int traffic_stress(int n, const char *const *k, const char *const *v, const char *hw, int car, double kmh) {
    if (!car) return 1;
    static const char *const CW[] = {"cycleway", "cycleway:left", "cycleway:right", "cycleway:both", NULL};
    int track = 0, lane = 0;
    for (const char *const *c = CW; *c; c++) {
        const char *cw = tag(n, k, v, *c);
        if (cw && !strcmp(cw, "track")) track = 1;
        if (cw && !strcmp(cw, "lane")) lane = 1;
    }
    if (track) return 1;
    static const char *const QUIET[] = {"residential", "living_street", "service", "unclassified", "road", NULL};
    static const char *const MINOR[] = {"tertiary", "tertiary_link", NULL};
    const int has_speed = osm_parse_maxspeed(tag(n, k, v, "maxspeed")) > 0;
    if (kmh > 50) return 4;
    if (in_list(hw, QUIET)) return !has_speed || kmh <= 30 || lane ? 2 : 3;
    if (in_list(hw, MINOR)) return lane ? 2 : 3;
    return lane ? 3 : 4;
}

int osm_way_rules(int n, const char *const *k, const char *const *v, osm_way_access *out) {
    memset(out, 0, sizeof *out);
    const char *hw = tag(n, k, v, "highway");
    if (!hw) return 0;
    int walk_class = in_list(hw, WALK_CLASSES), car_class = in_list(hw, CAR_CLASSES);
    int bike_class = (car_class && strcmp(hw, "motorway") && strcmp(hw, "motorway_link")) || in_list(hw, BIKE_EXTRA);
    int known = walk_class || car_class || bike_class || in_list(hw, ALL_KNOWN);
    if (!known) return 0;
    const char *area = tag(n, k, v, "area");
    int is_area = area && !strcmp(area, "yes");

    static const char *const WALK_KEYS[] = {"foot", "access", NULL};
    static const char *const BIKE_KEYS[] = {"bicycle", "vehicle", "access", NULL};
    static const char *const CAR_KEYS[] = {"motorcar", "motor_vehicle", "vehicle", "access", NULL};
    static const char *const DENY[] = {"no", "private", "use_sidepath", NULL};
    static const char *const BIKE_DENY[] = {"no", "private", "use_sidepath", "dismount", NULL};
    static const char *const CAR_DENY[] = {"no", "private", "agricultural", "forestry", "emergency", "psv", "bus",
                                           NULL};

    const char *wv = first_tag(n, k, v, WALK_KEYS);
    int walk = wv ? !denies(wv, DENY) && (walk_class || tag(n, k, v, "foot")) : walk_class;
    const char *bv = first_tag(n, k, v, BIKE_KEYS);
    int bike = bv ? !denies(bv, BIKE_DENY) && (bike_class || tag(n, k, v, "bicycle")) : bike_class;
    const char *cv = first_tag(n, k, v, CAR_KEYS);
    int car = cv ? !denies(cv, CAR_DENY) && (car_class || tag(n, k, v, "motorcar") || tag(n, k, v, "motor_vehicle"))
                 : car_class;
    if (is_area) {
        /* a highway area: its outline is walkable; vehicles only when a mode tag says so explicitly */
        if (!tag(n, k, v, "bicycle")) bike = 0;
        if (!tag(n, k, v, "motorcar") && !tag(n, k, v, "motor_vehicle")) car = 0;
    }

    /* direction for vehicles */
    const char *ow = tag(n, k, v, "oneway"), *junction = tag(n, k, v, "junction");
    int dir = 0; /* 0 both, 1 forward only, -1 backward only, 2 none */
    if (ow) {
        if (!strcmp(ow, "yes") || !strcmp(ow, "true") || !strcmp(ow, "1")) dir = 1;
        else if (!strcmp(ow, "-1") || !strcmp(ow, "reverse")) dir = -1;
        else if (!strcmp(ow, "reversible") || !strcmp(ow, "alternating")) dir = 2;
    } else if ((junction && (!strcmp(junction, "roundabout") || !strcmp(junction, "circular"))) ||
               !strcmp(hw, "motorway")) {
        dir = 1;
    }
    int bike_dir = dir;
    const char *obike = tag(n, k, v, "oneway:bicycle");
    if (obike) {
        if (!strcmp(obike, "no")) bike_dir = 0;
        else if (!strcmp(obike, "yes") || !strcmp(obike, "1")) bike_dir = 1;
        else if (!strcmp(obike, "-1")) bike_dir = -1;
    } else {
        static const char *const CW[] = {"cycleway", "cycleway:left", "cycleway:right", "cycleway:both", NULL};
        for (const char *const *c = CW; *c; c++) {
            const char *cw = tag(n, k, v, *c);
            if (cw && !strncmp(cw, "opposite", 8)) bike_dir = 0;
        }
    }
    if (walk) out->fwd |= STREET_WALK, out->bwd |= STREET_WALK;
    if (bike && bike_dir != 2) {
        if (bike_dir >= 0) out->fwd |= STREET_BIKE;
        if (bike_dir <= 0) out->bwd |= STREET_BIKE;
    }
    if (car && dir != 2) {
        if (dir >= 0) out->fwd |= STREET_CAR;
        if (dir <= 0) out->bwd |= STREET_CAR;
    }
    /* trucks: the car's classes and direction, their own access keys and limits (osm_truck.c) */
    if (osm_truck_way(n, k, v, car_class && (!is_area || tag(n, k, v, "hgv") || tag(n, k, v, "motor_vehicle"))) &&
        dir != 2) {
        if (dir >= 0) out->fwd |= STREET_TRUCK;
        if (dir <= 0) out->bwd |= STREET_TRUCK;
    }
    double kmh = osm_parse_maxspeed(tag(n, k, v, "maxspeed"));
    if (kmh <= 0) kmh = osm_default_car_kmh(hw);
    if (kmh <= 0) kmh = 30;
    if (kmh > 255) kmh = 255;
    if (kmh < 1) kmh = 1;
    out->car_kmh = (uint8_t)(kmh + 0.5);
    /* Where a place links to the streets (street_snap.c): not to a way in a tunnel, under a roof or on a motorway,
     * which a point beside or above it is almost never on (R5 leaves the same ways out of its linking). */
    out->lts = (out->fwd | out->bwd) & STREET_BIKE ? (uint8_t)traffic_stress(n, k, v, hw, car, kmh) : 0;
    const char *tunnel = tag(n, k, v, "tunnel"), *covered = tag(n, k, v, "covered");
    out->unlinkable = (tunnel && !strcmp(tunnel, "yes")) || (covered && !strcmp(covered, "yes")) ||
                      !strcmp(hw, "motorway");
    return (out->fwd | out->bwd) != 0;
}
