/*
 * cmd_route.c — `tongcheng route`: door-to-door transit journeys between two points or stops (tc_route), printed
 * as one text block per Pareto-optimal journey or as the stable JSON document (--json).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *route_usage =
    "usage: tongcheng route NET (--from LAT,LON | --from-stop STOP) (--to LAT,LON | --to-stop STOP)\n"
    "                       --date YYYY-MM-DD (--time HH:MM[:SS] | --arrive-by HH:MM[:SS]) [options]\n"
    "options:\n"
    "  --max-transfers N        at most N transfers (default 8)\n"
    "  --max-duration MIN       journeys of at most MIN minutes (default 240)\n"
    "  --max-walk A[,E[,T]]     walking minutes for access, egress, each transfer (default 20,20,10)\n"
    "  --min-transfer-time S    a floor on every transfer, seconds (transfers.txt type 1 excepted)\n"
    "  --ban-stops-hard IDS     no trip that passes through these stops, even without stopping there\n"
    "  --walk-speed M/S         walking speed (default " CLI_XSTR(TC_DEFAULT_WALK_SPEED_MPS) "; r5r: 1.0)\n"
    "  --bike-speed M/S         cycling speed of a direct bike journey (default " CLI_XSTR(TC_DEFAULT_BIKE_SPEED_MPS) ")\n"
    "  --board-slack S          minimum wait before every boarding, seconds (default 0; R5: 60)\n"
    "  --direct MODES           street-only journeys offered beside transit: walk,bike,car or none (default walk)\n"
    "  --max-lts N              a direct bike journey avoids streets above traffic stress N, 1-4 (default: any)\n"
    "  --no-elevation           walking and cycling ignore the network's slopes (built with --elevation)\n"
    "  --wheelchair             accessible trips and stops only\n"
    "  --route-types 1,3        allowed GTFS route types\n"
    "  --exclude-routes IDS     --exclude-trips IDS   --exclude-stops IDS   (comma-separated FEED:id)\n"
    "  --json                   the JSON document instead of text\n"
    "A stop end (--from-stop, --to-stop) is the stop's place: the stop, its walking transfers, transfers.txt links\n"
    "and the other platforms of its station, within the transfer walking limit (T).\n";

static int parse_int(const char *s, long lo, long hi, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static void print_text(const tc_journey_set *set) {
    char a[24], b[24];
    if (set->n == 0) {
        printf("no journey found\n");
        return;
    }
    for (size_t i = 0; i < set->n; i++) {
        const tc_journey *j = &set->journeys[i];
        tc_format_local_time(j->departure, a);
        tc_format_local_time(j->arrival, b);
        printf("journey %zu: %s → %s  %d min, %d transfer%s, %d min walking\n", i + 1, a, b,
               (j->duration_s + 59) / 60, j->transfers, j->transfers == 1 ? "" : "s", (j->walk_s + 59) / 60);
        for (size_t l = 0; l < j->n_legs; l++) {
            const tc_leg *g = &j->legs[l];
            tc_format_local_time(g->departure, a);
            tc_format_local_time(g->arrival, b);
            if (g->mode == TC_LEG_TRANSIT)
                printf("  %s  %-5s %s → %s  %s (%s)  [%s]\n", a + 11, g->route_name && *g->route_name ? g->route_name : "?",
                       g->from.name, g->to.name, b + 11, g->route, g->trip);
            else
                printf("  %s  %-5s %s → %s  %s (%ld s)\n", a + 11,
                       g->mode == TC_LEG_BIKE ? "bike" : g->mode == TC_LEG_CAR ? "car" : "walk", g->from.name, g->to.name, b + 11,
                       (long)(g->arrival - g->departure));
        }
        if (i + 1 < set->n) printf("\n");
    }
}

/* What the command line asks. */
typedef struct route_args {
    tc_route_query q;
    const char *net_path, *date, *time_s, *arrive_s, *types;
    int have_from, have_to, json;
    int route_types[64];
} route_args;

