/*
 * server.c — the daemon: start libmicrohttpd (a pool of epoll threads), route each request to its handler, run the
 * costly ones on a separate pool, log each request, and shut down within a bounded time.
 *
 * Requests: the access handler is called once when the headers are in (the request context is made, the query
 * arguments copied and checked, and an oversized Content-Length refused at once with 413), then for each piece of
 * body (kept up to the limit), then a last time to answer. Isochrones and matrices do not run on the MHD threads:
 * the connection is suspended and the request queued to the analysis pool (--analysis-threads, fewer than the MHD
 * threads), which makes the answer and resumes the connection. So /health, /v1/route, the map page and slow
 * clients' I/O are never stuck behind a long computation, and a full analysis queue answers 503 at once.
 *
 * Cancellation: every analysis asks srv_cancelled() between departure minutes; it says yes past the request's
 * deadline (--request-timeout: 503 deadline_exceeded) or when a shutdown has run out of drain time (503
 * shutting_down). Shutdown: SIGINT/SIGTERM are blocked in every thread and taken by sigwait() in the main thread; it
 * stops accepting (MHD_quiesce_daemon), waits for the requests in flight for at most --drain-timeout (cancelling the
 * work still running at 80% of it, so its 503 still goes out), then stops the daemon. A second signal during the
 * drain exits at once.
 */
#include "server/server.h"

#include "server/server_api.h"
#include "server/server_http.h"
#include "server/server_scenarios.h"
#include "server/server_static.h"
#include "common/error.h"

#include <arpa/inet.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

#define tc_fail_oom(err) error_set((err), TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory")

#define DEFAULT_TILES "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
#define MAX_URL_PATH 4096
#define ANALYSIS_QUEUE_PER_THREAD 32 /* waiting analyses per analysis thread before 503 busy (they also wait at
                                        * most --request-timeout: past it they are answered 503 when their turn comes) */

static atomic_long in_flight;
/* Bytes held by request bodies being received, over all connections: 200 unfinished 1 MB POSTs would otherwise hold
 * 200 MB (and glibc keeps freed memory, so RSS stays there). Past the budget a body is dropped and answered 503. */
#define BODY_MEMORY_BUDGET ((size_t)64 << 20)
static atomic_size_t body_bytes;
static atomic_int shutdown_cancel; /* set when the drain time is nearly over: running analyses stop */

int srv_shutting_down(void) { return atomic_load(&shutdown_cancel); }

int srv_cancelled(void *ctx) {
    const srv_request *r = ctx;
    return atomic_load(&shutdown_cancel) || (r && srv_now() > r->deadline_s);
}

/* ---------------------------------------------------------------- the analysis pool ---------------------------- */

static struct analysis_pool {
    pthread_mutex_t mu;
    pthread_cond_t wake, idle;
    srv_request *head, *tail;
    size_t queued, running, max_queued;
    int stop;
    pthread_t *tids;
    int n_threads;
    const srv_server *s;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER};

static void *analysis_main(void *arg) {
    (void)arg;
    /* below the MHD threads in the scheduler (Linux: nice applies per thread), so that on a busy machine /health,
     * /v1/route and the map page get the CPU before batch work; raising one's own nice value needs no privilege */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10) != 0) {
        /* not fatal: the analyses then share the CPU equally */
    }
    for (;;) {
        pthread_mutex_lock(&pool.mu);
        while (!pool.head && !pool.stop) pthread_cond_wait(&pool.wake, &pool.mu);
        srv_request *r = pool.head;
        if (!r) {
            pthread_mutex_unlock(&pool.mu);
            return NULL;
        }
        pool.head = r->next_job;
        if (!pool.head) pool.tail = NULL;
        pool.queued--;
        pool.running++;
        pthread_mutex_unlock(&pool.mu);

        srv_current = r;
        if (atomic_load(&shutdown_cancel))
            srv_send_error(r->conn, r, 503, "shutting_down", NULL, "the server is shutting down");
        else if (srv_now() > r->deadline_s)
            srv_send_error(r->conn, r, 503, "deadline_exceeded", NULL,
                           "the request waited longer than this server's limit of %g s", r->deadline_s - r->start_s);
        else
            r->handler(pool.s, r->conn, r);
        if (!r->response) /* the handler could not even make an error answer */
            srv_send_static(r->conn, r, 500,
                            "{\"error\":{\"status\":500,\"code\":\"internal\",\"param\":null,"
                            "\"message\":\"out of memory\"}}",
                            "application/json");
        srv_current = NULL;
        struct MHD_Connection *c = r->conn;
        pthread_mutex_lock(&pool.mu);
        pool.running--;
        if (!pool.running && !pool.queued) pthread_cond_broadcast(&pool.idle);
        pthread_mutex_unlock(&pool.mu);
        MHD_resume_connection(c); /* MHD calls the access handler again, which queues r->response */
    }
}

