/*
 * server_speeds.c — the walking and cycling speeds and the board slack of an API request (walk_speed, bike_speed in
 * m/s, board_slack in seconds), with the server's own defaults (`serve --walk-speed ...`) where a request gives
 * none. Query strings carry them as text (/v1/route, /v1/isochrone), the matrix body as JSON numbers.
 */
#include "server/server_http.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

/* One value: text (query) or number (body); 0 = absent or good, -1 = an error answer was sent. */
static int one_value(struct MHD_Connection *c, srv_request *r, const char *name, const char *text,
                     const cJSON *num, double lo, double hi, double *out, enum MHD_Result *answer) {
    double v;
    if (text) {
        char *end;
        v = strtod(text, &end);
        if (end == text || *end) v = lo - 1;
    } else if (num && !cJSON_IsNull(num)) {
        v = cJSON_IsNumber(num) ? num->valuedouble : lo - 1;
    } else {
        return 0;
    }
    if (!(v >= lo && v <= hi)) {
        *answer = srv_send_error(c, r, 400, "bad_parameter", name, "%s expects a number in %g…%g", name, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int srv_speed_params(const srv_server *s, struct MHD_Connection *c, srv_request *r, const cJSON *body,
                     double *walk_mps, double *bike_mps, int32_t *board_slack_s, int *no_elevation,
                     enum MHD_Result *answer) {
    double w = s->opt.walk_speed_mps, b = s->opt.bike_speed_mps, slack = s->opt.board_slack_s, flat = 0;
    const cJSON *jw = body ? cJSON_GetObjectItemCaseSensitive(body, "walk_speed") : NULL;
    const cJSON *jb = body ? cJSON_GetObjectItemCaseSensitive(body, "bike_speed") : NULL;
    const cJSON *js = body ? cJSON_GetObjectItemCaseSensitive(body, "board_slack") : NULL;
    const cJSON *je = body ? cJSON_GetObjectItemCaseSensitive(body, "no_elevation") : NULL;
    if (one_value(c, r, "walk_speed", body ? NULL : srv_param(c, "walk_speed"), jw, 0.1, 30, &w, answer) ||
        one_value(c, r, "bike_speed", body ? NULL : srv_param(c, "bike_speed"), jb, 0.1, 30, &b, answer) ||
        one_value(c, r, "board_slack", body ? NULL : srv_param(c, "board_slack"), js, 0, 3600, &slack, answer) ||
        one_value(c, r, "no_elevation", body ? NULL : srv_param(c, "no_elevation"), je, 0, 1, &flat, answer))
        return -1;
    if (flat != 0 && flat != 1) {
        *answer = srv_send_error(c, r, 400, "bad_parameter", "no_elevation", "no_elevation expects 0 or 1");
        return -1;
    }
    if ((double)(int32_t)slack != slack) {
        *answer = srv_send_error(c, r, 400, "bad_parameter", "board_slack", "board_slack expects whole seconds");
        return -1;
    }
    *walk_mps = w;
    *bike_mps = b;
    *board_slack_s = (int32_t)slack;
    *no_elevation = (int)flat; /* 1: walking and cycling on the flat, ignoring the network's slope factors */
    return 0;
}
