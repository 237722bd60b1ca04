#!/usr/bin/env bash
# freight_bench.sh — truck beside car for BENCHMARKS.md: a 200 × 200 street-only matrix and a 15/30/45-minute
# isochrone on the Porto extract, each run RUNS times (default 7) alternating car and truck; prints the median wall
# time of each and the truck/car ratio. Usage: bench/freight_bench.sh [BUILD_DIR] (data from $TC_DATA).
set -eu
build=${1:-build}; data=${TC_DATA:-../shared/data}; runs=${RUNS:-7}
bin="$build/tongcheng"; pbf="$data/porto-portugal/porto_portugal.osm.pbf"
[ -f "$pbf" ] || { echo "skipped: $pbf is absent"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$bin" build -o "$tmp/p.net" --osm "$pbf" --quiet
awk 'BEGIN{srand(11); print "id,lat,lon"; for(i=0;i<200;i++) printf "p%d,%.5f,%.5f\n", i, 41.13+rand()*0.06, -8.66+rand()*0.10}' > "$tmp/pts.csv"
now() { date +%s.%N; }
declare -A t
for r in $(seq "$runs"); do
  for m in car truck; do
    s=$(now); "$bin" matrix "$tmp/p.net" --origins "$tmp/pts.csv" --destinations "$tmp/pts.csv" --modes $m \
      --date 2026-12-01 --window 10:00-10:01 --threads 1 -o "$tmp/m.csv" --quiet; e=$(now)
    t[matrix_$m]+="$(echo "$e - $s" | bc) "
    s=$(now); "$bin" isochrone "$tmp/p.net" --from 41.1496,-8.6110 --modes $m --date 2026-12-01 --time 10:00 \
      --cutoffs 15,30,45 --threads 1 -o "$tmp/i.geojson" --quiet; e=$(now)
    t[iso_$m]+="$(echo "$e - $s" | bc) "
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for f in matrix iso; do
  c=$(echo "${t[${f}_car]}" | median); k=$(echo "${t[${f}_truck]}" | median)
  printf '{"figure":"%s","car_s":%.3f,"truck_s":%.3f,"ratio":%.2f,"runs":%d}\n' "$f" "$c" "$k" "$(echo "$k / $c" | bc -l)" "$runs"
done
