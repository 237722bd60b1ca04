/*
 * cmd_serve.c — `tongcheng serve NET`: open the network once (memory-mapped, shared read-only by every server
 * thread) and hand it to the HTTP server (src/server). Runs until SIGINT/SIGTERM; exit 0 after a clean stop.
 */
#include "cli.h"

#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *serve_usage =
    "usage: tongcheng serve NET [--host 127.0.0.1] [--port 8080] [--threads N] [--quiet] [--web-dir DIR]\n"
    "                           [--max-matrix N] [--max-body BYTES] [--timeout S] [--tiles URL]\n"
    "  --host ADDR        numeric IPv4 or IPv6 address to listen on (default 127.0.0.1)\n"
    "  --port N           TCP port (default 8080; 0 = any free port, printed on stderr)\n"
    "  --threads N        worker threads (default: the number of cores)\n"
    "  --walk-speed M/S   --bike-speed M/S   --board-slack S: defaults of requests that give none (walk_speed,\n"
    "                     bike_speed, board_slack; default " CLI_XSTR(TC_DEFAULT_WALK_SPEED_MPS) " and " CLI_XSTR(TC_DEFAULT_BIKE_SPEED_MPS) " m/s, 0 s)\n"
    "  --quiet            no access log on stderr\n"
    "  --web-dir DIR      the map page (default: web/ beside or above the program, or $TC_WEB_DIR)\n"
    "  --max-matrix N     POST /v1/matrix: at most N origin x destination pairs (default 10000; more: 413)\n"
    "  --max-body BYTES   request body limit (default 1048576; more: 413)\n"
    "  --timeout S        close connections idle for S seconds (default 30)\n"
    "  --tiles URL        base map tiles, {z}/{x}/{y} (default OpenStreetMap's; none = the network alone)\n"
    "  --scenario NAME=NET  another network of the region (e.g. built with --scenario): /v1/isochrone?scenario=NAME,\n"
    "                     and the map page's scenario selector compares it with the baseline (repeatable)\n"
    "  --analysis-threads N  threads for isochrones and matrices, apart from the others (default: half)\n"
    "  --max-cost N       refuse an isochrone or matrix estimated above N searches (origins x departure\n"
    "                     minutes x draws, scaled by its outputs) with 422 (default 60000)\n"
    "  --request-timeout S  stop an isochrone or matrix still running S s after it arrived: 503 (default 60)\n"
    "  --drain-timeout S  after SIGTERM/SIGINT, wait at most S s for requests in flight (default 10); a second\n"
    "                     signal exits at once\n"
    "  --per-client-connections N  connections one client address may hold (default 64)\n"
    "  --header-timeout S  a request's headers must arrive within S s however slowly they trickle (default 10)\n"
    "  --body-timeout S   and its body within S s after them (default 30)\n"
    "endpoints: GET /v1/route, GET /v1/isochrone, POST /v1/matrix, POST /v1/hubs (freight hub catchments:\n"
    "           {hubs, cells, cutoffs, date, time, mode, tiers, tier_minutes}), GET /v1/network, /v1/stops, /v1/lines,\n"
    "           /v1/config, /health ({\"status\":\"ok\",\"in_flight\":N}: N other requests in progress);\n"
    "           the map page at /\n";

