/*
 * server.c — the daemon: start libmicrohttpd (a pool of epoll threads), route each request to its handler, log it,
 * and shut down cleanly.
 *
 * Requests: the access handler is called once when the headers are in (the request context is made and an
 * oversized Content-Length refused at once with 413), then for each piece of body (kept up to the limit), then a
 * last time to answer. Shutdown: SIGINT/SIGTERM are blocked in every thread and taken by sigwait() in the main
 * thread; it stops accepting (MHD_quiesce_daemon), waits until the requests in flight have completed, then stops
 * the daemon — so an answer being computed is still delivered.
 */
#include "server/server.h"

#include "server/server_api.h"
#include "analysis/surface.h"
#include "server/server_http.h"
#include "server/server_layers.h"
#include "server/server_static.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TILES "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#define SHUTDOWN_GRACE_S 60 /* longest wait for requests in flight after a signal */

static atomic_long in_flight;

void tc_server_options_init(tc_server_options *o) {
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 8080;
    o->max_matrix = 10000;
    o->max_body = 1 << 20;
    o->timeout_s = 30;
    o->tiles_url = DEFAULT_TILES;
}

/* ---------------------------------------------------------------- dispatch ------------------------------------- */

static int is_get(const char *m) { return !strcmp(m, MHD_HTTP_METHOD_GET) || !strcmp(m, MHD_HTTP_METHOD_HEAD); }

static enum MHD_Result dispatch(const tc_server *s, struct MHD_Connection *c, tc_request *r, const char *url,
                                const char *method) {
    static const struct {
        const char *path;
        int post;
    } endpoints[] = {{"/health", 0},     {"/v1/route", 0}, {"/v1/isochrone", 0}, {"/v1/matrix", 1},
                     {"/v1/network", 0}, {"/v1/stops", 0}, {"/v1/lines", 0},     {"/v1/config", 0}};
    int known = -1;
    for (size_t i = 0; i < sizeof endpoints / sizeof *endpoints; i++)
        if (!strcmp(url, endpoints[i].path)) known = (int)i;
    if (known < 0) {
        if (!strncmp(url, "/v1/", 4) || !strcmp(url, "/v1"))
            return srv_send_error(c, r, 404, "not_found", NULL,
                                  "no endpoint %s (route, isochrone, matrix, network, stops, lines, config)", r->path);
        if (!is_get(method)) {
            r->allow = "GET, HEAD";
            return srv_send_error(c, r, 405, "method_not_allowed", NULL, "%s is not allowed on %s", r->method, r->path);
        }
        return static_serve(s, c, r, url);
    }
    int post = endpoints[known].post;
    if (post ? strcmp(method, MHD_HTTP_METHOD_POST) != 0 : !is_get(method)) {
        r->allow = post ? "POST" : "GET, HEAD";
        return srv_send_error(c, r, 405, "method_not_allowed", NULL, "%s is not allowed on %s (use %s)", r->method,
                              r->path, r->allow);
    }
    if (!strcmp(url, "/health")) {
        /* in_flight: the other requests received and not yet answered (this one excluded), for operators and for
         * tests that must know a request is being worked on before they act */
        char *t = malloc(64);
        if (t) snprintf(t, 64, "{\"status\":\"ok\",\"in_flight\":%ld}", atomic_load(&in_flight) - 1);
        return srv_send_json(c, r, 200, t);
    }
    if (!strcmp(url, "/v1/route")) return api_route(s, c, r);
    if (!strcmp(url, "/v1/isochrone")) return api_isochrone(s, c, r);
    if (!strcmp(url, "/v1/matrix")) return api_matrix(s, c, r);
    if (!strcmp(url, "/v1/network")) return srv_send_static(c, r, 200, s->network_json, "application/json");
    if (!strcmp(url, "/v1/stops")) return srv_send_static(c, r, 200, s->stops_geojson, "application/geo+json");
    if (!strcmp(url, "/v1/lines")) return srv_send_static(c, r, 200, s->lines_geojson, "application/geo+json");
    return srv_send_static(c, r, 200, s->config_json, "application/json");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    (void)version;
    const tc_server *s = cls;
    tc_request *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        r->start_s = srv_now();
        snprintf(r->method, sizeof r->method, "%s", method);
        snprintf(r->path, sizeof r->path, "%s", url);
        *con_cls = r;
        atomic_fetch_add(&in_flight, 1);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->opt.max_body) {
            /* refused before reading the body; MHD then closes the connection rather than read it */
            return srv_send_error(c, r, 413, "too_large", NULL,
                                  "the request body (%s bytes) exceeds this server's limit of %zu bytes", cl,
                                  s->opt.max_body);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->body_too_big) return MHD_YES;
        if (r->body_len + n > s->opt.max_body) { /* chunked bodies have no Content-Length to check up front */
            free(r->body);
            r->body = NULL;
            r->body_len = 0;
            r->body_too_big = 1;
            return MHD_YES;
        }
        char *b = realloc(r->body, r->body_len + n + 1);
        if (!b) return MHD_NO;
        memcpy(b + r->body_len, upload_data, n);
        r->body = b;
        r->body_len += n;
        r->body[r->body_len] = 0;
        return MHD_YES;
    }
    return dispatch(s, c, r, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why) {
    (void)c;
    const tc_server *s = cls;
    tc_request *r = *con_cls;
    if (!r) return;
    if (!s->opt.quiet) {
        double ms = (srv_now() - r->start_s) * 1e3;
        /* status 0: the client went away or timed out before an answer was queued */
        fprintf(stderr, "%s %s %u %.1f ms%s\n", r->method, r->path, r->status, ms,
                why == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed early)");
    }
    free(r->body);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    const tc_server *s = cls;
    if (s->opt.quiet) return;
    fprintf(stderr, "tongcheng serve: ");
    vfprintf(stderr, fmt, ap);
}

