/*
 * osm.h — what the street builder needs from an OpenStreetMap PBF file: node positions, the ways some mode may use
 * (with their per-direction access and car speed already decided by the tag rules of osm_rules.c), and car turn
 * restrictions.
 *
 * Nodes are kept as parallel arrays sorted by id (PBF writers emit them sorted; we check and sort otherwise), so a
 * way's node reference is resolved by binary search; ids are int64 (OSM ids reach 2^63 in synthetic files).
 */
#ifndef TC_OSM_OSM_H
#define TC_OSM_OSM_H

#include "tongcheng.h"
#include "common/error.h"
#include "common/modes.h"
#include "osm/osm_truck.h"

#include <stddef.h>
#include <stdint.h>

/* Result of the tag rules for one way. */
typedef struct osm_way_access {
    uint8_t fwd, bwd; /* STREET_WALK | STREET_BIKE | STREET_CAR allowed along / against the way's node order */
    uint8_t car_kmh;  /* 1…255 */
    uint8_t unlinkable; /* nonzero: no point or stop is linked to this way (tunnels, covered ways, motorways) */
    uint8_t lts;        /* cycling level of traffic stress 1…4 (osm_rules.c); 0 where bicycles may not go */
} osm_way_access;

/* Heavy-vehicle rules (osm_truck.c). osm_truck_way: may some goods vehicle use a way of this class at all (hgv,
 * goods, motor_vehicle, vehicle, access; the query's vehicle then meets the limits of osm_truck_limits). */
int osm_truck_way(int n_tags, const char *const *keys, const char *const *values, int vehicle_class);
/* Fill out with the way's limits (osm_truck.h). Every value of a tag read here that is not understood is passed
 * to on_unknown(user, key, value, why) and that tag is left out — never guessed. */
typedef void (*osm_unknown_fn)(void *user, const char *key, const char *value, const char *why);
void osm_truck_limits(int n_tags, const char *const *keys, const char *const *values, street_truck_limit *out,
                      osm_unknown_fn on_unknown, void *user);
/* OSM length / weight values as the wiki documents them: metres ("3.5", "3.5 m"), feet and inches (12'6", "12 ft"),
 * tonnes ("7.5", "7.5 t"), "kg", "lbs", short tons "st", long tons "lt". Return 1 with *out (m or t) when
 * understood, 0 for "none" / "default" (no limit), -1 when not understood. */
int osm_parse_length_m(const char *value, double *out);
int osm_parse_weight_t(const char *value, double *out);

/* Apply the documented access rules (osm_rules.c) to a way's tags. Returns nonzero when some mode may use it. */
int osm_way_rules(int n_tags, const char *const *keys, const char *const *values, osm_way_access *out);
/* Parse an OSM maxspeed value for a way of the given highway class; 0 when it is not understood. */
double osm_parse_maxspeed(const char *value);
/* Default car speed for a highway class (km/h), 0 for classes cars may not use. */
double osm_default_car_kmh(const char *highway);

typedef struct osm_way {
    int64_t id;
    uint64_t ref_begin; /* into refs[] */
    uint32_t n_refs;
    osm_way_access acc;
    street_truck_limit truck;
} osm_way;

typedef struct osm_restriction {
    int64_t id;        /* relation id, for messages */
    int64_t from_way, via_node, to_way;
    uint8_t only;      /* only_* */
    int64_t via_way;   /* nonzero for a restriction via one way (via_node is then 0) */
} osm_restriction;

typedef struct osm_data {
    int64_t *node_ids;
    int32_t *node_coords; /* lat_e7, lon_e7 per node, parallel to node_ids */
    size_t n_nodes, cap_nodes;
    int64_t *refs;
    size_t n_refs, cap_refs;
    osm_way *ways;
    size_t n_ways, cap_ways;
    osm_restriction *restrictions;
    size_t n_restrictions, cap_restrictions;
    size_t n_ways_seen, n_relations_seen;
    size_t n_restrictions_via_way; /* restrictions via several ways: not applied (counted and reported) */
    size_t n_restrictions_bad;     /* restriction relations missing a from, via or to member */
    int oom;
    int64_t current_way;        /* the way being read, for messages */
    size_t n_truck_unknown;     /* heavy-vehicle tag values not understood (the first few reported by osm_read) */
    char truck_unknown[8][160];
} osm_data;

/* Read an OSM PBF file (readosm). A file that is not PBF (e.g. OSM XML, or anything else) is refused with a clear
 * error; problems inside the data are warnings to diag. */
tc_status osm_read(const char *path, osm_data *out, diag_log *diag, tc_error *err);
void osm_data_free(osm_data *d);
/* Index of node id in d (after osm_read), or SIZE_MAX. */
size_t osm_node_index(const osm_data *d, int64_t id);

#endif