static int parse_count(const char *s, long lo, long hi, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int cmd_serve(int argc, char **argv) {
    server_options o;
    server_options_init(&o);
    const char *net_path = NULL;
    const char *scen_names[8], *scen_paths[8];
    size_t n_scen = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        long n;
        int takes = !strcmp(a, "--host") || !strcmp(a, "--port") || !strcmp(a, "--threads") ||
                    !strcmp(a, "--web-dir") || !strcmp(a, "--max-matrix") || !strcmp(a, "--max-body") ||
                    !strcmp(a, "--timeout") || !strcmp(a, "--tiles") || !strcmp(a, "--scenario") ||
                    !strcmp(a, "--analysis-threads") || !strcmp(a, "--max-cost") || !strcmp(a, "--request-timeout") ||
                    !strcmp(a, "--drain-timeout") || !strcmp(a, "--per-client-connections") ||
                    !strcmp(a, "--header-timeout") || !strcmp(a, "--body-timeout");
        if (takes && !val) return cli_usage(serve_usage, "serve: %s needs a value", a);
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(serve_usage, stdout);
            return 0;
        } else if (!strcmp(a, "--host")) {
            o.host = val;
        } else if (!strcmp(a, "--port")) {
            if (parse_count(val, 0, 65535, &n)) return cli_usage(serve_usage, "serve: --port expects 0…65535");
            o.port = (int)n;
        } else if (!strcmp(a, "--walk-speed") || !strcmp(a, "--bike-speed") || !strcmp(a, "--board-slack")) {
            if (!val) return cli_usage(serve_usage, "serve: %s needs a value", a);
            i++; /* (consumed here, not by takes) */
            double mps;
            if (a[2] == 'b' && a[3] == 'o') {
                if (parse_count(val, 0, 3600, &n)) return cli_usage(serve_usage, "serve: --board-slack expects 0…3600 s");
                o.board_slack_s = (int32_t)n;
            } else if (cli_parse_speed(val, &mps)) {
                return cli_usage(serve_usage, "serve: %s expects m/s, 0.1…30", a);
            } else if (a[2] == 'w') {
                o.walk_speed_mps = mps;
            } else {
                o.bike_speed_mps = mps;
            }
        } else if (!strcmp(a, "--threads")) {
            if (parse_count(val, 1, 1024, &n)) return cli_usage(serve_usage, "serve: --threads expects 1…1024");
            o.threads = (int)n;
        } else if (!strcmp(a, "--web-dir")) {
            o.web_dir = val;
        } else if (!strcmp(a, "--max-matrix")) {
            if (parse_count(val, 1, 100000000, &n)) return cli_usage(serve_usage, "serve: --max-matrix expects 1…1e8");
            o.max_matrix = (size_t)n;
        } else if (!strcmp(a, "--max-body")) {
            if (parse_count(val, 64, 1L << 30, &n)) return cli_usage(serve_usage, "serve: --max-body expects 64…2^30");
            o.max_body = (size_t)n;
        } else if (!strcmp(a, "--timeout")) {
            if (parse_count(val, 1, 3600, &n)) return cli_usage(serve_usage, "serve: --timeout expects 1…3600 s");
            o.timeout_s = (unsigned)n;
        } else if (!strcmp(a, "--tiles")) {
            o.tiles_url = val;
        } else if (!strcmp(a, "--scenario")) {
            const char *eq = strchr(val, '=');
            if (!eq || eq == val || !eq[1] || n_scen == sizeof scen_names / sizeof *scen_names)
                return cli_usage(serve_usage, "serve: --scenario expects NAME=NET (at most 8)");
            scen_names[n_scen] = val;
            scen_paths[n_scen++] = eq + 1;
        } else if (!strcmp(a, "--analysis-threads")) {
            if (parse_count(val, 1, 1024, &n)) return cli_usage(serve_usage, "serve: --analysis-threads expects 1…1024");
            o.analysis_threads = (int)n;
        } else if (!strcmp(a, "--max-cost")) {
            if (parse_count(val, 1, 1000000000000L, &n)) return cli_usage(serve_usage, "serve: --max-cost expects 1…1e12");
            o.max_cost = (double)n;
        } else if (!strcmp(a, "--request-timeout") || !strcmp(a, "--drain-timeout") ||
                   !strcmp(a, "--header-timeout") || !strcmp(a, "--body-timeout")) {
            if (parse_count(val, 1, 3600, &n)) return cli_usage(serve_usage, "serve: %s expects 1…3600 s", a);
            double *t = !strcmp(a, "--request-timeout") ? &o.request_timeout_s
                        : !strcmp(a, "--drain-timeout") ? &o.drain_timeout_s
                        : !strcmp(a, "--header-timeout") ? &o.header_timeout_s : &o.body_timeout_s;
            *t = (double)n;
        } else if (!strcmp(a, "--per-client-connections")) {
            if (parse_count(val, 1, 100000, &n))
                return cli_usage(serve_usage, "serve: --per-client-connections expects 1…100000");
            o.per_client_connections = (unsigned)n;
        } else if (!strcmp(a, "--quiet")) {
            o.quiet = 1;
        } else if (a[0] == '-') {
            return cli_usage(serve_usage, "serve: unknown option %s", a);
        } else if (!net_path) {
            net_path = a;
            continue;
        } else {
            return cli_usage(serve_usage, "serve: unexpected argument %s", a);
        }
        if (takes) i++;
    }
    if (!net_path) return cli_usage(serve_usage, "serve: no network file given");
    tc_error err = {0};
    tc_network *net = NULL;
    if (tc_network_open(net_path, &net, &err) != TC_OK) return cli_fail(&err);
    /* scenarios: NAME=NET, each its own network; the names are the part before '=' */
    char names[8][64];
    tc_network *scen_nets[8] = {0};
    const char *name_ptrs[8];
    int rc = 0;
    for (size_t k = 0; k < n_scen && !rc; k++) {
        snprintf(names[k], sizeof names[k], "%.*s", (int)(scen_paths[k] - 1 - scen_names[k]), scen_names[k]);
        name_ptrs[k] = names[k];
        if (tc_network_open(scen_paths[k], &scen_nets[k], &err) != TC_OK) rc = cli_fail(&err);
    }
    o.scenario_names = name_ptrs;
    o.scenario_nets = (const tc_network *const *)scen_nets;
    o.n_scenarios = n_scen;
    if (!rc) {
        rc = server_run(net, &o, &err);
        if (rc) cli_fail(&err);
    }
    for (size_t k = 0; k < n_scen; k++) tc_network_close(scen_nets[k]);
    tc_network_close(net);
    return rc;
}
