/*
 * circle_default.h — what one commute-circle run reads, resolved before anything is computed: the caller's inputs
 * completed, when no network and no inputs are given, by the built-in default's files (data/changzhutan: the
 * sketch, cores, places, population, road model, assumptions and shipped scenarios) and its folder found on the
 * machine. Shared by circle_run.c (the job) and circle_default.c (the resolution); not part of the report's API.
 */
#ifndef TC_REPORT_CIRCLE_DEFAULT_H
#define TC_REPORT_CIRCLE_DEFAULT_H

#include "tongcheng.h"

#include <limits.h>
#include <stddef.h>

typedef struct circle_inputs {
    int builtin;                       /* the built-in default runs */
    char data_dir[PATH_MAX];           /* its folder ("" when it does not run) */
    tc_feed_source builtin_feed;       /* its sketch */
    const tc_feed_source *feeds;       /* the caller's feeds, or &builtin_feed */
    size_t n_feeds;
    const char *cores_path, *places_path, *population_path, *roads_path, *hubs_path;
    const char **scenarios;            /* the caller's, or the default's shipped ones */
    size_t n_scenarios;
    char **assumptions;                /* the default's assumptions.txt, one per line, for the report */
    size_t n_assumptions;
    int sketch_model;                  /* the numbers rest on assumed figures */
    char label[PATH_MAX + 128];        /* how the report names the network */
    char *owned[16];                   /* paths made here */
    size_t n_owned;
} circle_inputs;

/* The built-in default's folder: given (which must then hold it), else $TONGCHENG_DATA_DIR, else relative to the
 * running executable (installed: ../share/tongcheng/changzhutan; a build folder: ../data/changzhutan), else the
 * source tree's and the install prefix's folders compiled in. 0 and the folder in out, or -1. */
int circle_default_dir(const char *given, char *out, size_t n);

/* Fill in from o (tc_circle_run's options): the built-in default's files when it runs, the scenario list, the
 * label; checks that the cores are known and that scenarios come with inputs. circle_inputs_free after, whatever
 * the outcome. */
tc_status circle_inputs_resolve(const tc_circle_options *o, circle_inputs *in, tc_error *err);
void circle_inputs_free(circle_inputs *in);

#endif
