/* csv_out.c — RFC 4180 field quoting (see csv_out.h). */
#include "common/csv_out.h"

#include <string.h>

int csv_put_field(FILE *fp, const char *s) {
    if (!s[strcspn(s, ",\"\r\n")]) return fputs(s, fp) < 0 ? EOF : 0;
    if (putc('"', fp) == EOF) return EOF;
    for (; *s; s++) {
        if (*s == '"' && putc('"', fp) == EOF) return EOF;
        if (putc(*s, fp) == EOF) return EOF;
    }
    return putc('"', fp) == EOF ? EOF : 0;
}
