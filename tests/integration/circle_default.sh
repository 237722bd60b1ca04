#!/usr/bin/env bash
# circle_default.sh — `tongcheng circle` on the built-in default and on a tiny network written here.
#  1. With no network argument it finds data/changzhutan beside the executable / in the source tree, runs the
#     baseline and the shipped scenarios, and writes circle.csv with exactly the columns
#     scenario,place,core,transit_p50_min,transit_p90_min,car_min,inside and one row per scenario × place × core
#     (places.csv × cores.csv, counted here); inside == (p50 <= cutoff); report.html is well-formed (Python's
#     html.parser: every non-void tag closed in order), self-contained (no src=/href= to the outside, no script),
#     has SVG maps and says "sketch model"; isochrones.geojson is a FeatureCollection with a polygon per core.
#  2. Each scenario changes what it should, compared with the baseline of the same run:
#     intercity every 5 min lowers the median from the Zhuzhou and Xiangtan cores (intercity ends) to Changsha and
#     changes nothing on metro-only pairs (Changsha County, the airport → Changsha core); the metro extensions
#     lower Ningxiang and Liuyang → Changsha and leave the Zhuzhou and Xiangtan cores alone; the zero-transfer
#     hub's timed high-speed ↔ intercity connections at Changsha South appear in the hub table.
#  3. Consistency with `tongcheng route`: on a tiny scheduled network (a sketch written here), the report's p50 over
#     a one-minute window equals the route's door-to-door time counted from the departure minute (R5's clock), and
#     car_min equals `tongcheng street --mode car`.
#  4. A prebuilt NET with --scenario and no inputs is refused (exit 2); a bad places CSV names line and column.
set -uo pipefail
: "${TC_BIN:?}" "${TC_SRC:?}"
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
data="$TC_SRC/data/changzhutan"
[ -f "$data/network.sketch.json" ] || { echo "no $data: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# 1 + 2: the default (isochrones on a short window keep this quick; scenarios on the full 2-hour window)
TONGCHENG_DATA_DIR="$data" "$TC_BIN" circle -o "$tmp/out" --no-isochrones > "$tmp/stdout" 2> "$tmp/stderr" \
    || { echo "FAIL: circle on the default"; cat "$tmp/stderr"; exit 1; }
"$TC_BIN" circle --data-dir "$data" --no-scenarios --window 07:00-07:15 -o "$tmp/iso" --quiet \
    || { echo "FAIL: circle with isochrones"; exit 1; }
grep -q "sketch model\|SKETCH MODEL" "$tmp/stdout" || { echo "FAIL: stdout does not say sketch model"; fail=1; }
grep -q "^report: .*report.html" "$tmp/stdout" || { echo "FAIL: stdout does not give report.html's path"; fail=1; }
grep -q "^population within 60 min of all 3 cores: [0-9]* ([0-9.]*% of 16676833)" "$tmp/stdout" \
    || { echo "FAIL: stdout does not give the population within 60 min of all cores"; fail=1; }
grep -q "^assumptions that remain:" "$tmp/stdout" || { echo "FAIL: stdout does not name the assumptions"; fail=1; }
grep -q "^car: fastest path on the road model" "$tmp/stdout" || { echo "FAIL: car times not on the road model"; fail=1; }
grep -q "car feeder ON" "$tmp/stdout" && { echo "FAIL: the car feeder is on by default"; fail=1; }
TONGCHENG_DATA_DIR="$data" "$TC_BIN" circle --no-scenarios --no-isochrones --access car --window 07:00-07:10 \
    -o "$tmp/car" > "$tmp/car.stdout" || { echo "FAIL: circle --access car"; fail=1; }
grep -q "car feeder ON" "$tmp/car.stdout" || { echo "FAIL: --access car is not stated"; fail=1; }
# --walk-speed and --board-slack reach the computation: slower walking and a wait before every boarding never
# shorten a trip, and lengthen some
for run in "base" "slow --walk-speed 0.6 --board-slack 300"; do
  set -- $run
  name=$1; shift
  "$TC_BIN" circle --data-dir "$data" --no-scenarios --no-isochrones --window 07:00-07:10 "$@" -o "$tmp/$name" \
      --quiet > /dev/null || { echo "FAIL: circle $*"; fail=1; }
done
python3 - "$tmp/base/circle.csv" "$tmp/slow/circle.csv" <<'PY' || fail=1
import csv, sys
base, slow = ([r for r in csv.DictReader(open(p, encoding="utf-8"))] for p in sys.argv[1:3])
t = lambda r: float(r["transit_p50_min"]) if r["transit_p50_min"] else float("inf")
assert len(base) == len(slow) and base, "row counts differ"
assert all(t(s) >= t(b) for b, s in zip(base, slow)), "--walk-speed 0.6 --board-slack 300 shortened a trip"
assert any(t(s) > t(b) for b, s in zip(base, slow)), "--walk-speed and --board-slack changed nothing"
PY

python3 - "$tmp/out" "$tmp/iso" "$data" <<'PY' || fail=1
import csv, json, sys, re
from html.parser import HTMLParser
out, iso, data = sys.argv[1:4]
errors = []
def check(cond, msg):
    if not cond: errors.append(msg)

places = [r["id"] for r in csv.DictReader(open(f"{data}/places.csv", encoding="utf-8"))]
cores = [r["id"] for r in csv.DictReader(open(f"{data}/cores.csv", encoding="utf-8"))]
scen_files = [f for f in ("intercity_like_a_bus.json", "hsr_intercity_hub.json", "metro_extensions.json",
                           "ring_expressway.json") if __import__("os").path.exists(f"{data}/scenarios/{f}")]
scen_names = ["baseline"] + [json.load(open(f"{data}/scenarios/{f}", encoding="utf-8"))["name"] for f in scen_files]
lines = open(f"{out}/circle.csv", encoding="utf-8").read().splitlines()
check(lines[0] == "scenario,place,core,transit_p50_min,transit_p90_min,car_min,inside", f"header: {lines[0]}")
rows = list(csv.DictReader(lines))
check(len(rows) == len(scen_names) * len(places) * len(cores),
      f"{len(rows)} rows, expected {len(scen_names)}x{len(places)}x{len(cores)}")
check(sorted({r["scenario"] for r in rows}) == sorted(scen_names), f"scenarios {set(r['scenario'] for r in rows)}")
T = {}
for r in rows:
    p50 = int(r["transit_p50_min"]) if r["transit_p50_min"] else None
    p90 = int(r["transit_p90_min"]) if r["transit_p90_min"] else None
    T[(r["scenario"], r["place"], r["core"])] = p50
    check(r["inside"] == ("1" if p50 is not None and p50 <= 60 else "0"), f"inside wrong: {r}")
    # p90 may lie beyond the maximum duration (empty) while p50 does not; never the other way round
    check((p50 is not None or p90 is None) and (p50 is None or p90 is None or p50 <= p90), f"p50/p90: {r}")
    check(r["car_min"] != "" and float(r["car_min"]) >= 0, f"car_min: {r}")
    if r["place"] == r["core"]: check(float(r["car_min"]) == 0, f"car to itself: {r}")

def p(s, a, b): return T.get((s, a, b))
base, bus, hub, metro = scen_names[:4]
# intercity every 5 min: lower along the line, metro-only pairs unchanged
for a in ("zhuzhou", "xiangtan"):
    check(p(base, a, "changsha") is not None and p(bus, a, "changsha") is not None
          and p(bus, a, "changsha") < p(base, a, "changsha"), f"{bus} does not lower {a}->changsha: "
          f"{p(base, a, 'changsha')} -> {p(bus, a, 'changsha')}")
for a in ("changsha_county", "airport", "changsha"):
    check(p(base, a, "changsha") is not None and p(bus, a, "changsha") == p(base, a, "changsha"),
          f"{bus} changes metro-only {a}->changsha: {p(base, a, 'changsha')} -> {p(bus, a, 'changsha')}")
# metro extensions: Ningxiang and Liuyang -> Changsha faster than in the baseline, Zhuzhou and Xiangtan untouched
for a in ("ningxiang", "liuyang"):
    b0, b1 = p(base, a, "changsha"), p(metro, a, "changsha")
    check(b1 is not None and (b0 is None or b1 < b0), f"{metro} does not lower {a}->changsha: {b0} -> {b1}")
for a in ("zhuzhou", "xiangtan"):
    check(p(metro, a, "changsha") == p(base, a, "changsha"), f"{metro} changes {a}->changsha")
# the ring expressway: car times between outer places fall (Lukou -> Xiangtan core), transit does not change
if len(scen_names) > 4:
    ring = scen_names[4]
    C = {(r["scenario"], r["place"], r["core"]): float(r["car_min"]) for r in rows}
    check(C[(ring, "lukou", "xiangtan")] < C[(base, "lukou", "xiangtan")] - 5,
          f"{ring} does not shorten lukou->xiangtan by car: {C[(base, 'lukou', 'xiangtan')]} -> {C[(ring, 'lukou', 'xiangtan')]}")
    check(all(T[(ring, a, c)] == T[(base, a, c)] for a in places for c in cores), f"{ring} changes transit times")
    check(C[(ring, "changsha", "zhuzhou")] == C[(base, "changsha", "zhuzhou")], f"{ring} changes changsha->zhuzhou by car")
else:
    check(False, "no ring expressway scenario")
# the HTML: well-formed, self-contained, maps, sketch model, every scenario named
VOID = {"meta", "br", "img", "hr", "input", "link", "col", "area", "base", "wbr", "source", "track", "embed", "param"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.stack = []; self.bad = []; self.tags = {}
    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k, v in attrs:
            if k in ("src", "href") and v and not v.startswith("#"): self.bad.append(f"external {k}={v}")
        if tag not in VOID: self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
    def handle_endtag(self, tag):
        if tag in VOID: return
        if not self.stack or self.stack[-1] != tag:
            self.bad.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}> at {self.getpos()}")
        else: self.stack.pop()
html = open(f"{out}/report.html", encoding="utf-8").read()
hp = P(); hp.feed(html); hp.close()
check(not hp.bad, f"HTML: {hp.bad[:5]}")
check(not hp.stack, f"HTML: unclosed {hp.stack}")
check(html.lstrip().lower().startswith("<!doctype html>"), "no doctype")
check(hp.tags.get("svg", 0) == len(scen_names), f"{hp.tags.get('svg')} maps, expected {len(scen_names)}")
check(hp.tags.get("script", 0) == 0 and hp.tags.get("link", 0) == 0, "not self-contained")
check(hp.tags.get("polyline", 0) > 0 and hp.tags.get("table", 0) > 0, "no lines or tables")
check("sketch model" in html.lower(), "the HTML does not say sketch model")
# every place of the plan has a transit time to at least one core (buses to every place, walk access)
for pl in places:
    check(any(p(base, pl, c) is not None for c in cores), f"{pl} has no transit time to any core")
# population within the cutoff: per core and of all three, as a share of the census total (16,676,833)
check("Residents within 60 min of all 3 cores" in html and "of 16676833" in html, "no population of all cores")
check("Assumptions that remain" in html, "the HTML does not name the assumptions that remain")
for s in scen_names: check(s in html, f"{s} missing from the HTML")
check("Changsha South" in html and "high-speed &#8594; intercity/rail" in html.split(hub)[-1],
      "no high-speed -> intercity hub row for the zero-transfer scenario")

# isochrones: one FeatureCollection, polygons per core with the properties added
g = json.load(open(f"{iso}/isochrones.geojson", encoding="utf-8"))
check(g.get("type") == "FeatureCollection", "geojson type")
got = {f["properties"].get("core") for f in g["features"] if f["geometry"]["type"] in ("Polygon", "MultiPolygon")}
check(got == set(cores), f"isochrone cores {got}")
check(all(f["properties"].get("scenario") == "baseline" for f in g["features"]), "isochrone scenario property")
isohtml = open(f"{iso}/report.html", encoding="utf-8").read()
check('class="iso"' in isohtml, "no isochrone drawn on the map")
check(not re.search(r"area not computed", isohtml), "area not computed with isochrones on")
if errors:
    print("FAIL:"); [print("  " + e) for e in errors]; sys.exit(1)
print(f"ok default: {len(rows)} rows, HTML well-formed ({sum(hp.tags.values())} tags), scenarios behave")
PY

# 3: consistency with route and street on a tiny scheduled network
cat > "$tmp/tiny.json" <<'JSON'
{"sketch_version": 1, "name": "tiny", "timezone": "Asia/Shanghai",
 "agencies": [{"id": "a", "name": "Tiny rail", "url": "https://example.org/"}],
 "calendars": [{"id": "d", "start": "2026-03-01", "end": "2026-03-31", "days": "1111111"}],
 "lines": [{"id": "R", "route_type": 2, "dwell_s": 60, "run": {"speed_kmh": 60},
   "stations": [{"id": "a", "name": "A", "lat": 28.0, "lon": 113.0},
                {"id": "b", "name": "B", "lat": 28.05, "lon": 113.0},
                {"id": "c", "name": "C", "lat": 28.10, "lon": 113.0}],
   "departures": {"forward": ["07:35", "08:05", "08:35"], "backward": ["07:40"]}}]}
JSON
printf 'id,name,lat,lon\np,Near A,28.0,113.002\n' > "$tmp/p.csv"
printf 'id,name,lat,lon\nq,Near C,28.1,113.002\n' > "$tmp/q.csv"
"$TC_BIN" build -o "$tmp/tiny.net" --sketch "$tmp/tiny.json" --quiet || { echo "FAIL: tiny build"; exit 1; }
for t in 07:30 07:50 08:20; do
    h=${t%:*}; m=${t#*:}; end=$(printf '%02d:%02d' "$((10#$h))" "$((10#$m + 1))")
    "$TC_BIN" circle "$tmp/tiny.net" --places "$tmp/p.csv" --cores "$tmp/q.csv" --date 2026-03-10 \
        --window "$t-$end" --access walk --no-isochrones -o "$tmp/tiny-$t" --quiet || { echo "FAIL: tiny circle"; fail=1; continue; }
    "$TC_BIN" route "$tmp/tiny.net" --from 28.0,113.002 --to 28.1,113.002 --date 2026-03-10 --time "$t" --json \
        > "$tmp/route-$t.json" || { echo "FAIL: route"; fail=1; continue; }
    "$TC_BIN" street "$tmp/tiny.net" --mode car --from 28.0,113.002 --to 28.1,113.002 --json > "$tmp/car.json" \
        || { echo "FAIL: street"; fail=1; continue; }
    python3 - "$tmp/tiny-$t/circle.csv" "$tmp/route-$t.json" "$tmp/car.json" "$t" <<'PY' || fail=1
import csv, json, sys, datetime
rows = list(csv.DictReader(open(sys.argv[1])))
route = json.load(open(sys.argv[2])); car = json.load(open(sys.argv[3])); t = sys.argv[4]
assert len(rows) == 1, rows
j = min(route["journeys"], key=lambda j: j["arrival"])
arr = datetime.datetime.fromisoformat(j["arrival"])
dep_minute = datetime.datetime.fromisoformat(f"2026-03-10T{t}:00")
expected = int((arr - dep_minute).total_seconds() // 60)
got = int(rows[0]["transit_p50_min"])
assert got == expected and int(rows[0]["transit_p90_min"]) == expected, \
    f"{t}: circle p50 {got}, route door-to-door from {t} = {expected} (journey {j['departure']} -> {j['arrival']})"
assert abs(float(rows[0]["car_min"]) - car["duration_s"] / 60) < 0.051, (rows[0]["car_min"], car["duration_s"])
print(f"ok {t}: p50 {got} min == route, car {rows[0]['car_min']} min == street")
PY
done

# 4: errors
"$TC_BIN" circle "$tmp/tiny.net" --cores "$tmp/q.csv" --scenario "$data/scenarios/intercity_like_a_bus.json" \
    -o "$tmp/x" > /dev/null 2> "$tmp/err4"
rc=$?
[ $rc = 2 ] && grep -q "inputs" "$tmp/err4" || { echo "FAIL: NET + --scenario without inputs: rc $rc"; cat "$tmp/err4"; fail=1; }
printf 'id,name,lat,lon\nq,Bad,95.0,113.0\n' > "$tmp/bad.csv"
"$TC_BIN" circle "$tmp/tiny.net" --cores "$tmp/bad.csv" -o "$tmp/x" > /dev/null 2> "$tmp/err5"
[ $? = 1 ] && grep -q "bad.csv:2:3" "$tmp/err5" || { echo "FAIL: bad CSV error:"; cat "$tmp/err5"; fail=1; }
exit $fail