/* argv[*i] into r (advancing *i past a value): 0 consumed, -1 --help (printed), > 0 the usage error's exit code. */
static int route_option(route_args *r, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
#define NEED_VAL()                                                                                              \
    do {                                                                                                        \
        if (!val) return cli_usage(route_usage, "route: %s needs a value", a);                                 \
        (*i)++;                                                                                                 \
    } while (0)
    long n;
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
        fputs(route_usage, stdout);
        return -1;
    } else if (!strcmp(a, "--from")) {
        NEED_VAL();
        if (cli_parse_latlon(val, &r->q.from_lat, &r->q.from_lon))
            return cli_usage(route_usage, "route: --from expects LAT,LON, got \"%s\"", val);
        r->have_from++;
    } else if (!strcmp(a, "--from-stop")) {
        NEED_VAL();
        r->q.from_stop = val;
        r->have_from++;
    } else if (!strcmp(a, "--to")) {
        NEED_VAL();
        if (cli_parse_latlon(val, &r->q.to_lat, &r->q.to_lon))
            return cli_usage(route_usage, "route: --to expects LAT,LON, got \"%s\"", val);
        r->have_to++;
    } else if (!strcmp(a, "--to-stop")) {
        NEED_VAL();
        r->q.to_stop = val;
        r->have_to++;
    } else if (!strcmp(a, "--date")) {
        NEED_VAL();
        r->date = val;
    } else if (!strcmp(a, "--time")) {
        NEED_VAL();
        r->time_s = val;
    } else if (!strcmp(a, "--arrive-by")) {
        NEED_VAL();
        r->arrive_s = val;
    } else if (!strcmp(a, "--max-transfers")) {
        NEED_VAL();
        if (parse_int(val, 0, 31, &n)) return cli_usage(route_usage, "route: --max-transfers expects 0…31");
        r->q.max_transfers = (int)n;
    } else if (!strcmp(a, "--max-duration")) {
        NEED_VAL();
        if (parse_int(val, 1, 2880, &n)) return cli_usage(route_usage, "route: --max-duration expects 1…2880");
        r->q.max_duration_min = (int)n;
    } else if (!strcmp(a, "--max-walk")) {
        NEED_VAL();
        double w[3];
        int k = sscanf(val, "%lf,%lf,%lf", &w[0], &w[1], &w[2]);
        if (k < 1 || w[0] < 0 || (k > 1 && w[1] < 0) || (k > 2 && w[2] < 0))
            return cli_usage(route_usage, "route: --max-walk expects MIN or ACCESS,EGRESS,TRANSFER minutes");
        r->q.max_walk_access_min = w[0];
        r->q.max_walk_egress_min = k > 1 ? w[1] : w[0];
        r->q.max_walk_transfer_min = k > 2 ? w[2] : (k == 1 ? w[0] : r->q.max_walk_transfer_min);
    } else if (!strcmp(a, "--min-transfer-time")) {
        NEED_VAL();
        if (parse_int(val, 0, 86400, &n)) return cli_usage(route_usage, "route: --min-transfer-time expects seconds");
        r->q.min_transfer_time_s = (int32_t)n;
    } else if (!strcmp(a, "--wheelchair")) {
        r->q.wheelchair = 1;
    } else if (!strcmp(a, "--route-types")) {
        NEED_VAL();
        r->types = val;
    } else if (!strcmp(a, "--exclude-routes")) {
        NEED_VAL();
        r->q.exclude_routes = val;
    } else if (!strcmp(a, "--exclude-trips")) {
        NEED_VAL();
        r->q.exclude_trips = val;
    } else if (!strcmp(a, "--exclude-stops")) {
        NEED_VAL();
        r->q.exclude_stops = val;
    } else if (!strcmp(a, "--ban-stops-hard")) {
        NEED_VAL();
        r->q.ban_stops_hard = val;
    } else if (!strcmp(a, "--walk-speed") || !strcmp(a, "--bike-speed")) {
        NEED_VAL();
        double mps;
        if (cli_parse_speed(val, &mps)) return cli_usage(route_usage, "route: %s expects m/s, 0.1…30", a);
        if (a[2] == 'w') r->q.walk_speed_mps = mps;
        else r->q.bike_speed_mps = mps;
    } else if (!strcmp(a, "--board-slack")) {
        NEED_VAL();
        if (parse_int(val, 0, 3600, &n)) return cli_usage(route_usage, "route: --board-slack expects 0…3600 s");
        r->q.board_slack_s = (int32_t)n;
    } else if (!strcmp(a, "--max-lts")) {
        NEED_VAL();
        if (parse_int(val, 1, 4, &n)) return cli_usage(route_usage, "route: --max-lts expects 1…4");
        r->q.max_lts = (int)n;
    } else if (!strcmp(a, "--direct")) {
        NEED_VAL();
        if (tc_parse_direct_modes(val, &r->q.direct_modes, NULL) != TC_OK)
            return cli_usage(route_usage, "route: --direct expects walk, bike, car (comma-separated) or none");
    } else if (!strcmp(a, "--json")) {
        r->json = 1;
    } else if (!strcmp(a, "--no-elevation")) {
        r->q.no_elevation = 1;
    } else if (a[0] == '-') {
        return cli_usage(route_usage, "route: unknown option %s", a);
    } else if (!r->net_path) {
        r->net_path = a;
    } else {
        return cli_usage(route_usage, "route: unexpected argument %s", a);
    }
