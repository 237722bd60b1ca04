/*
 * progress.h — "what is happening" on stderr for long work.
 *
 * Shown only when enabled (the CLI enables it when stderr is a terminal and --quiet is not given); redrawn at most
 * 5 times a second with \r so it costs nothing in a hot loop.
 */
#ifndef TC_COMMON_PROGRESS_H
#define TC_COMMON_PROGRESS_H

#include <stdint.h>

typedef struct progress_bar {
    int enabled;
    const char *label;
    uint64_t total; /* 0 = unknown */
    double start, last_draw;
} progress_bar;

void progress_start(progress_bar *p, int enabled, const char *label, uint64_t total);
void progress_update(progress_bar *p, uint64_t done);
void progress_finish(progress_bar *p);
double now_seconds(void); /* monotonic */

#endif
