/*
 * fuzz_netfile.c — libFuzzer target for the network-file loader: any byte string, opened as a network file, must
 * be refused with TC_ERR_FORMAT or loaded such that every index a search follows is in range (we walk them all
 * here, so ASan catches any out-of-bounds read the loader's checks let through).
 *
 * Checksums would stop nearly every mutation at the door, so when the first input byte is odd the harness
 * recomputes the section and table checksums before opening: the mutated counts, offsets and indices then reach
 * the loader's own validation, which is what this target is for. Seeds: tests/fuzz/seeds/netfile/ (small real
 * networks, each prefixed with one 0x01 byte).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include "netfile/netfile.h"
#include "network/network.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

static void reseal(uint8_t *buf, size_t len) {
    if (len < sizeof(netfile_header)) return;
    netfile_header *h = (netfile_header *)buf;
    if (h->n_sections > TC_NETFILE_MAX_SECTIONS || h->table_offset > len ||
        len - h->table_offset < (uint64_t)h->n_sections * sizeof(netfile_section) || h->table_offset % 8)
        return;
    netfile_section *t = (netfile_section *)(buf + h->table_offset);
    for (uint32_t i = 0; i < h->n_sections; i++)
        if (t[i].offset <= len && t[i].length <= len - t[i].offset)
            t[i].xxh3 = XXH3_64bits(buf + t[i].offset, (size_t)t[i].length);
    h->table_xxh3 = XXH3_64bits(t, h->n_sections * sizeof *t);
}

static volatile uint64_t sink;

/* Follow every index the searches follow. */
static void walk(const tc_network *net) {
    const network_view *v = &net->v;
    uint64_t acc = 0;
    for (uint32_t p = 0; p < v->n_patterns; p++) {
        const net_pattern *pt = &v->patterns[p];
        for (uint32_t j = 0; j < pt->n_stops; j++) {
            uint32_t s = v->pattern_stops[pt->stops_begin + j];
            acc += v->stops[s].lat_e7 + v->pattern_stop_flags[pt->stops_begin + j];
            for (uint32_t e = v->stop_pattern_begin[s]; e < v->stop_pattern_begin[s + 1]; e++)
                acc += v->patterns[v->stop_patterns[e].pattern].n_stops;
            for (uint32_t e = v->transfer_begin[s]; e < v->transfer_begin[s + 1]; e++)
                acc += v->stops[v->transfers[e].to_stop].lon_e7;
            for (uint32_t e = v->transfer_rule_begin[s]; e < v->transfer_rule_begin[s + 1]; e++)
                acc += v->transfer_rules[e].type;
        }
        for (uint32_t k = 0; k < pt->n_trips; k++) {
            const net_trip *tr = &v->trips[pt->trips_begin + k];
            acc += (uint64_t)service_active(v, tr->service, v->service_start + (int32_t)(k % 7));
            acc += v->routes[tr->route].type + v->feeds[tr->feed].tz_shift_s;
            for (uint32_t q = 0; q < tr->freq_count; q++) acc += (uint64_t)v->frequencies[tr->freq_begin + q].headway_s;
            const net_stop_time *st = &v->stop_times[pt->times_begin + (uint64_t)k * pt->n_stops];
            acc += (uint64_t)st[0].departure + (uint64_t)st[pt->n_stops - 1].arrival;
        }
    }
    for (uint32_t i = 0; i < v->n_stops; i++) {
        acc += strlen(net_str(v, v->stops[i].id_str)) + v->stop_id_index[i];
        if (v->stops[i].parent != TC_NONE) acc += v->stops[v->stops[i].parent].feed;
    }
    for (uint32_t i = 0; i < v->n_transfer_rules; i++) {
        const net_transfer_rule *r = &v->transfer_rules[i];
        if (r->from_trip != TC_NONE) acc += v->trips[r->from_trip].route;
        if (r->to_stop != TC_NONE) acc += v->stops[r->to_stop].feed;
    }
    sink = acc;
    tc_network_info in;
    tc_network_get_info(net, &in, NULL);
    char *js = NULL;
    if (tc_network_info_json(net, &js, NULL) == TC_OK) tc_free(js);
    uint32_t s;
    tc_network_find_stop(net, "S1", &s, NULL);
    tc_network_find_stop(net, "feed:S1", &s, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    int do_reseal = data[0] & 1;
    data++, size--;
    uint8_t *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    if (do_reseal) reseal(buf, size);
    int fd = memfd_create("netfile", 0);
    if (fd < 0) {
        free(buf);
        return 0;
    }
    if (write(fd, buf, size) == (ssize_t)size) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        tc_network *net = NULL;
        tc_error err;
        if (tc_network_open(path, &net, &err) == TC_OK) {
            walk(net);
            tc_network_close(net);
        } else if (err.code != TC_ERR_FORMAT && err.code != TC_ERR_IO) {
            abort(); /* a damaged file must be a format error */
        }
    }
    close(fd);
    free(buf);
    return 0;
}
