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

/* TC_MAX_CUTOFFS, tc_decay, tc_decay_parse, tc_accessibility and the CSV writers are public (tongcheng.h). */

/* Weight in [0, 1] of an opportunity travel_seconds away under cutoff_seconds, R5's definition (incl. the cut to 0
 * beyond the zero point). */
double decay_weight(const tc_decay *decay, int cutoff_seconds, int travel_seconds);

/* The first travel time (seconds) from which the weight is 0 for this cutoff. */
int decay_zero_point(const tc_decay *decay, int cutoff_seconds);

#endif
