/*
 * cli.h — the subcommands of the `tongcheng` program. Each lives in its own cmd_NAME.c and is a thin layer over
 * include/tongcheng.h; the option parsing and printing they share with tongcheng-mpi is frontend/frontend.h.
 * Exit codes: 0 success, 1 the work failed (bad input, unreachable, ...), 2 bad command-line use.
 */
#ifndef TC_CLI_H
#define TC_CLI_H

#include "frontend/frontend.h"
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

int cmd_serve(int argc, char **argv);

/* Origins per block of a matrix / access run: bounds the travel times held in memory (cmd_matrix.c). */
size_t cli_origin_block(size_t n_dest, size_t n_percentiles);

#endif
