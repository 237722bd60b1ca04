/*
 * circle_freight.c — the freight section of the circle report: the plan's named logistics hubs (a hubs CSV, e.g.
 * data/changzhutan/hubs.csv) and the people their delivery trucks reach on the road model within each cutoff, today
 * (each truck holds only its own city's delivery permit, so the other cities' centres are closed to it during their
 * daytime bans) and with mutual recognition (城市配送车辆互通互认: one permit valid in all three centres).
 *
 * Times come from circle_roads_truck_from (one search per hub over the road model); coverage is the population of
 * the grid cells reached in under the cutoff, as `hubs` counts over a street network.
 */
#include "report/circle.h"
#include "common/atomic_file.h"
#include "common/error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void circle_freight_free(circle_freight *f) {
    if (!f) return;
    free(f->hubs);
    free(f->home);
    free(f->pop);
    free(f->pop_any);
    free(f);
}

tc_status circle_freight_compute(const circle_roads *roads, const char *hubs_path, const circle_population *pop,
                                 int32_t depart_s, circle_freight **out, tc_error *err) {
    *out = NULL;
    circle_freight *f = calloc(1, sizeof *f);
    if (!f) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    static const int CUT[CIRCLE_FREIGHT_CUTOFFS] = {30, 60, 90};
    memcpy(f->cutoffs, CUT, sizeof CUT);
    f->depart_s = depart_s;
    f->total_pop = pop->total;
    f->n_zones = circle_roads_n_truck_zones(roads);
    tc_status st = tc_hubs_read(hubs_path, &f->hubs, &f->n_hubs, err);
    if (st != TC_OK) {
        free(f);
        return st;
    }
    size_t H = f->n_hubs, K = CIRCLE_FREIGHT_CUTOFFS;
    f->home = calloc(H, sizeof *f->home);
    f->pop = calloc(2 * H * K, sizeof *f->pop);
    f->pop_any = calloc(2 * K, sizeof *f->pop_any);
    double *mins = malloc((pop->n + 1) * sizeof *mins);
    uint8_t *any = malloc(2 * K * (pop->n + 1));
    if (!f->home || !f->pop || !f->pop_any || !mins || !any) {
        free(mins), free(any);
        circle_freight_free(f);
        return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
    }
    memset(any, 0, 2 * K * (pop->n + 1));
    for (size_t h = 0; h < H; h++) {
        const char *city = circle_roads_zone_city(roads, f->hubs[h].lat, f->hubs[h].lon);
        f->home[h] = city;
        for (int mutual = 0; mutual < 2; mutual++) {
            circle_truck t = {city, mutual, depart_s, 0};
            if (circle_roads_truck_from(roads, f->hubs[h].lat, f->hubs[h].lon, &t, pop->lat, pop->lon, pop->n, mins)) {
                free(mins), free(any);
                circle_freight_free(f);
                return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
            }
            for (size_t c = 0; c < pop->n; c++)
                for (size_t k = 0; k < K; k++)
                    if (mins[c] < f->cutoffs[k]) {
                        f->pop[(mutual * H + h) * K + k] += pop->count[c];
                        any[(mutual * K + k) * (pop->n + 1) + c] = 1;
                    }
        }
    }
    for (int mutual = 0; mutual < 2; mutual++)
        for (size_t k = 0; k < K; k++)
            for (size_t c = 0; c < pop->n; c++)
                if (any[(mutual * K + k) * (pop->n + 1) + c]) f->pop_any[mutual * K + k] += pop->count[c];
    free(mins);
    free(any);
    *out = f;
    return TC_OK;
}

