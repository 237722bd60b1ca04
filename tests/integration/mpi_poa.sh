#!/usr/bin/env bash
# mpi_poa.sh — tongcheng-mpi (the MPI front end of matrix and access) on Porto Alegre (OSM + EPTC + Trensurb),
# Monday 2019-05-13, a short window and a sample of hexgrid origins × all 1,227 cells:
#   - `mpirun -n 3 tongcheng-mpi matrix` (small chunks, so every rank works and results arrive out of order) writes
#     a file identical (cmp) to `tongcheng matrix`; so does --broadcast-network; same for access (2 percentiles,
#     2 columns, 2 cutoffs), shared network and broadcast;
#   - the reference output is not trivial: one row per pair plus header, some pairs reachable;
#   - a rank killed after its first chunk (TC_MPI_TEST_DIE_RANK=2 → abort()) fails the job: non-zero exit, Open MPI
#     names rank 2, the previous output file is left untouched and no temporary file remains;
#   - a rank whose computation fails (TC_MPI_TEST_FAIL_RANK=1) fails the job with "rank 1 failed: <its error>",
#     same guarantees;
#   - a bad input (duplicate origin id) exits 1 with the file:line message printed once, not once per rank.
# tongcheng-mpi is looked up beside $TC_BIN (so the sanitizer build tests its own). Exit 77 only without the data;
# a missing mpirun or tongcheng-mpi is a failure.
set -uo pipefail
: "${TC_DATA:?}" "${TC_BIN:?}"
d="$TC_DATA/porto-alegre"
[ -f "$d/poa_eptc.zip" ] && [ -f "$d/poa_osm.pbf" ] && [ -f "$d/poa_hexgrid.csv" ] \
    || { echo "no Porto Alegre data: skipped"; exit 77; }
MPI_BIN="$(dirname "$TC_BIN")/tongcheng-mpi"
command -v mpirun >/dev/null || { echo "FAIL: mpirun not found (install openmpi-bin)"; exit 1; }
[ -x "$MPI_BIN" ] || { echo "FAIL: $MPI_BIN not built (is libopenmpi-dev installed?)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
asan=
case "${TC_SANITIZE:-}$(ldd "$TC_BIN" 2>/dev/null)" in ?*asan* | ON* | 1*) asan=1 ;; esac
# Sanitizer builds are ~10x slower: fewer origins. Open MPI leaves allocations behind at exit (libmpi, libopen-pal
# and MCA plugins it has already dlclose'd, so LeakSanitizer cannot even name them for a suppression): leak
# detection is off for the MPI processes only; the single-process runs below keep it.
mpi_asan=${ASAN_OPTIONS:-}
if [ -n "$asan" ]; then step=60; mpi_asan="${mpi_asan:+$mpi_asan:}detect_leaks=0"; else step=20; fi
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
mpi() { ASAN_OPTIONS=$mpi_asan timeout 600 mpirun --allow-run-as-root --oversubscribe "$@"; }

"$TC_BIN" build --osm "$d/poa_osm.pbf" --gtfs "$d/poa_eptc.zip" --gtfs "$d/poa_trensurb.zip" -o "$tmp/poa.tcn" --quiet \
    || { echo "build failed"; exit 1; }
awk -v s="$step" 'NR == 1 || (NR - 2) % s == 0' "$d/poa_hexgrid.csv" >"$tmp/origins.csv"
n_orig=$(($(wc -l <"$tmp/origins.csv") - 1))
n_dest=$(($(wc -l <"$d/poa_hexgrid.csv") - 1))
common=(--date 2019-05-13 --window 12:00-12:10 --quiet)
mtx=(matrix "$tmp/poa.tcn" --origins "$tmp/origins.csv" --destinations "$d/poa_hexgrid.csv" "${common[@]}")
acc=(access "$tmp/poa.tcn" --origins "$tmp/origins.csv" --opportunities "$d/poa_hexgrid.csv" --columns jobs,population
     --cutoffs 30,60 --percentiles 25,50 "${common[@]}")

