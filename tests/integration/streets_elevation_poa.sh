#!/usr/bin/env bash
# streets_elevation_poa.sh — build --elevation on Porto Alegre (poa_elevation.tif, SRTM-like 1" cells): a walk and a
# ride up the north face of the hill near -30.078,-51.1855 (about 110 m of climb) take longer than the same trips
# down it, while a network built without the DEM, and --no-elevation, walk it in the same time both ways; `info`
# says whether slopes are in the file; a DEM that is no raster fails naming the file and writes nothing.
set -u
: "${TC_DATA:?}" "${TC_BIN:?}" "${TC_SRC:?}"
pbf="$TC_DATA/porto-alegre/poa_osm.pbf"
dem="$TC_DATA/porto-alegre/poa_elevation.tif"
[ -f "$pbf" ] && [ -f "$dem" ] || { echo "skipped: $pbf or $dem is absent"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$TC_BIN" build -o "$tmp/elev.net" --osm "$pbf" --elevation "$dem" --quiet || { echo "FAIL: build with DEM"; exit 1; }
"$TC_BIN" build -o "$tmp/flat.net" --osm "$pbf" --quiet || { echo "FAIL: build without DEM"; exit 1; }
fail=0
LOW=-30.0767,-51.1855   # foot of the hill (DEM ~110 m)
HIGH=-30.0794,-51.1855  # up the slope (DEM ~220 m)
secs() { "$TC_BIN" street "$1" --json --mode "$2" --from "$3" --to "$4" ${5:-} |
         python3 -c 'import json,sys; print(json.load(sys.stdin)["duration_s"])'; }
walk_up=$(secs "$tmp/elev.net" walk $LOW $HIGH) && walk_down=$(secs "$tmp/elev.net" walk $HIGH $LOW) &&
bike_up=$(secs "$tmp/elev.net" bike $LOW $HIGH) && bike_down=$(secs "$tmp/elev.net" bike $HIGH $LOW) &&
flat_up=$(secs "$tmp/flat.net" walk $LOW $HIGH) && flat_down=$(secs "$tmp/flat.net" walk $HIGH $LOW) &&
noel_up=$(secs "$tmp/elev.net" walk $LOW $HIGH --no-elevation) &&
noel_down=$(secs "$tmp/elev.net" walk $HIGH $LOW --no-elevation) || { echo "FAIL: street queries"; exit 1; }
echo "walk up $walk_up s, down $walk_down s; bike up $bike_up s, down $bike_down s; flat $flat_up / $flat_down s;" \
     "--no-elevation $noel_up / $noel_down s"
python3 - "$walk_up" "$walk_down" "$bike_up" "$bike_down" "$flat_up" "$flat_down" "$noel_up" "$noel_down" <<'PY' || fail=1
import sys
wu, wd, bu, bd, fu, fd, nu, nd = map(float, sys.argv[1:])
bad = []
if not wu > wd * 1.05: bad.append(f"walking up ({wu} s) is not slower than down ({wd} s)")
if not bu > bd * 1.2: bad.append(f"cycling up ({bu} s) is not slower than down ({bd} s)")
if not wu > fu: bad.append(f"walking up ({wu} s) is not slower than on the flat network ({fu} s)")
if abs(fu - fd) > 1: bad.append(f"without a DEM walking is not symmetric: {fu} vs {fd} s")
if abs(nu - fu) > 0.5 or abs(nd - fd) > 0.5: bad.append(f"--no-elevation ({nu}/{nd} s) differs from flat ({fu}/{fd} s)")
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
# the analysis path (matrix, street only) agrees: up slower than down, and --no-elevation symmetric
printf 'id,lat,lon\nlow,%s\nhigh,%s\n' "$LOW" "$HIGH" >"$tmp/pts.csv"
for flag in "" --no-elevation; do
  "$TC_BIN" matrix "$tmp/elev.net" --origins "$tmp/pts.csv" --destinations "$tmp/pts.csv" --date 2019-05-14 \
    --window 13:00-13:01 --modes walk -o "$tmp/m.csv" --quiet $flag || { echo "FAIL: matrix $flag"; fail=1; continue; }
  up=$(awk -F, '$1=="low" && $2=="high" {print $3}' "$tmp/m.csv"); down=$(awk -F, '$1=="high" && $2=="low" {print $3}' "$tmp/m.csv")
  echo "matrix walk $flag: up $up min, down $down min"
  if [ -z "$flag" ]; then [ "$up" -gt "$down" ] || { echo "FAIL: matrix walk up $up <= down $down min"; fail=1; }
  else [ "$up" = "$down" ] || { echo "FAIL: matrix --no-elevation up $up != down $down min"; fail=1; }; fi
done
# the API: /v1/matrix with and without no_elevation answers what the CLI's matrix does
"$TC_BIN" matrix "$tmp/elev.net" --origins "$tmp/pts.csv" --destinations "$tmp/pts.csv" --date 2019-05-14 \
  --window 13:00-13:01 --modes walk -o "$tmp/m2.csv" --quiet || fail=1
up_cli=$(awk -F, '$1=="low" && $2=="high" {print $3}' "$tmp/m2.csv")
python3 - "$TC_BIN" "$tmp/elev.net" "$tmp" "$LOW" "$HIGH" "$up_cli" <<'PY' || fail=1
import http.client, json, os, sys
sys.path.insert(0, os.path.join(os.environ["TC_SRC"], "tests", "server"))
from serve_util import Served
tc, net, work, low, high, up_cli = sys.argv[1:]
bad = []
srv = Served(tc, net, work)
port = srv.port
try:
    pts = lambda: [{"id": "low", "lat": float(low.split(",")[0]), "lon": float(low.split(",")[1])},
                   {"id": "high", "lat": float(high.split(",")[0]), "lon": float(high.split(",")[1])}]
    def minutes(flat):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        c.request("POST", "/v1/matrix", body=json.dumps({"origins": pts(), "destinations": pts(), "date": "2019-05-14",
                  "time": "13:00", "modes": "walk", "no_elevation": flat}), headers={"Content-Type": "application/json"})
        r = c.getresponse(); ans = json.loads(r.read())
        if r.status != 200: raise SystemExit("FAIL: /v1/matrix no_elevation=%d: %d %s" % (flat, r.status, ans))
        t = ans["travel_time_min"]; return t[0][1][0], t[1][0][0]
    up, down = minutes(0); fup, fdown = minutes(1)
    if str(up) != up_cli: bad.append("API walk up %s min, CLI %s min" % (up, up_cli))
    if not up > down: bad.append("API walk up %s min not slower than down %s" % (up, down))
    if fup != fdown: bad.append("API no_elevation=1 not symmetric: %s / %s" % (fup, fdown))
finally:
    srv.stop()
for b in bad: print("FAIL:", b)
sys.exit(1 if bad else 0)
PY
"$TC_BIN" info "$tmp/elev.net" | grep -q "^elevation *slope factors" || { echo "FAIL: info does not report the slopes"; fail=1; }
"$TC_BIN" info "$tmp/flat.net" | grep -q "^elevation *none" || { echo "FAIL: info reports slopes without a DEM"; fail=1; }
for cmd in matrix access isochrone surface route street; do
  "$TC_BIN" "$cmd" --help 2>&1 | grep -q -- "--no-elevation" || { echo "FAIL: $cmd --help lacks --no-elevation"; fail=1; }
done
# a DEM that is no raster: exit non-zero, the file named, no network written
if "$TC_BIN" build -o "$tmp/bad.net" --osm "$pbf" --elevation "$pbf" --quiet 2>"$tmp/err"; then
  echo "FAIL: a PBF accepted as a DEM"; fail=1
fi
grep -q "poa_osm.pbf.*not a raster" "$tmp/err" || { echo "FAIL: error does not name the file: $(cat "$tmp/err")"; fail=1; }
[ -e "$tmp/bad.net" ] && { echo "FAIL: a network was written"; fail=1; }
[ $fail = 0 ] && echo "ok"
exit $fail
