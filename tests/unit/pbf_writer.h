/*
 * pbf_writer.h — a tiny OSM PBF writer for tests: lets a test describe a street network (nodes, ways with tags,
 * restriction relations) and get a real .osm.pbf file, so the whole reader → graph path runs on data whose right
 * answers are known by construction. Protobuf encoded by hand (varints, zigzag, length-delimited fields) after the
 * official fileformat.proto / osmformat.proto; blobs zlib-compressed. Nodes go in one DenseNodes group (ids,
 * lat, lon delta-coded) or as plain Node messages. Not part of the library.
 */
#ifndef TC_TEST_PBF_WRITER_H
#define TC_TEST_PBF_WRITER_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct pbuf {
    uint8_t *p;
    size_t n, cap;
} pbuf;

static void pb_put(pbuf *b, const void *d, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
}
static void pb_varint(pbuf *b, uint64_t v) {
    uint8_t t[10];
    int n = 0;
    do {
        t[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    pb_put(b, t, (size_t)n);
}
static uint64_t pb_zz(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static void pb_key(pbuf *b, int field, int wt) { pb_varint(b, (uint64_t)field << 3 | (uint64_t)wt); }
static void pb_bytes(pbuf *b, int field, const void *d, size_t n) {
    pb_key(b, field, 2);
    pb_varint(b, n);
    pb_put(b, d, n);
}
static void pb_msg(pbuf *b, int field, pbuf *m) {
    pb_bytes(b, field, m->p, m->n);
    free(m->p);
    memset(m, 0, sizeof *m);
}
static void pb_uint(pbuf *b, int field, uint64_t v) {
    pb_key(b, field, 0);
    pb_varint(b, v);
}

/* ---- the model a test fills ---- */
typedef struct pw_node {
    int64_t id;
    double lat, lon;
} pw_node;
typedef struct pw_way {
    int64_t id;
    const int64_t *refs;
    int n_refs;
    const char *tags; /* "k=v;k=v" */
} pw_way;
typedef struct pw_member {
    int type; /* 0 node, 1 way, 2 relation */
    int64_t id;
    const char *role;
} pw_member;
typedef struct pw_relation {
    int64_t id;
    const pw_member *members;
    int n_members;
    const char *tags;
} pw_relation;

typedef struct pw_strings {
    char *s[512];
    int n;
} pw_strings;
static uint32_t pw_str(pw_strings *t, const char *s, size_t len) {
    for (int i = 0; i < t->n; i++)
        if (strlen(t->s[i]) == len && !memcmp(t->s[i], s, len)) return (uint32_t)i;
    t->s[t->n] = strndup(s, len);
    return (uint32_t)t->n++;
}

/* keys and values of "k=v;k=v" as string-table indices */
static void pw_tags(pw_strings *t, const char *tags, pbuf *keys, pbuf *vals) {
    const char *p = tags;
    while (p && *p) {
        const char *eq = strchr(p, '='), *end = strchr(p, ';');
        if (!end) end = p + strlen(p);
        if (!eq || eq > end) break;
        pb_varint(keys, pw_str(t, p, (size_t)(eq - p)));
        pb_varint(vals, pw_str(t, eq + 1, (size_t)(end - eq - 1)));
        p = *end ? end + 1 : end;
    }
}

static void pw_blob(FILE *f, const char *type, pbuf *raw) {
    uLongf zn = compressBound(raw->n);
    uint8_t *z = malloc(zn);
    compress(z, &zn, raw->p, raw->n);
    pbuf blob = {0}, hdr = {0};
    pb_uint(&blob, 2, raw->n);
    pb_bytes(&blob, 3, z, zn);
    free(z);
    pb_bytes(&hdr, 1, type, strlen(type));
    pb_uint(&hdr, 3, blob.n);
    uint8_t be[4] = {(uint8_t)(hdr.n >> 24), (uint8_t)(hdr.n >> 16), (uint8_t)(hdr.n >> 8), (uint8_t)hdr.n};
    fwrite(be, 1, 4, f);
    fwrite(hdr.p, 1, hdr.n, f);
    fwrite(blob.p, 1, blob.n, f);
    free(blob.p);
    free(hdr.p);
    free(raw->p);
    memset(raw, 0, sizeof *raw);
}

/* Write a PBF file; dense = 1 puts the nodes in a DenseNodes group, 0 as plain Node messages. Returns 0 on success. */
static int pw_write(const char *path, const pw_node *nodes, int n_nodes, const pw_way *ways, int n_ways,
                    const pw_relation *rels, int n_rels, int dense) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    pbuf hb = {0};
    pb_bytes(&hb, 4, "OsmSchema-V0.6", 14);
    pb_bytes(&hb, 4, "DenseNodes", 10);
    pw_blob(f, "OSMHeader", &hb);

    pw_strings st = {{0}, 0};
    pw_str(&st, "", 0);
    pbuf group = {0};
    if (dense) {
        pbuf dn = {0}, ids = {0}, lats = {0}, lons = {0}, kv = {0};
        int64_t pid = 0, plat = 0, plon = 0;
        for (int i = 0; i < n_nodes; i++) {
            int64_t la = (int64_t)llround(nodes[i].lat * 1e7), lo = (int64_t)llround(nodes[i].lon * 1e7);
            pb_varint(&ids, pb_zz((int64_t)((uint64_t)nodes[i].id - (uint64_t)pid)));
            pb_varint(&lats, pb_zz(la - plat));
            pb_varint(&lons, pb_zz(lo - plon));
            pb_varint(&kv, 0);
            pid = nodes[i].id, plat = la, plon = lo;
        }
        pb_bytes(&dn, 1, ids.p, ids.n);
        pb_bytes(&dn, 8, lats.p, lats.n);
        pb_bytes(&dn, 9, lons.p, lons.n);
        pb_bytes(&dn, 10, kv.p, kv.n);
        free(ids.p), free(lats.p), free(lons.p), free(kv.p);
        pb_msg(&group, 2, &dn);
    } else {
        for (int i = 0; i < n_nodes; i++) {
            pbuf nd = {0};
            pb_key(&nd, 1, 0);
            pb_varint(&nd, pb_zz(nodes[i].id));
            pb_bytes(&nd, 2, "", 0);
            pb_bytes(&nd, 3, "", 0);
            pb_key(&nd, 8, 0);
            pb_varint(&nd, pb_zz((int64_t)llround(nodes[i].lat * 1e7)));
            pb_key(&nd, 9, 0);
            pb_varint(&nd, pb_zz((int64_t)llround(nodes[i].lon * 1e7)));
            pb_msg(&group, 1, &nd);
        }
    }
    pbuf group2 = {0};
    for (int i = 0; i < n_ways; i++) {
        pbuf w = {0}, keys = {0}, vals = {0}, refs = {0};
        pb_uint(&w, 1, (uint64_t)ways[i].id);
        pw_tags(&st, ways[i].tags, &keys, &vals);
        pb_bytes(&w, 2, keys.p, keys.n);
        pb_bytes(&w, 3, vals.p, vals.n);
        int64_t prev = 0;
        for (int k = 0; k < ways[i].n_refs; k++) {
            pb_varint(&refs, pb_zz((int64_t)((uint64_t)ways[i].refs[k] - (uint64_t)prev)));
            prev = ways[i].refs[k];
        }
        pb_bytes(&w, 8, refs.p, refs.n);
        free(keys.p), free(vals.p), free(refs.p);
        pb_msg(&group2, 3, &w);
    }
    pbuf group3 = {0};
    for (int i = 0; i < n_rels; i++) {
        pbuf r = {0}, keys = {0}, vals = {0}, roles = {0}, ids = {0}, types = {0};
        pb_uint(&r, 1, (uint64_t)rels[i].id);
        pw_tags(&st, rels[i].tags, &keys, &vals);
        pb_bytes(&r, 2, keys.p, keys.n);
        pb_bytes(&r, 3, vals.p, vals.n);
        int64_t prev = 0;
        for (int k = 0; k < rels[i].n_members; k++) {
            const pw_member *m = &rels[i].members[k];
            pb_varint(&roles, pw_str(&st, m->role, strlen(m->role)));
            pb_varint(&ids, pb_zz((int64_t)((uint64_t)m->id - (uint64_t)prev)));
            prev = m->id;
            pb_varint(&types, (uint64_t)m->type);
        }
        pb_bytes(&r, 8, roles.p, roles.n);
        pb_bytes(&r, 9, ids.p, ids.n);
        pb_bytes(&r, 10, types.p, types.n);
        free(keys.p), free(vals.p), free(roles.p), free(ids.p), free(types.p);
        pb_msg(&group3, 4, &r);
    }
    pbuf block = {0}, stab = {0};
    for (int i = 0; i < st.n; i++) {
        pb_bytes(&stab, 1, st.s[i], strlen(st.s[i]));
        free(st.s[i]);
    }
    pb_msg(&block, 1, &stab);
    if (n_nodes) pb_msg(&block, 2, &group);
    else free(group.p);
    if (n_ways) pb_msg(&block, 2, &group2);
    else free(group2.p);
    if (n_rels) pb_msg(&block, 2, &group3);
    else free(group3.p);
    pb_uint(&block, 17, 100);
    pw_blob(f, "OSMData", &block);
    return fclose(f);
}

#endif
