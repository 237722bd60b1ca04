/*
 * mpi_cli_shims.c — the few cli.h helpers that src/cli/main.c defines (error, usage and finding printers), for
 * tongcheng-mpi, which reuses the analysis option parser in src/cli/cmd_surface.c but cannot link main.c (it holds
 * the `tongcheng` main and needs every subcommand). Messages say "tongcheng-mpi" and are printed by rank 0 only, so
 * a usage error appears once, not once per rank.
 * TODO(lead): move these out of main.c into src/cli/cli_common.c and compile that here instead; then delete this.
 */
#include "mpi_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int cli_fail(const tc_error *err) {
    if (tc_mpi_rank != 0) return 1;
    if (err->file[0] && err->line)
        fprintf(stderr, "tongcheng-mpi: error: %s:%ld:%ld: %s\n", err->file, err->line, err->column, err->message);
    else if (err->file[0])
        fprintf(stderr, "tongcheng-mpi: error: %s: %s\n", err->file, err->message);
    else
        fprintf(stderr, "tongcheng-mpi: error: %s\n", err->message);
    return 1;
}

int cli_usage(const char *usage_text, const char *fmt, ...) {
    if (tc_mpi_rank != 0) return 2;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tongcheng-mpi: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n\n%s", usage_text);
    va_end(ap);
    return 2;
}

void cli_print_finding(void *user, const tc_finding *f) {
    if (tc_mpi_rank != 0) return;
    FILE *out = user ? (FILE *)user : stderr;
    fprintf(out, "%s:%ld:%ld: %s: %s: %s\n", f->file && *f->file ? f->file : "-", f->line, f->column,
            f->severity == TC_SEV_ERROR ? "error" : "warning", f->code, f->message);
}

int cli_progress_wanted(int quiet) { return tc_mpi_rank == 0 && !quiet && isatty(STDERR_FILENO); }

int cli_parse_latlon(const char *s, double *lat, double *lon) {
    char *end;
    *lat = strtod(s, &end);
    if (end == s || *end != ',') return -1;
    const char *p = end + 1;
    *lon = strtod(p, &end);
    if (end == p || *end) return -1;
    if (*lat < -90 || *lat > 90 || *lon < -180 || *lon > 180) return -1;
    return 0;
}
