/*
 * cli.h — what the subcommands of the `tongcheng` program share: option parsing helpers and how findings and
 * errors are printed. Each subcommand lives in its own cmd_NAME.c and is a thin layer over include/tongcheng.h.
 * Exit codes: 0 success, 1 the work failed (bad input, unreachable, ...), 2 bad command-line use.
 */
#ifndef TC_CLI_H
#define TC_CLI_H

#include "tongcheng.h"
#include <stdio.h>

int cmd_build(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_street(int argc, char **argv);
int cmd_route(int argc, char **argv);
int cmd_circle(int argc, char **argv);
int cmd_export_gtfs(int argc, char **argv);
int cmd_surface(int argc, char **argv);
int cmd_isochrone(int argc, char **argv);
int cmd_matrix(int argc, char **argv);
int cmd_access(int argc, char **argv);
int cmd_hubs(int argc, char **argv);

/* Options shared by the analysis commands (surface, isochrone, matrix, access; parsed in cmd_surface.c). */
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
/* Origins per block of a matrix / access run: bounds the travel times held in memory (cmd_matrix.c). */
size_t cli_origin_block(size_t n_dest, size_t n_percentiles);
/* Say on stderr (unless quiet) when the network has no streets: walking is then straight line × detour. */
void cli_note_walking(const tc_network *net, int quiet);
/* Read a points CSV, printing its warnings unless quiet. */
struct tc_points;
tc_status cli_points_read(const char *path, int quiet, struct tc_points **out, tc_error *err);
int cmd_serve(int argc, char **argv);

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
