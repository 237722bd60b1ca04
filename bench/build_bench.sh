#!/usr/bin/env bash
# build_bench.sh — network build time and peak memory (/usr/bin/time -v), median of 5 runs, for bydgoszcz,
# feeds/hart.zip and milan; then the median time to open each compiled file (bench/load_bench).
# Also times the GTFS reading alone (`tongcheng validate`, same reader) so the builder's own share is visible.
#
# usage: bench/build_bench.sh [BUILD_DIR]   (default: build; needs BUILD_DIR/tongcheng and BUILD_DIR/bench/load_bench)
# env:   TC_DATA (default ../shared/data), RUNS (default 5), RADIUS (walking transfer radius, default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
data=${TC_DATA:-$(cd .. && pwd)/shared/data}
runs=${RUNS:-5}
radius=${RADIUS:-1000}
bin="$build/tongcheng"
[ -x "$bin" ] && [ -x "$build/bench/load_bench" ] || { echo "build $bin and $build/bench/load_bench first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

printf "%-32s %10s %10s %12s %10s %10s\n" feed build_s peak_MB read_only_s file_MB load_ms
for feed in bydgoszcz/bydgoszcz.gtfs.zip feeds/hart.zip milan/milano_small_gtfs.zip; do
  path="$data/$feed"
  [ -e "$path" ] || { echo "$feed: missing, skipped"; continue; }
  : >"$tmp/secs"; : >"$tmp/kb"; : >"$tmp/read"
  for _ in $(seq "$runs"); do
    /usr/bin/time -v "$bin" build -o "$tmp/net" --quiet --transfer-radius "$radius" --gtfs "$path" 2>"$tmp/tv" >/dev/null
    awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}' "$tmp/tv" >>"$tmp/secs"
    awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/tv" >>"$tmp/kb"
    { /usr/bin/time -f "%e" "$bin" validate "$path" 2>&1 >/dev/null || true; } | tail -n 1 >>"$tmp/read"
  done
  secs=$(median <"$tmp/secs"); kb=$(median <"$tmp/kb"); rd=$(median <"$tmp/read")
  size=$(stat -c %s "$tmp/net")
  load=$("$build/bench/load_bench" "$tmp/net" --runs 51 | sed 's/.*"median_ms":\([0-9.]*\).*/\1/')
  printf "%-32s %10s %10.1f %12s %10.1f %10s\n" "$feed" "$secs" "$(echo "$kb / 1024" | bc -l)" "$rd" \
    "$(echo "$size / 1000000" | bc -l)" "$load"
done
