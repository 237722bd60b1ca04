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

/* Name of extra column i (0 ≤ i < n_columns). */
const char *points_column_name(const tc_points *points, size_t i);

/* Index of the point with this id, or -1. */
long points_find(const tc_points *points, const char *id);

#endif
