/*
 * test_network_file.c — the compiled network file end to end: build → open → read back (round trip, info, JSON,
 * stop lookup), and refusal of damaged files: a flipped byte in any section (checksum), truncation, a wrong format
 * version, bad magic; and — with checksums recomputed, as a hand-made or buggy file would have them — a count that
 * disagrees with its section, a non-monotone CSR, an out-of-range index. Each must be TC_ERR_FORMAT, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../fixtures/network/feed_builder.h"
#include "common/timeutil.h"
#include "network/builder.h"
#include "netfile/netfile.h"
#include "network/network.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

static char net_path[256], bad_path[256];
static uint8_t *orig;
static size_t orig_len;

static int setup_all(void **state) {
    (void)state;
    snprintf(net_path, sizeof net_path, "/tmp/tc_test_network_file_%ld.net", (long)getpid());
    snprintf(bad_path, sizeof bad_path, "/tmp/tc_test_network_file_%ld.bad", (long)getpid());
    gtfs_feed *f = tf_new("tiny", "Europe/Berlin", days_from_civil(2025, 6, 1), 30);
    int32_t s[4];
    for (int i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "S%d", i);
        s[i] = tf_stop(f, id, 52.5 + i * 0.002, 13.4);
    }
    int32_t r = tf_route(f, "U1", 1), svc = tf_service(f, "all", "111111111111111111111111111111");
    for (int k = 0; k < 10; k++) {
        int32_t tm[4][2];
        for (int j = 0; j < 4; j++) tm[j][0] = tm[j][1] = HMS(6, 0, 0) + k * 600 + j * 120;
        char id[16];
        snprintf(id, sizeof id, "T%d", k);
        tf_trip(f, id, r, svc, 4, s, (const int32_t(*)[2])tm, NULL, NULL);
    }
    tf_transfer(f, s[0], s[1], GTFS_NONE, GTFS_NONE, 2, 60);
    tc_build_options o;
    tc_build_options_init(&o);
    tc_error err;
    gtfs_feed *feeds[] = {f};
    tc_status st = build_from_feeds(feeds, 1, &o, NULL, net_path, &err);
    tf_free(f);
    if (st) return -1;
    FILE *fp = fopen(net_path, "rb");
    if (!fp) return -1;
    fseek(fp, 0, SEEK_END);
    orig_len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    orig = malloc(orig_len);
    size_t got = fread(orig, 1, orig_len, fp);
    fclose(fp);
    return got == orig_len ? 0 : -1;
}

static int teardown_all(void **state) {
    (void)state;
    unlink(net_path);
    unlink(bad_path);
    free(orig);
    return 0;
}

static void write_bad(const uint8_t *data, size_t len) {
    FILE *fp = fopen(bad_path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    fclose(fp);
}

static tc_status open_bad(tc_error *err) {
    tc_network *net = NULL;
    tc_status st = tc_network_open(bad_path, &net, err);
    if (!st) tc_network_close(net);
    return st;
}

/* Section table entry of id in buf. */
static netfile_section *section(uint8_t *buf, uint32_t id) {
    netfile_header *h = (netfile_header *)buf;
    netfile_section *t = (netfile_section *)(buf + h->table_offset);
    for (uint32_t i = 0; i < h->n_sections; i++)
        if (t[i].id == id) return &t[i];
    fail_msg("no section %u", id);
    return NULL;
}

/* Recompute every checksum, as a writer would: the damage then passes the checksum test. */
static void reseal(uint8_t *buf) {
    netfile_header *h = (netfile_header *)buf;
    netfile_section *t = (netfile_section *)(buf + h->table_offset);
    for (uint32_t i = 0; i < h->n_sections; i++) t[i].xxh3 = XXH3_64bits(buf + t[i].offset, t[i].length);
    h->table_xxh3 = XXH3_64bits(t, h->n_sections * sizeof *t);
}