/* ---------------------------------------------------------------- start-up ------------------------------------- */

/* Every /v1/route request allocates a fresh search workspace (a few MB) and frees it. glibc gave that memory back to
 * the kernel at each free (madvise / munmap of the worker threads' heaps) and took page faults to get it back at the
 * next request: 30% of the server's CPU under load was page faults (perf), and a route took 10.9 ms on average
 * instead of 2.5 ms (serial, Porto Alegre). Keeping freed memory in the heap makes the next request reuse it. The
 * heap then stays at the peak of the requests in flight (blocks of 32 MB and more are still mapped and unmapped
 * each time; at most 128 MB free is kept per heap), so it does not grow with the number of requests: RSS levels off
 * at ~41 MB under alternating route and isochrone load (bench/server_load.sh). */
static void keep_freed_memory(void) {
#if defined(M_TRIM_THRESHOLD) && defined(M_MMAP_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's largest: blocks below it come from the heap, reused */
    mallopt(M_TRIM_THRESHOLD, 128 << 20); /* give memory back only when this much is free at the top of a heap */
#endif
}

static tc_status make_config(tc_server *s, tc_error *err) {
    char a[16], b[16], d[16];
    tc_format_date(s->info.service_start, a);
    tc_format_date(s->info.service_end, b);
    int32_t day = srv_default_date(s->net), busy = srv_default_time(s->net, day);
    char hm[16];
    tc_format_date(day, d);
    snprintf(hm, sizeof hm, "%02d:00", (int)(busy / 3600) % 24);
    cJSON *root = cJSON_CreateObject();
    const char *tiles = s->opt.tiles_url;
    if (!tiles || !*tiles || !strcmp(tiles, "none")) cJSON_AddNullToObject(root, "tiles");
    else cJSON_AddStringToObject(root, "tiles", tiles);
    cJSON_AddStringToObject(root, "attribution", tiles && !strcmp(tiles, DEFAULT_TILES)
                                                     ? "© OpenStreetMap contributors" : "");
    cJSON_AddItemToObject(root, "bbox", cJSON_CreateDoubleArray(s->info.bbox, 4));
    cJSON_AddStringToObject(root, "service_start", a);
    cJSON_AddStringToObject(root, "service_end", b);
    cJSON_AddStringToObject(root, "default_date", d);
    cJSON_AddStringToObject(root, "default_time", hm);
    cJSON_AddStringToObject(root, "version", TC_VERSION_STRING);
    char *t = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!t) return tc_fail_oom(err);
    s->config_json = strdup(t);
    cJSON_free(t);
    return s->config_json ? TC_OK : tc_fail_oom(err);
}

