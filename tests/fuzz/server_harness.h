/*
 * server_harness.h — what the server fuzzers share: a srv_server over a small real network (the Google sample feed,
 * tests/fuzz/seeds/netfile/google-sample-feed.net, whose first byte is the netfile fuzzer's flag and is skipped;
 * TC_FUZZ_NET overrides the path), and a request run through a handler without a connection: with r->deferred set,
 * the handler's answer is made and kept in r->response instead of being queued, as on the analysis pool.
 */
#ifndef TC_FUZZ_SERVER_HARNESS_H
#define TC_FUZZ_SERVER_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include "server/server_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static srv_server fuzz_server;

static void fuzz_server_open(void) {
    const char *path = getenv("TC_FUZZ_NET");
    if (!path) path = "tests/fuzz/seeds/netfile/google-sample-feed.net";
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz: cannot open %s (run from the repository, or set TC_FUZZ_NET)\n", path);
        exit(1);
    }
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    int fd = memfd_create("net", 0);
    if (fd < 0 || n < 2 || write(fd, buf + 1, n - 1) != (ssize_t)(n - 1)) exit(1);
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    tc_network *net = NULL;
    tc_error err = {0};
    if (tc_network_open(proc, &net, &err) != TC_OK) {
        fprintf(stderr, "fuzz: %s: %s\n", path, err.message);
        exit(1);
    }
    fuzz_server.net = net;
    server_options_init(&fuzz_server.opt);
    fuzz_server.opt.max_matrix = 64; /* keep each input's work small: the parsing is what is fuzzed */
    fuzz_server.opt.max_cost = 4000;
    if (tc_network_get_info(net, &fuzz_server.info, &err) != TC_OK) exit(1);
}

static srv_request *fuzz_request(void) {
    srv_request *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->deferred = 1;
    r->start_s = srv_now();
    r->deadline_s = r->start_s + 5;
    return r;
}

/* Every outcome must be one answer with a status a client can act on; then the request is freed. */
static void fuzz_finish(srv_request *r) {
    if (!r->response || !(r->status == 200 || (r->status >= 400 && r->status <= 415) || r->status == 422 ||
                          r->status == 503))
        abort();
    MHD_destroy_response(r->response);
    for (size_t i = 0; i < r->n_args; i++) {
        free(r->args[i].key);
        free(r->args[i].value);
    }
    free(r->args);
    free(r->body);
    free(r);
}

static void fuzz_answer(srv_request *r,
                        enum MHD_Result (*handler)(const srv_server *, struct MHD_Connection *, srv_request *)) {
    srv_current = r;
    handler(&fuzz_server, NULL, r);
    srv_current = NULL;
    fuzz_finish(r);
}

#endif
