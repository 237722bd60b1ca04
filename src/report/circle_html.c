/*
 * circle_html.c — report.html: one self-contained file (inline CSS, inline SVG, no scripts, no external fetches)
 * so that it can be mailed or opened offline. Planners would rather look than read, so each network (baseline and
 * every scenario) gets a map of its lines, the places and the cores' isochrones; then the tables, with scenario
 * cells coloured where they differ from the baseline. Wherever the numbers rest on assumed figures the page says
 * "sketch model".
 *
 * The map is an equirectangular projection scaled by cos(latitude): good enough at a metropolitan scale.
 */
#include "report/circle.h"
#include "common/atomic_file.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void esc(FILE *f, const char *s) {
    for (; s && *s; s++) switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

static const char *core_colors[] = {"#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

typedef struct proj {
    double lon0, lat1, kx, scale;
    double w, h;
} proj;

static void project(const proj *pj, double lat, double lon, double *x, double *y) {
    *x = 10 + (lon - pj->lon0) * pj->kx * pj->scale;
    *y = 10 + (pj->lat1 - lat) * pj->scale;
}

static proj make_proj(const circle_report *r, const circle_result *res) {
    double lo0 = res->bbox[0], la0 = res->bbox[1], lo1 = res->bbox[2], la1 = res->bbox[3];
    if (!(lo1 > lo0) || !(la1 > la0)) lo0 = 180, la0 = 90, lo1 = -180, la1 = -90;
    const circle_places *sets[2] = {r->places, r->cores};
    for (int s = 0; s < 2; s++)
        for (size_t i = 0; i < sets[s]->n; i++) {
            const circle_place *p = &sets[s]->v[i];
            if (p->lon < lo0) lo0 = p->lon;
            if (p->lon > lo1) lo1 = p->lon;
            if (p->lat < la0) la0 = p->lat;
            if (p->lat > la1) la1 = p->lat;
        }
    double pad_lon = (lo1 - lo0) * 0.05 + 0.01, pad_lat = (la1 - la0) * 0.05 + 0.01;
    lo0 -= pad_lon, lo1 += pad_lon, la0 -= pad_lat, la1 += pad_lat;
    proj pj;
    pj.lon0 = lo0;
    pj.lat1 = la1;
    pj.kx = cos((la0 + la1) / 2 * M_PI / 180);
    double wdeg = (lo1 - lo0) * pj.kx, hdeg = la1 - la0;
    pj.scale = 540 / wdeg; /* two maps side by side on a laptop screen */
    if (hdeg * pj.scale > 480) pj.scale = 480 / hdeg;
    pj.w = wdeg * pj.scale + 20;
    pj.h = hdeg * pj.scale + 20;
    return pj;
}

static void ring_path(FILE *f, const proj *pj, const cJSON *ring) {
    const cJSON *pt;
    int first = 1;
    cJSON_ArrayForEach(pt, ring) {
        const cJSON *lon = cJSON_GetArrayItem(pt, 0), *lat = cJSON_GetArrayItem(pt, 1);
        if (!cJSON_IsNumber(lon) || !cJSON_IsNumber(lat)) continue;
        double x, y;
        project(pj, lat->valuedouble, lon->valuedouble, &x, &y);
        fprintf(f, "%s%.1f %.1f", first ? "M" : " L", x, y);
        first = 0;
    }
    if (!first) fputs(" Z ", f);
}

static void draw_isochrones(FILE *f, const proj *pj, const circle_report *r, const circle_result *res) {
    for (size_t c = 0; c < res->n_cores; c++) {
        if (!res->core_isochrones || !res->core_isochrones[c]) continue;
        cJSON *fc = cJSON_Parse(res->core_isochrones[c]);
        const cJSON *feat;
        const char *color = core_colors[c % (sizeof core_colors / sizeof *core_colors)];
        cJSON_ArrayForEach(feat, cJSON_GetObjectItemCaseSensitive(fc, "features")) {
            const cJSON *props = cJSON_GetObjectItemCaseSensitive(feat, "properties");
            const cJSON *cut = cJSON_GetObjectItemCaseSensitive(props, "cutoff_min");
            const cJSON *pct = cJSON_GetObjectItemCaseSensitive(props, "percentile");
            if (cJSON_IsNumber(cut) && cut->valueint != r->params->cutoff_min) continue;
            if (cJSON_IsNumber(pct) && pct->valueint != 50) continue;
            const cJSON *geom = cJSON_GetObjectItemCaseSensitive(feat, "geometry");
            const cJSON *type = cJSON_GetObjectItemCaseSensitive(geom, "type");
            const cJSON *coords = cJSON_GetObjectItemCaseSensitive(geom, "coordinates");
            if (!cJSON_IsString(type)) continue;
            fprintf(f, "<path class=\"iso\" fill=\"%s\" stroke=\"%s\" d=\"", color, color);
            const cJSON *poly, *ring;
            if (!strcmp(type->valuestring, "Polygon")) {
                cJSON_ArrayForEach(ring, coords) ring_path(f, pj, ring);
            } else if (!strcmp(type->valuestring, "MultiPolygon")) {
                cJSON_ArrayForEach(poly, coords) cJSON_ArrayForEach(ring, poly) ring_path(f, pj, ring);
            }
            fprintf(f, "\"><title>");
            esc(f, r->cores->v[c].name);
            fprintf(f, ": %d min</title></path>\n", r->params->cutoff_min);
        }
        cJSON_Delete(fc);
    }
}

static void draw_map(FILE *f, const circle_report *r, const circle_result *res) {
    proj pj = make_proj(r, res);
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"map\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n",
            pj.w, pj.h, pj.w, pj.h);
    fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#fbfbf8\"></rect>\n", pj.w, pj.h);
    draw_isochrones(f, &pj, r, res);
    for (size_t i = 0; i < res->n_lines; i++) {
        const circle_line *l = &res->lines[i];
        const char *color = l->color[0] ? l->color : "777777";
        double width = l->route_type == 101 || l->route_type == 102 ? 3.5 : l->route_type == 2 ? 3 : 2;
        fprintf(f, "<polyline class=\"line\" stroke=\"#%s\" stroke-width=\"%.1f\"%s points=\"", color, width,
                l->route_type == 101 || l->route_type == 102 ? " stroke-dasharray=\"8 3\"" : "");
        for (size_t k = 0; k < l->n; k++) {
            double x, y;
            project(&pj, l->lat[k], l->lon[k], &x, &y);
            fprintf(f, "%s%.1f,%.1f", k ? " " : "", x, y);
        }
        fprintf(f, "\"><title>");
        esc(f, l->name);
        fprintf(f, "</title></polyline>\n");
    }
    for (size_t i = 0; i < r->places->n; i++) {
        const circle_place *p = &r->places->v[i];
        double x, y;
        project(&pj, p->lat, p->lon, &x, &y);
        int all = res->all_cores[i];
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" class=\"%s\"><title>", x, y, all ? "place all" : "place");
        esc(f, p->name);
        fprintf(f, "</title></circle>\n<text x=\"%.1f\" y=\"%.1f\" class=\"label\">", x + 7, y - 4);
        esc(f, p->name_zh[0] ? p->name_zh : p->name);
        fprintf(f, "</text>\n");
    }
    for (size_t c = 0; c < r->cores->n; c++) {
        const circle_place *p = &r->cores->v[c];
        double x, y;
        project(&pj, p->lat, p->lon, &x, &y);
        fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\" class=\"core\"><title>", x - 5,
                y - 5, core_colors[c % (sizeof core_colors / sizeof *core_colors)]);
        esc(f, p->name);
        fprintf(f, "</title></rect>\n");
    }
    fprintf(f, "</svg>\n");
}

