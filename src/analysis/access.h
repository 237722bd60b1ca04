/*
 * access.h — accessibility to opportunities per origin, with R5's decay functions.
 *
 * For one origin: A[column][cutoff][percentile] = Σ over destinations of opportunities[column][d] ×
 * weight(cutoff, travel time of d at that percentile). Weights follow com.conveyal.r5.analyst.decay exactly,
 * evaluated in seconds (our travel times are whole minutes, so t = 60 × minutes):
 *  - step:         1 when t < cutoff, else 0 (cumulative opportunities).
 *  - logistic:SD   logistic CDF with median = cutoff and standard deviation SD minutes (default 10), normalised to
 *                  1 at t = 0: w = (1 + e^(−c·k)) / (1 + e^((t−c)·k)), k = π / (SD·√3). At t = c, w ≈ 0.5.
 *  - exponential   R5's "exponential": the cutoff is the half-life, w = 0.5^(t/cutoff); 0 from two hours on.
 *  - exponential:K R5's "fixed-exponential" (r5r's fixed_exponential): w = e^(−K·t) with K per MINUTE, 0 < K < 1;
 *                  ignores the cutoff. (fixed_exponential:K and fixed-exponential:K are accepted too.)
 *  - linear:W      falls from 1 to 0 over W minutes (default 10) centred on the cutoff; W an integer 0–59.
 * Like R5, the smooth functions are cut to 0 from the first second where they drop below 0.001, unreachable
 * destinations weigh nothing, and only positive opportunity counts are added (R5 skips !(count > 0)).
 */
#ifndef TC_ANALYSIS_ACCESS_H
#define TC_ANALYSIS_ACCESS_H

#include "tongcheng.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TC_MAX_CUTOFFS 16

typedef enum tc_decay_kind {
    TC_DECAY_STEP = 0,
    TC_DECAY_LOGISTIC,
    TC_DECAY_EXPONENTIAL,       /* half-life = cutoff */
    TC_DECAY_FIXED_EXPONENTIAL, /* param = decay constant per minute */
    TC_DECAY_LINEAR
} tc_decay_kind;

typedef struct tc_decay {
    tc_decay_kind kind;
    double param; /* logistic: SD minutes; fixed exponential: per minute; linear: width minutes; else unused */
} tc_decay;

/* "step", "logistic[:SD]", "exponential[:K]", "fixed_exponential:K", "linear[:W]" → decay (defaults filled in). */
tc_status tc_decay_parse(const char *text, tc_decay *out, tc_error *err);

/* Weight in [0, 1] of an opportunity travel_seconds away under cutoff_seconds, R5's definition (incl. the cut to 0
 * beyond the zero point). */
double tc_decay_weight(const tc_decay *decay, int cutoff_seconds, int travel_seconds);

/* The first travel time (seconds) from which the weight is 0 for this cutoff. */
int tc_decay_zero_point(const tc_decay *decay, int cutoff_seconds);

/* tc_parse_cutoffs (tongcheng.h) reads "15,30,45,60" into TC_MAX_CUTOFFS values. */

/* Accessibility for one origin. percentile_minutes: n_dest × n_percentiles (from tc_travel_time_percentiles;
 * TC_TT_UNREACHED = unreachable). opportunities: n_columns arrays of n_dest counts. out: n_columns × n_cutoffs ×
 * n_percentiles values, index ((column · n_cutoffs) + cutoff) · n_percentiles + percentile. */
tc_status tc_accessibility(const uint16_t *percentile_minutes, uint32_t n_dest, size_t n_percentiles,
                           const double *const *opportunities, size_t n_columns, const int *cutoffs_min,
                           size_t n_cutoffs, const tc_decay *decay, double *out, tc_error *err);

/* The CSV header "id,column,cutoff,percentile,accessibility\n". Returns 0 or EOF. */
int tc_access_write_header(FILE *fp);

/* The rows of one origin, in out's order: id,column,cutoff,percentile,accessibility. Returns 0 or EOF. */
int tc_access_write_rows(FILE *fp, const char *origin_id, const char *const *column_names, size_t n_columns,
                         const int *cutoffs_min, size_t n_cutoffs, const int *percentiles, size_t n_percentiles,
                         const double *values);

#endif
