/*
 * circle_out.c — the report's plain outputs: circle.csv, isochrones.geojson and the table printed on stdout.
 * Files go through common/atomic_file.h so that a reader never sees half a report.
 */
#include "common/csv_out.h"
#include "report/circle.h"
#include "common/atomic_file.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

tc_status circle_write_csv(const circle_report *r, const char *path, tc_error *err) {
    atomic_file af;
    tc_status st = atomic_file_open(&af, path, err);
    if (st) return st;
    FILE *f = af.fp;
    fputs("scenario,place,core,transit_p50_min,transit_p90_min,car_min,inside\n", f);
    for (size_t k = 0; k < r->n_results; k++) {
        const circle_result *res = &r->results[k];
        for (size_t i = 0; i < res->n_places; i++)
            for (size_t c = 0; c < res->n_cores; c++) {
                const circle_pair *p = &res->pairs[i * res->n_cores + c];
                (void)csv_put_field(f, res->name);
                fputc(',', f);
                (void)csv_put_field(f, r->places->v[i].id);
                fputc(',', f);
                (void)csv_put_field(f, r->cores->v[c].id);
                fputc(',', f);
                if (p->p50 != TC_UNREACHED_MIN) fprintf(f, "%u", p->p50); /* empty: not reached */
                fputc(',', f);
                if (p->p90 != TC_UNREACHED_MIN) fprintf(f, "%u", p->p90);
                fputc(',', f);
                if (isfinite(p->car_min)) fprintf(f, "%.1f", p->car_min);
                fprintf(f, ",%d\n", p->inside ? 1 : 0);
            }
    }
    if (ferror(f)) {
        atomic_file_abort(&af);
        return error_set(err, TC_ERR_IO, path, 0, 0, "write failed");
    }
    return atomic_file_commit(&af, err);
}

tc_status circle_write_geojson(const circle_report *r, const char *path, tc_error *err) {
    cJSON *root = cJSON_CreateObject();
    cJSON *features = root ? cJSON_AddArrayToObject(root, "features") : NULL;
    if (!root || !features || !cJSON_AddStringToObject(root, "type", "FeatureCollection")) {
        cJSON_Delete(root);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    for (size_t k = 0; k < r->n_results; k++) {
        const circle_result *res = &r->results[k];
        for (size_t c = 0; c < res->n_cores; c++) {
            if (!res->core_isochrones || !res->core_isochrones[c]) continue;
            cJSON *fc = cJSON_Parse(res->core_isochrones[c]);
            cJSON *fs = fc ? cJSON_GetObjectItemCaseSensitive(fc, "features") : NULL;
            cJSON *feat;
            if (cJSON_IsArray(fs))
                while ((feat = cJSON_DetachItemFromArray(fs, 0))) {
                    cJSON *props = cJSON_GetObjectItemCaseSensitive(feat, "properties");
                    if (!cJSON_IsObject(props)) {
                        cJSON_DeleteItemFromObject(feat, "properties");
                        props = cJSON_AddObjectToObject(feat, "properties");
                    }
                    if (props) {
                        cJSON_AddStringToObject(props, "scenario", res->name);
                        cJSON_AddStringToObject(props, "core", r->cores->v[c].id);
                        cJSON_AddStringToObject(props, "core_name", r->cores->v[c].name);
                    }
                    cJSON_AddItemToArray(features, feat);
                }
            cJSON_Delete(fc);
        }
    }
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!text) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    size_t len = strlen(text);
    text[len] = '\0';
    tc_status st = atomic_file_write_all(path, text, len, err);
    cJSON_free(text);
    return st;
}

/* ------------------------------------------------------------------ stdout table ---------------------------- */

/* Print s in exactly w terminal columns (UTF-8 aware: CJK counts as two). */
static void print_cell(FILE *out, const char *s, int w) {
    int used = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int len = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        int cw = len >= 3 ? 2 : 1;
        if (used + cw > w) break;
        fwrite(p, 1, (size_t)len, out);
        used += cw;
        for (int k = 0; k < len && *p; k++) p++;
    }
    for (; used < w; used++) fputc(' ', out);
}

static void fmt_min(char *buf, size_t n, uint16_t v) {
    if (v == TC_UNREACHED_MIN) snprintf(buf, n, "-");
    else snprintf(buf, n, "%u", v);
}

