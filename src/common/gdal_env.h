/*
 * gdal_env.h — using GDAL inside a library that never prints, and without paying for GDAL where it is not used.
 *
 * GDAL is loaded on first use with dlopen(): linking it into the program costs ~120 ms of CPU and ~30 MB at every
 * process start (measured: `perf stat` on an empty main linked with -lgdal vs without), which every command — a
 * one-line `route` query, a `build` — would pay though only the GeoTIFF writer needs it. The functions
 * we call are resolved once into a table; the macros below make the calling code read as plain GDAL.
 * Drivers are registered once (thread-safe); each GDAL call sequence runs under a quiet error handler so GDAL's
 * messages come back in a tc_error instead of on stderr.
 *
 * Include this header instead of GDAL's own headers. It lives in common/ because two stages use it: the build reads a
 * DEM (streets/street_elev.c), the analysis writes rasters and GeoPackages.
 */
#ifndef TC_COMMON_GDAL_ENV_H
#define TC_COMMON_GDAL_ENV_H

#include "tongcheng.h"

#include <cpl_error.h>
#include <gdal.h>
#include <gdal_frmts.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

/* GDAL's GeoPackage driver registration, declared in its C++ header only (C linkage there). */
void RegisterOGRGeoPackage(void);

/* The GDAL functions tongcheng calls, resolved from the shared library. */
#define TC_GDAL_FUNCTIONS(X) \
    X(CPLErrorReset) \
    X(CPLGetLastErrorMsg) \
    X(CPLGetLastErrorType) \
    X(CPLPopErrorHandler) \
    X(CPLPushErrorHandler) \
    X(CPLQuietErrorHandler) \
    X(GDALClose) \
    X(GDALOpen) \
    X(GDALGetGeoTransform) \
    X(GDALGetRasterXSize) \
    X(GDALGetRasterYSize) \
    X(GDALGetRasterCount) \
    X(GDALGetRasterNoDataValue) \
    X(GDALGetSpatialRef) \
    X(OSRIsGeographic) \
    X(GDALCreate) \
    X(GDALGetDriverByName) \
    X(GDALGetRasterBand) \
    X(GDALRasterIO) \
    X(GDALRegister_GTiff) \
    X(GDALSetDescription) \
    X(GDALSetGeoTransform) \
    X(GDALSetMetadataItem) \
    X(GDALSetRasterNoDataValue) \
    X(GDALSetSpatialRef) \
    X(OSRDestroySpatialReference) \
    X(OSRImportFromEPSG) \
    X(OSRNewSpatialReference) \
    X(GDALDatasetCreateLayer) \
    X(GDALDatasetStartTransaction) \
    X(GDALDatasetCommitTransaction) \
    X(OGR_Fld_Create) \
    X(OGR_Fld_Destroy) \
    X(OGR_L_CreateField) \
    X(OGR_L_GetLayerDefn) \
    X(OGR_L_CreateFeature) \
    X(OGR_F_Create) \
    X(OGR_F_Destroy) \
    X(OGR_F_SetFieldString) \
    X(OGR_F_SetFieldInteger64) \
    X(OGR_F_SetFieldDouble) \
    X(OGR_F_SetFieldNull) \
    X(OGR_F_SetGeometryDirectly) \
    X(OGR_G_CreateGeometry) \
    X(OGR_G_CreateGeometryFromJson) \
    X(OGR_G_CreateFromWkt) \
    X(OGR_G_DestroyGeometry) \
    X(OGR_G_SetPoint_2D) \
    X(OSRSetAxisMappingStrategy) \
    X(RegisterOGRGeoPackage) \

typedef struct gdal_api {
#define TC_GDAL_MEMBER(name) __typeof__(name) *name;
    TC_GDAL_FUNCTIONS(TC_GDAL_MEMBER)
#undef TC_GDAL_MEMBER
} gdal_api;

extern gdal_api tc_gdal_fn; /* valid after a successful gdal_env_begin */

/* Load GDAL (once), register its drivers (once) and push a quiet error handler. Fails with TC_ERR_INTERNAL and a
 * message naming the library when GDAL cannot be loaded. Always pair with gdal_env_end (safe after a failure). */
tc_status gdal_env_begin(tc_error *err);
void gdal_env_end(void);

/* Fill err with what GDAL last reported (or what, when it reported nothing). Returns code. */
tc_status gdal_env_fail(tc_error *err, tc_status code, const char *path, const char *what);

