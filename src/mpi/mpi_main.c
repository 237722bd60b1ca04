/*
 * mpi_main.c — `mpirun -n N tongcheng-mpi matrix|access ...`: the `tongcheng matrix|access` commands spread over
 * MPI ranks. Same arguments (parsed by the CLI's shared analysis option parser, src/cli/cmd_surface.c) and the same
 * output, byte for byte, plus:
 *   --broadcast-network   rank 0 reads the network file and broadcasts it; other ranks write it to a private
 *                         temporary file ($TMPDIR, default /tmp), map it, and unlink it at once (the mapping outlives
 *                         the name, so nothing is left behind even if the rank is killed). Without it every rank maps
 *                         NET itself, which must then be on a filesystem all nodes share.
 *   --chunk N             origins per work unit (default: about 16 units per rank, memory-bounded).
 *   --progress            progress on rank 0's stderr even when it is not a terminal (under mpirun it never is:
 *                         Open MPI forwards it through a pipe); --quiet still wins.
 * Rank 0 reads the points CSVs and broadcasts their bytes; every rank parses them (same parser, same result), so
 * only one process touches the input files. The work itself is in mpi_queue.c.
 */
#include "mpi_internal.h"

#include "common/error.h"

#include <errno.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tc_mpi_rank;

static const char *matrix_usage =
    "usage: mpirun -n N tongcheng-mpi matrix NET --origins O.csv --destinations D.csv --date YYYY-MM-DD\n"
    "                        --window HH:MM-HH:MM -o M.csv [--percentiles 5,50,95] [options]\n"
    "  --origins CSV, --destinations CSV   points with id, lat, lon columns (any order, other columns ignored)\n"
    "  output rows: from_id,to_id,travel_time_p50[,...] (unreachable = empty)\n";

static const char *access_usage =
    "usage: mpirun -n N tongcheng-mpi access NET --origins O.csv --opportunities D.csv --columns jobs,population\n"
    "                        --cutoffs 30,60 --date YYYY-MM-DD --window HH:MM-HH:MM -o A.csv [--decay FUNCTION]\n"
    "                        [--percentiles 5,50,95] [options]\n"
    "  --columns A,B            opportunity columns of the opportunities CSV (empty / NA count as 0)\n"
    "  --cutoffs MIN,...        travel-time cutoffs\n"
    "  --decay F                step (default), logistic[:SD], exponential[:K], linear[:W] (R5's definitions)\n"
    "  output rows: id,column,cutoff,percentile,accessibility\n";

static const char *mpi_usage =
    "MPI options:\n"
    "  --broadcast-network      rank 0 reads NET and broadcasts it (no shared filesystem needed)\n"
    "  --chunk N                origins per work unit handed to a rank (default: automatic)\n"
    "  --progress               show progress (rank 0) although stderr is not a terminal: mpirun forwards the\n"
    "                           ranks' stderr through a pipe, so the terminal test alone would never show it\n"
    "  --threads N              worker threads per rank (default: all cores; use cores / ranks per node)\n";

static void print_help(const char *usage) {
    if (tc_mpi_rank) return;
    fputs(usage, stdout);
    fputs(cli_analysis_common_usage, stdout);
    fputs(mpi_usage, stdout);
}

