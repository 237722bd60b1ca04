/* gdal_env.h — the on-demand GDAL loader moved to common/ (the build stage reads DEMs with it); kept so the
 * analysis files include it by their stage's name. */
#include "common/gdal_env.h"
