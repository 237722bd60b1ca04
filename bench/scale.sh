#!/usr/bin/env bash
# scale.sh — how the cost grows with the network's size: a synthetic network of 1, 2, 4, 8 and 16 shifted copies of
# the bydgoszcz feed (bench/scale_feed.py: each copy's stops moved ~50 km from the others, each copy its own feed,
# transit only, default 1,000 m walking transfers), and for each size:
#   - build: wall and CPU time, peak RSS (/usr/bin/time), median of RUNS builds; the network file's size;
#   - load: bench/load_bench (tc_network_open: mmap, checksums, validation), median of 21 opens;
#   - RAPTOR, bench/raptor_bench pinned to one CPU, on the busiest day, departures uniform over 06:00–20:00, no
#     arrival limit before the day's last arrival (the RAPTOR section's query definition), the median CPU time of
#     1,000 queries whose stops are those of one copy (--stop-range): the same queries at every size.
#       stop to stop in copy 0, and the same in the last copy: the lower bounds' landmarks (routing/lower_bounds.c)
#         are chosen in the component of the network's first served stop, i.e. in copy 0, and give no bound in a
#         copy that is not linked to it;
#       one to all from copy 0's stops (it explores copy 0 alone: the copies are not linked);
#   - matrix: bench/analysis_bench, 200 stops of copy 0 to the same 200, 07:00–09:00 every minute, max 120 min,
#     p50, 1 thread pinned: origins per second of wall and of CPU time, the process's peak RSS; median of RUNS;
#     then once on 2 threads: what the second thread adds to the peak RSS (the mapped file is shared by threads,
#     each thread's workspace is its own).
# The query definitions are the same at every size, so what grows is what the size costs, not a larger search.
# Prints a markdown table on stdout, then the growth exponent of each column (least squares of log y on log n).
#
# usage: bench/scale.sh [--sizes 1,2,4,8,16] [--runs 3] [--quiet] [BUILD_DIR]   (default BUILD_DIR: build)
# env:   TC_DATA (default ../shared/data), SCALE_TMP (work folder, default a new mktemp -d, removed at the end)
# Needs BUILD_DIR/tongcheng and BUILD_DIR/bench/{load_bench,raptor_bench,analysis_bench}, python3, taskset.
# Progress goes to stderr when it is a terminal (not with --quiet). The full run takes about 4 minutes on 2 cores
# and needs about 1 GB of memory for the 16-copy build.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=1,2,4,8,16
runs=3
quiet=0
build=build
while [ $# -gt 0 ]; do
    case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --quiet) quiet=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "scale.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) build=$1; shift ;;
    esac
done
if ! [[ $sizes =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]]; then
    echo "scale.sh: --sizes wants a comma-separated list of copy counts" >&2
    exit 2
fi
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "scale.sh: --runs wants a positive integer" >&2; exit 2; }
data=${TC_DATA:-$(cd .. && pwd)/shared/data}
feed="$data/bydgoszcz/bydgoszcz.gtfs.zip"
bin="$build/tongcheng"
for b in "$bin" "$build/bench/load_bench" "$build/bench/raptor_bench" "$build/bench/analysis_bench"; do
    [ -x "$b" ] || { echo "scale.sh: build $b first" >&2; exit 2; }
done
[ -e "$feed" ] || { echo "scale.sh: $feed is missing (TC_DATA?)" >&2; exit 77; }
if [ -n "${SCALE_TMP:-}" ]; then tmp=$SCALE_TMP; mkdir -p "$tmp"; else
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
fi
progress() { if [ "$quiet" = 0 ] && [ -t 2 ]; then echo "scale.sh: $*" >&2; fi; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }
json() { sed -n "s/.*\"$1\":\([-0-9.e+]*\).*/\1/p"; } # one numeric field of a JSON line
cpu=$(($(nproc) > 1 ? 1 : 0))                          # the CPU the single-threaded runs are pinned to

max=$(tr ',' '\n' <<<"$sizes" | sort -n | tail -n 1)
progress "writing $max shifted copies of $feed"
meta=$(python3 bench/scale_feed.py "$feed" "$tmp/feeds" "$max" --points 200)
per_copy=$(json stops_per_copy <<<"$meta")
day=2020-04-16 # bydgoszcz's busiest day among its first 14 (raptor_bench picks the same)

