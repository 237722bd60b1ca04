/*
 * cmd_surface.c — `tongcheng surface`: one origin's travel-time surface as a GeoTIFF (one band per percentile) over a
 * grid around the origin, or as CSV at the grid's cell centres or at the points of a CSV.
 * The options it shares with isochrone, matrix and access are parsed in analysis_args.c.
 */
#include "cli.h"

#include "common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

static const char *surface_usage =
    "usage: tongcheng surface NET --from LAT,LON --date YYYY-MM-DD --window HH:MM-HH:MM -o FILE.tif|FILE.csv\n"
    "                         [--percentiles 5,50,95] [--resolution M] [--points CSV] [options]\n"
    "  --from LAT,LON           the origin\n"
    "  -o FILE.tif              GeoTIFF over a grid around the origin (EPSG:3857), one band per percentile,\n"
    "                           minutes, nodata 65535; FILE.csv: the same at the cell centres or at --points\n"
    "  --resolution M           grid cell side in metres (default: about 200 cells across)\n"
    "  --points CSV             travel times at these points (id,lat,lon,...) instead of a grid (CSV output)\n";

static void print_usage(FILE *fp) {
    fputs(surface_usage, fp);
    fputs(cli_analysis_common_usage, fp);
}

int cmd_surface(int argc, char **argv) {
    cli_analysis a;
    cli_analysis_init(&a);
    const char *from = NULL, *points_path = NULL;
    double resolution = 0, lat = 0, lon = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            print_usage(stdout);
            return 0;
        }
        int r = cli_analysis_arg(&a, argc, argv, &i, surface_usage);
        if (r > 0) return r;
        if (r == 0) continue;
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) return cli_usage(surface_usage, "surface: %s needs a value (or is unknown)", arg);
        i++;
        if (!strcmp(arg, "--from")) {
            from = val;
            if (cli_parse_latlon(val, &lat, &lon))
                return cli_usage(surface_usage, "surface: --from expects LAT,LON, got \"%s\"", val);
        } else if (!strcmp(arg, "--resolution")) {
            char *end;
            resolution = strtod(val, &end);
            if (end == val || *end || !(resolution >= 1 && resolution <= 100000))
                return cli_usage(surface_usage, "surface: --resolution expects 1…100000 metres");
        } else if (!strcmp(arg, "--points")) {
            points_path = val;
        } else {
            return cli_usage(surface_usage, "surface: unknown option %s", arg);
        }
    }
    int rc = cli_analysis_finish(&a, surface_usage, 0);
    if (rc) return rc;
    if (!from) return cli_usage(surface_usage, "surface: --from LAT,LON is required");
    int tif = ends_with(a.out, ".tif") || ends_with(a.out, ".tiff");
    if (!tif && !ends_with(a.out, ".csv"))
        return cli_usage(surface_usage, "surface: -o must end in .tif or .csv");
    if (tif && points_path) return cli_usage(surface_usage, "surface: --points gives CSV output (-o FILE.csv)");
    tc_error err = {0};
    tc_network *net = NULL;
    if (tc_network_open(a.net, &net, &err) != TC_OK) return cli_fail(&err);
    cli_note_walking(net, a.quiet);
    tc_status st = TC_OK;
    uint16_t *minutes = NULL;
    if (points_path) {
        tc_points *pts = NULL;
        tc_destinations *d = NULL;
        tc_analysis_workspace *ws = NULL;
        st = cli_points_read(points_path, a.quiet, &pts, &err);
        if (st == TC_OK) st = tc_destinations_create(net, &a.opts, pts->lat, pts->lon, pts->n, &d, &err);
        if (st == TC_OK) st = tc_analysis_workspace_create(net, &ws, &err);
        if (st == TC_OK) {
            minutes = malloc((pts->n * a.opts.n_percentiles + 1) * sizeof *minutes);
            if (!minutes) st = error_set(&err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        }
        if (st == TC_OK) st = tc_travel_times_from(ws, d, &a.opts, lat, lon, minutes, &err);
        if (st == TC_OK)
            st = tc_surface_write_csv(a.out, pts->n, (const char *const *)pts->ids, pts->lat, pts->lon, minutes,
                                      a.opts.percentiles, a.opts.n_percentiles, &err);
        tc_analysis_workspace_free(ws);
        tc_destinations_free(d);
        tc_points_free(pts);
    } else {
        tc_grid g;
        int cutoff = a.opts.max_duration_min;
        st = tc_isochrone_surface(net, &a.opts, lat, lon, &cutoff, 1, resolution, &g, &minutes, &err);
        if (st == TC_OK && tif) {
            st = tc_surface_write_geotiff(a.out, &g, minutes, a.opts.percentiles, a.opts.n_percentiles, &err);
        } else if (st == TC_OK) {
            size_t n = tc_grid_cells(&g);
            double *la = malloc((n + 1) * sizeof *la), *lo = malloc((n + 1) * sizeof *lo);
            if (!la || !lo) st = error_set(&err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
            else {
                tc_grid_cell_centers(&g, la, lo);
                st = tc_surface_write_csv(a.out, n, NULL, la, lo, minutes, a.opts.percentiles, a.opts.n_percentiles,
                                          &err);
            }
            free(la);
            free(lo);
        }
    }
    tc_free(minutes);
    tc_network_close(net);
    return st == TC_OK ? 0 : cli_fail(&err);
}
