#!/usr/bin/env python3
"""validate.py — the published figures the Chang-Zhu-Tan default claims to reproduce, beside the model's own.

Reads the GTFS that `tongcheng export-gtfs` writes from the built default (so the figures are those of the network
the engine routes on, not of the JSON), optionally the report's circle.csv (car times), and prints or writes
VALIDATION.md. Exit 1 when a figure lies outside its tolerance, or (with --check) when the committed VALIDATION.md
differs from what the model gives now.

Usage: validate.py GTFS_DIR [--circle circle.csv] [--write VALIDATION.md | --check VALIDATION.md]
"""
import csv
import datetime
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DAY = datetime.date(2026, 3, 10)  # a Tuesday of the model's calendar (every day is alike in the default)


def secs(s):
    h, m, x = map(int, s.split(":"))
    return h * 3600 + m * 60 + x


def clock(s):
    return "%02d:%02d" % (s // 3600, s // 60 % 60)


class Feed:
    def __init__(self, d):
        rd = lambda f: list(csv.DictReader(open(os.path.join(d, f), encoding="utf-8-sig")))
        self.stops = {r["stop_id"]: r for r in rd("stops.txt")}
        self.routes = {r["route_id"]: r for r in rd("routes.txt")}
        active = set()
        wd = DAY.weekday()
        day = DAY.strftime("%Y%m%d")
        cal = rd("calendar.txt") if os.path.exists(os.path.join(d, "calendar.txt")) else []
        for r in cal:
            if r["start_date"] <= day <= r["end_date"] and r[["monday", "tuesday", "wednesday", "thursday",
                                                              "friday", "saturday", "sunday"][wd]] == "1":
                active.add(r["service_id"])
        if os.path.exists(os.path.join(d, "calendar_dates.txt")):
            for r in rd("calendar_dates.txt"):
                if r["date"] == day:
                    (active.add if r["exception_type"] == "1" else active.discard)(r["service_id"])
        self.trips = {r["trip_id"]: r for r in rd("trips.txt") if r["service_id"] in active}
        st = {}
        for r in rd("stop_times.txt"):
            if r["trip_id"] in self.trips:
                st.setdefault(r["trip_id"], []).append((int(r["stop_sequence"]), r["stop_id"], secs(r["arrival_time"]),
                                                        secs(r["departure_time"])))
        freq = {}
        if os.path.exists(os.path.join(d, "frequencies.txt")):
            for r in rd("frequencies.txt"):
                freq.setdefault(r["trip_id"], []).append((secs(r["start_time"]), secs(r["end_time"]),
                                                          int(r["headway_secs"])))
        # every run of the day: frequency templates expanded at their nominal times
        self.runs = []  # (trip_id, route_id, [(stop, arr, dep)])
        for t, calls in st.items():
            calls.sort()
            base = [(s, a, b) for _, s, a, b in calls]
            if t in freq:
                t0 = base[0][2]
                for a, b, h in freq[t]:
                    for start in range(a, b, h):
                        self.runs.append((t, self.trips[t]["route_id"],
                                          [(s, x - t0 + start, y - t0 + start) for s, x, y in base]))
            else:
                self.runs.append((t, self.trips[t]["route_id"], base))

    def names(self):
        return {r["stop_name"] for r in self.stops.values()}

    def between(self, a, b, routes=None, all_between=None):
        """Runs calling at a then b: (departure at a, minutes a → b, run). all_between: the ordered stop ids that
        must all be called at (an all-stations run)."""
        out = []
        for t, rt, calls in self.runs:
            if routes and not any(rt.startswith(p) for p in routes):
                continue
            ids = [c[0] for c in calls]
            if a in ids and b in ids and ids.index(a) < ids.index(b):
                i, j = ids.index(a), ids.index(b)
                if all_between and ids[i:j + 1] != all_between:
                    continue
                out.append((calls[i][2], (calls[j][1] - calls[i][2]) / 60.0, t))
        return sorted(out)

    def calls_at(self, stop, route_types, routes=None):
        return sum(1 for t, rt, calls in self.runs if self.routes[rt]["route_type"] in route_types
                   and (not routes or rt in routes) and any(c[0] == stop for c in calls))


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    gtfs = argv[1]
    circle = write = check = None
    i = 2
    while i < len(argv):
        if argv[i] in ("--circle", "--write", "--check") and i + 1 < len(argv):
            v = argv[i + 1]
            if argv[i] == "--circle":
                circle = v
            elif argv[i] == "--write":
                write = v
            else:
                check = v
            i += 2
        else:
            sys.exit("validate.py: unexpected argument %r\n%s" % (argv[i], __doc__))
    f = Feed(gtfs)
    rows = []  # (group, figure, published, source, model, lo, hi, unit)

    def row(group, figure, published, source, model, lo, hi, fmt="%.0f"):
        ok = model is not None and lo <= model <= hi
        rows.append((group, figure, published, source, "-" if model is None else fmt % model,
                     ("%g–%g" % (lo, hi)), "ok" if ok else "**OUT**", ok))

    SRC_FACTS = "FACTS.md"
    SRC_CSV = "rail_calls_2020.csv (12306 timetable, Dec 2020)"
    names = f.names()
    row("stations", "麓谷 is an intercity station", "in the 2023 list", "hunan.gov.cn 2023-06 (FACTS.md)",
        1 if "麓谷" in names else 0, 1, 1, "%d")
    row("stations", "株洲 is an intercity station", "in the 2023 list", "hunan.gov.cn 2023-06 (FACTS.md)",
        1 if "株洲" in names else 0, 1, 1, "%d")
    row("stations", "九郎山 is not a station", "not in the 2023 list", "hunan.gov.cn 2023-06 (FACTS.md)",
        0 if "九郎山" in names else 1, 1, 1, "%d")

    czt = ("czt_",)
    south = f.between("czt_changsha", "czt_muyun", czt)
    deps = sorted(d for d, _, _ in south)
    row("intercity service", "departures a day 长沙站 → 暮云", "104.5 (52 + 52.5 pairs, 2022-07-30)",
        "liecheba.com/zixun/4620.html (FACTS.md)", len(deps), 95, 125, "%d")
    north = f.between("czt_muyun", "czt_changsha", czt)
    row("intercity service", "arrivals a day 暮云 → 长沙站", "104.5 (2022)", "FACTS.md", len(north), 95, 125, "%d")
    # every gap that overlaps 07:00-09:00, the ones across its edges included
    gaps = [(b - a) / 60 for a, b in zip(deps, deps[1:]) if b > 7 * 3600 and a < 9 * 3600]
    row("intercity service", "largest gap 07:00–09:00 from 長沙站 toward 暮云 (min)".replace("長", "长"),
        "≤ 15 (issue); about 10 min headway in the morning peak (2021)", "FACTS.md",
        max(gaps) if gaps else None, 0, 15)
    row("intercity service", "mean headway 07:00–09:00 from 长沙站 (min)", "about 10 (2021-01)", "FACTS.md",
        statistics.mean(gaps) if gaps else None, 5, 12, "%.1f")
    zz = f.between("czt_changsha", "czt_zhuzhou_south", czt)
    zzn = f.between("czt_zhuzhou_south", "czt_changsha", czt)
    row("intercity service", "Zhuzhou branch trains a day 长沙站 → 株洲南 / back", "52 pairs (2022)", "FACTS.md",
        min(len(zz), len(zzn)), 50, 56, "%d")
    xt = f.between("czt_changsha", "czt_xiangtan", czt)
    xtn = f.between("czt_xiangtan", "czt_changsha", czt)
    row("intercity service", "Xiangtan branch trains a day 长沙站 → 湘潭 / back", "52.5 pairs (2022); 59 / 62 (2020)",
        "FACTS.md; " + SRC_CSV, min(len(xt), len(xtn)), 50, 65, "%d")
    zzs = f.calls_at("czt_zhuzhou", {"2"})
    row("intercity service", "intercity trains a day at 株洲", "113 (2022)", "FACTS.md", zzs, 95, 125, "%d")

    line_xt = ["czt_changsha", "czt_shumuling", "czt_xiangzhanglu", "czt_xiangfulu", "czt_dongjing", "czt_xianfeng",
               "czt_furongnan", "czt_muyun", "czt_zhaoshan", "czt_hetang", "czt_bantang", "czt_xiangtan"]
    allstop = f.between("czt_changsha", "czt_xiangtan", czt, line_xt)
    row("run times", "长沙站 → 湘潭 all stations, median (min)", "52 (41–59, n = 59); issue: 45–60",
        SRC_CSV, statistics.median(m for _, m, _ in allstop) if allstop else None, 45, 60)
    allstop_n = f.between("czt_xiangtan", "czt_changsha", czt, line_xt[::-1])
    row("run times", "湘潭 → 长沙站 all stations, median (min)", "50", SRC_CSV,
        statistics.median(m for _, m, _ in allstop_n) if allstop_n else None, 45, 60)
    fr = f.between("czt_changsha", "czt_furongnan", czt, line_xt[:7])
    row("run times", "长沙站 → 芙蓉南, 6 stops, median (min)", "30 (S7927, 2021-05)",
        "hn.people.com.cn 2021-05-11 (FACTS.md)", statistics.median(m for _, m, _ in fr) if fr else None, 24, 34)
    hz = f.between("hsr_changsha_south", "hsr_zhuzhou_west", ("hsr_",))
    row("run times", "长沙南 → 株洲西 high-speed, median (min)", "15; issue: 13–20", SRC_CSV,
        statistics.median(m for _, m, _ in hz) if hz else None, 13, 20)
    hzn = f.between("hsr_zhuzhou_west", "hsr_changsha_south", ("hsr_",))
    row("run times", "株洲西 → 长沙南 high-speed, median (min)", "19–20", SRC_CSV,
        statistics.median(m for _, m, _ in hzn) if hzn else None, 17, 22)
    hx = f.between("hsr_changsha_south", "hsr_xiangtan_north", ("hsr_xiangtan",))
    row("run times", "长沙南 → 湘潭北 high-speed, median (min)", "13–14; issue: 12–16", SRC_CSV,
        statistics.median(m for _, m, _ in hx) if hx else None, 12, 16)
    cz = f.between("rail_zhuzhou", "rail_changsha", ("rail_",))
    row("run times", "株洲 → 长沙 conventional, median (min)", "37–38", SRC_CSV,
        statistics.median(m for _, m, _ in cz) if cz else None, 33, 42)
    row("run times", "株洲 → 长沙 conventional trains a day", "18", SRC_CSV, len(cz), 18, 18, "%d")
    row("high-speed service", "high-speed calls a day at 株洲西", "96 (2020); issue: ≥ 60", SRC_CSV,
        f.calls_at("hsr_zhuzhou_west", {"101", "102"}), 60, 110, "%d")
    row("high-speed service", "timetabled high-speed calls a day at 湘潭北 (without the assumed hourly 韶山南 trains)",
        "69 (2020)", SRC_CSV, f.calls_at("hsr_xiangtan_north", {"101", "102"}, {"hsr_xiangtan"}), 60, 85, "%d")

    if circle:
        car = {}
        reached = {}
        for r in csv.DictReader(open(circle, encoding="utf-8")):
            if r["scenario"] != "baseline":
                continue
            if r["car_min"]:
                car[(r["place"], r["core"])] = float(r["car_min"])
            reached[r["place"]] = reached.get(r["place"], False) or r["transit_p50_min"] != ""
        row("transit to every place", "places of the plan with a transit time to at least one core",
            "all %d places (issue)" % len(reached), "places.csv", sum(reached.values()), len(reached), len(reached),
            "%d")
        for place, core, pub, lo, hi, src in DRIVING:
            row("driving times", "car %s → %s, free-flow on the road model (min)" % (place, core), pub, src,
                car.get((place, core)), lo, hi)

    out = ["# Chang-Zhu-Tan default: published figures beside the model's",
           "",
           "Written by `data/changzhutan/validate.py` from `tongcheng export-gtfs` of the built default (and the "
           "report's `circle.csv` for car times), service day %s; checked by the test `changzhutan_validation`, "
           "which fails when a figure leaves its tolerance or this file is out of date. Counts are of runs on "
           "that day (frequency-based lines at their nominal times)." % DAY.isoformat(),
           ""]
    group = None
    for g, fig, pub, src, model, tol, status, _ in rows:
        if g != group:
            out += ["", "## " + g, "", "| figure | published | source | model | tolerance | |",
                    "| --- | --- | --- | ---: | --- | --- |"]
            group = g
        out.append("| %s | %s | %s | %s | %s | %s |" % (fig, pub, src, model, tol, status))
    text = "\n".join(out) + "\n"
    bad = [r for r in rows if not r[-1]]
    if write:
        tmp = write + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fo:
            fo.write(text)
        os.replace(tmp, write)
    elif check:
        old = open(check, encoding="utf-8").read() if os.path.exists(check) else ""
        if old != text:
            print("%s is out of date: regenerate it with data/changzhutan/validate.py --write" % check)
            bad.append(("file",))
    else:
        sys.stdout.write(text)
    for r in bad:
        if len(r) > 1:
            print("OUT OF TOLERANCE: %s: model %s, tolerance %s (published %s)" % (r[1], r[4], r[5], r[2]))
    return 1 if bad else 0


# Published driving times (place id, core id, figure, tolerance lo, hi, source); filled in with the road model.
DRIVING = [
    ("airport", "zhuzhou", "25 min 株洲 – 黄花机场 over 长株高速 (41 km), from the expressway's ends", 25, 50,
     "newton.com.tw/wiki/長株高速 (长株高速 opening)"),
    ("changsha_county", "zhuzhou", "30 min 长沙经开区 (星沙) – 株洲云龙 over 长株高速", 30, 55,
     "newton.com.tw/wiki/長株高速"),
    ("shaoshan", "changsha", "about 1.5 h 长沙 – 韶山, about 85 km, no congestion", 60, 100,
     "ychouse.cq.cn/jxwd/202507/68673.html"),
]
# The tolerances are wide on purpose: the published figures are between other end points than the model's places
# (expressway ends, development zones, "长沙" as a whole); the model's place-to-place time adds the urban legs.

if __name__ == "__main__":
    sys.exit(main(sys.argv))
