/* server_api.h — the /v1 endpoint handlers (see server_api.c). Each queues exactly one response. */
#ifndef TC_SERVER_API_H
#define TC_SERVER_API_H

#include "server/server_http.h"

enum MHD_Result api_route(const srv_server *s, struct MHD_Connection *c, srv_request *r);
enum MHD_Result api_isochrone(const srv_server *s, struct MHD_Connection *c, srv_request *r);
enum MHD_Result api_matrix(const srv_server *s, struct MHD_Connection *c, srv_request *r);
/* POST /v1/hubs: freight hub catchments (tc_hub_catchments) on the analysis pool. */
enum MHD_Result api_hubs(const srv_server *s, struct MHD_Connection *c, srv_request *r);

#endif
