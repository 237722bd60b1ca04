/*
 * cmd_build.c — `tongcheng build`: parse the options into a tc_build_options and call tc_build(). Findings print
 * to stderr in the validator's format; progress shows only on a terminal and without --quiet.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *build_usage =
    "usage: tongcheng build -o NET [--gtfs [NAME=]PATH ...] [--sketch [NAME=]FILE.json ...] [--osm FILE.osm.pbf]\n"
    "                       [--scenario S.json ...] [--transfer-radius METRES] [--quiet]\n"
    "  -o NET                 the network file to write (through a temporary file and rename)\n"
    "  --gtfs [NAME=]PATH     a GTFS zip or folder; NAME prefixes its ids (default: the file's base name)\n"
    "  --sketch [NAME=]FILE   a network in the sketch format (a .json file, data/changzhutan/README.md), compiled\n"
    "                         like a GTFS feed (default name: the sketch's \"name\"); mixable with --gtfs, in order\n"
    "  --scenario S.json      apply a scenario's modifications to the feeds before building (repeatable, in order)\n"
    "  --osm FILE             OpenStreetMap PBF for walking, cycling and driving (without it walking is\n"
    "                         straight-line distance x 1.3)\n"
    "  --lts-overrides CSV    per-way cycling level of traffic stress 1-4 (R5's form: osm_id,lts), replacing\n"
    "                         what the OSM tags give (docs/semantics.md); needs --osm\n"
    "  --elevation DEM.tif    a digital elevation model (GeoTIFF in longitude/latitude): walking slows on slopes by\n"
    "                         Tobler's hiking function, cycling on climbs by a power model (docs/semantics.md);\n"
    "                         queries may ignore it with --no-elevation; needs --osm\n"
    "  --transfer-radius M    walking transfers between stops within M metres of walking (default 1000;\n"
    "                         0 = transfers only at the same stop)\n"
    "  --quiet                no progress and no warnings on stderr\n";

/* Findings while building: the first FINDINGS_PER_CODE of each code are printed (`tongcheng validate` lists them
 * all); the rest are counted and summed up at the end, so a feed with one systematic defect does not bury the
 * other messages. */
#define FINDINGS_PER_CODE 10
#define MAX_CODES 64

typedef struct finding_filter {
    int quiet; /* only errors */
    size_t n_codes;
    char codes[MAX_CODES][48];
    size_t seen[MAX_CODES];
} finding_filter;

static void filtered_finding(void *user, const tc_finding *f) {
    finding_filter *ff = user;
    if (ff->quiet && f->severity != TC_SEV_ERROR) return;
    const char *code = f->code ? f->code : "";
    size_t i = 0;
    while (i < ff->n_codes && strcmp(ff->codes[i], code)) i++;
    if (i == ff->n_codes && i < MAX_CODES) {
        snprintf(ff->codes[i], sizeof ff->codes[i], "%s", code);
        ff->n_codes++;
    }
    if (i < MAX_CODES && ++ff->seen[i] > FINDINGS_PER_CODE) return;
    cli_print_finding(stderr, f);
}

static void summarize_findings(const finding_filter *ff) {
    for (size_t i = 0; i < ff->n_codes; i++)
        if (ff->seen[i] > FINDINGS_PER_CODE)
            fprintf(stderr, "tongcheng: %zu more %s findings not shown (tongcheng validate lists them all)\n",
                    ff->seen[i] - FINDINGS_PER_CODE, ff->codes[i]);
}

int cmd_build(int argc, char **argv) {
    const char *out = NULL, *osm = NULL, *lts_overrides = NULL, *elevation = NULL;
    double radius = -1;
    int quiet = 0;
    tc_feed_source *feeds = calloc((size_t)argc + 1, sizeof *feeds);
    char **owned = calloc((size_t)argc + 1, sizeof *owned);
    const char **scenarios = calloc((size_t)argc + 1, sizeof *scenarios);
    size_t n_feeds = 0, n_scenarios = 0;
    int rc = 0;
    if (!feeds || !owned || !scenarios) {
        fprintf(stderr, "tongcheng: out of memory\n");
        rc = 1;
        goto out;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(build_usage, stdout);
            goto out;
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--gtfs") || !strcmp(a, "--osm") ||
                   !strcmp(a, "--transfer-radius") || !strcmp(a, "--sketch") || !strcmp(a, "--scenario") ||
                   !strcmp(a, "--lts-overrides") || !strcmp(a, "--elevation")) {
            if (i + 1 >= argc) {
                rc = cli_usage(build_usage, "build: %s needs a value", a);
                goto out;
            }
            const char *val = argv[++i];
            if (!strcmp(a, "-o")) {
                out = val;
            } else if (!strcmp(a, "--osm")) {
                osm = val;
            } else if (!strcmp(a, "--lts-overrides")) {
                lts_overrides = val;
            } else if (!strcmp(a, "--elevation")) {
                elevation = val;
            } else if (!strcmp(a, "--scenario")) {
                scenarios[n_scenarios++] = val;
            } else if (!strcmp(a, "--transfer-radius")) {
                char *end;
                radius = strtod(val, &end);
                if (end == val || *end || radius < 0 || radius > 100000) {
                    rc = cli_usage(build_usage, "build: --transfer-radius wants metres between 0 and 100000, not \"%s\"",
                                   val);
                    goto out;
                }
            } else {
                const char *bad = cli_feed_arg(a, val, &feeds[n_feeds], &owned[n_feeds]);
                if (bad) {
                    rc = cli_usage(build_usage, "build: %s", bad);
                    goto out;
                }
                n_feeds++;
            }
        } else {
            rc = cli_usage(build_usage, "build: unexpected argument \"%s\"", a);
            goto out;
        }
    }
    if (!out) {
        rc = cli_usage(build_usage, "build: -o NET is required");
        goto out;
    }
    if (elevation && !osm) {
        rc = cli_usage(build_usage, "build: --elevation needs --osm");
        goto out;
    }
    if (lts_overrides && !osm) {
        rc = cli_usage(build_usage, "build: --lts-overrides needs --osm");
        goto out;
    }
    if (!n_feeds && !osm) {
        rc = cli_usage(build_usage, "build: give at least one --gtfs feed, --sketch or --osm file");
        goto out;
    }
    tc_build_options opts;
    tc_build_options_init(&opts);
    opts.feeds = feeds;
    opts.n_feeds = n_feeds;
    opts.osm_path = osm;
    opts.lts_overrides = lts_overrides;
    opts.elevation_path = elevation;
    opts.scenarios = scenarios;
    opts.n_scenarios = n_scenarios;
    opts.transfer_radius_m = radius;
    opts.progress = cli_progress_wanted(quiet);
    finding_filter *ff = calloc(1, sizeof *ff);
    if (!ff) {
        fprintf(stderr, "tongcheng: out of memory\n");
        rc = 1;
        goto out;
    }
    ff->quiet = quiet;
    opts.on_finding = filtered_finding;
    opts.finding_user = ff;
    tc_error err;
    memset(&err, 0, sizeof err);
    tc_status st = tc_build(&opts, out, &err);
    summarize_findings(ff);
    free(ff);
    if (st != TC_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (!quiet) fprintf(stderr, "wrote %s\n", out);
out:
    if (owned)
        for (size_t i = 0; i < n_feeds; i++) free(owned[i]);
    free(owned);
    free(feeds);
    free(scenarios);
    return rc;
}
