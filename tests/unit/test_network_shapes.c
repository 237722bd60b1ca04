/* test_network_shapes.c — patterns keep their GTFS shapes (network/pattern_shapes.h), on real feeds with shapes.txt
 * (Atlanta MARTA rail, Porto Alegre EPTC buses): every pattern of a trip with a shape has one of two points or
 * more; its stops' segments never go back along it; stops lie near their segments (the shapes pass the stops);
 * a feed without shapes.txt gives a network without them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "network/network.h"
#include "tongcheng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *data_dir;
static char net_path[256];

static tc_network *build(const char *gtfs) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", data_dir, gtfs);
    if (access(path, R_OK) != 0) return NULL;
    tc_feed_source src = {NULL, path, 0};
    tc_build_options o;
    tc_build_options_init(&o);
    o.feeds = &src;
    o.n_feeds = 1;
    tc_error err = {0};
    assert_int_equal(tc_build(&o, net_path, &err), TC_OK);
    tc_network *net = NULL;
    assert_int_equal(tc_network_open(net_path, &net, &err), TC_OK);
    return net;
}

static void check_shapes(const tc_network *net, double max_far_share) {
    const network_view *v = &net->v;
    assert_non_null(v->shape_points);
    assert_non_null(v->pattern_shape);
    assert_non_null(v->pattern_stop_shape);
    uint32_t with = 0, far = 0, stops = 0;
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const uint32_t first = v->pattern_shape[2 * p], n = v->pattern_shape[2 * p + 1];
        if (!n) continue;
        with++;
        assert_true(n >= 2);
        assert_true((uint64_t)first + n <= v->n_shape_points);
        const net_pattern *pat = &v->patterns[p];
        uint32_t last = 0;
        for (uint32_t q = 0; q < pat->n_stops; q++) {
            uint32_t k = v->pattern_stop_shape[pat->stops_begin + q];
            assert_true(k < n);
            assert_true(k >= last); /* never back along the shape */
            last = k;
            const net_stop *s = &v->stops[v->pattern_stops[pat->stops_begin + q]];
            /* distance from the stop to its segment k → k+1, in metres (an independent projection) */
            const int32_t *a = v->shape_points + 2 * ((size_t)first + k), *b = k + 1 < n ? a + 2 : a;
            const double my = 1e-7 * 111320.0, mx = my * cos(s->lat_e7 * 1e-7 * M_PI / 180.0);
            double ax = (a[1] - s->lon_e7) * mx, ay = (a[0] - s->lat_e7) * my;
            double bx = (b[1] - s->lon_e7) * mx, by = (b[0] - s->lat_e7) * my;
            double best = fmin(hypot(ax, ay), hypot(bx, by));
            for (int step = 1; step < 100; step++) { /* sampled along the segment */
                double u = step / 100.0;
                best = fmin(best, hypot(ax + u * (bx - ax), ay + u * (by - ay)));
            }
            far += best > 300;
            stops++;
        }
    }
    printf("%u of %u patterns with a shape; %u of %u stops more than 300 m from their segment\n", with, v->n_patterns,
           far, stops);
    assert_true(with * 10 >= v->n_patterns * 9);
    assert_true(far <= max_far_share * stops);
}

static void test_atlanta(void **state) {
    (void)state;
    tc_network *net = build("atlanta/atlanta-blue-green-line.gtfs.zip");
    if (!net) skip();
    check_shapes(net, 0.02);
    tc_network_close(net);
}

static void test_porto_alegre(void **state) {
    (void)state;
    tc_network *net = build("porto-alegre/poa_eptc.zip");
    if (!net) skip();
    check_shapes(net, 0.01);
    tc_network_close(net);
}

static void test_no_shapes(void **state) {
    (void)state;
    tc_network *net = build("porto-alegre/poa_trensurb.zip");
    if (!net) skip();
    /* a feed whose trips name no shape (or without shapes.txt) leaves the sections out */
    const network_view *v = &net->v;
    if (v->pattern_shape)
        for (uint32_t p = 0; p < v->n_patterns; p++) assert_true(v->pattern_shape[2 * p + 1] != 1);
    tc_network_close(net);
}

int main(void) {
    data_dir = getenv("TC_DATA");
    if (!data_dir || access(data_dir, R_OK) != 0) {
        printf("TC_DATA not set or unreadable: skipped\n");
        return 77;
    }
    snprintf(net_path, sizeof net_path, "/tmp/tc_test_network_shapes_%ld.net", (long)getpid());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atlanta),
        cmocka_unit_test(test_porto_alegre),
        cmocka_unit_test(test_no_shapes),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    unlink(net_path);
    return rc;
}
