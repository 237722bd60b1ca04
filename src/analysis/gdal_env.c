/* gdal_env.c — GDAL driver registration and quiet error handling (see gdal_env.h). */
#include "analysis/gdal_env.h"
#include "common/error.h"

#include <cpl_error.h>
#include <gdal.h>
#include <gdal_frmts.h>
#include <ogr_api.h>
#include <pthread.h>

/* Declared in the C++ header ogrsf_frmts.h, inside its extern "C" block. */
void RegisterOGRMEM(void);

static pthread_once_t registered = PTHREAD_ONCE_INIT;

/* Only the three drivers the analysis writes through: GDALAllRegister loads all ~210 (20–100 ms measured), which a
 * one-shot `isochrone` command would pay on every run. Each register call is a no-op when already registered. */
static void register_all(void) {
    GDALRegister_GTiff();
    GDALRegister_MEM();
    RegisterOGRMEM();
}

void tc_gdal_begin(void) {
    pthread_once(&registered, register_all);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    CPLErrorReset();
}

void tc_gdal_end(void) { CPLPopErrorHandler(); }

tc_status tc_gdal_fail(tc_error *err, tc_status code, const char *path, const char *what) {
    const char *msg = CPLGetLastErrorMsg();
    return tc_fail(err, code, path, 0, 0, "%s%s%s", what, msg && *msg ? ": " : "", msg ? msg : "");
}
