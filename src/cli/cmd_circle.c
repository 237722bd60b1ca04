/*
 * cmd_circle.c — `tongcheng circle`: the one-hour commute circle report. The job is the library's tc_circle_run
 * (src/report/circle_run.c, shared with the Python package); this file parses the options and finds the built-in
 * default.
 *
 * Scenarios are evaluated by rebuilding the network from the same inputs + the scenario. A prebuilt network
 * file does not keep its inputs, so scenarios need the inputs (--sketch / --gtfs / --osm); a NET alone gives the
 * baseline only. With no network and no inputs, the built-in default runs: data/changzhutan/ (found by the
 * library through --data-dir, $TONGCHENG_DATA_DIR, or beside the executable / in the source tree), with its shipped
 * scenarios.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *circle_usage =
    "usage: tongcheng circle [NET] [--sketch [NAME=]FILE ...] [--gtfs [NAME=]PATH ...] [--osm FILE]\n"
    "                        [--scenario S.json ...] [--cores CSV] [--places CSV] [--population CSV]\n"
    "                        [--date D] [--window 07:00-09:00] [--cutoff 60] [-o DIR] [--quiet]\n"
    "  NET                    a prebuilt network (baseline only: scenarios need the inputs below)\n"
    "  --sketch/--gtfs/--osm  inputs to build the network from (as `tongcheng build`)\n"
    "  --scenario S.json      a scenario, evaluated by rebuilding from the inputs + it (repeatable)\n"
    "  --no-scenarios         with the built-in default: the baseline only\n"
    "  --no-isochrones        skip the cores' isochrones (area and map shading; faster)\n"
    "  --cores CSV            the city cores (id,name,lat,lon); --places CSV: the places (default: the cores)\n"
    "  --population CSV       a population grid (id,lat,lon,population); --population-column NAME\n"
    "  --date YYYY-MM-DD      service day (default: the first Tuesday after the service's first week)\n"
    "  --window HH:MM-HH:MM   departure window (default 07:00-09:00)\n"
    "  --cutoff MIN           the circle's radius in minutes (default 60)\n"
    "  --walk-speed M/S       walking speed (default " CLI_XSTR(TC_DEFAULT_WALK_SPEED_MPS) "); --bike-speed M/S (default " CLI_XSTR(TC_DEFAULT_BIKE_SPEED_MPS) ")\n"
    "  --board-slack S        minimum wait before every boarding, seconds (default 0; R5: 60)\n"
    "  --access MODE          access to transit and egress from it: walk | bike | car (standing for a feeder\n"
    "                         taxi or kiss-and-ride; the report says when it is on). Default walk (the built-in\n"
    "                         default has buses to every place)\n"
    "  --max-access MIN       at most MIN minutes of access and of egress (default 20)\n"
    "  --car-speed KMH        car speed without a street network or road model (default 40; straight line\n"
    "                         x detour)\n"
    "  --roads FILE           a road model for car times without OSM (the built-in default's roads.json is used\n"
    "                         unless --osm is given: OSM streets replace it)\n"
    "  --car-peak             car times with the road model's peak-hour factors (default free-flow)\n"
    "  --data-dir DIR         where the built-in default lives (default: $TONGCHENG_DATA_DIR, else found\n"
    "                         beside the executable or in the source tree: data/changzhutan)\n"
    "  -o DIR                 output folder (default circle-report): report.html, circle.csv,\n"
    "                         isochrones.geojson; -o FILE.gpkg: one GeoPackage (layers circle, isochrones,\n"
    "                         places, cores) instead\n"
    "  --quiet                no progress on stderr (shown only on a terminal anyway)\n";

static int parse_int(const char *s, int lo, int hi, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) return -1;
    *out = (int)v;
    return 0;
}

static void quiet_finding(void *user, const tc_finding *f) {
    if (f->severity == TC_SEV_ERROR) cli_print_finding(user, f);
}

/* The command line: the library's options, and the arrays they point into. */
typedef struct circle_args {
    tc_circle_options co;
    tc_feed_source *feeds;
    char **owned; /* feed names given as NAME=PATH */
    const char **scen;
    size_t n_feeds, n_owned, n_scen;
    const char *out_dir;
    int quiet;
} circle_args;

/* A numeric option: 0, or the usage error's exit code. */
static int int_option(const char *opt, const char *val, int lo, int hi, const char *unit, int *out) {
    if (!parse_int(val, lo, hi, out)) return 0;
    return cli_usage(circle_usage, "circle: %s wants %s between %d and %d, not \"%s\"", opt, unit, lo, hi, val);
}

