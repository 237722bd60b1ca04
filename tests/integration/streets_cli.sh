#!/usr/bin/env bash
# streets_cli.sh — `tongcheng street` on Porto Alegre: the JSON shape, durations consistent with distances and
# speeds (walk 1.3 m/s, bike 4.2 m/s, --walk-speed), path lengths never below the straight line, walking symmetric,
# the triangle inequality, and the error paths (point off the network → exit 1 naming it, bad use → exit 2).
set -u
: "${TC_DATA:?}" "${TC_BIN:?}"
pbf="$TC_DATA/porto-alegre/poa_osm.pbf"
[ -f "$pbf" ] || { echo "skipped: $pbf is absent"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$TC_BIN" build -o "$tmp/poa.net" --osm "$pbf" --quiet || { echo "FAIL: build"; exit 1; }
fail=0
A=-30.0346,-51.2177   # Centro Histórico
B=-30.0277,-51.2287
C=-30.0400,-51.2100

street() { "$TC_BIN" street "$tmp/poa.net" --json "$@"; }
street --mode walk --from $A --to $B >"$tmp/ab.json" || { echo "FAIL: walk A B"; exit 1; }
street --mode walk --from $B --to $A >"$tmp/ba.json" || { echo "FAIL: walk B A"; exit 1; }
street --mode walk --from $A --to $C >"$tmp/ac.json" || { echo "FAIL: walk A C"; exit 1; }
street --mode walk --from $C --to $B >"$tmp/cb.json" || { echo "FAIL: walk C B"; exit 1; }
street --mode walk --from $A --to $B --walk-speed 2.6 >"$tmp/ab_fast.json" || { echo "FAIL: walk speed"; exit 1; }
street --mode bike --from $A --to $B >"$tmp/bike.json" || { echo "FAIL: bike"; exit 1; }
street --mode car --from $A --to $B >"$tmp/car.json" || { echo "FAIL: car"; exit 1; }

python3 - "$tmp" "$A" "$B" "$C" <<'PY' || fail=1
import json, math, sys
d = sys.argv[1]
pt = lambda s: tuple(map(float, s.split(',')))
A, B, C = pt(sys.argv[2]), pt(sys.argv[3]), pt(sys.argv[4])
def hav(p, q):
    r = 6371008.8; la1, lo1, la2, lo2 = map(math.radians, (p[0], p[1], q[0], q[1]))
    h = math.sin((la2-la1)/2)**2 + math.cos(la1)*math.cos(la2)*math.sin((lo2-lo1)/2)**2
    return 2*r*math.asin(math.sqrt(h))
J = {k: json.load(open(f"{d}/{k}.json")) for k in ("ab", "ba", "ac", "cb", "ab_fast", "bike", "car")}
bad = []
for k, j in J.items():
    if set(j) - {"distance_m", "duration_s", "geometry"}: bad.append(f"{k}: unexpected keys {sorted(j)}")
    g = j["geometry"]
    if g["type"] != "LineString" or len(g["coordinates"]) < 2: bad.append(f"{k}: geometry is not a LineString")
    # the path's own length (sum of its pieces) is the distance reported
    L = sum(hav((a[1], a[0]), (b[1], b[0])) for a, b in zip(g["coordinates"], g["coordinates"][1:]))
    if abs(L - j["distance_m"]) > 1 + 0.002 * L: bad.append(f"{k}: geometry length {L:.1f} != distance {j['distance_m']}")
ab = J["ab"]
if ab["distance_m"] < hav(A, B) - 100: bad.append("walk shorter than the straight line")
if abs(ab["duration_s"] - ab["distance_m"] / 1.3) > 0.2: bad.append("walk duration is not distance / 1.3")
if abs(J["ab_fast"]["duration_s"] - ab["distance_m"] / 2.6) > 0.2: bad.append("--walk-speed 2.6 not applied")
if abs(J["bike"]["duration_s"] - J["bike"]["distance_m"] / 4.2) > 0.2: bad.append("bike duration is not distance / 4.2")
if abs(ab["distance_m"] - J["ba"]["distance_m"]) > 0.5: bad.append(f"walking is not symmetric: {ab['distance_m']} vs {J['ba']['distance_m']}")
if ab["distance_m"] > J["ac"]["distance_m"] + J["cb"]["distance_m"] + 1: bad.append("triangle inequality violated")
car = J["car"]
if car["distance_m"] < hav(A, B) - 100 or car["duration_s"] <= 0: bad.append("car result implausible")
if car["duration_s"] > car["distance_m"] / (5 / 3.6): bad.append("car slower than 5 km/h")
first, last = ab["geometry"]["coordinates"][0], ab["geometry"]["coordinates"][-1]
if hav((first[1], first[0]), A) > 500 or hav((last[1], last[0]), B) > 500: bad.append("geometry does not join the points")
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
PY

# text output
"$TC_BIN" street "$tmp/poa.net" --mode walk --from $A --to $B | grep -q '^walk: [0-9]* m' || { echo "FAIL: text output"; fail=1; }
# a point 100 km away: exit 1, the message names it
"$TC_BIN" street "$tmp/poa.net" --mode walk --from -31.0346,-51.2177 --to $B 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] || { echo "FAIL: far point: exit $rc"; fail=1; }
grep -q -- "-31.0346" "$tmp/err" || { echo "FAIL: far point not named"; cat "$tmp/err"; fail=1; }
# --snap-radius: the same point ~ 300 m north of the network's edge (lat −29.998) snaps at 500 m, not at 100 m
"$TC_BIN" street "$tmp/poa.net" --mode walk --from -29.9952,-51.2000 --to $B >/dev/null 2>&1 || { echo "FAIL: 500 m snap"; fail=1; }
"$TC_BIN" street "$tmp/poa.net" --mode walk --from -29.9952,-51.2000 --to $B --snap-radius 100 2>/dev/null; rc=$?
[ $rc -eq 1 ] || { echo "FAIL: --snap-radius 100: exit $rc"; fail=1; }
# bad use: exit 2
"$TC_BIN" street "$tmp/poa.net" --mode plane --from $A --to $B 2>/dev/null; [ $? -eq 2 ] || { echo "FAIL: bad mode"; fail=1; }
"$TC_BIN" street "$tmp/poa.net" --mode walk --from 91,0 --to $B 2>/dev/null; [ $? -eq 2 ] || { echo "FAIL: bad lat"; fail=1; }
"$TC_BIN" street "$tmp/poa.net" --mode walk --from $A 2>/dev/null; [ $? -eq 2 ] || { echo "FAIL: missing --to"; fail=1; }
"$TC_BIN" street "$tmp/missing.net" --mode walk --from $A --to $B 2>/dev/null; [ $? -eq 1 ] || { echo "FAIL: missing file"; fail=1; }
[ $fail -eq 0 ] && echo "ok"
exit $fail
