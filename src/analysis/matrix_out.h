/*
 * matrix_out.h — the travel-time matrix CSV: `from_id,to_id,travel_time_p50[,…]`, one row per origin–destination
 * pair, one column per percentile (header names them travel_time_pN), unreachable = empty cell (r5r leaves NA).
 * The caller owns the stream (an atomic file), so rows of many origins can be streamed as they are computed.
 */
#ifndef TC_ANALYSIS_MATRIX_OUT_H
#define TC_ANALYSIS_MATRIX_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "from_id,to_id,travel_time_p5,travel_time_p50\n". Returns 0 or EOF. */
int tc_matrix_write_header(FILE *fp, const int *percentiles, size_t n_percentiles);

/* The rows of one origin: for each destination d (in order), from_id, to_ids[d], then its n_percentiles values
 * from percentile_minutes (n_dest × n_percentiles, TC_UNREACHED_MIN → empty). skip_unreachable: omit destinations
 * unreachable at every percentile (keeps all-to-all outputs small). Returns 0 or EOF. */
int tc_matrix_write_rows(FILE *fp, const char *from_id, const char *const *to_ids, uint32_t n_dest,
                         const uint16_t *percentile_minutes, size_t n_percentiles, int skip_unreachable);

#endif
