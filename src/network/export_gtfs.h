/*
 * export_gtfs.h — write a compiled network back out as a GTFS folder, so that other tools and validators can read
 * what a sketch or a scenario turned into (`tongcheng export-gtfs NET DIR`).
 */
#ifndef TC_NETWORK_EXPORT_GTFS_H
#define TC_NETWORK_EXPORT_GTFS_H

#include "tongcheng.h"

/* Write agency, stops, routes, trips, stop_times, calendar, calendar_dates, frequencies and transfers .txt files
 * into dir (created if missing; each file written atomically). Ids are the GTFS ids when the network holds one
 * feed, "FEED:id" when it holds several (so that they stay unique). */
tc_status tc_export_gtfs(const tc_network *net, const char *dir, tc_error *err);

#endif
