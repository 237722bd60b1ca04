/*
 * circle_run.c — tc_circle_run: the whole commute-circle job behind one public call (include/tongcheng.h), so the
 * `tongcheng circle` command and the Python package run the same code: resolve the built-in default, read the
 * places, cores and population, build (or open) the baseline network, rebuild it once per scenario, compute each,
 * and write circle.csv, isochrones.geojson and report.html into a folder, returning the readable table. What
 * the run reads (the built-in default's folder and files when no inputs are given) is resolved first, by
 * circle_default.c.
 *
 * Scenarios are evaluated by rebuilding the network from the same inputs + the scenario (the build takes
 * milliseconds for a metropolitan sketch), so a scenario can touch anything a build reads; a prebuilt network file
 * does not keep its inputs, so it gives the baseline only.
 */
#include "analysis/gpkg_out.h"
#include "report/circle.h"
#include "report/circle_default.h"
#include "common/timeutil.h"
#include "sketch/scenario.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    if (!extra || !files) st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
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
    if (!fp) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    circle_print_table(rep, fp);
    if (rep->freight) circle_freight_print(rep->freight, fp);
    if (fclose(fp)) {
        free(buf);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    *out = buf;
    return TC_OK;
}


/* One run: its inputs resolved, what was read from them, and one result per network (the baseline, then each
 * scenario). */
typedef struct circle_job {
    const tc_circle_options *o;
    circle_inputs in;
    circle_params prm;
    circle_places places, cores;
    circle_population pop;
    circle_result *results;
    size_t n_results;
    circle_roads *base_roads; /* the baseline's road model, kept for the writers' description of the car model */
    circle_freight *freight;
    char tmp_net[PATH_MAX + 64]; /* where each network is built (beside the outputs), removed after use */
    int gpkg;                    /* the output is one GeoPackage instead of a folder */
} circle_job;

static void job_params(const tc_circle_options *o, circle_params *prm) {
    circle_params_init(prm);
    prm->date = o->date;
    prm->window_start = o->window_start;
    prm->window_end = o->window_end;
    prm->cutoff_min = o->cutoff_min;
    prm->max_access_min = o->max_access_min;
    prm->walk_speed_mps = o->walk_speed_mps;
    prm->bike_speed_mps = o->bike_speed_mps;
    prm->board_slack_s = o->board_slack_s;
    prm->car_speed_kmh = o->car_speed_kmh;
    prm->isochrones = o->isochrones;
    prm->car_peak = o->car_peak;
    prm->access_mode = (int)o->access_mode >= 0 ? o->access_mode : TC_MODE_WALK;
}

/* The cores, the places (default: the cores) and the population grid. */
static tc_status read_places(circle_job *j, tc_error *err) {
    tc_status st;
    if ((st = circle_places_read(j->in.cores_path, &j->cores, err)) ||
        (st = circle_places_read(j->in.places_path ? j->in.places_path : j->in.cores_path, &j->places, err)))
        return st;
    if (j->in.population_path) {
        if ((st = circle_population_read(j->in.population_path, j->o->population_column, &j->pop, err))) return st;
        j->prm.population = &j->pop;
    }
    return TC_OK;
}

/* A typical weekday, clear of the service's first days: the first Tuesday after its first week. */
static void default_date(const tc_network *net, circle_params *prm, tc_error *err) {
    tc_network_info info;
    if (tc_network_get_info(net, &info, err) != TC_OK) return;
    int32_t d = info.service_start + 7;
    if (d > info.service_end) d = info.service_start;
    while (date_weekday(d) != 1 && d + 1 <= info.service_end) d++;
    prm->date = d;
}

/* Network k: the baseline (k = 0: the network file, or built from the inputs) or scenario k (the inputs + it,
 * rebuilt), computed into results[k]. */
