#!/usr/bin/env python3
"""scale_feed.py — shifted copies of one GTFS feed, for bench/scale.sh.

    scale_feed.py FEED.zip OUT_DIR N [--points K]

Writes OUT_DIR/copy0 … OUT_DIR/copy{N-1}, each a GTFS folder that `tongcheng build --gtfs NAME=FOLDER` reads. Every
file but stops.txt is the feed's own, extracted once to OUT_DIR/base and linked (a copy costs no disk). A copy's
stops.txt moves every stop by a fixed offset: copies sit on a 4-wide grid, 0.75° of longitude and 0.45° of latitude
apart (about 50 km at 53° N, for a city about 31 km across), so no walking transfer joins two copies and a query in
one copy explores that copy alone. Ids need no change: the builder keys a GTFS id by (feed, id), and each copy is
passed as its own feed.

With --points K it also writes OUT_DIR/points.csv: K stops of copy 0 (uniform, fixed seed), as `id,lat,lon`, the
origins and destinations of the scale benchmark's matrix. Prints one JSON line: the stops per copy and the
stop_times per copy.
"""
import csv
import io
import json
import os
import random
import sys
import zipfile

GRID_WIDTH = 4
DLON, DLAT = 0.75, 0.45


def main() -> int:
    args = sys.argv[1:]
    points = 0
    if "--points" in args:
        i = args.index("--points")
        points = int(args[i + 1])
        del args[i : i + 2]
    if len(args) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    feed, out, n = args[0], args[1], int(args[2])
    if n < 1:
        print("scale_feed.py: N must be at least 1", file=sys.stderr)
        return 2
    base = os.path.join(out, "base")
    os.makedirs(base, exist_ok=True)
    with zipfile.ZipFile(feed) as z:
        names = [m for m in z.namelist() if m.endswith(".txt") and "/" not in m]
        if "stops.txt" not in names:
            print(f"scale_feed.py: {feed}: no stops.txt at the top of the zip", file=sys.stderr)
            return 1
        for m in names:
            if not os.path.exists(os.path.join(base, m)):
                z.extract(m, base)
    with open(os.path.join(base, "stops.txt"), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    ilat, ilon = header.index("stop_lat"), header.index("stop_lon")
    for k in range(n):
        d = os.path.join(out, f"copy{k}")
        os.makedirs(d, exist_ok=True)
        dlon, dlat = (k % GRID_WIDTH) * DLON, (k // GRID_WIDTH) * DLAT
        for m in names:
            if m == "stops.txt":
                continue
            link = os.path.join(d, m)
            if not os.path.lexists(link):
                os.symlink(os.path.abspath(os.path.join(base, m)), link)
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(header)
        for r in body:
            r = list(r)
            if r[ilat].strip() and r[ilon].strip():  # generic nodes and boarding areas may have no coordinates
                r[ilat] = f"{float(r[ilat]) + dlat:.7f}"
                r[ilon] = f"{float(r[ilon]) + dlon:.7f}"
            w.writerow(r)
        with open(os.path.join(d, "stops.txt"), "w", encoding="utf-8", newline="") as f:
            f.write(buf.getvalue())
    if points:
        located = [r for r in body if r[ilat].strip() and r[ilon].strip()]
        rnd = random.Random(1)
        chosen = rnd.sample(located, min(points, len(located)))
        with open(os.path.join(out, "points.csv"), "w", encoding="utf-8", newline="") as f:
            f.write("id,lat,lon\n")
            for i, r in enumerate(chosen):
                f.write(f"p{i},{r[ilat]},{r[ilon]}\n")
    with open(os.path.join(base, "stop_times.txt"), "rb") as f:
        n_st = sum(1 for _ in f) - 1
    print(json.dumps({"copies": n, "stops_per_copy": len(body), "stop_times_per_copy": n_st}, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
