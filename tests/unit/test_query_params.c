/* test_query_params.c — the public parsers of a query's window and modes (tongcheng.h), which the CLI, the server,
 * tongcheng-mpi and the circle report share: what they accept, what they refuse, and that a refusal leaves the
 * outputs as they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "tongcheng.h"

#include <string.h>

static void test_window(void **state) {
    (void)state;
    int32_t a = -1, b = -1;
    tc_error err;
    assert_int_equal(tc_parse_window("07:00-09:00", &a, &b, &err), TC_OK);
    assert_int_equal(a, 7 * 3600);
    assert_int_equal(b, 9 * 3600);
    assert_int_equal(tc_parse_window("7:30-25:00:30", &a, &b, NULL), TC_OK); /* hours past midnight, seconds */
    assert_int_equal(a, 7 * 3600 + 1800);
    assert_int_equal(b, 25 * 3600 + 30);
    a = b = -1;
    static const char *const malformed[] = {"", "07:00", "-09:00", "07:00-", "7-9", "07:00-09:00-10:00", "x-y",
                                            "0000000000000000000000000000000000007:00-09:00"};
    for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++) {
        memset(&err, 0, sizeof err);
        assert_int_equal(tc_parse_window(malformed[i], &a, &b, &err), TC_ERR_PARSE);
        assert_non_null(strstr(err.message, "HH:MM-HH:MM"));
    }
    assert_int_equal(tc_parse_window("09:00-09:00", &a, &b, &err), TC_ERR_INVALID_ARGUMENT); /* end excluded */
    assert_non_null(strstr(err.message, "empty"));
    assert_int_equal(tc_parse_window("09:00-08:00", &a, &b, &err), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(tc_parse_window(NULL, &a, &b, &err), TC_ERR_PARSE);
    assert_int_equal(a, -1); /* untouched on failure */
    assert_int_equal(b, -1);
}

static void test_modes(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int street_only;
        tc_mode mode;
    } ok[] = {{"transit", 0, TC_MODE_WALK},       {"transit,walk", 0, TC_MODE_WALK}, {"bike,transit", 0, TC_MODE_BIKE},
              {"walk", 1, TC_MODE_WALK},          {"BIKE", 1, TC_MODE_BIKE},         {"car", 1, TC_MODE_CAR},
              {"truck", 1, TC_MODE_TRUCK},        {"Transit", 0, TC_MODE_WALK},      {",transit,,bike,", 0, TC_MODE_BIKE}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        int street_only = -1;
        tc_mode mode = (tc_mode)-1;
        assert_int_equal(tc_parse_modes(ok[i].text, &street_only, &mode, NULL), TC_OK);
        assert_int_equal(street_only, ok[i].street_only);
        assert_int_equal(mode, ok[i].mode);
    }
    static const char *const bad[] = {"", ",", "bus", "walk,bike", "transit,car", "truck,transit", "walk,walk",
                                      "transit,tram", "walkk"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int street_only = 7;
        tc_mode mode = TC_MODE_CAR;
        tc_error err;
        assert_int_equal(tc_parse_modes(bad[i], &street_only, &mode, &err), TC_ERR_INVALID_ARGUMENT);
        assert_non_null(strstr(err.message, "expected"));
        assert_int_equal(street_only, 7);
        assert_int_equal(mode, TC_MODE_CAR);
    }
}

static void test_direct_modes(void **state) {
    (void)state;
    unsigned m = 99;
    assert_int_equal(tc_parse_direct_modes("none", &m, NULL), TC_OK);
    assert_int_equal(m, 0);
    assert_int_equal(tc_parse_direct_modes("walk,bike,car", &m, NULL), TC_OK);
    assert_int_equal(m, (1u << TC_MODE_WALK) | (1u << TC_MODE_BIKE) | (1u << TC_MODE_CAR));
    assert_int_equal(tc_parse_direct_modes("bike,", &m, NULL), TC_OK);
    assert_int_equal(m, 1u << TC_MODE_BIKE);
    m = 99;
    static const char *const bad[] = {"", ",walk", "walk,,car", "truck", "none,walk", "Walk"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(tc_parse_direct_modes(bad[i], &m, NULL), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(m, 99);
}

static void test_lists(void **state) {
    (void)state;
    int v[16];
    size_t n = 0;
    assert_int_equal(tc_parse_percentiles("95,5,50", v, &n, NULL), TC_OK);
    assert_int_equal(n, 3);
    assert_int_equal(v[0], 95);
    assert_int_equal(tc_parse_percentiles("0,100", v, &n, NULL), TC_OK);
    assert_int_equal(tc_parse_percentiles("50,101", v, &n, NULL), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(tc_parse_cutoffs("15,30,45,60", v, &n, NULL), TC_OK);
    assert_int_equal(n, 4);
    assert_int_equal(v[3], 60);
    assert_int_equal(tc_parse_cutoffs("1441", v, &n, NULL), TC_ERR_INVALID_ARGUMENT);
    assert_int_equal(tc_parse_cutoffs("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", v, &n, NULL),
                     TC_ERR_INVALID_ARGUMENT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_direct_modes),
        cmocka_unit_test(test_lists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