static tc_status compute_network(circle_job *j, size_t k, tc_error *err) {
    const tc_circle_options *o = j->o;
    const char *scn = k ? j->in.scenarios[k - 1] : NULL;
    const char *path = o->network_path;
    tc_status st;
    if (!path || k > 0) {
        if (o->progress) fprintf(stderr, "building %s%s\n", k ? "scenario " : "baseline", k ? scn : "");
        if ((st = build_net(o, j->in.feeds, j->in.n_feeds, scn, j->tmp_net, err))) return st;
        path = j->tmp_net;
    }
    tc_network *net = NULL;
    if ((st = tc_network_open(path, &net, err))) return st;
    if (k == 0 && j->prm.date == INT32_MIN) default_date(net, &j->prm, err);
    char name[128] = "baseline";
    char *desc = NULL;
    if (k && scenario_label(scn, name, sizeof name, &desc)) snprintf(name, sizeof name, "scenario-%zu", k);
    circle_roads *roads = NULL;
    if (j->in.roads_path && !o->osm_path && (st = load_roads(j->in.roads_path, scn, &roads, err))) { /* OSM replaces it */
        free(desc);
        tc_network_close(net);
        return st;
    }
    j->prm.roads = roads;
    if (o->progress) fprintf(stderr, "computing %s\n", name);
    st = circle_compute(net, &j->prm, &j->places, &j->cores, name, desc, &j->results[k], err);
    free(desc);
    if (k == 0) j->base_roads = roads;
    else circle_roads_free(roads);
    j->prm.roads = j->base_roads;
    tc_network_close(net);
    if (path == j->tmp_net) unlink(j->tmp_net);
    if (!st) j->n_results++;
    return st;
}

/* circle.csv, isochrones.geojson, report.html (and freight.csv) into the folder, or one GeoPackage; the table. */
static tc_status write_outputs(circle_job *j, const char *out_dir, char **table_out, tc_error *err) {
    circle_report rep = {j->results,      j->n_results,   &j->places,
                         &j->cores,       &j->prm,        j->in.label,
                         j->in.sketch_model, (const char *const *)j->in.assumptions, j->in.n_assumptions, NULL};
    char fpath[PATH_MAX + 64];
    tc_status st;
    /* the freight section: the default's hubs.csv on the road model, with its population */
    if (j->in.hubs_path && j->base_roads && j->pop.n) {
        if ((st = circle_freight_compute(j->base_roads, j->in.hubs_path, &j->pop, 10 * 3600, &j->freight, err)))
            return st;
        rep.freight = j->freight;
        if (!j->gpkg) {
            snprintf(fpath, sizeof fpath, "%s/freight.csv", out_dir);
            if ((st = circle_freight_write_csv(j->freight, fpath, err))) return st;
        }
    }
    if (j->gpkg) {
        if ((st = circle_write_gpkg(&rep, out_dir, err))) return st;
    } else {
        snprintf(fpath, sizeof fpath, "%s/circle.csv", out_dir);
        if ((st = circle_write_csv(&rep, fpath, err))) return st;
        snprintf(fpath, sizeof fpath, "%s/isochrones.geojson", out_dir);
        if ((st = circle_write_geojson(&rep, fpath, err))) return st;
        snprintf(fpath, sizeof fpath, "%s/report.html", out_dir);
        if ((st = circle_write_html(&rep, fpath, err))) return st;
    }
    return table_out ? table_text(&rep, table_out, err) : TC_OK;
}

static void job_free(circle_job *j) {
    if (j->tmp_net[0]) unlink(j->tmp_net);
    for (size_t k = 0; k < j->n_results; k++) circle_result_free(&j->results[k]);
    free(j->results);
    circle_places_free(&j->places);
    circle_places_free(&j->cores);
    circle_population_free(&j->pop);
    circle_freight_free(j->freight);
    circle_roads_free(j->base_roads);
    circle_inputs_free(&j->in);
}

tc_status tc_circle_run(const tc_circle_options *o, const char *out_dir, char **table_out, tc_error *err) {
    if (!o || !out_dir) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "tc_circle_run: missing options");
    circle_job j;
    memset(&j, 0, sizeof j);
    j.o = o;
    job_params(o, &j.prm);
    if (j.prm.window_end <= j.prm.window_start)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "the departure window is empty");
    tc_status st = circle_inputs_resolve(o, &j.in, err);
    if (!st) st = read_places(&j, err);
    j.gpkg = tc_gpkg_path(out_dir); /* -o report.gpkg: one GeoPackage instead of the folder */
    if (!st && !j.gpkg && mkdir(out_dir, 0777) && errno != EEXIST)
        st = error_set(err, TC_ERR_IO, out_dir, 0, 0, "cannot create the output folder: %s", strerror(errno));
    if (!st && !(j.results = calloc(j.in.n_scenarios + 1, sizeof *j.results)))
        st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    if (!st) {
        if (j.gpkg) snprintf(j.tmp_net, sizeof j.tmp_net, "%s.circle-%ld.net", out_dir, (long)getpid());
        else snprintf(j.tmp_net, sizeof j.tmp_net, "%s/.circle-%ld.net", out_dir, (long)getpid());
    }
    for (size_t k = 0; !st && k <= j.in.n_scenarios; k++) st = compute_network(&j, k, err);
    if (!st) st = write_outputs(&j, out_dir, table_out, err);
    job_free(&j);
    return st;
}
