/*
 * cmd_circle.c — `tongcheng circle`: the one-hour commute circle report (src/report/circle.h).
 *
 * Scenarios are evaluated by rebuilding the network from the same inputs + the scenario (the build takes
 * milliseconds for a metropolitan sketch), so a scenario can touch anything a build reads. A prebuilt network
 * file does not keep its inputs, so scenarios need the inputs (--sketch / --gtfs / --osm); a NET alone gives the
 * baseline only. With no network and no inputs, the built-in default runs: data/changzhutan/ (found through
 * --data-dir, $TONGCHENG_DATA_DIR, or beside the executable / in the source tree), with its shipped scenarios.
 */
#include "cli.h"
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
    "                         isochrones.geojson\n"
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

/* Build a network from the inputs + optional scenario into path. */
static tc_status build_net(const tc_feed_source *feeds, size_t n_feeds, const char *osm, const char *scenario,
                           const char *path, tc_error *err) {
    tc_build_options o;
    tc_build_options_init(&o);
    o.feeds = feeds;
    o.n_feeds = n_feeds;
    o.osm_path = osm;
    const char *scns[1] = {scenario};
    o.scenarios = scns;
    o.n_scenarios = scenario ? 1 : 0;
    o.on_finding = quiet_finding;
    o.finding_user = stderr;
    return tc_build(&o, path, err);
}

/* The non-empty lines of a small text file (the default's list of remaining assumptions); -1 when out of memory.
 * A file that cannot be read gives no lines: the list is a courtesy of the report, not an input of the numbers. */
static int read_lines(const char *path, char ***out, size_t *n) {
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char buf[1024];
    int rc = 0;
    while (!rc && fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\r\n")] = '\0';
        if (!buf[0] || buf[0] == '#') continue;
        char **v = realloc(*out, (*n + 1) * sizeof *v);
        if (!v || !(v[*n] = strdup(buf))) {
            if (v) *out = v;
            rc = -1;
            break;
        }
        *out = v;
        (*n)++;
    }
    fclose(f);
    return rc;
}

