/* error.c — tc_error filling and the findings sink (see error.h). */
#include "error.h"

#include <stdio.h>
#include <string.h>

const char *tc_status_name(tc_status status) {
    switch (status) {
    case TC_OK: return "ok";
    case TC_ERR_INVALID_ARGUMENT: return "invalid_argument";
    case TC_ERR_IO: return "io";
    case TC_ERR_PARSE: return "parse";
    case TC_ERR_FORMAT: return "format";
    case TC_ERR_NO_MEMORY: return "no_memory";
    case TC_ERR_NOT_FOUND: return "not_found";
    case TC_ERR_NO_SERVICE: return "no_service";
    case TC_ERR_UNREACHABLE: return "unreachable";
    case TC_ERR_INTERNAL: return "internal";
    case TC_ERR_CANCELLED: return "cancelled";
    }
    return "unknown";
}

tc_status error_set(tc_error *err, tc_status code, const char *file, long line, long column, const char *fmt, ...) {
    if (!err) return code;
    err->code = code;
    err->line = line;
    err->column = column;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}

void error_clear(tc_error *err) {
    if (!err) return;
    memset(err, 0, sizeof *err);
}

void diag_report(diag_log *d, tc_severity sev, const char *code, const char *file, long line, long column,
                 const char *fmt, ...) {
    if (!d) return;
    if (sev == TC_SEV_ERROR) d->errors++;
    else d->warnings++;
    if (!d->fn) return;
    if (d->max_per_code && code) {
        size_t i = 0;
        while (i < d->n_codes && strcmp(d->per_code[i].code, code) != 0) i++;
        if (i == d->n_codes && i < sizeof d->per_code / sizeof *d->per_code) {
            d->per_code[i].code = code; /* codes are string literals: kept by pointer */
            d->per_code[i].n = 0;
            d->n_codes++;
        }
        if (i < d->n_codes && d->per_code[i].n++ >= d->max_per_code) {
            d->suppressed++;
            return;
        }
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char fname[512];
    if (d->prefix && file) snprintf(fname, sizeof fname, "%s:%s", d->prefix, file);
    else snprintf(fname, sizeof fname, "%s", file ? file : "");
    tc_finding f = {sev, code, fname, line, column, msg};
    d->fn(d->user, &f);
}
