/*
 * error.h — filling a tc_error and reporting findings.
 *
 * Every library function takes a `tc_error *err` that may be NULL; error_set() fills it (if given) and returns the
 * status so that a failure reads `return error_set(err, TC_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));`.
 */
#ifndef TC_COMMON_ERROR_H
#define TC_COMMON_ERROR_H

#include "tongcheng.h"
#include <stdarg.h>

#if defined(__GNUC__)
#define TC_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TC_PRINTF(a, b)
#endif

/* Fill err (if non-NULL) and return code. file may be NULL. */
tc_status error_set(tc_error *err, tc_status code, const char *file, long line, long column, const char *fmt, ...)
    TC_PRINTF(6, 7);

/* Clear err to TC_OK. */
void error_clear(tc_error *err);

/* A sink for findings that also counts them. fn may be NULL (findings are then only counted). */
typedef struct diag_log {
    tc_finding_fn fn;
    void *user;
    const char *prefix; /* prepended to file names as "PREFIX:file" when non-NULL (several feeds) */
    size_t errors, warnings;
    size_t max_per_code; /* 0 = unlimited; otherwise further findings of one code are counted but not reported */
    size_t suppressed;   /* findings counted but not reported because of max_per_code */
    struct {
        const char *code;
        size_t n;
    } per_code[64]; /* reported so far per code (codes beyond 64 distinct ones are not capped) */
    size_t n_codes;
} diag_log;

void diag_report(diag_log *d, tc_severity sev, const char *code, const char *file, long line, long column,
                 const char *fmt, ...) TC_PRINTF(7, 8);

#endif