/* Suspend the connection and queue the request; answers 503 at once when the queue is full or closing. */
static enum MHD_Result analysis_submit(struct MHD_Connection *c, srv_request *r,
                                       enum MHD_Result (*handler)(const srv_server *, struct MHD_Connection *,
                                                                  srv_request *)) {
    pthread_mutex_lock(&pool.mu);
    if (pool.stop || pool.queued >= pool.max_queued) {
        int closing = pool.stop;
        pthread_mutex_unlock(&pool.mu);
        return srv_send_error(c, r, 503, closing ? "shutting_down" : "busy", NULL,
                              closing ? "the server is shutting down"
                                      : "%zu analyses are already waiting; try again shortly", pool.max_queued);
    }
    r->deferred = 1;
    r->conn = c;
    r->handler = handler;
    r->next_job = NULL;
    MHD_suspend_connection(c);
    if (pool.tail) pool.tail->next_job = r;
    else pool.head = r;
    pool.tail = r;
    pool.queued++;
    pthread_cond_signal(&pool.wake);
    pthread_mutex_unlock(&pool.mu);
    return MHD_YES;
}

static int pool_start(const srv_server *s, int n, tc_error *err) {
    pool.s = s;
    pool.max_queued = (size_t)n * ANALYSIS_QUEUE_PER_THREAD;
    pool.tids = calloc((size_t)n, sizeof *pool.tids);
    if (!pool.tids) return tc_fail_oom(err), -1;
    for (pool.n_threads = 0; pool.n_threads < n; pool.n_threads++)
        if (pthread_create(&pool.tids[pool.n_threads], NULL, analysis_main, NULL) != 0) break;
    if (pool.n_threads == 0) {
        free(pool.tids);
        error_set(err, TC_ERR_INTERNAL, NULL, 0, 0, "cannot start the analysis threads");
        return -1;
    }
    return 0;
}

/* Wait at most until `until` (monotonic seconds) for the pool to be empty; 0 when it is. */
static int pool_wait_idle(double until) {
    pthread_mutex_lock(&pool.mu);
    while ((pool.running || pool.queued) && srv_now() < until) {
        pthread_mutex_unlock(&pool.mu);
        struct timespec pause = {0, 5 * 1000 * 1000};
        nanosleep(&pause, NULL);
        pthread_mutex_lock(&pool.mu);
    }
    int busy = pool.running || pool.queued;
    pthread_mutex_unlock(&pool.mu);
    return busy;
}

static void pool_stop(void) {
    pthread_mutex_lock(&pool.mu);
    pool.stop = 1;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.mu);
    for (int i = 0; i < pool.n_threads; i++) pthread_join(pool.tids[i], NULL);
    free(pool.tids);
    pool.tids = NULL;
    pool.n_threads = 0;
}

void server_options_init(server_options *o) {
    memset(o, 0, sizeof *o);
    o->host = "127.0.0.1";
    o->port = 8080;
    o->max_matrix = 10000;
    o->max_body = 1 << 20;
    o->timeout_s = 30;
    o->tiles_url = DEFAULT_TILES;
    o->max_cost = 60000;
    o->request_timeout_s = 60;
    o->drain_timeout_s = 10;
    o->per_client_connections = 64;
    o->header_timeout_s = 10;
    o->body_timeout_s = 30;
}

/* ---------------------------------------------------------------- connection deadlines -------------------------- */

