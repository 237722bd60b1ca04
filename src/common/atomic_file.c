/* atomic_file.c — temporary file + fsync + rename (see atomic_file.h). */
#include "atomic_file.h"
#include "error.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *special_file_kind(unsigned mode) {
    return S_ISREG(mode)    ? NULL
           : S_ISDIR(mode)  ? "a directory"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISFIFO(mode) ? "a FIFO"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

tc_status output_path_check(const char *path, tc_error *err) {
    struct stat sb;
    if (stat(path, &sb) != 0) return TC_OK; /* absent (or unreadable: the open then says why) */
    const char *what = special_file_kind(sb.st_mode);
    if (!what) return TC_OK;
    return error_set(err, TC_ERR_INVALID_ARGUMENT, path, 0, 0,
                     "the output exists and is %s, not a regular file: refusing to replace it", what);
}

tc_status atomic_file_open(atomic_file *af, const char *path, tc_error *err) {
    memset(af, 0, sizeof *af);
    if (strlen(path) >= sizeof af->path) return error_set(err, TC_ERR_INVALID_ARGUMENT, path, 0, 0, "path too long");
    tc_status st = output_path_check(path, err);
    if (st) return st;
    snprintf(af->path, sizeof af->path, "%s", path);
    snprintf(af->tmp_path, sizeof af->tmp_path, "%s.tmp.%ld", path, (long)getpid());
    af->fp = fopen(af->tmp_path, "wb");
    if (!af->fp)
        return error_set(err, TC_ERR_IO, path, 0, 0, "cannot create %s: %s", af->tmp_path, strerror(errno));
    return TC_OK;
}

tc_status atomic_file_commit(atomic_file *af, tc_error *err) {
    if (!af->fp) return error_set(err, TC_ERR_INTERNAL, af->path, 0, 0, "file not open");
    int bad = fflush(af->fp) != 0 || ferror(af->fp);
    int e = errno;
    if (!bad && fsync(fileno(af->fp)) != 0) { bad = 1; e = errno; }
    if (fclose(af->fp) != 0 && !bad) { bad = 1; e = errno; }
    af->fp = NULL;
    tc_status special = bad ? TC_OK : output_path_check(af->path, err); /* made special while written */
    if (special) {
        unlink(af->tmp_path);
        return special;
    }
    if (!bad && rename(af->tmp_path, af->path) != 0) { bad = 1; e = errno; }
    if (bad) {
        unlink(af->tmp_path);
        return error_set(err, TC_ERR_IO, af->path, 0, 0, "cannot write: %s", strerror(e));
    }
    return TC_OK;
}

void atomic_file_abort(atomic_file *af) {
    if (af->fp) {
        fclose(af->fp);
        af->fp = NULL;
    }
    if (af->tmp_path[0]) unlink(af->tmp_path);
    af->tmp_path[0] = '\0';
}

tc_status atomic_file_write_all(const char *path, const void *data, size_t len, tc_error *err) {
    atomic_file af;
    tc_status st = atomic_file_open(&af, path, err);
    if (st) return st;
    if (len && fwrite(data, 1, len, af.fp) != len) {
        atomic_file_abort(&af);
        return error_set(err, TC_ERR_IO, path, 0, 0, "short write");
    }
    return atomic_file_commit(&af, err);
}
