/*
 * pbf_plain_nodes.c — the plain (non-dense) Node messages of an OSM PBF file, which readosm skips.
 *
 * readosm decodes DenseNodes groups only; a few writers emit plain Node messages instead (columbus.osm.pbf in the
 * test data is one), and without their positions every way would be dropped. Rather than replace readosm, this
 * small decoder reads just what is missing — PrimitiveGroup field 1 (Node: id, lat, lon) plus the block's
 * granularity and offsets — following the official fileformat.proto / osmformat.proto; blobs are inflated with
 * zlib. Every length is checked against its buffer, so a corrupted file is an error, never an out-of-bounds read.
 * osm_read() calls it only when ways reference nodes readosm did not deliver.
 */
#include "osm/osm_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define MAX_HEADER (64u * 1024u)
#define MAX_BLOB (32u * 1024u * 1024u)

typedef struct rd {
    const uint8_t *p, *end;
    int bad;
} rd;

static uint64_t varint(rd *r) {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            r->bad = 1;
            return 0;
        }
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    r->bad = 1;
    return 0;
}

static int64_t zigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* Next field: its number, wire type, and for wire type 2 the sub-buffer. Returns 0 at the end or on error. */
static int field(rd *r, uint32_t *num, uint32_t *wt, uint64_t *val, rd *sub) {
    if (r->p >= r->end || r->bad) return 0;
    uint64_t key = varint(r);
    *num = (uint32_t)(key >> 3);
    *wt = (uint32_t)(key & 7);
    switch (*wt) {
    case 0: *val = varint(r); break;
    case 1:
        if (r->end - r->p < 8) r->bad = 1;
        else r->p += 8;
        break;
    case 5:
        if (r->end - r->p < 4) r->bad = 1;
        else r->p += 4;
        break;
    case 2: {
        uint64_t len = varint(r);
        if (r->bad || len > (uint64_t)(r->end - r->p)) {
            r->bad = 1;
            break;
        }
        sub->p = r->p;
        sub->end = r->p + len;
        sub->bad = 0;
        r->p += len;
        break;
    }
    default: r->bad = 1;
    }
    return !r->bad;
}

static int parse_block(const uint8_t *data, size_t n, osm_data *d) {
    rd r = {data, data + n, 0}, sub;
    uint32_t num, wt;
    uint64_t val = 0;
    int64_t gran = 100, lat_off = 0, lon_off = 0;
    while (field(&r, &num, &wt, &val, &sub)) {
        if (wt != 0) continue;
        if (num == 17) gran = (int64_t)val;
        else if (num == 19) lat_off = (int64_t)val;
        else if (num == 20) lon_off = (int64_t)val;
    }
    if (r.bad) return -1;
    r = (rd){data, data + n, 0};
    while (field(&r, &num, &wt, &val, &sub)) {
        if (num != 2 || wt != 2) continue;
        rd g = sub, node;
        while (field(&g, &num, &wt, &val, &node)) {
            if (num != 1 || wt != 2) continue;
            int64_t id = 0, lat = 0, lon = 0;
            rd nr = node, ignore;
            while (field(&nr, &num, &wt, &val, &ignore)) {
                if (wt != 0) continue;
                if (num == 1) id = zigzag(val);
                else if (num == 8) lat = zigzag(val);
                else if (num == 9) lon = zigzag(val);
            }
            if (nr.bad) return -1;
            double la = 1e-9 * (double)(lat_off + gran * lat), lo = 1e-9 * (double)(lon_off + gran * lon);
            if (osm_add_node(d, id, la, lo)) return -2;
        }
        if (g.bad) return -1;
    }
    return r.bad ? -1 : 0;
}

tc_status osm_read_plain_nodes(const char *path, osm_data *d, size_t *n_found, tc_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, TC_ERR_IO, path, 0, 0, "cannot open OSM file");
    uint8_t *hdr = malloc(MAX_HEADER), *blob = NULL, *raw = NULL;
    size_t before = d->n_nodes;
    tc_status st = TC_OK;
    long offset = 0;
    if (!hdr) {
        fclose(f);
        return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    }
    for (;;) {
        uint8_t be[4];
        size_t got = fread(be, 1, 4, f);
        if (got == 0) break;
        uint32_t hlen = (uint32_t)be[0] << 24 | (uint32_t)be[1] << 16 | (uint32_t)be[2] << 8 | be[3];
        if (got != 4 || hlen > MAX_HEADER || fread(hdr, 1, hlen, f) != hlen) goto corrupt;
        rd r = {hdr, hdr + hlen, 0}, sub = {0};
        uint32_t num, wt;
        uint64_t val = 0, datasize = 0;
        int is_data = 0;
        while (field(&r, &num, &wt, &val, &sub)) {
            if (num == 1 && wt == 2) is_data = sub.end - sub.p == 7 && !memcmp(sub.p, "OSMData", 7);
            else if (num == 3 && wt == 0) datasize = val;
        }
        if (r.bad || datasize > MAX_BLOB) goto corrupt;
        free(blob);
        blob = malloc(datasize ? datasize : 1);
        if (!blob) goto oom;
        if (fread(blob, 1, datasize, f) != datasize) goto corrupt;
        offset += 4 + (long)hlen + (long)datasize;
        if (!is_data) continue;
        rd b = {blob, blob + datasize, 0};
        uint64_t raw_size = 0;
        const uint8_t *zdata = NULL, *rawdata = NULL;
        size_t zlen = 0, rawlen = 0;
        while (field(&b, &num, &wt, &val, &sub)) {
            if (num == 1 && wt == 2) rawdata = sub.p, rawlen = (size_t)(sub.end - sub.p);
            else if (num == 2 && wt == 0) raw_size = val;
            else if (num == 3 && wt == 2) zdata = sub.p, zlen = (size_t)(sub.end - sub.p);
        }
        if (b.bad) goto corrupt;
        int rc;
        if (rawdata) {
            rc = parse_block(rawdata, rawlen, d);
        } else if (zdata) {
            if (raw_size > MAX_BLOB) goto corrupt;
            free(raw);
            raw = malloc(raw_size ? raw_size : 1);
            if (!raw) goto oom;
            uLongf out_len = (uLongf)raw_size;
            if (uncompress(raw, &out_len, zdata, (uLong)zlen) != Z_OK || out_len != raw_size) goto corrupt;
            rc = parse_block(raw, out_len, d);
        } else {
            continue; /* lzma / zstd blobs: readosm cannot read them either */
        }
        if (rc == -2) goto oom;
        if (rc) goto corrupt;
    }
    goto done;
corrupt:
    st = error_set(err, TC_ERR_PARSE, path, 0, 0, "corrupted PBF block near byte %ld", offset);
    goto done;
oom:
    st = error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory reading nodes");
done:
    fclose(f);
    free(hdr);
    free(blob);
    free(raw);
    *n_found = d->n_nodes - before;
    return st;
}
