/*
 * percentiles.c — per-destination percentiles of the sample travel times (see percentiles.h).
 *
 * Times are whole minutes ≤ max duration (at most a few hundred distinct values), so a histogram beats sorting:
 * one branch-free pass counts the samples per minute, one walk of the cumulative counts finds every requested rank,
 * and a memset clears the histogram (max duration + 2 counters) for the next destination, or, when the maximum is
 * huge, a second pass over the samples.
 */
#include "analysis/percentiles.h"
#include "common/error.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

tc_status percentiles_check(const int *percentiles, size_t n, tc_error *err) {
    if (n < 1 || n > TC_MAX_PERCENTILES)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "expected 1 to %d percentiles, got %zu",
                         TC_MAX_PERCENTILES, n);
    for (size_t i = 0; i < n; i++)
        if (percentiles[i] < 0 || percentiles[i] > 100)
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "percentile %d is not between 0 and 100",
                             percentiles[i]);
    return TC_OK;
}

tc_status tc_parse_percentiles(const char *text, int *out, size_t *n_out, tc_error *err) {
    size_t n = 0;
    const char *s = text;
    for (;;) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (end == s || errno || (*end && *end != ','))
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                             "bad percentile list '%s' (expected integers 0-100 separated by commas, e.g. 5,50,95)",
                             text);
        if (n == TC_MAX_PERCENTILES)
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "at most %d percentiles, got more in '%s'",
                             TC_MAX_PERCENTILES, text);
        out[n++] = v < 0 ? -1 : v > 100 ? 101 : (int)v;
        if (!*end) break;
        s = end + 1;
    }
    tc_status st = percentiles_check(out, n, err);
    if (st) return st;
    *n_out = n;
    return TC_OK;
}

uint32_t percentile_index(uint32_t n, int percentile) {
    /* ceil(p·n/100) − 1 in integers, exact (no floating rounding at the boundaries) */
    uint64_t rank = ((uint64_t)percentile * n + 99) / 100;
    if (rank == 0) return 0;
    if (rank > n) rank = n;
    return (uint32_t)(rank - 1);
}

tc_status travel_time_percentiles(const travel_times *tt, const int *percentiles, size_t n_percentiles,
                                  uint16_t max_duration_min, uint16_t *out, tc_error *err) {
    tc_status st = percentiles_check(percentiles, n_percentiles, err);
    if (st) return st;
    if (max_duration_min == TC_UNREACHED_MIN) max_duration_min = TC_UNREACHED_MIN - 1;
    uint32_t n = tt->n_samples;
    if (n == 0) {
        for (size_t i = 0; i < (size_t)tt->n_dest * n_percentiles; i++) out[i] = TC_UNREACHED_MIN;
        return TC_OK;
    }
    /* ranks in ascending order, remembering where each goes */
    uint32_t rank[TC_MAX_PERCENTILES];
    size_t order[TC_MAX_PERCENTILES];
    for (size_t i = 0; i < n_percentiles; i++) {
        rank[i] = percentile_index(n, percentiles[i]);
        order[i] = i;
    }
    for (size_t i = 1; i < n_percentiles; i++) /* insertion sort of ≤ 5 */
        for (size_t j = i; j > 0 && rank[order[j]] < rank[order[j - 1]]; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    /* bins 0..max for the reached minutes, one more collecting everything else (unreached or too long): the
     * counting loop then has no data-dependent branch */
    size_t over = (size_t)max_duration_min + 1, n_bins = over + 1;
    uint32_t *count = calloc(n_bins, sizeof *count);
    if (!count) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    int clear_by_samples = n_bins > 4 * (size_t)n;

    for (uint32_t d = 0; d < tt->n_dest; d++) {
        const uint16_t *s = tt->minutes + (size_t)d * n;
        uint16_t *o = out + (size_t)d * n_percentiles;
        for (uint32_t k = 0; k < n; k++) count[s[k] <= max_duration_min ? s[k] : over]++;
        uint32_t reached = n - count[over];
        /* ranks beyond the reached samples fall on +infinity; they are the highest, so fill from the top */
        size_t n_finite = n_percentiles;
        while (n_finite > 0 && rank[order[n_finite - 1]] >= reached) {
            o[order[n_finite - 1]] = TC_UNREACHED_MIN;
            n_finite--;
        }
        uint32_t cum = 0;
        for (size_t m = 0, next = 0; next < n_finite; m++) { /* terminates: rank < reached = Σ count[0..max] */
            cum += count[m];
            while (next < n_finite && rank[order[next]] < cum) o[order[next++]] = (uint16_t)m;
        }
        if (clear_by_samples) /* a huge max duration: re-visit the samples rather than memset the histogram */
            for (uint32_t k = 0; k < n; k++) count[s[k] <= max_duration_min ? s[k] : over] = 0;
        else
            memset(count, 0, n_bins * sizeof *count);
    }
    free(count);
    return TC_OK;
}
