#!/usr/bin/env bash
# server_streets.sh — the map page's own base map and walk legs from `tongcheng serve` (Atlanta, MARTA + OSM):
#   /streets.geojson?bbox&zoom: zoom 10 keeps only major roads, zoom 16 every class, each feature inside the box's
#     cells, more features as the zoom grows; a bad bbox or zoom is a 400 naming the parameter;
#   /street-path.geojson?from&to: the walking path as a LineString with the distance `tongcheng street` gives.
set -uo pipefail
: "${TC_DATA:?}" "${TC_BIN:?}"
d="$TC_DATA/atlanta"
[ -f "$d/central-atlanta-filtered.osm.pbf" ] || { echo "no Atlanta data: skipped"; exit 77; }
command -v curl >/dev/null && command -v python3 >/dev/null || { echo "curl or python3 missing: skipped"; exit 77; }
tmp=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server"
  rm -rf "$tmp"
}
trap cleanup EXIT
"$TC_BIN" build -o "$tmp/atl.tcn" --osm "$d/central-atlanta-filtered.osm.pbf" --gtfs "$d/atlanta-blue-green-line.gtfs.zip" \
  --quiet || { echo "build failed"; exit 1; }
"$TC_BIN" serve "$tmp/atl.tcn" --host 127.0.0.1 --port 0 --threads 1 --quiet 2>"$tmp/serve.log" &
server=$!
port=
for _ in $(seq 200); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.log")
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: server did not start"; cat "$tmp/serve.log"; exit 1; }
base="http://127.0.0.1:$port"
bbox=-84.42,33.73,-84.36,33.78
for z in 10 13 16; do curl -s "$base/streets.geojson?bbox=$bbox&zoom=$z" >"$tmp/z$z.json"; done
for q in "bbox=1,2&zoom=3" "bbox=$bbox&zoom=30" "bbox=$bbox"; do
  curl -s -o "$tmp/bad.json" -w "%{http_code}\n" "$base/streets.geojson?$q" >>"$tmp/bad_codes"
  cat "$tmp/bad.json" >>"$tmp/bad_bodies"; echo >>"$tmp/bad_bodies"
done
curl -s "$base/street-path.geojson?from=33.7537,-84.4187&to=33.7555,-84.3915" >"$tmp/path.json"
"$TC_BIN" street "$tmp/atl.tcn" --mode walk --from 33.7537,-84.4187 --to 33.7555,-84.3915 --json >"$tmp/street.json"
curl -s -o /dev/null -w "%{http_code}\n" "$base/street-path.geojson?from=33.7537" >"$tmp/path_bad"
python3 - "$tmp" <<'PY'
import json, sys
t = sys.argv[1]
fails = []
z = {k: json.load(open("%s/z%d.json" % (t, k))) for k in (10, 13, 16)}
classes = {k: {f["properties"]["class"] for f in v["features"]} for k, v in z.items()}
if not z[10]["features"] or classes[10] != {"major"}:
    fails.append("zoom 10: %d features, classes %s (want major only)" % (len(z[10]["features"]), classes[10]))
if classes[16] != {"major", "medium", "minor", "path"}:
    fails.append("zoom 16 classes %s" % classes[16])
if not len(z[10]["features"]) < len(z[13]["features"]) < len(z[16]["features"]):
    fails.append("features do not grow with the zoom: %s" % [len(v["features"]) for v in z.values()])
for k, v in z.items():
    for f in v["features"]:
        cs = f["geometry"]["coordinates"]
        if len(cs) < 2:
            fails.append("zoom %d: a line of %d points" % (k, len(cs))); break
codes = open(t + "/bad_codes").read().split()
bodies = open(t + "/bad_bodies").read()
if codes != ["400", "400", "400"] or bodies.count('"param":"bbox"') != 1 or bodies.count('"param":"zoom"') != 2:
    fails.append("bad parameters: %s %s" % (codes, bodies))
path, street = json.load(open(t + "/path.json")), json.load(open(t + "/street.json"))
if path["geometry"]["type"] != "LineString" or len(path["geometry"]["coordinates"]) <= 2:
    fails.append("street path: %s" % json.dumps(path)[:200])
if abs(path["properties"]["distance_m"] - street["distance_m"]) > 0.5:
    fails.append("street path %s m, tongcheng street %s m" % (path["properties"]["distance_m"], street["distance_m"]))
if open(t + "/path_bad").read().strip() != "400":
    fails.append("a malformed street path request is not a 400")
for f in fails:
    print("FAIL: " + f)
print("server_streets: %d failures" % len(fails))
sys.exit(1 if fails else 0)
PY
