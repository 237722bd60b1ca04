/*
 * source.c — where a GTFS feed lives: a folder, a zip (libzip), or either with the feed's files in one sub-folder.
 *
 * The feed's folder is the one directory that holds stops.txt: the root when it does, else the single sub-folder
 * (at any depth) that does. Two such folders are refused as ambiguous rather than guessed at, and so is a zip
 * whose only feed-like content is another zip. Member files are opened as streams (zip_fread / fread in pieces),
 * so a 50 MB stop_times.txt is never held in memory.
 */
#include "gtfs/gtfs_internal.h"
#include "common/error.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

struct gtfs_source {
    char *path;
    zip_t *zip;
    char *prefix;   /* folder of the feed inside the zip ("" or "dir/"), or the feed's directory path */
    char **names;   /* member files of the feed's folder, without the prefix */
    zip_int64_t *index; /* zip index of each member (zip only) */
    size_t n_names;
};

struct gtfs_stream {
    zip_file_t *zf;
    FILE *fp;
    const char *name;
};

static const char *base_name(const char *p) {
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static int ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

static int push_name(gtfs_source *s, const char *name, zip_int64_t idx, size_t *cap) {
    if (s->n_names == *cap) {
        size_t ncap = *cap ? *cap * 2 : 32;
        char **n = realloc(s->names, ncap * sizeof *n);
        if (!n) return -1;
        s->names = n;
        zip_int64_t *ix = realloc(s->index, ncap * sizeof *ix);
        if (!ix) return -1;
        s->index = ix;
        *cap = ncap;
    }
    s->names[s->n_names] = strdup(name);
    if (!s->names[s->n_names]) return -1;
    s->index[s->n_names++] = idx;
    return 0;
}

static tc_status open_zip(gtfs_source *s, const char *path, tc_error *err) {
    int zerr = 0;
    s->zip = zip_open(path, ZIP_RDONLY, &zerr);
    if (!s->zip) {
        if (zerr == ZIP_ER_NOZIP || zerr == ZIP_ER_INCONS)
            return error_set(err, TC_ERR_PARSE, path, 0, 0, "not a zip archive (nor a folder): cannot read a GTFS feed");
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        error_set(err, TC_ERR_IO, path, 0, 0, "cannot open zip archive: %s", zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return TC_ERR_IO;
    }
    zip_int64_t n = zip_get_num_entries(s->zip, 0);
    /* find the folders that hold stops.txt: the root wins; otherwise exactly one sub-folder may */
    char *found = NULL;
    int n_found = 0, has_inner_zip = 0, root = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(s->zip, (zip_uint64_t)i, 0);
        if (!name) continue;
        if (ends_with(name, ".zip")) has_inner_zip = 1;
        if (strcmp(base_name(name), "stops.txt")) continue;
        size_t plen = (size_t)(base_name(name) - name);
        if (plen == 0) root = 1;
        if (found && strlen(found) == plen && !strncmp(found, name, plen)) continue;
        n_found++;
        if (!found || plen < strlen(found)) {
            free(found);
            found = strndup(name, plen);
            if (!found) return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
        }
    }
    if (!found) {
        if (has_inner_zip)
            return error_set(err, TC_ERR_PARSE, path, 0, 0,
                           "the archive holds another zip archive instead of GTFS files (unzip the inner one first)");
        return error_set(err, TC_ERR_PARSE, path, 0, 0, "no stops.txt in the archive: not a GTFS feed");
    }
    if (!root && n_found > 1) {
        free(found);
        return error_set(err, TC_ERR_PARSE, path, 0, 0,
                         "the archive holds stops.txt in several folders (two feeds?); give one feed per archive");
    }
    s->prefix = found;
    size_t plen = strlen(found), cap = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *name = zip_get_name(s->zip, (zip_uint64_t)i, 0);
        if (!name || strncmp(name, found, plen)) continue;
        const char *rest = name + plen;
        if (!*rest || strchr(rest, '/')) continue; /* the folder itself, or deeper */
        if (push_name(s, rest, i, &cap)) return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    }
    return TC_OK;
}

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int dir_has_stops(const char *dir) {
    char buf[4200];
    if ((size_t)snprintf(buf, sizeof buf, "%s/stops.txt", dir) >= sizeof buf) return 0;
    struct stat st;
    return stat(buf, &st) == 0 && S_ISREG(st.st_mode);
}

