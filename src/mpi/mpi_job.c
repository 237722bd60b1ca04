/*
 * mpi_job.c — one chunk of origins computed, and one origin's rows written, exactly as `tongcheng matrix|access`
 * do (tc_travel_time_matrix, tc_accessibility, tc_matrix_write_rows, tc_access_write_rows), so the MPI output is
 * byte-identical to the single-process one. For access a rank sends accessibility values, not travel times: a few
 * doubles per origin instead of n_dest minutes, so rank 0's network link and memory are not the bottleneck.
 */
#include "mpi_internal.h"

#include "common/error.h"

#include <stdlib.h>
#include <string.h>

tc_status job_compute(const mpi_job *job, mpi_scratch *s, size_t first, size_t n, void *out, tc_error *err) {
    const size_t nd = job->dest->n, np = job->a.opts.n_percentiles;
    if (job->kind == TC_MPI_MATRIX)
        return tc_travel_time_matrix(job->net, job->d, &job->a.opts, job->orig->lat + first, job->orig->lon + first,
                                     n, (uint16_t *)out, err);
    if (s->cap_origins < n) {
        uint16_t *t = realloc(s->times, (n * nd * np + 1) * sizeof *t);
        if (!t) return error_set(err, TC_ERR_NO_MEMORY, NULL, 0, 0, "out of memory");
        s->times = t;
        s->cap_origins = n;
    }
    tc_status st = tc_travel_time_matrix(job->net, job->d, &job->a.opts, job->orig->lat + first,
                                         job->orig->lon + first, n, s->times, err);
    const size_t nv = job->n_cols * job->n_cutoffs * np;
    for (size_t i = 0; st == TC_OK && i < n; i++)
        st = tc_accessibility(s->times + i * nd * np, (uint32_t)nd, np, job->cols, job->n_cols, job->cutoffs,
                              job->n_cutoffs, &job->decay, (double *)out + i * nv, err);
    return st;
}

int job_write_header(const mpi_job *job, FILE *fp) {
    if (job->kind == TC_MPI_MATRIX)
        return tc_matrix_write_header(fp, job->a.opts.percentiles, job->a.opts.n_percentiles);
    return tc_access_write_header(fp);
}

int job_write_origin(const mpi_job *job, FILE *fp, size_t o, const void *record) {
    const size_t np = job->a.opts.n_percentiles;
    if (job->kind == TC_MPI_MATRIX)
        return tc_matrix_write_rows(fp, job->orig->ids[o], (const char *const *)job->dest->ids,
                                    (uint32_t)job->dest->n, (const uint16_t *)record, np, 0);
    return tc_access_write_rows(fp, job->orig->ids[o], (const char *const *)job->names, job->n_cols, job->cutoffs,
                                job->n_cutoffs, job->a.opts.percentiles, np, (const double *)record);
}
