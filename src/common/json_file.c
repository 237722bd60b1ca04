/* json_file.c — typed access to hand-written JSON with errors naming the entry (see json_file.h). */
#include "common/json_file.h"
#include "common/timeutil.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

tc_status skj_read_file(const char *path, char **text, size_t *len, tc_error *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, TC_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    }
    for (;;) {
        if (n + 1 >= cap) {
            if (cap > ((size_t)1 << 30)) {
                free(buf);
                fclose(f);
                return error_set(err, TC_ERR_PARSE, path, 0, 0, "file larger than 1 GiB: not a sketch");
            }
            char *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                fclose(f);
                return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
            }
            buf = b;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return error_set(err, TC_ERR_IO, path, 0, 0, "read error");
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return TC_OK;
}

tc_status skj_parse(skj *j, const char *text, size_t len, cJSON **out) {
    /* A UTF-8 byte-order mark is legal in files saved by some editors; cJSON does not skip it. */
    size_t skip = (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB &&
                   (unsigned char)text[2] == 0xBF) ? 3 : 0;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text + skip, len - skip, &end, 0);
    if (!root) {
        long line = 1, col = 1;
        const char *stop = end ? end : text + len;
        if (stop < text + skip || stop > text + len) stop = text + len;
        for (const char *p = text + skip; p < stop; p++) {
            if (*p == '\n') {
                line++;
                col = 1;
            } else if (((unsigned char)*p & 0xC0) != 0x80) { /* count characters, not UTF-8 continuation bytes */
                col++;
            }
        }
        /* cJSON stops at the last token of a truncated file; say what happened: brackets left open at the end. */
        long depth = 0;
        int in_str = 0;
        for (const char *p = text + skip; p < text + len; p++) {
            if (in_str) {
                if (*p == '\\' && p + 1 < text + len) p++;
                else if (*p == '"') in_str = 0;
            } else if (*p == '"') {
                in_str = 1;
            } else if (*p == '{' || *p == '[') {
                depth++;
            } else if (*p == '}' || *p == ']') {
                depth--;
            }
        }
        if (stop >= text + len || in_str || depth > 0)
            return error_set(j->err, TC_ERR_PARSE, j->file, line, col, "JSON ends too early (unclosed { [ or \")");
        return error_set(j->err, TC_ERR_PARSE, j->file, line, col, "JSON syntax error near '%.20s'", stop);
    }
    /* Anything but blanks after the value is a mistake too (two objects pasted together, a stray brace). */
    if (end) {
        const char *p = end;
        while (p < text + len && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
        if (p < text + len) {
            long line = 1, col = 1;
            for (const char *q = text + skip; q < p; q++) {
                if (*q == '\n') {
                    line++;
                    col = 1;
                } else if (((unsigned char)*q & 0xC0) != 0x80) {
                    col++;
                }
            }
            cJSON_Delete(root);
            return error_set(j->err, TC_ERR_PARSE, j->file, line, col, "unexpected text after the JSON value");
        }
    }
    *out = root;
    return TC_OK;
}

static tc_status vfail(skj *j, tc_status code, const char *path, const char *fmt, va_list ap) {
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return error_set(j->err, code, j->file, 0, 0, "%s: %s", path && *path ? path : "(top level)", msg);
}

tc_status skj_fail(skj *j, const char *path, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    tc_status st = vfail(j, TC_ERR_PARSE, path, fmt, ap);
    va_end(ap);
    return st;
}

tc_status skj_fail_code(skj *j, tc_status code, const char *path, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    tc_status st = vfail(j, code, path, fmt, ap);
    va_end(ap);
    return st;
}

const char *skj_key(char *buf, size_t cap, const char *path, const char *key) {
    if (path && *path) snprintf(buf, cap, "%s.%s", path, key);
    else snprintf(buf, cap, "%s", key);
    return buf;
}

const char *skj_idx(char *buf, size_t cap, const char *path, size_t i) {
    snprintf(buf, cap, "%s[%zu]", path ? path : "", i);
    return buf;
}

void skj_check_keys(skj *j, const cJSON *obj, const char *path, const char *const *allowed) {
    static const char *const always[] = {"note", "source", "assumed", "comment", "name_en", NULL};
    if (!cJSON_IsObject(obj)) return;
    for (const cJSON *c = obj->child; c; c = c->next) {
        const char *k = c->string ? c->string : "";
        int ok = k[0] == '_';
        for (size_t i = 0; !ok && always[i]; i++) ok = !strcmp(k, always[i]);
        for (size_t i = 0; !ok && allowed && allowed[i]; i++) ok = !strcmp(k, allowed[i]);
        if (!ok) {
            char p[300];
            diag_report(j->diag, TC_SEV_WARNING, "unknown_key", j->file, 0, 0, "%s: unknown member \"%s\" ignored",
                        skj_key(p, sizeof p, path, k), k);
        }
    }
}

