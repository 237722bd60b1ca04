#!/usr/bin/env bash
# server_api.sh — `tongcheng serve` on the Porto Alegre network (EPTC + Trensurb + OSM streets): every endpoint
# against the CLI, every error path, concurrent clients, slow and malformed clients, limits, SIGTERM / SIGINT and
# the access log (tests/server/api_test.py says what each check is). The server only listens on 127.0.0.1 and is
# stopped by the test in every case (the Python side stops it; the trap kills any survivor).
set -uo pipefail
: "${TC_DATA:?}" "${TC_BIN:?}" "${TC_SRC:?}"
poa="$TC_DATA/porto-alegre"
[ -d "$TC_DATA" ] || { echo "no shared data folder ($TC_DATA): skipped"; exit 77; }
for f in poa_osm.pbf poa_eptc.zip poa_trensurb.zip; do
    [ -f "$poa/$f" ] || { echo "missing $poa/$f: skipped"; exit 77; }
done
command -v python3 >/dev/null || { echo "FAIL: python3 is required"; exit 1; }
tmp=$(mktemp -d)
pid=
# the Python side stops its servers itself, also when it is sent SIGTERM here
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid"
    rm -rf "$tmp"
}
trap cleanup EXIT
"$TC_BIN" build --gtfs "$poa/poa_eptc.zip" --gtfs "$poa/poa_trensurb.zip" --osm "$poa/poa_osm.pbf" \
    -o "$tmp/poa.tcn" --quiet || { echo "FAIL: build"; exit 1; }
export TC_WEB_DIR="$TC_SRC/web"
python3 "$TC_SRC/tests/server/api_test.py" "$TC_BIN" "$tmp/poa.tcn" "$tmp" &
pid=$!
wait "$pid"
rc=$?
pid=
exit $rc
