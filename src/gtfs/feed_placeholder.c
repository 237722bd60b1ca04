/* placeholder so the library links before the GTFS reader lands (removed by its owner) */
#include "gtfs/feed.h"