/* libmicrohttpd's connection timeout is an idle timeout: a client that trickles one byte every few seconds resets it
 * for ever, and 1,000 such clients hold every connection slot. So each connection's headers must be complete within
 * --header-timeout of its start (or of the end of its previous request), and its body within --body-timeout after
 * the headers, however the bytes trickle. A reaper thread enforces this by shutting the socket down (MHD then sees
 * the end of the stream and closes the connection itself; the fd stays MHD's). Connections are registered from
 * MHD's connection notifications, and removed before MHD closes the fd, under the same mutex the reaper holds. */

enum { CONN_HEADERS, CONN_BODY, CONN_ANSWERING };

typedef struct conn_entry {
    int fd;
    int phase;
    int cut; /* the reaper shut it down: the access log says so */
    double phase_start;
    struct conn_entry *prev, *next;
} conn_entry;

static struct {
    pthread_mutex_t mu;
    conn_entry *head;
    int stop;
    pthread_t tid;
    int started;
    double header_s, body_s;
} conns = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    (void)cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        conn_entry *e = ci ? calloc(1, sizeof *e) : NULL;
        *socket_context = e;
        if (!e) return; /* not watched: the idle timeout still applies */
        e->fd = ci->connect_fd;
        e->phase = CONN_HEADERS;
        e->phase_start = srv_now();
        pthread_mutex_lock(&conns.mu);
        e->next = conns.head;
        if (conns.head) conns.head->prev = e;
        conns.head = e;
        pthread_mutex_unlock(&conns.mu);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        conn_entry *e = *socket_context;
        if (!e) return;
        pthread_mutex_lock(&conns.mu);
        if (e->prev) e->prev->next = e->next;
        else conns.head = e->next;
        if (e->next) e->next->prev = e->prev;
        pthread_mutex_unlock(&conns.mu);
        free(e);
        *socket_context = NULL;
    }
}

static conn_entry *conn_of(struct MHD_Connection *c) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void conn_phase(struct MHD_Connection *c, int phase) {
    conn_entry *e = conn_of(c);
    if (!e) return;
    pthread_mutex_lock(&conns.mu);
    e->phase = phase;
    e->phase_start = srv_now();
    pthread_mutex_unlock(&conns.mu);
}

static void *reaper_main(void *arg) {
    (void)arg;
    struct timespec tick = {0, 100 * 1000 * 1000};
    for (;;) {
        nanosleep(&tick, NULL);
        pthread_mutex_lock(&conns.mu);
        if (conns.stop) {
            pthread_mutex_unlock(&conns.mu);
            return NULL;
        }
        double now = srv_now();
        for (conn_entry *e = conns.head; e; e = e->next) {
            double limit = e->phase == CONN_HEADERS ? conns.header_s : e->phase == CONN_BODY ? conns.body_s : 0;
            if (!e->cut && limit > 0 && now - e->phase_start > limit) {
                shutdown(e->fd, SHUT_RDWR);
                e->cut = 1;
            }
        }
        pthread_mutex_unlock(&conns.mu);
    }
}

static void reaper_stop(void) {
    pthread_mutex_lock(&conns.mu);
    conns.stop = 1;
    pthread_mutex_unlock(&conns.mu);
    if (conns.started) pthread_join(conns.tid, NULL);
    conns.started = 0;
}

/* ---------------------------------------------------------------- dispatch ------------------------------------- */

static int is_get(const char *m) { return !strcmp(m, MHD_HTTP_METHOD_GET) || !strcmp(m, MHD_HTTP_METHOD_HEAD); }

static enum MHD_Result dispatch(const srv_server *s, struct MHD_Connection *c, srv_request *r, const char *url,
                                const char *method) {
    if (strlen(url) > MAX_URL_PATH)
        return srv_send_error(c, r, 414, "uri_too_long", NULL, "the path is longer than %d bytes", MAX_URL_PATH);
    static const struct {
        const char *path;
        int post;
    } endpoints[] = {{"/health", 0},   {"/v1/route", 0},   {"/v1/isochrone", 0}, {"/v1/matrix", 1},
                     {"/v1/hubs", 1},  {"/v1/network", 0}, {"/v1/stops", 0},     {"/v1/lines", 0},
                     {"/v1/config", 0}};
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
    if (r->arg_error[0])
        return srv_send_error(c, r, 400, "bad_parameter", r->arg_error_param[0] ? r->arg_error_param : NULL, "%s",
                              r->arg_error);
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
    if (!strcmp(url, "/v1/isochrone")) return analysis_submit(c, r, srv_scenario_isochrone);
    if (!strcmp(url, "/v1/matrix")) return analysis_submit(c, r, api_matrix);
    if (!strcmp(url, "/v1/hubs")) return analysis_submit(c, r, api_hubs);
    if (!strcmp(url, "/v1/network")) return srv_send_static(c, r, 200, s->network_json, "application/json");
    if (!strcmp(url, "/v1/stops")) return srv_send_static(c, r, 200, s->stops_geojson, "application/geo+json");
    if (!strcmp(url, "/v1/lines")) return srv_send_static(c, r, 200, s->lines_geojson, "application/geo+json");
    return srv_send_static(c, r, 200, s->config_json, "application/json");
}

