#!/usr/bin/env bash
# server_load.sh — load benchmark of `tongcheng serve` (not a test): wrk against GET /v1/route and GET /v1/isochrone
# on the Porto Alegre network (EPTC + Trensurb + OSM), 32 connections for 30 s each, over loopback only.
# Reports requests/s, p50 / p99 latency, errors (socket errors, timeouts, non-2xx), the server's RSS before and
# after each run, and the load average before each run (the machine may be shared: compare runs at similar load,
# quote medians). Queries cycle through 64 origin/destination pairs near stops that the server answers with 200
# (checked first), departures spread over the day.
#
# MATRICES=N adds a mixed run: /v1/route under wrk while N clients keep posting a costly matrix (400 origins × 1
# destination over a 2-hour window, 5 percentiles: ~48,000 searches, inside the default --max-cost) one after the
# other; it reports the route p99 beside the route-only run and the number of matrices answered.
#
# usage: bench/server_load.sh [TONGCHENG] [DURATION_S] [CONNECTIONS]
#   env: TC_DATA (default /work/shared/data), THREADS (server threads; default: cores), WRK_THREADS (default 2),
#        MATRICES (default 0: no mixed run)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tc=${1:-${TC_BIN:-$here/build/tongcheng}}
duration=${2:-30}
conns=${3:-32}
data=${TC_DATA:-/work/shared/data}/porto-alegre
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
tmp=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" || true
    rm -rf "$tmp"
}
trap cleanup EXIT
"$tc" build --gtfs "$data/poa_eptc.zip" --gtfs "$data/poa_trensurb.zip" --osm "$data/poa_osm.pbf" -o "$tmp/poa.tcn" --quiet
"$tc" serve "$tmp/poa.tcn" --host 127.0.0.1 --port 0 --quiet ${THREADS:+--threads "$THREADS"} 2> "$tmp/serve.log" &
server=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.log")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "server did not start"; cat "$tmp/serve.log"; exit 1; }
base="http://127.0.0.1:$port"
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$server/status"; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

# query sets: points near stops inside the street network, each checked to answer 200
python3 - "$base" "$tmp" <<'PY'
import json, random, sys, urllib.request, urllib.error
base, tmp = sys.argv[1], sys.argv[2]
cfg = json.load(urllib.request.urlopen(base + "/v1/config"))
stops = [f["geometry"]["coordinates"] for f in json.load(urllib.request.urlopen(base + "/v1/stops"))["features"]]
rnd = random.Random(42)
def ok(path):
    try:
        return urllib.request.urlopen(base + path).status == 200
    except urllib.error.HTTPError:
        return False
route, iso = [], []
while len(route) < 64 or len(iso) < 64:
    a, b = rnd.choice(stops), rnd.choice(stops)
    t = "%02d:%02d" % (7 + rnd.randrange(12), rnd.randrange(60))
    fr, to = "%.6f,%.6f" % (a[1], a[0]), "%.6f,%.6f" % (b[1], b[0])
    p = "/v1/route?from=%s&to=%s&date=%s&time=%s" % (fr, to, cfg["default_date"], t)
    if len(route) < 64 and ok(p):
        route.append(p)
    p = "/v1/isochrone?from=%s&date=%s&time=%s&cutoffs=15,30,45,60" % (fr, cfg["default_date"], t)
    if len(iso) < 64 and ok(p):
        iso.append(p)
open(tmp + "/route.txt", "w").write("\n".join(route) + "\n")
open(tmp + "/isochrone.txt", "w").write("\n".join(iso) + "\n")
PY
cat > "$tmp/cycle.lua" <<'LUA'
-- each wrk thread cycles through the paths in $PATHS (one per line), starting at a different place
local paths = {}
for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA

