/*
 * fuzz_server_matrix.c — libFuzzer target for the POST /v1/matrix body: the input is the body (Content-Type
 * application/json), answered by the handler against a small real network with small limits (64 pairs, a cost
 * budget of 4,000 searches) so that valid bodies stay cheap. Any body must give exactly one answer (200, 4xx or
 * 503): never a crash, a leak or an over-read in the JSON checks (duplicate keys, points, percentiles, windows).
 * Seeds: tests/fuzz/seeds/server_matrix/.
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
    if (size > 65536) return 0;
    srv_request *r = fuzz_request();
    snprintf(r->content_type, sizeof r->content_type, "application/json");
    r->body = malloc(size + 1);
    if (!r->body) abort();
    memcpy(r->body, data, size);
    r->body[size] = 0;
    r->body_len = size;
    fuzz_answer(r, api_matrix);
    return 0;
}
