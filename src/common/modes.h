/*
 * modes.h — the access bits of the street modes: which modes may travel along a way (or an arc) in one direction.
 *
 * The OSM tag rules (osm/) set them per way and direction, the street graph (streets/) stores one byte of them per
 * arc and its searches test them, so they live below both. They are a bit set because a way usually admits several
 * modes at once; tc_mode (tongcheng.h) names a single mode of a query.
 */
#ifndef TC_COMMON_MODES_H
#define TC_COMMON_MODES_H

#define STREET_WALK 0x1u
#define STREET_BIKE 0x2u
#define STREET_CAR 0x4u
#define STREET_TRUCK 0x8u /* some goods vehicle may use the arc; its limits: street_truck_limit (osm/osm_truck.h) */

#endif
