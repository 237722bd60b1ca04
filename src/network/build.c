/*
 * build.c — tc_build(): read every GTFS feed named in the options (src/gtfs), then hand them to the builder core
 * (builder.c). Kept apart from the core so that the core can be linked and tested without the GTFS reader.
 *
 * Feed names: given (--gtfs NAME=PATH) or the file's base name; they prefix ids ("NAME:stop_id") and findings
 * ("NAME:stop_times.txt:12:3: ...") when several feeds are read, so they must be unique and free of ':'.
 */
#include "network/builder.h"
#include "common/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OOM(what) tc_fail(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory (%s)", what)

tc_status tc_build(const tc_build_options *opts, const char *out_path, tc_error *err) {
    if (!opts || !out_path || !*out_path)
        return tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "no output path");
    if (opts->n_feeds == 0 && !(opts->osm_path && *opts->osm_path))
        return tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "nothing to build: give at least one GTFS feed or OSM file");
    size_t n = opts->n_feeds;
    char(*names)[256] = calloc(n + 1, sizeof *names);
    gtfs_feed **feeds = calloc(n + 1, sizeof *feeds);
    tc_status st = TC_OK;
    if (!names || !feeds) {
        st = OOM("feeds");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const tc_feed_source *src = &opts->feeds[i];
        if (!src->path || !*src->path) {
            st = tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "feed %zu has no path", i + 1);
            goto out;
        }
        if (src->name && *src->name) snprintf(names[i], sizeof names[i], "%s", src->name);
        else gtfs_default_feed_name(src->path, names[i], sizeof names[i]); /* the validator names feeds alike */
        if (!names[i][0] || strchr(names[i], ':')) {
            st = tc_fail(err, TC_ERR_INVALID_ARGUMENT, src->path, 0, 0,
                         "feed name \"%s\" is empty or contains ':' (name it with --gtfs NAME=PATH)", names[i]);
            goto out;
        }
        for (size_t j = 0; j < i; j++)
            if (!strcmp(names[i], names[j])) {
                st = tc_fail(err, TC_ERR_INVALID_ARGUMENT, src->path, 0, 0,
                             "two feeds are named \"%s\": name them with --gtfs NAME=PATH", names[i]);
                goto out;
            }
    }
    tc_diag diag = {opts->on_finding, opts->finding_user, NULL, 0, 0, 0};
    tc_progress prog;
    for (size_t i = 0; i < n; i++) {
        diag.prefix = n > 1 ? names[i] : NULL;
        tc_progress_start(&prog, opts->progress, opts->feeds[i].path, 0);
        st = gtfs_feed_read(opts->feeds[i].path, names[i], &diag, &feeds[i], err);
        if (st) {
            if (err && n > 1) { /* say which feed failed: "feed NAME: message" */
                char prefix[256 + 8];
                size_t k = (size_t)snprintf(prefix, sizeof prefix, "feed %s: ", names[i]);
                size_t cap = sizeof err->message, mlen = strnlen(err->message, cap - 1);
                if (k < cap / 2) {
                    if (mlen + k > cap - 1) mlen = cap - 1 - k;
                    memmove(err->message + k, err->message, mlen);
                    memcpy(err->message, prefix, k);
                    err->message[k + mlen] = '\0';
                }
            }
            goto out;
        }
        tc_progress_finish(&prog);
    }
    diag.prefix = NULL;
    st = tc_build_from_feeds(feeds, n, opts, &diag, out_path, err);
out:
    if (feeds)
        for (size_t i = 0; i < n; i++) gtfs_feed_free(feeds[i]);
    free(feeds);
    free(names);
    return st;
}
