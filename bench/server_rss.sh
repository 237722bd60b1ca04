#!/usr/bin/env bash
# server_rss.sh — the server's memory against its thread count (not a test): starts `tongcheng serve NET` with
# --threads N --analysis-threads N for each N, sends a fixed warm-up that reaches every thread — ROUNDS rounds of N
# isochrone requests (one-hour window, all from one stop's place, so the server's cache of grid linkages holds one
# and what grows with N is the threads' own memory: the analysis threads) and N stop-to-stop route requests between
# different stops (the request threads), all N of each kind in flight at once — and prints the resident set
# (VmRSS) after the warm-up and its peak (VmHWM), in kB, then per extra thread: (RSS at the largest N − RSS at the
# smallest) / (largest − smallest). The requests are the same for every N and every build: stops picked with a
# fixed seed. The machine may be shared and single runs vary (allocator arenas): alternate builds, quote medians.
#
# usage: bench/server_rss.sh NET [TONGCHENG] [THREAD_COUNTS]   (default build/tongcheng, "1 2 8 16")
#   env: ROUNDS (default 3), DATE (default: the server's default_date), TIME (default 08:00),
#        KINDS (default isochrone,route; one of them alone measures that kind's threads)
# prints one line per N: {"threads":N,"rss_kb":…,"hwm_kb":…,"requests":…,"failed":…, …}, then the per-thread
# figures.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 NET [TONGCHENG] [THREAD_COUNTS]" >&2; exit 2; }
net=$1
tc=${2:-$here/build/tongcheng}
counts=${3:-1 2 8 16}
[ -r "$net" ] || { echo "$net: not readable" >&2; exit 2; }
[ -x "$tc" ] || { echo "$tc: not built" >&2; exit 2; }
tmp=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
results=$tmp/results
warm_failed() {
    echo "warm-up failed; server log:" >&2
    cat "$log" >&2
    kill -0 "$server" 2>/dev/null || echo "(the server has exited)" >&2
    exit 1
}
for n in $counts; do
    # (a log of its own: the shell may read it before the new server has truncated a shared one)
    log=$tmp/serve-$n.log
    "$tc" serve "$net" --host 127.0.0.1 --port 0 --quiet --threads "$n" --analysis-threads "$n" 2>"$log" &
    server=$!
    port=
    for _ in $(seq 300); do # wait for the listening line (the server prints it once the network is loaded)
        port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$log" 2>/dev/null || true)
        [ -n "$port" ] && break
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "server did not start" >&2; cat "$log" >&2; exit 1; }
    python3 - "http://127.0.0.1:$port" "$n" "${ROUNDS:-3}" "${DATE:-}" "${TIME:-08:00}" "${KINDS:-isochrone,route}" \
        >"$tmp/warm.json" <<'PY' || warm_failed
import json, random, sys, threading, urllib.error, urllib.parse, urllib.request
base, n, rounds, date, time = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
kinds = sys.argv[6].split(",")
cfg = json.load(urllib.request.urlopen(base + "/v1/config"))
date = date or cfg["default_date"]
stops = [(f["geometry"]["coordinates"], f["properties"]["id"])
         for f in json.load(urllib.request.urlopen(base + "/v1/stops"))["features"]]
rnd = random.Random(19)
picks = [(rnd.choice(stops), rnd.choice(stops)) for _ in range(16 * rounds)]  # the same for every N
done = {"requests": 0, "failed": 0}
lock = threading.Lock()
def get(path):
    try:
        ok = urllib.request.urlopen(base + path, timeout=300).status == 200
    except (urllib.error.URLError, OSError):
        ok = False
    with lock:
        done["requests"] += 1
        done["failed"] += 0 if ok else 1
for r in range(rounds):
    threads = []
    for i in range(n):
        (a, a_id), (b, b_id) = picks[(r * 16 + i) % len(picks)]
        fr = "%.6f,%.6f" % (picks[0][0][0][1], picks[0][0][0][0])  # one place: one grid linkage, cached once
        q = urllib.parse.urlencode({"from_stop": a_id, "to_stop": b_id, "date": date, "time": time})
        h, m = map(int, time.split(":"))
        window = "%02d:%02d-%02d:%02d" % (h, m, h + 1, m)
        if "isochrone" in kinds:
            threads.append(threading.Thread(target=get, args=(
                "/v1/isochrone?from=%s&date=%s&window=%s&cutoffs=15,30,45,60" % (fr, date, window),)))
        if "route" in kinds:
            threads.append(threading.Thread(target=get, args=("/v1/route?" + q,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
done["isochrone_from"] = "%.6f,%.6f" % (picks[0][0][0][1], picks[0][0][0][0])
print(json.dumps(done))
PY
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
    kill "$server"
    wait "$server" 2>/dev/null || true
    server=
    w=$(cat "$tmp/warm.json")
    echo "{\"threads\":$n,\"rss_kb\":$rss,\"hwm_kb\":$hwm,${w#\{}"
    echo "$n $rss $hwm" >>"$results"
done
awk 'NR == 1 {n0 = $1; r0 = $2; h0 = $3} {n1 = $1; r1 = $2; h1 = $3}
     END {if (n1 > n0) printf "per extra thread: rss %.0f kB, hwm %.0f kB ((N=%d − N=%d) / %d)\n",
          (r1 - r0) / (n1 - n0), (h1 - h0) / (n1 - n0), n1, n0, n1 - n0}' "$results"
