/*
 * mpi_internal.h — what the files of tongcheng-mpi share: the job (a matrix or access run, set up identically on
 * every rank from the same argv and the inputs rank 0 broadcast), how one chunk of origins is computed, and how
 * one origin's result is written (through the single-process writers, so the output is byte-identical).
 */
#ifndef TC_MPI_INTERNAL_H
#define TC_MPI_INTERNAL_H

#include "frontend/frontend.h"


#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TC_MPI_MAX_COLUMNS 64

extern int tc_mpi_rank; /* this process's rank in MPI_COMM_WORLD (set first thing in main) */

typedef enum mpi_kind { TC_MPI_MATRIX, TC_MPI_ACCESS } mpi_kind;

typedef struct mpi_job {
    mpi_kind kind;
    cli_analysis a;
    const char *orig_path, *dest_path;
    int broadcast_network;
    int force_progress; /* --progress */
    size_t chunk; /* origins per work unit; 0 = automatic */
    /* access only */
    char *columns_buf;
    char *names[TC_MPI_MAX_COLUMNS];
    size_t n_cols;
    int cutoffs[TC_MAX_CUTOFFS];
    size_t n_cutoffs;
    tc_decay decay;
    const double *cols[TC_MPI_MAX_COLUMNS];
    /* set up on every rank */
    tc_points *orig, *dest;
    tc_network *net;
    tc_destinations *d;
    size_t record_bytes; /* result bytes per origin: travel times (matrix) or accessibility values (access) */
} mpi_job;

/* Scratch for one chunk: the travel times of up to `chunk` origins (access sums them per origin). */
typedef struct mpi_scratch {
    uint16_t *times;
    size_t cap_origins;
} mpi_scratch;

/* Compute origins [first, first + n) into out (n × record_bytes). */
tc_status job_compute(const mpi_job *job, mpi_scratch *s, size_t first, size_t n, void *out, tc_error *err);
/* Write origin o's rows from its record. 0 or EOF. */
int job_write_origin(const mpi_job *job, FILE *fp, size_t o, const void *record);
/* The output header. 0 or EOF. */
int job_write_header(const mpi_job *job, FILE *fp);

/* Run the work queue (every rank calls it; rank 0 dispatches, computes on a thread of its own and writes).
 * setup/setup_err: how this rank's setup went (network, destinations); a failed setup is reported like a failed
 * chunk. Returns only on success (0); any failure is reported with the failing rank and the job is aborted. */
int job_run(mpi_job *job, int size, tc_status setup, const tc_error *setup_err);

/* Report "tongcheng-mpi: rank R failed: ERROR", remove rank 0's temporary output, MPI_Abort the job. */
_Noreturn void job_die(int rank, const tc_error *err);

#endif
