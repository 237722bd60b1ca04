/*
 * cmd_isochrone.c — `tongcheng isochrone`: polygons of the area reachable within each cutoff from one point, per
 * percentile, as GeoJSON (tc_isochrone_surface + the GDAL contours of analysis/isochrone.h), written atomically.
 */
#include "cli.h"

#include "common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *iso_usage =
    "usage: tongcheng isochrone NET --from LAT,LON --date YYYY-MM-DD (--time HH:MM | --window HH:MM-HH:MM)\n"
    "                           --cutoffs 15,30,45,60 -o FILE.geojson|FILE.gpkg [--resolution M] [options]\n"
    "  --cutoffs MIN,...        travel-time limits, one polygon per cutoff and percentile\n"
    "  --time HH:MM             a single departure minute (same as --window HH:MM-HH:MM+1)\n"
    "  --resolution M           grid cell side in metres the surface is contoured from (default: ~200 cells across)\n";

int cmd_isochrone(int argc, char **argv) {
    cli_analysis a;
    cli_analysis_init(&a);
    const char *from = NULL, *cutoffs_s = NULL;
    double lat = 0, lon = 0, resolution = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            fputs(iso_usage, stdout);
            fputs(cli_analysis_common_usage, stdout);
            return 0;
        }
        int r = cli_analysis_arg(&a, argc, argv, &i, iso_usage);
        if (r > 0) return r;
        if (r == 0) continue;
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) return cli_usage(iso_usage, "isochrone: %s needs a value (or is unknown)", arg);
        i++;
        if (!strcmp(arg, "--from")) {
            from = val;
            if (cli_parse_latlon(val, &lat, &lon))
                return cli_usage(iso_usage, "isochrone: --from expects LAT,LON, got \"%s\"", val);
        } else if (!strcmp(arg, "--cutoffs")) {
            cutoffs_s = val;
        } else if (!strcmp(arg, "--resolution")) {
            char *end;
            resolution = strtod(val, &end);
            if (end == val || *end || !(resolution >= 1 && resolution <= 100000))
                return cli_usage(iso_usage, "isochrone: --resolution expects 1…100000 metres");
        } else {
            return cli_usage(iso_usage, "isochrone: unknown option %s", arg);
        }
    }
    int rc = cli_analysis_finish(&a, iso_usage, 1);
    if (rc) return rc;
    if (!from) return cli_usage(iso_usage, "isochrone: --from LAT,LON is required");
    if (!cutoffs_s) return cli_usage(iso_usage, "isochrone: --cutoffs is required");
    int cutoffs[TC_MAX_CUTOFFS];
    size_t n_cutoffs = 0;
    tc_error err = {0};
    if (tc_parse_cutoffs(cutoffs_s, cutoffs, &n_cutoffs, &err) != TC_OK)
        return cli_usage(iso_usage, "isochrone: --cutoffs: %s", err.message);
    for (size_t k = 0; k < n_cutoffs; k++)
        if (cutoffs[k] < 1) return cli_usage(iso_usage, "isochrone: cutoffs must be at least 1 minute");
    tc_network *net = NULL;
    if (tc_network_open(a.net, &net, &err) != TC_OK) return cli_fail(&err);
    cli_note_walking(net, a.quiet);
    tc_grid g;
    uint16_t *minutes = NULL;
    tc_status st = tc_isochrone_surface(net, &a.opts, lat, lon, cutoffs, n_cutoffs, resolution, &g, &minutes, &err);
    if (st == TC_OK)
        st = tc_isochrones_write(a.out, &g, minutes, a.opts.percentiles, a.opts.n_percentiles, cutoffs, n_cutoffs,
                                 &err);
    tc_free(minutes);
    tc_network_close(net);
    return st == TC_OK ? 0 : cli_fail(&err);
}
