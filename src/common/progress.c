/* progress.c — throttled progress lines on stderr (see progress.h). */
#include "progress.h"

#include <stdio.h>
#include <time.h>

double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_start(progress_bar *p, int enabled, const char *label, uint64_t total) {
    p->enabled = enabled;
    p->label = label;
    p->total = total;
    p->start = p->last_draw = now_seconds();
}

void progress_update(progress_bar *p, uint64_t done) {
    if (!p->enabled) return;
    double now = now_seconds();
    if (now - p->last_draw < 0.2) return;
    p->last_draw = now;
    double el = now - p->start;
    double rate = el > 0 ? (double)done / el : 0;
    if (p->total) {
        double eta = rate > 0 ? (double)(p->total - done) / rate : 0;
        fprintf(stderr, "\r%s: %llu / %llu (%.0f/s, ETA %.0fs)   ", p->label, (unsigned long long)done,
                (unsigned long long)p->total, rate, eta);
    } else {
        fprintf(stderr, "\r%s: %llu (%.0f/s)   ", p->label, (unsigned long long)done, rate);
    }
    fflush(stderr);
}

void progress_finish(progress_bar *p) {
    if (!p->enabled) return;
    fprintf(stderr, "\r%s: done in %.2fs                          \n", p->label, now_seconds() - p->start);
}
