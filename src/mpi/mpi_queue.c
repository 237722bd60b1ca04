/*
 * mpi_queue.c — the work queue of tongcheng-mpi: rank 0 hands out chunks of consecutive origins on request, so a
 * slow rank simply asks less often and never holds the others back; results come back to rank 0, which writes them
 * in origin order through the single-process writers into a temporary file renamed only once every chunk arrived.
 *
 * Protocol (all point-to-point, MPI_BYTE): a worker sends TAG_RESULT = {head, payload} — its first message carries
 * no result (a request), later ones the result of its last chunk, or an error (head.status != TC_OK, payload = its
 * tc_error) — and gets TAG_WORK = {first, count} back; count 0 means stop. Rank 0 computes too, on one extra thread
 * (with the library's --threads workers under it), so its MPI thread only polls: MPI_Iprobe plus a short,
 * backing-off sleep, because a blocking receive in Open MPI spins a core that the computation needs
 * (MPI_THREAD_FUNNELED suffices).
 *
 * Failures: a rank's error is reported by rank 0 with the rank number, rank 0 removes its temporary file and calls
 * MPI_Abort. A rank that dies (signal) is detected by Open MPI's runtime, which kills the job; rank 0 removes its
 * temporary file on SIGTERM, and in any case renames it only once the last chunk is written and every rank has
 * reached a final barrier.
 * Test hooks (environment): TC_MPI_TEST_DIE_RANK=R makes rank R abort() after sending its first result (or, if the
 * other ranks took every chunk first, when told to stop); TC_MPI_TEST_FAIL_RANK=R makes rank R report a computation
 * error for its first chunk (rank 0's thread), or in place of asking for one (ranks 1…N-1: so the failure does not
 * depend on whether the others were quicker — with faster routing they took all the chunks of the test's small run
 * before rank 1 asked, and it was never told to compute).
 */
#include "mpi_internal.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "common/progress.h"

#include <mpi.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { TAG_RESULT = 1, TAG_WORK = 2 };

typedef struct msg_head {
    int64_t first, count;
    int32_t status;
    int32_t pad;
} msg_head;

static atomic_file out_file;
static int out_open;
static volatile sig_atomic_t out_tmp_set;
static char out_tmp[sizeof out_file.tmp_path];

static int test_rank(const char *name) {
    const char *v = getenv(name);
    return v && *v ? atoi(v) : -1;
}

_Noreturn void job_die(int rank, const tc_error *err) {
    if (err->file[0] && err->line)
        fprintf(stderr, "tongcheng-mpi: rank %d failed: %s:%ld:%ld: %s\n", rank, err->file, err->line, err->column,
                err->message);
    else if (err->file[0])
        fprintf(stderr, "tongcheng-mpi: rank %d failed: %s: %s\n", rank, err->file, err->message);
    else
        fprintf(stderr, "tongcheng-mpi: rank %d failed: %s\n", rank, err->message);
    if (out_open) {
        out_tmp_set = 0;
        atomic_file_abort(&out_file);
        fprintf(stderr, "tongcheng-mpi: no output written\n");
    }
    fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, 1);
    abort(); /* not reached */
}

