/*
 * builder.h — the network builder's core, split from tc_build() so that it can be driven by feeds that were not read
 * from disk (unit tests fill gtfs_feed structs by hand; the sketch format produces them from JSON).
 *
 * tc_build() = for each source: gtfs_feed_read(); then build_from_feeds().
 */
#ifndef TC_NETWORK_BUILDER_H
#define TC_NETWORK_BUILDER_H

#include "tongcheng.h"
#include "common/error.h"
#include "gtfs/feed.h"

#include <stddef.h>

/* Compile feeds[0..n_feeds) (each with its name set; names unique) into a network file at out_path. Build
 * parameters come from opts (its feeds/n_feeds are ignored; osm_path, radii, speeds, progress are used). Warnings go
 * to diag (may be NULL). The feeds are not modified. */
tc_status build_from_feeds(gtfs_feed *const *feeds, size_t n_feeds, const tc_build_options *opts, diag_log *diag,
                           const char *out_path, tc_error *err);

/* Walking transfers by straight line: for every pair of the given points whose distance × detour is at most
 * radius_m, one entry each way. CSR over the points: begin[n + 1], to[], metres[] (rounded walking distance),
 * each row sorted by distance then target. Uses a sorted grid (cells of the search radius), not all pairs.
 * include[i] == 0 leaves point i out (no transfers from or to it); include may be NULL. */
tc_status straight_line_transfers(const double *lat, const double *lon, const uint8_t *include, uint32_t n,
                                  double radius_m, double detour, uint32_t **begin_out, uint32_t **to_out,
                                  uint32_t **metres_out, uint32_t *count_out, tc_error *err);

#endif
