/*
 * circle_run.c — tc_circle_run: the whole commute-circle job behind one public call (include/tongcheng.h), so the
 * `tongcheng circle` command and the Python package run the same code: resolve the built-in default, read the
 * places, cores and population, build (or open) the baseline network, rebuild it once per scenario, compute each,
 * and write circle.csv, isochrones.geojson and report.html into a folder, returning the readable table.
 *
 * Scenarios are evaluated by rebuilding the network from the same inputs + the scenario (the build takes
 * milliseconds for a metropolitan sketch), so a scenario can touch anything a build reads; a prebuilt network file
 * does not keep its inputs, so it gives the baseline only.
 */
#include "analysis/gpkg_out.h"
#include "report/circle.h"
#include "common/timeutil.h"
#include "sketch/scenario.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The built-in default's shipped scenarios, in the report's column order. */
static const char *const shipped_scenarios[] = {"intercity_like_a_bus.json", "hsr_intercity_hub.json",
                                                "metro_extensions.json", "ring_expressway.json"};

void tc_circle_options_init(tc_circle_options *o) {
    memset(o, 0, sizeof *o);
    circle_params p;
    circle_params_init(&p);
    o->date = p.date;
    o->window_start = p.window_start;
    o->window_end = p.window_end;
    o->cutoff_min = p.cutoff_min;
    o->access_mode = -1;
    o->max_access_min = p.max_access_min;
    o->car_speed_kmh = p.car_speed_kmh;
    o->isochrones = 1;
}

