/*
 * build.c — tc_build(): read every input feed named in the options — GTFS (src/gtfs) or sketch JSON (src/sketch),
 * in the order given (a path ending in .json is a sketch) — apply the scenarios to them (src/sketch/scenario.h), then hand them to the builder core
 * (builder.c). Kept apart from the core so that the core can be linked and tested without the readers.
 *
 * Feed names: given (--gtfs NAME=PATH), else a GTFS file's base name or a sketch's own "name"; they prefix ids
 * ("NAME:stop_id") and findings ("NAME:stop_times.txt:12:3: ...") when several feeds are read, so they must be
 * unique and free of ':'. A sketch's name is known only once it is read, so names are checked after reading.
 * Scenarios edit the feeds in memory (strings they add live in the scenario's pool), so each scenario is kept until
 * the network is written; their car-speed changes are applied to the built file's street graph afterwards
 * (streets/street_scenario.h).
 */
#include "network/builder.h"
#include "common/atomic_file.h"
#include "common/progress.h"
#include "sketch/scenario.h"
#include "sketch/sketch.h"
#include "streets/street_scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define OOM(what) error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (%s)", what)

/* Prefix err->message with "feed NAME: " so that a failure among several feeds says which one. */
static void prefix_feed(tc_error *err, const char *name) {
    if (!err) return;
    char prefix[256 + 8];
    size_t k = (size_t)snprintf(prefix, sizeof prefix, "feed %s: ", name);
    size_t cap = sizeof err->message, mlen = strnlen(err->message, cap - 1);
    if (k >= cap / 2) return;
    if (mlen + k > cap - 1) mlen = cap - 1 - k;
    memmove(err->message + k, err->message, mlen);
    memcpy(err->message, prefix, k);
    err->message[k + mlen] = '\0';
}

/* A sketch: marked so, or a JSON file (a GTFS feed is a zip or a folder, never a .json file). */
static int is_sketch(const tc_feed_source *src) {
    size_t n = strlen(src->path);
    return src->sketch || (n > 5 && !strcasecmp(src->path + n - 5, ".json"));
}

tc_status tc_build(const tc_build_options *opts, const char *out_path, tc_error *err) {
    if (!opts || !out_path || !*out_path)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "no output path");
    if (opts->n_feeds == 0 && !(opts->osm_path && *opts->osm_path))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                         "nothing to build: give at least one GTFS feed, sketch or OSM file");
    tc_status special = output_path_check(out_path, err); /* refused before any work */
    if (special) return special;
    size_t n = opts->n_feeds, n_scn = opts->scenarios ? opts->n_scenarios : 0;
    char(*names)[256] = calloc(n + 1, sizeof *names);
    gtfs_feed **feeds = calloc(n + 1, sizeof *feeds);
    scenario **scns = calloc(n_scn + 1, sizeof *scns);
    tc_status st = TC_OK;
    if (!names || !feeds || !scns) {
        st = OOM("feeds");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const tc_feed_source *src = &opts->feeds[i];
        if (!src->path || !*src->path) {
            st = error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "feed %zu has no path", i + 1);
            goto out;
        }
        if (src->name && *src->name) snprintf(names[i], sizeof names[i], "%s", src->name);
        else if (!is_sketch(src)) gtfs_default_feed_name(src->path, names[i], sizeof names[i]);
    }
    /* Scenarios first: a malformed scenario file fails before the (slower) feeds are read. */
    diag_log diag = {.fn = opts->on_finding, .user = opts->finding_user};
    for (size_t k = 0; k < n_scn; k++) {
        st = scenario_read(opts->scenarios[k], &diag, &scns[k], err);
        if (st) goto out;
    }
    progress_bar prog;
    for (size_t i = 0; i < n; i++) {
        const tc_feed_source *src = &opts->feeds[i];
        diag.prefix = n > 1 && names[i][0] ? names[i] : NULL;
        progress_start(&prog, opts->progress, src->path, 0);
        if (is_sketch(src)) st = sketch_read(src->path, names[i][0] ? names[i] : NULL, &diag, &feeds[i], err);
        else st = gtfs_feed_read(src->path, names[i], &diag, &feeds[i], err);
        if (st) {
            if (n > 1) prefix_feed(err, names[i][0] ? names[i] : src->path);
            goto out;
        }
        if (!names[i][0]) snprintf(names[i], sizeof names[i], "%s", feeds[i]->name ? feeds[i]->name : "");
        progress_finish(&prog);
    }
    for (size_t i = 0; i < n; i++) {
        const char *path = opts->feeds[i].path;
        if (!names[i][0] || strchr(names[i], ':')) {
            st = error_set(err, TC_ERR_INVALID_ARGUMENT, path, 0, 0,
                           "feed name \"%s\" is empty or contains ':' (name it with --gtfs/--sketch NAME=PATH)",
                           names[i]);
            goto out;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(names[i], names[j])) {
                st = error_set(err, TC_ERR_INVALID_ARGUMENT, path, 0, 0,
                               "two feeds are named \"%s\": name them with --gtfs/--sketch NAME=PATH", names[i]);
                goto out;
            }
    }
    diag.prefix = NULL;
    for (size_t k = 0; k < n_scn; k++) {
        if (n == 0) { /* streets only: only car-speed changes can apply */
            for (size_t i = 0; i < scns[k]->n_mods; i++)
                if (scns[k]->mods[i].kind != SCN_CAR_SPEEDS) {
                    st = error_set(err, TC_ERR_INVALID_ARGUMENT, opts->scenarios[k], 0, 0,
                                   "%s: a %s modification needs transit feeds to apply to", scns[k]->mods[i].path,
                                   scenario_kind_name(scns[k]->mods[i].kind));
                    goto out;
                }
            continue;
        }
        st = scenario_apply_feeds(feeds, n, scns[k], &diag, err);
        if (st) goto out;
    }
    /* Road projects (car speeds) patch the streets of the built file: build to a temporary name, patch, then
     * rename, so a failing patch (an unknown way id) leaves out_path as it was. */
    int roads = 0;
    for (size_t k = 0; k < n_scn; k++)
        for (size_t i = 0; i < scns[k]->n_mods; i++) roads |= scns[k]->mods[i].kind == SCN_CAR_SPEEDS;
    if (!roads) {
        st = build_from_feeds(feeds, n, opts, &diag, out_path, err);
    } else {
        size_t len = strlen(out_path) + 48;
        char *tmp = malloc(len);
        if (!tmp) {
            st = OOM("path");
            goto out;
        }
        snprintf(tmp, len, "%s.roads.%ld", out_path, (long)getpid());
        st = build_from_feeds(feeds, n, opts, &diag, tmp, err);
        if (st == TC_OK) st = streets_apply_car_speeds(tmp, scns, n_scn, &diag, NULL, err);
        if (st == TC_OK) st = output_path_check(out_path, err);
        if (st == TC_OK && rename(tmp, out_path))
            st = error_set(err, TC_ERR_IO, out_path, 0, 0, "cannot rename %s into place: %s", tmp, strerror(errno));
        if (st) unlink(tmp);
        free(tmp);
    }
out:
    if (feeds)
        for (size_t i = 0; i < n; i++) gtfs_feed_free(feeds[i]); /* before the scenarios: they own added strings */
    if (scns)
        for (size_t k = 0; k < n_scn; k++) scenario_free(scns[k]);
    free(scns);
    free(feeds);
    free(names);
    return st;
}
