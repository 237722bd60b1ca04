#!/usr/bin/env bash
# export_gtfs_default.sh — the built-in sketch (data/changzhutan) builds, `export-gtfs` writes it back out as GTFS
# that `tongcheng validate` passes with no errors, and a network rebuilt from the exported GTFS has the same stops,
# routes, patterns, trips, stop_times, frequency rows, transfer rules and service range (a round trip that loses
# nothing). The same for each shipped scenario applied at build time (--scenario), and for a network mixing a
# sketch with a GTFS feed (--sketch + --gtfs: ids prefixed "FEED:", still unique and valid). The exported rows are
# cross-checked with Python's csv module: every stop_times trip_id / stop_id and trips service_id resolves.
set -uo pipefail
: "${TC_BIN:?}" "${TC_SRC:?}"
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
sketch="$TC_SRC/data/changzhutan/network.sketch.json"
[ -f "$sketch" ] || { echo "no $sketch: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

info() { "$TC_BIN" info --json "$1"; }

roundtrip() { # NAME NET
    local name=$1 net=$2
    "$TC_BIN" export-gtfs "$net" "$tmp/$name.gtfs" --quiet || { echo "FAIL $name: export-gtfs"; fail=1; return; }
    "$TC_BIN" validate "$tmp/$name.gtfs" > "$tmp/$name.val" 2>&1
    if grep -q ": error: " "$tmp/$name.val" || ! grep -q "^0 errors" "$tmp/$name.val"; then
        echo "FAIL $name: validate reports errors:"; cat "$tmp/$name.val"; fail=1; return
    fi
    "$TC_BIN" build -o "$tmp/$name.rt.net" --gtfs "$tmp/$name.gtfs" --quiet || { echo "FAIL $name: rebuild"; fail=1; return; }
    python3 - "$(info "$net")" "$(info "$tmp/$name.rt.net")" "$tmp/$name.gtfs" "$name" <<'PY' || fail=1
import csv, json, sys
a, b, folder, name = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
def flat(d, prefix=""):
    out = {}
    for k, v in d.items():
        if isinstance(v, dict): out.update(flat(v, prefix + k + "."))
        elif isinstance(v, (int, float, str)) and not isinstance(v, bool): out[prefix + k] = v
    return out
fa, fb = flat(a), flat(b)
keys = [k for k in fa if any(w in k for w in ("stops", "routes", "patterns", "trips", "stop_times", "frequenc",
                                               "transfer_rules", "service_start", "service_end", "agencies"))
        and "file" not in k and "size" not in k]
bad = [(k, fa[k], fb.get(k)) for k in keys if fa[k] != fb.get(k)]
if not keys: print(f"FAIL {name}: no comparable counts in info --json"); sys.exit(1)
if bad: print(f"FAIL {name}: round trip changed", bad); sys.exit(1)
rows = {f: list(csv.DictReader(open(f"{folder}/{f}.txt", encoding="utf-8"))) for f in
        ("stops", "trips", "stop_times", "calendar", "frequencies")}
stops = {r["stop_id"] for r in rows["stops"]}; trips = {r["trip_id"] for r in rows["trips"]}
services = {r["service_id"] for r in rows["calendar"]}
assert len(stops) == len(rows["stops"]) and len(trips) == len(rows["trips"]), "duplicate ids"
assert all(r["trip_id"] in trips and r["stop_id"] in stops for r in rows["stop_times"]), "dangling stop_times"
assert all(r["service_id"] in services for r in rows["trips"]), "trip with a service not in calendar.txt"
assert all(r["trip_id"] in trips for r in rows["frequencies"]), "dangling frequencies"
print(f"ok {name}: {len(keys)} counts equal after the round trip; {len(rows['stop_times'])} stop_times")
PY
}

"$TC_BIN" build -o "$tmp/default.net" --sketch "$sketch" --quiet || { echo "FAIL: the default does not build"; exit 1; }
roundtrip default "$tmp/default.net"
for s in "$TC_SRC"/data/changzhutan/scenarios/*.json; do
    n=$(basename "$s" .json)
    "$TC_BIN" build -o "$tmp/$n.net" --sketch "$sketch" --scenario "$s" --quiet || { echo "FAIL: $n does not build"; fail=1; continue; }
    roundtrip "$n" "$tmp/$n.net"
done

# a sketch mixed with a GTFS feed (the default's own export, under another name): two feeds, prefixed ids
"$TC_BIN" build -o "$tmp/mixed.net" --sketch "$sketch" --gtfs "other=$tmp/default.gtfs" --quiet \
    || { echo "FAIL: --sketch + --gtfs does not build"; fail=1; }
if [ -f "$tmp/mixed.net" ]; then
    feeds=$(info "$tmp/mixed.net" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["feeds"]))')
    [ "$feeds" = 2 ] || { echo "FAIL: mixed network has $feeds feeds, expected 2"; fail=1; }
    roundtrip mixed "$tmp/mixed.net"
    grep -q '^changzhutan:' "$tmp/mixed.gtfs/stops.txt" && grep -q '^other:' "$tmp/mixed.gtfs/stops.txt" \
        || { echo "FAIL: mixed export does not prefix ids with the feed names"; fail=1; }
fi

# a scenario naming an unknown route is refused with the entry named
printf '{"name":"bad","modifications":[{"type":"remove_route","route":"no_such_route"}]}' > "$tmp/bad.json"
if "$TC_BIN" build -o "$tmp/bad.net" --sketch "$sketch" --scenario "$tmp/bad.json" 2> "$tmp/bad.err"; then
    echo "FAIL: a scenario with an unknown route built"; fail=1
elif ! grep -q 'modifications\[0\]' "$tmp/bad.err" || ! grep -q 'no_such_route' "$tmp/bad.err"; then
    echo "FAIL: the error does not name the entry:"; cat "$tmp/bad.err"; fail=1
fi
[ ! -e "$tmp/bad.net" ] || { echo "FAIL: a failed build left a network file"; fail=1; }
exit $fail
