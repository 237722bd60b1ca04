#!/usr/bin/env bash
# gpkg_output.sh — `-o FILE.gpkg` on isochrone, access and circle writes one GeoPackage with named layers, read back
# with GDAL's ogrinfo (gdal-bin), on Atlanta (MARTA rail + OSM):
#   isochrone: layer isochrones, one feature per cutoff x percentile, the same cutoffs and areas as the GeoJSON;
#   access: layer accessibility, one feature per origin, each value equal to the CSV's row for it; points when the
#     origins have no geometry column, the origins' polygons (WKT "geometry" column) when they do;
#   circle: layers circle, isochrones, places, cores; circle rows = circle.csv rows;
#   a GeoPackage that cannot be written exits 1 and leaves no file behind.
set -uo pipefail
: "${TC_DATA:?}" "${TC_BIN:?}"
d="$TC_DATA/atlanta"
[ -f "$d/central-atlanta-filtered.osm.pbf" ] || { echo "no Atlanta data: skipped"; exit 77; }
command -v ogrinfo >/dev/null || { echo "ogrinfo (gdal-bin) missing: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$TC_BIN" build -o "$tmp/atl.tcn" --osm "$d/central-atlanta-filtered.osm.pbf" --gtfs "$d/atlanta-blue-green-line.gtfs.zip" \
  --quiet || { echo "build failed"; exit 1; }
common=(--date 2021-09-14 --window 08:00-08:20 --quiet)

# isochrone
"$TC_BIN" isochrone "$tmp/atl.tcn" --from 33.7555,-84.3915 --cutoffs 10,20,30 --percentiles 50,90 -o "$tmp/iso.gpkg" \
  "${common[@]}" || fail "isochrone -o .gpkg exit $?"
"$TC_BIN" isochrone "$tmp/atl.tcn" --from 33.7555,-84.3915 --cutoffs 10,20,30 --percentiles 50,90 -o "$tmp/iso.geojson" \
  "${common[@]}" || fail "isochrone -o .geojson exit $?"
ogrinfo -q "$tmp/iso.gpkg" | grep -q '^1: isochrones' || fail "iso.gpkg has no isochrones layer"
got=$(ogrinfo -q -al "$tmp/iso.gpkg" | awk '/cutoff_min \(Integer64\)/ {c=$4} /percentile \(Integer64\)/ {p=$4}
      /area_km2 \(Real\)/ {printf "%s %s %.6f\n", c, p, $4}' | sort)
want=$(python3 -c 'import json,sys
for f in json.load(open(sys.argv[1]))["features"]:
    p = f["properties"]; print(p["cutoff_min"], p["percentile"], "%.6f" % p["area_km2"])' "$tmp/iso.geojson" | sort)
[ -n "$want" ] && [ "$got" = "$want" ] || { echo "gpkg: $got"; echo "geojson: $want"; fail "isochrones differ"; }
[ "$(echo "$got" | wc -l)" = 6 ] || fail "expected 6 isochrones (3 cutoffs x 2 percentiles)"

# access: points, then hexagon-like polygons from a WKT geometry column
python3 - "$tmp/pts.csv" "$tmp/hex.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as a, open(sys.argv[2], "w") as b:
    a.write("id,lat,lon,jobs\n"); b.write("id,lat,lon,jobs,geometry\n")
    for i in range(5):
        for j in range(5):
            lat, lon, r = 33.735 + 0.007 * i, -84.415 + 0.009 * j, 0.003
            ring = [(lon + r, lat), (lon + r / 2, lat + r), (lon - r / 2, lat + r), (lon - r, lat),
                    (lon - r / 2, lat - r), (lon + r / 2, lat - r), (lon + r, lat)]
            wkt = "POLYGON ((" + ", ".join("%r %r" % p for p in ring) + "))"
            a.write("c%d_%d,%r,%r,%d\n" % (i, j, lat, lon, 10 * i + j))
            b.write('c%d_%d,%r,%r,%d,"%s"\n' % (i, j, lat, lon, 10 * i + j, wkt))
PY
acc=(--columns jobs --cutoffs 20,40 --percentiles 50,90 "${common[@]}")
"$TC_BIN" access "$tmp/atl.tcn" --origins "$tmp/pts.csv" --opportunities "$tmp/pts.csv" "${acc[@]}" -o "$tmp/acc.csv" \
  || fail "access csv exit $?"
"$TC_BIN" access "$tmp/atl.tcn" --origins "$tmp/pts.csv" --opportunities "$tmp/pts.csv" "${acc[@]}" -o "$tmp/acc.gpkg" \
  || fail "access gpkg exit $?"
"$TC_BIN" access "$tmp/atl.tcn" --origins "$tmp/hex.csv" --opportunities "$tmp/pts.csv" "${acc[@]}" -o "$tmp/hex.gpkg" \
  || fail "access hexagons gpkg exit $?"
ogrinfo -q "$tmp/acc.gpkg" | grep -q '^1: accessibility (Point)' || fail "acc.gpkg: no accessibility point layer"
ogrinfo -al -q "$tmp/acc.gpkg" >"$tmp/acc.txt"
ogrinfo -al -q "$tmp/hex.gpkg" >"$tmp/hex.txt"
python3 - "$tmp/acc.csv" "$tmp/acc.txt" "$tmp/hex.txt" <<'PY' || fails=$((fails + 1))
import csv, re, sys
want = {}
for r in csv.DictReader(open(sys.argv[1])):
    want[(r["id"], "%s_c%s_p%s" % (r["column"], r["cutoff"], r["percentile"]))] = float(r["accessibility"])
def read(path):
    got, cur, geoms = {}, None, {}
    for line in open(path):
        m = re.match(r"\s+id \(String\) = (\S+)", line)
        if m:
            cur = m.group(1)
        m = re.match(r"\s+(jobs_c\d+_p\d+) \(Real\) = (\S+)", line)
        if m:
            got[(cur, m.group(1))] = float(m.group(2))
        m = re.match(r"\s+(POINT|POLYGON) ", line)
        if m:
            geoms[cur] = m.group(1)
    return got, geoms
ok = True
for path, shape in ((sys.argv[2], "POINT"), (sys.argv[3], "POLYGON")):
    got, geoms = read(path)
    if set(got) != set(want) or any(abs(got[k] - want[k]) > 1e-9 * max(1, abs(want[k])) for k in want):
        print("FAIL: %s values differ from the CSV" % path); ok = False
    if len(geoms) != 25 or set(geoms.values()) != {shape}:
        print("FAIL: %s: expected 25 %s features, got %s" % (path, shape, sorted(set(geoms.values())))); ok = False
if not any(v > 0 for v in want.values()):
    print("FAIL: no origin reaches any job"); ok = False
sys.exit(0 if ok else 1)
PY

# circle: a GeoPackage with four layers; its rows are circle.csv's
python3 -c 'print("id,name,lat,lon\nfive_points,Five Points,33.7539,-84.3915\nwest_end,West End,33.736,-84.413")' >"$tmp/cores.csv"
cargs=(--cores "$tmp/cores.csv" --places "$tmp/pts.csv" --date 2021-09-14 --window 08:00-08:30 --cutoff 30 --quiet)
"$TC_BIN" circle "$tmp/atl.tcn" "${cargs[@]}" -o "$tmp/circle.gpkg" >"$tmp/circle.out" || fail "circle -o .gpkg exit $?"
"$TC_BIN" circle "$tmp/atl.tcn" "${cargs[@]}" -o "$tmp/circle" >/dev/null || fail "circle -o DIR exit $?"
layers=$(ogrinfo -q "$tmp/circle.gpkg" | sed 's/ (.*//' | tr '\n' ' ')
[ "$layers" = "1: circle 2: isochrones 3: places 4: cores " ] || fail "circle.gpkg layers: $layers"
n_gpkg=$(ogrinfo -so "$tmp/circle.gpkg" circle | awk -F': ' '/Feature Count/ {print $2}')
n_csv=$(($(wc -l <"$tmp/circle/circle.csv") - 1))
[ "$n_gpkg" = "$n_csv" ] && [ "$n_csv" = 50 ] || fail "circle layer has $n_gpkg features, circle.csv $n_csv rows (want 50)"
n_iso=$(ogrinfo -so "$tmp/circle.gpkg" isochrones | awk -F': ' '/Feature Count/ {print $2}')
[ "${n_iso:-0}" -gt 0 ] || fail "no isochrones in circle.gpkg"
grep -q "report: $tmp/circle.gpkg" "$tmp/circle.out" || fail "circle does not name the GeoPackage"

# a GeoPackage that cannot be written: exit 1, nothing left behind
"$TC_BIN" isochrone "$tmp/atl.tcn" --from 33.7555,-84.3915 --cutoffs 10 -o "$tmp/no/such/dir/iso.gpkg" "${common[@]}" \
  2>"$tmp/err.txt"
rc=$?
[ "$rc" = 1 ] || fail "unwritable gpkg: exit $rc, want 1"
grep -q "iso.gpkg" "$tmp/err.txt" || fail "unwritable gpkg: the error does not name the file: $(cat "$tmp/err.txt")"
[ -z "$(find "$tmp" -name '*.tmp.*')" ] || fail "a temporary file was left behind"

[ "$fails" = 0 ] && echo "gpkg_output: all checks passed"
exit $((fails > 0))