printf '| copies | stops | stop_times | build wall s | build CPU s | build peak RSS MiB | file MB | load ms |'
printf ' RAPTOR stop to stop, copy 0, µs CPU | same, last copy, µs CPU | RAPTOR one to all, µs CPU |'
printf ' matrix origins/s | origins per CPU-s | matrix peak RSS MiB | RSS of a 2nd thread MiB |\n'
printf '|%s\n' "$(printf -- '---:|%.0s' $(seq 15))"
: >"$tmp/rows"
for n in $(tr ',' ' ' <<<"$sizes"); do
    args=()
    for ((k = 0; k < n; k++)); do args+=(--gtfs "c$k=$tmp/feeds/copy$k"); done
    net="$tmp/net$n.tcn"
    : >"$tmp/bw"; : >"$tmp/bc"; : >"$tmp/bm"
    for ((r = 1; r <= runs; r++)); do
        progress "$n copies: build $r/$runs"
        /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$bin" build -o "$net" --quiet "${args[@]}"
        read -r e u s m <"$tmp/time"
        echo "$e" >>"$tmp/bw"; echo "$u + $s" | bc -l >>"$tmp/bc"; echo "$m" >>"$tmp/bm"
    done
    info=$("$bin" info "$net")
    stops=$(awk '$1 == "stops" {print $2; exit}' <<<"$info")
    stop_times=$(awk '$1 == "stop_times" {print $2; exit}' <<<"$info")
    bytes=$(stat -c %s "$net")
    progress "$n copies: load"
    load=$("$build/bench/load_bench" "$net" --runs 21 | json median_ms)
    raptor() { taskset -c "$cpu" "$build/bench/raptor_bench" "$net" --queries 1000 --seed 1 --window 06:00-20:00 "$@"; }
    progress "$n copies: RAPTOR stop to stop"
    s2s0=$(raptor --stop-range "0-$per_copy" | json cpu_median_us)
    s2sk=0
    [ "$n" -gt 1 ] && s2sk=$(raptor --stop-range "$(((n - 1) * per_copy))-$((n * per_copy))" | json cpu_median_us)
    progress "$n copies: RAPTOR one to all"
    o2a=$(raptor --stop-range "0-$per_copy" --one-to-all | json cpu_median_us)
    : >"$tmp/ops"; : >"$tmp/opc"; : >"$tmp/mm"
    for ((r = 1; r <= runs; r++)); do
        progress "$n copies: matrix $r/$runs"
        /usr/bin/time -f "%M" -o "$tmp/time" taskset -c "$cpu" "$build/bench/analysis_bench" "$net" \
            "$tmp/feeds/points.csv" --date "$day" --window 07:00-09:00 --threads 1 --iso-runs 1 \
            --iso-from 53.1235,18.0084 >"$tmp/ab"
        json origins_per_s <"$tmp/ab" >>"$tmp/ops"; json origins_per_cpu_s <"$tmp/ab" >>"$tmp/opc"
        cat "$tmp/time" >>"$tmp/mm"
    done
    progress "$n copies: matrix on 2 threads"
    /usr/bin/time -f "%M" -o "$tmp/time" "$build/bench/analysis_bench" "$net" "$tmp/feeds/points.csv" --date "$day" \
        --window 07:00-09:00 --threads 2 --iso-runs 1 --iso-from 53.1235,18.0084 >/dev/null
    rss1=$(median <"$tmp/mm")
    row=("$n" "$stops" "$stop_times" "$(median <"$tmp/bw")" "$(median <"$tmp/bc")"
        "$(echo "$(median <"$tmp/bm") / 1024" | bc -l)" "$(echo "$bytes / 1000000" | bc -l)" "$load"
        "$s2s0" "$s2sk" "$o2a"
        "$(median <"$tmp/ops")" "$(median <"$tmp/opc")" "$(echo "$rss1 / 1024" | bc -l)"
        "$(echo "($(cat "$tmp/time") - $rss1) / 1024" | bc -l)")
    echo "${row[*]}" >>"$tmp/rows"
    printf '| %s | %s | %s | %.2f | %.2f | %.0f | %.1f | %.2f | %.0f | %s | %.0f | %.1f | %.1f | %.0f | %.1f |\n' \
        "${row[@]:0:9}" "$([ "${row[9]}" = 0 ] && echo — || printf %.0f "${row[9]}")" "${row[@]:10}"
    rm -f "$net"
done

# growth: the exponent b of y ≈ a·n^b over the sizes run (1: linear; n log n shows as slightly above 1 and rising)
awk 'BEGIN {
        split("build_wall build_cpu build_rss file load s2s_copy0 s2s_last o2a matrix_ops matrix_opc matrix_rss " \
              "thread_rss", name, " ")
     }
     { n[NR] = log($1); for (c = 4; c <= 15; c++) y[NR, c] = ($c > 0 ? log($c) : 0) }
     END {
        if (NR < 2) exit
        printf "\ngrowth exponent b (y ~ n^b, least squares over %d sizes):", NR
        for (c = 4; c <= 15; c++) {
            sx = sy = sxx = sxy = m = 0
            for (i = 1; i <= NR; i++) {
                if (c == 10 && y[i, c] == 0) continue # no other copy at 1 copy
                m++; sx += n[i]; sy += y[i, c]; sxx += n[i] * n[i]; sxy += n[i] * y[i, c]
            }
            if (m < 2 || m * sxx == sx * sx) { printf " %s -", name[c - 3]; continue }
            printf " %s %.2f", name[c - 3], (m * sxy - sx * sy) / (m * sxx - sx * sx)
        }
        printf "\n"
     }' "$tmp/rows"
