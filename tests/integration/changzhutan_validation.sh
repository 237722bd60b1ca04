#!/usr/bin/env bash
# changzhutan_validation.sh — the built-in default against the published figures it claims to reproduce.
# Builds data/changzhutan, writes it out with `tongcheng export-gtfs`, runs the report's baseline for car times, and
# runs data/changzhutan/validate.py on them with --check: it fails when any figure (the issue's "done when" list:
# 麓谷 and 株洲 stations, >= 95 departures 长沙站 → 暮云, no gap over 15 min 07:00-09:00, 长沙站 → 湘潭 all stations in
# 45-60 min, 长沙南 → 株洲西 13-20, 长沙南 → 湘潭北 12-16, >= 60 high-speed calls at 株洲西; plus run times, service
# levels and driving times) leaves its tolerance, or when VALIDATION.md differs from what the model gives now.
# Then the checker itself is shown to fail: on an export with every other intercity trip removed, and on one where
# the high-speed run times are stretched.
set -uo pipefail
: "${TC_BIN:?}" "${TC_SRC:?}"
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
data="$TC_SRC/data/changzhutan"
[ -f "$data/network.sketch.json" ] || { echo "no $data: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

"$TC_BIN" build -o "$tmp/default.net" --sketch "$data/network.sketch.json" --quiet || { echo "FAIL: build"; exit 1; }
"$TC_BIN" export-gtfs "$tmp/default.net" "$tmp/gtfs" --quiet || { echo "FAIL: export-gtfs"; exit 1; }
"$TC_BIN" circle --data-dir "$data" --no-scenarios --no-isochrones -o "$tmp/circle" --quiet > /dev/null \
    || { echo "FAIL: circle"; exit 1; }
if python3 "$data/validate.py" "$tmp/gtfs" --circle "$tmp/circle/circle.csv" --check "$data/VALIDATION.md"; then
    echo "ok: every published figure within its tolerance; VALIDATION.md up to date"
else
    echo "FAIL: validate.py (above)"; fail=1
fi

# the checker fails when the model drifts
cp -r "$tmp/gtfs" "$tmp/thin"
python3 - "$tmp/thin" <<'PY'
import csv, sys
d = sys.argv[1]
trips = list(csv.DictReader(open(f"{d}/trips.txt", encoding="utf-8")))
czt = [t["trip_id"] for t in trips if t["route_id"].startswith("czt_")]
drop = set(czt[::2])
for f in ("trips.txt", "stop_times.txt"):
    rows = list(csv.DictReader(open(f"{d}/{f}", encoding="utf-8")))
    w = csv.DictWriter(open(f"{d}/{f}", "w", encoding="utf-8", newline=""), fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(r for r in rows if r["trip_id"] not in drop)
PY
out=$(python3 "$data/validate.py" "$tmp/thin" | grep -c "OUT\*\*"; python3 "$data/validate.py" "$tmp/thin" > /dev/null; echo "rc=$?")
case "$out" in *rc=1) echo "ok: half the intercity trips -> figures out of tolerance";;
    *) echo "FAIL: validate.py accepts half the intercity trips: $out"; fail=1;; esac
cp -r "$tmp/gtfs" "$tmp/slow"
python3 - "$tmp/slow" <<'PY'
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/stop_times.txt", encoding="utf-8")))
def s(t): h, m, x = map(int, t.split(":")); return h * 3600 + m * 60 + x
def t(v): return "%02d:%02d:%02d" % (v // 3600, v // 60 % 60, v % 60)
first = {}
for r in rows:
    if r["trip_id"].startswith("hsr_zhuzhou"):
        f0 = first.setdefault(r["trip_id"], s(r["departure_time"]))
        r["arrival_time"] = t(f0 + 2 * (s(r["arrival_time"]) - f0))
        r["departure_time"] = t(f0 + 2 * (s(r["departure_time"]) - f0))
w = csv.DictWriter(open(f"{d}/stop_times.txt", "w", encoding="utf-8", newline=""), fieldnames=list(rows[0].keys()))
w.writeheader(); w.writerows(rows)
PY
python3 "$data/validate.py" "$tmp/slow" > "$tmp/slow.out"
rc=$?
if [ $rc = 1 ] && grep -q "OUT OF TOLERANCE: 长沙南 → 株洲西" "$tmp/slow.out"; then
    echo "ok: doubled high-speed run times -> 长沙南 → 株洲西 out of tolerance"
else
    echo "FAIL: validate.py accepts doubled high-speed run times (rc $rc)"; fail=1
fi
exit $fail