static void test_round_trip(void **state) {
    (void)state;
    tc_network *net = NULL;
    tc_error err;
    assert_int_equal(tc_network_open(net_path, &net, &err), TC_OK);
    const network_view *v = &net->v;
    assert_int_equal(v->n_stops, 4);
    assert_int_equal(v->n_trips, 10);
    assert_int_equal(v->n_patterns, 1);
    assert_int_equal(v->n_source_stop_times, 40);
    assert_int_equal(v->n_transfer_rules, 1);
    /* stops 222 m apart, 1000 m radius / 1.3: each stop reaches the others within 769 m straight line */
    assert_int_equal(v->n_transfers, 4 * 3 - 0);
    assert_string_equal(net_str(v, v->stops[2].id_str), "S2");
    assert_int_equal(v->stop_times[v->patterns[0].times_begin + 4 * 3 + 2].departure, HMS(6, 30, 0) + 240);
    uint32_t s;
    assert_int_equal(tc_network_find_stop(net, "S3", &s, &err), TC_OK);
    assert_int_equal(s, 3);
    assert_int_equal(tc_network_find_stop(net, "tiny:S1", &s, &err), TC_OK);
    assert_int_equal(s, 1);
    assert_int_equal(tc_network_find_stop(net, "S9", &s, &err), TC_ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "S9"));

    char *js = NULL;
    assert_int_equal(tc_network_info_json(net, &js, &err), TC_OK);
    cJSON *o = cJSON_Parse(js);
    assert_non_null(o);
    assert_int_equal(cJSON_GetObjectItem(o, "stops")->valueint, 4);
    assert_int_equal(cJSON_GetObjectItem(o, "routes")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(o, "patterns")->valueint, 1);
    assert_int_equal(cJSON_GetObjectItem(o, "trips")->valueint, 10);
    assert_int_equal(cJSON_GetObjectItem(o, "stop_times")->valueint, 40);
    assert_string_equal(cJSON_GetObjectItem(o, "service_start")->valuestring, "2025-06-01");
    assert_string_equal(cJSON_GetObjectItem(o, "service_end")->valuestring, "2025-06-30");
    cJSON *bb = cJSON_GetObjectItem(o, "bbox");
    assert_int_equal(cJSON_GetArraySize(bb), 4);
    assert_true(fabs(cJSON_GetArrayItem(bb, 0)->valuedouble - 13.4) < 1e-6);
    assert_true(fabs(cJSON_GetArrayItem(bb, 3)->valuedouble - 52.506) < 1e-6);
    cJSON *feeds = cJSON_GetObjectItem(o, "feeds");
    assert_int_equal(cJSON_GetArraySize(feeds), 1);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(feeds, 0), "name")->valuestring, "tiny");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "straight_line_walking")));
    cJSON_Delete(o);
    tc_free(js);

    tc_network_info in;
    assert_int_equal(tc_network_get_info(net, &in, &err), TC_OK);
    assert_int_equal(in.file_size, orig_len);
    assert_int_equal(in.format_version, TC_FORMAT_VERSION);
    tc_network_close(net);
}

static void test_flipped_byte_refused(void **state) {
    (void)state;
    uint8_t *buf = malloc(orig_len);
    netfile_header *h = (netfile_header *)orig;
    netfile_section *t = (netfile_section *)(orig + h->table_offset);
    /* one flip in every non-empty section, then one in the section table */
    for (uint32_t i = 0; i <= h->n_sections; i++) {
        memcpy(buf, orig, orig_len);
        size_t at = i < h->n_sections ? t[i].offset + t[i].length / 2 : h->table_offset + 5;
        if (i < h->n_sections && t[i].length == 0) continue;
        buf[at] ^= 0x10;
        write_bad(buf, orig_len);
        tc_error err;
        error_clear(&err);
        assert_int_equal(open_bad(&err), TC_ERR_FORMAT);
        assert_non_null(strstr(err.message, "corrupted"));
    }
    free(buf);
}

static void test_truncated_refused(void **state) {
    (void)state;
    size_t lens[] = {0, 10, sizeof(netfile_header), orig_len / 2, orig_len - 1};
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) {
        write_bad(orig, lens[i]);
        tc_error err;
        error_clear(&err);
        assert_int_equal(open_bad(&err), TC_ERR_FORMAT);
        assert_true(err.message[0] != '\0');
    }
    write_bad(orig, orig_len - 1);
    tc_error err;
    assert_int_equal(open_bad(&err), TC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "truncated"));
    tc_network *net = NULL;
    assert_int_equal(tc_network_open("/nonexistent/x.net", &net, &err), TC_ERR_IO);
    assert_null(net);
}

