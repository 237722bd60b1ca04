/*
 * extra_files.c — checks of the GTFS files a build does not load: fares (v1 and v2), attributions, networks,
 * areas, levels, pathways. A validation run should cover the whole feed, but these files shape no timetable, so
 * they get a generic treatment driven by a table: per file, the columns that together must be unique, and the
 * columns that must name an id defined elsewhere. The sets of ids are read lazily from their files (one column
 * streamed into an id map), only when a reference to them is actually met.
 */
#include "gtfs/gtfs_internal.h"
#include "common/error.h"

#include <stdlib.h>
#include <string.h>

enum {
    SET_AGENCY, SET_ROUTE, SET_TRIP, SET_STOP, SET_ZONE, SET_FARE, SET_AREA, SET_NETWORK, SET_NETWORK_FILE,
    SET_PRODUCT, SET_RIDER, SET_MEDIA, SET_LEG_GROUP, SET_TIMEFRAME, N_SETS
};

typedef struct set_source {
    const char *file, *column;
} set_source;

/* where each set's ids are defined (a set may gather several columns) */
static const set_source set_sources[N_SETS][3] = {
    [SET_AGENCY] = {{"agency.txt", "agency_id"}},
    [SET_ROUTE] = {{"routes.txt", "route_id"}},
    [SET_TRIP] = {{"trips.txt", "trip_id"}},
    [SET_STOP] = {{"stops.txt", "stop_id"}},
    [SET_ZONE] = {{"stops.txt", "zone_id"}},
    [SET_FARE] = {{"fare_attributes.txt", "fare_id"}},
    [SET_AREA] = {{"areas.txt", "area_id"}},
    [SET_NETWORK] = {{"networks.txt", "network_id"}, {"routes.txt", "network_id"}},
    [SET_NETWORK_FILE] = {{"networks.txt", "network_id"}},
    [SET_PRODUCT] = {{"fare_products.txt", "fare_product_id"}},
    [SET_RIDER] = {{"rider_categories.txt", "rider_category_id"}},
    [SET_MEDIA] = {{"fare_media.txt", "fare_media_id"}, {"fare_containers.txt", "fare_media_id"},
                   {"fare_containers.txt", "fare_container_id"}},
    [SET_LEG_GROUP] = {{"fare_leg_rules.txt", "leg_group_id"}},
    [SET_TIMEFRAME] = {{"timeframes.txt", "timeframe_group_id"}},
};

typedef struct file_ref {
    const char *column;
    int set;
} file_ref;

typedef struct file_check {
    const char *file;
    const char *key[7]; /* columns whose values together must be unique (NULL-terminated; none = no check) */
    file_ref refs[7];   /* {NULL} ends */
} file_check;

static const file_check checks[] = {
    {"attributions.txt", {"attribution_id"},
     {{"agency_id", SET_AGENCY}, {"route_id", SET_ROUTE}, {"trip_id", SET_TRIP}}},
    {"fare_attributes.txt", {"fare_id"}, {{"agency_id", SET_AGENCY}}},
    {"fare_rules.txt", {"fare_id", "route_id", "origin_id", "destination_id", "contains_id"},
     {{"fare_id", SET_FARE}, {"route_id", SET_ROUTE}, {"origin_id", SET_ZONE}, {"destination_id", SET_ZONE},
      {"contains_id", SET_ZONE}}},
    {"fare_leg_rules.txt", {NULL},
     {{"from_area_id", SET_AREA}, {"to_area_id", SET_AREA}, {"network_id", SET_NETWORK},
      {"fare_product_id", SET_PRODUCT}, {"from_timeframe_group_id", SET_TIMEFRAME},
      {"to_timeframe_group_id", SET_TIMEFRAME}}},
    {"fare_transfer_rules.txt", {NULL},
     {{"from_leg_group_id", SET_LEG_GROUP}, {"to_leg_group_id", SET_LEG_GROUP}, {"fare_product_id", SET_PRODUCT},
      {"filter_fare_product_id", SET_PRODUCT}}},
    {"fare_products.txt", {"fare_product_id", "rider_category_id", "fare_media_id"},
     {{"rider_category_id", SET_RIDER}, {"fare_media_id", SET_MEDIA}}},
    {"networks.txt", {"network_id"}, {{NULL, 0}}},
    {"route_networks.txt", {"route_id"}, {{"network_id", SET_NETWORK_FILE}, {"route_id", SET_ROUTE}}},
    {"areas.txt", {"area_id"}, {{NULL, 0}}},
    {"stop_areas.txt", {"area_id", "stop_id"}, {{"area_id", SET_AREA}, {"stop_id", SET_STOP}}},
    {"rider_categories.txt", {"rider_category_id"}, {{NULL, 0}}},
    {"fare_media.txt", {"fare_media_id"}, {{NULL, 0}}},
    {"levels.txt", {"level_id"}, {{NULL, 0}}},
    {"pathways.txt", {"pathway_id"}, {{"from_stop_id", SET_STOP}, {"to_stop_id", SET_STOP}}},
};