tc_status skj_object(skj *j, const cJSON *v, const char *path) {
    if (!cJSON_IsObject(v)) return skj_fail(j, path, "expected an object { ... }");
    return TC_OK;
}

static const cJSON *member(const cJSON *obj, const char *key) {
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static tc_status absent(skj *j, const char *path, const char *key, int required, const char *what) {
    if (!required) return TC_OK;
    char p[300];
    return skj_fail(j, skj_key(p, sizeof p, path, key), "missing: expected %s", what);
}

tc_status skj_string(skj *j, const cJSON *obj, const char *path, const char *key, int required, const char **out) {
    const cJSON *v = member(obj, key);
    if (!v || cJSON_IsNull(v)) return absent(j, path, key, required, "a string");
    char p[300];
    if (!cJSON_IsString(v) || !v->valuestring)
        return skj_fail(j, skj_key(p, sizeof p, path, key), "expected a string");
    if (required && !v->valuestring[0])
        return skj_fail(j, skj_key(p, sizeof p, path, key), "expected a non-empty string");
    *out = v->valuestring;
    return TC_OK;
}

tc_status skj_number(skj *j, const cJSON *obj, const char *path, const char *key, int required, double lo, double hi,
                     double *out) {
    const cJSON *v = member(obj, key);
    char what[96];
    snprintf(what, sizeof what, "a number between %g and %g", lo, hi);
    if (!v || cJSON_IsNull(v)) return absent(j, path, key, required, what);
    char p[300];
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < lo || v->valuedouble > hi)
        return skj_fail(j, skj_key(p, sizeof p, path, key), "expected %s", what);
    *out = v->valuedouble;
    return TC_OK;
}

tc_status skj_int(skj *j, const cJSON *obj, const char *path, const char *key, int required, long lo, long hi,
                  long *out) {
    const cJSON *v = member(obj, key);
    char what[96];
    snprintf(what, sizeof what, "a whole number between %ld and %ld", lo, hi);
    if (!v || cJSON_IsNull(v)) return absent(j, path, key, required, what);
    char p[300];
    if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < (double)lo || v->valuedouble > (double)hi)
        return skj_fail(j, skj_key(p, sizeof p, path, key), "expected %s", what);
    *out = (long)v->valuedouble;
    return TC_OK;
}

tc_status skj_bool(skj *j, const cJSON *obj, const char *path, const char *key, int required, int *out) {
    const cJSON *v = member(obj, key);
    if (!v || cJSON_IsNull(v)) return absent(j, path, key, required, "true or false");
    char p[300];
    if (!cJSON_IsBool(v)) return skj_fail(j, skj_key(p, sizeof p, path, key), "expected true or false");
    *out = cJSON_IsTrue(v) ? 1 : 0;
    return TC_OK;
}

tc_status skj_array(skj *j, const cJSON *obj, const char *path, const char *key, int required, size_t min_items,
                    const cJSON **out) {
    const cJSON *v = member(obj, key);
    if (!v || cJSON_IsNull(v)) return absent(j, path, key, required, "an array [ ... ]");
    char p[300];
    if (!cJSON_IsArray(v)) return skj_fail(j, skj_key(p, sizeof p, path, key), "expected an array [ ... ]");
    if ((size_t)cJSON_GetArraySize(v) < min_items)
        return skj_fail(j, skj_key(p, sizeof p, path, key), "expected at least %zu entries", min_items);
    *out = v;
    return TC_OK;
}

tc_status skj_time_value(skj *j, const cJSON *v, const char *path, int32_t *out) {
    if (!cJSON_IsString(v) || !v->valuestring)
        return skj_fail(j, path, "expected a time \"HH:MM\" or \"HH:MM:SS\" (a string)");
    int32_t t;
    if (time_parse(v->valuestring, strlen(v->valuestring), 1, &t) || t < 0 || t > 48 * 3600)
        return skj_fail(j, path, "expected a time \"HH:MM\" or \"HH:MM:SS\" up to 48:00, got \"%.40s\"",
                        v->valuestring);
    *out = t;
    return TC_OK;
}

tc_status skj_date_value(skj *j, const cJSON *v, const char *path, int32_t *out) {
    if (!cJSON_IsString(v) || !v->valuestring) return skj_fail(j, path, "expected a date \"YYYY-MM-DD\" (a string)");
    int32_t d;
    if (date_parse(v->valuestring, strlen(v->valuestring), &d))
        return skj_fail(j, path, "expected a date \"YYYY-MM-DD\", got \"%.40s\"", v->valuestring);
    *out = d;
    return TC_OK;
}
