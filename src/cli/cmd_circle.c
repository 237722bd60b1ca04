/*
 * cmd_circle.c — `tongcheng circle`: the one-hour commute circle report. The job is the library's tc_circle_run
 * (src/report/circle_run.c, shared with the Python package); this file parses the options and finds the built-in
 * default.
 *
 * Scenarios are evaluated by rebuilding the network from the same inputs + the scenario. A prebuilt network
 * file does not keep its inputs, so scenarios need the inputs (--sketch / --gtfs / --osm); a NET alone gives the
 * baseline only. With no network and no inputs, the built-in default runs: data/changzhutan/ (found through
 * --data-dir, $TONGCHENG_DATA_DIR, or beside the executable / in the source tree), with its shipped scenarios.
 */
#include "cli.h"
#include "analysis/gpkg_out.h"
#include "common/timeutil.h"
#include "report/circle.h"
#include "sketch/scenario.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

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

static int is_file(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The built-in default's folder: the option, the environment, then relative to the executable (installed:
 * ../share/tongcheng/changzhutan; in a build folder of the source tree: ../data/changzhutan). */
static int find_data_dir(const char *given, char *out, size_t n) {
    const char *env = getenv("TONGCHENG_DATA_DIR");
    const char *cands[2] = {given, env && *env ? env : NULL};
    for (int i = 0; i < 2; i++) {
        if (!cands[i]) continue;
        snprintf(out, n, "%s/network.sketch.json", cands[i]);
        if (is_file(out)) {
            snprintf(out, n, "%s", cands[i]);
            return 0;
        }
        if (i == 0) return -1; /* an explicit --data-dir that does not hold the default is an error */
    }
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) return -1;
    exe[len] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash) return -1;
    *slash = '\0';
    static const char *rel[] = {"/../data/changzhutan", "/../../data/changzhutan", "/../share/tongcheng/changzhutan",
                                "/data/changzhutan"};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        char probe[PATH_MAX + 64];
        snprintf(probe, sizeof probe, "%s%s/network.sketch.json", exe, rel[i]);
        if (is_file(probe)) {
            snprintf(out, n, "%s%s", exe, rel[i]);
            char *real = realpath(out, NULL);
            if (real) {
                snprintf(out, n, "%s", real);
                free(real);
            }
            return 0;
        }
    }
#if defined(TC_SOURCE_DATA_DIR) && defined(TC_INSTALL_DATA_DIR)
    /* A build folder outside the source tree, then an installed program moved away from its prefix. */
    static const char *const compiled_in[] = {TC_SOURCE_DATA_DIR, TC_INSTALL_DATA_DIR};
    for (size_t i = 0; i < sizeof compiled_in / sizeof *compiled_in; i++) {
        snprintf(out, n, "%s/network.sketch.json", compiled_in[i]);
        if (is_file(out)) {
            snprintf(out, n, "%s", compiled_in[i]);
            return 0;
        }
    }
#endif
    return -1;
}

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

