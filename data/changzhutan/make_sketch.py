#!/usr/bin/env python3
"""make_sketch.py — writes the built-in default from ../../../shared/changzhutan and the sources cited in README.md:
network.sketch.json (metro, the intercity, high-speed and conventional trains of rail_calls_2020.csv, buses),
places.csv, cores.csv, population.csv, roads.json, assumptions.txt and scenarios/*.json.

The sketch is meant to be read and edited by hand; this script only records how it was first derived from the
facts (../shared/changzhutan/FACTS.md, metro_stations.csv, rail_calls_2020.csv), so that every figure can be traced.
Re-running it overwrites hand edits: edit the JSON, or edit this script and re-run, not both. It prints the figures
README.md quotes (the intercity pace, the added trains).

Usage: python3 make_sketch.py [PATH/TO/shared/changzhutan]
"""
import csv
import json
import math
import statistics
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
# Stations and branch order: the 2023 list (FACTS.md). 麓谷 is the north-west terminus (the 2020 trains end there;
# the 2023 list has no 长沙西), 株洲 (the intercity platforms of Zhuzhou railway station) lies between 大丰 and 株洲南,
# and 九郎山 is not in the list. (name, id, lat, lon, confirmed)
CZT = {
    "麓谷": ("czt_lugu", 28.2450, 112.8400, False),
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
    "田心东": ("czt_tianxindong", 27.9300, 113.0900, False),
    "大丰": ("czt_dafeng", 27.8900, 113.1300, False),
    "株洲": ("czt_zhuzhou", 27.8620, 113.1500, False),
    "株洲南": ("czt_zhuzhou_south", 27.8050, 113.1600, False),
    "昭山": ("czt_zhaoshan", 27.9650, 112.9750, False),
    "荷塘": ("czt_hetang", 27.9150, 112.9550, False),
    "板塘": ("czt_bantang", 27.8800, 112.9400, False),
    "湘潭": ("czt_xiangtan", 27.8600, 112.9240, False),
}
CZT_HUB = {"长沙站": "hub_changsha_station", "树木岭": "hub_shumuling", "开福寺": "hub_kaifusi",
           "观沙岭": "hub_guanshaling", "株洲": "hub_zhuzhou_station", "湘潭": "hub_xiangtan_station"}
NW = ["麓谷", "尖山", "谷山", "八方山", "观沙岭", "开福寺"]
TRUNK = ["长沙站", "树木岭", "香樟路", "湘府路", "洞井", "先锋", "芙蓉南", "暮云"]
ZZ = ["田心东", "大丰", "株洲", "株洲南"]
XT = ["昭山", "荷塘", "板塘", "湘潭"]
ZZ_LINE = NW + TRUNK + ZZ
XT_LINE = NW + TRUNK + XT
CZT_DWELL_S = 60      # at stations whose times are spread by distance (assumed)
CSV_NAME = {"长沙": "长沙站", "湘潭": "湘潭", "麓谷": "麓谷", "大丰": "大丰", "株洲": "株洲"}
ZZ_TARGET_PAIRS = 52  # 2022-07-30 timetable: 长沙–株洲南 52 pairs a day (FACTS.md)
SPAN = (6 * 60 + 30, 21 * 60 + 30)  # added trains leave 长沙站 / reach it inside the 2020 trains' span


def pos(n):
    return (CZT[n][1], CZT[n][2])


def cum_km(names):
    out = [0.0]
    for a, b in zip(names, names[1:]):
        out.append(out[-1] + dist_km(pos(a), pos(b)))
    return out