#undef NEED_VAL
    return 0;
}

/* The checks that need the whole command line, and the texts it gave turned into the query: 0 or the exit code. */
static int route_finish(route_args *r) {
    tc_error err = {0};
    tc_route_query *q = &r->q;
    if (!r->net_path) return cli_usage(route_usage, "route: no network file given");
    if (r->have_from != 1) return cli_usage(route_usage, "route: give exactly one of --from / --from-stop");
    if (r->have_to != 1) return cli_usage(route_usage, "route: give exactly one of --to / --to-stop");
    if (!r->date) return cli_usage(route_usage, "route: --date is required");
    if (!r->time_s == !r->arrive_s) return cli_usage(route_usage, "route: give exactly one of --time / --arrive-by");
    if (tc_parse_date(r->date, &q->date, &err) != TC_OK) return cli_usage(route_usage, "route: %s", err.message);
    if (tc_parse_clock(r->time_s ? r->time_s : r->arrive_s, &q->time, &err) != TC_OK)
        return cli_usage(route_usage, "route: %s", err.message);
    q->arrive_by = r->arrive_s != NULL;
    if (r->types) {
        const char *p = r->types;
        size_t k = 0;
        while (*p) {
            char *end;
            long t = strtol(p, &end, 10);
            if (end == p || t < 0 || t > 65535 || k >= sizeof r->route_types / sizeof *r->route_types ||
                (*end && *end != ','))
                return cli_usage(route_usage, "route: --route-types expects comma-separated GTFS route types");
            r->route_types[k++] = (int)t;
            p = *end ? end + 1 : end;
        }
        q->route_types = r->route_types;
        q->n_route_types = k;
    }
    return 0;
}

int cmd_route(int argc, char **argv) {
    route_args r;
    memset(&r, 0, sizeof r);
    tc_route_query_init(&r.q);
    tc_error err = {0};
    for (int i = 1; i < argc; i++) {
        int rc = route_option(&r, argc, argv, &i);
        if (rc) return rc < 0 ? 0 : rc;
    }
    int rc = route_finish(&r);
    if (rc) return rc;
    tc_network *net = NULL;
    if (tc_network_open(r.net_path, &net, &err) != TC_OK) return cli_fail(&err);
    tc_journey_set *set = NULL;
    if (tc_route(net, &r.q, &set, &err) != TC_OK) {
        tc_network_close(net);
        return cli_fail(&err);
    }
    if (r.json) {
        char *txt = NULL;
        if (tc_journeys_json(set, &txt, &err) != TC_OK) {
            rc = cli_fail(&err);
        } else {
            printf("%s\n", txt);
            tc_free(txt);
        }
    } else {
        print_text(set);
    }
    tc_journey_set_free(set);
    tc_network_close(net);
    return rc;
}
