#!/usr/bin/env python3
"""make_sketch.py — writes network.sketch.json, places.csv and cores.csv from ../../../shared/changzhutan.

The sketch is meant to be read and edited by hand; this script only records how it was first derived from the
facts (../shared/changzhutan/FACTS.md and metro_stations.csv), so that every figure can be traced. Re-running it
overwrites hand edits: edit the JSON, or edit this script and re-run, not both.

Usage: python3 make_sketch.py [PATH/TO/shared/changzhutan]
"""
import csv
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FACTS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "changzhutan")

SRC_CSV = "metro_stations.csv (WGS-84, converted from GCJ-02; confirmed)"
SRC_FACTS = "FACTS.md"
EST = "estimated along the alignment described in FACTS.md (±3 km)"


def slug(pinyin):
    s = re.sub(r"\(.*", "", pinyin).strip().lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


def dist_km(a, b):
    la = math.radians((a[0] + b[0]) / 2)
    dx = math.radians(b[1] - a[1]) * math.cos(la)
    dy = math.radians(b[0] - a[0])
    return 6371.0088 * math.hypot(dx, dy)


# --------------------------------------------------------------------------------------------- metro + maglev
rows = list(csv.DictReader(open(os.path.join(FACTS, "metro_stations.csv"), encoding="utf-8")))
lines_order = []
by_line = {}
for r in rows:
    if r["line"] not in by_line:
        by_line[r["line"]] = []
        lines_order.append(r["line"])
    by_line[r["line"]].append(r)
for l in by_line.values():
    l.sort(key=lambda r: int(r["seq"]))

# Metro stations that share a site with another mode are grouped under one parent station (a hub), so the
# transfer time between modes can be stated (and changed by a scenario) in one place.
HUB_OF_METRO = {
    "长沙火车站": "hub_changsha_station",
    "长沙火车南站": "hub_changsha_south",
    "磁浮高铁站": "hub_changsha_south",
    "黄花机场T1T2": "hub_airport",
    "磁浮机场站": "hub_airport",
    "湘潭北站": "hub_xiangtan_north",
    "树木岭": "hub_shumuling",
    "开福寺": "hub_kaifusi",
    "观沙岭": "hub_guanshaling",
}

METRO = {
    # line id, short name, long name, colour (display only, not sourced), peak headway (FACTS: approximate)
    "Line 1": ("metro_1", "1", "长沙地铁1号线 Changsha Metro Line 1", "E60012", 4),
    "Line 2": ("metro_2", "2", "长沙地铁2号线 Changsha Metro Line 2", "00A0E9", 4),
    "Line 3": ("metro_3", "3", "长沙地铁3号线 Changsha Metro Line 3", "F5A200", 6),
    "Line 4": ("metro_4", "4", "长沙地铁4号线 Changsha Metro Line 4", "8FC31F", 6),
    "Line 5": ("metro_5", "5", "长沙地铁5号线 Changsha Metro Line 5", "A05EB5", 6),
    "Line 6": ("metro_6", "6", "长沙地铁6号线 Changsha Metro Line 6", "E4007F", 6),
}

METRO_SPEED_KMH = 42.0   # running speed between stations (assumed): with the dwell below the average comes to ~35 km/h
METRO_DETOUR = 1.15      # track length / straight line (assumed)
METRO_DWELL_S = 30       # assumed
METRO_INTERCHANGE_MIN = 3  # same-station change between metro lines (assumed)


def metro_periods(peak):
    off = peak * 2  # FACTS: off-peak about double
    return [
        {"from": "06:30", "to": "07:00", "headway_min": off},
        {"from": "07:00", "to": "09:00", "headway_min": peak},
        {"from": "09:00", "to": "17:00", "headway_min": off},
        {"from": "17:00", "to": "19:00", "headway_min": peak},
        {"from": "19:00", "to": "23:00", "headway_min": off},
    ]


def metro_station(r):
    st = {"id": "m_" + slug(r["station_pinyin"]), "name": r["station_zh"], "name_en": r["station_pinyin"],
          "lat": float(r["lat"]), "lon": float(r["lon"])}
    hub = HUB_OF_METRO.get(r["station_zh"])
    if hub:
        st["station"] = hub
    elif r["interchange"] == "1":
        st["transfer_min"] = METRO_INTERCHANGE_MIN
    return st


