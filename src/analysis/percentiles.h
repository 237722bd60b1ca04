/*
 * percentiles.h — reducing each destination's per-sample travel times to a few percentiles, R5's way.
 *
 * R5 (TravelTimeReducer.findPercentileIndex) takes the non-interpolated nearest-rank percentile: sort a
 * destination's n sample times, unreached samples counting as +infinity, and pick index ceil(p/100 · n) − 1 (clamped
 * to 0..n−1). So p50 is unreachable as soon as more than half the samples are. A value above the maximum duration
 * is reported as unreachable too.
 */
#ifndef TC_ANALYSIS_PERCENTILES_H
#define TC_ANALYSIS_PERCENTILES_H

#include "tongcheng.h"
#include "analysis/travel_times.h"

#include <stddef.h>
#include <stdint.h>

#define TC_MAX_PERCENTILES 5

/* Check a list of 1–5 percentiles, each 0–100 (any order, repeats allowed). */
tc_status percentiles_check(const int *percentiles, size_t n_percentiles, tc_error *err);

/* tc_parse_percentiles (tongcheng.h) reads "5,50,95" into TC_MAX_PERCENTILES values, checked as above. */

/* The sorted-array index R5 reads percentile p from among n samples (n ≥ 1). */
uint32_t percentile_index(uint32_t n_samples, int percentile);

/* For every destination, the requested percentiles of its samples in whole minutes, TC_UNREACHED_MIN where
 * unreachable or above max_duration_min. out holds n_dest × n_percentiles values, destination-major, percentiles in
 * the order given. A counting pass over minutes (0..max_duration) replaces a sort per destination. */
tc_status travel_time_percentiles(const travel_times *tt, const int *percentiles, size_t n_percentiles,
                                  uint16_t max_duration_min, uint16_t *out, tc_error *err);

#endif
