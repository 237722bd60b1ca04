/*
 * cmd_export_gtfs.c — `tongcheng export-gtfs NET DIR`: write a compiled network (a sketch, a scenario, merged
 * feeds) back out as a GTFS folder that `tongcheng validate` and other tools can read.
 */
#include "cli.h"

#include <string.h>

static const char *export_usage =
    "usage: tongcheng export-gtfs NET DIR [--quiet]\n"
    "  NET     a compiled network file\n"
    "  DIR     the folder to write agency, stops, routes, trips, stop_times, calendar, calendar_dates,\n"
    "          frequencies and transfers .txt into (created if missing; files written atomically)\n";

int cmd_export_gtfs(int argc, char **argv) {
    const char *net_path = NULL, *dir = NULL;
    int quiet = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(export_usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
            quiet = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage(export_usage, "export-gtfs: unknown option \"%s\"", argv[i]);
        } else if (!net_path) {
            net_path = argv[i];
        } else if (!dir) {
            dir = argv[i];
        } else {
            return cli_usage(export_usage, "export-gtfs: unexpected argument \"%s\"", argv[i]);
        }
    }
    if (!net_path || !dir) return cli_usage(export_usage, "export-gtfs: NET and DIR are required");
    tc_error err;
    memset(&err, 0, sizeof err);
    tc_network *net = NULL;
    if (tc_network_open(net_path, &net, &err)) return cli_fail(&err);
    tc_status st = tc_export_gtfs(net, dir, &err);
    tc_network_close(net);
    if (st) return cli_fail(&err);
    if (!quiet) fprintf(stderr, "wrote GTFS to %s\n", dir);
    return 0;
}