sketch_lines = []
for name in lines_order:
    stations = [metro_station(r) for r in by_line[name]]
    if name in METRO:
        lid, short, long_name, colour, peak = METRO[name]
        sketch_lines.append({
            "id": lid, "short_name": short, "name": long_name, "route_type": 1, "agency": "cs_metro",
            "color": colour, "source": SRC_CSV + "; service " + SRC_FACTS + " (approximate)", "assumed": True,
            "note": "stations confirmed; headways, speed, dwell and detour are assumptions",
            "run": {"speed_kmh": METRO_SPEED_KMH, "detour": METRO_DETOUR}, "dwell_s": METRO_DWELL_S,
            "headways": metro_periods(peak), "stations": stations})
    else:  # maglev: 18.6 km in about 20 min, every 15 min (FACTS, approximate)
        sketch_lines.append({
            "id": "maglev", "short_name": "S2", "name": "长沙磁浮快线 Changsha Maglev Express", "route_type": 12,
            "agency": "cs_metro", "color": "7F7F7F",
            "source": SRC_CSV + "; 18.6 km in about 20 min every 15 min, " + SRC_FACTS, "assumed": True,
            "note": "total run time and headway approximate; service span assumed equal to the metro's",
            "run": {"total_min": 20}, "dwell_s": 60,
            "headways": [{"from": "06:30", "to": "23:00", "headway_min": 15}], "stations": stations})

# ------------------------------------------------------------------------------------------------- intercity
# (name, id, lat, lon, confirmed)
CZT = {
    "长沙西": ("czt_changsha_west", 28.2450, 112.8400, False),
    "尖山": ("czt_jianshan", 28.2380, 112.8750, False),
    "谷山": ("czt_gushan", 28.2420, 112.9000, False),
    "八方山": ("czt_bafangshan", 28.2380, 112.9230, False),
    "观沙岭": ("czt_guanshaling", 28.23404, 112.94701, True),
    "开福寺": ("czt_kaifusi", 28.22587, 112.97400, True),
    "长沙站": ("czt_changsha", 28.19697, 113.00533, True),
    "树木岭": ("czt_shumuling", 28.15929, 113.01439, True),
    "香樟路": ("czt_xiangzhanglu", 28.1330, 113.0205, False),
    "湘府路": ("czt_xiangfulu", 28.1090, 113.0215, False),
    "洞井": ("czt_dongjing", 28.0900, 113.0230, False),
    "先锋": ("czt_xianfeng", 28.0650, 113.0180, False),
    "芙蓉南": ("czt_furongnan", 28.0400, 113.0050, False),
    "暮云": ("czt_muyun", 28.0060, 112.9930, False),
    "九郎山": ("czt_jiulangshan", 27.9600, 113.0300, False),
    "田心东": ("czt_tianxindong", 27.9050, 113.1050, False),
    "大丰": ("czt_dafeng", 27.8650, 113.1350, False),
    "株洲南": ("czt_zhuzhou_south", 27.8050, 113.1600, False),
    "昭山": ("czt_zhaoshan", 27.9650, 112.9750, False),
    "荷塘": ("czt_hetang", 27.9150, 112.9550, False),
    "板塘": ("czt_bantang", 27.8800, 112.9400, False),
    "湘潭": ("czt_xiangtan", 27.8600, 112.9240, False),
}
CZT_HUB = {"长沙站": "hub_changsha_station", "树木岭": "hub_shumuling", "开福寺": "hub_kaifusi",
           "观沙岭": "hub_guanshaling"}
NW = ["长沙西", "尖山", "谷山", "八方山", "观沙岭", "开福寺"]
TRUNK = ["长沙站", "树木岭", "香樟路", "湘府路", "洞井", "先锋", "芙蓉南", "暮云"]
ZZ = ["九郎山", "田心东", "大丰", "株洲南"]
XT = ["昭山", "荷塘", "板塘", "湘潭"]
CZT_DWELL_MIN = 1.0  # assumed
CZT_ALLSTOP_MIN = 50.0  # FACTS: Changsha station to Xiangtan or Zhuzhou South about 50 min calling at all stations


def pos(n):
    return (CZT[n][1], CZT[n][2])


def seg_km(names):
    return [dist_km(pos(a), pos(b)) for a, b in zip(names, names[1:])]


