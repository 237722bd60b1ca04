/*
 * test_street_truck_real.c — on real OSM extracts (Porto, Portland from $TC_DATA), the truck never beats the car:
 * for random pairs of points snapped once (to a segment both may use), the default truck's time is at least the
 * car's — its arcs are a subset of the car's at speeds no higher — and every truck path the engine returns is one
 * the car could also drive. Also: the extract's heavy-vehicle tags leave some arcs closed to the default truck.
 * Skipped (77) when $TC_DATA is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "streets/street_mem.h"
#include "streets/street_search.h"
#include "streets/street_truck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAIRS 30

static const char *data_dir;

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next_u32(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static void check_extract(const char *rel) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", data_dir, rel);
    if (access(path, R_OK)) {
        printf("%s absent: skipped\n", path);
        return;
    }
    diag_log diag = {0};
    street_mem m;
    tc_error err;
    if (street_mem_build(path, &diag, 0, &m, &err) != TC_OK) fail_msg("%s: %s", path, err.message);
    const street_graph *g = &m.g;
    tc_truck v;
    tc_truck_init(&v);
    street_graph tv;
    street_edge *owned = NULL;
    assert_int_equal(street_truck_view(g, &v, &tv, &owned, &err), TC_OK);
    uint32_t closed = 0, truck_arcs = 0;
    for (uint32_t a = 0; a < g->n_edges; a++) {
        if (g->edges[a].access & STREET_TRUCK) truck_arcs++;
        if ((g->edges[a].access & STREET_TRUCK) && !(tv.edges[a].access & STREET_TRUCK)) closed++;
        /* a truck arc is a car arc, no faster */
        if (tv.edges[a].access & STREET_TRUCK) {
            assert_true(g->edges[a].access & STREET_CAR);
            assert_true(tv.edges[a].car_kmh <= g->edges[a].car_kmh);
        }
    }
    printf("%s: %u truck arcs, %u closed to the default truck, %u truck limit records\n", rel, truck_arcs, closed,
           g->n_truck_limits);
    assert_true(truck_arcs > 0);
    street_workspace wc = {0}, wt = {0};
    assert_int_equal(street_workspace_init_graph(&wc, g, &err), TC_OK);
    assert_int_equal(street_workspace_init_graph(&wt, &tv, &err), TC_OK);
    int compared = 0, truck_unreached = 0;
    for (int tries = 0; compared < PAIRS && tries < 50 * PAIRS; tries++) {
        street_snap s[2];
        int ok = 1;
        for (int k = 0; k < 2 && ok; k++) {
            uint32_t seg = next_u32() % g->n_segs;
            const street_seg *sg = &g->segs[seg];
            /* a segment the truck may use both ways (so one snap serves both modes), at its middle */
            ok = (tv.edges[sg->arc_ab].access & STREET_TRUCK) && (tv.edges[sg->arc_ba].access & STREET_TRUCK);
            s[k] = (street_snap){seg, sg->length_mm / 2, 0, 0, 0};
        }
        if (!ok) continue;
        street_path pc = {0}, pt = {0};
        if (street_route_snapped(&wc, TC_MODE_CAR, &s[0], &s[1], &pc, &err) != TC_OK) continue;
        if (street_route_snapped(&wt, TC_MODE_TRUCK, &s[0], &s[1], &pt, &err) != TC_OK) {
            truck_unreached++;
            street_path_free(&pc);
            compared++;
            continue;
        }
        if (pt.cost < pc.cost) fail_msg("%s: truck %u ms < car %u ms", rel, pt.cost, pc.cost);
        street_path_free(&pc);
        street_path_free(&pt);
        compared++;
    }
    printf("%s: %d pairs, truck time >= car time on every one (%d not reachable by truck)\n", rel, compared,
           truck_unreached);
    assert_int_equal(compared, PAIRS);
    street_workspace_release_graph(&wc);
    street_workspace_release_graph(&wt);
    free(owned);
    street_mem_free(&m);
}

static void test_porto(void **state) {
    (void)state;
    check_extract("porto-portugal/porto_portugal.osm.pbf");
}

static void test_portland(void **state) {
    (void)state;
    check_extract("portland/portland-central-filtered.osm.pbf");
}

int main(void) {
    data_dir = getenv("TC_DATA");
    if (!data_dir || access(data_dir, R_OK)) {
        printf("TC_DATA not set or unreadable: skipped\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_porto), cmocka_unit_test(test_portland)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
