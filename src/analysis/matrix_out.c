/*
 * matrix_out.c — the travel-time matrix CSV (tc_matrix_write_header / _rows in tongcheng.h):
 * `from_id,to_id,travel_time_p50[,…]`, one row per origin–destination pair, one column per percentile,
 * unreachable = empty cell (r5r leaves NA). The caller owns the stream (an atomic file), so rows of many origins
 * can be streamed as they are computed.
 */
#include "tongcheng.h"
#include "common/csv_out.h"
#include "analysis/travel_times.h"

int tc_matrix_write_header(FILE *fp, const int *percentiles, size_t n_percentiles) {
    if (fputs("from_id,to_id", fp) < 0) return EOF;
    for (size_t p = 0; p < n_percentiles; p++)
        if (fprintf(fp, ",travel_time_p%d", percentiles[p]) < 0) return EOF;
    return putc('\n', fp) == EOF ? EOF : 0;
}

int tc_matrix_write_rows(FILE *fp, const char *from_id, const char *const *to_ids, uint32_t n_dest,
                         const uint16_t *pm, size_t n_percentiles, int skip_unreachable) {
    for (uint32_t d = 0; d < n_dest; d++) {
        const uint16_t *row = pm + (size_t)d * n_percentiles;
        if (skip_unreachable) {
            size_t p = 0;
            while (p < n_percentiles && row[p] == TC_UNREACHED_MIN) p++;
            if (p == n_percentiles) continue;
        }
        if (csv_put_field(fp, from_id) || putc(',', fp) == EOF || csv_put_field(fp, to_ids[d])) return EOF;
        for (size_t p = 0; p < n_percentiles; p++) {
            if (row[p] == TC_UNREACHED_MIN) {
                if (putc(',', fp) == EOF) return EOF;
            } else if (fprintf(fp, ",%u", (unsigned)row[p]) < 0) {
                return EOF;
            }
        }
        if (putc('\n', fp) == EOF) return EOF;
    }
    return 0;
}
