/*
 * server_static.c — the map page: web/index.html, app.js, style.css, and MapLibre GL JS from
 * web/node_modules/maplibre-gl/dist (installed by `npm ci --prefix web` at setup) under /vendor/maplibre-gl/, so
 * the page needs no CDN. Only plain file names are served (letters, digits, '.', '-', '_', no leading dot), which
 * rules out path traversal without canonicalising paths. Two generated layers are served here too, for the page:
 * /streets.geojson (its own street base map) and /street-path.geojson (walk legs along the streets).
 */
#include "server/server_static.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int has_index(const char *dir) {
    char p[4200];
    snprintf(p, sizeof p, "%s/index.html", dir);
    return access(p, R_OK) == 0;
}

void static_find_web_dir(const char *given, char *out, size_t size) {
    out[0] = 0;
    if (given) {
        if (has_index(given)) snprintf(out, size, "%s", given);
        return;
    }
    const char *env = getenv("TC_WEB_DIR");
    if (env && has_index(env)) {
        snprintf(out, size, "%s", env);
        return;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) *slash = 0;
        static const char *const rel[] = {"web", "../web", "../share/tongcheng/web"};
        char cand[PATH_MAX + 32];
        for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
            snprintf(cand, sizeof cand, "%s/%s", exe, rel[i]);
            if (has_index(cand)) {
                snprintf(out, size, "%s", cand);
                return;
            }
        }
    }
    if (has_index("web")) snprintf(out, size, "web");
}

static int plain_name(const char *s) {
    if (!*s || *s == '.' || strlen(s) > 128) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '.' ||
              *s == '-' || *s == '_'))
            return 0;
    return 1;
}

static const char *content_type(const char *name) {
    const char *dot = strrchr(name, '.');
    if (!dot) return "application/octet-stream";
    if (!strcmp(dot, ".html")) return "text/html; charset=utf-8";
    if (!strcmp(dot, ".js")) return "text/javascript; charset=utf-8";
    if (!strcmp(dot, ".css")) return "text/css; charset=utf-8";
    if (!strcmp(dot, ".json") || !strcmp(dot, ".map")) return "application/json";
    if (!strcmp(dot, ".png")) return "image/png";
    if (!strcmp(dot, ".svg")) return "image/svg+xml";
    return "application/octet-stream";
}

static enum MHD_Result send_file(struct MHD_Connection *c, srv_request *r, const char *path, const char *name) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        return srv_send_error(c, r, 404, "not_found", NULL, "no such page: %s", r->path);
    }
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd); /* MHD closes fd */
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type(name));
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    r->status = 200;
    enum MHD_Result ok = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* GET /streets.geojson?bbox=W,S,E,N&zoom=Z: the page's own street base map (tc_network_streets_geojson). */
static enum MHD_Result serve_streets(const srv_server *s, struct MHD_Connection *c, srv_request *r) {
    const char *bbox_s = srv_param(c, "bbox");
    const char *zoom_s = srv_param(c, "zoom");
    double bbox[4];
    char tail;
    if (!bbox_s || sscanf(bbox_s, "%lf,%lf,%lf,%lf%c", &bbox[0], &bbox[1], &bbox[2], &bbox[3], &tail) != 4)
        return srv_send_error(c, r, 400, "bad_parameter", "bbox", "bbox must be min_lon,min_lat,max_lon,max_lat");
    char *end;
    long zoom = zoom_s ? strtol(zoom_s, &end, 10) : -1;
    if (!zoom_s || end == zoom_s || *end)
        return srv_send_error(c, r, 400, "bad_parameter", "zoom", "zoom must be an integer 0…22");
    char *text = NULL;
    tc_error err = {0};
    if (tc_network_streets_geojson(s->net, bbox, (int)zoom, 60000, &text, &err) != TC_OK) {
        if (err.code == TC_ERR_NO_MEMORY) return srv_send_owned(c, r, 500, NULL, "application/json");
        return srv_send_error(c, r, 400, "bad_parameter", zoom < 0 || zoom > 22 ? "zoom" : "bbox", "%s", err.message);
    }
    return srv_send_owned(c, r, 200, text, "application/geo+json");
}

/* GET /street-path.geojson?from=LAT,LON&to=LAT,LON: a walk leg along the streets (tc_street_walk_geojson). */
static enum MHD_Result serve_street_path(const srv_server *s, struct MHD_Connection *c, srv_request *r) {
    double p[4];
    char tail;
    const char *names[2] = {"from", "to"};
    for (int k = 0; k < 2; k++) {
        const char *v = srv_param(c, names[k]);
        if (!v || sscanf(v, "%lf,%lf%c", &p[2 * k], &p[2 * k + 1], &tail) != 2)
            return srv_send_error(c, r, 400, "bad_parameter", names[k], "%s must be LAT,LON", names[k]);
    }
    char *text = NULL;
    tc_error err = {0};
    tc_status st = tc_street_walk_geojson(s->net, p[0], p[1], p[2], p[3], &text, &err);
    if (st == TC_ERR_NO_MEMORY) return srv_send_owned(c, r, 500, NULL, "application/json");
    if (st == TC_ERR_UNREACHABLE) return srv_send_error(c, r, 422, "unreachable", NULL, "%s", err.message);
    if (st) return srv_send_error(c, r, 400, "bad_parameter", NULL, "%s", err.message);
    return srv_send_owned(c, r, 200, text, "application/geo+json");
}

enum MHD_Result static_serve(const srv_server *s, struct MHD_Connection *c, srv_request *r, const char *url) {
    static const char vendor[] = "/vendor/maplibre-gl/";
    if (!strcmp(url, "/streets.geojson")) return serve_streets(s, c, r);
    if (!strcmp(url, "/street-path.geojson")) return serve_street_path(s, c, r);
    char path[4400];
    const char *name = NULL;
    if (!s->web_dir[0] && (!strcmp(url, "/") || !strcmp(url, "/index.html")))
        return srv_send_error(c, r, 404, "no_map_page", NULL,
                              "no map page: give --web-dir DIR (a folder holding index.html); the API is under /v1/");
    if (!strcmp(url, "/")) {
        name = "index.html";
        snprintf(path, sizeof path, "%s/%s", s->web_dir, name);
    } else if (!strncmp(url, vendor, sizeof vendor - 1) && plain_name(url + sizeof vendor - 1)) {
        name = url + sizeof vendor - 1;
        snprintf(path, sizeof path, "%s/node_modules/maplibre-gl/dist/%s", s->web_dir, name);
    } else if (url[0] == '/' && plain_name(url + 1) && strcmp(url + 1, "package.json") &&
               strcmp(url + 1, "package-lock.json")) {
        name = url + 1;
        snprintf(path, sizeof path, "%s/%s", s->web_dir, name);
    }
    if (!name || !s->web_dir[0]) return srv_send_error(c, r, 404, "not_found", NULL, "no such page: %s", r->path);
    return send_file(c, r, path, name);
}
