/*
 * circle.h — the one-hour commute circle report (issue 6): for every place × city core, transit door-to-door
 * travel time (median and 90th percentile over a departure window, R5 semantics through the analysis API) and car
 * time; per core, the area and population inside its isochrone and the places inside; the places within the cutoff
 * of every core ("three cities in one hour"); at rail hubs, the waits of the connections between high-speed,
 * intercity / rail and metro services in the window. One circle_result per network (baseline, then one per
 * scenario, each a network rebuilt from the same inputs + the scenario); the writers put them side by side.
 *
 * Computing and writing are split so that tests can check the numbers without files, and the writers can be
 * tested on hand-made results.
 */
#ifndef TC_REPORT_CIRCLE_H
#define TC_REPORT_CIRCLE_H

#include "tongcheng.h"
#include "common/error.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A place or a core from a CSV with columns id, name, lat, lon and optionally name_zh, kind, approximate. */
typedef struct circle_place {
    char *id, *name, *name_zh, *kind;
    double lat, lon;
    int approximate; /* coordinates estimated: the report says so */
} circle_place;

typedef struct circle_places {
    circle_place *v;
    size_t n;
} circle_places;

/* Read a places CSV (path names errors with line and column). */
tc_status circle_places_read(const char *path, circle_places *out, tc_error *err);
tc_status circle_places_parse(const char *name, const char *text, size_t len, circle_places *out, tc_error *err);
void circle_places_free(circle_places *p);

/* A population grid: points with a count each (analysis/points.h format: id, lat, lon, population). */
typedef struct circle_population {
    size_t n;
    double *lat, *lon, *count;
    double total;
    char *column; /* the column read */
} circle_population;

tc_status circle_population_read(const char *path, const char *column, circle_population *out, tc_error *err);
void circle_population_free(circle_population *p);

/* A road model for car times without OSM (circle_roads.c; format in data/changzhutan/README.md). */
typedef struct circle_roads circle_roads;

/* Read the model at path, plus roads (and nodes) added by scenarios: extra[k] are "add_road" modification
 * objects ({"roads": [...], "nodes": [...]}) from the files extra_file[k] (for messages). Errors name the file and
 * the JSON path. */
tc_status circle_roads_read(const char *path, const cJSON *const *extra, const char *const *extra_file,
                            size_t n_extra, circle_roads **out, tc_error *err);
void circle_roads_free(circle_roads *r);
size_t circle_roads_n_roads(const circle_roads *r);
/* Minutes by car from a to b: local streets to and from the nearest nodes, the fastest path over the roads
 * between (speeds × peak_factor when peak), or local streets all the way when faster. */
double circle_roads_car_min(const circle_roads *r, double alat, double alon, double blat, double blon, int peak);
/* A delivery truck on the road model: capped at the model's truck max_kmh (default 80), and kept out of the
 * city-centre zones ("truck" in roads.json) during their ban unless it holds that city's permit. */
typedef struct circle_truck {
    const char *permit_city;  /* the city whose delivery permit it holds (its hub's), or NULL */
    int all_permits;          /* mutual recognition: every city's permit */
    int32_t depart_s;         /* seconds after midnight: decides the ban windows */
    int peak;
} circle_truck;
/* Minutes from a to each of n points (one search); INFINITY where an end lies in a zone closed to the truck. */
tc_status circle_roads_truck_from(const circle_roads *r, double alat, double alon, const circle_truck *t,
                                  const double *blat, const double *blon, size_t n, double *out_min);
size_t circle_roads_n_truck_zones(const circle_roads *r);
/* The city of the zone nearest to a point (a hub's home city), NULL without zones. */
const char *circle_roads_zone_city(const circle_roads *r, double lat, double lon);

typedef struct circle_params {
    int32_t date;                  /* service day */
    int32_t window_start, window_end; /* departures every minute in [start, end) */
    int cutoff_min;                /* default 60 */
    tc_mode access_mode;           /* access/egress to transit: walk (default) or car (feeder bus / taxi) */
    int max_access_min;            /* default 20 */
    double walk_speed_mps;         /* <= 0: the network's walking speed */
    double bike_speed_mps;         /* <= 0: TC_DEFAULT_BIKE_SPEED_MPS */
    int32_t board_slack_s;         /* minimum wait before every boarding (tc_analysis_options) */
    int draws;                     /* Monte Carlo draws per minute for frequency-based trips (analysis default) */
    double car_speed_kmh;          /* car speed without a street network (straight line × the network's detour) */
    int max_duration_min;          /* times beyond this are unreached; default 180 */
    const circle_population *population; /* may be NULL */
    int isochrones;                /* nonzero: compute each core's isochrone (area, GeoJSON) */
    const circle_roads *roads;     /* car times when the network has no street network (may be NULL) */
    int car_peak;                  /* apply the road model's peak-hour factors */
} circle_params;

void circle_params_init(circle_params *p);

/* One place × core. */
typedef struct circle_pair {
    uint16_t p50, p90; /* minutes, TC_UNREACHED_MIN */
    double car_min;    /* NAN when the car cannot make it */
    int inside;        /* p50 <= cutoff */
} circle_pair;

/* Service classes at hubs. */
typedef enum circle_class { CC_HIGH_SPEED = 0, CC_RAIL = 1, CC_METRO = 2, CC_OTHER = 3 } circle_class;
const char *circle_class_name(circle_class c);
circle_class circle_class_of_route_type(int route_type);

