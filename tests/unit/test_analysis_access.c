/* test_analysis_access.c — R5's decay functions at known points, accessibility sums against a hand count and a
 * direct per-destination sum, non-decreasing in the cutoff, the output rows, and the matrix CSV rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "analysis/access.h"
#include "tongcheng.h"
#include "analysis/travel_times.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tc_decay decay(const char *text) {
    tc_decay d;
    tc_error err;
    if (tc_decay_parse(text, &d, &err) != TC_OK) fail_msg("%s: %s", text, err.message);
    return d;
}

static void test_decay_definitions(void **state) {
    (void)state;
    const int c = 30 * 60;
    tc_decay step = decay("step");
    assert_true(decay_weight(&step, c, c - 1) == 1.0);
    assert_true(decay_weight(&step, c, c) == 0.0);
    assert_true(decay_weight(&step, c, 0) == 1.0);

    /* logistic: median at the cutoff, normalised to 1 at t = 0: at t = c the weight is (1 + e^(−c·k)) / 2 */
    tc_decay logi = decay("logistic");
    assert_true(logi.param == 10.0);
    double k = M_PI / (600.0 * sqrt(3.0));
    assert_true(fabs(decay_weight(&logi, c, c) - (1 + exp(-c * k)) / 2) < 1e-12);
    assert_true(fabs(decay_weight(&logi, c, c) - 0.5) < 0.005);
    assert_true(decay_weight(&logi, c, 0) == 1.0);
    /* one standard deviation later: 1/(1+e^(π/√3)) ≈ 0.1402 (times the normaliser) */
    assert_true(fabs(decay_weight(&logi, c, c + 600) - (1 + exp(-c * k)) / (1 + exp(M_PI / sqrt(3.0)))) < 1e-12);
    tc_decay logi5 = decay("logistic:5");
    assert_true(decay_weight(&logi5, c, c + 300) < decay_weight(&logi, c, c + 600) + 1e-12);
    /* cut to zero at the first second below 0.001 */
    int z = decay_zero_point(&logi, c);
    assert_true(decay_weight(&logi, c, z - 1) >= 0.001);
    assert_true(decay_weight(&logi, c, z) == 0.0);
    double raw_at_z = (1 + exp(-c * k)) / (1 + exp((z - c) * k));
    assert_true(raw_at_z < 0.001 && raw_at_z > 0.0009);

    /* exponential: the cutoff is the half-life */
    tc_decay ex = decay("exponential");
    assert_int_equal(ex.kind, TC_DECAY_EXPONENTIAL);
    assert_true(fabs(decay_weight(&ex, c, c) - 0.5) < 1e-12);
    assert_true(fabs(decay_weight(&ex, c, 2 * c) - 0.25) < 1e-12);
    assert_true(decay_weight(&ex, c, 0) == 1.0);
    /* fixed exponential, constant per minute */
    tc_decay fx = decay("exponential:0.1");
    assert_int_equal(fx.kind, TC_DECAY_FIXED_EXPONENTIAL);
    assert_true(fabs(decay_weight(&fx, c, 600) - exp(-1.0)) < 1e-12);
    assert_true(decay_weight(&fx, 15 * 60, 600) == decay_weight(&fx, 60 * 60, 600)); /* ignores the cutoff */

    /* linear, width 10 min centred on the cutoff: 1 until c−5 min, 0 from c+5 min, ~0.5 at c */
    tc_decay lin = decay("linear");
    assert_true(lin.param == 10.0);
    assert_true(decay_weight(&lin, c, c - 301) == 1.0);
    assert_true(fabs(decay_weight(&lin, c, c - 300) - (1 - 0.5 / 600)) < 1e-12);
    assert_true(fabs(decay_weight(&lin, c, c) - (1 - 300.5 / 600)) < 1e-12);
    assert_true(decay_weight(&lin, c, c + 299) > 0);
    assert_true(decay_weight(&lin, c, c + 300) == 0.0);

    /* every function is non-increasing in travel time and non-decreasing in the cutoff */
    const char *all[] = {"step", "logistic", "logistic:3", "exponential", "exponential:0.05", "linear:20", "linear:0"};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        tc_decay d = decay(all[i]);
        for (int cut = 0; cut <= 7200; cut += 900)
            for (int t = 0; t < 7200; t += 30) {
                double w = decay_weight(&d, cut, t);
                assert_true(w >= 0 && w <= 1);
                assert_true(decay_weight(&d, cut, t + 30) <= w);
                if (cut < 7200) assert_true(decay_weight(&d, cut + 900, t) >= w);
            }
    }
    tc_decay bad;
    tc_error err;
    const char *wrong[] = {"gaussian", "step:3", "logistic:0", "logistic:x", "linear:7.5", "linear:60",
                           "exponential:1.5", "fixed_exponential"};
    for (size_t i = 0; i < sizeof wrong / sizeof *wrong; i++)
        if (tc_decay_parse(wrong[i], &bad, &err) != TC_ERR_INVALID_ARGUMENT) fail_msg("accepted '%s'", wrong[i]);
}

