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

/* Print "tongcheng: error: FILE:LINE:COL: message" for a failed call; returns 1. */
int cli_fail(const tc_error *err);
/* Print a usage error ("tongcheng CMD: MESSAGE", then the usage text); returns 2. */
int cli_usage(const char *usage, const char *fmt, ...);
/* A tc_finding_fn printing "FILE:LINE:COLUMN: error|warning: CODE: message" to the FILE* in user. */
void cli_print_finding(void *user, const tc_finding *f);
/* Nonzero when progress should be shown: stderr is a terminal and --quiet was not given. */
int cli_progress_wanted(int quiet);
/* Parse "LAT,LON"; returns 0 on success. */
int cli_parse_latlon(const char *s, double *lat, double *lon);

#endif
