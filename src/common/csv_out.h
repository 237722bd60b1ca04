/*
 * csv_out.h — writing CSV fields (RFC 4180): a field is quoted only when it holds a comma, a quote, CR or LF, so
 * ordinary ids come out bare and odd ones survive a round trip through any CSV reader.
 */
#ifndef TC_COMMON_CSV_OUT_H
#define TC_COMMON_CSV_OUT_H

#include <stdio.h>

/* Write s as one CSV field (no separator). Returns 0, or EOF on a write error. */
int csv_put_field(FILE *fp, const char *s);

#endif
