/*
 * osm_truck.h — the heavy-vehicle rules of a way as read from its OSM tags (osm_truck.c): dimensions, weights, hgv /
 * goods / hazmat access and time windows. The reader fills one record per way; the street graph stores the records
 * in the network file and streets/street_truck.c applies them to a query's vehicle. Defined here, where they are
 * read, so the reader needs nothing from the stages above it.
 */
#ifndef TC_OSM_OSM_TRUCK_H
#define TC_OSM_OSM_TRUCK_H

#include <stdint.h>

/* Heavy-vehicle rules of a way (osm_truck.c parses them). The street graph keeps one deduplicated record per
 * distinct combination, indexed by a uint16 per segment (index 0 = no limits), so the arcs stay 16 bytes and a city
 * needs a few hundred records. A zero limit means none. Units chosen so uint16 holds every real value: cm for
 * dimensions (655 m), 10 kg for weights (655 t). The time window is in local minutes of the day; end < start wraps
 * past midnight. */
#define TRUCK_HGV_NO 0x01u      /* hgv forbids (vehicles over 3.5 t) */
#define TRUCK_HGV_YES 0x02u     /* hgv explicitly allows, over a general motor-vehicle ban */
#define TRUCK_GOODS_NO 0x04u    /* goods forbids (goods vehicles up to 3.5 t) */
#define TRUCK_GOODS_YES 0x08u
#define TRUCK_DELIVERY 0x10u    /* open to trucks only for deliveries (access/hgv/goods=delivery) */
#define TRUCK_HAZMAT_NO 0x20u   /* hazmat=no */
#define TRUCK_BASE_NO 0x40u     /* motor_vehicle / vehicle / access forbid, unless hgv / goods allow */
#define TRUCK_WIN_CLOSED 1u     /* win_kind: closed to the vehicles of win_who inside the window */
#define TRUCK_WIN_OPEN 2u       /* win_kind: open to them only inside the window */
#define TRUCK_WHO_HGV 1u
#define TRUCK_WHO_GOODS 2u
typedef struct street_truck_limit {
    uint16_t max_height_cm, max_width_cm, max_length_cm;
    uint16_t max_weight_10kg, max_axle_10kg;
    uint8_t flags;       /* TRUCK_* */
    uint8_t hgv_kmh;     /* maxspeed:hgv, 0 = none given */
    uint8_t win_days;    /* bit 0 Monday … bit 6 Sunday; 0 = no time window */
    uint8_t win_kind;    /* TRUCK_WIN_* */
    uint8_t win_who;     /* TRUCK_WHO_* bits */
    uint8_t reserved;
    uint16_t win_start_min, win_end_min;   /* first time range */
    uint16_t win2_start_min, win2_end_min; /* second time range, or both 0 */
} street_truck_limit;

#endif
