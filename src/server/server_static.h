/* server_static.h — the map page's files (see server_static.c). */
#ifndef TC_SERVER_STATIC_H
#define TC_SERVER_STATIC_H

#include "server/server_http.h"

/* The web folder to serve: the one given, else $TC_WEB_DIR, else web/ beside or above the program, else ./web.
 * Fills out ("" when none holds index.html). */
void static_find_web_dir(const char *given, char *out, size_t size);
/* GET of a path that is not an API endpoint: a page file, or a 404. */
enum MHD_Result static_serve(const srv_server *s, struct MHD_Connection *c, srv_request *r, const char *url);

#endif