/* Parse argv as the single-process command does; 0, or the exit code (help: -1). */
static int parse_args(mpi_job *job, int argc, char **argv) {
    const char *usage = job->kind == TC_MPI_MATRIX ? matrix_usage : access_usage;
    const char *columns_s = NULL, *cutoffs_s = NULL, *decay_s = "step";
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            print_help(usage);
            return -1;
        }
        if (!strcmp(arg, "--broadcast-network")) {
            job->broadcast_network = 1;
            continue;
        }
        if (!strcmp(arg, "--progress")) {
            job->force_progress = 1;
            continue;
        }
        int r = cli_analysis_arg(&job->a, argc, argv, &i, usage);
        if (r > 0) return r;
        if (r == 0) continue;
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!val) return cli_usage(usage, "%s needs a value (or is unknown)", arg);
        i++;
        if (!strcmp(arg, "--origins")) job->orig_path = val;
        else if (!strcmp(arg, "--chunk")) {
            char *end;
            long v = strtol(val, &end, 10);
            if (end == val || *end || v < 1 || v > 1000000) return cli_usage(usage, "--chunk expects 1…1000000");
            job->chunk = (size_t)v;
        } else if (job->kind == TC_MPI_MATRIX && !strcmp(arg, "--destinations")) job->dest_path = val;
        else if (job->kind == TC_MPI_ACCESS && (!strcmp(arg, "--opportunities") || !strcmp(arg, "--destinations")))
            job->dest_path = val;
        else if (job->kind == TC_MPI_ACCESS && !strcmp(arg, "--columns")) columns_s = val;
        else if (job->kind == TC_MPI_ACCESS && !strcmp(arg, "--cutoffs")) cutoffs_s = val;
        else if (job->kind == TC_MPI_ACCESS && !strcmp(arg, "--decay")) decay_s = val;
        else return cli_usage(usage, "unknown option %s", arg);
    }
    int rc = cli_analysis_finish(&job->a, usage, 0);
    if (rc) return rc;
    job->a.opts.progress = 0; /* rank 0 shows progress over the whole job, not per chunk */
    if (job->kind == TC_MPI_MATRIX) {
        if (!job->orig_path || !job->dest_path) return cli_usage(usage, "--origins and --destinations are required");
        return 0;
    }
    if (!job->orig_path || !job->dest_path) return cli_usage(usage, "--origins and --opportunities are required");
    if (!columns_s || !*columns_s) return cli_usage(usage, "--columns is required");
    if (!cutoffs_s) return cli_usage(usage, "--cutoffs is required");
    tc_error err = {0};
    if (tc_parse_cutoffs(cutoffs_s, job->cutoffs, &job->n_cutoffs, &err) != TC_OK)
        return cli_usage(usage, "--cutoffs: %s", err.message);
    if (tc_decay_parse(decay_s, &job->decay, &err) != TC_OK) return cli_usage(usage, "--decay: %s", err.message);
    job->columns_buf = strdup(columns_s);
    if (!job->columns_buf) return cli_fail(&err);
    char *save = NULL;
    for (char *tok = strtok_r(job->columns_buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (job->n_cols == TC_MPI_MAX_COLUMNS) return cli_usage(usage, "at most %d columns", TC_MPI_MAX_COLUMNS);
        job->names[job->n_cols++] = tok;
    }
    if (!job->n_cols) return cli_usage(usage, "--columns is empty");
    return 0;
}

/* Broadcast in pieces: MPI counts are ints. */
static void bcast_bytes(void *data, uint64_t len) {
    const uint64_t piece = 1u << 30;
    for (uint64_t off = 0; off < len; off += piece) {
        uint64_t n = len - off < piece ? len - off : piece;
        MPI_Bcast((char *)data + off, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD);
    }
}

/* Rank 0 reads a whole file and broadcasts it; every rank gets the bytes (NUL-terminated) or, when rank 0 could
 * not read it, TC_ERR_IO everywhere (the message on rank 0). */
static tc_status bcast_file(const char *path, char **data, uint64_t *len, tc_error *err) {
    uint64_t size = UINT64_MAX;
    char *buf = NULL;
    if (tc_mpi_rank == 0) {
        FILE *fp = fopen(path, "rb");
        if (!fp) {
            error_set(err, TC_ERR_IO, path, 0, 0, "cannot open: %s", strerror(errno));
        } else {
            long end = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
            if (end >= 0 && fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)end + 1)) &&
                fread(buf, 1, (size_t)end, fp) == (size_t)end)
                size = (uint64_t)end;
            else
                error_set(err, TC_ERR_IO, path, 0, 0, "read error");
            fclose(fp);
        }
    }
    MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (size == UINT64_MAX) {
        free(buf);
        if (tc_mpi_rank) error_set(err, TC_ERR_IO, path, 0, 0, "rank 0 could not read it");
        return TC_ERR_IO;
    }
    if (tc_mpi_rank) buf = malloc(size + 1); /* NULL: still take part in the broadcast below, then fail */
    char *tmp = buf ? buf : malloc(1u << 20);
    for (uint64_t off = 0; off < size; off += 1u << 20) {
        uint64_t n = size - off < (1u << 20) ? size - off : (1u << 20);
        if (buf) bcast_bytes(buf + off, n);
        else if (tmp) bcast_bytes(tmp, n);
        else abort(); /* cannot even take part in the collective */
    }
    if (!buf) {
        free(tmp);
        return error_set(err, TC_ERR_NO_MEMORY, path, 0, 0, "out of memory");
    }
    buf[size] = 0;
    *data = buf;
    *len = size;
    return TC_OK;
}

