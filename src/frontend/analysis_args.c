/*
 * analysis_args.c — the options the four analysis commands (surface, isochrone, matrix, access) and the MPI front
 * end share, parsed in one place so they read --date, --window, --percentiles, --modes … identically (frontend.h).
 */
#include "frontend/frontend.h"

#include "common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *cli_analysis_common_usage =
    "common options:\n"
    "  --date YYYY-MM-DD        service day (required)\n"
    "  --window HH:MM-HH:MM     departure window, every minute, end excluded\n"
    "  --percentiles 5,50,95    up to 5 percentiles of the per-minute travel times (default 50)\n"
    "  --max-duration MIN       longer trips count as unreachable (default 120)\n"
    "  --modes walk|bike|car|truck  street only (default: transit with walking access and egress; transit,bike:\n"
    "                           cycling access and egress); a truck departs\n"
    "                           at the window's start on --date, its vehicle set by --truck-height, --truck-weight,\n"
    "                           --truck-width, --truck-length, --truck-axle-load, --truck-max-speed, --hazmat,\n"
    "                           --no-delivery (default: an 18 t rigid truck, 4.0 m high, 80 km/h)\n"
    "  --max-walk MIN           walking to the first stop and from the last (default 20)\n"
    "  --max-transfers N        (default 8)\n"
    "  --walk-speed M/S         walking speed (default " CLI_XSTR(TC_DEFAULT_WALK_SPEED_MPS) "; r5r: 1.0, i.e. 3.6 km/h)\n"
    "  --bike-speed M/S         cycling speed (default " CLI_XSTR(TC_DEFAULT_BIKE_SPEED_MPS) "; r5r: 3.33, i.e. 12 km/h)\n"
    "  --board-slack S          minimum wait before every boarding, seconds (default 0; R5: 60)\n"
    "  --max-lts N              cycling avoids streets above level of traffic stress N, 1-4 (default: any;\n"
    "                           r5r: 2)\n"
    "  --no-elevation           walk and cycle as if flat, ignoring the network's slope factors (build --elevation)\n"
    "  --draws N                Monte Carlo draws per minute for frequency-based trips (default 20)\n"
    "  --seed N                 random seed for those draws (default fixed: runs are reproducible)\n"
    "  --threads N              worker threads (default: all cores)\n"
    "  --quiet                  no progress and no warnings on stderr\n";

static int parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

void cli_analysis_init(cli_analysis *a) {
    memset(a, 0, sizeof *a);
    tc_analysis_options_init(&a->opts);
}

