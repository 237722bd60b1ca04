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

#include <stddef.h>
#include <stdint.h>

/* Result of the tag rules for one way. */
typedef struct osm_way_access {
    uint8_t fwd, bwd; /* STREET_WALK | STREET_BIKE | STREET_CAR allowed along / against the way's node order */
    uint8_t car_kmh;  /* 1…255 */
    uint8_t unlinkable; /* nonzero: no point or stop is linked to this way (tunnels, covered ways, motorways) */
    uint8_t lts;        /* cycling level of traffic stress 1…4 (osm_rules.c); 0 where bicycles may not go */
} osm_way_access;

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
} osm_data;

/* Read an OSM PBF file (readosm). A file that is not PBF (e.g. OSM XML, or anything else) is refused with a clear
 * error; problems inside the data are warnings to diag. */
tc_status osm_read(const char *path, osm_data *out, tc_diag *diag, tc_error *err);
void osm_data_free(osm_data *d);
/* Index of node id in d (after osm_read), or SIZE_MAX. */
size_t osm_node_index(const osm_data *d, int64_t id);

#endif