static tc_status read_points(const char *path, int quiet, tc_points **out, tc_error *err) {
    char *data = NULL;
    uint64_t len = 0;
    tc_status st = bcast_file(path, &data, &len, err);
    if (st != TC_OK) return st;
    st = tc_points_parse(path, data, (size_t)len, quiet || tc_mpi_rank ? NULL : cli_print_finding, stderr, out, err);
    free(data);
    return st;
}

/* --broadcast-network: rank 0 maps NET; the others receive it into a private temporary file, map, unlink. */
static tc_status open_network(const mpi_job *job, tc_network **net, tc_error *err) {
    if (!job->broadcast_network) return tc_network_open(job->a.net, net, err);
    tc_status st = TC_OK;
    uint64_t size = UINT64_MAX;
    FILE *fp = NULL;
    if (tc_mpi_rank == 0) {
        fp = fopen(job->a.net, "rb");
        long end = fp && fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
        if (end >= 0 && fseek(fp, 0, SEEK_SET) == 0) size = (uint64_t)end;
        else st = error_set(err, TC_ERR_IO, job->a.net, 0, 0, "cannot read: %s", strerror(errno));
    }
    MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    if (size == UINT64_MAX) {
        if (fp) fclose(fp);
        if (tc_mpi_rank) st = error_set(err, TC_ERR_IO, job->a.net, 0, 0, "rank 0 could not read the network file");
        return st;
    }
    char tmp_path[4096] = "";
    int fd = -1;
    if (tc_mpi_rank) {
        const char *dir = getenv("TMPDIR");
        snprintf(tmp_path, sizeof tmp_path, "%s/tongcheng-mpi-net-XXXXXX", dir && *dir ? dir : "/tmp");
        fd = mkstemp(tmp_path);
        if (fd < 0) st = error_set(err, TC_ERR_IO, tmp_path, 0, 0, "cannot create: %s", strerror(errno));
    }
    const size_t piece = 64u << 20;
    char *buf = malloc(piece);
    if (!buf) abort(); /* cannot take part in the collective */
    for (uint64_t off = 0; off < size; off += piece) {
        size_t n = size - off < piece ? (size_t)(size - off) : piece;
        if (tc_mpi_rank == 0 && fread(buf, 1, n, fp) != n) {
            /* The file shrank under us: the others get garbage and the checksum check below catches it. */
            st = error_set(err, TC_ERR_IO, job->a.net, 0, 0, "read error");
        }
        bcast_bytes(buf, n);
        for (size_t w = 0; tc_mpi_rank && st == TC_OK && w < n;) {
            ssize_t k = write(fd, buf + w, n - w);
            if (k < 0 && errno == EINTR) continue;
            if (k <= 0) {
                st = error_set(err, TC_ERR_IO, tmp_path, 0, 0, "cannot write: %s", strerror(errno));
                break;
            }
            w += (size_t)k;
        }
    }
    free(buf);
    if (fp) fclose(fp);
    if (fd >= 0 && close(fd) != 0 && st == TC_OK)
        st = error_set(err, TC_ERR_IO, tmp_path, 0, 0, "cannot write: %s", strerror(errno));
    if (st == TC_OK) st = tc_network_open(tc_mpi_rank ? tmp_path : job->a.net, net, err);
    if (fd >= 0) unlink(tmp_path); /* mapped (or failed): the name is no longer needed */
    return st;
}

