/*
 * server_http.c — responses, JSON errors and query parameter parsing for the endpoint handlers.
 *
 * Parsers are strict (the whole value must parse, numbers in range) because a silently half-read parameter gives a
 * plausible wrong answer; the handler turns a failure into a 400 naming the parameter.
 */
#include "server/server_http.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

double srv_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static enum MHD_Result queue(struct MHD_Connection *c, tc_request *r, unsigned status, struct MHD_Response *resp,
                             const char *content_type) {
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED && r && r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    if (r) r->status = status;
    enum MHD_Result ok = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ok;
}

enum MHD_Result srv_send_owned(struct MHD_Connection *c, tc_request *r, unsigned status, char *text,
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

enum MHD_Result srv_send_json(struct MHD_Connection *c, tc_request *r, unsigned status, char *json) {
    return srv_send_owned(c, r, status, json, "application/json");
}

enum MHD_Result srv_send_static(struct MHD_Connection *c, tc_request *r, unsigned status, const char *text,
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

enum MHD_Result srv_send_error(struct MHD_Connection *c, tc_request *r, unsigned status, const char *code,
                               const char *param, const char *fmt, ...) {
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cJSON *root = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(root, "error");
    if (e) {
        cJSON_AddNumberToObject(e, "status", status);
        cJSON_AddStringToObject(e, "code", code);
        if (param) cJSON_AddStringToObject(e, "param", param);
        else cJSON_AddNullToObject(e, "param");
        cJSON_AddStringToObject(e, "message", msg);
    }
    char *text = e ? dup_cjson_text(root) : NULL;
    cJSON_Delete(root);
    return srv_send_json(c, r, status, text);
}

typedef struct unknown_scan {
    const char *const *allowed;
    const char *unknown;
} unknown_scan;

static enum MHD_Result check_key(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    (void)value;
    unknown_scan *u = cls;
    for (const char *const *a = u->allowed; *a; a++)
        if (!strcmp(*a, key)) return MHD_YES;
    u->unknown = key;
    return MHD_NO;
}

const char *srv_unknown_param(struct MHD_Connection *c, const char *const *allowed) {
    unknown_scan u = {allowed, NULL};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_key, &u);
    return u.unknown;
}

const char *srv_param(struct MHD_Connection *c, const char *name) {
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

int srv_parse_latlon(const char *s, double *lat, double *lon) {
    if (!s || !*s) return -1;
    char *end;
    *lat = strtod(s, &end);
    if (end == s || *end != ',') return -1;
    const char *p = end + 1;
    *lon = strtod(p, &end);
    if (end == p || *end) return -1;
    if (!(*lat >= -90 && *lat <= 90 && *lon >= -180 && *lon <= 180)) return -1; /* also rejects NaN */
    return 0;
}

int srv_parse_int(const char *s, long lo, long hi, long *out) {
    if (!s || !*s) return -1;
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int srv_parse_int_list(const char *s, long lo, long hi, int increasing, int *out, size_t max, size_t *n) {
    if (!s || !*s) return -1;
    size_t k = 0;
    const char *p = s;
    for (;;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < lo || v > hi || k >= max || (*end && *end != ',')) return -1;
        if (increasing && k && v <= out[k - 1]) return -1;
        out[k++] = (int)v;
        if (!*end) break;
        p = end + 1;
    }
    *n = k;
    return 0;
}

static int parse_hhmm(const char *s, size_t len, int32_t *out) {
    char buf[16];
    if (len == 0 || len >= sizeof buf) return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    tc_error err;
    return tc_parse_clock(buf, out, &err) == TC_OK ? 0 : -1;
}

int srv_parse_window(const char *s, int32_t *start, int32_t *end) {
    if (!s) return -1;
    const char *dash = strchr(s, '-');
    if (!dash) return -1;
    if (parse_hhmm(s, (size_t)(dash - s), start) || parse_hhmm(dash + 1, strlen(dash + 1), end)) return -1;
    return *end > *start ? 0 : -1;
}