/* The road model, with the roads a scenario adds ("add_road" modifications). */
static tc_status load_roads(const char *path, const char *scenario_path, circle_roads **out, tc_error *err) {
    scenario *sc = NULL;
    if (scenario_path) {
        tc_status st = scenario_read(scenario_path, NULL, &sc, err);
        if (st) return st;
    }
    size_t n = 0;
    const cJSON **extra = calloc(sc ? sc->n_mods + 1 : 1, sizeof *extra);
    const char **files = calloc(sc ? sc->n_mods + 1 : 1, sizeof *files);
    tc_status st = TC_OK;
    if (!extra || !files) st = tc_fail(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    for (size_t i = 0; !st && sc && i < sc->n_mods; i++)
        if (sc->mods[i].kind == SCN_ADD_ROAD) {
            extra[n] = sc->mods[i].road;
            files[n++] = scenario_path;
        }
    if (!st) st = circle_roads_read(path, extra, files, n, out, err);
    free(extra);
    free(files);
    scenario_free(sc);
    return st;
}

/* The scenario's name and description, read without applying it (for labels). */
static int scenario_label(const char *path, char *name, size_t nn, char **desc);
static tc_status load_roads(const char *path, const char *scenario_path, circle_roads **out, tc_error *err);

int cmd_circle(int argc, char **argv) {
    const char *net_path = NULL, *osm = NULL, *cores_path = NULL, *places_path = NULL, *pop_path = NULL;
    const char *pop_col = NULL, *out_dir = "circle-report", *data_dir_opt = NULL, *roads_path = NULL;
    int quiet = 0, no_scenarios = 0, rc = 0, sketch_model = 0;
    circle_params prm;
    circle_params_init(&prm);
    tc_feed_source *feeds = calloc((size_t)argc + 2, sizeof *feeds);
    char **owned = calloc((size_t)argc + 2, sizeof *owned);
    const char **scen = calloc((size_t)argc + 8, sizeof *scen);
    char **scen_owned = calloc((size_t)argc + 8, sizeof *scen_owned);
    size_t n_feeds = 0, n_owned = 0, n_scen = 0, n_scen_owned = 0;
    circle_places places = {0}, cores = {0};
    circle_roads *base_roads = NULL;
    circle_freight *freight = NULL;
    char **assumptions = NULL; /* the built-in default's assumptions.txt, one per line, for the report */
    size_t n_assumptions = 0;
    circle_population pop = {0};
    circle_result *results = NULL;
    size_t n_results = 0;
    char data_dir[PATH_MAX] = "", label[PATH_MAX + 32] = "";
    char tmp_net[PATH_MAX + 64] = "";
    tc_error err;
    memset(&err, 0, sizeof err);
    if (!feeds || !owned || !scen || !scen_owned) {
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
            prm.car_peak = 1;
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
                if (cli_parse_window(val, &prm.window_start, &prm.window_end)) {
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
                if (!strcmp(val, "walk")) prm.access_mode = TC_MODE_WALK;
                else if (!strcmp(val, "bike")) prm.access_mode = TC_MODE_BIKE;
                else if (!strcmp(val, "car")) prm.access_mode = TC_MODE_CAR;
                else {
                    rc = cli_usage(circle_usage, "circle: --access wants walk, bike or car, not \"%s\"", val);
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
        char *p = malloc(strlen(data_dir) + 32);
        if (!p) goto oom;
        sprintf(p, "%s/network.sketch.json", data_dir);
        owned[n_owned++] = p;
        feeds[n_feeds].path = p;
        feeds[n_feeds++].sketch = 1;
        sketch_model = 1;
        snprintf(label, sizeof label, "%s (built-in default)", p);
        static char cbuf[PATH_MAX + 32], pbuf[PATH_MAX + 32];
        if (!cores_path) {
            snprintf(cbuf, sizeof cbuf, "%s/cores.csv", data_dir);
            cores_path = cbuf;
        }
        if (!places_path) {
            snprintf(pbuf, sizeof pbuf, "%s/places.csv", data_dir);
            places_path = pbuf;
        }
        static char popbuf[PATH_MAX + 32], abuf[PATH_MAX + 32];
        snprintf(popbuf, sizeof popbuf, "%s/population.csv", data_dir);
        if (!pop_path && is_file(popbuf)) pop_path = popbuf; /* residents by district and county, 2020 census */
        static char rbuf[PATH_MAX + 32];
        snprintf(rbuf, sizeof rbuf, "%s/roads.json", data_dir);
        if (!roads_path && is_file(rbuf)) roads_path = rbuf; /* the road model for car times */
        snprintf(abuf, sizeof abuf, "%s/assumptions.txt", data_dir);
        if (is_file(abuf) && read_lines(abuf, &assumptions, &n_assumptions)) goto oom;
        if (n_scen == 0 && !no_scenarios) {
            static const char *shipped[] = {"intercity_like_a_bus.json", "hsr_intercity_hub.json",
                                            "metro_extensions.json", "ring_expressway.json"};
            for (size_t k = 0; k < sizeof shipped / sizeof *shipped; k++) {
                char *s = malloc(strlen(data_dir) + 64);
                if (!s) goto oom;
                sprintf(s, "%s/scenarios/%s", data_dir, shipped[k]);
                if (!is_file(s)) {
                    free(s);
                    continue;
                }
                scen_owned[n_scen_owned++] = s;
                scen[n_scen++] = s;
            }
        }
    }
    if (net_path && n_scen && n_feeds == 0 && !osm) {
        fprintf(stderr, "tongcheng: error: scenarios are evaluated by rebuilding the network from its inputs, and a "
                        "network file does not keep them: give the inputs (--sketch / --gtfs / --osm) instead of, or "
                        "besides, %s\n", net_path);
        rc = 2;
        goto out;
    }
    if (!cores_path) {
        rc = cli_usage(circle_usage, "circle: --cores CSV is required unless the built-in default is used");
        goto out;
    }
    if (!label[0]) {
        if (net_path) snprintf(label, sizeof label, "%s", net_path);
        else {
            size_t used = 0;
            for (size_t i = 0; i < n_feeds && used < sizeof label - 8; i++)
                used += (size_t)snprintf(label + used, sizeof label - used, "%s%s", i ? " + " : "", feeds[i].path);
            if (osm && used < sizeof label - 8) snprintf(label + used, sizeof label - used, " + %s", osm);
        }
    }
    if (circle_places_read(cores_path, &cores, &err) ||
        circle_places_read(places_path ? places_path : cores_path, &places, &err)) {
        rc = cli_fail(&err);
        goto out;
    }
    if (pop_path) {
        if (circle_population_read(pop_path, pop_col, &pop, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        prm.population = &pop;
    }
    if (mkdir(out_dir, 0777) && errno != EEXIST) {
        fprintf(stderr, "tongcheng: error: %s: cannot create the output folder: %s\n", out_dir, strerror(errno));
        rc = 1;
        goto out;
    }
    results = calloc(n_scen + 1, sizeof *results);
    if (!results) goto oom;
    snprintf(tmp_net, sizeof tmp_net, "%s/.circle-%ld.net", out_dir, (long)getpid());
    const int progress = cli_progress_wanted(quiet);
    for (size_t k = 0; k <= n_scen; k++) {
        const char *scn = k ? scen[k - 1] : NULL;
        const char *path = net_path;
        if (!net_path || k > 0) {
            if (progress) fprintf(stderr, "building %s%s\n", k ? "scenario " : "baseline", k ? scn : "");
            if (build_net(feeds, n_feeds, osm, scn, tmp_net, &err)) {
                rc = cli_fail(&err);
                goto out;
            }
            path = tmp_net;
        }
        tc_network *net = NULL;
        if (tc_network_open(path, &net, &err)) {
            rc = cli_fail(&err);
            goto out;
        }
        if (k == 0 && prm.date == INT32_MIN) { /* a typical weekday, clear of the service's first days */
            tc_network_info info;
            if (tc_network_get_info(net, &info, &err) == TC_OK) {
                int32_t d = info.service_start + 7;
                if (d > info.service_end) d = info.service_start;
                while (tc_weekday(d) != 1 && d + 1 <= info.service_end) d++;
                prm.date = d;
            }
        }
        char name[128] = "baseline";
        char *desc = NULL;
        if (k && scenario_label(scn, name, sizeof name, &desc)) snprintf(name, sizeof name, "scenario-%zu", k);
        circle_roads *roads = NULL;
        if (roads_path && !osm && load_roads(roads_path, scn, &roads, &err)) { /* OSM streets replace the model */
            free(desc);
            tc_network_close(net);
            rc = cli_fail(&err);
            goto out;
        }
        prm.roads = roads;
        if (progress) fprintf(stderr, "computing %s\n", name);
        tc_status st = circle_compute(net, &prm, &places, &cores, name, desc, &results[k], &err);
        free(desc);
        if (k == 0) base_roads = roads; /* kept for the writers' description of the car model */
        else circle_roads_free(roads);
        prm.roads = base_roads;
        tc_network_close(net);
        if (path == tmp_net) unlink(tmp_net);
        if (st) {
            rc = cli_fail(&err);
            goto out;
        }
        n_results++;
    }
    circle_report rep = {results, n_results, &places, &cores, &prm, label, sketch_model,
                         (const char *const *)assumptions, n_assumptions, NULL};
    char fpath[PATH_MAX + 64];
    /* freight section: the data folder's hubs.csv on the road model, with a population grid */
    snprintf(fpath, sizeof fpath, "%s/hubs.csv", data_dir);
    if (data_dir[0] && base_roads && pop.n && is_file(fpath)) {
        if (circle_freight_compute(base_roads, fpath, &pop, 10 * 3600, &freight, &err)) goto fail;
        rep.freight = freight;
        snprintf(fpath, sizeof fpath, "%s/freight.csv", out_dir);
        if (circle_freight_write_csv(freight, fpath, &err)) goto fail;
    }
    snprintf(fpath, sizeof fpath, "%s/circle.csv", out_dir);
    if (circle_write_csv(&rep, fpath, &err)) goto fail;
    snprintf(fpath, sizeof fpath, "%s/isochrones.geojson", out_dir);
    if (circle_write_geojson(&rep, fpath, &err)) goto fail;
    snprintf(fpath, sizeof fpath, "%s/report.html", out_dir);
    if (circle_write_html(&rep, fpath, &err)) goto fail;
    {
        circle_print_table(&rep, stdout);
        if (freight) circle_freight_print(freight, stdout);
        printf("\nreport: %s\n", fpath);
    }
    goto out;
fail:
    rc = cli_fail(&err);
    goto out;
oom:
    fprintf(stderr, "tongcheng: out of memory\n");
    rc = 1;
out:
    if (tmp_net[0]) unlink(tmp_net);
    for (size_t k = 0; k < n_results; k++) circle_result_free(&results[k]);
    free(results);
    circle_places_free(&places);
    circle_places_free(&cores);
    circle_population_free(&pop);
    if (owned)
        for (size_t i = 0; i < n_owned; i++) free(owned[i]);
    if (scen_owned)
        for (size_t i = 0; i < n_scen_owned; i++) free(scen_owned[i]);
    circle_freight_free(freight);
    circle_roads_free(base_roads);
    for (size_t i = 0; i < n_assumptions; i++) free(assumptions[i]);
    free(assumptions);
    free(owned);
    free(scen_owned);
    free(scen);
    free(feeds);
    return rc;
}

static int scenario_label(const char *path, char *name, size_t nn, char **desc) {
    scenario *sc = NULL;
    if (scenario_read(path, NULL, &sc, NULL) != TC_OK) return -1; /* the build reports the error itself */
    snprintf(name, nn, "%s", sc->name && *sc->name ? sc->name : "scenario");
    *desc = strdup(sc->description ? sc->description : "");
    scenario_free(sc);
    return 0;
}