static void drop_body(srv_request *r) {
    atomic_fetch_sub(&body_bytes, r->body_cap);
    free(r->body);
    r->body = NULL;
    r->body_len = r->body_cap = 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    (void)version;
    const srv_server *s = cls;
    srv_request *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        r->start_s = srv_now();
        r->deadline_s = r->start_s + s->opt.request_timeout_s;
        snprintf(r->method, sizeof r->method, "%s", method);
        snprintf(r->path, sizeof r->path, "%s", url);
        *con_cls = r;
        atomic_fetch_add(&in_flight, 1);
        srv_copy_args(c, r);
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        snprintf(r->content_type, sizeof r->content_type, "%s", ct ? ct : "");
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        conn_phase(c, CONN_BODY); /* the headers are in: the body's deadline starts */
        if (cl && strtoull(cl, NULL, 10) <= s->opt.max_body) r->content_length = (size_t)strtoull(cl, NULL, 10);
        if (cl && strtoull(cl, NULL, 10) > s->opt.max_body) {
            /* refused before reading the body; MHD then closes the connection rather than read it */
            return srv_send_error(c, r, 413, "too_large", NULL,
                                  "the request body (%.30s bytes) exceeds this server's limit of %zu bytes", cl,
                                  s->opt.max_body);
        }
        return MHD_YES;
    }
    if (r->deferred) { /* resumed by the analysis pool: its answer is ready */
        struct MHD_Response *resp = r->response;
        r->response = NULL;
        r->deferred = 0;
        if (!resp) return MHD_NO;
        enum MHD_Result ok = MHD_queue_response(c, r->status, resp);
        MHD_destroy_response(resp);
        return ok;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->body_too_big || r->body_no_room) return MHD_YES;
        if (r->body_len + n > s->opt.max_body) { /* chunked bodies have no Content-Length to check up front */
            drop_body(r);
            r->body_too_big = 1;
            return MHD_YES;
        }
        if (r->body_len + n + 1 > r->body_cap) {
            /* the announced length at once (one allocation), else doubling (chunked bodies) */
            size_t cap = r->body_cap ? r->body_cap : r->content_length ? r->content_length + 1 : 4096;
            while (cap < r->body_len + n + 1) cap *= 2;
            if (cap > s->opt.max_body + 1) cap = s->opt.max_body + 1;
            size_t grow = cap - r->body_cap;
            if (atomic_fetch_add(&body_bytes, grow) + grow > BODY_MEMORY_BUDGET) {
                atomic_fetch_sub(&body_bytes, grow);
                drop_body(r);
                r->body_no_room = 1; /* answered now: MHD then stops reading the body and closes */
                return srv_send_error(c, r, 503, "busy", NULL,
                                      "the server is receiving too many request bodies at once; try again shortly");
            }
            char *b = realloc(r->body, cap);
            if (!b) {
                atomic_fetch_sub(&body_bytes, grow);
                return MHD_NO;
            }
            r->body = b;
            r->body_cap = cap;
        }
        memcpy(r->body + r->body_len, upload_data, n);
        r->body_len += n;
        r->body[r->body_len] = 0;
        return MHD_YES;
    }
    if (r->body_no_room) return MHD_YES; /* answered when the body was refused */
    conn_phase(c, CONN_ANSWERING);
    srv_current = r;
    enum MHD_Result a = dispatch(s, c, r, url, method);
    srv_current = NULL;
    return a;
}

