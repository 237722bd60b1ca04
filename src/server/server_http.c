/*
 * server_http.c — responses, JSON errors and query parameter parsing for the endpoint handlers.
 *
 * Parsers are strict (the whole value must parse, numbers in range) because a silently half-read parameter gives a
 * plausible wrong answer; the handler turns a failure into a 400 naming the parameter.
 */
#include "server/server_http.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

_Thread_local srv_request *srv_current;

#define MAX_ARGS 32
#define MAX_ARG_KEY 64
#define MAX_ARG_VALUE 2048

double srv_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static enum MHD_Result queue(struct MHD_Connection *c, srv_request *r, unsigned status, struct MHD_Response *resp,
                             const char *content_type) {
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED && r && r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r) r->status = status;
    if (r && r->deferred) { /* on the analysis pool: queued by the MHD thread once the connection is resumed */
        if (r->response) MHD_destroy_response(r->response);
        r->response = resp;
        return MHD_YES;
    }
    enum MHD_Result ok = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

enum MHD_Result srv_send_owned(struct MHD_Connection *c, srv_request *r, unsigned status, char *text,
                               const char *content_type) {
    if (!text) {
        static const char oom[] =
            "{\"error\":{\"status\":500,\"code\":\"internal\",\"param\":null,\"message\":\"out of memory\"}}";
        return srv_send_static(c, r, 500, oom, "application/json");
    }
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback(strlen(text), text, free);
    if (!resp) free(text);
    return queue(c, r, status, resp, content_type);
}

enum MHD_Result srv_send_json(struct MHD_Connection *c, srv_request *r, unsigned status, char *json) {
    return srv_send_owned(c, r, status, json, "application/json");
}

enum MHD_Result srv_send_static(struct MHD_Connection *c, srv_request *r, unsigned status, const char *text,
                                const char *content_type) {
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
    return queue(c, r, status, resp, content_type);
}

static char *dup_cjson_text(cJSON *root) {
    char *t = cJSON_PrintUnformatted(root);
    if (!t) return NULL;
    char *copy = strdup(t); /* cJSON's allocator may differ from free() in principle */
    cJSON_free(t);
    return copy;
}

static enum MHD_Result send_error_v(struct MHD_Connection *c, srv_request *r, unsigned status, const char *code,
                                    const char *param, const char *n1, double v1, const char *n2, double v2,
                                    const char *fmt, va_list ap) {
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    cJSON *root = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(root, "error");
    if (e) {
        cJSON_AddNumberToObject(e, "status", status);
        cJSON_AddStringToObject(e, "code", code);
        if (param) cJSON_AddStringToObject(e, "param", param);
        else cJSON_AddNullToObject(e, "param");
        cJSON_AddStringToObject(e, "message", msg);
        if (n1) cJSON_AddNumberToObject(e, n1, v1);
        if (n2) cJSON_AddNumberToObject(e, n2, v2);
    }
    char *text = e ? dup_cjson_text(root) : NULL;
    cJSON_Delete(root);
    return srv_send_json(c, r, status, text);
}

enum MHD_Result srv_send_error(struct MHD_Connection *c, srv_request *r, unsigned status, const char *code,
                               const char *param, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    enum MHD_Result a = send_error_v(c, r, status, code, param, NULL, 0, NULL, 0, fmt, ap);
    va_end(ap);
    return a;
}

enum MHD_Result srv_send_error_extra(struct MHD_Connection *c, srv_request *r, unsigned status, const char *code,
                                     const char *param, const char *n1, double v1, const char *n2, double v2,
                                     const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    enum MHD_Result a = send_error_v(c, r, status, code, param, n1, v1, n2, v2, fmt, ap);
    va_end(ap);
    return a;
}

static enum MHD_Result copy_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    return srv_add_arg(cls, key, value) ? MHD_NO : MHD_YES;
}

int srv_add_arg(srv_request *r, const char *key, const char *value) {
    if (r->arg_error[0]) return -1;
    size_t kl = strlen(key), vl = value ? strlen(value) : 0;
    if (r->n_args >= MAX_ARGS) {
        snprintf(r->arg_error, sizeof r->arg_error, "more than %d query parameters", MAX_ARGS);
        return -1;
    }
    if (kl > MAX_ARG_KEY || vl > MAX_ARG_VALUE) {
        snprintf(r->arg_error_param, sizeof r->arg_error_param, "%.64s", key);
        snprintf(r->arg_error, sizeof r->arg_error, "query parameter \"%.64s\" is longer than %d bytes", key,
                 kl > MAX_ARG_KEY ? MAX_ARG_KEY : MAX_ARG_VALUE);
        return -1;
    }
    for (size_t i = 0; i < r->n_args; i++)
        if (!strcmp(r->args[i].key, key)) { /* the first value winning silently would hide a client's mistake */
            snprintf(r->arg_error_param, sizeof r->arg_error_param, "%s", key);
            snprintf(r->arg_error, sizeof r->arg_error, "query parameter \"%s\" is given more than once", key);
            return -1;
        }
    srv_arg *a = realloc(r->args, (r->n_args + 1) * sizeof *a);
    if (!a) return -1;
    r->args = a;
    a[r->n_args].key = strdup(key);
    a[r->n_args].value = strdup(value ? value : "");
    if (!a[r->n_args].key || !a[r->n_args].value) {
        free(a[r->n_args].key);
        free(a[r->n_args].value);
        return -1;
    }
    r->n_args++;
    return 0;
}

void srv_copy_args(struct MHD_Connection *c, srv_request *r) {
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, copy_arg, r);
}

int srv_is_json_media_type(const char *ct) {
    if (!ct || !*ct) return 1;
    while (*ct == ' ' || *ct == '\t') ct++;
    if (strncasecmp(ct, "application/json", 16)) return 0;
    ct += 16;
    while (*ct == ' ' || *ct == '\t') ct++;
    return *ct == 0 || *ct == ';';
}

const char *srv_unknown_param(struct MHD_Connection *c, const char *const *allowed) {
    (void)c;
    srv_request *r = srv_current;
    for (size_t i = 0; r && i < r->n_args; i++) {
        const char *const *a = allowed;
        while (*a && strcmp(*a, r->args[i].key)) a++;
        if (!*a) return r->args[i].key;
    }
    return NULL;
}

const char *srv_param(struct MHD_Connection *c, const char *name) {
    srv_request *r = srv_current;
    if (!r) return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
    for (size_t i = 0; i < r->n_args; i++)
        if (!strcmp(r->args[i].key, name)) return r->args[i].value;
    return NULL;
}

/* strtol and strtod skip leading blanks and take a '+': "cutoffs=%2010" and "%2B10" must not read as 10 */
static int plain_number_start(const char *p) { return isdigit((unsigned char)*p) || *p == '-' || *p == '.'; }

int srv_parse_latlon(const char *s, double *lat, double *lon) {
    if (!s || !plain_number_start(s)) return -1;
    char *end;
    *lat = strtod(s, &end);
    if (end == s || *end != ',') return -1;
    const char *p = end + 1;
    if (!plain_number_start(p)) return -1;
    *lon = strtod(p, &end);
    if (end == p || *end) return -1;
    if (!(*lat >= -90 && *lat <= 90 && *lon >= -180 && *lon <= 180)) return -1; /* also rejects NaN */
    return 0;
}

int srv_parse_int(const char *s, long lo, long hi, long *out) {
    if (!s || !plain_number_start(s)) return -1;
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}