static size_t auto_chunk(const mpi_job *job, int size) {
    const size_t n = job->orig->n, per_origin_times = job->dest->n * job->a.opts.n_percentiles;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = job->a.opts.threads > 0 ? (size_t)job->a.opts.threads : (size_t)(cores > 0 ? cores : 1);
    size_t c = job->chunk ? job->chunk : n / ((size_t)size * 16);
    if (!job->chunk && c < 2 * threads) c = 2 * threads; /* keep every thread of a rank busy */
    size_t mem_cap = per_origin_times ? (32u << 20) / per_origin_times : c; /* ≈ 64 MB of travel times */
    size_t msg_cap = ((size_t)1 << 30) / (job->record_bytes ? job->record_bytes : 1); /* MPI counts are ints */
    if (c > mem_cap) c = mem_cap;
    if (c > msg_cap) c = msg_cap;
    if (c > n) c = n;
    return c ? c : 1;
}

int main(int argc, char **argv) {
    int provided = 0, size = 1;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &tc_mpi_rank);
    cli_program = "tongcheng-mpi";
    cli_silent = tc_mpi_rank != 0; /* errors and usage appear once, from rank 0 */
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    mpi_job job;
    memset(&job, 0, sizeof job);
    cli_analysis_init(&job.a);
    int rc = 0;
    if (argc < 2 || (strcmp(argv[1], "matrix") && strcmp(argv[1], "access"))) {
        if (!tc_mpi_rank)
            fprintf(stderr, "usage: mpirun -n N tongcheng-mpi matrix|access NET [options]  (see COMMAND --help)\n");
        rc = 2;
    } else {
        job.kind = strcmp(argv[1], "matrix") ? TC_MPI_ACCESS : TC_MPI_MATRIX;
        rc = parse_args(&job, argc - 1, argv + 1); /* every rank parses the same argv: same outcome everywhere */
        if (rc < 0) rc = 0, argc = 0; /* --help */
        else if (rc == 0) argc = -1;
    }
    if (argc != -1) {
        free(job.columns_buf);
        MPI_Finalize();
        return rc;
    }
    if (provided < MPI_THREAD_FUNNELED && !tc_mpi_rank)
        fprintf(stderr, "tongcheng-mpi: warning: MPI gives no thread support; running anyway\n");

    tc_error err = {0};
    tc_status st = read_points(job.orig_path, job.a.quiet, &job.orig, &err);
    if (st == TC_OK) st = read_points(job.dest_path, job.a.quiet, &job.dest, &err);
    tc_finding_fn on_finding = job.a.quiet || tc_mpi_rank ? NULL : cli_print_finding;
    for (size_t c = 0; st == TC_OK && c < job.n_cols; c++) {
        st = tc_points_column_values(job.dest, job.names[c], on_finding, stderr, &job.cols[c], &err);
        if (st == TC_ERR_NOT_FOUND)
            st = error_set(&err, TC_ERR_NOT_FOUND, job.dest_path, 1, 0, "no column \"%s\" in the opportunities file",
                           job.names[c]);
    }
    if (st != TC_OK) {
        /* The inputs are the same on every rank, so every rank got here: a plain error, no abort needed. */
        rc = cli_fail(&err);
    } else {
        const size_t np = job.a.opts.n_percentiles;
        job.record_bytes = job.kind == TC_MPI_MATRIX ? job.dest->n * np * sizeof(uint16_t)
                                                     : job.n_cols * job.n_cutoffs * np * sizeof(double);
        /* From here a failure may be one rank's alone (its network copy, memory): job_run reports and aborts. */
        st = open_network(&job, &job.net, &err);
        if (st == TC_OK) st = tc_destinations_create(job.net, &job.a.opts, job.dest->lat, job.dest->lon, job.dest->n,
                                                     &job.d, &err);
        job.chunk = auto_chunk(&job, size);
        rc = job_run(&job, size, st, &err);
    }
    tc_destinations_free(job.d);
    tc_network_close(job.net);
    tc_points_free(job.orig);
    tc_points_free(job.dest);
    free(job.columns_buf);
    MPI_Finalize();
    return rc;
}