typedef struct idset {
    gtfs_idmap map;
    gtfs_arena arena;
    int loaded;
} idset;

typedef struct ctx {
    gtfs_source *src;
    diag_log *diag;
    idset sets[N_SETS];
} ctx;

static long read_stream(void *c, char *buf, size_t cap, tc_error *err) { return gtfs_stream_read(c, buf, cap, err); }

/* Open file as CSV without findings (the caller has its own reasons to read it). 0 on success. */
static int open_quiet(ctx *c, const char *file, csv_reader *csv, gtfs_stream **st, diag_log *diag) {
    if (!gtfs_source_has(c->src, file)) return -1;
    *st = gtfs_stream_open(c->src, file, NULL);
    if (!*st) return -1;
    if (csv_reader_open(csv, file, read_stream, *st, diag, NULL) != TC_OK) {
        csv_reader_close(csv);
        gtfs_stream_close(*st);
        return -1;
    }
    return 0;
}

static idset *get_set(ctx *c, int s) {
    idset *set = &c->sets[s];
    if (set->loaded) return set;
    set->loaded = 1;
    diag_log silent = {0};
    for (int k = 0; k < 3 && set_sources[s][k].file; k++) {
        csv_reader csv;
        gtfs_stream *st;
        if (open_quiet(c, set_sources[s][k].file, &csv, &st, &silent)) continue;
        int col = csv_reader_col(&csv, set_sources[s][k].column);
        while (col >= 0 && csv_reader_next(&csv) == 1) {
            size_t n;
            const char *v = csv_reader_get(&csv, col, &n);
            if (!n || gtfs_idmap_get(&set->map, v, n) != GTFS_NONE) continue;
            char *key = gtfs_arena_strndup(&set->arena, v, n);
            if (!key || gtfs_idmap_put(&set->map, key, n, 0) == -2) break;
        }
        csv_reader_close(&csv);
        gtfs_stream_close(st);
    }
    return set;
}

static void check_file(ctx *c, const file_check *chk, const gtfs_feed *feed) {
    csv_reader csv;
    gtfs_stream *st;
    if (open_quiet(c, chk->file, &csv, &st, c->diag)) return;
    int key_cols[7], n_key = 0;
    for (int k = 0; k < 7 && chk->key[k]; k++) key_cols[n_key++] = csv_reader_col(&csv, chk->key[k]);
    int any_key = 0;
    for (int k = 0; k < n_key; k++) any_key |= key_cols[k] >= 0;
    int ref_cols[7], n_ref = 0;
    for (int k = 0; k < 7 && chk->refs[k].column; k++) ref_cols[n_ref++] = csv_reader_col(&csv, chk->refs[k].column);
    int is_fare_attr = !strcmp(chk->file, "fare_attributes.txt");
    int c_agency = csv_reader_col(&csv, "agency_id");
    gtfs_idmap seen = {0};
    gtfs_arena keys = {0};
    char kb[1024];
    while (csv_reader_next(&csv) == 1) {
        if (any_key) {
            size_t kl = 0;
            int all_empty = 1;
            for (int k = 0; k < n_key; k++) {
                size_t n;
                const char *v = csv_reader_get(&csv, key_cols[k], &n);
                if (n) all_empty = 0;
                if (kl + n + 1 < sizeof kb) {
                    memcpy(kb + kl, v, n);
                    kl += n;
                    kb[kl++] = '\x1f';
                }
            }
            if (!all_empty) {
                char *key = gtfs_arena_strndup(&keys, kb, kl);
                int32_t prev = key ? gtfs_idmap_put(&seen, key, kl, (int32_t)csv.row_line) : -2;
                if (prev >= 0)
                    diag_report(c->diag, TC_SEV_ERROR, "duplicate_key", chk->file, csv.row_line, key_cols[0] + 1,
                                "the same %s%s as line %d (duplicate)", chk->key[0], n_key > 1 ? " (and key columns)" : "",
                                (int)prev);
            }
        }
        for (int k = 0; k < n_ref; k++) {
            size_t n;
            const char *v = csv_reader_get(&csv, ref_cols[k], &n);
            if (!n) continue;
            idset *set = get_set(c, chk->refs[k].set);
            if (gtfs_idmap_get(&set->map, v, n) == GTFS_NONE)
                diag_report(c->diag, TC_SEV_ERROR, "unknown_reference", chk->file, csv.row_line, ref_cols[k] + 1,
                            "%s \"%.*s\" is not defined in %s", chk->refs[k].column, (int)n, v,
                            set_sources[chk->refs[k].set][0].file);
        }
        if (is_fare_attr && feed->n_agencies > 1) {
            size_t n;
            csv_reader_get(&csv, c_agency, &n);
            if (!n)
                diag_report(c->diag, TC_SEV_ERROR, "missing_required_field", chk->file, csv.row_line, c_agency + 1,
                            "agency_id is required when the feed has several agencies");
        }
    }
    gtfs_idmap_free(&seen);
    gtfs_arena_free(&keys);
    csv_reader_close(&csv);
    gtfs_stream_close(st);
}

