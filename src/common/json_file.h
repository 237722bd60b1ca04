/*
 * json_file.h — reading hand-written JSON (sketch, scenario and road files) with errors that name the entry.
 * The sketch, scenario and report stages use them; the functions keep the skj_ prefix of the sketch reader.
 *
 * cJSON parses; these helpers fetch typed members and, when one is missing or of the wrong kind, fail with
 * "FILE: lines[3].stations[7].lat: expected a number between -90 and 90". cJSON keeps no positions for values, so
 * an error inside a well-formed file names the JSON path (which a planner can follow in any editor); a syntax error
 * gets the line and column where cJSON stopped. Unknown members are a warning, since a misspelt key ("headway" for
 * "headways") would otherwise be ignored silently.
 */
#ifndef TC_COMMON_JSON_FILE_H
#define TC_COMMON_JSON_FILE_H

#include "common/error.h"

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

typedef struct skj {
    const char *file; /* for messages */
    tc_error *err;
    diag_log *diag;
} skj;

/* Parse text; on a syntax error fail with the line and column (1-based) where cJSON stopped. */
tc_status skj_parse(skj *j, const char *text, size_t len, cJSON **out);
/* Read a whole file into a NUL-terminated buffer (caller frees). */
tc_status skj_read_file(const char *path, char **text, size_t *len, tc_error *err);

/* Fail with TC_ERR_PARSE: "PATH: message". */
tc_status skj_fail(skj *j, const char *path, const char *fmt, ...) TC_PRINTF(3, 4);
/* Same with another status (TC_ERR_NOT_FOUND for unknown ids). */
tc_status skj_fail_code(skj *j, tc_status code, const char *path, const char *fmt, ...) TC_PRINTF(4, 5);

/* Child path "PATH.key" / "PATH[i]" into buf (truncated, never overflowing). */
const char *skj_key(char *buf, size_t cap, const char *path, const char *key);
const char *skj_idx(char *buf, size_t cap, const char *path, size_t i);

/* Warn about members of obj that are not in allowed (NULL-terminated). "note", "source", "assumed", "comment",
 * "name_en" and keys starting with '_' are always allowed: they document the data. */
void skj_check_keys(skj *j, const cJSON *obj, const char *path, const char *const *allowed);

/* Typed members. Absent + !required: TC_OK and *out untouched. Absent + required, or present with the wrong
 * type or out of range: an error naming PATH.key. */
tc_status skj_object(skj *j, const cJSON *v, const char *path); /* v itself must be an object */
tc_status skj_string(skj *j, const cJSON *obj, const char *path, const char *key, int required, const char **out);
tc_status skj_number(skj *j, const cJSON *obj, const char *path, const char *key, int required, double lo, double hi,
                     double *out);
tc_status skj_int(skj *j, const cJSON *obj, const char *path, const char *key, int required, long lo, long hi,
                  long *out);
tc_status skj_bool(skj *j, const cJSON *obj, const char *path, const char *key, int required, int *out);
/* An array member (may be empty unless min_items > 0). */
tc_status skj_array(skj *j, const cJSON *obj, const char *path, const char *key, int required, size_t min_items,
                    const cJSON **out);
/* "H:MM", "HH:MM" or "HH:MM:SS" (hours may exceed 23) as a string value at path → seconds. */
tc_status skj_time_value(skj *j, const cJSON *v, const char *path, int32_t *out);
/* "YYYY-MM-DD" → days since 1970-01-01. */
tc_status skj_date_value(skj *j, const cJSON *v, const char *path, int32_t *out);

#endif
