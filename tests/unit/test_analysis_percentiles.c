/* test_analysis_percentiles.c — R5 nearest-rank percentiles from the counting pass, checked against a plain
 * sort-and-index computation on random blocks, plus hand-made cases at the unreachable boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "analysis/percentiles.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The naive reference: unreached (and above max) = +infinity, sort, nearest rank ceil(p/100·n) computed in
 * floating point as R5 writes it. */
static uint16_t naive(const uint16_t *s, uint32_t n, int p, uint16_t max_duration) {
    uint32_t *v = malloc(n * sizeof *v);
    for (uint32_t i = 0; i < n; i++) v[i] = s[i] > max_duration ? UINT32_MAX : s[i];
    qsort(v, n, sizeof *v, cmp_u32);
    long idx = (long)ceil(p / 100.0 * n) - 1;
    if (idx < 0) idx = 0;
    uint32_t r = v[idx];
    free(v);
    return r == UINT32_MAX ? TC_UNREACHED_MIN : (uint16_t)r;
}

static void test_against_sort(void **state) {
    (void)state;
    srand(12345);
    const int sets[][5] = {{50}, {5, 50, 95}, {95, 5, 50, 50, 1}, {0, 25, 75, 100}, {10, 20, 30, 40, 99}};
    const size_t set_sizes[] = {1, 3, 5, 4, 5};
    const uint32_t sample_counts[] = {1, 7, 10, 60, 120, 600};
    for (size_t ns = 0; ns < sizeof sample_counts / sizeof *sample_counts; ns++)
        for (int unreached_pct = 0; unreached_pct <= 100; unreached_pct += 25) {
            travel_times tt = {.n_dest = 200, .n_samples = sample_counts[ns]};
            tt.minutes = malloc((size_t)tt.n_dest * tt.n_samples * sizeof *tt.minutes);
            for (size_t i = 0; i < (size_t)tt.n_dest * tt.n_samples; i++)
                tt.minutes[i] = rand() % 100 < unreached_pct ? TC_UNREACHED_MIN : (uint16_t)(rand() % 150);
            for (size_t s = 0; s < 5; s++) {
                uint16_t out[200 * 5];
                const uint16_t max_duration = 120;
                assert_int_equal(travel_time_percentiles(&tt, sets[s], set_sizes[s], max_duration, out, NULL),
                                 TC_OK);
                for (uint32_t d = 0; d < tt.n_dest; d++)
                    for (size_t p = 0; p < set_sizes[s]; p++) {
                        uint16_t want = naive(tt.minutes + (size_t)d * tt.n_samples, tt.n_samples, sets[s][p],
                                              max_duration);
                        if (out[d * set_sizes[s] + p] != want)
                            fail_msg("n=%u dest %u p%d: got %u want %u", tt.n_samples, d, sets[s][p],
                                     out[d * set_sizes[s] + p], want);
                    }
            }
            free(tt.minutes);
        }
}

static void test_ordered(void **state) {
    (void)state;
    srand(99);
    const int pcts[] = {5, 25, 50, 75, 95};
    travel_times tt = {.n_dest = 500, .n_samples = 121};
    tt.minutes = malloc((size_t)tt.n_dest * tt.n_samples * sizeof *tt.minutes);
    for (size_t i = 0; i < (size_t)tt.n_dest * tt.n_samples; i++)
        tt.minutes[i] = rand() % 7 == 0 ? TC_UNREACHED_MIN : (uint16_t)(rand() % 130);
    uint16_t out[500 * 5];
    assert_int_equal(travel_time_percentiles(&tt, pcts, 5, 120, out, NULL), TC_OK);
    for (uint32_t d = 0; d < tt.n_dest; d++)
        for (int p = 1; p < 5; p++) {
            assert_true(out[d * 5 + p - 1] <= out[d * 5 + p]); /* UNREACHED = 65535 sorts last */
            assert_true(out[d * 5 + p] <= 120 || out[d * 5 + p] == TC_UNREACHED_MIN);
        }
    free(tt.minutes);
}

static void test_unreachable_boundary(void **state) {
    (void)state;
    const uint16_t U = TC_UNREACHED_MIN;
    /* 10 samples: dest 0 has 5 unreached, dest 1 has 6, dest 2 has one time above the 60-minute maximum */
    uint16_t m[30] = {U, 12, U, 10, 14, U, 11, U, 13, U, /**/ U, 12, U, 10, U, U, 11, U, 13, U,
                      61, 20, 20, 20, 20, 20, 20, 20, 20, 20};
    travel_times tt = {.n_dest = 3, .n_samples = 10, .minutes = m};
    const int pcts[] = {0, 50, 51, 100};
    uint16_t out[12];
    assert_int_equal(travel_time_percentiles(&tt, pcts, 4, 60, out, NULL), TC_OK);
    /* p0 = min; p50 = 5th smallest = the largest reached time; p51 = 6th = unreachable */
    assert_int_equal(out[0], 10);
    assert_int_equal(out[1], 14);
    assert_int_equal(out[2], U);
    assert_int_equal(out[3], U);
    /* more than half unreached: p50 unreachable */
    assert_int_equal(out[4], 10);
    assert_int_equal(out[5], U);
    /* 61 > max duration counts as unreachable: p100 unreachable, p50 = 20 */
    assert_int_equal(out[9], 20);
    assert_int_equal(out[11], U);
    assert_int_equal(percentile_index(10, 50), 4);
    assert_int_equal(percentile_index(10, 51), 5);
    assert_int_equal(percentile_index(10, 0), 0);
    assert_int_equal(percentile_index(10, 100), 9);
    assert_int_equal(percentile_index(1, 50), 0);
}

static void test_parse(void **state) {
    (void)state;
    int p[TC_MAX_PERCENTILES];
    size_t n;
    assert_int_equal(tc_parse_percentiles("5,50,95", p, &n, NULL), TC_OK);
    assert_int_equal(n, 3);
    assert_int_equal(p[2], 95);
    assert_int_equal(tc_parse_percentiles("50", p, &n, NULL), TC_OK);
    assert_int_equal(n, 1);
    tc_error err;
    assert_int_equal(tc_parse_percentiles("1,2,3,4,5,6", p, &n, &err), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(tc_parse_percentiles("101", p, &n, &err), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(tc_parse_percentiles("-1", p, &n, &err), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(tc_parse_percentiles("5,,50", p, &n, &err), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(tc_parse_percentiles("fifty", p, &n, &err), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(tc_parse_percentiles("", p, &n, &err), TC_ERR_INVALID_ARGUMENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_sort),
        cmocka_unit_test(test_ordered),
        cmocka_unit_test(test_unreachable_boundary),
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
