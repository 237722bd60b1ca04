/*
 * fuzz_server_query.c — libFuzzer target for the HTTP query of GET /v1/route and /v1/isochrone: the input is a query
 * string, split and unescaped as libmicrohttpd does ('&', '=', MHD_http_unescape), added through srv_add_arg (the
 * repeated / over-long / too-many checks), then answered by the handler against a small real network. Any input
 * must give exactly one answer (200, 4xx or 503), never a crash, a leak or an over-read. The first input byte
 * chooses the endpoint. Seeds: tests/fuzz/seeds/server_query/.
 */
#include "server_harness.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_server_open();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1 || size > 8192) return 0;
    int isochrone = data[0] & 1;
    char *q = malloc(size);
    if (!q) return 0;
    memcpy(q, data + 1, size - 1);
    q[size - 1] = 0;
    srv_request *r = fuzz_request();
    for (char *save = NULL, *pair = strtok_r(q, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(pair, '='), *value = NULL;
        if (eq) {
            *eq = 0;
            value = eq + 1;
            MHD_http_unescape(value);
        }
        MHD_http_unescape(pair);
        if (srv_add_arg(r, pair, value ? value : "")) break;
    }
    if (r->arg_error[0]) {
        srv_send_error(NULL, r, 400, "bad_parameter", NULL, "%s", r->arg_error);
        fuzz_finish(r);
    } else {
        fuzz_answer(r, isochrone ? api_isochrone : api_route);
    }
    free(q);
    return 0;
}
