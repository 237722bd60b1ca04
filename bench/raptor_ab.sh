#!/usr/bin/env bash
# raptor_ab.sh — issue 4's A/B timing: runs two builds' raptor_bench alternately, run by run, so both see the same
# state of a shared machine, and prints per build the median and the least of the runs' mean_us, and the median of
# the per-pair ratios new/base (the figure that holds whatever the machine's load).
#
# With RAPTOR_AB_PARALLEL=1 the two builds run at the same time, one on each of CPUs 0 and 1, swapping CPUs every run
# (taskset): both then share the machine's disturbances exactly, and the ratio of a pair of runs (one on each CPU
# order, geometric mean) cancels a difference between the two CPUs. On the 2-core VM, two identical builds' pair
# ratios stayed within 0.94–1.03 while the machine's load came and went. The times are then CPU time
# (cpu_mean_us).
#
# usage: bench/raptor_ab.sh BASE_BUILD NEW_BUILD NET [RUNS] [raptor_bench options]
#        (default RUNS 8, options --queries 3000 --seed 1); each build needs BUILD/bench/raptor_bench
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 BASE_BUILD NEW_BUILD NET [RUNS] [raptor_bench options]" >&2; exit 2; }
base=$1 new=$2 net=$3
runs=${4:-8}
shift $(($# < 4 ? $# : 4))
opts=("$@")
[ ${#opts[@]} -gt 0 ] || opts=(--queries 3000 --seed 1)
for b in "$base" "$new"; do
    [ -x "$b/bench/raptor_bench" ] || { echo "$b/bench/raptor_bench: not built" >&2; exit 2; }
done
mean_of() { "$1/bench/raptor_bench" "$net" "${opts[@]}" | sed -n 's/.*"mean_us":\([0-9.]*\).*/\1/p'; }
cpu_of() { sed -n 's/.*"cpu_mean_us":\([0-9.]*\).*/\1/p' "$1"; }
tmp=$(mktemp) ta=$(mktemp) tb=$(mktemp)
trap 'rm -f "$tmp" "$ta" "$tb"' EXIT
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
if [ "${RAPTOR_AB_PARALLEL:-0}" = 1 ]; then
    for i in $(seq "$runs"); do
        ca=$((i % 2)) cb=$(((i + 1) % 2))
        taskset -c "$ca" "$base/bench/raptor_bench" "$net" "${opts[@]}" >"$ta" &
        taskset -c "$cb" "$new/bench/raptor_bench" "$net" "${opts[@]}" >"$tb" &
        wait
        echo "$(cpu_of "$ta") $(cpu_of "$tb")" >>"$tmp"
    done
    printf 'base  median %s  least %s (CPU µs)\n' "$(cut -d' ' -f1 "$tmp" | median)" "$(cut -d' ' -f1 "$tmp" | sort -g | head -1)"
    printf 'new   median %s  least %s (CPU µs)\n' "$(cut -d' ' -f2 "$tmp" | median)" "$(cut -d' ' -f2 "$tmp" | sort -g | head -1)"
    printf 'ratio new/base, median of %s CPU-swapped pairs: %s\n' "$((runs / 2))" \
        "$(awk '{r[NR] = $2 / $1} END {for (i = 1; i + 1 <= NR; i += 2) printf "%.3f\n", sqrt(r[i] * r[i + 1])}' "$tmp" | median)"
    exit 0
fi
for _ in $(seq "$runs"); do
    a=$(mean_of "$base")
    b=$(mean_of "$new")
    echo "$a $b" >>"$tmp"
done
printf 'base  median %s  least %s\n' "$(cut -d' ' -f1 "$tmp" | median)" "$(cut -d' ' -f1 "$tmp" | sort -g | head -1)"
printf 'new   median %s  least %s\n' "$(cut -d' ' -f2 "$tmp" | median)" "$(cut -d' ' -f2 "$tmp" | sort -g | head -1)"
printf 'ratio new/base, median of %s pairs: %s\n' "$runs" "$(awk '{printf "%.3f\n", $2 / $1}' "$tmp" | median)"
