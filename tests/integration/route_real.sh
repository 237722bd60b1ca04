#!/usr/bin/env bash
# route_real.sh — `tongcheng route` on real feeds (bydgoszcz, HART) built with 200 m walking transfers, checked for
# properties every answer must have, on random door-to-door (coordinate) and stop-to-stop queries:
#   journeys sorted by arrival and Pareto-optimal (a later arrival needs strictly fewer transfers);
#   legs chained in time and place (each leaves where and after the previous arrived), duration = arrival −
#   departure, transfers = transit legs − 1, walk_s = the walking legs' durations, the journey leaves no earlier
#   than asked; the first leg starts at the origin, the last ends at the destination;
#   an arrive-by query whose deadline is the earliest arrival finds a journey arriving by it and leaving no
#   earlier than the depart-after query's time;
#   the text output prints one block per JSON journey.
set -uo pipefail
: "${TC_DATA:?}" "${TC_BIN:?}"
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
[ -f "$TC_DATA/bydgoszcz/bydgoszcz.gtfs.zip" ] || { echo "no bydgoszcz feed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$TC_BIN" build --gtfs "$TC_DATA/bydgoszcz/bydgoszcz.gtfs.zip" --transfer-radius 200 -o "$tmp/byd.tcn" --quiet || exit 1
nets="byd:$tmp/byd.tcn:2020-05-04"
if [ -f "$TC_DATA/feeds/hart.zip" ]; then
    "$TC_BIN" build --gtfs "$TC_DATA/feeds/hart.zip" --transfer-radius 200 -o "$tmp/hart.tcn" --quiet || exit 1
    nets="$nets hart:$tmp/hart.tcn:2018-05-02"
fi
python3 - "$TC_BIN" $nets <<'PY'
import json, random, subprocess, sys, datetime
tc = sys.argv[1]
fails = 0
def fail(msg):
    global fails
    fails += 1
    print("FAIL", msg)

def ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S")

def run(args):
    p = subprocess.run([tc, "route"] + args, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr

for spec in sys.argv[2:]:
    name, net, date = spec.split(":")
    info = json.loads(subprocess.run([tc, "info", net, "--json"], capture_output=True, text=True).stdout)
    bbox = info.get("bbox") or [0, 0, 0, 0]
    rnd = random.Random(7)
    checked = 0
    for q in range(25):
        # points in the middle half of the bounding box
        def pt():
            lon = bbox[0] + (bbox[2] - bbox[0]) * (0.25 + 0.5 * rnd.random())
            lat = bbox[1] + (bbox[3] - bbox[1]) * (0.25 + 0.5 * rnd.random())
            return "%.6f,%.6f" % (lat, lon)
        frm, to = pt(), pt()
        hh = 6 + rnd.randrange(14)
        tm = "%02d:%02d" % (hh, rnd.randrange(60))
        args = [net, "--from", frm, "--to", to, "--date", date, "--time", tm]
        rc, out, err = run(args + ["--json"])
        if rc == 1 and "cannot be snapped" in err:
            continue
        if rc != 0:
            fail("%s %s: exit %d %s" % (name, args, rc, err.strip()))
            continue
        doc = json.loads(out)
        js = doc["journeys"]
        t0 = ts(date + "T" + tm + ":00")
        arrivals = [ts(j["arrival"]) for j in js]
        if arrivals != sorted(arrivals):
            fail("%s %s: not sorted by arrival" % (name, args))
        for a, b in zip(js, js[1:]):
            if not (ts(b["arrival"]) > ts(a["arrival"]) and b["transfers"] < a["transfers"]):
                fail("%s %s: not Pareto-optimal: %s / %s" % (name, args, a["arrival"], b["arrival"]))
        for j in js:
            legs = j["legs"]
            if ts(j["departure"]) < t0:
                fail("%s %s: leaves before %s" % (name, args, tm))
            if (ts(j["arrival"]) - ts(j["departure"])).total_seconds() != j["duration_s"]:
                fail("%s %s: duration" % (name, args))
            transit = [l for l in legs if l["mode"] == "transit"]
            if j["transfers"] != max(0, len(transit) - 1):
                fail("%s %s: transfers" % (name, args))
            walk = sum((ts(l["arrival"]) - ts(l["departure"])).total_seconds() for l in legs if l["mode"] == "walk")
            if walk != j["walk_s"]:
                fail("%s %s: walk_s %s vs %s" % (name, args, j["walk_s"], walk))
            if legs and (legs[0]["from"]["stop"] is not None or legs[-1]["to"]["stop"] is not None):
                fail("%s %s: journey does not run from the origin point to the destination point" % (name, args))
            if legs and ts(legs[0]["departure"]) != ts(j["departure"]) or legs and ts(legs[-1]["arrival"]) != ts(j["arrival"]):
                fail("%s %s: journey times differ from its legs" % (name, args))
            for a, b in zip(legs, legs[1:]):
                if ts(b["departure"]) < ts(a["arrival"]):
                    fail("%s %s: leg leaves before the previous arrives" % (name, args))
                if a["to"]["stop"] != b["from"]["stop"]:
                    fail("%s %s: legs do not chain: %s / %s" % (name, args, a["to"]["stop"], b["from"]["stop"]))
            for l in transit:
                if not (l["route"].startswith(name if name != "byd" else "bydgoszcz") and l["trip"] and
                        isinstance(l["route_type"], int)):
                    fail("%s %s: transit leg fields %s" % (name, args, l))
        # text output: one block per journey
        rc, txt, err = run(args)
        blocks = sum(1 for line in txt.splitlines() if line.startswith("journey "))
        if blocks != len(js):
            fail("%s %s: text has %d blocks, JSON %d journeys" % (name, args, blocks, len(js)))
        if js:
            checked += 1
            best = min(js, key=lambda j: j["arrival"])
            deadline = best["arrival"][11:]
            rc, out, err = run([net, "--from", frm, "--to", to, "--date", best["arrival"][:10], "--arrive-by", deadline,
                                "--json"])
            rb = json.loads(out)["journeys"] if rc == 0 else []
            ok = [j for j in rb if ts(j["arrival"]) <= ts(best["arrival"]) and ts(j["departure"]) >= t0]
            if not ok:
                fail("%s %s: arrive-by %s found no journey leaving after %s" % (name, args, deadline, tm))
    print("%s: %d queries with journeys checked" % (name, checked))
    if checked < 5:
        fail("%s: too few reachable queries (%d)" % (name, checked))
sys.exit(1 if fails else 0)
PY