/* The access log line's text: control characters (and the backslash) as \xNN, so a request cannot forge a line */
static void log_escaped(FILE *f, const char *t) {
    for (const unsigned char *p = (const unsigned char *)t; *p; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '\\') fprintf(f, "\\x%02x", *p);
        else fputc(*p, f);
    }
}

static const char *termination_reason(enum MHD_RequestTerminationCode why) {
    switch (why) {
    case MHD_REQUEST_TERMINATED_WITH_ERROR: return "connection error";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return "timed out";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return "server stopped";
    case MHD_REQUEST_TERMINATED_READ_ERROR: return "client closed the connection";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return "client aborted";
    default: return "closed early";
    }
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why) {
    const srv_server *s = cls;
    srv_request *r = *con_cls;
    if (!r) return;
    if (!s->opt.quiet) {
        double ms = (srv_now() - r->start_s) * 1e3;
        /* the status the client received: 0 when the answer was not delivered in full (then the one queued, if
         * any, is named), so the log never claims an answer nobody got; one fprintf per line keeps lines whole */
        char line[700];
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (m) {
            log_escaped(m, r->method);
            fputc(' ', m);
            log_escaped(m, r->path);
            int ok = why == MHD_REQUEST_TERMINATED_COMPLETED_OK;
            fprintf(m, " %u %.1f ms", ok ? r->status : 0u, ms);
            conn_entry *e = c ? conn_of(c) : NULL;
            const char *reason = e && e->cut ? "body deadline passed" : termination_reason(why);
            if (!ok && r->status) fprintf(m, " (%s; the %u answer was not delivered)", reason, r->status);
            else if (!ok) fprintf(m, " (%s)", reason);
            fclose(m);
            snprintf(line, sizeof line, "%s", buf ? buf : "");
            free(buf);
            fprintf(stderr, "%s\n", line);
        }
    }
    if (c) conn_phase(c, CONN_HEADERS); /* a kept-alive connection: the next request's headers are timed */
    if (r->response) MHD_destroy_response(r->response);
    for (size_t i = 0; i < r->n_args; i++) {
        free(r->args[i].key);
        free(r->args[i].value);
    }
    free(r->args);
    drop_body(r);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    const srv_server *s = cls;
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

static tc_status make_config(srv_server *s, tc_error *err) {
    char a[16], b[16], d[16];
    tc_format_date(s->info.service_start, a);
    tc_format_date(s->info.service_end, b);
    int32_t day = tc_network_default_date(s->net), busy = tc_network_busiest_hour(s->net, day);
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

static void server_free(srv_server *s) {
    tc_free(s->network_json);
    free(s->stops_geojson);
    free(s->lines_geojson);
    free(s->config_json);
    tc_isochrone_cache_free(s->iso_cache);
    srv_scenarios_free(s);
}

int server_run(const tc_network *net, const server_options *o, tc_error *err) {
    srv_server s;
    memset(&s, 0, sizeof s);
    s.net = net;
    s.opt = *o;
    if (s.opt.threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s.opt.threads = n > 0 ? (int)n : 1;
    }
    if (tc_network_get_info(net, &s.info, err) != TC_OK || tc_network_info_json(net, &s.network_json, err) != TC_OK ||
        tc_network_stops_geojson(net, &s.stops_geojson, err) != TC_OK ||
        tc_network_lines_geojson(net, &s.lines_geojson, err) != TC_OK || make_config(&s, err) != TC_OK ||
        tc_isochrone_cache_create(net, &s.iso_cache, err) != TC_OK || srv_scenarios_open(&s, err) != TC_OK) {
        server_free(&s);
        return 1;
    }
    static_find_web_dir(o->web_dir, s.web_dir, sizeof s.web_dir);
    if (o->web_dir && !s.web_dir[0]) {
        error_set(err, TC_ERR_IO, o->web_dir, 0, 0, "no index.html in the web folder");
        server_free(&s);
        return 1;
    }

    struct sockaddr_in a4;
    struct sockaddr_in6 a6;
    struct sockaddr *addr;
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
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
        error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "--host expects a numeric IPv4 or IPv6 address, got \"%s\"",
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
    conns.header_s = s.opt.header_timeout_s;
    conns.body_s = s.opt.body_timeout_s;
    conns.started = pthread_create(&conns.tid, NULL, reaper_main, NULL) == 0;
    int n_analysis = s.opt.analysis_threads > 0 ? s.opt.analysis_threads : (s.opt.threads + 1) / 2;
    if (pool_start(&s, n_analysis, err)) {
        pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
        server_free(&s);
        return 1;
    }

    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)o->port, NULL, NULL, on_request, &s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &s,
        MHD_OPTION_SOCK_ADDR, addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)s.opt.threads, MHD_OPTION_CONNECTION_TIMEOUT, s.opt.timeout_s,
        /* 128 KiB: room for a 64 KiB request line, so that an over-long URL gets this API's JSON 414 rather than
         * libmicrohttpd's own HTML page (it writes one for whatever exceeds this memory) */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), MHD_OPTION_CONNECTION_LIMIT, 1000u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, &s,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, s.opt.per_client_connections,
        MHD_OPTION_END);
    if (!d) {
        error_set(err, TC_ERR_IO, NULL, 0, 0, "cannot listen on %s port %d: %s", o->host, o->port,
                  errno ? strerror(errno) : "libmicrohttpd refused to start");
        pool_stop();
        reaper_stop();
        pthread_sigmask(SIG_UNBLOCK, &stop, NULL);
        server_free(&s);
        return 1;
    }
    const union MHD_DaemonInfo *bound = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = bound ? bound->port : (unsigned)o->port;
    /* one start-up line even with --quiet: it tells scripts which port was chosen for --port 0 */
    fprintf(stderr, "tongcheng serve: listening on http://%s%s%s:%u/ with %d thread%s (%d for analyses)%s\n",
            addr == (struct sockaddr *)&a6 ? "[" : "", o->host, addr == (struct sockaddr *)&a6 ? "]" : "", port,
            s.opt.threads, s.opt.threads == 1 ? "" : "s", pool.n_threads,
            s.web_dir[0] ? "" : " (no map page: API only)");

    int sig = 0;
    while (sigwait(&stop, &sig) != 0) {
    }
    const char *name = sig == SIGINT ? "SIGINT" : "SIGTERM";
    MHD_socket lfd = MHD_quiesce_daemon(d); /* no new connections from here on */
    if (lfd != MHD_INVALID_SOCKET) close(lfd);
    double t0 = srv_now(), drain = s.opt.drain_timeout_s;
    double cancel_at = t0 + 0.8 * drain, until = t0 + drain;
    if (!o->quiet)
        fprintf(stderr, "tongcheng serve: %s received, draining %ld request%s for at most %g s\n", name,
                atomic_load(&in_flight), atomic_load(&in_flight) == 1 ? "" : "s", drain);
    while (atomic_load(&in_flight) > 0 && srv_now() < until) {
        if (srv_now() >= cancel_at) atomic_store(&shutdown_cancel, 1); /* their 503s still go out before `until` */
        struct timespec pause = {0, 10 * 1000 * 1000};
        int again = sigtimedwait(&stop, NULL, &pause);
        if (again == SIGINT || again == SIGTERM) {
            /* the operator insists: no more waiting (the analyses may still hold the network, so no clean-up) */
            fprintf(stderr, "tongcheng serve: second %s: exiting at once, %ld request%s unanswered\n",
                    again == SIGINT ? "SIGINT" : "SIGTERM", atomic_load(&in_flight),
                    atomic_load(&in_flight) == 1 ? "" : "s");
            _exit(1);
        }
    }
    atomic_store(&shutdown_cancel, 1);
    /* MHD may not be stopped with suspended connections, nor the network closed under a running analysis: each
     * asks for cancellation every departure minute, so this wait is short */
    if (pool_wait_idle(srv_now() + 5.0)) {
        fprintf(stderr, "tongcheng serve: analyses did not stop after cancellation: exiting without clean-up\n");
        _exit(1);
    }
    MHD_stop_daemon(d);
    pool_stop();
    reaper_stop();
    if (!o->quiet)
        fprintf(stderr, "tongcheng serve: %s received, stopped after %.1f s\n", name, srv_now() - t0);
    /* SIGINT/SIGTERM stay blocked: the program exits right after */
    server_free(&s);
    return 0;
}
