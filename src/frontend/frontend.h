/*
 * frontend.h — what the two command-line front ends, `tongcheng` (src/cli) and `tongcheng-mpi` (src/mpi), share:
 * the analysis commands' common options, how errors, usage and findings are printed, and small option parsers.
 * Built once as the static library tongcheng_frontend (CMakeLists.txt) that both programs link; the query texts
 * themselves (window, modes, percentiles, cutoffs) are parsed by the library (tc_parse_* in tongcheng.h).
 * Exit codes: 0 success, 1 the work failed (bad input, unreachable, ...), 2 bad command-line use.
 */
#ifndef TC_FRONTEND_H
#define TC_FRONTEND_H

#include "tongcheng.h"
#include <stdio.h>

/* Options shared by the analysis commands (surface, isochrone, matrix, access, tongcheng-mpi; analysis_args.c). */
typedef struct cli_analysis {
    tc_analysis_options opts;
    const char *net, *date, *window, *time, *out;
    int quiet;
} cli_analysis;
extern const char *cli_analysis_common_usage;
void cli_analysis_init(cli_analysis *a);
/* Parse argv[*i] if it is a common option or the NET argument (advancing *i past a value): 0 = consumed,
 * -1 = not a common option, > 0 = usage error already printed (the exit code). */
int cli_analysis_arg(cli_analysis *a, int argc, char **argv, int *i, const char *usage);
/* Check required options and turn --date / --window / --time into opts; 0 or the usage exit code. */
int cli_analysis_finish(cli_analysis *a, const char *usage, int allow_time);
/* Say on stderr (unless quiet) when the network has no streets: walking is then straight line × detour. */
void cli_note_walking(const tc_network *net, int quiet);
/* Read a points CSV, printing its warnings unless quiet. */
tc_status cli_points_read(const char *path, int quiet, tc_points **out, tc_error *err);

/* The program name in messages ("tongcheng" or "tongcheng-mpi"); nonzero cli_silent prints nothing (MPI ranks
 * other than 0). */
extern const char *cli_program;
extern int cli_silent;

/* Print "tongcheng: error: FILE:LINE:COL: message" for a failed call; returns 1. */
int cli_fail(const tc_error *err);
/* Print a usage error ("tongcheng CMD: MESSAGE", then the usage text); returns 2. */
int cli_usage(const char *usage, const char *fmt, ...);
/* A tc_finding_fn printing "FILE:LINE:COLUMN: error|warning: CODE: message" to the FILE* in user. */
void cli_print_finding(void *user, const tc_finding *f);
/* Nonzero when progress should be shown: stderr is a terminal and --quiet was not given. */
int cli_progress_wanted(int quiet);
/* A `--gtfs [NAME=]PATH` or `--sketch [NAME=]FILE` value into *src (NAME is strdup'ed into *owned_name, else
 * *owned_name = NULL; an '=' after a '/' belongs to the path). Returns NULL, or what is wrong (a sketch is a .json
 * file and only a sketch is: tc_build tells the two apart by the extension). */
const char *cli_feed_arg(const char *option, const char *value, tc_feed_source *src, char **owned_name);
/* A walking or cycling speed in m/s (0.1…30); returns 0 on success. */
int cli_parse_speed(const char *s, double *mps);
/* A macro's value as a string literal (the default speeds in usage texts). */
#define CLI_STR(x) #x
#define CLI_XSTR(x) CLI_STR(x)

/* Parse "LAT,LON"; returns 0 on success. */
int cli_parse_latlon(const char *s, double *lat, double *lon);
/* A truck option (--truck-height M, --truck-width M, --truck-length M, --truck-weight T, --truck-axle-load T,
 * --truck-max-speed KMH, --hazmat, --no-delivery, --depart [DAY ]HH:MM with DAY Mo…Su) at argv[*i] into *t
 * (cli_truck.c): 1 consumed (*i advanced past its value), 0 not a truck option, -1 malformed (message in why). */
int cli_truck_option(int argc, char **argv, int *i, tc_truck *t, const char **why);
/* The usage lines of those options. */
extern const char CLI_TRUCK_USAGE[];

#endif
