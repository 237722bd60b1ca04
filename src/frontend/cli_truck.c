/*
 * cli_truck.c — the goods vehicle of `--mode truck` from the command line, shared by every command that takes the
 * mode. The defaults are tc_truck_init's (tongcheng.h); each option replaces one attribute.
 */
#include "frontend/frontend.h"

#include <stdlib.h>
#include <string.h>

const char CLI_TRUCK_USAGE[] =
    "truck (--mode truck): --truck-height M (4.0) --truck-width M (2.55) --truck-length M (10) --truck-weight T (18)\n"
    "  --truck-axle-load T (11.5) --truck-max-speed KMH (80) --hazmat --no-delivery --depart [DAY ]HH:MM (Tu 08:00;\n"
    "  decides the time-window restrictions, e.g. hgv:conditional=no @ (07:00-19:00))\n";

static int num(const char *s, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v > 0)) return -1;
    *out = v;
    return 0;
}

int cli_truck_option(int argc, char **argv, int *i, tc_truck *t, const char **why) {
    const char *a = argv[*i];
    static const struct { const char *opt; size_t off; } NUM[] = {
        {"--truck-height", offsetof(tc_truck, height_m)},     {"--truck-width", offsetof(tc_truck, width_m)},
        {"--truck-length", offsetof(tc_truck, length_m)},     {"--truck-weight", offsetof(tc_truck, weight_t)},
        {"--truck-axle-load", offsetof(tc_truck, axle_load_t)}, {"--truck-max-speed", offsetof(tc_truck, max_kmh)}};
    if (!strcmp(a, "--hazmat")) {
        t->hazmat = 1;
        return 1;
    }
    if (!strcmp(a, "--no-delivery")) {
        t->delivery = 0;
        return 1;
    }
    for (size_t k = 0; k < sizeof NUM / sizeof *NUM; k++) {
        if (strcmp(a, NUM[k].opt)) continue;
        if (*i + 1 >= argc || num(argv[*i + 1], (double *)((char *)t + NUM[k].off))) {
            *why = "expects a positive number";
            return -1;
        }
        (*i)++;
        return 1;
    }
    if (!strcmp(a, "--depart")) {
        if (*i + 1 >= argc) {
            *why = "expects [DAY ]HH:MM";
            return -1;
        }
        const char *v = argv[++*i];
        static const char *const D[] = {"Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"};
        int day = -1;
        for (int d = 0; d < 7; d++)
            if (!strncmp(v, D[d], 2) && v[2] == ' ') day = d;
        if (day >= 0) v += 3;
        int32_t s;
        if (tc_parse_clock(v, &s, NULL) != TC_OK) {
            *why = "expects [DAY ]HH:MM (DAY one of Mo Tu We Th Fr Sa Su)";
            return -1;
        }
        if (day >= 0) t->weekday = day;
        t->time_s = s;
        return 1;
    }
    return 0;
}