/* The connections from arrivals of one class to departures of another at one hub in the window. */
typedef struct circle_hub_stat {
    char hub[160];  /* the station's name */
    char hub_id[96];
    circle_class from, to;
    size_t arrivals;  /* arrivals of the from class in the window */
    size_t connected; /* of which had a feasible departure within 2 h */
    int32_t wait_min_s, wait_p50_s, wait_max_s; /* departure − arrival over the connected ones */
    int32_t transfer_min_s, transfer_max_s;     /* the minimum transfer times that applied */
    int frequency_based;                        /* departures of a frequency-based service were counted at
                                                   nominal times (their phase is unknown) */
} circle_hub_stat;

/* A line for the map: a pattern's stops in order. */
typedef struct circle_line {
    char color[8]; /* "RRGGBB" or "" */
    char name[64];
    int route_type;
    size_t n;
    double *lat, *lon;
} circle_line;

typedef struct circle_result {
    char *name;        /* "baseline" or the scenario's name */
    char *description; /* "" for the baseline */
    size_t n_places, n_cores;
    circle_pair *pairs;       /* [place * n_cores + core] */
    double *core_area_km2;    /* per core; NAN when isochrones were not computed */
    double *core_population;  /* per core; NAN without a population grid */
    double population_all_cores; /* residents within the cutoff of every core (from each core outbound); NAN
                                    without a population grid */
    double population_total;     /* the grid's total (the share's denominator); NAN without a grid */
    double *core_walk_to_stop_min; /* per core: walking minutes to the nearest stop (straight line × detour): more
                                      than the access limit means transit cannot reach the core on foot */
    char **core_isochrones;   /* per core: the GeoJSON FeatureCollection of tc_isochrones, or NULL */
    uint8_t *all_cores;       /* per place: inside for every core */
    circle_hub_stat *hubs;
    size_t n_hubs;
    circle_line *lines;
    size_t n_lines;
    int car_straight_line;    /* no street network: car = straight line × car_detour at car_speed_kmh */
    int car_road_model;       /* no street network: car times from the road model (params.roads) */
    double car_detour, car_speed_kmh;
    double bbox[4];           /* min_lon, min_lat, max_lon, max_lat of the network's stops */
} circle_result;

/* Compute the report's numbers on one network. name/description label the result. */
tc_status circle_compute(const tc_network *net, const circle_params *p, const circle_places *places,
                         const circle_places *cores, const char *name, const char *description, circle_result *out,
                         tc_error *err);
void circle_result_free(circle_result *r);

/* Only the hub statistics (used by circle_compute; exposed for tests). */
tc_status circle_hub_waits(const tc_network *net, const circle_params *p, circle_hub_stat **out, size_t *n_out,
                           tc_error *err);

/* The freight section (circle_freight.c): named logistics sites and the people their delivery trucks reach, today and
 * with mutual recognition of delivery permits. */
#define CIRCLE_FREIGHT_CUTOFFS 3
typedef struct circle_freight {
    tc_hub *hubs;
    size_t n_hubs, n_zones;
    const char **home;          /* per hub: the city whose permit it holds (nearest zone's), pointing into roads */
    int cutoffs[CIRCLE_FREIGHT_CUTOFFS];
    int32_t depart_s;
    double *pop;                /* [(mutual * n_hubs + h) * CUTOFFS + k] */
    double *pop_any;            /* [mutual * CUTOFFS + k]: reached from at least one site */
    double total_pop;
} circle_freight;
tc_status circle_freight_compute(const circle_roads *roads, const char *hubs_path, const circle_population *pop,
                                 int32_t depart_s, circle_freight **out, tc_error *err);
void circle_freight_free(circle_freight *f);
/* freight.csv: hub_id,name,type,home_city,cutoff_min,population_today,population_mutual_recognition,change */
tc_status circle_freight_write_csv(const circle_freight *f, const char *path, tc_error *err);
void circle_freight_print(const circle_freight *f, FILE *out);
void circle_freight_html(const circle_freight *f, FILE *out);

/* What the writers need besides the results. */
typedef struct circle_report {
    const circle_result *results; /* [0] baseline, then the scenarios */
    size_t n_results;
    const circle_places *places, *cores;
    const circle_params *params;
    const char *network_label; /* e.g. "data/changzhutan/network.sketch.json" */
    int sketch_model;          /* the numbers rest on assumed figures: say "sketch model" */
    const char *const *assumptions; /* the assumptions that remain, one line each (may be NULL) */
    size_t n_assumptions;
    const circle_freight *freight; /* the freight section, or NULL */
} circle_report;

/* circle.csv: scenario,place,core,transit_p50_min,transit_p90_min,car_min,inside (atomically written). */
tc_status circle_write_csv(const circle_report *r, const char *path, tc_error *err);
/* isochrones.geojson: every core's isochrone of every result, with properties scenario and core added. */
tc_status circle_write_geojson(const circle_report *r, const char *path, tc_error *err);
/* One GeoPackage (layers circle, isochrones, places, cores; circle_gpkg.c), instead of the folder's files. */
tc_status circle_write_gpkg(const circle_report *r, const char *path, tc_error *err);
/* report.html: one self-contained file (inline CSS, SVG maps, the tables). */
tc_status circle_write_html(const circle_report *r, const char *path, tc_error *err);
/* The readable table for stdout. */
void circle_print_table(const circle_report *r, FILE *out);

/* "07:00" from seconds. buf >= 16. */
void circle_format_clock(int32_t s, char *buf);

#endif
