/*
 * cmd_validate.c — `tongcheng validate FEED... | --gtfs NAME=PATH ...`: every finding on stdout as
 * "FILE:LINE:COLUMN: error|warning: CODE: message", then one summary line. Exit 0 when the feeds can be built
 * (warnings and dropped records allowed), 1 when they cannot, 2 on bad command-line use.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: tongcheng validate [--gtfs NAME=PATH | PATH]...\n"
    "\n"
    "Read GTFS feeds (zip or folder) as `tongcheng build` would and list every problem found, one per line:\n"
    "  FILE:LINE:COLUMN: error|warning: CODE: message\n"
    "then a summary. With several feeds, file names are prefixed NAME: (NAME defaults to the file's base name).\n"
    "Exit status: 0 the feeds can be built, 1 they cannot, 2 bad command-line use.\n";

int cmd_validate(int argc, char **argv) {
    tc_feed_source *feeds = calloc((size_t)argc + 1, sizeof *feeds);
    if (!feeds) return 1;
    size_t n = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            free(feeds);
            return 0;
        }
        if (!strcmp(a, "--gtfs") || !strncmp(a, "--gtfs=", 7)) {
            const char *v = a[6] == '=' ? a + 7 : (i + 1 < argc ? argv[++i] : NULL);
            if (!v || !*v) {
                free(feeds);
                return cli_usage(usage, "validate: --gtfs needs NAME=PATH or PATH");
            }
            const char *eq = strchr(v, '=');
            if (eq) {
                if (eq == v || !eq[1]) {
                    free(feeds);
                    return cli_usage(usage, "validate: --gtfs %s: expected NAME=PATH", v);
                }
                /* the NAME part lives in argv: split it in place */
                argv[i][eq - argv[i]] = 0;
                feeds[n].name = argv[i] + (a[6] == '=' ? 7 : 0);
                feeds[n].path = eq + 1;
            } else {
                feeds[n].path = v;
            }
            n++;
            continue;
        }
        if (a[0] == '-' && a[1]) {
            free(feeds);
            return cli_usage(usage, "validate: unknown option %s", a);
        }
        feeds[n++].path = a;
    }
    if (n == 0) {
        free(feeds);
        return cli_usage(usage, "validate: give at least one GTFS feed");
    }
    tc_validate_summary sum;
    tc_error err = {0};
    tc_status rc = tc_validate(feeds, n, cli_print_finding, stdout, &sum, &err);
    free(feeds);
    if (rc == TC_ERR_INVALID_ARGUMENT) return cli_usage(usage, "validate: %s", err.message);
    if (rc != TC_OK) return cli_fail(&err);
    printf("%zu error%s, %zu warning%s: %s\n", sum.errors, sum.errors == 1 ? "" : "s", sum.warnings,
           sum.warnings == 1 ? "" : "s", sum.usable ? "usable" : "NOT usable");
    fflush(stdout);
    return sum.usable ? 0 : 1;
}
