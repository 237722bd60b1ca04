/* gdal_env.c — loading GDAL on demand, driver registration and quiet error handling (see gdal_env.h). */
#define TC_GDAL_ENV_IMPLEMENTATION
#include "common/gdal_env.h"
#include "common/error.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#ifndef TC_GDAL_LIBRARY
#define TC_GDAL_LIBRARY "libgdal.so"
#endif

gdal_api tc_gdal_fn;

static pthread_once_t loaded_once = PTHREAD_ONCE_INIT;
static int loaded;              /* 1 when every function resolved and the drivers are registered */
static char load_error[512];

static void load(void) {
    /* RTLD_GLOBAL is not needed: we only call into GDAL. The handle is kept for the life of the process. */
    void *h = dlopen(TC_GDAL_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libgdal.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(load_error, sizeof load_error, "cannot load GDAL (%s): %s", TC_GDAL_LIBRARY, dlerror());
        return;
    }
#define TC_GDAL_RESOLVE(name)                                                                                        \
    *(void **)(&tc_gdal_fn.name) = dlsym(h, #name);                                                                  \
    if (!tc_gdal_fn.name) {                                                                                          \
        snprintf(load_error, sizeof load_error, "GDAL (%s) lacks %s", TC_GDAL_LIBRARY, #name);                       \
        return;                                                                                                      \
    }
    TC_GDAL_FUNCTIONS(TC_GDAL_RESOLVE)
#undef TC_GDAL_RESOLVE
    /* Only the drivers tongcheng reads (a GeoTIFF DEM) and writes through: GDALAllRegister loads all ~210 (20–100 ms measured). */
    tc_gdal_fn.GDALRegister_GTiff();
    tc_gdal_fn.RegisterOGRGeoPackage(); /* the vector output (gpkg_out.c) */
    loaded = 1;
}

tc_status gdal_env_begin(tc_error *err) {
    pthread_once(&loaded_once, load);
    if (!loaded) return error_set(err, TC_ERR_INTERNAL, NULL, 0, 0, "%s", load_error);
    tc_gdal_fn.CPLPushErrorHandler(tc_gdal_fn.CPLQuietErrorHandler);
    tc_gdal_fn.CPLErrorReset();
    return TC_OK;
}

void gdal_env_end(void) {
    /* Safe after a failed begin: nothing was pushed then. begin/end pairs nest per thread in GDAL. */
    if (loaded) tc_gdal_fn.CPLPopErrorHandler();
}

tc_status gdal_env_fail(tc_error *err, tc_status code, const char *path, const char *what) {
    const char *msg = loaded ? tc_gdal_fn.CPLGetLastErrorMsg() : "";
    return error_set(err, code, path, 0, 0, "%s%s%s", what, msg && *msg ? ": " : "", msg ? msg : "");
}