echo "tongcheng serve load: $(nproc) cores, server $(sed -n 's/.*with \([0-9]*\) thread.*/\1/p' "$tmp/serve.log") threads, wrk ${WRK_THREADS:-2} threads × $conns connections × ${duration} s, loopback"
echo "server RSS at start: $(rss)"
for endpoint in route isochrone; do
    before=$(rss)
    loadavg=$(load)
    PATHS="$tmp/$endpoint.txt" wrk -t"${WRK_THREADS:-2}" -c"$conns" -d"${duration}s" --timeout 10s --latency \
        -s "$tmp/cycle.lua" "$base" > "$tmp/wrk-$endpoint.txt"
    after=$(rss)
    rps=$(awk '/^Requests\/sec/ {print $2}' "$tmp/wrk-$endpoint.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk-$endpoint.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk-$endpoint.txt")
    total=$(awk '/requests in/ {print $1}' "$tmp/wrk-$endpoint.txt")
    sock=$(awk '/Socket errors/ {print $0}' "$tmp/wrk-$endpoint.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk-$endpoint.txt")
    printf '/v1/%-10s %8s req/s  p50 %8s  p99 %8s  requests %s  non-2xx %s  %s  RSS %s → %s  load %s\n' \
        "$endpoint" "$rps" "$p50" "$p99" "$total" "${non2xx:-0}" "${sock:-socket errors: none}" "$before" "$after" \
        "$loadavg"
done
if [ "${MATRICES:-0}" -gt 0 ]; then
    python3 - "$base" "$tmp" "$MATRICES" "$duration" > "$tmp/matrices.txt" <<'PY' &
import json, random, sys, threading, time, urllib.request, urllib.error
base, tmp, n, duration = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
cfg = json.load(urllib.request.urlopen(base + "/v1/config"))
stops = [f["geometry"]["coordinates"] for f in json.load(urllib.request.urlopen(base + "/v1/stops"))["features"]]
rnd = random.Random(7)
pts = [rnd.choice(stops) for _ in range(400)]
body = json.dumps({"origins": [{"id": i, "lat": p[1], "lon": p[0]} for i, p in enumerate(pts)],
                   "destinations": [{"id": 0, "lat": pts[0][1], "lon": pts[0][0]}], "date": cfg["default_date"],
                   "window": "12:00-14:00", "percentiles": [5, 25, 50, 75, 95], "max_duration_min": 240}).encode()
done, status = [], []
end = time.time() + duration + 2  # a little past wrk's run, so matrices run for all of it
def client():
    while time.time() < end:
        t0 = time.time()
        try:
            r = urllib.request.urlopen(urllib.request.Request(base + "/v1/matrix", data=body,
                                       headers={"Content-Type": "application/json"}), timeout=600)
            r.read()
            status.append(r.status)
        except urllib.error.HTTPError as e:
            status.append(e.code)
        except OSError as e:  # the connection closed without an answer: counted, and the client goes on
            status.append(type(e).__name__)
            continue
        done.append(time.time() - t0)
ts = [threading.Thread(target=client) for _ in range(n)]
for t in ts: t.start()
for t in ts: t.join()
print("%d matrices answered (statuses %s), median %.1f s each" % (len(done), sorted(set(map(str, status))),
      sorted(done)[len(done) // 2] if done else 0))
PY
    mpid=$!
    # wait until the matrices are being computed before measuring
    for _ in $(seq 200); do
        inflight=$(python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]+"/health")).get("in_flight",0))' "$base" 2>/dev/null || echo 0)
        [ "$inflight" -ge "$MATRICES" ] && break
        sleep 0.05
    done
    before=$(rss)
    loadavg=$(load)
    PATHS="$tmp/route.txt" wrk -t"${WRK_THREADS:-2}" -c"$conns" -d"${duration}s" --timeout 10s --latency \
        -s "$tmp/cycle.lua" "$base" > "$tmp/wrk-mixed.txt"
    after=$(rss)
    wait "$mpid"
    rps=$(awk '/^Requests\/sec/ {print $2}' "$tmp/wrk-mixed.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$tmp/wrk-mixed.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$tmp/wrk-mixed.txt")
    total=$(awk '/requests in/ {print $1}' "$tmp/wrk-mixed.txt")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk-mixed.txt")
    sock=$(awk '/Socket errors/ {print $0}' "$tmp/wrk-mixed.txt")
    printf '/v1/route + %d matrices %8s req/s  p50 %8s  p99 %8s  requests %s  non-2xx %s  %s  RSS %s → %s  load %s; %s\n' \
        "$MATRICES" "$rps" "$p50" "$p99" "$total" "${non2xx:-0}" "${sock:-socket errors: none}" "$before" "$after" \
        "$loadavg" "$(cat "$tmp/matrices.txt")"
fi
echo "server RSS at end: $(rss)"
kill -TERM "$server"
wait "$server" && echo "server stopped cleanly (exit 0)"
server=
