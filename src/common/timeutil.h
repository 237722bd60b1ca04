/*
 * timeutil.h — calendar dates and service times.
 *
 * Dates are days since 1970-01-01 (int32, proleptic Gregorian); weekday 0 = Monday … 6 = Sunday, the order of
 * calendar.txt's columns. Service times are int32 seconds after noon-minus-12h of the service day (GTFS's
 * definition), so 25:10:00 is 90,600.
 */
#ifndef TC_COMMON_TIMEUTIL_H
#define TC_COMMON_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TC_TIME_NONE INT32_MIN /* a blank or absent time */

int32_t days_from_civil(int y, int m, int d);
void civil_from_days(int32_t days, int *y, int *m, int *d);
int date_weekday(int32_t days); /* 0 = Monday */
/* Parse exactly 8 digits YYYYMMDD (or YYYY-MM-DD); returns 0 on success and checks the date exists. */
int date_parse(const char *s, size_t len, int32_t *out);
/* Parse H:MM:SS / HH:MM:SS / HHH:MM:SS (and H:MM / HH:MM when allow_hm) → seconds; 0 on success. */
int time_parse(const char *s, size_t len, int allow_hm, int32_t *out);
/* seconds → "HH:MM:SS" (hours may exceed 23); buf ≥ 16 bytes. */
void time_format(int32_t seconds, char *buf);

/* UTC offset in seconds of an IANA timezone at a given UTC instant; 0 and returns nonzero if unknown. */
int tz_offset(const char *tzname, int64_t utc_seconds, int32_t *offset_out);

#endif
