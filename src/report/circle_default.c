/*
 * circle_default.c — the inputs of a commute-circle run (circle_default.h): with no network and no inputs, the
 * built-in Chang-Zhu-Tan default of data/changzhutan runs, so its folder is found on the machine (an installed
 * program, a build folder, the Python package) and its files fill whatever the caller left out. The job itself is
 * circle_run.c.
 */
#include "report/circle_default.h"
#include "common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The built-in default's shipped scenarios, in the report's column order. */
static const char *const shipped_scenarios[] = {"intercity_like_a_bus.json", "hsr_intercity_hub.json",
                                                "metro_extensions.json", "ring_expressway.json"};
#define N_SHIPPED (sizeof shipped_scenarios / sizeof *shipped_scenarios)

static int is_file(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int holds_default(const char *dir) {
    char probe[PATH_MAX + 32];
    return snprintf(probe, sizeof probe, "%s/network.sketch.json", dir) < (int)sizeof probe && is_file(probe);
}

int circle_default_dir(const char *given, char *out, size_t n) {
    if (given) { /* an explicit folder that does not hold the default is an error, not a cue to look elsewhere */
        if (!holds_default(given)) return -1;
        snprintf(out, n, "%s", given);
        return 0;
    }
    const char *env = getenv("TONGCHENG_DATA_DIR");
    if (env && *env && holds_default(env)) {
        snprintf(out, n, "%s", env);
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = len > 0 ? (exe[len] = '\0', strrchr(exe, '/')) : NULL;
    if (slash) {
        *slash = '\0';
        static const char *const rel[] = {"/../data/changzhutan", "/../../data/changzhutan",
                                          "/../share/tongcheng/changzhutan", "/data/changzhutan"};
        for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
            char dir[PATH_MAX + 64];
            snprintf(dir, sizeof dir, "%s%s", exe, rel[i]);
            if (!holds_default(dir)) continue;
            char *real = realpath(dir, NULL);
            snprintf(out, n, "%s", real ? real : dir);
            free(real);
            return 0;
        }
    }
#if defined(TC_SOURCE_DATA_DIR) && defined(TC_INSTALL_DATA_DIR)
    /* A build folder outside the source tree, then an installed program moved away from its prefix. */
    static const char *const compiled_in[] = {TC_SOURCE_DATA_DIR, TC_INSTALL_DATA_DIR};
    for (size_t i = 0; i < sizeof compiled_in / sizeof *compiled_in; i++)
        if (holds_default(compiled_in[i])) {
            snprintf(out, n, "%s", compiled_in[i]);
            return 0;
        }
#endif
    return -1;
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

/* A file of the default's folder: its path (owned by in), or NULL when absent and optional. -1 out of memory. */
static int default_file(circle_inputs *in, const char *name, int required, const char **out) {
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", in->data_dir, name);
    if (!required && !is_file(path)) return 0;
    if (in->n_owned == sizeof in->owned / sizeof *in->owned || !(in->owned[in->n_owned] = strdup(path))) return -1;
    *out = in->owned[in->n_owned++];
    return 0;
}

/* The built-in default's files for whatever the caller left out. */
static tc_status resolve_default(const tc_circle_options *o, circle_inputs *in, tc_error *err) {
    if (circle_default_dir(o->data_dir, in->data_dir, sizeof in->data_dir))
        return error_set(err, TC_ERR_NOT_FOUND, NULL, 0, 0,
                         "cannot find the built-in default network (data/changzhutan/network.sketch.json)%s%s; give "
                         "its folder (--data-dir DIR, or data_dir) or set TONGCHENG_DATA_DIR",
                         o->data_dir ? " in " : "", o->data_dir ? o->data_dir : "");
    const char *sketch = NULL;
    if (default_file(in, "network.sketch.json", 1, &sketch) ||
        (!in->cores_path && default_file(in, "cores.csv", 1, &in->cores_path)) ||
        (!in->places_path && default_file(in, "places.csv", 1, &in->places_path)) ||
        /* residents by district (2020 census), the road model for car times, the freight sites */
        (!in->population_path && default_file(in, "population.csv", 0, &in->population_path)) ||
        (!in->roads_path && default_file(in, "roads.json", 0, &in->roads_path)) ||
        default_file(in, "hubs.csv", 0, &in->hubs_path))
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    in->builtin_feed.path = sketch;
    in->builtin_feed.sketch = 1;
    in->feeds = &in->builtin_feed;
    in->n_feeds = 1;
    in->sketch_model = 1;
    snprintf(in->label, sizeof in->label, "%s (built-in default)", sketch);
    const char *assumptions = NULL;
    if (default_file(in, "assumptions.txt", 0, &assumptions) ||
        (assumptions && read_lines(assumptions, &in->assumptions, &in->n_assumptions)))
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    if (in->n_scenarios == 0 && !o->no_scenarios)
        for (size_t k = 0; k < N_SHIPPED; k++) {
            char name[64];
            snprintf(name, sizeof name, "scenarios/%s", shipped_scenarios[k]);
            const char *path = NULL;
            if (default_file(in, name, 0, &path)) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
            if (path) in->scenarios[in->n_scenarios++] = path;
        }
    return TC_OK;
}

/* "a.json + b.zip + c.pbf": the inputs, when the caller names no label. */
static void inputs_label(const tc_circle_options *o, circle_inputs *in) {
    size_t used = 0, cap = sizeof in->label;
    if (o->network_path) {
        snprintf(in->label, cap, "%s", o->network_path);
        return;
    }
    for (size_t i = 0; i < in->n_feeds && used < cap - 8; i++)
        used += (size_t)snprintf(in->label + used, cap - used, "%s%s", i ? " + " : "", in->feeds[i].path);
    if (o->osm_path && used < cap - 8) snprintf(in->label + used, cap - used, " + %s", o->osm_path);
}

tc_status circle_inputs_resolve(const tc_circle_options *o, circle_inputs *in, tc_error *err) {
    memset(in, 0, sizeof *in);
    in->builtin = !o->network_path && o->n_feeds == 0 && !o->osm_path;
    in->feeds = o->feeds;
    in->n_feeds = o->n_feeds;
    in->cores_path = o->cores_path;
    in->places_path = o->places_path;
    in->population_path = o->population_path;
    in->roads_path = o->roads_path;
    in->sketch_model = o->sketch_model;
    in->scenarios = calloc(o->n_scenarios + N_SHIPPED + 1, sizeof *in->scenarios);
    if (!in->scenarios) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    for (size_t k = 0; k < o->n_scenarios; k++) in->scenarios[in->n_scenarios++] = o->scenarios[k];
    tc_status st;
    if (in->builtin && (st = resolve_default(o, in, err))) return st;
    for (size_t i = 0; i < in->n_feeds; i++) in->sketch_model |= in->feeds[i].sketch;
    if (o->network_path && in->n_scenarios && in->n_feeds == 0 && !o->osm_path)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, o->network_path, 0, 0,
                         "scenarios are evaluated by rebuilding the network from its inputs, and a network file does "
                         "not keep them: give the inputs (sketch / GTFS / OSM) instead of, or besides, the network file");
    if (!in->cores_path)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                         "the cores (a CSV) are required unless the built-in default is used");
    if (o->network_label) snprintf(in->label, sizeof in->label, "%s", o->network_label);
    if (!in->label[0]) inputs_label(o, in);
    return TC_OK;
}

void circle_inputs_free(circle_inputs *in) {
    for (size_t i = 0; i < in->n_assumptions; i++) free(in->assumptions[i]);
    free(in->assumptions);
    for (size_t i = 0; i < in->n_owned; i++) free(in->owned[i]);
    free((void *)in->scenarios);
    memset(in, 0, sizeof *in);
}
