#!/usr/bin/env bash
# output_special_files.sh — every command that writes refuses an output path that exists and is not a regular file
# (FIFO, directory, socket, character device), exits 1 naming the path and what it is, and leaves it as it was:
# build, isochrone, matrix, access, surface (GeoTIFF and CSV), export-gtfs (a file inside its folder). The character
# device is made with mknod when the test may (root); otherwise only that case is skipped, and said so.
set -uo pipefail
: "${TC_DATA:?}" "${TC_BIN:?}"
d="$TC_DATA/porto-alegre"
[ -f "$d/poa_eptc.zip" ] && [ -f "$d/poa_osm.pbf" ] || { echo "no Porto Alegre data: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$TC_BIN" build --osm "$d/poa_osm.pbf" --gtfs "$d/poa_eptc.zip" -o "$tmp/poa.tcn" --quiet || { echo "FAIL: build"; exit 1; }
printf 'id,lat,lon,jobs\na,-30.0277,-51.2287,10\nb,-30.0346,-51.2177,20\n' >"$tmp/pts.csv"

# the special files, each with a fingerprint of what it is
mkfifo "$tmp/fifo.tif"
mkdir "$tmp/dir.tif"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$tmp/sock.tif"
kinds="fifo:FIFO dir:directory sock:socket"
if mknod "$tmp/chardev.tif" c 1 3 2>/dev/null; then # the same device numbers as /dev/null
    kinds="$kinds chardev:character-device"
else
    echo "note: mknod not permitted here: the character device case is skipped"
fi
fingerprint() { stat -c '%F %t %T %i' "$1"; }

common=(--date 2019-05-13 --quiet)
run_writer() { # NAME OUT: run command NAME writing to OUT
    case "$1" in
    build) "$TC_BIN" build --gtfs "$d/poa_eptc.zip" -o "$2" --quiet ;;
    isochrone) "$TC_BIN" isochrone "$tmp/poa.tcn" --from -30.0277,-51.2287 --time 12:00 --cutoffs 15 "${common[@]}" -o "$2" ;;
    matrix) "$TC_BIN" matrix "$tmp/poa.tcn" --origins "$tmp/pts.csv" --destinations "$tmp/pts.csv" \
        --window 12:00-12:05 "${common[@]}" -o "$2" ;;
    access) "$TC_BIN" access "$tmp/poa.tcn" --origins "$tmp/pts.csv" --opportunities "$tmp/pts.csv" --columns jobs \
        --cutoffs 30 --window 12:00-12:05 "${common[@]}" -o "$2" ;;
    surface-tif) "$TC_BIN" surface "$tmp/poa.tcn" --from -30.0277,-51.2287 --window 12:00-12:05 "${common[@]}" -o "$2" ;;
    esac
}
for kind in $kinds; do
    name=${kind%%:*}.tif what=${kind#*:} # .tif: surface chooses its format by the ending
    what=${what//-/ }
    for cmd in build isochrone matrix access surface-tif; do
        before=$(fingerprint "$tmp/$name")
        out=$(run_writer "$cmd" "$tmp/$name" 2>&1)
        rc=$?
        [ "$rc" = 1 ] || fail "$cmd -o $name: exit $rc ($out)"
        grep -q "$tmp/$name: the output exists and is a $what, not a regular file" <<<"$out" \
            || fail "$cmd -o $name: message: $out"
        [ "$(fingerprint "$tmp/$name")" = "$before" ] || fail "$cmd -o $name: the $what was replaced"
        ls "$tmp/$name".tmp.* >/dev/null 2>&1 && fail "$cmd -o $name: temporary file left behind"
    done
done
# surface to CSV points and export-gtfs write files by name: one of them a FIFO
mkfifo "$tmp/surface.csv"
out=$("$TC_BIN" surface "$tmp/poa.tcn" --from -30.0277,-51.2287 --window 12:00-12:05 --points "$tmp/pts.csv" \
    "${common[@]}" -o "$tmp/surface.csv" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "is a FIFO" <<<"$out" && [ -p "$tmp/surface.csv" ] || fail "surface -o FIFO.csv: exit $rc $out"
mkdir "$tmp/gtfs_out"
mkfifo "$tmp/gtfs_out/stops.txt"
out=$("$TC_BIN" export-gtfs "$tmp/poa.tcn" "$tmp/gtfs_out" --quiet 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "stops.txt: the output exists and is a FIFO" <<<"$out" && [ -p "$tmp/gtfs_out/stops.txt" ] \
    || fail "export-gtfs into a folder with a FIFO stops.txt: exit $rc $out"
# a regular file is still replaced
echo old >"$tmp/regular.geojson"
run_writer isochrone "$tmp/regular.geojson" || fail "isochrone over a regular file: exit $?"
grep -q FeatureCollection "$tmp/regular.geojson" || fail "isochrone did not replace the regular file"

[ "$fails" = 0 ] && echo "ok   special files refused by every writer ($kinds)"
[ "$fails" = 0 ]
