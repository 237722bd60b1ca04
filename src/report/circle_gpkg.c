/*
 * circle_gpkg.c — the commute-circle report as one GeoPackage (`tongcheng circle -o report.gpkg`): layer "circle"
 * (circle.csv's rows, each at its place), "isochrones" (every core's isochrone of every scenario), "places" and
 * "cores". For a GIS user the same numbers as the folder's CSV and GeoJSON, in one file with named layers.
 */
#include "analysis/gpkg_out.h"
#include "report/circle.h"

#include <math.h>

static tc_status places_layer(gpkg_writer *g, const char *name, const circle_places *p, tc_error *err) {
    static const gpkg_field fields[] = {{"id", TC_GPKG_TEXT}, {"name", TC_GPKG_TEXT}, {"name_zh", TC_GPKG_TEXT},
                                           {"kind", TC_GPKG_TEXT}, {"approximate", TC_GPKG_INTEGER}};
    tc_status st = gpkg_layer(g, name, TC_GPKG_POINTS, fields, 5, err);
    for (size_t i = 0; !st && i < p->n; i++) {
        const circle_place *pl = &p->v[i];
        gpkg_value v[5] = {{.text = pl->id}, {.text = pl->name}, {.text = pl->name_zh}, {.text = pl->kind},
                              {.integer = pl->approximate}};
        gpkg_geometry at = {.kind = TC_GEOM_POINT, .lat = pl->lat, .lon = pl->lon};
        st = gpkg_add(g, v, &at, err);
    }
    return st;
}

tc_status circle_write_gpkg(const circle_report *r, const char *path, tc_error *err) {
    static const gpkg_field pair_fields[] = {
        {"scenario", TC_GPKG_TEXT},        {"place", TC_GPKG_TEXT},        {"core", TC_GPKG_TEXT},
        {"transit_p50_min", TC_GPKG_INTEGER}, {"transit_p90_min", TC_GPKG_INTEGER}, {"car_min", TC_GPKG_REAL},
        {"inside", TC_GPKG_INTEGER}};
    static const gpkg_field iso_fields[] = {{"cutoff_min", TC_GPKG_INTEGER}, {"percentile", TC_GPKG_INTEGER},
                                               {"area_km2", TC_GPKG_REAL},      {"scenario", TC_GPKG_TEXT},
                                               {"core", TC_GPKG_TEXT},          {"core_name", TC_GPKG_TEXT}};
    gpkg_writer *g = NULL;
    tc_status st = gpkg_create(path, &g, err);
    if (st) return st;
    st = gpkg_layer(g, "circle", TC_GPKG_POINTS, pair_fields, 7, err);
    for (size_t k = 0; !st && k < r->n_results; k++) {
        const circle_result *res = &r->results[k];
        for (size_t i = 0; !st && i < res->n_places; i++)
            for (size_t c = 0; !st && c < res->n_cores; c++) {
                const circle_pair *p = &res->pairs[i * res->n_cores + c];
                gpkg_value v[7] = {{.text = res->name},
                                      {.text = r->places->v[i].id},
                                      {.text = r->cores->v[c].id},
                                      {.null = p->p50 == TC_UNREACHED_MIN, .integer = p->p50},
                                      {.null = p->p90 == TC_UNREACHED_MIN, .integer = p->p90},
                                      {.null = !isfinite(p->car_min), .real = p->car_min},
                                      {.integer = p->inside ? 1 : 0}};
                gpkg_geometry at = {.kind = TC_GEOM_POINT, .lat = r->places->v[i].lat,
                                       .lon = r->places->v[i].lon};
                st = gpkg_add(g, v, &at, err);
            }
    }
    if (!st) st = gpkg_layer(g, "isochrones", TC_GPKG_POLYGONS, iso_fields, 6, err);
    for (size_t k = 0; !st && k < r->n_results; k++) {
        const circle_result *res = &r->results[k];
        for (size_t c = 0; !st && c < res->n_cores; c++) {
            if (!res->core_isochrones || !res->core_isochrones[c]) continue;
            gpkg_value extra[3] = {{.text = res->name}, {.text = r->cores->v[c].id},
                                      {.text = r->cores->v[c].name}};
            st = gpkg_add_collection(g, res->core_isochrones[c], extra, 3, err);
        }
    }
    if (!st) st = places_layer(g, "places", r->places, err);
    if (!st) st = places_layer(g, "cores", r->cores, err);
    if (st) {
        gpkg_abort(g);
        return st;
    }
    return gpkg_commit(g, err);
}
