#!/usr/bin/env bash
# analysis_poa.sh — the analysis commands end to end on Porto Alegre (OSM + EPTC + Trensurb), Monday 2019-05-13:
#   access: hexgrid origins (a sample; fewer under the sanitizers) × all hexgrid cells, jobs and population, cutoffs
#     30 and 60, window 12:00–14:00: every origin present with its 4 rows, values ≥ 0, a cell's accessibility ≤ the
#     column's total (the sum of its positive values), 30 ≤ 60, some origin reaches jobs;
#   matrix: the same output on 1 and 2 threads; header and one row per pair; minutes ≤ max duration;
#   isochrone: 4 features with the cutoffs asked for, areas growing;
#   surface: a GeoTIFF with one band per percentile (gdalinfo, when installed) and a CSV at points whose values
#     equal the matrix's for the same origin;
#   errors: usage errors exit 2, a points file with a duplicate id exits 1 naming the file and line.
set -uo pipefail
: "${TC_DATA:?}" "${TC_BIN:?}"
d="$TC_DATA/porto-alegre"
[ -f "$d/poa_eptc.zip" ] && [ -f "$d/poa_osm.pbf" ] || { echo "no Porto Alegre data: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# sanitizer builds are ~10x slower: a smaller sample and window
if [ -n "${TC_SANITIZE:-}" ] || ldd "$TC_BIN" 2>/dev/null | grep -q libasan; then step=150; window=12:00-12:30; else step=12; window=12:00-14:00; fi
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$TC_BIN" build --osm "$d/poa_osm.pbf" --gtfs "$d/poa_eptc.zip" --gtfs "$d/poa_trensurb.zip" -o "$tmp/poa.tcn" --quiet \
    || { echo "build failed"; exit 1; }
awk -v s="$step" 'NR == 1 || (NR - 2) % s == 0' "$d/poa_hexgrid.csv" >"$tmp/origins.csv"
common=(--date 2019-05-13 --window "$window" --quiet)

"$TC_BIN" access "$tmp/poa.tcn" --origins "$tmp/origins.csv" --opportunities "$d/poa_hexgrid.csv" \
    --columns jobs,population --cutoffs 30,60 "${common[@]}" --threads 2 -o "$tmp/access.csv" || fail "access exit $?"
python3 - "$tmp/origins.csv" "$d/poa_hexgrid.csv" "$tmp/access.csv" <<'PY' || fails=$((fails + 1))
import csv, sys
origins = [r["id"] for r in csv.DictReader(open(sys.argv[1]))]
total = {"jobs": 0.0, "population": 0.0}
for r in csv.DictReader(open(sys.argv[2])):
    for c in total:
        try:
            v = float(r[c])
        except ValueError:
            v = 0.0
        if v > 0:
            total[c] += v
rows = list(csv.DictReader(open(sys.argv[3])))
assert list(rows[0].keys()) == ["id", "column", "cutoff", "percentile", "accessibility"], rows[0].keys()
acc = {}
for r in rows:
    acc[(r["id"], r["column"], int(r["cutoff"]), int(r["percentile"]))] = float(r["accessibility"])
bad = 0
for o in origins:
    for c in total:
        a30, a60 = acc.get((o, c, 30, 50)), acc.get((o, c, 60, 50))
        if a30 is None or a60 is None:
            print("missing rows for", o, c); bad += 1; continue
        if not (0 <= a30 <= a60 <= total[c] + 1e-6):
            print("inconsistent", o, c, a30, a60, total[c]); bad += 1
assert len(rows) == 4 * len(origins), (len(rows), len(origins))
assert max(acc[(o, "jobs", 60, 50)] for o in origins) > 0.05 * total["jobs"], "no origin reaches 5% of the jobs"
assert bad == 0, bad
print("access: %d origins consistent" % len(origins))
PY

head -6 "$tmp/origins.csv" >"$tmp/o5.csv"
for t in 1 2; do
    "$TC_BIN" matrix "$tmp/poa.tcn" --origins "$tmp/o5.csv" --destinations "$d/poa_hexgrid.csv" "${common[@]}" \
        --percentiles 5,50,95 --threads $t -o "$tmp/m$t.csv" || fail "matrix --threads $t exit $?"
done
cmp -s "$tmp/m1.csv" "$tmp/m2.csv" || fail "matrix differs between 1 and 2 threads"
python3 - "$tmp/m1.csv" <<'PY' || fails=$((fails + 1))
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert rows[0] == ["from_id", "to_id", "travel_time_p5", "travel_time_p50", "travel_time_p95"], rows[0]
assert len(rows) == 1 + 5 * 1227, len(rows)
reached = 0
for r in rows[1:]:
    v = [int(x) if x else 10**9 for x in r[2:]]
    assert v[0] <= v[1] <= v[2], r
    assert all(x <= 120 or x == 10**9 for x in v), r
    reached += v[1] < 10**9
assert reached > 1000, reached
PY

"$TC_BIN" isochrone "$tmp/poa.tcn" --from -30.0277,-51.2287 --date 2019-05-13 --window 12:00-13:00 \
    --cutoffs 15,30,45,60 -o "$tmp/iso.geojson" --quiet || fail "isochrone exit $?"
python3 - "$tmp/iso.geojson" <<'PY' || fails=$((fails + 1))
import json, sys
f = json.load(open(sys.argv[1]))["features"]
assert [x["properties"]["cutoff_min"] for x in f] == [15, 30, 45, 60]
a = [x["properties"]["area_km2"] for x in f]
assert 0 < a[0] < a[1] < a[2] < a[3], a
PY

"$TC_BIN" surface "$tmp/poa.tcn" --from -30.0277,-51.2287 --date 2019-05-13 --window 12:00-12:30 \
    --percentiles 5,50 -o "$tmp/s.tif" --quiet || fail "surface tif exit $?"
if command -v gdalinfo >/dev/null; then
    [ "$(gdalinfo "$tmp/s.tif" | grep -c '^Band ')" = 2 ] || fail "GeoTIFF should have 2 bands"
fi
# the CSV surface at points = the matrix row of the same origin
o1=$(sed -n 2p "$tmp/o5.csv")
python3 - "$o1" >"$tmp/from.txt" <<'PY'
import sys
h = "id,lon,lat".split(",")
f = sys.argv[1].split(",")
print("%s,%s" % (f[2], f[1]))
PY
"$TC_BIN" surface "$tmp/poa.tcn" --from "$(cat "$tmp/from.txt")" --points "$d/poa_hexgrid.csv" "${common[@]}" \
    --percentiles 5,50,95 -o "$tmp/s.csv" || fail "surface csv exit $?"
python3 - "$tmp/s.csv" "$tmp/m1.csv" "${o1%%,*}" <<'PY' || fails=$((fails + 1))
import csv, sys
s = {r["id"]: (r["travel_time_p5"], r["travel_time_p50"], r["travel_time_p95"]) for r in csv.DictReader(open(sys.argv[1]))}
m = {r["to_id"]: (r["travel_time_p5"], r["travel_time_p50"], r["travel_time_p95"])
     for r in csv.DictReader(open(sys.argv[2])) if r["from_id"] == sys.argv[3]}
assert len(s) == 1227 and len(m) == 1227
diff = [k for k in s if s[k] != m[k]]
assert not diff, diff[:5]
PY

# errors
"$TC_BIN" access "$tmp/poa.tcn" --origins "$tmp/o5.csv" --opportunities "$d/poa_hexgrid.csv" --cutoffs 30 \
    --date 2019-05-13 --window 12:00-13:00 -o "$tmp/x.csv" 2>/dev/null
[ $? = 2 ] || fail "missing --columns should exit 2"
"$TC_BIN" matrix "$tmp/poa.tcn" --origins "$tmp/o5.csv" --destinations "$tmp/o5.csv" --date 2019-05-13 \
    --window 13:00-12:00 -o "$tmp/x.csv" 2>/dev/null
[ $? = 2 ] || fail "an empty window should exit 2"
{ cat "$tmp/o5.csv"; sed -n 2p "$tmp/o5.csv"; } >"$tmp/dup.csv"
"$TC_BIN" matrix "$tmp/poa.tcn" --origins "$tmp/dup.csv" --destinations "$tmp/o5.csv" "${common[@]}" \
    -o "$tmp/x.csv" 2>"$tmp/err.txt"
[ $? = 1 ] || fail "a duplicate id should exit 1"
grep -q "dup.csv:7" "$tmp/err.txt" || fail "the error should name dup.csv line 7: $(cat "$tmp/err.txt")"
[ ! -e "$tmp/x.csv" ] || fail "no output after an error"

[ $fails = 0 ] && echo "analysis_poa: all checks passed"
exit $((fails > 0))