/* Fares v2: a fare product sold for several rider categories must leave no doubt which applies by default:
 * two default categories for one product, or a row without a category while several categories are default. */
static void check_rider_categories(ctx *c) {
    diag_log silent = {0};
    csv_reader csv;
    gtfs_stream *st;
    gtfs_idmap defaults = {0};
    gtfs_arena arena = {0};
    size_t n_defaults = 0;
    if (!open_quiet(c, "rider_categories.txt", &csv, &st, &silent)) {
        int c_id = csv_reader_col(&csv, "rider_category_id"), c_def = csv_reader_col(&csv, "is_default_fare_category");
        while (csv_reader_next(&csv) == 1) {
            size_t n, dn;
            const char *v = csv_reader_get(&csv, c_id, &n);
            const char *d = csv_reader_get(&csv, c_def, &dn);
            if (n && dn == 1 && d[0] == '1') {
                char *k = gtfs_arena_strndup(&arena, v, n);
                if (k && gtfs_idmap_put(&defaults, k, n, 1) == GTFS_NONE) n_defaults++;
            }
        }
        csv_reader_close(&csv);
        gtfs_stream_close(st);
    }
    if (n_defaults && !open_quiet(c, "fare_products.txt", &csv, &st, &silent)) {
        int c_id = csv_reader_col(&csv, "fare_product_id"), c_rc = csv_reader_col(&csv, "rider_category_id");
        gtfs_idmap with_default = {0};
        while (csv_reader_next(&csv) == 1) {
            size_t n, rn;
            const char *id = csv_reader_get(&csv, c_id, &n);
            const char *rc = csv_reader_get(&csv, c_rc, &rn);
            if (!n) continue;
            if (!rn) {
                if (n_defaults > 1)
                    diag_report(c->diag, TC_SEV_ERROR, "ambiguous_rider_category", "fare_products.txt", csv.row_line,
                                c_rc + 1, "fare product \"%.*s\" has no rider_category_id while %zu categories are "
                                "marked default", (int)n, id, n_defaults);
                continue;
            }
            if (gtfs_idmap_get(&defaults, rc, rn) == GTFS_NONE) continue;
            char *k = gtfs_arena_strndup(&arena, id, n);
            if (k && gtfs_idmap_put(&with_default, k, n, (int32_t)csv.row_line) >= 0)
                diag_report(c->diag, TC_SEV_ERROR, "ambiguous_rider_category", "fare_products.txt", csv.row_line,
                            c_rc + 1, "fare product \"%.*s\" is sold for two default rider categories", (int)n, id);
        }
        gtfs_idmap_free(&with_default);
        csv_reader_close(&csv);
        gtfs_stream_close(st);
    }
    gtfs_idmap_free(&defaults);
    gtfs_arena_free(&arena);
}

void gtfs_check_extra_files(gtfs_source *src, const gtfs_feed *feed, diag_log *diag) {
    ctx c;
    memset(&c, 0, sizeof c);
    c.src = src;
    c.diag = diag;
    for (size_t i = 0; i < sizeof checks / sizeof *checks; i++) check_file(&c, &checks[i], feed);
    check_rider_categories(&c);
    for (int s = 0; s < N_SETS; s++) {
        gtfs_idmap_free(&c.sets[s].map);
        gtfs_arena_free(&c.sets[s].arena);
    }
}
