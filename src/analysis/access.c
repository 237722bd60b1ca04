/*
 * access.c — decay functions and accessibility sums (see access.h for the definitions and their R5 origin).
 *
 * Travel times arrive in whole minutes, so the weights are tabulated once per call for every minute up to the
 * largest finite time present (n_cutoffs × that many doubles), and the sum over destinations is table look-ups:
 * the logistic's exp() is not paid per destination.
 */
#include "analysis/access.h"
#include "common/csv_out.h"
#include "analysis/travel_times.h"
#include "common/error.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TWO_HOURS_S 7200
#define FOUR_HOURS_S 14400
#define ZERO_EPSILON 0.001

static double raw_weight(const tc_decay *d, int c, int t) {
    switch (d->kind) {
    case TC_DECAY_STEP: return t < c ? 1.0 : 0.0;
    case TC_DECAY_LOGISTIC: {
        double k = M_PI / (d->param * 60.0 * sqrt(3.0));
        return (1.0 + exp(-(double)c * k)) / (1.0 + exp((double)(t - c) * k));
    }
    case TC_DECAY_EXPONENTIAL:
        if (t <= 0) return 1.0;
        if (t >= TWO_HOURS_S || c <= 0) return 0.0;
        return exp(log(0.5) / c * t);
    case TC_DECAY_FIXED_EXPONENTIAL:
        if (t <= 0) return 1.0;
        if (t >= TWO_HOURS_S) return 0.0;
        return exp(-(d->param / 60.0) * t);
    case TC_DECAY_LINEAR: {
        int width = (int)d->param * 60, half = width / 2;
        int index = t - (c - half);
        if (index < 0) return 1.0;
        if (index < width) return 1.0 - (index + 0.5) / width;
        return 0.0;
    }
    }
    return 0.0;
}

int decay_zero_point(const tc_decay *d, int c) {
    if (d->kind == TC_DECAY_STEP) return c;
    if (d->kind == TC_DECAY_LINEAR) return c + (int)d->param * 60 / 2;
    /* bisection for the first second with weight below epsilon (R5's DecayFunction.findZeroPoint) */
    int lo = 0, hi = FOUR_HOURS_S;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (raw_weight(d, c, mid) < ZERO_EPSILON) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

double decay_weight(const tc_decay *d, int c, int t) {
    if (t >= decay_zero_point(d, c)) return 0.0;
    return raw_weight(d, c, t);
}

tc_status tc_decay_parse(const char *text, tc_decay *out, tc_error *err) {
    const char *colon = strchr(text, ':');
    size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
    double param = NAN;
    if (colon) {
        char *end;
        errno = 0;
        param = strtod(colon + 1, &end);
        if (end == colon + 1 || *end || errno || !isfinite(param))
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "bad decay parameter in '%s'", text);
    }
#define IS(name) (name_len == strlen(name) && strncasecmp(text, name, name_len) == 0)
    tc_decay d = {TC_DECAY_STEP, 0};
    if (IS("step")) {
        if (colon) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "step decay takes no parameter");
    } else if (IS("logistic")) {
        d.kind = TC_DECAY_LOGISTIC;
        d.param = colon ? param : 10.0;
        if (!(d.param > 0 && d.param < 120))
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                           "logistic standard deviation must be above 0 and under 120 minutes, got '%s'", text);
    } else if (IS("exponential") && !colon) {
        d.kind = TC_DECAY_EXPONENTIAL;
    } else if (IS("exponential") || IS("fixed_exponential") || IS("fixed-exponential")) {
        d.kind = TC_DECAY_FIXED_EXPONENTIAL;
        d.param = param;
        if (!(param > 0 && param < 1))
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                           "exponential decay constant must be between 0 and 1 per minute, got '%s'", text);
    } else if (IS("linear")) {
        d.kind = TC_DECAY_LINEAR;
        d.param = colon ? param : 10.0;
        if (!(d.param >= 0 && d.param < 60) || d.param != floor(d.param))
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                           "linear decay width must be a whole number of minutes, 0 to 59, got '%s'", text);
    } else {
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                         "unknown decay '%s' (expected step, logistic[:SD], exponential[:K] or linear[:WIDTH])", text);
    }