int cli_analysis_arg(cli_analysis *a, int argc, char **argv, int *i, const char *usage) {
    const char *arg = argv[*i];
    const char *val = *i + 1 < argc ? argv[*i + 1] : NULL;
    long n;
    static const char *const with_value[] = {"--date", "--window", "--time", "--percentiles", "--max-duration",
                                             "--modes", "--mode", "--max-walk", "--max-transfers", "--draws",
                                             "--seed", "--threads", "-o", "--output",
                                             "--walk-speed", "--bike-speed", "--board-slack", "--max-lts"};
    const char *why = NULL;
    int truck = cli_truck_option(argc, argv, i, &a->opts.truck, &why); /* --truck-height … (cli_truck.c) */
    if (truck < 0) return cli_usage(usage, "%s %s", arg, why);
    if (truck > 0) return 0;
    int takes = 0;
    for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
        if (!strcmp(arg, with_value[k])) takes = 1;
    if (takes) {
        if (!val) return cli_usage(usage, "%s needs a value", arg);
        (*i)++;
    }
    if (!strcmp(arg, "--date")) a->date = val;
    else if (!strcmp(arg, "--window")) a->window = val;
    else if (!strcmp(arg, "--time")) a->time = val;
    else if (!strcmp(arg, "-o") || !strcmp(arg, "--output")) a->out = val;
    else if (!strcmp(arg, "--percentiles")) {
        tc_error err = {0};
        if (tc_parse_percentiles(val, a->opts.percentiles, &a->opts.n_percentiles, &err) != TC_OK)
            return cli_usage(usage, "--percentiles: %s", err.message);
    } else if (!strcmp(arg, "--max-duration")) {
        if (parse_long(val, 1, 2880, &n)) return cli_usage(usage, "--max-duration expects 1…2880 minutes");
        a->opts.max_duration_min = (int)n;
    } else if (!strcmp(arg, "--modes") || !strcmp(arg, "--mode")) {
        if (tc_parse_modes(val, &a->opts.street_only, &a->opts.mode, NULL) != TC_OK)
            return cli_usage(usage, "--modes expects walk, bike, car, truck, transit or transit,bike, got \"%s\"",
                             val);
    } else if (!strcmp(arg, "--max-walk")) {
        if (parse_long(val, 0, 240, &n)) return cli_usage(usage, "--max-walk expects 0…240 minutes");
        a->opts.max_access_min = (int)n;
    } else if (!strcmp(arg, "--max-transfers")) {
        if (parse_long(val, 0, 31, &n)) return cli_usage(usage, "--max-transfers expects 0…31");
        a->opts.max_transfers = (int)n;
    } else if (!strcmp(arg, "--draws")) {
        if (parse_long(val, 1, 1000, &n)) return cli_usage(usage, "--draws expects 1…1000");
        a->opts.draws = (int)n;
    } else if (!strcmp(arg, "--seed")) {
        char *end;
        unsigned long long s = strtoull(val, &end, 0);
        if (end == val || *end || *val == '-') return cli_usage(usage, "--seed expects a non-negative integer");
        a->opts.seed = (uint64_t)s;
    } else if (!strcmp(arg, "--threads")) {
        if (parse_long(val, 0, 256, &n)) return cli_usage(usage, "--threads expects 0…256 (0 = all cores)");
        a->opts.threads = (int)n;
    } else if (!strcmp(arg, "--walk-speed") || !strcmp(arg, "--bike-speed")) {
        double mps;
        if (cli_parse_speed(val, &mps)) return cli_usage(usage, "%s expects metres per second, 0.1…30", arg);
        if (arg[2] == 'w') a->opts.walk_speed_mps = mps;
        else a->opts.bike_speed_mps = mps;
    } else if (!strcmp(arg, "--max-lts")) {
        if (parse_long(val, 1, 4, &n)) return cli_usage(usage, "--max-lts expects 1…4");
        a->opts.max_lts = (int)n;
    } else if (!strcmp(arg, "--board-slack")) {
        if (parse_long(val, 0, 3600, &n)) return cli_usage(usage, "--board-slack expects 0…3600 seconds");
        a->opts.board_slack_s = (int32_t)n;
    } else if (!strcmp(arg, "--no-elevation")) {
        a->opts.no_elevation = 1;
    } else if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
        a->quiet = 1;
    } else if (arg[0] == '-' && arg[1]) {
        return -1; /* not a common option */
    } else {
        if (a->net) return cli_usage(usage, "unexpected argument \"%s\"", arg);
        a->net = arg;
    }
    return 0;
}

int cli_analysis_finish(cli_analysis *a, const char *usage, int allow_time) {
    tc_error err = {0};
    if (!a->net) return cli_usage(usage, "the network file is missing");
    if (!a->out) return cli_usage(usage, "-o FILE is required");
    if (!a->date) return cli_usage(usage, "--date is required");
    if (tc_parse_date(a->date, &a->opts.date, &err) != TC_OK) return cli_usage(usage, "--date: %s", err.message);
    if (a->time && !allow_time) return cli_usage(usage, "--time is not an option of this command; use --window");
    if (a->time && a->window) return cli_usage(usage, "give --time or --window, not both");
    if (a->time) {
        if (tc_parse_clock(a->time, &a->opts.window_start, &err) != TC_OK)
            return cli_usage(usage, "--time: %s", err.message);
        a->opts.window_end = a->opts.window_start + 60;
    } else if (a->window) {
        tc_status w = tc_parse_window(a->window, &a->opts.window_start, &a->opts.window_end, NULL);
        if (w == TC_ERR_PARSE) return cli_usage(usage, "--window expects HH:MM-HH:MM, got \"%s\"", a->window);
        if (w != TC_OK) return cli_usage(usage, "--window %s is empty (the end is excluded)", a->window);
    } else {
        return cli_usage(usage, allow_time ? "--time or --window is required" : "--window is required");
    }
    a->opts.progress = cli_progress_wanted(a->quiet);
    return 0;
}

tc_status cli_points_read(const char *path, int quiet, tc_points **out, tc_error *err) {
    return tc_points_read(path, quiet ? NULL : cli_print_finding, stderr, out, err);
}

void cli_note_walking(const tc_network *net, int quiet) {
    tc_network_info info;
    if (quiet || tc_network_get_info(net, &info, NULL) != TC_OK || !info.straight_line_walking) return;
    fprintf(stderr, "note: the network has no street network: walking is straight-line distance x %.2f\n",
            info.straight_line_detour);
}