static void cell_min(FILE *f, uint16_t v) {
    if (v == TC_UNREACHED_MIN) fputs("&#8212;", f);
    else fprintf(f, "%u", v);
}

static void pair_table(FILE *f, const circle_report *r, const circle_result *res, const circle_result *base) {
    fprintf(f, "<table class=\"pairs\">\n<thead><tr><th rowspan=\"2\">place</th>");
    for (size_t c = 0; c < res->n_cores; c++) {
        fprintf(f, "<th colspan=\"3\">&#8594; ");
        esc(f, r->cores->v[c].name);
        fprintf(f, "</th>");
    }
    fprintf(f, "</tr>\n<tr>");
    for (size_t c = 0; c < res->n_cores; c++) fprintf(f, "<th>p50</th><th>p90</th><th>car</th>");
    fprintf(f, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < res->n_places; i++) {
        const circle_place *pl = &r->places->v[i];
        fprintf(f, "<tr%s><td>", res->all_cores[i] ? " class=\"all\"" : "");
        esc(f, pl->name);
        if (pl->name_zh[0]) {
            fprintf(f, " <span class=\"zh\">");
            esc(f, pl->name_zh);
            fprintf(f, "</span>");
        }
        if (pl->approximate) fprintf(f, " <span class=\"apx\" title=\"approximate coordinates\">~</span>");
        fprintf(f, "</td>");
        for (size_t c = 0; c < res->n_cores; c++) {
            const circle_pair *p = &res->pairs[i * res->n_cores + c];
            const char *cls = p->inside ? "in" : "out";
            char diff[48] = "";
            if (base) {
                const circle_pair *b = &base->pairs[i * res->n_cores + c];
                if (p->p50 != b->p50) {
                    int better = p->p50 < b->p50;
                    cls = better ? (p->inside ? "in better" : "out better") : (p->inside ? "in worse" : "out worse");
                    if (b->p50 != TC_UNREACHED_MIN && p->p50 != TC_UNREACHED_MIN)
                        snprintf(diff, sizeof diff, " <small>(%+d)</small>", (int)p->p50 - (int)b->p50);
                    else
                        snprintf(diff, sizeof diff, " <small>(was %s)</small>",
                                 b->p50 == TC_UNREACHED_MIN ? "&#8212;" : "reached");
                }
            }
            fprintf(f, "<td class=\"%s\">", cls);
            cell_min(f, p->p50);
            fprintf(f, "%s</td><td>", diff);
            cell_min(f, p->p90);
            fprintf(f, "</td><td class=\"car\">");
            if (isfinite(p->car_min)) fprintf(f, "%.0f", p->car_min);
            else fputs("&#8212;", f);
            fprintf(f, "</td>");
        }
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</tbody></table>\n");
}

static void core_table(FILE *f, const circle_report *r, const circle_result *res) {
    fprintf(f, "<table class=\"cores\">\n<thead><tr><th>core</th><th>area within %d min (km&#178;)</th>"
               "<th>population within %d min</th><th>places inside</th></tr></thead>\n<tbody>\n",
            r->params->cutoff_min, r->params->cutoff_min);
    for (size_t c = 0; c < res->n_cores; c++) {
        fprintf(f, "<tr><td><span class=\"swatch\" style=\"background:%s\"></span> ",
                core_colors[c % (sizeof core_colors / sizeof *core_colors)]);
        esc(f, r->cores->v[c].name);
        fprintf(f, "</td><td>");
        if (isfinite(res->core_area_km2[c])) fprintf(f, "%.0f", res->core_area_km2[c]);
        else fputs("not computed", f);
        fprintf(f, "</td><td>");
        if (isfinite(res->core_population[c])) {
            fprintf(f, "%.0f", res->core_population[c]);
            if (res->population_total > 0)
                fprintf(f, " (%.1f%%)", 100 * res->core_population[c] / res->population_total);
        } else {
            fputs("no population grid (--population)", f);
        }
        fprintf(f, "</td><td>");
        int any = 0;
        for (size_t i = 0; i < res->n_places; i++)
            if (res->pairs[i * res->n_cores + c].inside) {
                if (any) fputs(", ", f);
                esc(f, r->places->v[i].name);
                any = 1;
            }
        if (!any) fputs("none", f);
        if (r->params->access_mode == TC_MODE_WALK && res->core_walk_to_stop_min[c] > r->params->max_access_min)
            fprintf(f, " <small>(the nearest stop is %.0f min on foot from this core, beyond the %d-min egress "
                       "limit: no transit time to it can be measured in this network%s)</small>",
                    res->core_walk_to_stop_min[c], r->params->max_access_min,
                    r->sketch_model ? "; the sketch has no bus there" : "");
        fprintf(f, "</td></tr>\n");
    }
    fprintf(f, "</tbody></table>\n<p class=\"three\"><b>Within %d min of all %zu cores:</b> ", r->params->cutoff_min,
            res->n_cores);
    int any = 0;
    for (size_t i = 0; i < res->n_places; i++)
        if (res->all_cores[i]) {
            if (any) fputs(", ", f);
            esc(f, r->places->v[i].name);
            any = 1;
        }
    if (!any) fputs("none", f);
    fprintf(f, "</p>\n");
}

static void hub_table(FILE *f, const circle_result *res) {
    if (!res->n_hubs) {
        fprintf(f, "<p>No high-speed / intercity / metro hubs in this network.</p>\n");
        return;
    }
    fprintf(f, "<table class=\"hubs\">\n<thead><tr><th>hub</th><th>connection</th><th>arrivals</th>"
               "<th>connected</th><th>min wait</th><th>median wait</th><th>max wait</th><th>transfer time</th>"
               "</tr></thead>\n<tbody>\n");
    for (size_t h = 0; h < res->n_hubs; h++) {
        const circle_hub_stat *hs = &res->hubs[h];
        fprintf(f, "<tr><td>");
        esc(f, hs->hub);
        fprintf(f, "</td><td>%s &#8594; %s%s</td><td>%zu</td><td>%zu</td>", circle_class_name(hs->from),
                circle_class_name(hs->to), hs->frequency_based ? " <small>(headway-based)</small>" : "",
                hs->arrivals, hs->connected);
        if (hs->connected)
            fprintf(f, "<td class=\"%s\">%.1f</td><td class=\"%s\">%.1f</td><td>%.1f</td><td>%.0f&#8211;%.0f</td>",
                    hs->wait_min_s <= 300 ? "in" : "", hs->wait_min_s / 60.0, hs->wait_p50_s <= 300 ? "in" : "out",
                    hs->wait_p50_s / 60.0, hs->wait_max_s / 60.0, hs->transfer_min_s / 60.0,
                    hs->transfer_max_s / 60.0);
        else
            fprintf(f, "<td colspan=\"4\">no feasible connection within 2 h</td>");
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</tbody></table>\n");
}

static const char *css =
    "body{font-family:system-ui,-apple-system,'Segoe UI','Noto Sans CJK SC',sans-serif;margin:24px;color:#222;"
    "max-width:1300px}\n"
    "h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin-top:1.4em}\n"
    ".sketch{background:#fff3cd;border:1px solid #e0c060;padding:8px 12px;border-radius:4px}\n"
    ".badge{background:#e0c060;color:#000;font-size:.75em;padding:1px 6px;border-radius:3px;margin-left:6px;"
    "vertical-align:middle}\n"
    "table{border-collapse:collapse;margin:8px 0;font-size:.9em}th,td{border:1px solid #ddd;padding:3px 7px;"
    "text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}\n"
    "table.cores td:last-child,table.hubs td:nth-child(2){text-align:left}\n"
    "td.in{background:#d9f2d9}td.out{background:#fbe3e3}td.car{color:#666}td.better{outline:2px solid #2a8a2a;"
    "font-weight:bold}td.worse{outline:2px solid #c03030;font-weight:bold}tr.all td:first-child{font-weight:bold}\n"
    ".zh{color:#666}.apx{color:#a60}.swatch{display:inline-block;width:10px;height:10px}\n"
    "svg.map{border:1px solid #ccc;background:#fbfbf8;max-width:100%;height:auto}\n"
    ".iso{fill-opacity:.13;stroke-opacity:.6;stroke-width:1;fill-rule:evenodd}\n"
    ".line{fill:none;stroke-linejoin:round;stroke-linecap:round;opacity:.85}\n"
    ".place{fill:#fff;stroke:#222;stroke-width:1.5}.place.all{fill:#ffd700}.core{stroke:#000;stroke-width:1}\n"
    ".label{font-size:11px;fill:#222;paint-order:stroke;stroke:#fbfbf8;stroke-width:3px}\n"
    ".maps{display:flex;flex-wrap:wrap;gap:16px}.maps figure{margin:0}figcaption{font-weight:bold}\n";

tc_status circle_write_html(const circle_report *r, const char *path, tc_error *err) {
    atomic_file af;
    tc_status st = atomic_file_open(&af, path, err);
    if (st) return st;
    FILE *f = af.fp;
    const circle_params *p = r->params;
    const circle_result *base = &r->results[0];
    char date[16], w0[16], w1[16];
    tc_format_date(p->date, date);
    circle_format_clock(p->window_start, w0);
    circle_format_clock(p->window_end, w1);
    const char *badge = r->sketch_model ? "<span class=\"badge\">sketch model</span>" : "";
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<title>One-hour commute circle%s</title>\n<style>\n%s</style>\n</head>\n<body>\n",
            r->sketch_model ? " (sketch model)" : "", css);
    fprintf(f, "<h1>One-hour commute circle%s</h1>\n", badge);
    if (r->sketch_model)
        fprintf(f, "<p class=\"sketch\"><b>Sketch model.</b> The network was written by hand in the sketch format; "
                   "headways, run times, hub transfer times and some station and place coordinates are "
                   "<b>assumptions</b> (see the data's README). Every number below rests on them: read them as the "
                   "shape of the network, not a measurement of today's service.</p>\n");
    fprintf(f, "<p>Network <code>");
    esc(f, r->network_label ? r->network_label : "-");
    fprintf(f, "</code>; service day %s; departures every minute %s&#8211;%s; cutoff %d min. Transit is "
               "door-to-door (access to the first stop and egress from the last: %s, at most %d min each), the median (p50) and 90th percentile (p90) over "
               "the departure minutes%s. ",
            date, w0, w1, p->cutoff_min,
            p->access_mode == TC_MODE_CAR ? "<b>car feeder on</b>: car, standing for a taxi or kiss-and-ride"
                                          : p->access_mode == TC_MODE_BIKE ? "bicycle" : "walking",
            p->max_access_min, " (frequency-based lines: random phase, Monte Carlo draws, as in R5)");
    if (base->car_road_model)
        fprintf(f, "Car: fastest path over the <b>road model</b> (%zu expressways, national roads and arterials with "
                   "assumed speeds; %s), local streets to and from it; no OSM street network.",
                circle_roads_n_roads(p->roads), p->car_peak ? "peak-hour factors applied" : "free-flow");
    else if (base->car_straight_line)
        fprintf(f, "Car: <b>no street network</b> &#8212; straight-line distance &#215; %.2f at %.0f km/h "
                   "(an assumption).",
                base->car_detour, base->car_speed_kmh);
    else
        fprintf(f, "Car: fastest path over the OSM street network at free-flow speeds.");
    fprintf(f, " Places reached within the cutoff at the median are green, the others red.</p>\n");
    if (r->n_assumptions) {
        fprintf(f, "<h2>Assumptions that remain%s</h2>\n<ul>\n", badge);
        for (size_t i = 0; i < r->n_assumptions; i++) {
            fprintf(f, "<li>");
            esc(f, r->assumptions[i]);
            fprintf(f, "</li>\n");
        }
        fprintf(f, "</ul>\n");
    }

    fprintf(f, "<h2>Maps%s</h2>\n<div class=\"maps\">\n", badge);
    for (size_t k = 0; k < r->n_results; k++) {
        fprintf(f, "<figure><figcaption>");
        esc(f, r->results[k].name);
        fprintf(f, "</figcaption>\n");
        draw_map(f, r, &r->results[k]);
        fprintf(f, "</figure>\n");
    }
    fprintf(f, "</div>\n<p>Lines in their colours (high-speed dashed); squares: the cores, shaded: each core's %d-min "
               "isochrone (p50, outbound from the core over the same window); circles: places, gold when within %d min of every core.</p>\n",
            p->cutoff_min, p->cutoff_min);

    for (size_t k = 0; k < r->n_results; k++) {
        const circle_result *res = &r->results[k];
        fprintf(f, "<h2>");
        esc(f, res->name);
        fprintf(f, "%s</h2>\n", badge);
        if (res->description[0]) {
            fprintf(f, "<p>");
            esc(f, res->description);
            fprintf(f, "</p>\n");
        }
        if (k > 0)
            fprintf(f, "<p>Cells outlined in green are faster than the baseline, red slower; the change in minutes "
                       "follows the median.</p>\n");
        fprintf(f, "<h3>Place &#8594; core travel times (minutes)</h3>\n");
        pair_table(f, r, res, k > 0 ? base : NULL);
        fprintf(f, "<h3>Cores</h3>\n");
        core_table(f, r, res);
        if (isfinite(res->population_all_cores))
            fprintf(f, "<p>Residents within %d min of all %zu cores: <b>%.0f</b> (%.1f%% of %.0f).</p>\n",
                    r->params->cutoff_min, res->n_cores, res->population_all_cores,
                    res->population_total > 0 ? 100 * res->population_all_cores / res->population_total : 0.0,
                    res->population_total);
        fprintf(f, "<h3>Hub connections (arrivals %s&#8211;%s)%s</h3>\n<p>Wait = time from an arrival to the next "
                   "departure of the other service that the transfer time allows (the plan's \"zero transfer\" "
                   "goal: waits of a few minutes). Headway-based departures are counted at nominal times.</p>\n",
                w0, w1, badge);
        hub_table(f, res);
    }
    if (r->freight) circle_freight_html(r->freight, f);
    fprintf(f, "<p><small>tongcheng %s &#8212; circle report.</small></p>\n</body>\n</html>\n", TC_VERSION_STRING);
    if (ferror(f)) {
        atomic_file_abort(&af);
        return error_set(err, TC_ERR_IO, path, 0, 0, "write failed");
    }
    return atomic_file_commit(&af, err);
}
