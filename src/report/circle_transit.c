/*
 * circle_transit.c — transit travel times, isochrones and population for the circle report, through the analysis
 * API (include/tongcheng.h, "analysis"), so that the report's numbers have R5's semantics: every departure minute of
 * the window, Monte Carlo draws over the headways of frequency-based lines, percentiles over the samples; the
 * clock starts at the departure minute (waiting at the origin counts).
 *
 * Place → core times: one matrix, the places as origins (the morning commute into the cores). A core's isochrone
 * and population: from the core as origin over the same window (where one can get from the core in the cutoff).
 */
#include "report/circle_internal.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void analysis_options(const circle_params *p, tc_analysis_options *o) {
    tc_analysis_options_init(o);
    o->date = p->date;
    o->window_start = p->window_start;
    o->window_end = p->window_end;
    o->max_duration_min = p->max_duration_min;
    if (p->draws > 0) o->draws = p->draws;
    o->mode = p->access_mode;
    o->egress_mode = p->access_mode; /* the feeder (walk, bike, or car for bus/taxi) serves both ends alike */
    o->max_access_min = p->max_access_min;
    o->threads = 0;
    o->walk_speed_mps = p->walk_speed_mps;
    o->bike_speed_mps = p->bike_speed_mps;
    o->board_slack_s = p->board_slack_s;
}

tc_status circle_transit_times(const tc_network *net, const circle_params *p, const circle_places *places,
                               const circle_places *cores, circle_result *r, tc_error *err) {
    size_t np = places->n, nc = cores->n;
    tc_analysis_options o;
    analysis_options(p, &o);
    o.percentiles[0] = 50;
    o.percentiles[1] = 90;
    o.n_percentiles = 2;
    double *clat = malloc((nc + 1) * sizeof *clat), *clon = malloc((nc + 1) * sizeof *clon);
    double *plat = malloc((np + 1) * sizeof *plat), *plon = malloc((np + 1) * sizeof *plon);
    uint16_t *out = malloc((np * nc * 2 + 1) * sizeof *out);
    tc_destinations *dest = NULL;
    tc_status st = TC_OK;
    if (!clat || !clon || !plat || !plon || !out) {
        st = error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t c = 0; c < nc; c++) clat[c] = cores->v[c].lat, clon[c] = cores->v[c].lon;
    for (size_t i = 0; i < np; i++) plat[i] = places->v[i].lat, plon[i] = places->v[i].lon;
    st = tc_destinations_create(net, &o, clat, clon, nc, &dest, err);
    if (st == TC_OK) st = tc_travel_time_matrix(net, dest, &o, plat, plon, np, out, err);
    if (st == TC_OK)
        for (size_t i = 0; i < np; i++)
            for (size_t c = 0; c < nc; c++) {
                circle_pair *pr = &r->pairs[i * nc + c];
                pr->p50 = out[(i * nc + c) * 2 + 0];
                pr->p90 = out[(i * nc + c) * 2 + 1];
            }
out:
    tc_destinations_free(dest);
    free(clat), free(clon), free(plat), free(plon), free(out);
    return st;
}

/* The area of the p50 features at the cutoff in a tc_isochrones FeatureCollection. */
static double isochrone_area(const char *geojson, int cutoff) {
    cJSON *fc = cJSON_Parse(geojson);
    double area = NAN;
    const cJSON *feat;
    cJSON_ArrayForEach(feat, cJSON_GetObjectItemCaseSensitive(fc, "features")) {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(feat, "properties");
        const cJSON *cut = cJSON_GetObjectItemCaseSensitive(props, "cutoff_min");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(props, "area_km2");
        if (!cJSON_IsNumber(cut) || cut->valueint != cutoff || !cJSON_IsNumber(a)) continue;
        area = (isnan(area) ? 0 : area) + a->valuedouble;
    }
    cJSON_Delete(fc);
    return area;
}

tc_status circle_core_isochrones(const tc_network *net, const circle_params *p, const circle_places *cores,
                                 circle_result *r, tc_error *err) {
    tc_analysis_options o;
    analysis_options(p, &o);
    o.percentiles[0] = 50;
    o.n_percentiles = 1;
    for (size_t c = 0; c < cores->n; c++) {
        r->core_area_km2[c] = NAN;
        r->core_population[c] = NAN;
    }
    r->population_all_cores = NAN;
    r->population_total = NAN;
    if (p->isochrones)
        for (size_t c = 0; c < cores->n; c++) {
            int cut = p->cutoff_min;
            tc_status st = tc_isochrones(net, &o, cores->v[c].lat, cores->v[c].lon, &cut, 1, 0,
                                         &r->core_isochrones[c], err);
            if (st) return st;
            r->core_area_km2[c] = isochrone_area(r->core_isochrones[c], cut);
            if (isnan(r->core_area_km2[c])) r->core_area_km2[c] = 0; /* no polygon: nothing reached */
        }
    const circle_population *pop = p->population;
    if (!pop || pop->n == 0) return TC_OK;
    tc_destinations *dest = NULL;
    tc_analysis_workspace *ws = NULL;
    uint16_t *out = malloc((pop->n + 1) * sizeof *out);
    uint16_t *n_inside = calloc(pop->n + 1, sizeof *n_inside); /* per point: how many cores reach it */
    tc_status st = out && n_inside ? TC_OK : error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    if (st == TC_OK) st = tc_destinations_create(net, &o, pop->lat, pop->lon, pop->n, &dest, err);
    if (st == TC_OK) st = tc_analysis_workspace_create(net, &ws, err);
    for (size_t c = 0; c < cores->n && st == TC_OK; c++) {
        st = tc_travel_times_from(ws, dest, &o, cores->v[c].lat, cores->v[c].lon, out, err);
        if (st) break;
        double sum = 0;
        for (size_t i = 0; i < pop->n; i++)
            if (out[i] != TC_UNREACHED_MIN && out[i] <= p->cutoff_min) {
                sum += pop->count[i];
                n_inside[i]++;
            }
        r->core_population[c] = sum;
    }
    if (st == TC_OK) {
        double all = 0;
        for (size_t i = 0; i < pop->n; i++)
            if (n_inside[i] == cores->n) all += pop->count[i];
        r->population_all_cores = all;
        r->population_total = pop->total;
    }
    free(n_inside);
    tc_analysis_workspace_free(ws);
    tc_destinations_free(dest);
    free(out);
    return st;
}
