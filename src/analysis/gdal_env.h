/*
 * gdal_env.h — using GDAL inside a library that never prints: drivers are registered once (thread-safe), and each
 * GDAL call sequence runs under a quiet error handler so GDAL's messages come back in a tc_error instead of stderr.
 */
#ifndef TC_ANALYSIS_GDAL_ENV_H
#define TC_ANALYSIS_GDAL_ENV_H

#include "tongcheng.h"

/* Register GDAL/OGR drivers (once) and push a quiet error handler; pair with tc_gdal_end. */
void tc_gdal_begin(void);
void tc_gdal_end(void);

/* Fill err with what GDAL last reported (or what, when it reported nothing). Returns code. */
tc_status tc_gdal_fail(tc_error *err, tc_status code, const char *path, const char *what);

#endif
