#!/usr/bin/env bash
# raptor_ab.sh — issue 4's A/B timing: runs two builds' raptor_bench alternately, run by run, so both see the same
# state of a shared machine, and prints per build the median and the least of the runs' mean_us, and the median of
# the per-pair ratios new/base (the figure that holds whatever the machine's load).
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
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for _ in $(seq "$runs"); do
    a=$(mean_of "$base")
    b=$(mean_of "$new")
    echo "$a $b" >>"$tmp"
done
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
printf 'base  median %s  least %s\n' "$(cut -d' ' -f1 "$tmp" | median)" "$(cut -d' ' -f1 "$tmp" | sort -g | head -1)"
printf 'new   median %s  least %s\n' "$(cut -d' ' -f2 "$tmp" | median)" "$(cut -d' ' -f2 "$tmp" | sort -g | head -1)"
printf 'ratio new/base, median of %s pairs: %s\n' "$runs" "$(awk '{printf "%.3f\n", $2 / $1}' "$tmp" | median)"
