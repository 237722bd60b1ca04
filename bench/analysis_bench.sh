#!/usr/bin/env bash
# analysis_bench.sh — issue 5's analysis benchmarks on Porto Alegre: builds the network (OSM + EPTC + Trensurb) and
# runs bench/analysis_bench: the all-to-all matrix over poa_hexgrid.csv (1,227 cells), 12:00–14:00 every minute,
# max 120 min, p50, on 2 threads (wall time, origins/s, origins/s per thread and per CPU-second), and one isochrone
# (cutoffs 15,30,45,60, one-hour window 12:00–13:00) from central Porto Alegre (median of 11 runs).
#
# usage: bench/analysis_bench.sh [BUILD_DIR]   (default: build; needs BUILD_DIR/tongcheng and BUILD_DIR/bench/analysis_bench)
# env:   TC_DATA (default ../shared/data), THREADS (default 2), ORIGINS (default all), RUNS (matrix runs, default 3),
#        MAX_TRANSFERS (default 8, the library's default; 2 = r5r's default of 3 rides)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
data=${TC_DATA:-$(cd .. && pwd)/shared/data}
d="$data/porto-alegre"
[ -x "$build/tongcheng" ] && [ -x "$build/bench/analysis_bench" ] || { echo "build $build/tongcheng and $build/bench/analysis_bench first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/tongcheng" build --osm "$d/poa_osm.pbf" --gtfs "$d/poa_eptc.zip" --gtfs "$d/poa_trensurb.zip" -o "$tmp/poa.tcn" --quiet
for _ in $(seq "${RUNS:-3}"); do
    "$build/bench/analysis_bench" "$tmp/poa.tcn" "$d/poa_hexgrid.csv" --date 2019-05-13 --window 12:00-14:00 \
        --threads "${THREADS:-2}" --origins "${ORIGINS:-0}" --iso-from -30.0277,-51.2287 --iso-runs 11 --max-transfers "${MAX_TRANSFERS:-8}"
done