static const char *weekday_name(int32_t day) {
    static const char *names[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"}; /* 1970-01-01 was a Thursday */
    return names[((day % 7) + 7) % 7];
}

void circle_print_table(const circle_report *r, FILE *out) {
    const circle_params *p = r->params;
    char date[16], w0[16], w1[16];
    tc_format_date(p->date, date);
    circle_format_clock(p->window_start, w0);
    circle_format_clock(p->window_end, w1);
    const circle_result *base = &r->results[0];
    fprintf(out, "One-hour commute circle%s\n", r->sketch_model ? " — SKETCH MODEL (assumed service figures)" : "");
    fprintf(out, "network %s; %s %s, departures %s-%s every minute; cutoff %d min; transit access and egress: %s "
                 "<= %d min each\n",
            r->network_label ? r->network_label : "-", weekday_name(p->date), date, w0, w1, p->cutoff_min,
            p->access_mode == TC_MODE_CAR ? "car (feeder bus/taxi)" : p->access_mode == TC_MODE_BIKE ? "bike" : "walk",
            p->max_access_min);
    if (p->access_mode == TC_MODE_CAR)
        fprintf(out, "car feeder ON: the trip to the first stop and from the last one is by car (taxi, kiss-and-"
                     "ride), not on foot\n");
    if (base->car_road_model)
        fprintf(out, "car: fastest path on the road model (%zu roads; %s speeds; no OSM street network)\n",
                circle_roads_n_roads(p->roads), p->car_peak ? "peak-hour" : "free-flow");
    else if (base->car_straight_line)
        fprintf(out, "car: straight line x %.2f at %.0f km/h (no street network)\n", base->car_detour,
                base->car_speed_kmh);
    else
        fprintf(out, "car: fastest path on the street network (free-flow speeds)\n");
    if (r->n_assumptions) {
        fprintf(out, "assumptions that remain:\n");
        for (size_t i = 0; i < r->n_assumptions; i++) fprintf(out, "  - %s\n", r->assumptions[i]);
    }
    for (size_t k = 0; k < r->n_results; k++) {
        const circle_result *res = &r->results[k];
        fprintf(out, "\n== %s ==  transit p50/p90 and car minutes, place -> core (* = inside %d min)\n", res->name,
                p->cutoff_min);
        print_cell(out, "place", 28);
        for (size_t c = 0; c < res->n_cores; c++) {
            fputs("  ", out);
            print_cell(out, r->cores->v[c].name, 20);
        }
        fputc('\n', out);
        for (size_t i = 0; i < res->n_places; i++) {
            print_cell(out, r->places->v[i].name, 28);
            for (size_t c = 0; c < res->n_cores; c++) {
                const circle_pair *pr = &res->pairs[i * res->n_cores + c];
                char a[8], b[8], cell[40], car[16];
                fmt_min(a, sizeof a, pr->p50);
                fmt_min(b, sizeof b, pr->p90);
                if (isfinite(pr->car_min)) snprintf(car, sizeof car, "%.0f", pr->car_min);
                else snprintf(car, sizeof car, "-");
                int delta = 0;
                if (k > 0) {
                    const circle_pair *bp = &base->pairs[i * res->n_cores + c];
                    if (bp->p50 != pr->p50) delta = 1;
                }
                snprintf(cell, sizeof cell, "%s%s/%s car %s%s", pr->inside ? "*" : " ", a, b, car, delta ? " !" : "");
                fputs("  ", out);
                print_cell(out, cell, 20);
            }
            fputc('\n', out);
        }
        for (size_t c = 0; c < res->n_cores; c++) {
            fprintf(out, "%s: ", r->cores->v[c].name);
            if (isfinite(res->core_area_km2[c])) fprintf(out, "%.0f km2 within %d min", res->core_area_km2[c],
                                                         p->cutoff_min);
            else fprintf(out, "area not computed");
            if (isfinite(res->core_population[c])) {
                fprintf(out, ", population %.0f", res->core_population[c]);
                if (res->population_total > 0)
                    fprintf(out, " (%.1f%% of %.0f)", 100 * res->core_population[c] / res->population_total,
                            res->population_total);
            }
            fprintf(out, "; places inside:");
            int any = 0;
            for (size_t i = 0; i < res->n_places; i++)
                if (res->pairs[i * res->n_cores + c].inside) {
                    fprintf(out, "%s %s", any ? "," : "", r->places->v[i].name);
                    any = 1;
                }
            fprintf(out, "%s\n", any ? "" : " none");
            if (p->access_mode == TC_MODE_WALK && res->core_walk_to_stop_min[c] > p->max_access_min)
                fprintf(out, "  (nearest stop %.0f min on foot from this core, beyond the %d-min egress limit: no "
                             "transit time to it can be measured in this network)\n",
                        res->core_walk_to_stop_min[c], p->max_access_min);
        }
        fprintf(out, "within %d min of all %zu cores:", p->cutoff_min, res->n_cores);
        int any = 0;
        for (size_t i = 0; i < res->n_places; i++)
            if (res->all_cores[i]) {
                fprintf(out, "%s %s", any ? "," : "", r->places->v[i].name);
                any = 1;
            }
        fprintf(out, "%s\n", any ? "" : " none");
        if (isfinite(res->population_all_cores))
            fprintf(out, "population within %d min of all %zu cores: %.0f (%.1f%% of %.0f)\n", p->cutoff_min,
                    res->n_cores, res->population_all_cores,
                    res->population_total > 0 ? 100 * res->population_all_cores / res->population_total : 0.0,
                    res->population_total);
        if (k > 0) {
            size_t better = 0, worse = 0;
            for (size_t j = 0; j < res->n_places * res->n_cores; j++) {
                uint16_t a = base->pairs[j].p50, b = res->pairs[j].p50;
                if (b < a) better++;
                else if (b > a) worse++;
            }
            fprintf(out, "vs baseline: median time lower for %zu pairs, higher for %zu (marked !)\n", better, worse);
        }
        if (res->n_hubs) {
            fprintf(out, "hub connection waits (arrival to next feasible departure, minutes, arrivals %s-%s):\n", w0,
                    w1);
            for (size_t h = 0; h < res->n_hubs; h++) {
                const circle_hub_stat *hs = &res->hubs[h];
                char line[96];
                snprintf(line, sizeof line, "%s -> %s", circle_class_name(hs->from), circle_class_name(hs->to));
                fputs("  ", out);
                print_cell(out, hs->hub, 26);
                print_cell(out, line, 34);
                if (hs->connected)
                    fprintf(out, "min %4.1f  median %4.1f  max %4.1f  (%zu/%zu arrivals; transfer %.0f-%.0f min)%s\n",
                            hs->wait_min_s / 60.0, hs->wait_p50_s / 60.0, hs->wait_max_s / 60.0, hs->connected,
                            hs->arrivals, hs->transfer_min_s / 60.0, hs->transfer_max_s / 60.0,
                            hs->frequency_based ? " [headway-based]" : "");
                else
                    fprintf(out, "no feasible connection (%zu arrivals)\n", hs->arrivals);
            }
        }
    }
}