static void test_wrong_version_and_magic_refused(void **state) {
    (void)state;
    uint8_t *buf = malloc(orig_len);
    memcpy(buf, orig, orig_len);
    ((netfile_header *)buf)->format_version = TC_FORMAT_VERSION + 1;
    write_bad(buf, orig_len);
    tc_error err;
    assert_int_equal(open_bad(&err), TC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "version"));
    memcpy(buf, orig, orig_len);
    buf[0] = 'X';
    write_bad(buf, orig_len);
    assert_int_equal(open_bad(&err), TC_ERR_FORMAT);
    assert_non_null(strstr(err.message, "magic"));
    free(buf);
}

/* Damage that keeps valid checksums must still be caught by the loader's own checks. */
static void test_resealed_damage_refused(void **state) {
    (void)state;
    uint8_t *buf = malloc(orig_len);
    tc_error err;
    for (int kind = 0; kind < 8; kind++) {
        memcpy(buf, orig, orig_len);
        net_meta *m = (net_meta *)(buf + section(buf, TC_SEC_META)->offset);
        switch (kind) {
        case 0: m->n_stops += 1; break;                          /* count vs section size */
        case 1: m->n_stop_times = 1u << 30; break;
        case 2: m->n_days += 64; break;                          /* calendar bigger than its bits */
        case 3: {                                                /* CSR not monotone */
            uint32_t *b = (uint32_t *)(buf + section(buf, TC_SEC_STOP_PATTERN_BEGIN)->offset);
            b[1] = 1000;
            break;
        }
        case 4: {                                                /* a stop index out of range */
            uint32_t *ps = (uint32_t *)(buf + section(buf, TC_SEC_PATTERN_STOPS)->offset);
            ps[2] = m->n_stops;
            break;
        }
        case 5: {                                                /* a pattern reaching past the times */
            net_pattern *p = (net_pattern *)(buf + section(buf, TC_SEC_PATTERNS)->offset);
            p[0].n_trips = 0x7fffffff;
            break;
        }
        case 6: {                                                /* a transfer to a stop that does not exist */
            net_transfer *x = (net_transfer *)(buf + section(buf, TC_SEC_TRANSFERS)->offset);
            x[0].to_stop = 77;
            break;
        }
        case 7: {                                                /* string table not NUL-terminated */
            netfile_section *s = section(buf, TC_SEC_STRINGS);
            buf[s->offset + s->length - 1] = 'x';
            break;
        }
        }
        reseal(buf);
        write_bad(buf, orig_len);
        error_clear(&err);
        assert_int_equal(open_bad(&err), TC_ERR_FORMAT);
        assert_non_null(strstr(err.message, "network file"));
    }
    /* control: resealing an undamaged copy loads */
    memcpy(buf, orig, orig_len);
    reseal(buf);
    write_bad(buf, orig_len);
    assert_int_equal(open_bad(&err), TC_OK);
    free(buf);
}

/* A failed build (here: an output folder that does not exist) leaves no file behind. */
static void test_failed_build_writes_nothing(void **state) {
    (void)state;
    gtfs_feed *f = tf_new("x", "UTC", 0, 1);
    tf_stop(f, "a", 0, 0);
    tc_build_options o;
    tc_build_options_init(&o);
    tc_error err;
    gtfs_feed *feeds[] = {f};
    assert_int_equal(build_from_feeds(feeds, 1, &o, NULL, "/nonexistent-dir/x.net", &err), TC_ERR_IO);
    assert_int_equal(access("/nonexistent-dir/x.net", F_OK), -1);
    tf_free(f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_flipped_byte_refused),
        cmocka_unit_test(test_truncated_refused),
        cmocka_unit_test(test_wrong_version_and_magic_refused),
        cmocka_unit_test(test_resealed_damage_refused),
        cmocka_unit_test(test_failed_build_writes_nothing),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
