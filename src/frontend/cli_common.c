/*
 * cli_common.c — how every front end (tongcheng, tongcheng-mpi) prints errors, usage and findings, and decides on
 * progress. The MPI front end sets cli_program and silences every rank but 0, so a message appears once.
 */
#include "frontend/frontend.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *cli_program = "tongcheng";
int cli_silent = 0;

int cli_fail(const tc_error *err) {
    if (cli_silent) return 1;
    if (err->file[0] && err->line)
        fprintf(stderr, "%s: error: %s:%ld:%ld: %s\n", cli_program, err->file, err->line, err->column, err->message);
    else if (err->file[0])
        fprintf(stderr, "%s: error: %s: %s\n", cli_program, err->file, err->message);
    else
        fprintf(stderr, "%s: error: %s\n", cli_program, err->message);
    return 1;
}

int cli_usage(const char *usage_text, const char *fmt, ...) {
    if (cli_silent) return 2;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", cli_program);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n\n%s", usage_text);
    va_end(ap);
    return 2;
}

void cli_print_finding(void *user, const tc_finding *f) {
    if (cli_silent) return;
    FILE *out = user ? (FILE *)user : stderr;
    fprintf(out, "%s:%ld:%ld: %s: %s: %s\n", f->file && *f->file ? f->file : "-", f->line, f->column,
            f->severity == TC_SEV_ERROR ? "error" : "warning", f->code, f->message);
}

int cli_progress_wanted(int quiet) { return !cli_silent && !quiet && isatty(STDERR_FILENO); }

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

const char *cli_feed_arg(const char *option, const char *value, tc_feed_source *src, char **owned_name) {
    *owned_name = NULL;
    const char *eq = strchr(value, '=');
    if (eq && eq != value && !memchr(value, '/', (size_t)(eq - value))) {
        *owned_name = strndup(value, (size_t)(eq - value));
        src->name = *owned_name;
        src->path = eq + 1;
    } else {
        src->path = value;
    }
    size_t pl = strlen(src->path);
    int json = pl > 5 && !strcasecmp(src->path + pl - 5, ".json");
    if (json != !strcmp(option, "--sketch"))
        return json ? "a .json file is a sketch: give it with --sketch" : "a sketch is a .json file";
    src->sketch = json;
    return NULL;
}

int cli_parse_speed(const char *s, double *mps) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0.1 && v <= 30)) return -1;
    *mps = v;
    return 0;
}
