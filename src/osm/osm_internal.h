/*
 * osm_internal.h — shared between the files of src/osm (not used elsewhere).
 */
#ifndef TC_OSM_OSM_INTERNAL_H
#define TC_OSM_OSM_INTERNAL_H

#include "osm/osm.h"

/* Append a node (coordinates in degrees); nonzero when out of memory. */
int osm_add_node(osm_data *d, int64_t id, double lat, double lon);
/* Read the plain (non-dense) Node messages of a PBF file into d (readosm skips them). */
tc_status osm_read_plain_nodes(const char *path, osm_data *d, size_t *n_found, tc_error *err);

#endif
