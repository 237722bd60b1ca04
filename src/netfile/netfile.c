/*
 * netfile.c — writing and mapping the network file container (see netfile.h).
 *
 * Checksums: XXH3-64 from Debian's libxxhash; it runs at memory speed, so verifying every section on open costs
 * ~1 ms per 10 MB and buys "a corrupted file is refused" for every reader.
 */
#include "netfile/netfile.h"
#include "common/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static tc_status write_pad(netfile_writer *w, tc_error *err) {
    static const uint8_t zeros[TC_NETFILE_ALIGN];
    uint64_t pad = (TC_NETFILE_ALIGN - (w->pos % TC_NETFILE_ALIGN)) % TC_NETFILE_ALIGN;
    if (pad && fwrite(zeros, 1, pad, w->af.fp) != pad)
        return error_set(err, TC_ERR_IO, w->af.path, 0, 0, "write failed: %s", strerror(errno));
    w->pos += pad;
    return TC_OK;
}

tc_status netfile_create(netfile_writer *w, const char *path, tc_error *err) {
    memset(w, 0, sizeof *w);
    tc_status st = atomic_file_open(&w->af, path, err);
    if (st) return st;
    netfile_header h;
    memset(&h, 0, sizeof h); /* placeholder, rewritten on commit */
    if (fwrite(&h, sizeof h, 1, w->af.fp) != 1) {
        atomic_file_abort(&w->af);
        return error_set(err, TC_ERR_IO, path, 0, 0, "write failed: %s", strerror(errno));
    }
    w->pos = sizeof h;
    return TC_OK;
}

tc_status netfile_add(netfile_writer *w, uint32_t id, const void *data, uint64_t len, tc_error *err) {
    if (w->n_sections >= TC_NETFILE_MAX_SECTIONS)
        return error_set(err, TC_ERR_INTERNAL, w->af.path, 0, 0, "too many sections");
    for (uint32_t i = 0; i < w->n_sections; i++)
        if (w->table[i].id == id) return error_set(err, TC_ERR_INTERNAL, w->af.path, 0, 0, "section %u twice", id);
    tc_status st = write_pad(w, err);
    if (st) return st;
    netfile_section *s = &w->table[w->n_sections++];
    s->id = id;
    s->offset = w->pos;
    s->length = len;
    s->xxh3 = XXH3_64bits(len ? data : "", (size_t)len);
    if (len && fwrite(data, 1, (size_t)len, w->af.fp) != len)
        return error_set(err, TC_ERR_IO, w->af.path, 0, 0, "write failed: %s", strerror(errno));
    w->pos += len;
    return TC_OK;
}

tc_status netfile_commit(netfile_writer *w, tc_error *err) {
    tc_status st = write_pad(w, err);
    if (st) goto fail;
    size_t tbytes = w->n_sections * sizeof(netfile_section);
    netfile_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, TC_NETFILE_MAGIC, 8);
    h.format_version = TC_FORMAT_VERSION;
    h.n_sections = w->n_sections;
    h.table_offset = w->pos;
    h.file_size = w->pos + tbytes;
    h.table_xxh3 = XXH3_64bits(w->table, tbytes);
    if (fwrite(w->table, 1, tbytes, w->af.fp) != tbytes || fseek(w->af.fp, 0, SEEK_SET) != 0 ||
        fwrite(&h, sizeof h, 1, w->af.fp) != 1) {
        st = error_set(err, TC_ERR_IO, w->af.path, 0, 0, "write failed: %s", strerror(errno));
        goto fail;
    }
    return atomic_file_commit(&w->af, err);
fail:
    atomic_file_abort(&w->af);
    return st;
}

void netfile_abort(netfile_writer *w) { atomic_file_abort(&w->af); }

