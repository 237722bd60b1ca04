/*
 * server.h — `tongcheng serve`: an HTTP JSON API and a map page over one read-only network.
 *
 * Shape: libmicrohttpd with a pool of epoll threads. Every thread reads the same memory-mapped network (nothing in
 * it is written after opening), so requests need no locks; what a request allocates is its own, except that
 * isochrones share a cache of linked grids and analysis workspaces (analysis/surface.h; a mutex guards its tables). Slow clients cost
 * an idle connection, never a thread (MHD's event loop does the I/O), and a client holds at most
 * per_client_connections, each with header and body deadlines. Isochrones and matrices run on a separate, smaller
 * pool, so that cheap requests never wait behind them; their estimated cost is checked against max_cost before any
 * work, and running work is cancelled past request_timeout_s or at shutdown. Network-wide GeoJSON (stops, lines) is
 * built once at start-up and served from memory.
 *
 * Files: server.c (daemon, dispatch, signals, access log), server_http.c (requests, responses, JSON errors),
 * server_api.c (the /v1 endpoints), server_static.c (the map page; its GeoJSON layers are the library's
 * tc_network_*_geojson).
 */
#ifndef TC_SERVER_SERVER_H
#define TC_SERVER_SERVER_H

#include "tongcheng.h"

#include <stddef.h>

typedef struct server_options {
    const char *host;       /* address to listen on; default 127.0.0.1 */
    int port;               /* default 8080; 0 = any free port (printed on stderr) */
    int threads;            /* worker threads; <= 0: the number of cores */
    int quiet;              /* no access log */
    double walk_speed_mps;  /* requests without walk_speed; <= 0: the network's (TC_DEFAULT_WALK_SPEED_MPS) */
    double bike_speed_mps;  /* requests without bike_speed; <= 0: TC_DEFAULT_BIKE_SPEED_MPS */
    int32_t board_slack_s;  /* requests without board_slack; default 0 */
    const char *web_dir;    /* the map page (index.html, app.js, node_modules/maplibre-gl); NULL: found near the
                               program or in ./web */
    size_t max_matrix;      /* POST /v1/matrix: at most this many origin × destination pairs; default 10000 */
    size_t max_body;        /* request body limit in bytes; default 1 MiB */
    unsigned timeout_s;     /* idle connection timeout; default 30 */
    const char *tiles_url;  /* base map tiles ({z}/{x}/{y}); default OpenStreetMap's; "" or "none": no base map */
    /* scenarios (server_scenarios.c): other networks of the region, e.g. built with `build --scenario S.json`;
     * GET /v1/isochrone?scenario=NAME answers on one, and the map page compares it with the baseline */
    const char *const *scenario_names;
    const tc_network *const *scenario_nets;
    size_t n_scenarios;
    int analysis_threads;   /* the separate pool for isochrones and matrices; <= 0: half the threads, at least 1 */
    double max_cost;        /* a request estimated above this many searches is refused (422); default 60000 */
    double request_timeout_s; /* isochrone / matrix work still running this long after arrival: 503; default 60 */
    double drain_timeout_s; /* after SIGTERM/SIGINT, wait at most this long for requests in flight; default 10 */
    unsigned per_client_connections; /* connections one client address may hold; default 64 */
    double header_timeout_s; /* a request's headers must all arrive within this, however they trickle; default 10 */
    double body_timeout_s;  /* and its body within this after the headers; default 30 */
} server_options;

void server_options_init(server_options *o);

/* Serve net until SIGINT or SIGTERM, then finish the requests in flight (cancelling what still runs near the end of
 * drain_timeout_s: 503) and return 0; 1 when the server could not start (err says why). A second signal during the
 * drain ends the process at once (exit status 1). */
int server_run(const tc_network *net, const server_options *o, tc_error *err);

#endif
