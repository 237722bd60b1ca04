/*
 * atomic_file.h — write an output file so that readers only ever see the old file or the complete new one.
 *
 * The data goes to "PATH.tmp.PID" in the same folder (same filesystem, so rename(2) is atomic); commit fsyncs and
 * renames it over PATH; abort (or a crash) leaves PATH untouched. An existing PATH that is not a regular file (a
 * directory, device, FIFO or socket) is refused at open and again at commit: rename(2) would replace a device node
 * or a FIFO with a regular file (as root, -o /dev/null would replace /dev/null).
 */
#ifndef TC_COMMON_ATOMIC_FILE_H
#define TC_COMMON_ATOMIC_FILE_H

#include "tongcheng.h"
#include <stdio.h>

typedef struct atomic_file {
    FILE *fp;
    char path[4096];
    char tmp_path[4096 + 32];
} atomic_file;

/* TC_OK when path does not exist or is a regular file (a symbolic link is judged by what it points to); otherwise
 * TC_ERR_INVALID_ARGUMENT naming what it is. Every writer of an output path calls it before any work. */
tc_status output_path_check(const char *path, tc_error *err);
/* "a directory", "a FIFO", ... for a stat mode that is not a regular file; NULL for a regular file. */
const char *special_file_kind(unsigned mode);

tc_status atomic_file_open(atomic_file *af, const char *path, tc_error *err);
/* Flush, fsync, close and rename into place. On failure the temporary file is removed. */
tc_status atomic_file_commit(atomic_file *af, tc_error *err);
/* Close and remove the temporary file. Safe to call after a failed commit or twice. */
void atomic_file_abort(atomic_file *af);

/* Convenience: write a whole buffer atomically. */
tc_status atomic_file_write_all(const char *path, const void *data, size_t len, tc_error *err);

#endif
