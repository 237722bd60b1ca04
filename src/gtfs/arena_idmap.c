/*
 * arena_idmap.c — the string arena and the id → index map of the GTFS reader (see gtfs_internal.h).
 *
 * A feed has hundreds of thousands of short strings (ids, names) that all live exactly as long as the feed: a bump
 * allocator in 1 MiB chunks makes each one cost a pointer increment, and freeing the feed a few free() calls.
 * The id map is open addressing with linear probing over (key, 32-bit hash, value) slots, at most half full, hashed
 * with xxHash (XXH3, already a dependency for the network file's checksums).
 */
#include "gtfs/gtfs_internal.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

struct gtfs_arena_chunk {
    gtfs_arena_chunk *next;
    size_t size;
    char data[];
};

#define ARENA_CHUNK (1u << 20)

static char empty_string[1] = "";

char *gtfs_arena_strndup(gtfs_arena *a, const char *s, size_t len) {
    if (len == 0) return empty_string;
    if (len + 1 > a->left) {
        /* chunks grow from 16 KiB to 1 MiB, so a tiny feed costs little and a big one few mallocs */
        size_t chunk = a->head ? (a->head->size < ARENA_CHUNK ? a->head->size * 2 : ARENA_CHUNK) : 16384;
        size_t size = len + 1 > chunk / 4 ? len + 1 : chunk;
        gtfs_arena_chunk *c = malloc(sizeof *c + size);
        if (!c) return NULL;
        c->size = size;
        if (size == chunk || !a->head) {
            c->next = a->head;
            a->head = c;
            a->cur = c->data;
            a->left = size;
        } else {
            /* an oversized string gets a chunk of its own behind the current one, which stays in use */
            c->next = a->head->next;
            a->head->next = c;
            memcpy(c->data, s, len);
            c->data[len] = 0;
            a->total += len + 1;
            return c->data;
        }
    }
    char *p = a->cur;
    memcpy(p, s, len);
    p[len] = 0;
    a->cur += len + 1;
    a->left -= len + 1;
    a->total += len + 1;
    return p;
}

void gtfs_arena_free(gtfs_arena *a) {
    gtfs_arena_chunk *c = a->head;
    while (c) {
        gtfs_arena_chunk *n = c->next;
        free(c);
        c = n;
    }
    memset(a, 0, sizeof *a);
}

static uint32_t hash_key(const char *key, size_t len) {
    uint64_t h = XXH3_64bits(key, len);
    return (uint32_t)(h ^ (h >> 32));
}

int32_t gtfs_idmap_get(const gtfs_idmap *m, const char *key, size_t len) {
    if (!m->cap) return GTFS_NONE;
    uint32_t h = hash_key(key, len);
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const gtfs_idmap_slot *s = &m->slots[i];
        if (!s->key) return GTFS_NONE;
        if (s->hash == h && strncmp(s->key, key, len) == 0 && s->key[len] == 0) return s->value;
    }
}

static int grow(gtfs_idmap *m) {
    size_t ncap = m->cap ? m->cap * 2 : 64;
    gtfs_idmap_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns) return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key) continue;
        size_t j = m->slots[i].hash & (ncap - 1);
        while (ns[j].key) j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return 0;
}

int32_t gtfs_idmap_put(gtfs_idmap *m, const char *key, size_t len, int32_t value) {
    if ((m->count + 1) * 2 > m->cap && grow(m)) return -2;
    uint32_t h = hash_key(key, len);
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        gtfs_idmap_slot *s = &m->slots[i];
        if (!s->key) {
            s->key = key;
            s->hash = h;
            s->value = value;
            m->count++;
            return GTFS_NONE;
        }
        if (s->hash == h && strncmp(s->key, key, len) == 0 && s->key[len] == 0) return s->value;
    }
}

void gtfs_idmap_free(gtfs_idmap *m) {
    free(m->slots);
    memset(m, 0, sizeof *m);
}
