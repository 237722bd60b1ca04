/*
 * query_params.c — the text forms of an analysis query's departure window and modes (include/tongcheng.h), read
 * by one parser each so that `--window` on the command line, "window" in an HTTP request, tongcheng-mpi and the
 * circle report accept exactly the same texts. The percentile and cutoff lists are parsed beside what checks them
 * (percentiles.c, access.c). The front ends keep their own wording of the error (an option name or a request
 * parameter); the message here says what was expected, for callers that pass it on as it is.
 */
#include "common/error.h"
#include "tongcheng.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

tc_status tc_parse_window(const char *text, int32_t *start_out, int32_t *end_out, tc_error *err) {
    if (!text) return error_set(err, TC_ERR_PARSE, NULL, 0, 0, "expected a departure window HH:MM-HH:MM");
    const char *dash = strchr(text, '-');
    char first[32];
    int32_t start, end;
    if (!dash || dash == text || (size_t)(dash - text) >= sizeof first)
        return error_set(err, TC_ERR_PARSE, NULL, 0, 0, "expected HH:MM-HH:MM, got \"%.64s\"", text);
    memcpy(first, text, (size_t)(dash - text));
    first[dash - text] = '\0';
    if (tc_parse_clock(first, &start, NULL) != TC_OK || tc_parse_clock(dash + 1, &end, NULL) != TC_OK)
        return error_set(err, TC_ERR_PARSE, NULL, 0, 0, "expected HH:MM-HH:MM, got \"%.64s\"", text);
    if (end <= start)
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                       "the window %.64s is empty (the end is excluded: it must come after the start)", text);
    *start_out = start;
    *end_out = end;
    return TC_OK;
}

/* One token of a modes list: 1 and *mode for a street mode, 0 for transit, -1 unknown. */
static int mode_token(const char *p, size_t len, tc_mode *mode) {
    static const struct {
        const char *name;
        int street;
        tc_mode mode;
    } names[] = {{"transit", 0, TC_MODE_WALK}, {"walk", 1, TC_MODE_WALK}, {"bike", 1, TC_MODE_BIKE},
                 {"car", 1, TC_MODE_CAR},      {"truck", 1, TC_MODE_TRUCK}};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i].name) == len && !strncasecmp(p, names[i].name, len)) {
            if (names[i].street) *mode = names[i].mode;
            return names[i].street;
        }
    return -1;
}

tc_status tc_parse_modes(const char *text, int *street_only_out, tc_mode *mode_out, tc_error *err) {
    int transit = 0, street = 0, unknown = 0;
    tc_mode mode = TC_MODE_WALK;
    for (const char *p = text ? text : ""; *p;) {
        size_t len = strcspn(p, ",");
        if (len) { /* empty items (",walk", "transit,,walk") are skipped */
            int t = mode_token(p, len, &mode);
            if (t < 0) unknown = 1;
            else if (t == 0) transit = 1;
            else street++;
        }
        p += len;
        if (*p == ',') p++;
    }
    if (unknown || street > 1 || (transit && (mode == TC_MODE_CAR || mode == TC_MODE_TRUCK)) || (!transit && !street))
        return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                       "expected transit, transit,walk, transit,bike or one of walk, bike, car, truck, got \"%.64s\"",
                       text ? text : "");
    *street_only_out = !transit;
    *mode_out = mode;
    return TC_OK;
}

tc_status tc_parse_direct_modes(const char *text, unsigned *modes_out, tc_error *err) {
    unsigned m = 0;
    int bad = !text || !*text;
    if (!bad && !strcmp(text, "none")) {
        *modes_out = 0;
        return TC_OK;
    }
    for (const char *p = text; !bad && *p;) {
        size_t len = strcspn(p, ",");
        tc_mode mode;
        if (len == 4 && !strncmp(p, "walk", 4)) mode = TC_MODE_WALK;
        else if (len == 4 && !strncmp(p, "bike", 4)) mode = TC_MODE_BIKE;
        else if (len == 3 && !strncmp(p, "car", 3)) mode = TC_MODE_CAR;
        else break;
        m |= 1u << mode;
        p += len;
        if (*p == ',') p++;
        if (!*p) {
            *modes_out = m;
            return TC_OK;
        }
    }
    return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0,
                     "expected a list of walk, bike and car, or none, got \"%.64s\"", text ? text : "");
}