#ifndef TC_GDAL_ENV_IMPLEMENTATION
#define CPLErrorReset (tc_gdal_fn.CPLErrorReset)
#define CPLGetLastErrorMsg (tc_gdal_fn.CPLGetLastErrorMsg)
#define CPLGetLastErrorType (tc_gdal_fn.CPLGetLastErrorType)
#define CPLPopErrorHandler (tc_gdal_fn.CPLPopErrorHandler)
#define CPLPushErrorHandler (tc_gdal_fn.CPLPushErrorHandler)
#define CPLQuietErrorHandler (tc_gdal_fn.CPLQuietErrorHandler)
#define GDALClose (tc_gdal_fn.GDALClose)
#define GDALOpen (tc_gdal_fn.GDALOpen)
#define GDALGetGeoTransform (tc_gdal_fn.GDALGetGeoTransform)
#define GDALGetRasterXSize (tc_gdal_fn.GDALGetRasterXSize)
#define GDALGetRasterYSize (tc_gdal_fn.GDALGetRasterYSize)
#define GDALGetRasterCount (tc_gdal_fn.GDALGetRasterCount)
#define GDALGetRasterNoDataValue (tc_gdal_fn.GDALGetRasterNoDataValue)
#define GDALGetSpatialRef (tc_gdal_fn.GDALGetSpatialRef)
#define OSRIsGeographic (tc_gdal_fn.OSRIsGeographic)
#define GDALCreate (tc_gdal_fn.GDALCreate)
#define GDALGetDriverByName (tc_gdal_fn.GDALGetDriverByName)
#define GDALGetRasterBand (tc_gdal_fn.GDALGetRasterBand)
#define GDALRasterIO (tc_gdal_fn.GDALRasterIO)
#define GDALRegister_GTiff (tc_gdal_fn.GDALRegister_GTiff)
#define GDALSetDescription (tc_gdal_fn.GDALSetDescription)
#define GDALSetGeoTransform (tc_gdal_fn.GDALSetGeoTransform)
#define GDALSetMetadataItem (tc_gdal_fn.GDALSetMetadataItem)
#define GDALSetRasterNoDataValue (tc_gdal_fn.GDALSetRasterNoDataValue)
#define GDALSetSpatialRef (tc_gdal_fn.GDALSetSpatialRef)
#define OSRDestroySpatialReference (tc_gdal_fn.OSRDestroySpatialReference)
#define OSRImportFromEPSG (tc_gdal_fn.OSRImportFromEPSG)
#define OSRNewSpatialReference (tc_gdal_fn.OSRNewSpatialReference)
#define GDALDatasetCreateLayer (tc_gdal_fn.GDALDatasetCreateLayer)
#define GDALDatasetStartTransaction (tc_gdal_fn.GDALDatasetStartTransaction)
#define GDALDatasetCommitTransaction (tc_gdal_fn.GDALDatasetCommitTransaction)
#define OGR_Fld_Create (tc_gdal_fn.OGR_Fld_Create)
#define OGR_Fld_Destroy (tc_gdal_fn.OGR_Fld_Destroy)
#define OGR_L_CreateField (tc_gdal_fn.OGR_L_CreateField)
#define OGR_L_GetLayerDefn (tc_gdal_fn.OGR_L_GetLayerDefn)
#define OGR_L_CreateFeature (tc_gdal_fn.OGR_L_CreateFeature)
#define OGR_F_Create (tc_gdal_fn.OGR_F_Create)
#define OGR_F_Destroy (tc_gdal_fn.OGR_F_Destroy)
#define OGR_F_SetFieldString (tc_gdal_fn.OGR_F_SetFieldString)
#define OGR_F_SetFieldInteger64 (tc_gdal_fn.OGR_F_SetFieldInteger64)
#define OGR_F_SetFieldDouble (tc_gdal_fn.OGR_F_SetFieldDouble)
#define OGR_F_SetFieldNull (tc_gdal_fn.OGR_F_SetFieldNull)
#define OGR_F_SetGeometryDirectly (tc_gdal_fn.OGR_F_SetGeometryDirectly)
#define OGR_G_CreateGeometry (tc_gdal_fn.OGR_G_CreateGeometry)
#define OGR_G_CreateGeometryFromJson (tc_gdal_fn.OGR_G_CreateGeometryFromJson)
#define OGR_G_CreateFromWkt (tc_gdal_fn.OGR_G_CreateFromWkt)
#define OGR_G_DestroyGeometry (tc_gdal_fn.OGR_G_DestroyGeometry)
#define OGR_G_SetPoint_2D (tc_gdal_fn.OGR_G_SetPoint_2D)
#define OSRSetAxisMappingStrategy (tc_gdal_fn.OSRSetAxisMappingStrategy)
#define RegisterOGRGeoPackage (tc_gdal_fn.RegisterOGRGeoPackage)
#endif

#endif