static void test_accessibility_hand_count(void **state) {
    (void)state;
    const uint16_t U = TC_UNREACHED_MIN;
    /* 4 destinations × 2 percentiles (p25, p75) */
    uint16_t pm[8] = {10, 20, /**/ 30, 40, /**/ U, U, /**/ 5, U}; /* 30 at cutoff 30 is out (t < cutoff) */
    double jobs[4] = {1, 2, 4, 8}, people[4] = {100, -5, 1000, NAN}; /* negative and NaN counts are skipped */
    const double *cols[2] = {jobs, people};
    int cutoffs[3] = {15, 30, 45};
    double out[2 * 3 * 2];
    tc_decay step = decay("step");
    assert_int_equal(tc_accessibility(pm, 4, 2, cols, 2, cutoffs, 3, &step, out, NULL), TC_OK);
    const double want[12] = {
        /* jobs: cutoff 15 (p25, p75), 30, 45 */ 9, 0, 9, 1, 11, 3,
        /* people */ 100, 0, 100, 100, 100, 100};
    for (int i = 0; i < 12; i++)
        if (out[i] != want[i]) fail_msg("value %d: got %g want %g", i, out[i], want[i]);

    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    const char *names[2] = {"jobs", "pop,total"};
    int pcts[2] = {25, 75};
    assert_int_equal(tc_access_write_header(fp), 0);
    assert_int_equal(tc_access_write_rows(fp, "o1", names, 2, cutoffs, 3, pcts, 2, out), 0);
    fclose(fp);
    const char *prefix = "id,column,cutoff,percentile,accessibility\no1,jobs,15,25,9\no1,jobs,15,75,0\n"
                         "o1,jobs,30,25,9\no1,jobs,30,75,1\n";
    assert_true(strncmp(text, prefix, strlen(prefix)) == 0);
    assert_non_null(strstr(text, "o1,\"pop,total\",45,75,100\n"));
    int lines = 0;
    for (char *s = text; *s; s++) lines += *s == '\n';
    assert_int_equal(lines, 1 + 12);
    free(text);
}

static void test_accessibility_properties(void **state) {
    (void)state;
    srand(7);
    enum { N = 3000, P = 3, C = 6 };
    static uint16_t pm[N * P];
    static double opp[N];
    double total = 0;
    for (int d = 0; d < N; d++) {
        uint16_t t = (uint16_t)(rand() % 140);
        for (int p = 0; p < P; p++) {
            pm[d * P + p] = rand() % 10 == 0 ? TC_UNREACHED_MIN : t;
            t = (uint16_t)(t + rand() % 10);
        }
        opp[d] = rand() % 50;
        total += opp[d];
    }
    const double *cols[1] = {opp};
    int cutoffs[C] = {10, 20, 30, 45, 60, 120};
    const char *all[] = {"step", "logistic", "exponential", "exponential:0.08", "linear", "linear:30"};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        tc_decay d = decay(all[i]);
        double out[C * P];
        assert_int_equal(tc_accessibility(pm, N, P, cols, 1, cutoffs, C, &d, out, NULL), TC_OK);
        for (int c = 0; c < C; c++)
            for (int p = 0; p < P; p++) {
                double a = out[c * P + p];
                /* the same sum, destination by destination through the public weight function */
                double direct = 0;
                for (int k = 0; k < N; k++)
                    if (pm[k * P + p] != TC_UNREACHED_MIN)
                        direct += opp[k] * decay_weight(&d, cutoffs[c] * 60, pm[k * P + p] * 60);
                assert_true(fabs(a - direct) <= 1e-9 * (1 + direct));
                assert_true(a >= 0 && a <= total + 1e-9);
                if (c) assert_true(a >= out[(c - 1) * P + p]); /* non-decreasing in the cutoff */
            }
    }
}

static void test_matrix_rows(void **state) {
    (void)state;
    const uint16_t U = TC_UNREACHED_MIN;
    uint16_t pm[6] = {12, 15, U, U, 0, U};
    const char *to[3] = {"a", "b\"q", "c"};
    int pcts[2] = {50, 95};
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    assert_int_equal(tc_matrix_write_header(fp, pcts, 2), 0);
    assert_int_equal(tc_matrix_write_rows(fp, "o", to, 3, pm, 2, 0), 0);
    assert_int_equal(tc_matrix_write_rows(fp, "p", to, 3, pm, 2, 1), 0);
    fclose(fp);
    assert_string_equal(text, "from_id,to_id,travel_time_p50,travel_time_p95\n"
                              "o,a,12,15\no,\"b\"\"q\",,\no,c,0,\n"
                              "p,a,12,15\np,c,0,\n");
    free(text);
    int cut[TC_MAX_CUTOFFS];
    size_t n;
    assert_int_equal(tc_parse_cutoffs("15,30,45,60", cut, &n, NULL), TC_OK);
    assert_int_equal(n, 4);
    assert_int_equal(cut[3], 60);
    tc_error err;
    assert_int_equal(tc_parse_cutoffs("15,x", cut, &n, &err), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(tc_parse_cutoffs("2000", cut, &n, &err), TC_ERR_INVALID_ARGUMENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decay_definitions),
        cmocka_unit_test(test_accessibility_hand_count),
        cmocka_unit_test(test_accessibility_properties),
        cmocka_unit_test(test_matrix_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
