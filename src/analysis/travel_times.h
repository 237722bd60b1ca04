/*
 * travel_times.h — the hand-over between the search stages and the analysis outputs.
 *
 * For one origin, the search (range-RAPTOR over the departure window + egress over the streets, or a street-only
 * search) yields, for every destination and every sample (departure minute × Monte Carlo draw), a travel time in
 * whole minutes. Everything downstream — percentiles, GeoTIFF bands, isochrone contours, matrices, accessibility —
 * works on this block alone, so it can be tested without a network and reused by the CLI, the server and MPI.
 */
#ifndef TC_ANALYSIS_TRAVEL_TIMES_H
#define TC_ANALYSIS_TRAVEL_TIMES_H

#include "tongcheng.h"

#include <stdint.h>

/* An unreached destination is TC_UNREACHED_MIN (tongcheng.h). */

typedef struct travel_times {
    uint32_t n_dest;
    uint32_t n_samples; /* departure minutes × draws */
    uint16_t *minutes;  /* n_dest × n_samples, destination-major; TC_UNREACHED_MIN beyond the cutoff or unreached */
} travel_times;

#endif
