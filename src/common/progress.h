/*
 * progress.h — "what is happening" on stderr for long work.
 *
 * Shown only when enabled (the CLI enables it when stderr is a terminal and --quiet is not given); redrawn at most
 * 5 times a second with \r so it costs nothing in a hot loop.
 */
#ifndef TC_COMMON_PROGRESS_H
#define TC_COMMON_PROGRESS_H

#include <stdint.h>

typedef struct tc_progress {
    int enabled;
    const char *label;
    uint64_t total; /* 0 = unknown */
    double start, last_draw;
} tc_progress;

void tc_progress_start(tc_progress *p, int enabled, const char *label, uint64_t total);
void tc_progress_update(tc_progress *p, uint64_t done);
void tc_progress_finish(tc_progress *p);
double tc_now_seconds(void); /* monotonic */

#endif