#undef IS
    *out = d;
    return TC_OK;
}

tc_status tc_parse_cutoffs(const char *text, int *out, size_t *n_out, tc_error *err) {
    size_t n = 0;
    const char *s = text;
    for (;;) {
        char *end;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (end == s || errno || (*end && *end != ',') || v < 0 || v > 1440)
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                           "bad cutoff list '%s' (expected minutes 0-1440 separated by commas, e.g. 15,30,45,60)",
                           text);
        if (n == TC_MAX_CUTOFFS)
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "at most %d cutoffs, got more in '%s'",
                             TC_MAX_CUTOFFS, text);
        out[n++] = (int)v;
        if (!*end) break;
        s = end + 1;
    }
    *n_out = n;
    return TC_OK;
}

tc_status tc_accessibility(const uint16_t *pt, uint32_t n_dest, size_t n_percentiles,
                           const double *const *opportunities, size_t n_columns, const int *cutoffs_min,
                           size_t n_cutoffs, const tc_decay *decay, double *out, tc_error *err) {
    if (n_cutoffs < 1 || n_cutoffs > TC_MAX_CUTOFFS || n_percentiles < 1)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "need 1-%d cutoffs and at least one percentile",
                         TC_MAX_CUTOFFS);
    for (size_t c = 0; c < n_cutoffs; c++)
        if (cutoffs_min[c] < 0 || cutoffs_min[c] > 1440)
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "cutoff %d is not 0-1440 minutes",
                             cutoffs_min[c]);
    memset(out, 0, n_columns * n_cutoffs * n_percentiles * sizeof *out);
    size_t n_values = (size_t)n_dest * n_percentiles;
    uint16_t max_minute = 0;
    for (size_t i = 0; i < n_values; i++)
        if (pt[i] != TC_UNREACHED_MIN && pt[i] > max_minute) max_minute = pt[i];
    size_t n_minutes = (size_t)max_minute + 1;
    double *table = malloc(n_cutoffs * n_minutes * sizeof *table);
    if (!table) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    for (size_t c = 0; c < n_cutoffs; c++) {
        int cs = cutoffs_min[c] * 60, zero = decay_zero_point(decay, cs);
        for (size_t m = 0; m < n_minutes; m++) {
            int ts = (int)m * 60;
            table[c * n_minutes + m] = ts >= zero ? 0.0 : raw_weight(decay, cs, ts);
        }
    }
    for (size_t k = 0; k < n_columns; k++) {
        const double *opp = opportunities[k];
        double *acc = out + k * n_cutoffs * n_percentiles;
        for (uint32_t d = 0; d < n_dest; d++) {
            double count = opp[d];
            if (!(count > 0)) continue;
            const uint16_t *row = pt + (size_t)d * n_percentiles;
            for (size_t p = 0; p < n_percentiles; p++) {
                uint16_t m = row[p];
                if (m == TC_UNREACHED_MIN) continue;
                for (size_t c = 0; c < n_cutoffs; c++) acc[c * n_percentiles + p] += count * table[c * n_minutes + m];
            }
        }
    }
    free(table);
    return TC_OK;
}

int tc_access_write_header(FILE *fp) {
    return fputs("id,column,cutoff,percentile,accessibility\n", fp) < 0 ? EOF : 0;
}

int tc_access_write_rows(FILE *fp, const char *origin_id, const char *const *column_names, size_t n_columns,
                         const int *cutoffs_min, size_t n_cutoffs, const int *percentiles, size_t n_percentiles,
                         const double *values) {
    for (size_t k = 0; k < n_columns; k++)
        for (size_t c = 0; c < n_cutoffs; c++)
            for (size_t p = 0; p < n_percentiles; p++) {
                if (csv_put_field(fp, origin_id) || putc(',', fp) == EOF ||
                    csv_put_field(fp, column_names[k]) ||
                    fprintf(fp, ",%d,%d,%.10g\n", cutoffs_min[c], percentiles[p],
                            values[(k * n_cutoffs + c) * n_percentiles + p]) < 0)
                    return EOF;
            }
    return 0;
}
