/* server_scenarios.h — serving scenario networks beside the baseline (see server_scenarios.c). */
#ifndef TC_SERVER_SCENARIOS_H
#define TC_SERVER_SCENARIOS_H

#include "server/server_http.h"

/* One srv_server per s->opt scenario (sharing s's page layers and options) and "scenarios" in /v1/config. */
tc_status srv_scenarios_open(srv_server *s, tc_error *err);
void srv_scenarios_free(srv_server *s);
/* GET /v1/isochrone on the network the `scenario` parameter names (absent or "baseline": s itself). */
enum MHD_Result srv_scenario_isochrone(const srv_server *s, struct MHD_Connection *c, srv_request *r);

#endif
