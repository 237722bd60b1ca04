/*
 * calendar.c — calendar.txt + calendar_dates.txt → one bitset of active days per service_id.
 *
 * The feed's date range is the union of every calendar row's [start_date, end_date] and every calendar_dates date,
 * so either file may be absent (many feeds list every date in calendar_dates.txt alone). Weekly patterns are laid
 * down first, then exceptions: type 1 sets a day, type 2 clears it, whatever calendar.txt said — the GTFS rule.
 * All bitsets share one allocation (kept in the feed's storage by the caller through services[0].bits).
 */
#include "gtfs/gtfs_internal.h"
#include "common/error.h"
#include "common/timeutil.h"

#include <stdlib.h>

tc_status gtfs_services_build(gtfs_feed *feed, const gtfs_calendar_row *rows, size_t n_rows,
                              const gtfs_calendar_date *dates, size_t n_dates, tc_error *err) {
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < n_rows; i++) {
        if (rows[i].start_day < lo) lo = rows[i].start_day;
        if (rows[i].end_day > hi) hi = rows[i].end_day;
    }
    for (size_t i = 0; i < n_dates; i++) {
        if (dates[i].day < lo) lo = dates[i].day;
        if (dates[i].day > hi) hi = dates[i].day;
    }
    if (lo > hi) { /* no dates at all */
        lo = 0;
        hi = -1;
    }
    feed->first_day = lo > hi ? 0 : lo;
    feed->n_days = (uint32_t)(hi - lo + 1);
    size_t words = (feed->n_days + 63) / 64;
    if (words == 0) words = 1; /* every service keeps a valid (empty) bitset */
    uint64_t *block = calloc(feed->n_services ? feed->n_services * words : 1, sizeof *block);
    if (!block) return error_set(err, TC_ERR_NO_MEMORY, "calendar.txt", 0, 0, "out of memory");
    for (size_t s = 0; s < feed->n_services; s++) feed->services[s].bits = block + s * words;
    if (!feed->n_services) free(block);
    for (size_t i = 0; i < n_rows; i++) {
        const gtfs_calendar_row *r = &rows[i];
        if (r->service < 0 || (size_t)r->service >= feed->n_services || !r->weekdays) continue;
        uint64_t *bits = feed->services[r->service].bits;
        int wd = date_weekday(r->start_day);
        for (int32_t d = r->start_day; d <= r->end_day; d++) {
            if (r->weekdays & (1u << wd)) {
                uint32_t k = (uint32_t)(d - lo);
                bits[k >> 6] |= 1ull << (k & 63);
            }
            if (++wd == 7) wd = 0;
        }
    }
    for (size_t i = 0; i < n_dates; i++) {
        const gtfs_calendar_date *e = &dates[i];
        if (e->service < 0 || (size_t)e->service >= feed->n_services) continue;
        uint32_t k = (uint32_t)(e->day - lo);
        uint64_t *bits = feed->services[e->service].bits;
        if (e->type == 1) bits[k >> 6] |= 1ull << (k & 63);
        else if (e->type == 2) bits[k >> 6] &= ~(1ull << (k & 63));
    }
    return TC_OK;
}
