/*
 * netfile.h — the container format of a compiled network file: a header, 64-byte-aligned sections, a section table.
 *
 *   offset 0   header  { magic "TCNETWK\0", format_version, n_sections, file_size, table_offset, table_xxh3 }
 *   64 …       sections, each aligned to 64 bytes (so typed arrays can be used in place after mmap)
 *   table      n_sections × { id, flags, offset, length, xxh3 }
 *
 * Each section carries an XXH3-64 checksum (libxxhash) verified on open, so a corrupted or truncated file is
 * refused, never half-used. Writing goes through a temporary file renamed on commit (common/atomic_file.h).
 * This is the format stage beneath both the transit network (network/) and the street graph (streets/): what lives in
 * the sections is decided by the stage that owns them, and their ids are listed here (the streets' in
 * street_sections.h) so that no two stages take the same one and neither needs to include the other.
 */
#ifndef TC_NETFILE_NETFILE_H
#define TC_NETFILE_NETFILE_H

#include "tongcheng.h"
#include "common/atomic_file.h"

#include <stdint.h>

#define TC_NETFILE_MAGIC "TCNETWK"
#define TC_FORMAT_VERSION 1u
#define TC_NETFILE_ALIGN 64u
#define TC_NETFILE_MAX_SECTIONS 128u

/* Section ids. 1–63: transit (network/), 64–95: streets (streets/), 96–127: analysis caches. */
enum {
    TC_SEC_META = 1,          /* net_meta */
    TC_SEC_STRINGS = 2,
    TC_SEC_FEEDS = 3,
    TC_SEC_AGENCIES = 4,
    TC_SEC_STOPS = 5,
    TC_SEC_ROUTES = 6,
    TC_SEC_PATTERNS = 7,
    TC_SEC_PATTERN_STOPS = 8,
    TC_SEC_PATTERN_STOP_FLAGS = 9,
    TC_SEC_STOP_TIMES = 10,
    TC_SEC_TRIPS = 11,
    TC_SEC_FREQUENCIES = 12,
    TC_SEC_STOP_PATTERN_BEGIN = 13,
    TC_SEC_STOP_PATTERNS = 14,
    TC_SEC_TRANSFER_BEGIN = 15,
    TC_SEC_TRANSFERS = 16,
    TC_SEC_TRANSFER_RULE_BEGIN = 17,
    TC_SEC_TRANSFER_RULES = 18,
    TC_SEC_SERVICE_BITS = 19,
    TC_SEC_STOP_ID_INDEX = 20,
    TC_SEC_ROUTE_ID_INDEX = 21,
    TC_SEC_TRIP_ID_INDEX = 22,
    TC_SEC_SHAPES = 23,
    TC_SEC_STOP_STREET_LINK = 24,
    TC_SEC_STOP_STREET_LINK_M = 25,
    TC_SEC_PATTERN_SHAPE = 26,      /* optional (pattern_shapes.h): per pattern {first point, count} in TC_SEC_SHAPES */
    TC_SEC_PATTERN_STOP_SHAPE = 27, /* optional: per pattern stop, its point's index within the pattern's shape */
    TC_SEC_STREETS_FIRST = 64,
    TC_SEC_STREETS_LAST = 95,
};

typedef struct netfile_header {
    char magic[8];
    uint32_t format_version;
    uint32_t n_sections;
    uint64_t file_size;
    uint64_t table_offset;
    uint64_t table_xxh3;
    uint8_t pad[24];
} netfile_header;

typedef struct netfile_section {
    uint32_t id;
    uint32_t flags;
    uint64_t offset, length, xxh3;
} netfile_section;

/* ---- writing ---- */
typedef struct netfile_writer {
    atomic_file af;
    uint64_t pos;
    uint32_t n_sections;
    netfile_section table[TC_NETFILE_MAX_SECTIONS];
} netfile_writer;

tc_status netfile_create(netfile_writer *w, const char *path, tc_error *err);
/* Append one section (data may be NULL when len is 0). Each id at most once. */
tc_status netfile_add(netfile_writer *w, uint32_t id, const void *data, uint64_t len, tc_error *err);
/* Write the table and header, fsync, rename into place. */
tc_status netfile_commit(netfile_writer *w, tc_error *err);
void netfile_abort(netfile_writer *w);

/* ---- reading ---- */
typedef struct netfile {
    const uint8_t *base;
    uint64_t size;
    uint32_t format_version;
    uint32_t n_sections;
    const netfile_section *table;
} netfile;

/* mmap the file and check magic, version, sizes, section bounds and alignment, and every checksum. */
tc_status netfile_map(const char *path, netfile *nf, tc_error *err);
void netfile_unmap(netfile *nf);
/* Find a section. Missing: TC_ERR_FORMAT when required, else *data = NULL, *len = 0 and TC_OK. */
tc_status netfile_get(const netfile *nf, uint32_t id, int required, const void **data, uint64_t *len,
                      tc_error *err);
/* Typed helper: section must hold exactly `count` elements of `elem` bytes (count may be checked by caller when
 * unknown: pass count = UINT64_MAX to accept any multiple and receive it in *count_out). */
tc_status netfile_get_array(const netfile *nf, uint32_t id, int required, size_t elem, uint64_t count,
                            const void **data, uint64_t *count_out, tc_error *err);

#endif