def hhmm(t_min):
    """Minutes (float) after midnight → "HH:MM:SS"."""
    s = int(round(t_min * 60))
    return "%02d:%02d:%02d" % (s // 3600, s // 60 % 60, s % 60)


def tmin(s):
    if s in ("-", ""):
        return None
    h, m = map(int, s.split(":"))
    return h * 60 + m


calls_rows = list(csv.DictReader(open(os.path.join(FACTS, "rail_calls_2020.csv"), encoding="utf-8")))
train_calls = {}
for r in calls_rows:
    train_calls.setdefault(r["train"], {})[r["station"]] = r


def known_times(calls, order):
    """A train's (station, arrival, departure) at the model stations it calls at, in running order, minutes, made
    monotonic: a time past midnight belongs to the train's next day (+24 h)."""
    out = []
    last = None
    for st in order:
        r = calls.get(st)
        if r is None:
            continue
        a, d = tmin(r["arrival"]), tmin(r["departure"])
        a = d if a is None else a
        d = a if d is None else d
        if last is not None:
            while a < last:
                a += 1440
        while d < a:
            d += 1440
        out.append([st, a, d])
        last = d
    return out


def spread(line, known, first=None, last=None):
    """Calls of a trip over line[first..last] (indices into line): times of stations in the CSV as published,
    the others spread by distance between them with a 60 s dwell (assumed). known: {station: (arr, dep)} with at
    least two entries inside the range."""
    km = cum_km(line)
    idx = sorted(line.index(s) for s in known)
    first = idx[0] if first is None else first
    last = idx[-1] if last is None else last
    out = []
    for k in range(len(idx) - 1):
        i, j = idx[k], idx[k + 1]
        t0 = known[line[i]][1]
        t1 = known[line[j]][0]
        n_mid = j - i - 1
        run = (t1 - t0) - n_mid * CZT_DWELL_S / 60.0
        if k == 0:
            out.append([line[i]] + list(known[line[i]]))
        for m in range(i + 1, j):
            arr = t0 + run * (km[m] - km[i]) / (km[j] - km[i]) + (m - i - 1) * CZT_DWELL_S / 60.0
            out.append([line[m], arr, arr + CZT_DWELL_S / 60.0])
        out.append([line[j]] + list(known[line[j]]))
    return out


def trip_calls(calls, reverse):
    """Trip calls as sketch JSON: [station, time] or [station, arrival, departure] (running order)."""
    seq = calls[::-1] if reverse else calls
    out = []
    for k, (st, a, d) in enumerate(seq):
        if k == 0:
            out.append([st, hhmm(d)])
        elif k == len(seq) - 1:
            out.append([st, hhmm(a)])
        elif abs(d - a) < 1e-9:
            out.append([st, hhmm(a)])
        else:
            out.append([st, hhmm(a), hhmm(d)])
    return out


# Median minutes per kilometre of the 2020 all-stop trains between 长沙站 and 湘潭 (dwells included), per direction:
# used for the parts of a trip the CSV does not time (麓谷 ↔ 长沙站, the Zhuzhou branch beyond 长沙站).
xt_km_all = cum_km(TRUNK + XT)[-1]
runs_s, runs_n = [], []
for t, cs in train_calls.items():
    if t.startswith("C") and "长沙" in cs and "湘潭" in cs:
        k = known_times(cs, ["长沙", "湘潭"]) if cs["湘潭"]["terminus"] == "湘潭" else known_times(cs, ["湘潭", "长沙"])
        (runs_s if cs["湘潭"]["terminus"] == "湘潭" else runs_n).append(k[1][1] - k[0][2])
EXPRESS_MAX_MIN = 44  # a 长沙站–湘潭 time under 45 min is an express (FACTS: 33 = express); its other stops are unknown
med_s = statistics.median([x for x in runs_s if x > EXPRESS_MAX_MIN])
med_n = statistics.median([x for x in runs_n if x > EXPRESS_MAX_MIN])
min_per_km = {0: med_s / xt_km_all, 1: med_n / xt_km_all}


def ext_time(a, b, direction):
    """Minutes between stations a and b along the line at the all-stop pace (dwells included)."""
    line = NW + TRUNK
    if a in ZZ or b in ZZ:
        line = ZZ_LINE
    elif a in XT or b in XT:
        line = XT_LINE
    km = cum_km(line)
    return abs(km[line.index(b)] - km[line.index(a)]) * min_per_km[direction]


czt_trips = {"czt_xiangtan": {}, "czt_zhuzhou": {}}  # line → pattern → [trips]
trunk_deps = {0: [], 1: []}  # 长沙站 departures toward 暮云 (0) / arrivals from it (1), minutes, per branch
zz_count = {0: 0, 1: 0}
for t, cs in sorted(train_calls.items()):
    if not t.startswith("C") or "长沙" not in cs:
        continue
    r = cs["长沙"]
    if r["terminus"] in ("湘潭", "大丰"):
        d = 0
    elif r["origin"] in ("湘潭", "大丰"):
        d = 1
    else:
        continue  # 长沙–张家界西 and other trains of other lines; 长沙–麓谷 short trips below
    branch_end = r["terminus"] if d == 0 else r["origin"]
    other_end = r["origin"] if d == 0 else r["terminus"]
    zz = branch_end == "大丰"
    line_id = "czt_zhuzhou" if zz else "czt_xiangtan"
    line = ZZ_LINE if zz else XT_LINE
    k = known_times(cs, ["长沙", "湘潭"] if d == 0 else ["湘潭", "长沙"])
    known = {CSV_NAME[s]: (a, dep) for s, a, dep in k}
    cs_arr, cs_dep = known["长沙站"]
    if other_end == "麓谷":
        # through trains: 麓谷's time from the all-stop pace (not in the CSV)
        if d == 0:
            t0 = cs_arr - ext_time("麓谷", "长沙站", d)
            known["麓谷"] = (t0, t0)
        else:
            t1 = cs_dep + ext_time("长沙站", "麓谷", d)
            known["麓谷"] = (t1, t1)
    if zz:
        # the 2020 Zhuzhou trains ended at 大丰: run on to 株洲南 (2021: 株洲南 reopened and 株洲 opened; 2022: served
        # by almost every train), at the all-stop pace
        if d == 0:
            t1 = cs_dep + ext_time("长沙站", "株洲南", d)
            known["株洲南"] = (t1, t1)
        else:
            t0 = cs_arr - ext_time("株洲南", "长沙站", d)
            known["株洲南"] = (t0, t0)
        zz_count[d] += 1
    pattern = "allstop"
    if not zz and "湘潭" in known:
        run = known["湘潭"][0] - known["长沙站"][1] if d == 0 else known["长沙站"][0] - known["湘潭"][1]
        if run <= EXPRESS_MAX_MIN:
            pattern = "express"
    if "麓谷" in known:
        pattern = "lugu" if pattern == "allstop" else pattern
    run_line = line if d == 0 else line[::-1]
    if pattern == "express":
        # intermediate stops unknown: modelled calling at its CSV stations only (and 麓谷 when it runs through)
        calls = sorted(([s, a, b] for s, (a, b) in known.items()), key=lambda x: run_line.index(x[0]))
    else:
        calls = spread(run_line, known)
    trunk_deps[d].append((cs_dep if d == 0 else cs_arr, "zz" if zz else "xt"))
    czt_trips[line_id].setdefault(pattern, []).append({"id": t, "calls": trip_calls(calls, False)})

# 2022 level on the Zhuzhou branch: add trains 长沙站 ⇄ 株洲南 into the largest gaps of the trunk's timetable at
# 长沙站 (both branches together, inside 06:30–21:30) until the branch has 52 trains each way. Each added train is
# an all-stop train at the median 2020 pace.
added = {0: [], 1: []}
for d in (0, 1):
    times_all = sorted(x for x, _ in trunk_deps[d])
    while zz_count[d] < ZZ_TARGET_PAIRS:
        pts = [SPAN[0]] + [x for x in times_all if SPAN[0] <= x <= SPAN[1]] + [SPAN[1]]
        gaps = [(pts[i + 1] - pts[i], i) for i in range(len(pts) - 1)]
        g, i = max(gaps)
        new_t = round((pts[i] + pts[i + 1]) / 2)
        times_all.append(new_t)
        times_all.sort()
        added[d].append(new_t)
        zz_count[d] += 1
    for n, t0 in enumerate(sorted(added[d]), 1):
        line = ZZ_LINE[ZZ_LINE.index("长沙站"):]
        if d == 0:
            known = {"长沙站": (t0, t0), "株洲南": (t0 + ext_time("长沙站", "株洲南", 0),) * 2}
            calls = spread(line, known)
        else:
            start = t0 - ext_time("株洲南", "长沙站", 1)
            known = {"株洲南": (start, start), "长沙站": (t0, t0)}
            calls = spread(line[::-1], known)
        czt_trips["czt_zhuzhou"].setdefault("allstop", []).append(
            {"id": "Z%d%02d" % (d, n), "calls": trip_calls(calls, False),
             "note": "added to reach the 2022 level: placed in the largest gap of the trunk's timetable at 长沙站"})


def czt_station(n):
    sid, lat, lon, confirmed = CZT[n]
    st = {"id": sid, "name": n, "lat": lat, "lon": lon}
    if n in CZT_HUB:
        st["station"] = CZT_HUB[n]
    if not confirmed:
        st["assumed"] = True
        st["source"] = EST
    return st


def sort_trips(pats):
    for ts in pats.values():
        ts.sort(key=lambda t: (t["calls"][0][1]))
    order = ["allstop", "lugu", "express"]
    return [{"id": k, "name": {"allstop": "all stations from 长沙站", "lugu": "all stations, through from 麓谷",
                               "express": "express (intermediate stops not in the timetable source)"}[k],
             "trips": pats[k]} for k in order if k in pats]


CZT_SRC = ("rail_calls_2020.csv (Dec 2020 timetable, trains at 长沙 and 湘潭); stations and order: 2023 list, "
           "FACTS.md; times of stations not in the CSV spread by distance (60 s dwell assumed); Zhuzhou branch "
           "raised to the 2022 level (52 pairs) with added trains, see README.md")
sketch_lines.append({
    "id": "czt_zhuzhou", "short_name": "城际", "name": "长株潭城际铁路 麓谷—长沙—株洲南 Chang-Zhu-Tan intercity (Zhuzhou)",
    "route_type": 2, "agency": "czt_intercity", "color": "1F4E9C", "source": CZT_SRC,
    "stations": [czt_station(n) for n in ZZ_LINE], "patterns": sort_trips(czt_trips["czt_zhuzhou"])})
sketch_lines.append({
    "id": "czt_xiangtan", "short_name": "城际", "name": "长株潭城际铁路 麓谷—长沙—湘潭 Chang-Zhu-Tan intercity (Xiangtan)",
    "route_type": 2, "agency": "czt_intercity", "color": "3A7BD5", "source": CZT_SRC,
    "stations": [czt_station(n) if n not in ZZ_LINE else {"stop": CZT[n][0]} for n in XT_LINE],
    "patterns": sort_trips(czt_trips["czt_xiangtan"])})
# 长沙站 ⇄ 麓谷 short trains of the CSV
nw_trips = []
for t, cs in sorted(train_calls.items()):
    if t.startswith("C") and "长沙" in cs and {cs["长沙"]["origin"], cs["长沙"]["terminus"]} == {"长沙", "麓谷"}:
        r = cs["长沙"]
        d = 0 if r["origin"] == "麓谷" else 1
        k = known_times(cs, ["长沙"])[0]
        line = NW + ["长沙站"]
        if d == 0:
            known = {"麓谷": (k[1] - ext_time("麓谷", "长沙站", 0),) * 2, "长沙站": (k[1], k[2])}
            calls = spread(line, known)
            calls[-1][2] = calls[-1][1]
        else:
            known = {"长沙站": (k[2], k[2]), "麓谷": (k[2] + ext_time("长沙站", "麓谷", 1),) * 2}
            calls = spread(line[::-1], known)
        nw_trips.append({"id": t, "calls": trip_calls(calls, False)})
sketch_lines.append({
    "id": "czt_lugu", "short_name": "城际", "name": "长株潭城际铁路 麓谷—长沙 Chang-Zhu-Tan intercity (north-west)",
    "route_type": 2, "agency": "czt_intercity", "color": "1F4E9C", "source": CZT_SRC,
    "stations": [{"stop": CZT[n][0]} for n in NW + ["长沙站"]], "trips": nw_trips})

# ------------------------------------------------------------------------------------- high-speed and conventional
HSR_SRC = "rail_calls_2020.csv (Dec 2020 timetable, every G/D train calling at both stations)"
cs_south = {"id": "hsr_changsha_south", "name": "长沙南", "lat": 28.15008, "lon": 113.05939,
            "station": "hub_changsha_south"}


def pair_trips(a, b, prefix_types):
    """Trains of the CSV calling at both a and b, as trips (direction 0 = a → b)."""
    out = []
    for t, cs in sorted(train_calls.items()):
        if t[0] not in prefix_types or a not in cs or b not in cs:
            continue
        ka = known_times(cs, [a, b])
        kb = known_times(cs, [b, a])
        # the running order is the one whose times go forward by less than a day
        fwd = ka[1][1] - ka[0][2]
        bwd = kb[1][1] - kb[0][2]
        k = ka if fwd <= bwd else kb
        first, last = k
        out.append({"id": t, "calls": [[first[0], hhmm(first[1]), hhmm(first[2])] if first[1] != first[2]
                                       else [first[0], hhmm(first[2])],
                                       [last[0], hhmm(last[1]), hhmm(last[2])] if last[1] != last[2]
                                       else [last[0], hhmm(last[1])]]})
    return out


def rename(trips, names):
    for tr in trips:
        for c in tr["calls"]:
            c[0] = names[c[0]]
    return trips


sketch_lines.append({
    "id": "hsr_zhuzhou", "short_name": "高铁", "name": "京广高铁 长沙南—株洲西 HSR Changsha South–Zhuzhou West",
    "route_type": 101, "agency": "china_railway", "color": "C00000", "source": HSR_SRC,
    "stations": [cs_south, {"id": "hsr_zhuzhou_west", "name": "株洲西", "lat": 27.79414, "lon": 113.06214,
                            "source": "zh.wikipedia.org 株洲西站 (27°47′38.89″N 113°3′43.70″E)"}],
    "trips": rename(pair_trips("长沙南", "株洲西", "GD"), {"长沙南": "hsr_changsha_south", "株洲西": "hsr_zhuzhou_west"})})
sketch_lines.append({
    "id": "hsr_xiangtan", "short_name": "高铁", "name": "沪昆高铁 长沙南—湘潭北 HSR Changsha South–Xiangtan North",
    "route_type": 101, "agency": "china_railway", "color": "C00000", "source": HSR_SRC,
    "stations": [{"stop": "hsr_changsha_south"},
                 {"id": "hsr_xiangtan_north", "name": "湘潭北", "lat": 27.96667, "lon": 112.93778,
                  "station": "hub_xiangtan_north", "source": "site of metro 湘潭北站 (metro_stations.csv)"}],
    "trips": rename(pair_trips("长沙南", "湘潭北", "GD"),
                    {"长沙南": "hsr_changsha_south", "湘潭北": "hsr_xiangtan_north"})})
# Shaoshan South and Liling East are not in the CSV: hourly services with FACTS.md's run times (assumed).
HSR_ASSUMED = "run times FACTS.md (approximate); hourly 07:00-22:00 assumed (stations not in rail_calls_2020.csv)"
hourly = [{"from": "07:00", "to": "22:00", "headway_min": 60}]
sketch_lines.append({
    "id": "hsr_shaoshan", "short_name": "高铁", "name": "沪昆高铁 长沙南—湘潭北—韶山南 HSR to Shaoshan South (assumed)",
    "route_type": 101, "agency": "china_railway", "color": "C00000", "source": HSR_ASSUMED, "assumed": True,
    "dwell_s": 120, "headways": hourly,
    "stations": [{"stop": "hsr_changsha_south"}, {"stop": "hsr_xiangtan_north", "run_min": 14},
                 {"id": "hsr_shaoshan_south", "name": "韶山南", "lat": 27.8950, "lon": 112.5400,
                  "assumed": True, "source": "estimated (±3 km)", "run_min": 10}]})
sketch_lines.append({
    "id": "hsr_liling", "short_name": "高铁", "name": "沪昆高铁 长沙南—醴陵东 HSR Changsha South–Liling East (assumed)",
    "route_type": 101, "agency": "china_railway", "color": "C00000", "source": HSR_ASSUMED, "assumed": True,
    "dwell_s": 0, "headways": hourly,
    "stations": [{"stop": "hsr_changsha_south"},
                 {"id": "hsr_liling_east", "name": "醴陵东", "lat": 27.6650, "lon": 113.5400, "assumed": True,
                  "source": "estimated (±3 km)", "run_min": 23}]})
# Conventional trains (K, T, Z) between 长沙, 株洲 and 湘潭 railway stations, from the CSV.
CONV_STOP = {"长沙": {"id": "rail_changsha", "name": "长沙站(普速)", "lat": 28.19697, "lon": 113.00533,
                      "station": "hub_changsha_station"},
             "株洲": {"id": "rail_zhuzhou", "name": "株洲站(普速)", "lat": 27.8615, "lon": 113.1505,
                      "station": "hub_zhuzhou_station", "assumed": True, "source": "estimated (±3 km)"},
             "湘潭": {"id": "rail_xiangtan", "name": "湘潭站(普速)", "lat": 27.8605, "lon": 112.9245,
                      "station": "hub_xiangtan_station", "assumed": True, "source": "estimated (±3 km)"}}
defined = set()
for a, b, lid, nm in [("长沙", "株洲", "rail_changsha_zhuzhou", "京广铁路 长沙—株洲 conventional trains"),
                      ("株洲", "湘潭", "rail_zhuzhou_xiangtan", "湘黔铁路 株洲—湘潭 conventional trains"),
                      ("长沙", "湘潭", "rail_changsha_xiangtan", "长沙—湘潭 conventional trains")]:
    trips = pair_trips(a, b, "KTZ")
    # a train calling at all three stations is kept on the pairs its calls follow (no double counting of one
    # train on two lines is possible: a line is one pair of stations)
    sts = []
    for s in (a, b):
        sts.append({"stop": CONV_STOP[s]["id"]} if s in defined else dict(CONV_STOP[s]))
        defined.add(s)
    sketch_lines.append({
        "id": lid, "short_name": "普速", "name": nm, "route_type": 2, "agency": "china_railway", "color": "6B6B6B",
        "source": "rail_calls_2020.csv (Dec 2020 timetable, K/T/Z trains calling at both stations)",
        "stations": sts, "trips": rename(trips, {s: CONV_STOP[s]["id"] for s in (a, b)})})

# ------------------------------------------------------------------------------------------------------ buses
# Bus corridors linking every county seat / place of the plan to its city's rail, and feeder lines in the Zhuzhou
# and Xiangtan cores. One real line is in the public record with its ends and hours: 长株潭201路 (湘潭汽车西站 ⇄ 长沙
# 侯家塘, first bus 06:00 from 湘潭 / 07:00 from 长沙, last 17:10 from 湘潭; hunan.voc.com.cn 2026-01-22); its headway
# is not. Zhuzhou's T3路 runs 株洲站 – 人民路 – 田心 05:40–22:30 (iuu7.com, 2021-10-28), the axis of the first Zhuzhou
# feeder. Everything else here — routes, stops, speeds, headways — is a stated assumption (README.md).
BUS_URBAN = {"speed_kmh": 20, "detour": 1.3}     # assumed: urban bus incl. stops
BUS_EXPRESS = {"speed_kmh": 40, "detour": 1.25}  # assumed: county express bus on national roads / expressways
metro_pts = [(float(r["lat"]), float(r["lon"]), "m_" + slug(r["station_pinyin"]), r["station_zh"]) for r in rows]


def nearest_metro(lat, lon):
    return min(metro_pts, key=lambda m: dist_km((lat, lon), (m[0], m[1])))


def bus_periods(peak, off, span=("06:00", "22:00")):
    return [{"from": span[0], "to": "07:00", "headway_min": off}, {"from": "07:00", "to": "09:00", "headway_min": peak},
            {"from": "09:00", "to": "17:00", "headway_min": off}, {"from": "17:00", "to": "19:00", "headway_min": peak},
            {"from": "19:00", "to": span[1], "headway_min": off}]


def place_stop(pid, name, lat, lon):
    return {"id": "bus_" + pid, "name": name + " 客运站/公交站", "lat": lat, "lon": lon, "assumed": True,
            "source": "the place's point in places.csv (FACTS.md, ±3 km)"}


def bus_line(lid, short, name, agency, stations, run, periods, src, via_km=0):
    """stations: stops (dicts) in order; via_km > 0 adds intermediate stops every via_km along straight lines."""
    if via_km > 0:
        out = [stations[0]]
        for a, b in zip(stations, stations[1:]):
            pa = (a["lat"], a["lon"]) if "lat" in a else STOP_POS[a["stop"]]
            pb = (b["lat"], b["lon"]) if "lat" in b else STOP_POS[b["stop"]]
            n = int(dist_km(pa, pb) // via_km)
            for k in range(1, n + 1):
                f = k / (n + 1)
                out.append({"id": "%s_%d" % (lid, len(out)), "name": "%s %d" % (name.split(" ")[0], len(out)),
                            "lat": round(pa[0] + (pb[0] - pa[0]) * f, 5), "lon": round(pa[1] + (pb[1] - pa[1]) * f, 5),
                            "assumed": True, "source": "intermediate stop placed on the straight line (assumed)"})
            out.append(b)
        stations = out
    # every bus line has assumed service (the real 201's headway and speed too)
    return {"id": lid, "short_name": short, "name": name, "route_type": 3, "agency": agency, "color": "2E8B57",
            "source": src, "assumed": True, "run": run, "dwell_s": 20, "headways": periods, "stations": stations}


STOP_POS = {}
for r in rows:
    STOP_POS["m_" + slug(r["station_pinyin"])] = (float(r["lat"]), float(r["lon"]))
for n, v in CZT.items():
    STOP_POS[v[0]] = (v[1], v[2])
STOP_POS.update({"hsr_zhuzhou_west": (27.79414, 113.06214), "hsr_xiangtan_north": (27.96667, 112.93778),
                 "hsr_shaoshan_south": (27.8950, 112.5400), "hsr_liling_east": (27.6650, 113.5400),
                 "bus_zhuzhou": (27.83, 113.13), "bus_xiangtan": (27.83, 112.92)})
ASSUMED_BUS = "route, stops, speed and headway assumed (no public timetable found); README.md"
PLACE = {"changsha_county": ("长沙县 星沙", 28.25, 113.08), "wangcheng": ("望城", 28.36, 112.82),
         "ningxiang": ("宁乡", 28.28, 112.55), "liuyang": ("浏阳", 28.15, 113.63), "liling": ("醴陵", 27.65, 113.50),
         "lukou": ("渌口", 27.70, 113.15), "xiangtan_county": ("湘潭县 易俗河", 27.78, 112.95),
         "shaoshan": ("韶山", 27.92, 112.52), "xiangxiang": ("湘乡", 27.73, 112.53),
         "zhuzhou": ("株洲 中心", 27.83, 113.13), "xiangtan": ("湘潭 中心", 27.83, 112.92)}


def pstop(pid):
    n, la, lo = PLACE[pid]
    return place_stop(pid, n, la, lo)


def mstop(pid):
    n, la, lo = PLACE[pid]
    m = nearest_metro(la, lo)
    return {"stop": m[2]}


urban = bus_periods(8, 15)
county = bus_periods(15, 30, ("06:30", "20:00"))
bus_lines = [
    # Changsha: county seats to the nearest metro station
    bus_line("bus_xingsha", "星沙", "星沙—地铁 Xingsha feeder", "cs_bus", [pstop("changsha_county"), mstop("changsha_county")],
             BUS_URBAN, urban, ASSUMED_BUS, via_km=2),
    bus_line("bus_wangcheng", "望城", "望城—地铁 Wangcheng feeder", "cs_bus", [pstop("wangcheng"), mstop("wangcheng")],
             BUS_URBAN, urban, ASSUMED_BUS, via_km=2.5),
    bus_line("bus_ningxiang", "宁乡快线", "宁乡—谢家桥 Ningxiang express bus", "cs_bus",
             [pstop("ningxiang"), {"stop": "m_xiejia_qiao"}], BUS_EXPRESS, county, ASSUMED_BUS, via_km=8),
    bus_line("bus_liuyang", "浏阳快线", "浏阳—黄花机场 Liuyang express bus", "cs_bus",
             [pstop("liuyang"), {"stop": "m_huanghua_jichang_t1t2"}], BUS_EXPRESS, county, ASSUMED_BUS, via_km=10),
    # Changsha – Xiangtan: the real 长株潭201路 (ends and hours cited; headway 20 min and speed assumed)
    bus_line("bus_czt201", "201", "长株潭201路 湘潭汽车西站—长沙侯家塘", "czt_bus",
             [{"id": "bus_xiangtan_west_bus_station", "name": "湘潭汽车西站", "lat": 27.8700, "lon": 112.8900,
               "assumed": True, "source": "estimated (±2 km)"}, {"stop": "m_houjiatang"}],
             BUS_EXPRESS, [{"from": "06:00", "to": "17:20", "headway_min": 20}],
             "hunan.voc.com.cn/news/202601/31410359.html (ends, first bus 06:00 from 湘潭, last 17:10); headway 20 "
             "min and speed assumed", via_km=6),
    # Zhuzhou: core feeders and the county seats
    bus_line("bus_zz_t3", "T3", "株洲T3路轴线 株洲中心—株洲站—大丰—田心东 Zhuzhou feeder", "zz_bus",
             [pstop("zhuzhou"), {"stop": "czt_zhuzhou"}, {"stop": "czt_dafeng"}, {"stop": "czt_tianxindong"}],
             BUS_URBAN, urban, "axis of 株洲T3路 (株洲站–人民路–田心, 05:40–22:30; iuu7.com 2021-10-28); stops, speed "
             "and headway assumed", via_km=2),
    bus_line("bus_zz_west", "株洲西", "株洲西站—株洲中心—株洲南 Zhuzhou feeder", "zz_bus",
             [{"stop": "hsr_zhuzhou_west"}, pstop("zhuzhou"), {"stop": "czt_zhuzhou_south"}],
             BUS_URBAN, urban, ASSUMED_BUS, via_km=2),
    bus_line("bus_lukou", "渌口", "渌口—株洲南—株洲中心 Lukou bus", "zz_bus",
             [pstop("lukou"), {"stop": "czt_zhuzhou_south"}, {"stop": "bus_zhuzhou"}], BUS_EXPRESS, county,
             ASSUMED_BUS, via_km=4),
    bus_line("bus_liling", "醴陵", "醴陵—醴陵东站—株洲中心 Liling express bus", "zz_bus",
             [pstop("liling"), {"stop": "hsr_liling_east"}, {"stop": "bus_zhuzhou"}], BUS_EXPRESS, county,
             ASSUMED_BUS, via_km=8),
    # Xiangtan: core feeder and the county seats
    bus_line("bus_xt_north", "湘潭北", "湘潭中心—湘潭站—板塘—湘潭北站 Xiangtan feeder", "xt_bus",
             [pstop("xiangtan"), {"stop": "czt_xiangtan"}, {"stop": "czt_bantang"}, {"stop": "hsr_xiangtan_north"}],
             BUS_URBAN, urban, ASSUMED_BUS, via_km=2),
    bus_line("bus_yisuhe", "易俗河", "易俗河—湘潭中心 Xiangtan County bus", "xt_bus",
             [pstop("xiangtan_county"), {"stop": "bus_xiangtan"}], BUS_URBAN, urban, ASSUMED_BUS, via_km=2),
    bus_line("bus_shaoshan", "韶山", "韶山—韶山南站—湘潭中心 Shaoshan bus", "xt_bus",
             [pstop("shaoshan"), {"stop": "hsr_shaoshan_south"}, {"stop": "bus_xiangtan"}], BUS_EXPRESS, county,
             ASSUMED_BUS, via_km=8),
    bus_line("bus_xiangxiang", "湘乡", "湘乡—湘潭中心 Xiangxiang bus", "xt_bus",
             [pstop("xiangxiang"), {"stop": "bus_xiangtan"}], BUS_EXPRESS, county, ASSUMED_BUS, via_km=8),
]

# The hubs: parent stations whose platforms (child stops) are linked by a stated transfer time (assumed).
hubs = [
    {"id": "hub_changsha_station", "name": "长沙站 Changsha station", "lat": 28.19697, "lon": 113.00533,
     "transfer_min": 5, "assumed": True, "source": "site confirmed (FACTS.md); transfer time assumed"},
    {"id": "hub_changsha_south", "name": "长沙南 Changsha South", "lat": 28.15008, "lon": 113.05939,
     "transfer_min": 8, "assumed": True, "source": "site confirmed (FACTS.md); transfer time assumed"},
    {"id": "hub_airport", "name": "黄花机场 Huanghua airport T1/T2", "lat": 28.19411, "lon": 113.21228,
     "transfer_min": 5, "assumed": True, "source": "site confirmed (metro_stations.csv); transfer time assumed"},
    {"id": "hub_zhuzhou_station", "name": "株洲站 Zhuzhou railway station", "lat": 27.8618, "lon": 113.1502,
     "transfer_min": 5, "assumed": True, "source": "site estimated (±3 km); transfer time assumed"},
    {"id": "hub_xiangtan_station", "name": "湘潭站 Xiangtan railway station", "lat": 27.8603, "lon": 112.9242,
     "transfer_min": 5, "assumed": True, "source": "site estimated (±3 km); transfer time assumed"},
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
        {"id": "cs_bus", "name": "长沙公交 Changsha buses (corridors assumed)", "url": "https://tongcheng.invalid/",
         "timezone": "Asia/Shanghai"},
        {"id": "czt_bus", "name": "长株潭城际公交 Chang-Zhu-Tan intercity buses", "url": "https://tongcheng.invalid/",
         "timezone": "Asia/Shanghai"},
        {"id": "zz_bus", "name": "株洲公交 Zhuzhou buses (corridors assumed)", "url": "https://tongcheng.invalid/",
         "timezone": "Asia/Shanghai"},
        {"id": "xt_bus", "name": "湘潭公交 Xiangtan buses (corridors assumed)", "url": "https://tongcheng.invalid/",
         "timezone": "Asia/Shanghai"},
    ],
    "calendars": [{"id": "daily", "start": "2026-01-01", "end": "2027-12-31", "days": "1111111",
                   "assumed": True, "note": "every day alike: no weekday/holiday differences are modelled"}],
    "stations": hubs,
    "lines": sketch_lines + bus_lines,
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
print("intercity pace (2020 all-stop median, 长沙站–湘潭): %.2f / %.2f min per km (south / north); medians %s / %s min"
      % (min_per_km[0], min_per_km[1], med_s, med_n))
print("Zhuzhou branch trains each way after the added ones: %s; added %s" % (zz_count, {k: len(v) for k, v in added.items()}))
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
# The plan's questions, one scenario each (README.md, "Scenarios"). Kept here because their run times and stops
# derive from the lines above.
SCN = os.path.join(HERE, "scenarios")
os.makedirs(SCN, exist_ok=True)
for old in ("faster_changsha_xiangtan.json",):
    if os.path.exists(os.path.join(SCN, old)):
        os.remove(os.path.join(SCN, old))


def write_scenario(fname, obj):
    with open(os.path.join(SCN, fname), "w", encoding="utf-8") as f:
        f.write(dump(obj) + "\n")


every5 = [{"from": "06:30", "to": "22:30", "headway_min": 5}]
write_scenario("intercity_like_a_bus.json", {
    "name": "intercity-every-5-min",
    "description": "Tests the plan's 公交化 intercity: all-stop trains 长沙站 ⇄ 株洲南 and 长沙站 ⇄ 湘潭 every 5 min "
                   "06:30–22:30 on each branch instead of the timetable (through trains from 麓谷 and expresses kept).",
    "modifications": [
        {"type": "set_headways", "route": "czt_zhuzhou", "pattern": "allstop", "periods": every5},
        {"type": "set_headways", "route": "czt_xiangtan", "pattern": "allstop", "periods": every5},
    ]})

# Zero transfer at Changsha South: intercity trains from a platform at the high-speed station to 株洲南, timed
# against the high-speed arrivals. Run times: 5 min over an assumed 4.5 km link to 树木岭, then the all-stop pace.
link_line = ["树木岭"] + TRUNK[2:] + ZZ
link_runs = [5.0] + [round(ext_time(a, b, 0) - CZT_DWELL_S / 60.0, 1) for a, b in zip(link_line, link_line[1:])]
write_scenario("hsr_intercity_hub.json", {
    "name": "zero-transfer-hub",
    "description": "Tests high-speed ↔ intercity \"zero transfer\" at Changsha South: intercity trains from a new "
                   "platform at the high-speed station to 株洲南 every 30 min, with timed cross-platform transfers "
                   "(link, run times and headway assumed).",
    "modifications": [
        {"type": "add_line", "line": {
            "id": "czt_south_link", "short_name": "城际", "name": "城际 长沙南—株洲南 intercity via Changsha South (scenario)",
            "route_type": 2, "agency": "czt_intercity", "color": "1F4E9C", "dwell_s": CZT_DWELL_S,
            "headways": [{"from": "07:05", "to": "22:05", "headway_min": 30}], "expand": True,
            "stations": [{"id": "czt_changsha_south", "name": "长沙南(城际)", "lat": 28.1510, "lon": 113.0585,
                          "station": "hub_changsha_south", "assumed": True}] +
                        [{"stop": CZT[n][0], "run_min": r} for n, r in zip(link_line, link_runs)]}},
        {"type": "set_transfer", "from_stop": "hsr_changsha_south", "to_stop": "czt_changsha_south", "timed": True},
        {"type": "set_transfer", "from_stop": "czt_changsha_south", "to_stop": "hsr_changsha_south", "timed": True},
    ]})


# Metro extensions toward Ningxiang (from Line 6's western terminus 谢家桥) and Liuyang (from Line 6's airport
# terminus): the plan names rail links to the county seats; alignments, stations every ~3 km, 60 km/h running
# (suburban metro), 45 s dwell and headways (6 min peak, 12 off-peak) are assumptions.
def extension(lid, name, start_stop, start, end, end_name, end_id):
    km = dist_km(start, end)
    n = max(2, int(round(km / 3.0)))
    sts = [{"stop": start_stop}]
    for k in range(1, n + 1):
        f = k / n
        lat = start[0] + (end[0] - start[0]) * f
        lon = start[1] + (end[1] - start[1]) * f
        sts.append({"id": end_id if k == n else "%s_%d" % (lid, k), "name": end_name if k == n else
                    "%s %d" % (name, k), "lat": round(lat, 5), "lon": round(lon, 5), "assumed": True})
    return {"type": "add_line", "line": {
        "id": lid, "short_name": "6", "name": "长沙地铁6号线 %s (scenario)" % name, "route_type": 1,
        "agency": "cs_metro", "color": "E4007F", "dwell_s": 45, "run": {"speed_kmh": 60, "detour": 1.15},
        "headways": metro_periods(6), "stations": sts}}


write_scenario("metro_extensions.json", {
    "name": "metro-to-ningxiang-liuyang",
    "description": "Tests metro extensions toward Ningxiang (from 谢家桥) and Liuyang (from the airport) as the plan's "
                   "rail links to the county seats: alignments, stations every ~3 km, 60 km/h, 6/12 min headways "
                   "assumed.",
    "modifications": [
        extension("metro_6_ningxiang", "宁乡延伸", "m_xiejia_qiao", (28.17546, 112.83038), (28.2800, 112.5550),
                  "宁乡", "m_ningxiang"),
        extension("metro_6_liuyang", "浏阳延伸", "m_huanghua_jichang_t1t2", (28.19411, 113.21228),
                  (28.1500, 113.6250), "浏阳", "m_liuyang"),
    ]})

# ------------------------------------------------------------------------------------------------ population
# Residents by district and county, 7th census (2020-11-01), as weighted points around each unit's seat (±3 km). The three cities' totals are the provincial bulletin's
# (FACTS.md); a unit whose own figure was not found is the city total minus the others (marked residual).
CITY_TOTAL = {"长沙市": 10047914, "株洲市": 3902738, "湘潭市": 2726181}
S_CS = "census bulletin of the district (via %s)"
POP = [  # city, id, name, lat, lon, residents or None (residual), source
    ("长沙市", "cs_kaifu", "开福区", 28.2550, 112.9850, 820790, "wikiwand.com/zh/articles/开福区 (census)"),
    ("长沙市", "cs_yuhua", "雨花区", 28.1350, 113.0350, 1264895, "雨花区第七次全国人口普查公报 (via yopinpei.com)"),
    ("长沙市", "cs_liuyang", "浏阳市", 28.1600, 113.6400, 1429384, "长沙市第七次全国人口普查公报 (via hongheiku.com)"),
    ("长沙市", "cs_ningxiang", "宁乡市", 28.3261, 112.5577, 1263332, "宁乡市第七次全国人口普查公报 (2021-06-16)"),
    ("长沙市", "cs_wangcheng", "望城区", 28.3553, 112.8116, 890214, "zh.wikipedia.org 望城区 (census)"),
    ("长沙市", "cs_tianxin", "天心区", 28.1135, 112.9895, 836157, "天心区第七次全国人口普查公报 (tjgb.hongheiku.com/12847.html)"),
    ("长沙市", "cs_yuelu", "岳麓区", 28.2348, 112.9312, 1528600,
     "derived: 岳麓区 2021 bulletin, 1,579,800 at end-2021 less the year's 51,200 increase (approximate)"),
    ("长沙市", "cs_furong", "芙蓉区", 28.1930, 113.0320, "furong", "residual, split assumed 30:70 with 长沙县"),
    ("长沙市", "cs_changsha_county", "长沙县", 28.2500, 113.0800, "county", "residual, split assumed 30:70 with 芙蓉区"),
    ("株洲市", "zz_liling", "醴陵市", 27.6500, 113.5000, 886000, "株洲 census by county (tcmap.com.cn, 10,000s)"),
    ("株洲市", "zz_youxian", "攸县", 27.0000, 113.3500, 630400, "株洲 census by county (tcmap.com.cn, 10,000s)"),
    ("株洲市", "zz_chaling", "茶陵县", 26.7900, 113.5400, 481800, "株洲 census by county (tcmap.com.cn, 10,000s)"),
    ("株洲市", "zz_tianyuan", "天元区", 27.8260, 113.0820, 478300, "株洲 census by county (tcmap.com.cn, 10,000s)"),
    ("株洲市", "zz_hetang", "荷塘区", 27.8550, 113.1730, 348900, "株洲 census by county (tcmap.com.cn, 10,000s)"),
    ("株洲市", "zz_lusong", "芦淞区", 27.7850, 113.1550, 307000, "株洲 census by county (tcmap.com.cn, 10,000s)"),
    ("株洲市", "zz_lukou", "渌口区", 27.7000, 113.1500, 260534, "株洲市第七次全国人口普查公报 (via psic.org.cn)"),
    ("株洲市", "zz_shifeng", "石峰区", 27.8720, 113.1180, 223600, "株洲 census by county (tcmap.com.cn, 10,000s)"),
    ("株洲市", "zz_yanling", "炎陵县", 26.4900, 113.7700, 160300, "株洲 census by county (tcmap.com.cn, 10,000s)"),
    ("株洲市", "zz_yunlong", "云龙示范区", 27.9000, 113.1700, None, "residual of the city total"),
    ("湘潭市", "xt_xiangtan_county", "湘潭县", 27.7826, 112.9455, 792829, "zh.wikipedia.org 湘潭县 (census)"),
    ("湘潭市", "xt_yuhu", "雨湖区", 27.8600, 112.9100, 618300, "Hunan statistical yearbook 2020 (via maigoo.com)"),
    ("湘潭市", "xt_yuetang", "岳塘区", 27.8700, 112.9500, 484500, "Hunan statistical yearbook 2020 (via maigoo.com)"),
    ("湘潭市", "xt_shaoshan", "韶山市", 27.9200, 112.5200, 103300, "Hunan statistical yearbook 2020 (via maigoo.com)"),
    ("湘潭市", "xt_xiangxiang", "湘乡市", 27.7300, 112.5300, None, "residual of the city total"),
]
rows_out = []
for city in CITY_TOTAL:
    known = sum(r[5] for r in POP if r[0] == city and isinstance(r[5], int))
    rest = CITY_TOTAL[city] - known
    for r in POP:
        if r[0] != city:
            continue
        v = r[5]
        if v is None:
            v = rest
        elif v == "furong":
            v = round(rest * 0.3)
        elif v == "county":
            v = rest - round(rest * 0.3)
        rows_out.append((r[1], r[2], r[3], r[4], v, city, r[6]))
assert sum(r[4] for r in rows_out) == sum(CITY_TOTAL.values()) == 16676833
# Each unit's residents spread over 7 points (assumed): the seat and six around it — urban districts 2.5 km out,
# one seventh each; counties and county-level cities 10 km out, 40% at the seat and 10% on each of the six.
URBAN = {"cs_kaifu", "cs_yuhua", "cs_tianxin", "cs_yuelu", "cs_furong", "zz_tianyuan", "zz_hetang", "zz_lusong",
         "zz_shifeng", "zz_yunlong", "xt_yuhu", "xt_yuetang"}
with open(os.path.join(HERE, "population.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["id", "name", "lat", "lon", "population", "city", "source"])
    for pid, name, lat, lon, v, city, src in rows_out:
        urban = pid in URBAN
        r_km = 2.5 if urban else 10.0
        shares = [1 / 7.0] * 7 if urban else [0.4] + [0.1] * 6
        parts = [round(v * x) for x in shares]
        parts[0] += v - sum(parts)  # the seat takes the rounding
        for k in range(7):
            if k == 0:
                la, lo = lat, lon
            else:
                ang = math.radians(60 * (k - 1))
                la = lat + r_km * math.cos(ang) / 111.2
                lo = lon + r_km * math.sin(ang) / (111.2 * math.cos(math.radians(lat)))
            w.writerow(["%s_%d" % (pid, k), name, round(la, 5), round(lo, 5), parts[k], city, src])

# ---------------------------------------------------------------------------------------------- assumptions
# The assumptions the report names (one line each; README.md gives the detail).
with open(os.path.join(HERE, "assumptions.txt"), "w", encoding="utf-8") as f:
    f.write("# The assumptions that remain in the built-in default, one per line, listed by `tongcheng circle`.\n")
    for line in [
        "metro and maglev headways, speeds and dwells (FACTS.md approximations)",
        "intercity: times at stations not in the Dec 2020 timetable spread by distance; 36/35 Zhuzhou-branch trains "
        "added to reach the 2022 level, placed in the largest gaps; express stops not modelled",
        "韶山南 and 醴陵东 high-speed trains hourly (not in the timetable source)",
        "buses: all corridors, stops, speeds (urban 20 km/h, express 40 km/h) and headways assumed; 长株潭201路 "
        "ends and hours from the public record, its headway (20 min) assumed",
        "coordinates of 18 intercity stations, 株洲站, 湘潭站, 韶山南, 醴陵东 and the county seats estimated (±3 km)",
        "population: each district or county spread over 7 points around its seat (2.5 km / 10 km out); 芙蓉区/长沙县 "
        "split 30:70 of their residual",
        "hub transfer times (4-8 min) and every day alike (no weekday/holiday timetables)",
    ]:
        f.write(line + "\n")

# ------------------------------------------------------------------------------------------------ road model
# roads.json: expressways, national roads and main arterials for car times without OSM (README.md, "The road
# model"). Alignments are polylines through named nodes (interchanges and town centres, estimated ±3 km); speeds are
# free-flow assumptions by class, peak_factor the assumed share of it in the peak hour.
RN = {  # id: (name, lat, lon)
    "cs_core": ("五一广场 Wuyi Square", 28.19875, 112.97090), "cs_xingsha": ("星沙", 28.2500, 113.0800),
    "cs_south_station": ("长沙南站", 28.1500, 113.0590), "cs_airport": ("黄花机场", 28.1940, 113.2120),
    "cs_wangcheng": ("望城", 28.3600, 112.8200), "cs_ningxiang": ("宁乡", 28.2800, 112.5500),
    "cs_liuyang": ("浏阳", 28.1500, 113.6300),
    "g4_north": ("京港澳 长沙北", 28.4000, 113.0500), "ring_yangzichong": ("杨梓冲互通 (G4 × 绕城)", 28.3000, 113.0700),
    "ring_east": ("绕城东 (机场高速、长浏高速)", 28.1900, 113.1000),
    "ring_lijiatang": ("李家塘互通 (G4 × 绕城)", 28.0900, 113.0300), "ring_pingtang": ("坪塘 (长韶娄)", 28.0700, 112.9500),
    "ring_hanpu": ("含浦互通 (长潭西)", 28.1000, 112.9000), "ring_jinqiao": ("金桥 (长张高速)", 28.2200, 112.8500),
    "ring_northwest": ("绕城西北 (望城)", 28.3100, 112.8800), "ring_north": ("绕城北 (霞凝)", 28.3300, 112.9700),
    "huanghua_jct": ("黄花枢纽 (机场高速 × 长株高速)", 28.1900, 113.1500),
    "g4_muyun": ("京港澳 暮云", 28.0000, 113.0300), "g4_g60": ("京港澳 × 沪昆 枢纽", 27.9300, 113.0000),
    "g4_zhuzhou_west": ("京港澳 株洲西", 27.8000, 113.0600), "g4_south": ("京港澳 渌口西", 27.7000, 113.0800),
    "zz_core": ("株洲中心", 27.8300, 113.1300), "zz_yunlong": ("云龙 (长株高速南端)", 27.9300, 113.1700),
    "g60_zz_north": ("沪昆 株洲北", 27.9300, 113.1200), "g60_zz_east": ("沪昆 株洲东", 27.9000, 113.2500),
    "zz_liling": ("醴陵", 27.6500, 113.5000), "zz_lukou": ("渌口", 27.7000, 113.1500),
    "g60_xt_north": ("沪昆 湘潭北", 27.9500, 112.9000), "xt_core": ("湘潭中心", 27.8300, 112.9200),
    "xt_yisuhe": ("易俗河", 27.7800, 112.9500), "xt_shaoshan": ("韶山", 27.9200, 112.5200),
    "xt_xiangxiang": ("湘乡", 27.7300, 112.5300), "s41_xt_north": ("长潭西 湘潭北口", 27.9000, 112.8800),
    "huaminglou": ("花明楼", 28.0000, 112.6500), "furong_south": ("芙蓉南路 南段", 28.1000, 112.9950),
    "zhaoshan": ("昭山", 27.9600, 112.9700), "dongjing": ("洞井", 28.0900, 113.0200),
    "zz_tianyuan": ("天元 (株潭连接)", 27.8200, 113.0500),
}
EXPRESS, NATIONAL, ARTERIAL, URBAN_X = 90, 55, 35, 55
road_list = [
    # expressways
    ("G4", "G4 京港澳高速", "expressway", EXPRESS, 0.85,
     ["g4_north", "ring_yangzichong", "ring_east", "ring_lijiatang", "g4_muyun", "g4_g60", "g4_zhuzhou_west",
      "g4_south"]),
    ("G0401", "G0401 长沙绕城高速", "expressway", EXPRESS, 0.8,
     ["ring_yangzichong", "ring_east", "ring_lijiatang", "ring_pingtang", "ring_hanpu", "ring_jinqiao",
      "ring_northwest", "ring_north", "ring_yangzichong"]),
    ("S21", "长株高速", "expressway", EXPRESS, 0.9, ["cs_xingsha", "huanghua_jct", "zz_yunlong"]),
    ("airport_expressway", "机场高速", "expressway", EXPRESS, 0.85, ["ring_east", "huanghua_jct", "cs_airport"]),
    ("G60", "G60 沪昆高速", "expressway", EXPRESS, 0.9,
     ["zz_liling", "g60_zz_east", "g60_zz_north", "g4_g60", "g60_xt_north", "xt_xiangxiang"]),
    ("S41", "长潭西高速", "expressway", EXPRESS, 0.9, ["ring_hanpu", "s41_xt_north", "xt_core"]),
    ("changshaoluo", "长韶娄高速", "expressway", EXPRESS, 0.9, ["ring_pingtang", "huaminglou", "xt_shaoshan"]),
    ("changliu", "长浏高速", "expressway", EXPRESS, 0.9, ["ring_east", "cs_liuyang"]),
    ("G5513", "长张高速", "expressway", EXPRESS, 0.9, ["ring_jinqiao", "cs_ningxiang"]),
    # the links between the three cities named in the plan's arterial grid (urban expressways)
    ("furong_avenue", "芙蓉大道 (长沙—湘潭)", "urban_expressway", URBAN_X, 0.6,
     ["cs_core", "furong_south", "g4_muyun", "zhaoshan", "xt_core"]),
    ("dongzhu_road", "洞株路 (长沙—株洲)", "urban_expressway", URBAN_X, 0.7,
     ["dongjing", "g4_muyun", "g60_zz_north", "zz_core"]),
    ("tanzhou_avenue", "潭州大道 (长沙—湘潭)", "urban_expressway", URBAN_X, 0.7, ["ring_hanpu", "s41_xt_north"]),
    # national roads
    ("G320_zz_xt", "G320 株洲—湘潭", "national", NATIONAL, 0.8, ["zz_core", "zz_tianyuan", "xt_core"]),
    ("G320_liling", "G320 株洲—醴陵", "national", NATIONAL, 0.9, ["zz_core", "zz_liling"]),
    ("G107_lukou", "G107 株洲—渌口", "national", 50, 0.9, ["zz_core", "zz_lukou"]),
    ("G320_xiangxiang", "G320 湘潭—湘乡", "national", NATIONAL, 0.9, ["xt_core", "xt_xiangxiang"]),
    ("S_shaoshan", "湘潭—韶山公路", "national", NATIONAL, 0.9, ["xt_core", "xt_shaoshan"]),
    ("xt_yisuhe_road", "湘潭—易俗河", "arterial", ARTERIAL, 0.7, ["xt_core", "xt_yisuhe"]),
    ("wangcheng_road", "雷锋大道 望城—长沙", "arterial", 50, 0.7, ["cs_wangcheng", "ring_northwest"]),
    # Changsha's main arterials from the core to the ring and the stations
    ("cs_wuyi_east", "五一大道—远大路", "arterial", ARTERIAL, 0.6, ["cs_core", "ring_east", "cs_xingsha"]),
    ("cs_west", "枫林路—岳麓大道", "arterial", ARTERIAL, 0.6, ["cs_core", "ring_jinqiao"]),
    ("cs_furong_north", "芙蓉北路", "arterial", ARTERIAL, 0.6, ["cs_core", "ring_north"]),
    ("cs_laodong", "劳动路—长沙南站", "arterial", ARTERIAL, 0.6, ["cs_core", "cs_south_station", "ring_lijiatang"]),
    ("cs_shaoshan_road", "韶山路—洞井", "arterial", ARTERIAL, 0.6, ["cs_core", "dongjing", "ring_lijiatang"]),
    ("cs_xingsha_link", "星沙—杨梓冲", "arterial", 50, 0.7, ["cs_xingsha", "ring_yangzichong"]),
    ("zz_yunlong_link", "云龙—株洲中心", "arterial", 50, 0.7, ["zz_yunlong", "zz_core"]),
    ("zz_g60_link", "株洲北—株洲中心", "arterial", 50, 0.7, ["g60_zz_north", "zz_core"]),
    ("zz_west_link", "株洲西—天元", "arterial", 50, 0.7, ["g4_zhuzhou_west", "zz_tianyuan"]),
    ("xt_g60_link", "湘潭北—湘潭中心", "arterial", 50, 0.7, ["g60_xt_north", "xt_core"]),
]
roads_doc = {
    "road_version": 1, "name": "changzhutan-roads",
    "description": "Road model of the Chang-Zhu-Tan metropolitan area for car times without OSM: expressways (90 "
                   "km/h, track = straight line x 1.15), urban expressways linking the cities (55), national roads "
                   "(50-55) and main arterials (35-50, x 1.25), free-flow speeds and peak-hour factors assumed; node "
                   "places estimated (±3 km).",
    "access": {"speed_kmh": 25, "detour": 1.3},
    "nodes": [{"id": k, "name": v[0], "lat": v[1], "lon": v[2]} for k, v in RN.items()],
    "roads": [{"id": r[0], "name": r[1], "class": r[2], "speed_kmh": r[3],
               "detour": 1.15 if r[2] == "expressway" else 1.25, "peak_factor": r[4], "nodes": r[5]}
              for r in road_list],
}
with open(os.path.join(HERE, "roads.json"), "w", encoding="utf-8") as f:
    f.write(dump(roads_doc) + "\n")

# The plan's metropolitan ring expressway (scenario): an outer ring through the county seats (alignment assumed).
write_scenario("ring_expressway.json", {
    "name": "metropolitan-ring-expressway",
    "description": "Tests the plan's metropolitan ring expressway: an outer ring 宁乡—韶山—易俗河—渌口—醴陵—浏阳—"
                   "长沙北—望城—宁乡 at 90 km/h (alignment assumed through the county seats); car times only.",
    "modifications": [
        {"type": "add_road", "nodes": [{"id": "ring_cs_north", "name": "环线 长沙县北", "lat": 28.4200, "lon": 113.1500}],
         "roads": [{"id": "metro_ring", "name": "长株潭都市圈环线高速 (scenario)", "class": "expressway",
                    "speed_kmh": 90, "detour": 1.15, "peak_factor": 0.9,
                    "nodes": ["cs_ningxiang", "xt_shaoshan", "xt_yisuhe", "zz_lukou", "zz_liling", "cs_liuyang",
                              "ring_cs_north", "cs_wangcheng", "cs_ningxiang"]}]},
    ]})