/* Open MPI's runtime sends SIGTERM when another rank died: remove the partial temporary file, then die as asked. */
static void on_term(int sig) {
    if (out_tmp_set) unlink(out_tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Idle wait of rank 0's MPI thread: from 0.1 ms doubling to 4 ms while nothing happens. Chunks take 100s of ms,
 * so a few ms of answer latency cost nothing, while waking every 0.2 ms was measured to eat ~20 % of a core
 * (and to preempt the computing thread) on a loaded 2-core machine. */
static void nap(long *ns) {
    struct timespec ts = {0, *ns};
    nanosleep(&ts, NULL);
    if (*ns < 4000000) *ns *= 2;
}

/* A barrier that sleeps instead of spinning: a rank done early must not take CPU from those still computing. */
static void quiet_barrier(void) {
    MPI_Request req;
    int done = 0;
    long idle_ns = 100000;
    MPI_Ibarrier(MPI_COMM_WORLD, &req);
    for (MPI_Test(&req, &done, MPI_STATUS_IGNORE); !done; MPI_Test(&req, &done, MPI_STATUS_IGNORE)) nap(&idle_ns);
}

/* ---- rank 0: its own computing thread ---- */

typedef struct local_worker {
    mpi_job *job;
    pthread_mutex_t *lock;
    size_t *next_chunk, n_chunks, chunk, n;
    char **ready; /* per chunk: {head, payload} once computed (by anyone); guarded by lock */
    int failed;   /* guarded by lock */
    tc_error err;
} local_worker;

static void *local_main(void *arg) {
    local_worker *w = arg;
    mpi_scratch s = {0};
    const int die = test_rank("TC_MPI_TEST_DIE_RANK") == 0, fail = test_rank("TC_MPI_TEST_FAIL_RANK") == 0;
    for (int done = 0;; done++) {
        pthread_mutex_lock(w->lock);
        size_t k = *w->next_chunk < w->n_chunks ? (*w->next_chunk)++ : SIZE_MAX;
        pthread_mutex_unlock(w->lock);
        if (k == SIZE_MAX) break;
        if (die && done == 1) abort();
        size_t first = k * w->chunk, count = w->n - first < w->chunk ? w->n - first : w->chunk;
        char *buf = malloc(sizeof(msg_head) + count * w->job->record_bytes);
        tc_error err = {0};
        tc_status st = buf ? TC_OK : error_set(&err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        if (st == TC_OK && fail && done == 0)
            st = error_set(&err, TC_ERR_INTERNAL, NULL, 0, 0, "simulated failure (TC_MPI_TEST_FAIL_RANK)");
        if (st == TC_OK) st = job_compute(w->job, &s, first, count, buf + sizeof(msg_head), &err);
        pthread_mutex_lock(w->lock);
        if (st != TC_OK) {
            w->failed = 1;
            w->err = err;
        } else {
            w->ready[k] = buf;
        }
        pthread_mutex_unlock(w->lock);
        if (st != TC_OK) {
            free(buf);
            break;
        }
    }
    free(s.times);
    return NULL;
}

static int rank0_run(mpi_job *job, int size) {
    const size_t n = job->orig->n, chunk = job->chunk, n_chunks = (n + chunk - 1) / chunk;
    tc_error err = {0};
    if (atomic_file_open(&out_file, job->a.out, &err) != TC_OK) job_die(0, &err);
    out_open = 1;
    memcpy(out_tmp, out_file.tmp_path, sizeof out_tmp);
    out_tmp_set = 1;
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    if (job_write_header(job, out_file.fp)) {
        error_set(&err, TC_ERR_IO, job->a.out, 0, 0, "cannot write");
        job_die(0, &err);
    }
    char **ready = calloc(n_chunks + 1, sizeof *ready);
    if (!ready) {
        error_set(&err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        job_die(0, &err);
    }
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    size_t next_chunk = 0, next_write = 0;
    local_worker lw = {job, &lock, &next_chunk, n_chunks, chunk, n, ready, 0, {0}};
    pthread_t thread;
    if (pthread_create(&thread, NULL, local_main, &lw) != 0) {
        error_set(&err, TC_ERR_INTERNAL, NULL, 0, 0, "cannot start the computing thread");
        job_die(0, &err);
    }
    progress_bar prog;
    progress_start(&prog, cli_progress_wanted(job->a.quiet) || (job->force_progress && !job->a.quiet), "origins",
                   n);
    int active = size - 1;
    long idle_ns = 100000;
    while (next_write < n_chunks || active > 0) {
        int busy = 0, flag = 0;
        MPI_Status ms;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_RESULT, MPI_COMM_WORLD, &flag, &ms);
        if (flag) {
            busy = 1;
            int bytes = 0;
            MPI_Get_count(&ms, MPI_BYTE, &bytes);
            char *buf = malloc(bytes > 0 ? (size_t)bytes : 1);
            if (!buf) {
                error_set(&err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory receiving a result");
                job_die(0, &err);
            }
            MPI_Recv(buf, bytes, MPI_BYTE, ms.MPI_SOURCE, TAG_RESULT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            msg_head h;
            if ((size_t)bytes < sizeof h) {
                error_set(&err, TC_ERR_INTERNAL, NULL, 0, 0, "short message (%d bytes)", bytes);
                job_die(ms.MPI_SOURCE, &err);
            }
            memcpy(&h, buf, sizeof h);
            if (h.status != TC_OK) {
                tc_error remote = {0};
                if ((size_t)bytes >= sizeof h + sizeof remote) memcpy(&remote, buf + sizeof h, sizeof remote);
                remote.message[sizeof remote.message - 1] = remote.file[sizeof remote.file - 1] = 0;
                job_die(ms.MPI_SOURCE, &remote);
            }
            if (h.count > 0) {
                size_t k = (size_t)h.first / chunk;
                if ((size_t)bytes != sizeof h + (size_t)h.count * job->record_bytes || k >= n_chunks) {
                    error_set(&err, TC_ERR_INTERNAL, NULL, 0, 0, "malformed result for origins %lld+%lld",
                              (long long)h.first, (long long)h.count);
                    job_die(ms.MPI_SOURCE, &err);
                }
                pthread_mutex_lock(&lock);
                ready[k] = buf;
                pthread_mutex_unlock(&lock);
            } else {
                free(buf);
            }
            int64_t work[2] = {0, 0};
            pthread_mutex_lock(&lock);
            if (next_chunk < n_chunks) {
                size_t k = next_chunk++;
                work[0] = (int64_t)(k * chunk);
                work[1] = (int64_t)(n - k * chunk < chunk ? n - k * chunk : chunk);
            }
            pthread_mutex_unlock(&lock);
            MPI_Send(work, 2, MPI_INT64_T, ms.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
            if (!work[1]) active--;
        }
        pthread_mutex_lock(&lock);
        int failed = lw.failed;
        char *next = next_write < n_chunks ? ready[next_write] : NULL;
        if (next) ready[next_write] = NULL;
        pthread_mutex_unlock(&lock);
        if (failed) job_die(0, &lw.err);
        if (next) {
            busy = 1;
            size_t first = next_write * chunk, count = n - first < chunk ? n - first : chunk;
            const char *payload = next + sizeof(msg_head);
            for (size_t i = 0; i < count; i++)
                if (job_write_origin(job, out_file.fp, first + i, payload + i * job->record_bytes)) {
                    error_set(&err, TC_ERR_IO, job->a.out, 0, 0, "cannot write");
                    job_die(0, &err);
                }
            free(next);
            next_write++;
            progress_update(&prog, first + count);
        }
        if (busy) idle_ns = 100000;
        else nap(&idle_ns);
    }
    pthread_join(thread, NULL);
    progress_finish(&prog);
    /* Every rank is still alive once all have reached this barrier (a rank dead by now makes Open MPI kill the job,
     * and us inside it): only then does the output get its name. */
    quiet_barrier();
    free(ready);
    out_tmp_set = 0;
    out_open = 0;
    if (atomic_file_commit(&out_file, &err) != TC_OK) job_die(0, &err);
    return 0;
}

/* ---- ranks 1…N-1 ---- */

static void send_error(const tc_error *err) {
    char buf[sizeof(msg_head) + sizeof(tc_error)];
    msg_head h = {-1, 0, err->code ? (int32_t)err->code : (int32_t)TC_ERR_INTERNAL, 0};
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, err, sizeof *err);
    MPI_Send(buf, (int)sizeof buf, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    /* Rank 0 aborts the job on receipt; wait for that rather than finish on our own. */
    int64_t work[2];
    MPI_Recv(work, 2, MPI_INT64_T, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

static int worker_run(mpi_job *job, int rank) {
    const int die = test_rank("TC_MPI_TEST_DIE_RANK") == rank, fail = test_rank("TC_MPI_TEST_FAIL_RANK") == rank;
    mpi_scratch s = {0};
    char *buf = NULL;
    size_t cap = 0;
    msg_head h = {-1, 0, TC_OK, 0};
    if (fail) {
        tc_error err = {0};
        error_set(&err, TC_ERR_INTERNAL, NULL, 0, 0, "simulated failure (TC_MPI_TEST_FAIL_RANK)");
        send_error(&err);
        return 1;
    }
    MPI_Send(&h, (int)sizeof h, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    for (int done = 0;; done++) {
        int64_t work[2];
        MPI_Recv(work, 2, MPI_INT64_T, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (work[1] <= 0) {
            if (die && done == 0) abort();
            break;
        }
        const size_t count = (size_t)work[1], bytes = sizeof h + count * job->record_bytes;
        tc_error err = {0};
        if (bytes > cap) {
            char *nb = realloc(buf, bytes);
            if (!nb) {
                error_set(&err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
                send_error(&err);
                break;
            }
            buf = nb;
            cap = bytes;
        }
        tc_status st = job_compute(job, &s, (size_t)work[0], count, buf + sizeof h, &err);
        if (st != TC_OK) {
            send_error(&err);
            break;
        }
        h.first = work[0];
        h.count = work[1];
        memcpy(buf, &h, sizeof h);
        MPI_Send(buf, (int)bytes, MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
        if (die && done == 0) abort();
    }
    free(buf);
    free(s.times);
    quiet_barrier(); /* rank 0 renames its output only after this */
    return 0;
}

int job_run(mpi_job *job, int size, tc_status setup, const tc_error *setup_err) {
    if (tc_mpi_rank == 0) {
        if (setup != TC_OK) job_die(0, setup_err);
        return rank0_run(job, size);
    }
    if (setup != TC_OK) {
        send_error(setup_err);
        return 1;
    }
    return worker_run(job, tc_mpi_rank);
}
