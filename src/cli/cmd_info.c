/*
 * cmd_info.c — `tongcheng info NET [NET ...] [--json]`: what a compiled network holds (several files: one JSON
 * object per line with --json, so scripts can describe many networks in one process). The JSON form is the library's
 * tc_network_info_json() (the HTTP API's /v1/network prints the same); the text form is read back from that JSON so
 * that the two can never disagree.
 */
#include "cli.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

static const char *info_usage = "usage: tongcheng info NET [NET ...] [--json]\n"
                                "  --json   print one JSON object per network, one per line (stops, routes, patterns,\n"
                                "           trips, stop_times, service_start, service_end, bbox, feeds, ...)\n";

static double num(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *str(const cJSON *o, const char *k) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static void print_text(const char *path, const cJSON *o) {
    printf("network      %s (format %.0f, %.1f MB)\n", path, num(o, "format_version"), num(o, "file_size") / 1e6);
    printf("stops        %.0f\n", num(o, "stops"));
    printf("routes       %.0f\n", num(o, "routes"));
    printf("patterns     %.0f\n", num(o, "patterns"));
    printf("trips        %.0f (%.0f without service on any date)\n", num(o, "trips"), num(o, "trips_without_service"));
    printf("stop_times   %.0f\n", num(o, "stop_times"));
    printf("frequency    %.0f template trips (%.0f frequencies.txt rows)\n", num(o, "frequency_templates"),
           num(o, "frequencies"));
    printf("transfers    %.0f walking links, %.0f transfers.txt rules\n", num(o, "transfers"),
           num(o, "transfer_rules"));
    if (num(o, "service_days") > 0)
        printf("service      %s .. %s (%.0f days), timezone %s\n", str(o, "service_start"), str(o, "service_end"),
               num(o, "service_days"), str(o, "timezone"));
    else
        printf("service      none (no transit service dates)\n");
    const cJSON *bb = cJSON_GetObjectItemCaseSensitive(o, "bbox");
    if (cJSON_GetArraySize(bb) == 4)
        printf("bbox         lon %.6f .. %.6f, lat %.6f .. %.6f\n", cJSON_GetArrayItem(bb, 0)->valuedouble,
               cJSON_GetArrayItem(bb, 2)->valuedouble, cJSON_GetArrayItem(bb, 1)->valuedouble,
               cJSON_GetArrayItem(bb, 3)->valuedouble);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "straight_line_walking")))
        printf("walking      straight line x %.2f (no street network), transfers within %.0f m\n",
               num(o, "straight_line_detour"), num(o, "transfer_radius_m"));
    else
        printf("walking      street network (%.0f nodes, %.0f edges), transfers within %.0f m\n",
               num(o, "street_nodes"), num(o, "street_edges"), num(o, "transfer_radius_m"));
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "straight_line_walking")))
        printf("elevation    %s\n", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "street_elevation"))
                                        ? "slope factors for walking and cycling (built with --elevation)"
                                        : "none (streets are flat)");
    printf("agencies     %.0f\n", num(o, "agencies"));
    const cJSON *feeds = cJSON_GetObjectItemCaseSensitive(o, "feeds");
    printf("feeds        %d\n", cJSON_GetArraySize(feeds));
    const cJSON *f;
    cJSON_ArrayForEach(f, feeds) {
        printf("  %s: %.0f stops, %.0f routes, %.0f trips, %.0f stop_times, %s .. %s, %s", str(f, "name"),
               num(f, "stops"), num(f, "routes"), num(f, "trips"), num(f, "stop_times"), str(f, "service_start"),
               str(f, "service_end"), str(f, "timezone"));
        if (num(f, "tz_shift_s") != 0) printf(" (times shifted %+.0f s)", num(f, "tz_shift_s"));
        if (num(f, "trips_dropped") > 0) printf(", %.0f trips dropped by the reader", num(f, "trips_dropped"));
        printf("\n");
        const cJSON *a;
        cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(f, "agencies")) {
            if (cJSON_IsString(a)) printf("    agency: %s\n", a->valuestring);
        }
    }
}

static int describe(const char *path, int json, int first) {
    tc_error err;
    memset(&err, 0, sizeof err);
    tc_network *net = NULL;
    if (tc_network_open(path, &net, &err) != TC_OK) return cli_fail(&err);
    char *js = NULL;
    tc_status st = tc_network_info_json(net, &js, &err);
    tc_network_close(net);
    if (st) return cli_fail(&err);
    int rc = 0;
    if (json) {
        printf("%s\n", js);
    } else {
        cJSON *o = cJSON_Parse(js);
        if (!o) {
            fprintf(stderr, "tongcheng: error: cannot describe %s\n", path);
            rc = 1;
        } else {
            if (!first) printf("\n");
            print_text(path, o);
            cJSON_Delete(o);
        }
    }
    tc_free(js);
    return rc;
}

int cmd_info(int argc, char **argv) {
    int json = 0, n_paths = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(info_usage, stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) return cli_usage(info_usage, "info: unknown option \"%s\"", argv[i]);
        else n_paths++;
    }
    if (!n_paths) return cli_usage(info_usage, "info: which network file?");
    int rc = 0, first = 1;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) continue;
        if (describe(argv[i], json, first)) rc = 1;
        first = 0;
    }
    return rc;
}
