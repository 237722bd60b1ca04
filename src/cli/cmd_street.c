/* cmd_street.c — `tongcheng street NET --mode walk|bike|car|truck --from LAT,LON --to LAT,LON [--json]`: the shortest
 * street path between two points (a thin layer over tc_street_route). Unreachable or unsnappable points: exit 1. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char USAGE[] =
    "usage: tongcheng street NET --mode walk|bike|car|truck --from LAT,LON --to LAT,LON [--json]\n"
    "                        [--walk-speed M/S] [--bike-speed M/S] [--snap-radius M] [--max-lts 1-4]\n"
    "                        [--no-elevation]\n"
    "Distance and time of the shortest path over the network's streets (walk " CLI_XSTR(TC_DEFAULT_WALK_SPEED_MPS) " m/s and bike "
    CLI_XSTR(TC_DEFAULT_BIKE_SPEED_MPS) " m/s by default,\n"
    "car at each street's speed). Without a street network: straight line x the network's detour factor.\n"
    "With a network built with --elevation, walking and cycling follow its slopes; --no-elevation ignores them.\n"
    "A truck keeps to the ways its size, weight and load may use at its departure time, at truck speeds.\n";

static int parse_pos(const char *s, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v > 0)) return -1;
    *out = v;
    return 0;
}

int cmd_street(int argc, char **argv) {
    const char *net_path = NULL, *mode_s = "walk", *from_s = NULL, *to_s = NULL;
    int json = 0;
    tc_street_options opts;
    tc_street_options_init(&opts);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        const char *why = NULL;
        int tr = cli_truck_option(argc, argv, &i, &opts.truck, &why);
        if (tr < 0) return cli_usage(USAGE, "street: %s %s", a, why);
        if (tr > 0) continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(USAGE, stdout);
            fputs(CLI_TRUCK_USAGE, stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--no-elevation")) {
            opts.no_elevation = 1;
        } else if (!strcmp(a, "--mode") && has) {
            mode_s = argv[++i];
        } else if (!strcmp(a, "--from") && has) {
            from_s = argv[++i];
        } else if (!strcmp(a, "--to") && has) {
            to_s = argv[++i];
        } else if (!strcmp(a, "--walk-speed") && has) {
            if (parse_pos(argv[++i], &opts.walk_speed_mps)) return cli_usage(USAGE, "street: bad --walk-speed");
        } else if (!strcmp(a, "--bike-speed") && has) {
            if (parse_pos(argv[++i], &opts.bike_speed_mps)) return cli_usage(USAGE, "street: bad --bike-speed");
        } else if (!strcmp(a, "--max-lts") && has) {
            const char *v = argv[++i];
            if (strlen(v) != 1 || v[0] < '1' || v[0] > '4') return cli_usage(USAGE, "street: --max-lts expects 1…4");
            opts.max_lts = v[0] - '0';
        } else if (!strcmp(a, "--snap-radius") && has) {
            if (parse_pos(argv[++i], &opts.snap_radius_m)) return cli_usage(USAGE, "street: bad --snap-radius");
        } else if (a[0] == '-') {
            return cli_usage(USAGE, "street: unknown or incomplete option '%s'", a);
        } else if (!net_path) {
            net_path = a;
        } else {
            return cli_usage(USAGE, "street: unexpected argument '%s'", a);
        }
    }
    if (!net_path) return cli_usage(USAGE, "street: NET is required");
    if (!from_s || !to_s) return cli_usage(USAGE, "street: --from and --to are required");
    tc_mode mode;
    if (!strcmp(mode_s, "walk")) mode = TC_MODE_WALK;
    else if (!strcmp(mode_s, "bike")) mode = TC_MODE_BIKE;
    else if (!strcmp(mode_s, "car")) mode = TC_MODE_CAR;
    else if (!strcmp(mode_s, "truck")) mode = TC_MODE_TRUCK;
    else return cli_usage(USAGE, "street: --mode must be walk, bike, car or truck (got '%s')", mode_s);
    double flat, flon, tlat, tlon;
    if (cli_parse_latlon(from_s, &flat, &flon))
        return cli_usage(USAGE, "street: --from must be LAT,LON in degrees (got '%s')", from_s);
    if (cli_parse_latlon(to_s, &tlat, &tlon))
        return cli_usage(USAGE, "street: --to must be LAT,LON in degrees (got '%s')", to_s);

    tc_error err = {0};
    tc_network *net = NULL;
    if (tc_network_open(net_path, &net, &err) != TC_OK) return cli_fail(&err);
    tc_street_result r;
    tc_status st = tc_street_route(net, mode, flat, flon, tlat, tlon, &opts, &r, &err);
    tc_network_close(net);
    if (st != TC_OK) return cli_fail(&err);
    int rc = 0;
    if (json) {
        char *js = NULL;
        if (tc_street_result_json(&r, &js, &err) != TC_OK) {
            rc = cli_fail(&err);
        } else {
            printf("%s\n", js);
            tc_free(js);
        }
    } else {
        printf("%s: %.0f m, %.0f s (%.1f min)%s\n", mode_s, r.distance_m, r.duration_s, r.duration_s / 60,
               r.straight_line ? " — no street network: straight line x detour factor" : "");
    }
    tc_street_result_free(&r);
    return rc;
}