# Trunk and branch running times: one speed for the shared trunk, each branch's speed chosen so that Changsha
# station → branch terminus takes 50 min with 1-minute dwells (both branches have 12 stations).
zz_line = TRUNK + ZZ
xt_line = TRUNK + XT
run_total = CZT_ALLSTOP_MIN - CZT_DWELL_MIN * (len(zz_line) - 2)
trunk_km = sum(seg_km(TRUNK))
zz_km = sum(seg_km(["暮云"] + ZZ))
xt_km = sum(seg_km(["暮云"] + XT))
# Trunk speed: the speed that gives the average branch its 50 minutes.
v_trunk = (trunk_km + (zz_km + xt_km) / 2) / run_total  # km per minute
trunk_min = trunk_km / v_trunk
v_zz = zz_km / (run_total - trunk_min)
v_xt = xt_km / (run_total - trunk_min)


def run_minutes(names, v):
    return [round(d / v, 1) for d in seg_km(names)]


def czt_station(n, run_min=None):
    sid, lat, lon, confirmed = CZT[n]
    st = {"id": sid, "name": n, "lat": lat, "lon": lon}
    if n in CZT_HUB:
        st["station"] = CZT_HUB[n]
    if not confirmed:
        st["assumed"] = True
        st["source"] = EST
    if run_min is not None:
        st["run_min"] = run_min
    return st


def stations_with_runs(names, runs):
    out = [czt_station(names[0])]
    for n, r in zip(names[1:], runs):
        out.append(czt_station(n, r))
    return out


nw_full = NW + ["长沙站"]
runs_nw = run_minutes(nw_full, v_trunk)
runs_trunk = run_minutes(TRUNK, v_trunk)
runs_zz = run_minutes(["暮云"] + ZZ, v_zz)
runs_xt = run_minutes(["暮云"] + XT, v_xt)


