/* main.c — the `tongcheng` program: dispatch to one subcommand per file (cmd_*.c). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} commands[] = {
    {"build", cmd_build, "compile GTFS feeds and/or OSM streets into one network file"},
    {"validate", cmd_validate, "check GTFS feeds and list every problem"},
    {"info", cmd_info, "describe a compiled network file"},
    {"street", cmd_street, "walk / bike / car distance and time between two points"},
    {"route", cmd_route, "door-to-door transit journeys"},
    {"circle", cmd_circle, "the one-hour commute circle report (built-in: Chang-Zhu-Tan)"},
    {"export-gtfs", cmd_export_gtfs, "write a network back out as a GTFS folder"},
    {"surface", cmd_surface, "travel-time surface from one point (GeoTIFF or CSV)"},
    {"isochrone", cmd_isochrone, "isochrone polygons (GeoJSON)"},
    {"matrix", cmd_matrix, "travel-time matrix between two point sets (CSV)"},
    {"access", cmd_access, "accessibility to opportunities per origin (CSV)"},
    {"hubs", cmd_hubs, "freight hub truck catchments, coverage, overlap and distribution tiers"},
    {"serve", cmd_serve, "HTTP JSON API and map page over a network"},
};

static void usage(FILE *out) {
    fprintf(out, "tongcheng %s — how well a city's transport network ties it together\n\n"
                 "usage: tongcheng COMMAND [options]\n\ncommands:\n", TC_VERSION_STRING);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(out, "\n'tongcheng COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("tongcheng %s\n", TC_VERSION_STRING);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "tongcheng: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