int cmd_circle(int argc, char **argv) {
    const char *net_path = NULL, *osm = NULL, *cores_path = NULL, *places_path = NULL, *pop_path = NULL;
    const char *pop_col = NULL, *out_dir = "circle-report", *data_dir_opt = NULL, *roads_path = NULL;
    int car_peak = 0, quiet = 0, no_scenarios = 0, rc = 0, access_given = 0, sketch_model = 0;
    circle_params prm;
    circle_params_init(&prm);
    tc_feed_source *feeds = calloc((size_t)argc + 2, sizeof *feeds);
    char **owned = calloc((size_t)argc + 2, sizeof *owned);
    const char **scen = calloc((size_t)argc + 8, sizeof *scen);
    size_t n_feeds = 0, n_owned = 0, n_scen = 0;
    char data_dir[PATH_MAX] = "";
    tc_error err;
    memset(&err, 0, sizeof err);
    if (!feeds || !owned || !scen) {
        fprintf(stderr, "tongcheng: out of memory\n");
        rc = 1;
        goto out;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(circle_usage, stdout);
            goto out;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "--no-scenarios")) {
            no_scenarios = 1;
        } else if (!strcmp(a, "--no-isochrones")) {
            prm.isochrones = 0;
        } else if (!strcmp(a, "--car-peak")) {
            car_peak = 1;
        } else if (a[0] == '-' && a[1]) {
            if (i + 1 >= argc) {
                rc = cli_usage(circle_usage, "circle: %s needs a value", a);
                goto out;
            }
            const char *val = argv[++i];
            if (!strcmp(a, "--sketch") || !strcmp(a, "--gtfs")) {
                const char *bad = cli_feed_arg(a, val, &feeds[n_feeds], &owned[n_owned]);
                if (owned[n_owned]) n_owned++;
                if (bad) {
                    rc = cli_usage(circle_usage, "circle: %s", bad);
                    goto out;
                }
                sketch_model |= feeds[n_feeds++].sketch;
            } else if (!strcmp(a, "--osm")) {
                osm = val;
            } else if (!strcmp(a, "--scenario")) {
                scen[n_scen++] = val;
            } else if (!strcmp(a, "--cores")) {
                cores_path = val;
            } else if (!strcmp(a, "--places")) {
                places_path = val;
            } else if (!strcmp(a, "--roads")) {
                roads_path = val;
            } else if (!strcmp(a, "--population")) {
                pop_path = val;
            } else if (!strcmp(a, "--population-column")) {
                pop_col = val;
            } else if (!strcmp(a, "--data-dir")) {
                data_dir_opt = val;
            } else if (!strcmp(a, "-o")) {
                out_dir = val;
            } else if (!strcmp(a, "--date")) {
                if (tc_parse_date(val, &prm.date, &err)) {
                    rc = cli_usage(circle_usage, "circle: --date wants YYYY-MM-DD, not \"%s\"", val);
                    goto out;
                }
            } else if (!strcmp(a, "--window")) {
                if (tc_parse_window(val, &prm.window_start, &prm.window_end, NULL) != TC_OK) {
                    rc = cli_usage(circle_usage, "circle: --window wants HH:MM-HH:MM (end after start), not \"%s\"",
                                   val);
                    goto out;
                }
            } else if (!strcmp(a, "--cutoff")) {
                if (parse_int(val, 1, 600, &prm.cutoff_min)) {
                    rc = cli_usage(circle_usage, "circle: --cutoff wants minutes between 1 and 600, not \"%s\"", val);
                    goto out;
                }
            } else if (!strcmp(a, "--max-access")) {
                if (parse_int(val, 0, 120, &prm.max_access_min)) {
                    rc = cli_usage(circle_usage, "circle: --max-access wants minutes between 0 and 120, not \"%s\"",
                                   val);
                    goto out;
                }
            } else if (!strcmp(a, "--access")) {
                access_given = 1;
                if (!strcmp(val, "walk")) prm.access_mode = TC_MODE_WALK;
                else if (!strcmp(val, "bike")) prm.access_mode = TC_MODE_BIKE;
                else if (!strcmp(val, "car")) prm.access_mode = TC_MODE_CAR;
                else {
                    rc = cli_usage(circle_usage, "circle: --access wants walk, bike or car, not \"%s\"", val);
                    goto out;
                }
            } else if (!strcmp(a, "--walk-speed") || !strcmp(a, "--bike-speed")) {
                double mps;
                if (cli_parse_speed(val, &mps)) {
                    rc = cli_usage(circle_usage, "circle: %s wants m/s between 0.1 and 30, not \"%s\"", a, val);
                    goto out;
                }
                if (a[2] == 'w') prm.walk_speed_mps = mps;
                else prm.bike_speed_mps = mps;
            } else if (!strcmp(a, "--board-slack")) {
                if (parse_int(val, 0, 3600, &prm.board_slack_s)) {
                    rc = cli_usage(circle_usage, "circle: --board-slack wants seconds between 0 and 3600, not \"%s\"", val);
                    goto out;
                }
            } else if (!strcmp(a, "--car-speed")) {
                int v;
                if (parse_int(val, 1, 200, &v)) {
                    rc = cli_usage(circle_usage, "circle: --car-speed wants km/h between 1 and 200, not \"%s\"", val);
                    goto out;
                }
                prm.car_speed_kmh = v;
            } else {
                rc = cli_usage(circle_usage, "circle: unknown option \"%s\"", a);
                goto out;
            }
        } else if (!net_path) {
            net_path = a;
        } else {
            rc = cli_usage(circle_usage, "circle: unexpected argument \"%s\"", a);
            goto out;
        }
    }
    if (!net_path && n_feeds == 0 && !osm) { /* the built-in default */
        if (find_data_dir(data_dir_opt, data_dir, sizeof data_dir)) {
            fprintf(stderr, "tongcheng: error: cannot find the built-in default network (data/changzhutan/"
                            "network.sketch.json)%s%s; give --data-dir DIR or set TONGCHENG_DATA_DIR\n",
                    data_dir_opt ? " in " : "", data_dir_opt ? data_dir_opt : "");
            rc = 1;
            goto out;
        }
    } else if (!cores_path) {
        rc = cli_usage(circle_usage, "circle: --cores CSV is required unless the built-in default is used");
        goto out;
    }
    if (net_path && n_scen && n_feeds == 0 && !osm) {
        fprintf(stderr, "tongcheng: error: scenarios are evaluated by rebuilding the network from its inputs, and a "
                        "network file does not keep them: give the inputs (--sketch / --gtfs / --osm) instead of, or "
                        "besides, %s\n", net_path);
        rc = 2;
        goto out;
    }
    /* The job itself is the library's (tc_circle_run), shared with the Python package. */
    tc_circle_options co;
    tc_circle_options_init(&co);
    co.network_path = net_path;
    co.feeds = feeds;
    co.n_feeds = n_feeds;
    co.osm_path = osm;
    co.scenarios = scen;
    co.n_scenarios = n_scen;
    co.data_dir = data_dir[0] ? data_dir : NULL;
    co.no_scenarios = no_scenarios;
    co.cores_path = cores_path;
    co.places_path = places_path;
    co.population_path = pop_path;
    co.population_column = pop_col;
    co.date = prm.date;
    co.window_start = prm.window_start;
    co.window_end = prm.window_end;
    co.cutoff_min = prm.cutoff_min;
    co.access_mode = access_given ? (int)prm.access_mode : -1;
    co.max_access_min = prm.max_access_min;
    co.car_speed_kmh = prm.car_speed_kmh;
    co.roads_path = roads_path;
    co.car_peak = car_peak;
    co.isochrones = prm.isochrones;
    co.sketch_model = sketch_model;
    co.progress = cli_progress_wanted(quiet);
    co.on_finding = quiet_finding;
    co.finding_user = stderr;
    char *table = NULL;
    if (tc_circle_run(&co, out_dir, &table, &err) != TC_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    fputs(table, stdout);
    if (tc_gpkg_path(out_dir)) printf("\nreport: %s\n", out_dir);
    else printf("\nreport: %s/report.html\n", out_dir);
    tc_free(table);
out:
    if (owned)
        for (size_t i = 0; i < n_owned; i++) free(owned[i]);
    free(owned);
    free(scen);
    free(feeds);
    return rc;
}
