/*
 * validate.c — tc_validate(): read feeds exactly as a build would and report everything found.
 *
 * Validation is not a second parser: it is gtfs_feed_read with the findings sent to the caller, so `validate`
 * passing means `build` will read the same data. A fatal problem (no stops.txt, not a zip, no service) becomes
 * one more error finding and makes the set unusable. With several feeds each one's file names are prefixed
 * "NAME:", the name a build would give it.
 */
#include "gtfs/feed.h"
#include "common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gtfs_default_feed_name(const char *path, char *buf, size_t n) {
    if (!n) return;
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/') len--;
    size_t start = len;
    while (start > 0 && path[start - 1] != '/') start--;
    size_t l = len - start;
    /* the same rule as the network builder's, so validate's prefixes are build's feed names */
    if (l > 4 && !strncmp(path + start + l - 4, ".zip", 4)) l -= 4;
    if (l > 5 && !strncmp(path + start + l - 5, ".gtfs", 5)) l -= 5;
    if (l >= n) l = n - 1;
    memcpy(buf, path + start, l);
    buf[l] = 0;
}

static const char *fatal_code(tc_status s) {
    switch (s) {
    case TC_ERR_NO_SERVICE: return "no_service";
    case TC_ERR_IO: return "unreadable_feed";
    case TC_ERR_NO_MEMORY: return "out_of_memory";
    default: return "unusable_feed";
    }
}

static tc_status validate_feeds(const tc_feed_source *feeds, size_t n_feeds, char (*names)[256],
                                tc_finding_fn on_finding, void *user, tc_validate_summary *summary, tc_error *err);

tc_status tc_validate(const tc_feed_source *feeds, size_t n_feeds, tc_finding_fn on_finding, void *user,
                      tc_validate_summary *summary, tc_error *err) {
    if (summary) memset(summary, 0, sizeof *summary);
    if (!feeds || n_feeds == 0) return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "no feed to validate");
    char(*names)[256] = calloc(n_feeds, sizeof *names);
    if (!names) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    tc_status rc = validate_feeds(feeds, n_feeds, names, on_finding, user, summary, err);
    free(names);
    return rc;
}

static tc_status validate_feeds(const tc_feed_source *feeds, size_t n_feeds, char (*names)[256],
                                tc_finding_fn on_finding, void *user, tc_validate_summary *summary, tc_error *err) {
    for (size_t i = 0; i < n_feeds; i++) {
        if (!feeds[i].path || !*feeds[i].path)
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "feed %zu has no path", i + 1);
        if (feeds[i].sketch)
            return error_set(err, TC_ERR_INVALID_ARGUMENT, feeds[i].path, 0, 0,
                           "validate reads GTFS feeds; a sketch file is checked by `tongcheng build --sketch`");
        if (feeds[i].name && *feeds[i].name) snprintf(names[i], sizeof names[i], "%s", feeds[i].name);
        else gtfs_default_feed_name(feeds[i].path, names[i], sizeof names[i]);
        if (!names[i][0] || strchr(names[i], ':'))
            return error_set(err, TC_ERR_INVALID_ARGUMENT, feeds[i].path, 0, 0,
                           "feed name \"%s\" is empty or contains ':' (name it with --gtfs NAME=PATH)", names[i]);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(names[i], names[j]))
                return error_set(err, TC_ERR_INVALID_ARGUMENT, feeds[i].path, 0, 0,
                                 "two feeds are named \"%s\": give distinct names with --gtfs NAME=PATH", names[i]);
    }
    int usable = 1;
    size_t errors = 0, warnings = 0;
    for (size_t i = 0; i < n_feeds; i++) {
        diag_log diag = {.fn = on_finding, .user = user, .prefix = n_feeds > 1 ? names[i] : NULL};
        gtfs_feed *feed = NULL;
        tc_error e = {0};
        tc_status rc = gtfs_feed_read(feeds[i].path, names[i], &diag, &feed, &e);
        if (rc == TC_OK) gtfs_feed_lint(feed, &diag); /* what the reference validators warn about too */
        if (rc != TC_OK) {
            usable = 0;
            const char *file = e.file[0] ? e.file : feeds[i].path;
            diag_report(&diag, TC_SEV_ERROR, fatal_code(rc), file, e.line, e.column, "%s (feed cannot be used)",
                        e.message);
        }
        gtfs_feed_free(feed);
        errors += diag.errors;
        warnings += diag.warnings;
    }
    if (summary) {
        summary->errors = errors;
        summary->warnings = warnings;
        summary->usable = usable;
    }
    return TC_OK;
}