tc_status netfile_map(const char *path, netfile *nf, tc_error *err) {
    memset(nf, 0, sizeof *nf);
    int fd = open(path, O_RDONLY | O_NONBLOCK); /* a FIFO must not block the open: it is refused below */
    if (fd < 0) return error_set(err, TC_ERR_IO, path, 0, 0, "cannot open network file: %s", strerror(errno));
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return error_set(err, TC_ERR_IO, path, 0, 0, "cannot stat: %s", strerror(e));
    }
    const char *kind = special_file_kind(sb.st_mode);
    if (kind) {
        close(fd);
        return error_set(err, TC_ERR_FORMAT, path, 0, 0, "not a network file: %s", kind);
    }
    uint64_t size = (uint64_t)sb.st_size;
    if (size < sizeof(netfile_header)) {
        close(fd);
        return error_set(err, TC_ERR_FORMAT, path, 0, 0, "not a tongcheng network file (%llu bytes, too short)",
                         (unsigned long long)size);
    }
    /* MAP_POPULATE: every page is read for its checksum anyway; mapping them in one call spares ~4,000 page
     * faults on a 7 MB network (measured with perf stat on bench/load_bench) */
    void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED) return error_set(err, TC_ERR_IO, path, 0, 0, "cannot map: %s", strerror(errno));
    const netfile_header *h = m;
    tc_status st = TC_OK;
    if (memcmp(h->magic, TC_NETFILE_MAGIC, 8) != 0) {
        st = error_set(err, TC_ERR_FORMAT, path, 0, 0, "not a tongcheng network file (bad magic)");
    } else if (h->format_version != TC_FORMAT_VERSION) {
        st = error_set(err, TC_ERR_FORMAT, path, 0, 0,
                       "network file format version %u, this program reads version %u: rebuild the network",
                       h->format_version, TC_FORMAT_VERSION);
    } else if (h->file_size != size) {
        st = error_set(err, TC_ERR_FORMAT, path, 0, 0, "network file is %s: %llu bytes, header says %llu",
                       size < h->file_size ? "truncated" : "damaged", (unsigned long long)size,
                       (unsigned long long)h->file_size);
    } else if (h->n_sections > TC_NETFILE_MAX_SECTIONS || h->table_offset % 8 ||
               h->table_offset > size || size - h->table_offset != (uint64_t)h->n_sections * sizeof(netfile_section)) {
        st = error_set(err, TC_ERR_FORMAT, path, 0, 0, "network file is corrupted (section table out of bounds)");
    } else if (XXH3_64bits((const uint8_t *)m + h->table_offset, h->n_sections * sizeof(netfile_section)) !=
               h->table_xxh3) {
        st = error_set(err, TC_ERR_FORMAT, path, 0, 0, "network file is corrupted (section table checksum)");
    }
    if (!st) {
        const netfile_section *t = (const void *)((const uint8_t *)m + h->table_offset);
        for (uint32_t i = 0; i < h->n_sections && !st; i++) {
            if (t[i].offset % TC_NETFILE_ALIGN || t[i].offset > h->table_offset ||
                t[i].length > h->table_offset - t[i].offset) {
                st = error_set(err, TC_ERR_FORMAT, path, 0, 0, "network file is corrupted (section %u out of bounds)",
                               t[i].id);
            } else if (XXH3_64bits((const uint8_t *)m + t[i].offset, (size_t)t[i].length) != t[i].xxh3) {
                st = error_set(err, TC_ERR_FORMAT, path, 0, 0, "network file is corrupted (checksum of section %u)",
                               t[i].id);
            }
        }
        nf->table = t;
    }
    if (st) {
        munmap(m, (size_t)size);
        memset(nf, 0, sizeof *nf);
        return st;
    }
    nf->base = m;
    nf->size = size;
    nf->format_version = h->format_version;
    nf->n_sections = h->n_sections;
    return TC_OK;
}

void netfile_unmap(netfile *nf) {
    if (nf->base) munmap((void *)nf->base, (size_t)nf->size);
    memset(nf, 0, sizeof *nf);
}

tc_status netfile_get(const netfile *nf, uint32_t id, int required, const void **data, uint64_t *len,
                      tc_error *err) {
    for (uint32_t i = 0; i < nf->n_sections; i++) {
        if (nf->table[i].id == id) {
            *data = nf->base + nf->table[i].offset;
            *len = nf->table[i].length;
            return TC_OK;
        }
    }
    *data = NULL;
    *len = 0;
    if (required) return error_set(err, TC_ERR_FORMAT, NULL, 0, 0, "network file lacks section %u", id);
    return TC_OK;
}

tc_status netfile_get_array(const netfile *nf, uint32_t id, int required, size_t elem, uint64_t count,
                            const void **data, uint64_t *count_out, tc_error *err) {
    uint64_t len;
    tc_status st = netfile_get(nf, id, required, data, &len, err);
    if (st) return st;
    if (len % elem) return error_set(err, TC_ERR_FORMAT, NULL, 0, 0, "section %u has a partial element", id);
    if (count != UINT64_MAX && len / elem != count && (*data || required))
        return error_set(err, TC_ERR_FORMAT, NULL, 0, 0, "section %u holds %llu elements, expected %llu", id,
                         (unsigned long long)(len / elem), (unsigned long long)count);
    if (count_out) *count_out = len / elem;
    return TC_OK;
}