/* An option with a value: 0 consumed, > 0 the usage error's exit code (printed). */
static int value_option(circle_args *c, const char *a, const char *val) {
    tc_circle_options *co = &c->co;
    if (!strcmp(a, "--sketch") || !strcmp(a, "--gtfs")) {
        const char *bad = cli_feed_arg(a, val, &c->feeds[c->n_feeds], &c->owned[c->n_owned]);
        if (c->owned[c->n_owned]) c->n_owned++;
        if (bad) return cli_usage(circle_usage, "circle: %s", bad);
        co->sketch_model |= c->feeds[c->n_feeds++].sketch;
    } else if (!strcmp(a, "--osm")) co->osm_path = val;
    else if (!strcmp(a, "--scenario")) c->scen[c->n_scen++] = val;
    else if (!strcmp(a, "--cores")) co->cores_path = val;
    else if (!strcmp(a, "--places")) co->places_path = val;
    else if (!strcmp(a, "--roads")) co->roads_path = val;
    else if (!strcmp(a, "--population")) co->population_path = val;
    else if (!strcmp(a, "--population-column")) co->population_column = val;
    else if (!strcmp(a, "--data-dir")) co->data_dir = val;
    else if (!strcmp(a, "-o")) c->out_dir = val;
    else if (!strcmp(a, "--date")) {
        if (tc_parse_date(val, &co->date, NULL))
            return cli_usage(circle_usage, "circle: --date wants YYYY-MM-DD, not \"%s\"", val);
    } else if (!strcmp(a, "--window")) {
        if (tc_parse_window(val, &co->window_start, &co->window_end, NULL) != TC_OK)
            return cli_usage(circle_usage, "circle: --window wants HH:MM-HH:MM (end after start), not \"%s\"", val);
    } else if (!strcmp(a, "--cutoff")) return int_option(a, val, 1, 600, "minutes", &co->cutoff_min);
    else if (!strcmp(a, "--max-access")) return int_option(a, val, 0, 120, "minutes", &co->max_access_min);
    else if (!strcmp(a, "--access")) {
        if (!strcmp(val, "walk")) co->access_mode = TC_MODE_WALK;
        else if (!strcmp(val, "bike")) co->access_mode = TC_MODE_BIKE;
        else if (!strcmp(val, "car")) co->access_mode = TC_MODE_CAR;
        else return cli_usage(circle_usage, "circle: --access wants walk, bike or car, not \"%s\"", val);
    } else if (!strcmp(a, "--walk-speed") || !strcmp(a, "--bike-speed")) {
        double mps;
        if (cli_parse_speed(val, &mps))
            return cli_usage(circle_usage, "circle: %s wants m/s between 0.1 and 30, not \"%s\"", a, val);
        if (a[2] == 'w') co->walk_speed_mps = mps;
        else co->bike_speed_mps = mps;
    } else if (!strcmp(a, "--board-slack")) {
        int slack = 0, rc = int_option(a, val, 0, 3600, "seconds", &slack);
        co->board_slack_s = slack;
        return rc;
    } else if (!strcmp(a, "--car-speed")) {
        int v = 0, rc = int_option(a, val, 1, 200, "km/h", &v);
        if (!rc) co->car_speed_kmh = v;
        return rc;
    } else return cli_usage(circle_usage, "circle: unknown option \"%s\"", a);
    return 0;
}

/* The whole command line into c: 0, -1 for --help (printed), or the usage error's exit code. */
static int parse_args(circle_args *c, int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(circle_usage, stdout);
            return -1;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) c->quiet = 1;
        else if (!strcmp(a, "--no-scenarios")) c->co.no_scenarios = 1;
        else if (!strcmp(a, "--no-isochrones")) c->co.isochrones = 0;
        else if (!strcmp(a, "--car-peak")) c->co.car_peak = 1;
        else if (a[0] == '-' && a[1]) {
            if (i + 1 >= argc) return cli_usage(circle_usage, "circle: %s needs a value", a);
            rc = value_option(c, a, argv[++i]);
        } else if (!c->co.network_path) c->co.network_path = a;
        else rc = cli_usage(circle_usage, "circle: unexpected argument \"%s\"", a);
        if (rc) return rc;
    }
    c->co.feeds = c->feeds;
    c->co.n_feeds = c->n_feeds;
    c->co.scenarios = c->scen;
    c->co.n_scenarios = c->n_scen;
    return 0;
}

/* Usage checks the library would make too, answered as usage errors (exit 2): 0 or the exit code. */
static int check_args(const circle_args *c) {
    const int builtin = !c->co.network_path && c->n_feeds == 0 && !c->co.osm_path;
    if (!builtin && !c->co.cores_path)
        return cli_usage(circle_usage, "circle: --cores CSV is required unless the built-in default is used");
    if (c->co.network_path && c->n_scen && c->n_feeds == 0 && !c->co.osm_path) {
        fprintf(stderr, "tongcheng: error: scenarios are evaluated by rebuilding the network from its inputs, and a "
                        "network file does not keep them: give the inputs (--sketch / --gtfs / --osm) instead of, or "
                        "besides, %s\n", c->co.network_path);
        return 2;
    }
    return 0;
}

/* The job itself is the library's (tc_circle_run), shared with the Python package. */
static int run(circle_args *c) {
    c->co.progress = cli_progress_wanted(c->quiet);
    c->co.on_finding = quiet_finding;
    c->co.finding_user = stderr;
    tc_error err;
    memset(&err, 0, sizeof err);
    char *table = NULL;
    if (tc_circle_run(&c->co, c->out_dir, &table, &err) != TC_OK) return cli_fail(&err);
    fputs(table, stdout);
    if (tc_gpkg_path(c->out_dir)) printf("\nreport: %s\n", c->out_dir);
    else printf("\nreport: %s/report.html\n", c->out_dir);
    tc_free(table);
    return 0;
}

int cmd_circle(int argc, char **argv) {
    circle_args c;
    memset(&c, 0, sizeof c);
    tc_circle_options_init(&c.co);
    c.out_dir = "circle-report";
    c.feeds = calloc((size_t)argc + 2, sizeof *c.feeds);
    c.owned = calloc((size_t)argc + 2, sizeof *c.owned);
    c.scen = calloc((size_t)argc + 8, sizeof *c.scen);
    int rc;
    if (!c.feeds || !c.owned || !c.scen) {
        fprintf(stderr, "tongcheng: out of memory\n");
        rc = 1;
    } else if ((rc = parse_args(&c, argc, argv)) < 0) {
        rc = 0; /* --help */
    } else if (rc == 0 && (rc = check_args(&c)) == 0) {
        rc = run(&c);
    }
    if (c.owned)
        for (size_t i = 0; i < c.n_owned; i++) free(c.owned[i]);
    free(c.owned);
    free((void *)c.scen);
    free(c.feeds);
    return rc;
}
