#!/usr/bin/env bash
# mpi_bench.sh — throughput of tongcheng-mpi on the Porto Alegre all-to-all matrix (poa_hexgrid.csv, 1,227 origins
# × 1,227 cells), Monday 2019-05-13, p50, max 120 min, --threads 1 per rank, for 1, 2 and 4 ranks (this machine has
# nproc cores: beyond that the ranks are oversubscribed and share cores), plus the single-process `tongcheng matrix`
# on 1 thread for reference. Prints per run: wall seconds (median of REPS), origins/s, origins/s per busy core, and
# the CPU seconds the processes used (user+sys), then the projected cost of a 1,000,000-origin run of the same kind
# in core-hours from the 1-rank per-core rate (and the CPU-time rate, which is immune to other load on the machine).
# Usage: bench/mpi_bench.sh [BUILD_DIR]   env: WINDOW (default 12:00-14:00), REPS (default 3), RANKS ("1 2 4"),
#        TC_DATA (default ../shared/data).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
TC_DATA=${TC_DATA:-$src/../shared/data}
WINDOW=${WINDOW:-12:00-14:00}
REPS=${REPS:-3}
RANKS=${RANKS:-"1 2 4"}
d=$TC_DATA/porto-alegre
[ -f "$d/poa_hexgrid.csv" ] || { echo "no Porto Alegre data under $TC_DATA"; exit 1; }
[ -x "$build/tongcheng-mpi" ] || { echo "no $build/tongcheng-mpi"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/tongcheng" build --osm "$d/poa_osm.pbf" --gtfs "$d/poa_eptc.zip" --gtfs "$d/poa_trensurb.zip" \
    -o "$tmp/poa.tcn" --quiet
n=$(($(wc -l <"$d/poa_hexgrid.csv") - 1))
cores=$(nproc)
args=(matrix "$tmp/poa.tcn" --origins "$d/poa_hexgrid.csv" --destinations "$d/poa_hexgrid.csv" --date 2019-05-13
      --window "$WINDOW" --max-duration 120 --percentiles 50 --threads 1 --quiet)
echo "Porto Alegre all-to-all matrix: $n origins x $n cells, window $WINDOW, --threads 1 per rank, $cores cores," \
     "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
run() { # label ranks command...
    local label=$1 ranks=$2
    shift 2
    : >"$tmp/times"
    for _ in $(seq "$REPS"); do
        /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" -o "$tmp/out.csv" >/dev/null
        cat "$tmp/t" >>"$tmp/times"
    done
    local wall cpu busy
    wall=$(awk '{ print $1 }' "$tmp/times" | median)
    cpu=$(awk '{ print $2 + $3 }' "$tmp/times" | median)
    busy=$((ranks < cores ? ranks : cores))
    awk -v l="$label" -v r="$ranks" -v w="$wall" -v c="$cpu" -v n="$n" -v b="$busy" -v cores="$cores" 'BEGIN {
        printf "%-28s ranks %d%s  wall %7.2f s  %7.1f origins/s  %6.1f origins/s/core  cpu %7.1f s (%5.1f origins/cpu-s)\n",
               l, r, (r > cores ? " (oversubscribed)" : ""), w, n / w, n / w / b, c, n / c }'
    echo "$label $ranks $wall $cpu" >>"$tmp/summary"
}
run "tongcheng matrix" 1 "$build/tongcheng" "${args[@]}"
cp "$tmp/out.csv" "$tmp/ref.csv"
for r in $RANKS; do
    run "tongcheng-mpi" "$r" mpirun --allow-run-as-root --oversubscribe --bind-to none -n "$r" "$build/tongcheng-mpi" "${args[@]}"
    cmp -s "$tmp/ref.csv" "$tmp/out.csv" || { echo "output of $r ranks differs from the single-process one"; exit 1; }
done
awk -v n="$n" '$1 == "tongcheng-mpi" && $2 == 1 { w = $3; c = $4 } END {
    printf "projected 1,000,000-origin run (same network, window and destinations per origin):\n"
    printf "  from the 1-rank wall rate (%.1f origins/s/core): %.1f core-hours\n", n / w, 1e6 / (n / w) / 3600
    printf "  from CPU time (%.1f origins/cpu-s): %.1f core-hours\n", n / c, 1e6 / (n / c) / 3600 }' "$tmp/summary"