tc_status circle_freight_write_csv(const circle_freight *f, const char *path, tc_error *err) {
    atomic_file af;
    tc_status st = atomic_file_open(&af, path, err);
    if (st) return st;
    size_t H = f->n_hubs, K = CIRCLE_FREIGHT_CUTOFFS;
    fputs("hub_id,name,type,home_city,cutoff_min,population_today,population_mutual_recognition,change\n", af.fp);
    for (size_t h = 0; h <= H; h++)
        for (size_t k = 0; k < K; k++) {
            double a = h < H ? f->pop[h * K + k] : f->pop_any[k], b = h < H ? f->pop[(H + h) * K + k] : f->pop_any[K + k];
            if (h < H)
                fprintf(af.fp, "%s,\"%s\",%s,%s,", f->hubs[h].id, f->hubs[h].name, f->hubs[h].type,
                        f->home[h] ? f->home[h] : "");
            else
                fputs("*,all hubs,*,,", af.fp);
            fprintf(af.fp, "%d,%.0f,%.0f,%.0f\n", f->cutoffs[k], a, b, b - a);
        }
    return atomic_file_commit(&af, err);
}

static void clock_of(int32_t s, char *buf) { snprintf(buf, 16, "%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60)); }

void circle_freight_print(const circle_freight *f, FILE *out) {
    size_t H = f->n_hubs, K = CIRCLE_FREIGHT_CUTOFFS;
    char clk[16];
    clock_of(f->depart_s, clk);
    fprintf(out, "\nFreight: %zu named logistics sites, delivery truck on the road model leaving at %s; people "
                 "reached (of %.0f) today / with mutual recognition of delivery permits\n", H, clk, f->total_pop);
    fprintf(out, "  %-28s %-18s %7s %21s %21s %21s\n", "hub", "type", "city", "30 min", "60 min", "90 min");
    for (size_t h = 0; h <= H; h++) {
        if (h < H)
            fprintf(out, "  %-28.28s %-18.18s %7.7s", f->hubs[h].id, f->hubs[h].type, f->home[h] ? f->home[h] : "");
        else
            fprintf(out, "  %-28s %-18s %7s", "any hub", "", "");
        for (size_t k = 0; k < K; k++) {
            double a = h < H ? f->pop[h * K + k] : f->pop_any[k], b = h < H ? f->pop[(H + h) * K + k] : f->pop_any[K + k];
            fprintf(out, " %9.0f / %9.0f", a, b);
        }
        fputc('\n', out);
    }
}

static void html_text(FILE *o, const char *s) {
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", o);
        else if (*s == '>') fputs("&gt;", o);
        else if (*s == '&') fputs("&amp;", o);
        else fputc(*s, o);
    }
}

void circle_freight_html(const circle_freight *f, FILE *o) {
    size_t H = f->n_hubs, K = CIRCLE_FREIGHT_CUTOFFS;
    char clk[16];
    clock_of(f->depart_s, clk);
    fprintf(o, "<h2>Freight: the plan's logistics sites</h2>\n<p>A delivery truck (at most the road model's truck "
               "speed) leaves each named site at %s on a working day. <b>Today</b> it holds only its own city's "
               "delivery permit, so the other cities' centres (%zu zones, labelled assumptions in roads.json) are "
               "closed to it during their daytime bans; with <b>mutual recognition</b> (城市配送车辆互通互认) one "
               "permit opens all three. People reached within each cutoff, of %.0f on the population grid. Site "
               "positions are approximate (data/changzhutan/hubs.csv).</p>\n",
            clk, f->n_zones, f->total_pop);
    fputs("<table>\n<tr><th>site</th><th>type</th><th>city</th>", o);
    for (size_t k = 0; k < K; k++) fprintf(o, "<th>%d min today</th><th>mutual</th>", f->cutoffs[k]);
    fputs("</tr>\n", o);
    for (size_t h = 0; h <= H; h++) {
        fputs("<tr><td>", o);
        html_text(o, h < H ? f->hubs[h].name : "any site");
        fputs("</td><td>", o);
        html_text(o, h < H ? f->hubs[h].type : "");
        fputs("</td><td>", o);
        html_text(o, h < H && f->home[h] ? f->home[h] : "");
        fputs("</td>", o);
        for (size_t k = 0; k < K; k++) {
            double a = h < H ? f->pop[h * K + k] : f->pop_any[k], b = h < H ? f->pop[(H + h) * K + k] : f->pop_any[K + k];
            fprintf(o, "<td>%.0f</td><td>%.0f%s</td>", a, b, b > a ? " &#9650;" : "");
        }
        fputs("</tr>\n", o);
    }
    fputs("</table>\n", o);
}
