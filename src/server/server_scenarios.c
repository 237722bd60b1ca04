/*
 * server_scenarios.c — `tongcheng serve NET --scenario NAME=NET2 ...`: a scenario is another compiled network of
 * the same region (typically `tongcheng build ... --scenario S.json`), served beside the baseline so the map page
 * can draw a scenario's isochrones over the baseline's. Each scenario is a shallow copy of the baseline's server
 * state with its own network, info and isochrone cache; the page layers (stops, lines, config) stay the baseline's.
 * GET /v1/isochrone?scenario=NAME picks one; /v1/config lists them under "scenarios" (baseline first).
 */
#include "server/server_scenarios.h"

#include "common/error.h"
#include "server/server_api.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

static tc_status add_to_config(srv_server *s, tc_error *err) {
    cJSON *root = cJSON_Parse(s->config_json);
    cJSON *list = root ? cJSON_AddArrayToObject(root, "scenarios") : NULL;
    if (!list) {
        cJSON_Delete(root);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    cJSON_AddItemToArray(list, cJSON_CreateString("baseline"));
    for (size_t k = 0; k < s->n_scenarios; k++)
        cJSON_AddItemToArray(list, cJSON_CreateString(s->scenarios[k].scenario_name));
    char *t = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    char *copy = t ? strdup(t) : NULL;
    cJSON_free(t);
    if (!copy) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    free(s->config_json);
    s->config_json = copy;
    return TC_OK;
}

tc_status srv_scenarios_open(srv_server *s, tc_error *err) {
    const size_t n = s->opt.n_scenarios;
    if (n == 0) return TC_OK;
    s->scenarios = calloc(n, sizeof *s->scenarios);
    if (!s->scenarios) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    for (size_t k = 0; k < n; k++) {
        const char *name = s->opt.scenario_names[k];
        if (!strcmp(name, "baseline"))
            return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "\"baseline\" names the main network already");
        for (size_t j = 0; j < k; j++)
            if (!strcmp(name, s->opt.scenario_names[j]))
                return error_set(err, TC_ERR_INVALID_ARGUMENT, NULL, 0, 0, "scenario \"%s\" is given twice", name);
        srv_server *sc = &s->scenarios[k];
        *sc = *s;
        sc->scenarios = NULL;
        sc->n_scenarios = 0;
        sc->iso_cache = NULL;
        sc->net = s->opt.scenario_nets[k];
        sc->scenario_name = name;
        s->n_scenarios = k + 1; /* from here on srv_scenarios_free releases it */
        tc_status st = tc_network_get_info(sc->net, &sc->info, err);
        if (!st) st = tc_isochrone_cache_create(sc->net, &sc->iso_cache, err);
        if (st) return st;
    }
    return add_to_config(s, err);
}

void srv_scenarios_free(srv_server *s) {
    for (size_t k = 0; k < s->n_scenarios; k++) tc_isochrone_cache_free(s->scenarios[k].iso_cache);
    free(s->scenarios);
    s->scenarios = NULL;
    s->n_scenarios = 0;
}

enum MHD_Result srv_scenario_isochrone(const srv_server *s, struct MHD_Connection *c, srv_request *r) {
    const char *name = srv_param(c, "scenario");
    if (!name || !strcmp(name, "baseline")) return api_isochrone(s, c, r);
    for (size_t k = 0; k < s->n_scenarios; k++)
        if (!strcmp(name, s->scenarios[k].scenario_name)) return api_isochrone(&s->scenarios[k], c, r);
    return srv_send_error(c, r, 400, "bad_parameter", "scenario", "unknown scenario \"%.64s\" (the server has %zu)",
                          name, s->n_scenarios);
}
