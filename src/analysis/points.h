/*
 * points.h — a points CSV: origins, destinations and opportunities for matrix and access.
 *
 * The model is r5r's (and ../shared/data/porto-alegre/poa_hexgrid.csv): a header naming `id`, `lat` and `lon` in
 * any order (also `latitude`, `lng`, `longitude`; case-insensitive), plus any other columns. Those other columns are
 * read as numbers where they are numbers, so opportunity counts can be fetched by name; a column holding text is
 * only an error when someone asks for it as a number. Duplicate or empty ids and bad coordinates are errors naming
 * file, line and column (the 1-based field number). Quoting (RFC 4180), a UTF-8 BOM and CRLF are accepted.
 */
#ifndef TC_ANALYSIS_POINTS_H
#define TC_ANALYSIS_POINTS_H

#include "tongcheng.h"
#include "common/error.h"

#include <stddef.h>

typedef struct tc_points_column tc_points_column; /* one extra column; opaque */

typedef struct tc_points {
    size_t n;             /* points, in file order */
    char **ids;           /* n NUL-terminated ids, unique */
    double *lat, *lon;    /* degrees WGS84 */
    long *lines;          /* the line each point's record starts on (for messages) */
    size_t n_columns;     /* the columns other than id/lat/lon, in header order */
    tc_points_column *columns;
    char *source;         /* the file name used in messages */
    size_t *id_slots;     /* private: open-addressing table of index+1 by id hash (0 = empty) */
    char **wkt;           /* n geometries as text from a column named "geometry" or "wkt" (e.g. hexagons, for
                             GeoPackage output), or NULL when there is no such column */
    size_t id_slot_mask;
} tc_points;

/* Read a points CSV from a file. Warnings (none at read time today) go to diag (may be NULL). */
tc_status tc_points_read(const char *path, tc_diag *diag, tc_points **out, tc_error *err);

/* The same from memory; name is used in messages. data need not be NUL-terminated. */
tc_status tc_points_parse(const char *name, const char *data, size_t len, tc_diag *diag, tc_points **out,
                          tc_error *err);

void tc_points_free(tc_points *points);

/* Name of extra column i (0 ≤ i < n_columns). */
const char *tc_points_column_name(const tc_points *points, size_t i);

/* The values (n of them) of the extra column called name (case-insensitive). Empty or "NA" cells count as 0 and are
 * reported once per column to diag as warning "missing_value" (with the count and the first line); a cell that is
 * not a number is an error naming its line and column. TC_ERR_NOT_FOUND when no such column. The array belongs
 * to points. */
tc_status tc_points_column_values(const tc_points *points, const char *name, tc_diag *diag, const double **values_out,
                                  tc_error *err);

/* Index of the point with this id, or -1. */
long tc_points_find(const tc_points *points, const char *id);

#endif