/* Folders under dir (depth ≤ 3) holding stops.txt: count them, remember the first. */
static void find_feed_dirs(const char *dir, int depth, int *count, char **first) {
    if (depth > 3) return;
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char sub[4096];
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= sizeof sub) continue;
        if (!is_dir(sub)) continue;
        if (dir_has_stops(sub)) {
            if (!*first) *first = strdup(sub);
            (*count)++;
        } else {
            find_feed_dirs(sub, depth + 1, count, first);
        }
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static tc_status open_dir(gtfs_source *s, const char *path, tc_error *err) {
    if (dir_has_stops(path)) {
        s->prefix = strdup(path);
    } else {
        int count = 0;
        char *first = NULL;
        find_feed_dirs(path, 1, &count, &first);
        if (count > 1) {
            free(first);
            return error_set(err, TC_ERR_PARSE, path, 0, 0,
                           "stops.txt found in several sub-folders (two feeds?); give one feed folder");
        }
        if (!first) return error_set(err, TC_ERR_PARSE, path, 0, 0, "no stops.txt in the folder: not a GTFS feed");
        s->prefix = first;
    }
    if (!s->prefix) return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    DIR *d = opendir(s->prefix);
    if (!d) return error_set(err, TC_ERR_IO, s->prefix, 0, 0, "cannot read folder: %s", strerror(errno));
    struct dirent *e;
    size_t cap = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char sub[4096];
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", s->prefix, e->d_name) >= sizeof sub) continue;
        if (is_dir(sub)) continue;
        if (push_name(s, e->d_name, -1, &cap)) {
            closedir(d);
            return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
        }
    }
    closedir(d);
    if (s->n_names) qsort(s->names, s->n_names, sizeof *s->names, cmp_str); /* readdir order is arbitrary: report in name order */
    return TC_OK;
}

tc_status gtfs_source_open(const char *path, gtfs_source **out, tc_error *err) {
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0) return error_set(err, TC_ERR_IO, path, 0, 0, "cannot open feed: %s", strerror(errno));
    gtfs_source *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    }
    tc_status rc = S_ISDIR(st.st_mode) ? open_dir(s, path, err) : open_zip(s, path, err);
    if (rc != TC_OK) {
        gtfs_source_close(s);
        return rc;
    }
    *out = s;
    return TC_OK;
}

void gtfs_source_close(gtfs_source *s) {
    if (!s) return;
    if (s->zip) zip_discard(s->zip);
    for (size_t i = 0; i < s->n_names; i++) free(s->names[i]);
    free(s->names);
    free(s->index);
    free(s->prefix);
    free(s->path);
    free(s);
}

size_t gtfs_source_count(const gtfs_source *s) { return s->n_names; }
const char *gtfs_source_name(const gtfs_source *s, size_t i) { return s->names[i]; }

static long find_member(const gtfs_source *s, const char *name) {
    for (size_t i = 0; i < s->n_names; i++)
        if (!strcmp(s->names[i], name)) return (long)i;
    return -1;
}

int gtfs_source_has(const gtfs_source *s, const char *name) { return find_member(s, name) >= 0; }

gtfs_stream *gtfs_stream_open(gtfs_source *s, const char *name, tc_error *err) {
    long i = find_member(s, name);
    if (i < 0) {
        error_set(err, TC_ERR_NOT_FOUND, name, 0, 0, "file not in the feed");
        return NULL;
    }
    gtfs_stream *st = calloc(1, sizeof *st);
    if (!st) {
        error_set(err, TC_ERR_NO_MEMORY, name, 0, 0, "out of memory");
        return NULL;
    }
    st->name = s->names[i];
    if (s->zip) {
        st->zf = zip_fopen_index(s->zip, (zip_uint64_t)s->index[i], 0);
        if (!st->zf) {
            error_set(err, TC_ERR_IO, name, 0, 0, "cannot open member of the zip archive: %s", zip_strerror(s->zip));
            free(st);
            return NULL;
        }
    } else {
        char full[8192];
        if ((size_t)snprintf(full, sizeof full, "%s/%s", s->prefix, name) >= sizeof full) {
            error_set(err, TC_ERR_IO, name, 0, 0, "path too long");
            free(st);
            return NULL;
        }
        st->fp = fopen(full, "rb");
        if (!st->fp) {
            error_set(err, TC_ERR_IO, name, 0, 0, "cannot open: %s", strerror(errno));
            free(st);
            return NULL;
        }
    }
    return st;
}

long gtfs_stream_read(gtfs_stream *st, char *buf, size_t cap, tc_error *err) {
    if (st->zf) {
        zip_int64_t n = zip_fread(st->zf, buf, cap);
        if (n < 0) {
            error_set(err, TC_ERR_IO, st->name, 0, 0, "cannot decompress: %s", zip_file_strerror(st->zf));
            return -1;
        }
        return (long)n;
    }
    size_t n = fread(buf, 1, cap, st->fp);
    if (n == 0 && ferror(st->fp)) {
        error_set(err, TC_ERR_IO, st->name, 0, 0, "read error: %s", strerror(errno));
        return -1;
    }
    return (long)n;
}

void gtfs_stream_close(gtfs_stream *st) {
    if (!st) return;
    if (st->zf) zip_fclose(st->zf);
    if (st->fp) fclose(st->fp);
    free(st);
}