def times(start_hhmm, step_min, count):
    h, m = map(int, start_hhmm.split(":"))
    t0 = h * 60 + m
    out = []
    for k in range(count):
        t = t0 + round(k * step_min)
        out.append("%02d:%02d" % (t // 60, t % 60))
    return out


# 34 train pairs a day (FACTS): 15 all-stop + 2 express pairs on each branch (the split is an assumption).
# Zhuzhou all-stop trains run through from Changsha West, Xiangtan all-stop trains start at Changsha station
# (assumed), the two branches alternating on the trunk about every 32 minutes.
zz_stations = stations_with_runs(nw_full, runs_nw) + \
    [czt_station(n, r) for n, r in zip(TRUNK[1:] + ZZ, runs_trunk + runs_zz)]
xt_stations = [{"stop": "czt_changsha"}] + \
    [{"stop": CZT[n][0], "run_min": r} for n, r in zip(TRUNK[1:], runs_trunk)] + \
    [czt_station(n, r) for n, r in zip(XT, runs_xt)]
CZT_SRC = "stations and order: " + SRC_FACTS + "; 34 train pairs a day, all-stop about 50 min, 4 express pairs " \
          "about 35 min (confirmed); departure times, the split between branches and dwell are assumptions"
sketch_lines.append({
    "id": "czt_zhuzhou", "short_name": "城际", "name": "长株潭城际铁路 长沙西—株洲南 Chang-Zhu-Tan intercity (Zhuzhou)",
    "route_type": 2, "agency": "czt_intercity", "color": "1F4E9C", "source": CZT_SRC, "assumed": True,
    "dwell_s": int(CZT_DWELL_MIN * 60), "stations": zz_stations,
    "patterns": [
        {"id": "allstop", "name": "all stations",
         "departures": {"forward": times("06:30", 64, 15), "backward": times("06:45", 64, 15)}},
        {"id": "express", "name": "express (先锋, 大丰)", "calls": ["长沙站", "先锋", "大丰", "株洲南"],
         "run": {"total_min": 35}, "departures": {"forward": ["08:10", "17:40"], "backward": ["07:20", "17:05"]}},
    ]})
sketch_lines.append({
    "id": "czt_xiangtan", "short_name": "城际", "name": "长株潭城际铁路 长沙—湘潭 Chang-Zhu-Tan intercity (Xiangtan)",
    "route_type": 2, "agency": "czt_intercity", "color": "3A7BD5", "source": CZT_SRC, "assumed": True,
    "dwell_s": int(CZT_DWELL_MIN * 60), "stations": xt_stations,
    "patterns": [
        {"id": "allstop", "name": "all stations",
         "departures": {"forward": times("07:02", 64, 15), "backward": times("06:30", 64, 15)}},
        {"id": "express", "name": "express (先锋, 板塘)", "calls": ["长沙站", "先锋", "板塘", "湘潭"],
         "run": {"total_min": 35}, "departures": {"forward": ["07:40", "18:10"], "backward": ["07:05", "17:35"]}},
    ]})

# ------------------------------------------------------------------------------------------------ high speed
HSR_SRC = "run times " + SRC_FACTS + " (approximate); 30-minute headway and 07:00-22:00 span assumed"
cs_south = {"id": "hsr_changsha_south", "name": "长沙南", "lat": 28.15008, "lon": 113.05939,
            "station": "hub_changsha_south"}
hsr_headways = [{"from": "07:00", "to": "22:00", "headway_min": 30}]
sketch_lines.append({
    "id": "hsr_zhuzhou", "short_name": "高铁", "name": "京广高铁 长沙南—株洲西 HSR Changsha South–Zhuzhou West",
    "route_type": 101, "agency": "china_railway", "color": "C00000", "source": HSR_SRC, "assumed": True,
    "dwell_s": 0, "headways": hsr_headways,
    "stations": [cs_south, {"id": "hsr_zhuzhou_west", "name": "株洲西", "lat": 27.8800, "lon": 113.0750,
                            "assumed": True, "source": "estimated (±3 km)", "run_min": 14}]})
sketch_lines.append({
    "id": "hsr_xiangtan", "short_name": "高铁",
    "name": "沪昆高铁 长沙南—湘潭北—韶山南 HSR Changsha South–Xiangtan North–Shaoshan South",
    "route_type": 101, "agency": "china_railway", "color": "C00000", "source": HSR_SRC, "assumed": True,
    "dwell_s": 120, "headways": hsr_headways,
    "stations": [{"stop": "hsr_changsha_south"},
                 {"id": "hsr_xiangtan_north", "name": "湘潭北", "lat": 27.96667, "lon": 112.93778,
                  "station": "hub_xiangtan_north", "run_min": 15,
                  "source": "site of metro 湘潭北站 (metro_stations.csv)"},
                 {"id": "hsr_shaoshan_south", "name": "韶山南", "lat": 27.8950, "lon": 112.5400,
                  "assumed": True, "source": "estimated (±3 km)", "run_min": 10}]})
sketch_lines.append({
    "id": "hsr_liling", "short_name": "高铁", "name": "沪昆高铁 长沙南—醴陵东 HSR Changsha South–Liling East",
    "route_type": 101, "agency": "china_railway", "color": "C00000", "source": HSR_SRC, "assumed": True,
    "dwell_s": 0, "headways": hsr_headways,
    "stations": [{"stop": "hsr_changsha_south"},
                 {"id": "hsr_liling_east", "name": "醴陵东", "lat": 27.6650, "lon": 113.5400, "assumed": True,
                  "source": "estimated (±3 km)", "run_min": 23}]})

# The hubs: parent stations whose platforms (child stops) are linked by a stated transfer time (assumed).
hubs = [
    {"id": "hub_changsha_station", "name": "长沙站 Changsha station", "lat": 28.19697, "lon": 113.00533,
     "transfer_min": 5, "assumed": True, "source": "site confirmed (FACTS.md); transfer time assumed"},
    {"id": "hub_changsha_south", "name": "长沙南 Changsha South", "lat": 28.15008, "lon": 113.05939,
     "transfer_min": 8, "assumed": True, "source": "site confirmed (FACTS.md); transfer time assumed"},
    {"id": "hub_airport", "name": "黄花机场 Huanghua airport T1/T2", "lat": 28.19411, "lon": 113.21228,
     "transfer_min": 5, "assumed": True, "source": "site confirmed (metro_stations.csv); transfer time assumed"},
    {"id": "hub_xiangtan_north", "name": "湘潭北 Xiangtan North", "lat": 27.96667, "lon": 112.93778,
     "transfer_min": 5, "assumed": True, "source": "metro 湘潭北站 site; transfer time assumed"},
    {"id": "hub_shumuling", "name": "树木岭 Shumuling", "lat": 28.15929, "lon": 113.01439,
     "transfer_min": 4, "assumed": True, "source": "site confirmed (FACTS.md); transfer time assumed"},
    {"id": "hub_kaifusi", "name": "开福寺 Kaifusi", "lat": 28.22587, "lon": 112.97400,
     "transfer_min": 4, "assumed": True, "source": "site confirmed (FACTS.md); transfer time assumed"},
    {"id": "hub_guanshaling", "name": "观沙岭 Guanshaling", "lat": 28.23404, "lon": 112.94701,
     "transfer_min": 4, "assumed": True, "source": "site confirmed (FACTS.md); transfer time assumed"},
]

sketch = {
    "sketch_version": 1,
    "name": "changzhutan",
    "description": "Sketch model of the Chang-Zhu-Tan metropolitan rail backbone: Changsha Metro Lines 1-6, the "
                   "maglev, the Chang-Zhu-Tan intercity railway and the high-speed links between the three cities. "
                   "Stations of the metro are confirmed; service figures marked \"assumed\" are approximations "
                   "(see README.md).",
    "timezone": "Asia/Shanghai",
    "merge_radius_m": 300,
    "agencies": [
        {"id": "cs_metro", "name": "长沙市轨道交通集团 Changsha Metro", "url": "https://www.hncsmtr.com",
         "timezone": "Asia/Shanghai"},
        {"id": "czt_intercity", "name": "长株潭城际铁路 Chang-Zhu-Tan Intercity (China Railway Guangzhou Group)",
         "url": "https://www.12306.cn", "timezone": "Asia/Shanghai"},
        {"id": "china_railway", "name": "中国铁路 China Railway (high-speed)", "url": "https://www.12306.cn",
         "timezone": "Asia/Shanghai"},
    ],
    "calendars": [{"id": "daily", "start": "2026-01-01", "end": "2027-12-31", "days": "1111111",
                   "assumed": True, "note": "every day alike: no weekday/holiday differences are modelled"}],
    "stations": hubs,
    "lines": sketch_lines,
}

def dump(v, indent=0):
    """JSON with small objects and lists of scalars on one line, so one station or period is one line."""
    pad = "  " * indent
    flat = not isinstance(v, (dict, list)) or all(not isinstance(x, (dict, list))
                                                    for x in (v.values() if isinstance(v, dict) else v))
    if flat:
        return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))
    if isinstance(v, dict):
        items = ['%s  %s: %s' % (pad, json.dumps(k, ensure_ascii=False), dump(x, indent + 1)) for k, x in v.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    items = ["%s  %s" % (pad, dump(x, indent + 1)) for x in v]
    return "[\n" + ",\n".join(items) + "\n" + pad + "]"


with open(os.path.join(HERE, "network.sketch.json"), "w", encoding="utf-8") as f:
    f.write(dump(sketch) + "\n")

# ---------------------------------------------------------------------------------------------------- places
places = [
    ("changsha", "Changsha core (Wuyi Square)", "长沙 五一广场", 28.19875, 112.97090, "core", 0),
    ("zhuzhou", "Zhuzhou core", "株洲", 27.83, 113.13, "core", 1),
    ("xiangtan", "Xiangtan core", "湘潭", 27.83, 112.92, "core", 1),
    ("changsha_county", "Changsha County (Xingsha)", "长沙县 星沙", 28.25, 113.08, "county_seat", 1),
    ("wangcheng", "Wangcheng", "望城", 28.36, 112.82, "county_seat", 1),
    ("ningxiang", "Ningxiang", "宁乡", 28.28, 112.55, "county_seat", 1),
    ("liuyang", "Liuyang", "浏阳", 28.15, 113.63, "county_seat", 1),
    ("liling", "Liling", "醴陵", 27.65, 113.50, "county_seat", 1),
    ("lukou", "Lukou", "渌口", 27.70, 113.15, "county_seat", 1),
    ("xiangtan_county", "Xiangtan County (Yisuhe)", "湘潭县 易俗河", 27.78, 112.95, "county_seat", 1),
    ("shaoshan", "Shaoshan", "韶山", 27.92, 112.52, "county_seat", 1),
    ("xiangxiang", "Xiangxiang", "湘乡", 27.73, 112.53, "county_seat", 1),
    ("airport", "Huanghua airport T1/T2", "黄花机场", 28.19411, 113.21228, "airport", 0),
]
with open(os.path.join(HERE, "places.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "name", "name_zh", "lat", "lon", "kind", "approximate", "source"])
    for p in places:
        w.writerow([p[0], p[1], p[2], p[3], p[4], p[5], p[6],
                    "FACTS.md (approximate, ±3 km)" if p[6] else "FACTS.md (confirmed: metro station)"])
with open(os.path.join(HERE, "cores.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "name", "name_zh", "lat", "lon", "approximate", "source"])
    for p in places:
        if p[5] == "core":
            w.writerow([p[0], p[1], p[2], p[3], p[4], p[6],
                        "FACTS.md (approximate)" if p[6] else "FACTS.md (confirmed: metro interchange)"])

# Figures for README.md.
print("trunk speed %.1f km/h, Zhuzhou branch %.1f km/h, Xiangtan branch %.1f km/h (running, straight line)"
      % (v_trunk * 60, v_zz * 60, v_xt * 60))
print("NW runs", runs_nw, "trunk", runs_trunk, "zz", runs_zz, "xt", runs_xt)
for name in lines_order:
    if name not in METRO:
        continue
    st = by_line[name]
    km = sum(dist_km((float(a["lat"]), float(a["lon"])), (float(b["lat"]), float(b["lon"])))
             for a, b in zip(st, st[1:]))
    minutes = km * METRO_DETOUR / METRO_SPEED_KMH * 60 + METRO_DWELL_S / 60 * (len(st) - 2)
    print("%s: %.1f km straight, %.1f km track, %.0f min end to end, %.1f km/h average (track)"
          % (name, km, km * METRO_DETOUR, minutes, km * METRO_DETOUR / minutes * 60))

# ------------------------------------------------------------------------------------------------- scenarios
# The three example scenarios of the report. Kept here because the hub scenario's run times are the trunk's.
SCN = os.path.join(HERE, "scenarios")
os.makedirs(SCN, exist_ok=True)


def write_scenario(fname, obj):
    with open(os.path.join(SCN, fname), "w", encoding="utf-8") as f:
        f.write(dump(obj) + "\n")


all_day = [{"from": "06:30", "to": "22:30", "headway_min": 10}]
write_scenario("intercity_like_a_bus.json", {
    "name": "intercity-every-10-min",
    "description": "The plan's 公交化 intercity: all-stop trains on both branches every 10 minutes from 06:30 to "
                   "22:30 instead of about hourly (express trains unchanged). Headway chosen for the example.",
    "modifications": [
        {"type": "set_headways", "route": "czt_zhuzhou", "pattern": "allstop", "periods": all_day},
        {"type": "set_headways", "route": "czt_xiangtan", "pattern": "allstop", "periods": all_day},
    ]})
write_scenario("faster_changsha_xiangtan.json", {
    "name": "faster-changsha-xiangtan",
    "description": "A faster Changsha–Xiangtan rail link: the Xiangtan intercity's trains run at 110 km/h between "
                   "stations (straight line × 1.2 track detour) instead of the sketch's ~50–70 km/h, dwells "
                   "unchanged. Speed chosen for the example (the line is built for 200 km/h, run at 160).",
    "modifications": [
        {"type": "change_run_times", "route": "czt_xiangtan", "speed_kmh": 110, "detour": 1.2},
    ]})
south_runs = [5.0] + runs_trunk[1:] + runs_zz
write_scenario("hsr_intercity_hub.json", {
    "name": "zero-transfer-hub",
    "description": "High-speed ↔ intercity \"zero transfer\" at Changsha South: intercity trains from a new platform "
                   "at the high-speed station over a 4.5 km link to 树木岭 and on to Zhuzhou South, every 30 minutes "
                   "like the high-speed trains, with timed (zero-wait) cross-platform transfers to and from them. "
                   "Link length, run time and headway are assumptions of the example.",
    "modifications": [
        {"type": "add_line", "line": {
            "id": "czt_south_link", "short_name": "城际", "name": "城际 长沙南—株洲南 intercity via Changsha South (scenario)",
            "route_type": 2, "agency": "czt_intercity", "color": "1F4E9C", "dwell_s": int(CZT_DWELL_MIN * 60),
            "headways": [{"from": "07:05", "to": "22:05", "headway_min": 30}], "expand": True,
            "stations": [{"id": "czt_changsha_south", "name": "长沙南(城际)", "lat": 28.1510, "lon": 113.0585,
                          "station": "hub_changsha_south", "assumed": True}] +
                        [{"stop": CZT[n][0], "run_min": r} for n, r in zip(TRUNK[1:] + ZZ, south_runs)]}},
        {"type": "set_transfer", "from_stop": "hsr_changsha_south", "to_stop": "czt_changsha_south", "timed": True},
        {"type": "set_transfer", "from_stop": "czt_changsha_south", "to_stop": "hsr_changsha_south", "timed": True},
    ]})
