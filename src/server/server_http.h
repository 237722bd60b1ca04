/*
 * server_http.h — what the endpoint handlers share: the per-request context, JSON responses and errors, and query
 * parameter parsing. Every failure a client can cause is answered as
 *     {"error":{"status":400,"code":"bad_parameter","param":"from","message":"…"}}
 * so a client can tell which parameter to fix without parsing prose.
 */
#ifndef TC_SERVER_HTTP_H
#define TC_SERVER_HTTP_H

#include "server/server.h"

#include <microhttpd.h>
#include <stdint.h>

/* The served state: shared by all threads, read-only after start-up. */
typedef struct srv_server srv_server;
struct srv_server {
    const tc_network *net;
    server_options opt;
    tc_network_info info;
    char *network_json;      /* GET /v1/network */
    char *stops_geojson;     /* GET /v1/stops */
    char *lines_geojson;     /* GET /v1/lines */
    char *config_json;       /* GET /v1/config: what the page needs (tiles URL, bbox, service dates) */
    char web_dir[4096];      /* "" when no map page was found */
    struct tc_isochrone_cache *iso_cache; /* GET /v1/isochrone: linked grids and workspaces kept between requests */
    struct srv_server *scenarios; /* one per --scenario, sharing everything but net, info and iso_cache */
    size_t n_scenarios;
    const char *scenario_name;   /* NULL for the baseline */
};

/* A query argument, copied when the headers are in (the handler may run on another thread). */
typedef struct srv_arg {
    char *key, *value; /* value "" for "?key" */
} srv_arg;

/* One request: allocated on the first call of the access handler, freed when MHD reports it completed. */
typedef struct srv_request {
    double start_s;          /* monotonic clock at arrival, for the access log */
    double deadline_s;       /* monotonic clock after which long work is cancelled (503) */
    char method[16];
    char path[256];
    unsigned status;         /* the status queued; the access log prints 0 when it was not delivered */
    char *body;              /* POST body, NUL-terminated */
    size_t body_len;
    int body_too_big;
    int body_no_room;        /* the server's memory for request bodies was full: answered 503 */
    size_t body_cap;
    size_t content_length;   /* as announced, when within the body limit; 0 when absent */
    const char *allow;       /* the Allow header of a 405 answer */
    char content_type[128];  /* the Content-Type header, "" when absent */
    srv_arg *args;           /* query arguments in order */
    size_t n_args;
    char arg_error[200];     /* why the query was refused (repeated, too long, too many), "" when it was not */
    char arg_error_param[72];
    /* requests run on the analysis pool (isochrone, matrix): the connection is suspended meanwhile, and the
     * handler's answer is made there and queued when MHD resumes the connection */
    int deferred;
    struct MHD_Response *response;
    struct MHD_Connection *conn;
    enum MHD_Result (*handler)(const struct srv_server *, struct MHD_Connection *, struct srv_request *);
    struct srv_request *next_job;
} srv_request;

/* The request the calling thread is handling (set around every handler call); srv_param reads its arguments. */
extern _Thread_local srv_request *srv_current;

/* The cancellation callback of tc_analysis_options for a request (ctx: the srv_request): nonzero once the server is
 * shutting down past its drain time or the request has passed its deadline. */
int srv_cancelled(void *ctx);
/* Nonzero once a shutdown cancels the work in progress (to word the 503). */
int srv_shutting_down(void);

double srv_now(void);

/* Queue a response, taking ownership of a malloc'd text (freed with free); NULL text: 500 out of memory. */
enum MHD_Result srv_send_owned(struct MHD_Connection *c, srv_request *r, unsigned status, char *text,
                               const char *content_type);
enum MHD_Result srv_send_json(struct MHD_Connection *c, srv_request *r, unsigned status, char *json);
/* A static text that outlives the daemon. */
enum MHD_Result srv_send_static(struct MHD_Connection *c, srv_request *r, unsigned status, const char *text,
                                const char *content_type);
/* {"error":{...}}; param may be NULL. */
enum MHD_Result srv_send_error_extra(struct MHD_Connection *c, srv_request *r, unsigned status, const char *code,
                                     const char *param, const char *extra_name, double extra_value,
                                     const char *extra_name2, double extra_value2, const char *fmt, ...)
    __attribute__((format(printf, 10, 11)));
enum MHD_Result srv_send_error(struct MHD_Connection *c, srv_request *r, unsigned status, const char *code,
                               const char *param, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Copy the query arguments into r (called when the headers are in); a repeated name, an over-long name or value
 * or too many arguments is recorded in r->arg_error. */
void srv_copy_args(struct MHD_Connection *c, srv_request *r);
/* One argument (what srv_copy_args does for each); -1 once r->arg_error is set or out of memory. */
int srv_add_arg(srv_request *r, const char *key, const char *value);
/* The body's media type is application/json (parameters such as charset allowed, nothing else); an absent
 * Content-Type counts as JSON. */
int srv_is_json_media_type(const char *content_type);

/* Reject any query parameter not in the NULL-terminated list allowed; returns the first unknown name or NULL. */
const char *srv_unknown_param(struct MHD_Connection *c, const char *const *allowed);
const char *srv_param(struct MHD_Connection *c, const char *name);

/* Parsers: 0 on success. */
int srv_parse_latlon(const char *s, double *lat, double *lon);
int srv_parse_int(const char *s, long lo, long hi, long *out);
/* walk_speed, bike_speed (m/s), board_slack (s) and no_elevation (0 or 1) of a request: from the query string, or
 * from the JSON body when body is not NULL; the server's defaults where absent. 0, or -1 with the 400 answer sent
 * (server_speeds.c). */
struct cJSON;
int srv_speed_params(const srv_server *s, struct MHD_Connection *c, srv_request *r, const struct cJSON *body,
                     double *walk_mps, double *bike_mps, int32_t *board_slack_s, int *no_elevation,
                     enum MHD_Result *answer);

#endif