static void server_free(tc_server *s) {
    tc_free(s->network_json);
    free(s->stops_geojson);
    free(s->lines_geojson);
    free(s->config_json);
    tc_isochrone_cache_free(s->iso_cache);
}

int tc_serve(const tc_network *net, const tc_server_options *o, tc_error *err) {
    tc_server s;
    memset(&s, 0, sizeof s);
    s.net = net;
    s.opt = *o;
    if (s.opt.threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s.opt.threads = n > 0 ? (int)n : 1;
    }
    if (tc_network_get_info(net, &s.info, err) != TC_OK || tc_network_info_json(net, &s.network_json, err) != TC_OK ||
        srv_stops_geojson(net, &s.stops_geojson, err) != TC_OK ||
        srv_lines_geojson(net, &s.lines_geojson, err) != TC_OK || make_config(&s, err) != TC_OK ||
        tc_isochrone_cache_create(net, &s.iso_cache, err) != TC_OK) {
        server_free(&s);
        return 1;
    }
    static_find_web_dir(o->web_dir, s.web_dir, sizeof s.web_dir);
    if (o->web_dir && !s.web_dir[0]) {
        tc_fail(err, TC_ERR_IO, o->web_dir, 0, 0, "no index.html in the web folder");
        server_free(&s);
        return 1;
    }

    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    struct sockaddr *addr;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    memset(&a4, 0, sizeof a4);
    memset(&a6, 0, sizeof a6);
    if (inet_pton(AF_INET, o->host, &a4.sin_addr) == 1) {
        a4.sin_family = AF_INET;
        a4.sin_port = htons((uint16_t)o->port);
        addr = (struct sockaddr *)&a4;
    } else if (inet_pton(AF_INET6, o->host, &a6.sin6_addr) == 1) {
        a6.sin6_family = AF_INET6;
        a6.sin6_port = htons((uint16_t)o->port);
        addr = (struct sockaddr *)&a6;
        flags |= MHD_USE_IPv6;
    } else {
        tc_fail(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "--host expects a numeric IPv4 or IPv6 address, got \"%s\"",
                o->host);
        server_free(&s);
        return 1;
    }

    /* every thread MHD starts inherits this mask, so the signals reach sigwait() below and nothing else */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);
    keep_freed_memory();

    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, on_request, &s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &s,
        MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s.opt.threads, MHD_OPTION_CONNECTION_TIMEOUT, s.opt.timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_CONNECTION_LIMIT, 1000u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s,
        MHD_OPTION_END);
    if (!d) {
        tc_fail(err, TC_ERR_IO, NULL, 0, 0, "cannot listen on %s port %d: %s", o->host, o->port,
                errno ? strerror(errno) : "libmicrohttpd refused to start");
        pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
        server_free(&s);
        return 1;
    }
    const union MHD_DaemonInfo *bound = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = bound ? bound->port : (unsigned)o->port;
    /* one start-up line even with --quiet: it tells scripts which port was chosen for --port 0 */
    fprintf(stderr, "tongcheng serve: listening on http://%s%s%s:%u/ with %d thread%s%s\n",
            addr == (struct sockaddr *)&a6 ? "[" : "", o->host, addr == (struct sockaddr *)&a6 ? "]" : "", port,
            s.opt.threads, s.opt.threads == 1 ? "" : "s", s.web_dir[0] ? "" : " (no map page: API only)");

    int sig = 0;
    while (sigwait(&stop, &sig) != 0) {
    }
    MHD_socket lfd = MHD_quiesce_daemon(d); /* no new connections from here on */
    if (lfd != MHD_INVALID_SOCKET) close(lfd);
    struct timespec pause = {0, 10 * 1000 * 1000};
    for (int i = 0; i < SHUTDOWN_GRACE_S * 100 && atomic_load(&in_flight) > 0; i++) nanosleep(&pause, NULL);
    MHD_stop_daemon(d);
    if (!o->quiet) fprintf(stderr, "tongcheng serve: %s received, stopped\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    /* SIGINT/SIGTERM stay blocked: the program exits right after, and a second signal sent during the shutdown
     * must not turn a clean stop into death by signal */
    server_free(&s);
    return 0;
}
