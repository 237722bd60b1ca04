/* timeutil.c — dates and service times (see timeutil.h). Howard Hinnant's civil-date algorithms. */
#include "timeutil.h"
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int32_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153u * (unsigned)(m + (m > 2 ? -3 : 9)) + 2u) / 5u + (unsigned)d - 1u;
    const unsigned doe = yoe * 365u + yoe / 4u - yoe / 100u + doy;
    return era * 146097 + (int32_t)doe - 719468;
}

void civil_from_days(int32_t z, int *y, int *m, int *d) {
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int yy = (int)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yy + (*m <= 2);
}

int date_weekday(int32_t days) {
    /* 1970-01-01 was a Thursday (3 when Monday = 0). */
    int w = (int)((days + 3) % 7);
    return w < 0 ? w + 7 : w;
}

static int digits(const char *s, size_t n, int *out) {
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int date_parse(const char *s, size_t len, int32_t *out) {
    int y, m, d;
    if (len == 8) {
        if (digits(s, 4, &y) || digits(s + 4, 2, &m) || digits(s + 6, 2, &d)) return -1;
    } else if (len == 10 && s[4] == '-' && s[7] == '-') {
        if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d)) return -1;
    } else {
        return -1;
    }
    if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1900 || y > 2200) return -1;
    int32_t days = days_from_civil(y, m, d);
    int yy, mm, dd;
    civil_from_days(days, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d) return -1; /* 2019-02-30 and the like */
    *out = days;
    return 0;
}

int time_parse(const char *s, size_t len, int allow_hm, int32_t *out) {
    /* hours: 1-3 digits; then :MM, then optional :SS */
    size_t i = 0;
    int h = 0;
    while (i < len && i < 3 && s[i] >= '0' && s[i] <= '9') h = h * 10 + (s[i++] - '0');
    if (i == 0 || i >= len || s[i] != ':') return -1;
    i++;
    int mi, se = 0;
    if (i + 2 > len || digits(s + i, 2, &mi)) return -1;
    i += 2;
    if (i == len) {
        if (!allow_hm) return -1;
    } else {
        if (s[i] != ':' || i + 3 != len || digits(s + i + 1, 2, &se)) return -1;
    }
    if (mi > 59 || se > 59) return -1;
    *out = h * 3600 + mi * 60 + se;
    return 0;
}

void time_format(int32_t t, char *buf) {
    if (t == TC_TIME_NONE) {
        strcpy(buf, "--:--:--");
        return;
    }
    const char *sign = "";
    if (t < 0) {
        sign = "-";
        t = -t;
    }
    snprintf(buf, 16, "%s%02u:%02u:%02u", sign, (unsigned)(t / 3600) % 100000u, (unsigned)(t / 60 % 60),
             (unsigned)(t % 60));
}

int tz_offset(const char *tzname, int64_t utc_seconds, int32_t *offset_out) {
    /* The system zoneinfo through TZ + localtime_r: glibc reads /usr/share/zoneinfo. Not thread-safe against other
     * TZ users; called only at build time. */
    *offset_out = 0;
    if (!tzname || !*tzname) return -1;
    char path[512];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", tzname);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    fclose(f);
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZ", tzname, 1);
    tzset();
    time_t t = (time_t)utc_seconds;
    struct tm tm;
    int ok = localtime_r(&t, &tm) != NULL;
    if (saved) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
    if (!ok) return -1;
    *offset_out = (int32_t)tm.tm_gmtoff;
    return 0;
}

/* Public wrappers. */
tc_status tc_parse_date(const char *text, int32_t *day_out, tc_error *err) {
    if (!text || date_parse(text, strlen(text), day_out))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "bad date \"%s\": expected YYYY-MM-DD",
                         text ? text : "");
    return TC_OK;
}

void tc_format_date(int32_t day, char *buf) {
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999) y = 0; /* keeps the text within 10 characters */
    snprintf(buf, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

tc_status tc_parse_clock(const char *text, int32_t *seconds_out, tc_error *err) {
    if (!text || time_parse(text, strlen(text), 1, seconds_out))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "bad time \"%s\": expected HH:MM or HH:MM:SS",
                         text ? text : "");
    return TC_OK;
}