static int is_file(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
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
static int scenario_label(const char *path, char *name, size_t nn, char **desc) {
    scenario *sc = NULL;
    if (scenario_read(path, NULL, &sc, NULL) != TC_OK) return -1; /* the build reports the error itself */
    snprintf(name, nn, "%s", sc->name && *sc->name ? sc->name : "scenario");
    *desc = strdup(sc->description ? sc->description : "");
    scenario_free(sc);
    return 0;
}

static tc_status build_net(const tc_circle_options *o, const tc_feed_source *feeds, size_t n_feeds,
                           const char *scenario, const char *path, tc_error *err) {
    tc_build_options b;
    tc_build_options_init(&b);
    b.feeds = feeds;
    b.n_feeds = n_feeds;
    b.osm_path = o->osm_path;
    const char *scns[1] = {scenario};
    b.scenarios = scns;
    b.n_scenarios = scenario ? 1 : 0;
    b.on_finding = o->on_finding;
    b.finding_user = o->finding_user;
    return tc_build(&b, path, err);
}

/* Each output through a memory stream: the table for the caller. */
static tc_status table_text(const circle_report *rep, char **out, tc_error *err) {
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    if (!fp) return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    circle_print_table(rep, fp);
    if (rep->freight) circle_freight_print(rep->freight, fp);
    if (fclose(fp)) {
        free(buf);
        return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    *out = buf;
    return TC_OK;
}

tc_status tc_circle_run(const tc_circle_options *o, const char *out_dir, char **table_out, tc_error *err) {
    if (!o || !out_dir) return tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "tc_circle_run: missing options");
    const int builtin = !o->network_path && o->n_feeds == 0 && !o->osm_path;
    circle_params prm;
    circle_params_init(&prm);
    prm.date = o->date;
    prm.window_start = o->window_start;
    prm.window_end = o->window_end;
    prm.cutoff_min = o->cutoff_min;
    prm.max_access_min = o->max_access_min;
    prm.car_speed_kmh = o->car_speed_kmh;
    prm.isochrones = o->isochrones;
    prm.car_peak = o->car_peak;
    prm.access_mode = (int)o->access_mode >= 0 ? o->access_mode : TC_MODE_WALK;
    if (prm.window_end <= prm.window_start)
        return tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "the departure window is empty");

    tc_feed_source builtin_feed = {0};
    const tc_feed_source *feeds = o->feeds;
    size_t n_feeds = o->n_feeds;
    const char *cores_path = o->cores_path, *places_path = o->places_path;
    const char *pop_path = o->population_path, *roads_path = o->roads_path;
    circle_roads *base_roads = NULL;
    circle_freight *freight = NULL;
    char **assumptions = NULL; /* the built-in default's assumptions.txt, one per line, for the report */
    size_t n_assumptions = 0;
    const char **scen = calloc(o->n_scenarios + sizeof shipped_scenarios / sizeof *shipped_scenarios + 1,
                               sizeof *scen);
    char *owned[16] = {0}; /* the default's files and its shipped scenarios */
    size_t n_owned = 0, n_scen = 0;
    int sketch_model = o->sketch_model;
    char label[PATH_MAX + 128] = "";
    circle_places places = {0}, cores = {0};
    circle_population pop = {0};
    circle_result *results = NULL;
    size_t n_results = 0;
    char tmp_net[PATH_MAX + 64] = "";
    char *table = NULL;
    tc_status st = TC_OK;
    if (!scen) return tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    for (size_t k = 0; k < o->n_scenarios; k++) scen[n_scen++] = o->scenarios[k];

    if (builtin) {
        char probe[PATH_MAX + 64];
        if (!o->data_dir || snprintf(probe, sizeof probe, "%s/network.sketch.json", o->data_dir) <= 0 ||
            !is_file(probe)) {
            st = tc_fail(err, TC_ERR_NOT_FOUND, NULL, 0, 0,
                         "cannot find the built-in default network (data/changzhutan/network.sketch.json)%s%s",
                         o->data_dir ? " in " : "", o->data_dir ? o->data_dir : "");
            goto out;
        }
        if (!(owned[n_owned++] = strdup(probe))) goto oom;
        builtin_feed.path = owned[n_owned - 1];
        builtin_feed.sketch = 1;
        feeds = &builtin_feed;
        n_feeds = 1;
        sketch_model = 1;
        snprintf(label, sizeof label, "%s (built-in default)", probe);
        if (!cores_path) {
            snprintf(probe, sizeof probe, "%s/cores.csv", o->data_dir);
            if (!(cores_path = owned[n_owned++] = strdup(probe))) goto oom;
        }
        if (!places_path) {
            snprintf(probe, sizeof probe, "%s/places.csv", o->data_dir);
            if (!(places_path = owned[n_owned++] = strdup(probe))) goto oom;
        }
        snprintf(probe, sizeof probe, "%s/population.csv", o->data_dir); /* residents by district, 2020 census */
        if (!pop_path && is_file(probe) && !(pop_path = owned[n_owned++] = strdup(probe))) goto oom;
        snprintf(probe, sizeof probe, "%s/roads.json", o->data_dir); /* the road model for car times */
        if (!roads_path && is_file(probe) && !(roads_path = owned[n_owned++] = strdup(probe))) goto oom;
        snprintf(probe, sizeof probe, "%s/assumptions.txt", o->data_dir);
        if (is_file(probe) && read_lines(probe, &assumptions, &n_assumptions)) goto oom;
        if (n_scen == 0 && !o->no_scenarios)
            for (size_t k = 0; k < sizeof shipped_scenarios / sizeof *shipped_scenarios; k++) {
                snprintf(probe, sizeof probe, "%s/scenarios/%s", o->data_dir, shipped_scenarios[k]);
                if (!is_file(probe)) continue;
                if (!(scen[n_scen++] = owned[n_owned++] = strdup(probe))) goto oom;
            }
    } else {
        for (size_t i = 0; i < n_feeds; i++) sketch_model |= feeds[i].sketch;
    }
    if (o->network_path && n_scen && n_feeds == 0 && !o->osm_path) {
        st = tc_fail(err, TC_ERR_INVALID_ARGUMENT, o->network_path, 0, 0,
                     "scenarios are evaluated by rebuilding the network from its inputs, and a network file does not "
                     "keep them: give the inputs (sketch / GTFS / OSM) instead of, or besides, the network file");
        goto out;
    }
    if (!cores_path) {
        st = tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                     "the cores (a CSV) are required unless the built-in default is used");
        goto out;
    }
    if (o->network_label) snprintf(label, sizeof label, "%s", o->network_label);
    if (!label[0]) {
        if (o->network_path) snprintf(label, sizeof label, "%s", o->network_path);
        else {
            size_t used = 0;
            for (size_t i = 0; i < n_feeds && used < sizeof label - 8; i++)
                used += (size_t)snprintf(label + used, sizeof label - used, "%s%s", i ? " + " : "", feeds[i].path);
            if (o->osm_path && used < sizeof label - 8)
                snprintf(label + used, sizeof label - used, " + %s", o->osm_path);
        }
    }
    if ((st = circle_places_read(cores_path, &cores, err)) ||
        (st = circle_places_read(places_path ? places_path : cores_path, &places, err)))
        goto out;
    if (pop_path) {
        if ((st = circle_population_read(pop_path, o->population_column, &pop, err))) goto out;
        prm.population = &pop;
    }
    const int gpkg = tc_gpkg_path(out_dir); /* -o report.gpkg: one GeoPackage instead of the folder */
    if (!gpkg && mkdir(out_dir, 0777) && errno != EEXIST) {
        st = tc_fail(err, TC_ERR_IO, out_dir, 0, 0, "cannot create the output folder: %s", strerror(errno));
        goto out;
    }
    results = calloc(n_scen + 1, sizeof *results);
    if (!results) goto oom;
    if (gpkg) snprintf(tmp_net, sizeof tmp_net, "%s.circle-%ld.net", out_dir, (long)getpid());
    else snprintf(tmp_net, sizeof tmp_net, "%s/.circle-%ld.net", out_dir, (long)getpid());
    for (size_t k = 0; k <= n_scen; k++) {
        const char *scn = k ? scen[k - 1] : NULL;
        const char *path = o->network_path;
        if (!path || k > 0) {
            if (o->progress) fprintf(stderr, "building %s%s\n", k ? "scenario " : "baseline", k ? scn : "");
            if ((st = build_net(o, feeds, n_feeds, scn, tmp_net, err))) goto out;
            path = tmp_net;
        }
        tc_network *net = NULL;
        if ((st = tc_network_open(path, &net, err))) goto out;
        if (k == 0 && prm.date == INT32_MIN) { /* a typical weekday, clear of the service's first days */
            tc_network_info info;
            if (tc_network_get_info(net, &info, err) == TC_OK) {
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
        if (roads_path && !o->osm_path && (st = load_roads(roads_path, scn, &roads, err))) { /* OSM replaces it */
            free(desc);
            tc_network_close(net);
            goto out;
        }
        prm.roads = roads;
        if (o->progress) fprintf(stderr, "computing %s\n", name);
        st = circle_compute(net, &prm, &places, &cores, name, desc, &results[k], err);
        free(desc);
        if (k == 0) base_roads = roads; /* kept for the writers' description of the car model */
        else circle_roads_free(roads);
        prm.roads = base_roads;
        tc_network_close(net);
        if (path == tmp_net) unlink(tmp_net);
        if (st) goto out;
        n_results++;
    }
    {
        circle_report rep = {results,      n_results,    &places,
                             &cores,       &prm,         label,
                             sketch_model, (const char *const *)assumptions, n_assumptions, NULL};
        char fpath[PATH_MAX + 64];
        /* the freight section: the default's hubs.csv on the road model, with its population */
        if (builtin && base_roads && pop.n &&
            snprintf(fpath, sizeof fpath, "%s/hubs.csv", o->data_dir) > 0 && is_file(fpath)) {
            if ((st = circle_freight_compute(base_roads, fpath, &pop, 10 * 3600, &freight, err))) goto out;
            rep.freight = freight;
            if (!gpkg) {
                snprintf(fpath, sizeof fpath, "%s/freight.csv", out_dir);
                if ((st = circle_freight_write_csv(freight, fpath, err))) goto out;
            }
        }
        if (gpkg) {
            if ((st = circle_write_gpkg(&rep, out_dir, err))) goto out;
            goto table;
        }
        snprintf(fpath, sizeof fpath, "%s/circle.csv", out_dir);
        if ((st = circle_write_csv(&rep, fpath, err))) goto out;
        snprintf(fpath, sizeof fpath, "%s/isochrones.geojson", out_dir);
        if ((st = circle_write_geojson(&rep, fpath, err))) goto out;
        snprintf(fpath, sizeof fpath, "%s/report.html", out_dir);
        if ((st = circle_write_html(&rep, fpath, err))) goto out;
    table:
        if (table_out && (st = table_text(&rep, &table, err))) goto out;
    }
    if (table_out) {
        *table_out = table;
        table = NULL;
    }
    goto out;
oom:
    st = tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
out:
    if (tmp_net[0]) unlink(tmp_net);
    for (size_t k = 0; k < n_results; k++) circle_result_free(&results[k]);
    free(results);
    free(table);
    circle_places_free(&places);
    circle_places_free(&cores);
    circle_population_free(&pop);
    circle_freight_free(freight);
    circle_roads_free(base_roads);
    for (size_t i = 0; i < n_assumptions; i++) free(assumptions[i]);
    free(assumptions);
    for (size_t i = 0; i < n_owned; i++) free(owned[i]);
    free(scen);
    return st;
}
