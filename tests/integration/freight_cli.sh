#!/usr/bin/env bash
# freight_cli.sh — the freight commands on the Porto extract: `street --mode truck` (never faster than the car; the
# vehicle options and departure are read, bad ones refused), `matrix --modes truck`, and `hubs` (its five outputs,
# coverage shares within 0…1 and growing with the cutoff, a bad hubs CSV refused with its line and no output left),
# and POST /v1/hubs of `tongcheng serve` giving the same catchments, nearest-hub minutes and tiers as `hubs`.
set -u
: "${TC_DATA:?}" "${TC_BIN:?}" "${TC_SRC:?}"
pbf="$TC_DATA/porto-portugal/porto_portugal.osm.pbf"
[ -f "$pbf" ] || { echo "skipped: $pbf is absent"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$TC_BIN" build -o "$tmp/p.net" --osm "$pbf" --quiet || { echo "FAIL: build"; exit 1; }
fail=0
A=41.1496,-8.6110; B=41.1780,-8.5980
secs() { "$TC_BIN" street "$tmp/p.net" --json "$@" | sed 's/.*"duration_s":\([0-9.]*\).*/\1/'; }
car=$(secs --mode car --from $A --to $B); truck=$(secs --mode truck --from $A --to $B)
awk -v c="$car" -v t="$truck" 'BEGIN{exit !(t >= c && c > 0)}' || { echo "FAIL: truck $truck s < car $car s"; fail=1; }
slow=$(secs --mode truck --truck-max-speed 30 --from $A --to $B)
awk -v s="$slow" -v t="$truck" 'BEGIN{exit !(s > t)}' || { echo "FAIL: --truck-max-speed 30 gave $slow s (default $truck s)"; fail=1; }
"$TC_BIN" street "$tmp/p.net" --mode truck --truck-height -1 --from $A --to $B 2>/dev/null; [ $? -eq 2 ] || { echo "FAIL: bad height"; fail=1; }
"$TC_BIN" street "$tmp/p.net" --mode truck --truck-axle-load 40 --from $A --to $B 2>/dev/null; [ $? -eq 1 ] || { echo "FAIL: axle load above weight"; fail=1; }
"$TC_BIN" street "$tmp/p.net" --mode truck --depart "Xx 08:00" --from $A --to $B 2>/dev/null; [ $? -eq 2 ] || { echo "FAIL: bad --depart"; fail=1; }

cat > "$tmp/hubs.csv" <<'CSV'
id,name,lat,lon,type
r1,Regional North,41.1780,-8.5980,regional
c1,Common Centre,41.1496,-8.6110,common
t1,Terminal A,41.1450,-8.6300,terminal
CSV
awk 'BEGIN{srand(7); print "id,lat,lon,population,jobs"; for(i=0;i<120;i++) printf "g%d,%.5f,%.5f,%d,%d\n", i, 41.12+rand()*0.08, -8.68+rand()*0.12, int(rand()*1000), int(rand()*300)}' > "$tmp/grid.csv"
"$TC_BIN" matrix "$tmp/p.net" --origins "$tmp/hubs.csv" --destinations "$tmp/grid.csv" --modes truck --date 2026-12-01 \
  --window 08:00-08:01 -o "$tmp/m.csv" --quiet || { echo "FAIL: matrix --modes truck"; fail=1; }
[ "$(wc -l < "$tmp/m.csv")" -gt 100 ] || { echo "FAIL: truck matrix rows"; fail=1; }
"$TC_BIN" hubs "$tmp/p.net" --hubs "$tmp/hubs.csv" --population "$tmp/grid.csv" --cutoffs 5,10,20 --date 2026-12-01 \
  --time 08:00 --tiers terminal,common,regional --tier-minutes 15,15 -o "$tmp/h" --quiet || { echo "FAIL: hubs"; fail=1; }
for s in catchments.csv overlap.csv nearest.csv tiers.csv geojson; do
  [ -s "$tmp/h.$s" ] || { echo "FAIL: hubs wrote no $s"; fail=1; }
done
awk -F, 'NR>1 && $1=="*" && $2=="all hubs" {n++; if ($8<0 || $8>1 || $6+0 < prev) bad=1; prev=$6+0} END{exit !(n==3 && !bad)}' \
  "$tmp/h.catchments.csv" || { echo "FAIL: coverage rows"; fail=1; }
[ "$(head -1 "$tmp/h.nearest.csv")" = "id,min_to_regional,min_to_common,min_to_terminal" ] || { echo "FAIL: nearest header"; fail=1; }
grep -q '"type":"FeatureCollection"' "$tmp/h.geojson" && grep -q '"cutoff_min"' "$tmp/h.geojson" || { echo "FAIL: geojson"; fail=1; }
python3 "$TC_SRC/tests/server/hubs_api_test.py" "$TC_BIN" "$tmp/p.net" "$tmp/hubs.csv" "$tmp/grid.csv" "$tmp/h" "$tmp" \
  || { echo "FAIL: /v1/hubs against the CLI"; fail=1; }
printf 'id,name,lat,lon,type\nx,X,41.1,-8.6,common\ny,Y,41.1,abc,common\n' > "$tmp/bad.csv"
"$TC_BIN" hubs "$tmp/p.net" --hubs "$tmp/bad.csv" --cutoffs 5 --date 2026-12-01 --time 08:00 -o "$tmp/b" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q 'bad.csv:3:4' "$tmp/err" || { echo "FAIL: bad hubs CSV (rc $rc): $(cat "$tmp/err")"; fail=1; }
ls "$tmp"/b.* >/dev/null 2>&1 && { echo "FAIL: output left after an error"; fail=1; }
[ $fail -eq 0 ] && echo "freight_cli: ok"
exit $fail