# --- reference, single process
"$TC_BIN" "${mtx[@]}" --threads 2 -o "$tmp/m1.csv" || fail "tongcheng matrix exit $?"
"$TC_BIN" "${acc[@]}" --threads 2 -o "$tmp/a1.csv" || fail "tongcheng access exit $?"
rows=$(wc -l <"$tmp/m1.csv")
[ "$rows" -eq $((n_orig * n_dest + 1)) ] || fail "matrix reference has $rows lines, expected $((n_orig * n_dest + 1))"
reach=$(awk -F, 'NR > 1 && $3 != ""' "$tmp/m1.csv" | wc -l)
[ "$reach" -gt "$n_orig" ] || fail "matrix reference: only $reach reachable pairs"
[ "$(wc -l <"$tmp/a1.csv")" -eq $((n_orig * 8 + 1)) ] || fail "access reference has $(wc -l <"$tmp/a1.csv") lines"

# --- MPI runs must be byte-identical
mpi -n 3 "$MPI_BIN" "${mtx[@]}" --threads 1 --chunk 2 -o "$tmp/m3.csv" || fail "mpi matrix exit $?"
cmp "$tmp/m1.csv" "$tmp/m3.csv" || fail "mpi matrix (shared network) differs from tongcheng matrix"
mpi -n 3 "$MPI_BIN" "${mtx[@]}" --threads 1 --broadcast-network -o "$tmp/m3b.csv" || fail "mpi matrix bcast exit $?"
cmp "$tmp/m1.csv" "$tmp/m3b.csv" || fail "mpi matrix (--broadcast-network) differs from tongcheng matrix"
mpi -n 3 "$MPI_BIN" "${acc[@]}" --threads 1 --chunk 3 -o "$tmp/a3.csv" || fail "mpi access exit $?"
cmp "$tmp/a1.csv" "$tmp/a3.csv" || fail "mpi access (shared network) differs from tongcheng access"
mpi -n 2 "$MPI_BIN" "${acc[@]}" --threads 2 --broadcast-network -o "$tmp/a2b.csv" || fail "mpi access bcast exit $?"
cmp "$tmp/a1.csv" "$tmp/a2b.csv" || fail "mpi access (--broadcast-network) differs from tongcheng access"

# --- failures: non-zero exit, the rank named, the old output untouched, no temporary file left
check_failed() { # name exit-code stderr-file pattern
    [ "$2" -ne 0 ] || fail "$1: exit 0"
    grep -q "$4" "$3" || { fail "$1: stderr lacks \"$4\""; sed 's/^/    /' "$3" | head -20; }
    [ "$(cat "$tmp/out.csv")" = "previous" ] || fail "$1: the previous output was replaced"
    ls "$tmp" | grep -q '^out\.csv\.tmp' && fail "$1: temporary output left behind"
}
echo previous >"$tmp/out.csv"
TC_MPI_TEST_DIE_RANK=2 mpi -x TC_MPI_TEST_DIE_RANK -n 3 "$MPI_BIN" "${mtx[@]}" --threads 1 --chunk 2 \
    -o "$tmp/out.csv" 2>"$tmp/die.err"
check_failed "killed rank" $? "$tmp/die.err" "rank 2 .*exited on signal"
TC_MPI_TEST_FAIL_RANK=1 mpi -x TC_MPI_TEST_FAIL_RANK -n 3 "$MPI_BIN" "${acc[@]}" --threads 1 --chunk 2 \
    -o "$tmp/out.csv" 2>"$tmp/fail.err"
check_failed "failing rank" $? "$tmp/fail.err" "rank 1 failed: simulated failure"
grep -q "no output written" "$tmp/fail.err" || fail "failing rank: no \"no output written\" note"

# --- a bad input: a plain error, printed once
{ cat "$tmp/origins.csv"; sed -n 2p "$tmp/origins.csv"; } >"$tmp/dup.csv"
mpi -n 3 "$MPI_BIN" matrix "$tmp/poa.tcn" --origins "$tmp/dup.csv" --destinations "$d/poa_hexgrid.csv" \
    "${common[@]}" -o "$tmp/out.csv" 2>"$tmp/dup.err"
rc=$?
[ "$rc" -eq 1 ] || fail "duplicate id: exit $rc, expected 1"
[ "$(grep -c "dup.csv:$((n_orig + 2))" "$tmp/dup.err")" -eq 1 ] \
    || { fail "duplicate id: expected one message naming dup.csv:$((n_orig + 2))"; cat "$tmp/dup.err"; }

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "mpi: matrix and access identical to single-process ($n_orig origins x $n_dest cells, 2-3 ranks);" \
     "failing and killed ranks abort cleanly"
