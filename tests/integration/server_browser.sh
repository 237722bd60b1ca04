#!/usr/bin/env bash
# server_browser.sh — the map page in Debian's headless chromium driven by playwright-core (tests/server/
# browser_test.js): page loads with no tile server, network drawn, click → isochrone layer + legend, shift-click →
# journeys; the scenario selector (the server gets a scenario network: the buses alone, without the metro);
# screenshot saved as $TC_BUILD/server_browser.png. Missing chromium / node / web/node_modules is a
# failure (they are installed by scripts/setup), only missing shared data skips.
set -uo pipefail
: "${TC_DATA:?}" "${TC_BIN:?}" "${TC_SRC:?}" "${TC_BUILD:?}"
poa="$TC_DATA/porto-alegre"
[ -d "$TC_DATA" ] || { echo "no shared data folder ($TC_DATA): skipped"; exit 77; }
for f in poa_osm.pbf poa_eptc.zip poa_trensurb.zip; do
    [ -f "$poa/$f" ] || { echo "missing $poa/$f: skipped"; exit 77; }
done
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "FAIL: $chromium not found (apt-get install chromium)"; exit 1; }
command -v node >/dev/null || { echo "FAIL: node not found (apt-get install nodejs)"; exit 1; }
for m in maplibre-gl playwright-core; do
    [ -d "$TC_SRC/web/node_modules/$m" ] || { echo "FAIL: $TC_SRC/web/node_modules/$m missing (npm ci --prefix web)"; exit 1; }
done
tmp=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server"
    rm -rf "$tmp"
}
trap cleanup EXIT
"$TC_BIN" build --gtfs "$poa/poa_eptc.zip" --gtfs "$poa/poa_trensurb.zip" --osm "$poa/poa_osm.pbf" \
    -o "$tmp/poa.tcn" --quiet || { echo "FAIL: build"; exit 1; }
"$TC_BIN" build --gtfs "$poa/poa_eptc.zip" --osm "$poa/poa_osm.pbf" -o "$tmp/buses.tcn" --quiet \
    || { echo "FAIL: build of the scenario network"; exit 1; }
# a loopback port nothing listens on: the page's tile server is absent, as offline
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$TC_BIN" serve "$tmp/poa.tcn" --host 127.0.0.1 --port 0 --threads 2 --web-dir "$TC_SRC/web" \
    --scenario "buses-only=$tmp/buses.tcn" \
    --tiles "http://127.0.0.1:$closed/tiles-absent/{z}/{x}/{y}.png" 2> "$tmp/serve.log" &
server=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.log")
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
done
[ -n "$port" ] || { echo "FAIL: server did not start"; cat "$tmp/serve.log"; exit 1; }
CHROMIUM="$chromium" node "$TC_SRC/tests/server/browser_test.js" "http://127.0.0.1:$port" "$TC_BUILD/server_browser.png"
rc=$?
kill -TERM "$server"
wait "$server"
src=$?
server=
[ "$src" -eq 0 ] || { echo "FAIL: server exit status $src after SIGTERM"; rc=1; }
grep -q '^GET /v1/isochrone 200 ' "$tmp/serve.log" || { echo "FAIL: no isochrone request in the access log"; rc=1; }
[ "$rc" -eq 0 ] || tail -20 "$tmp/serve.log"
exit $rc
