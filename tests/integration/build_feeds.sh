#!/usr/bin/env bash
# build_feeds.sh — every real GTFS feed under $TC_DATA (zips and folders, all folders but invalid-gtfs) builds, and
# `info --json` agrees with the feed's own rows, counted here independently with Python's csv + zipfile (not with
# our reader):
#   stops, routes == rows of stops.txt, routes.txt;
#   trips, stop_times == rows of trips.txt, stop_times.txt minus the rows the reader dropped — and a drop must be
#     announced by at least one finding naming that file (or the file that caused it) on stderr;
#   transfer rules <= rows of transfers.txt, fewer only with a finding naming transfers.txt;
#   the service range covers every date calendar_dates.txt adds and lies inside the dates the calendar files name;
#   bbox == min/max of the stops' coordinates; one feed, named after the file.
# Then: two feeds in one network (ids per feed, counts add up, timezone shift = difference of the zones' offsets
# computed with Python's zoneinfo), duplicate feed names refused, and a build killed with SIGKILL at several moments
# (while reading, and the moment its temporary file appears) leaves the previous network file byte-identical and
# loadable. A feed may be refused as a whole only for a reason this script confirms from the rows itself (no trip
# runs on any day; every trip serves GTFS-Flex locations).
set -uo pipefail
: "${TC_DATA:?}" "${TC_BIN:?}"
[ -d "$TC_DATA/feeds" ] || { echo "no data in $TC_DATA: skipped"; exit 77; }
command -v python3 >/dev/null || { echo "python3 missing: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$TC_DATA" "$TC_BIN" "$tmp" <<'PY'
import csv, io, json, os, subprocess, sys, zipfile, datetime, re
from concurrent.futures import ProcessPoolExecutor

data, tc, tmp = sys.argv[1], sys.argv[2], sys.argv[3]

def members(path):
    """name -> bytes reader for the GTFS files of a zip (root or one sub-folder) or folder."""
    if os.path.isdir(path):
        return {n: (lambda n=n: open(os.path.join(path, n), 'rb').read()) for n in os.listdir(path)}
    z = zipfile.ZipFile(path)
    names = [n for n in z.namelist() if not n.endswith('/')]
    prefix = ''
    if 'stops.txt' not in names:
        subs = [n[:-len('stops.txt')] for n in names if n.endswith('/stops.txt')]
        if len(subs) != 1: return None
        prefix = subs[0]
    return {n[len(prefix):]: (lambda n=n: z.read(n)) for n in names if n.startswith(prefix) and '/' not in n[len(prefix):]}

class Rows(list):
    """The records of one file as lists, with .col(record, name) by header name (missing column: '')."""
    def col(self, rec, name):
        i = self.hdr.get(name)
        return rec[i] if i is not None and i < len(rec) else ''

def rows(m, name):
    if name not in m: return None
    text = m[name]().decode('utf-8', errors='replace').lstrip('\ufeff')
    r = csv.reader(io.StringIO(text, newline=''))
    header = next(r, None) or []
    out = Rows(rec for rec in r if rec and rec != [''])   # blank lines are not records
    out.hdr = {h.strip(): i for i, h in enumerate(header)}
    return out

def is_feed(path):
    try:
        m = members(path)
    except zipfile.BadZipFile:
        return False
    return m is not None and 'stops.txt' in m and 'stop_times.txt' in m

feeds = []
for root, dirs, files in os.walk(data):
    dirs.sort()
    if os.path.relpath(root, data).split(os.sep)[0] == 'invalid-gtfs':
        dirs[:] = []
        continue
    if 'stops.txt' in files and 'stop_times.txt' in files:
        feeds.append(root)
    for f in sorted(files):
        if f.endswith('.zip') and is_feed(os.path.join(root, f)):
            feeds.append(os.path.join(root, f))
assert len(feeds) >= 40, f"only {len(feeds)} feeds found under {data}"

def default_name(path):
    b = os.path.basename(path.rstrip('/'))
    if b.endswith('.zip'): b = b[:-4]
    if b.endswith('.gtfs'): b = b[:-5]
    return b

def day(s):
    s = s.strip()
    if len(s) != 8: raise ValueError(s)
    return datetime.date(int(s[0:4]), int(s[4:6]), int(s[6:8]))

def active_services(m):
    """service_ids active on at least one day, from calendar.txt and calendar_dates.txt."""
    active, removed = set(), {}
    cd = rows(m, 'calendar_dates.txt') or Rows()
    for r in cd:
        if cd.col(r, 'exception_type').strip() == '2':
            removed.setdefault(cd.col(r, 'service_id'), set()).add(cd.col(r, 'date').strip())
        if cd.col(r, 'exception_type').strip() == '1': active.add(cd.col(r, 'service_id'))
    wd = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']
    cal = rows(m, 'calendar.txt') or Rows()
    for r in cal:
        try: d, e = day(cal.col(r, 'start_date')), day(cal.col(r, 'end_date'))
        except ValueError: continue
        while d <= e:
            if cal.col(r, wd[d.weekday()]).strip() == '1' and d.strftime('%Y%m%d') not in removed.get(cal.col(r, 'service_id'), ()):
                active.add(cal.col(r, 'service_id')); break
            d += datetime.timedelta(days=1)
    return active

def refusal_justified(path, stderr):
    """A whole feed may be refused only for a reason checked here independently: no trip runs on any day, or
    every trip serves a place that is not a stop (GTFS-Flex locations) or has no stop_times."""
    m = members(path)
    last = stderr.strip().splitlines()[-1] if stderr.strip() else ''
    trips = rows(m, 'trips.txt') or Rows()
    if 'no usable service' in last:
        act = active_services(m)
        if not any(trips.col(t, 'service_id') in act for t in trips):
            return "no trip runs on any day (checked): " + last
    if 'no usable trip' in last:
        st = rows(m, 'stops.txt')
        stops = {st.col(r, 'stop_id') for r in st}
        ok_trips = {trips.col(t, 'trip_id') for t in trips}
        stt = rows(m, 'stop_times.txt') or Rows()
        for r in stt:
            if stt.col(r, 'stop_id') not in stops: ok_trips.discard(stt.col(r, 'trip_id'))
        if not ok_trips:
            return "every trip serves a non-stop location or has no stop_times (checked): " + last
    return None

def build(path):
    """Build one feed; returns (net path or None, stderr, returncode)."""
    net = os.path.join(tmp, f"f{feeds.index(path)}.net")
    p = subprocess.run([tc, 'build', '-o', net, '--transfer-radius', '0', '--gtfs', path],
                       capture_output=True, text=True, errors='replace')
    return (net if p.returncode == 0 else None, p.stderr, p.returncode)

def check(args):
    """Returns a list of failure messages for one feed."""
    path, (net, stderr, returncode), info = args
    if returncode != 0:
        why = refusal_justified(path, stderr)
        if why: return ["REFUSED " + why]
        return [f"build failed ({returncode}): {stderr.strip()[-400:]}"]
    if info is None:
        return ["info failed"]
    findings = [l for l in stderr.splitlines() if re.match(r'^[^:]+:\d+:\d+: (error|warning): ', l)]
    def announced(*files):
        return any(l.split(':', 1)[0] in files for l in findings)
    m = members(path)
    fails = []
    n_stops, n_routes = len(rows(m, 'stops.txt')), len(rows(m, 'routes.txt') or [])
    trips, st = rows(m, 'trips.txt') or [], rows(m, 'stop_times.txt')
    if info['stops'] != n_stops: fails.append(f"stops {info['stops']} != {n_stops} rows")
    if info['routes'] != n_routes: fails.append(f"routes {info['routes']} != {n_routes} rows")
    fd = info['feeds'][0] if len(info['feeds']) == 1 else None
    if fd is None or fd['name'] != default_name(path):
        fails.append(f"feeds: {info['feeds'] and [f['name'] for f in info['feeds']]}")
        return fails
    if fd['rows_read']['trips'] != len(trips): fails.append(f"reader saw {fd['rows_read']['trips']} trips rows, file has {len(trips)}")
    if fd['rows_read']['stop_times'] != len(st): fails.append(f"reader saw {fd['rows_read']['stop_times']} stop_times rows, file has {len(st)}")
    if info['trips'] + fd['trips_dropped'] != len(trips):
        fails.append(f"trips {info['trips']} + dropped {fd['trips_dropped']} != {len(trips)} rows")
    if info['stop_times'] + fd['stop_times_dropped'] != len(st):
        fails.append(f"stop_times {info['stop_times']} + dropped {fd['stop_times_dropped']} != {len(st)} rows")
    if (fd['trips_dropped'] or fd['stop_times_dropped']) and not announced('trips.txt', 'stop_times.txt', 'stops.txt', 'routes.txt', 'calendar.txt', 'calendar_dates.txt'):
        fails.append("rows dropped without a finding")
    xf = rows(m, 'transfers.txt') or []
    if info['transfer_rules'] > len(xf) or (info['transfer_rules'] < len(xf) and not announced('transfers.txt')):
        fails.append(f"transfer rules {info['transfer_rules']} vs {len(xf)} rows")
    fq = rows(m, 'frequencies.txt') or Rows()
    fq_trips = {fq.col(r, 'trip_id') for r in fq}
    if info['frequency_templates'] > len(fq_trips) or (fq and info['frequency_templates'] == 0 and not announced('frequencies.txt', 'trips.txt', 'stop_times.txt')):
        fails.append(f"frequency templates {info['frequency_templates']} vs {len(fq_trips)} trips in frequencies.txt")
    if info['trips_without_service'] > info['trips']: fails.append("more trips without service than trips")
    # service range
    lo, hi, added = [], [], []
    cal = rows(m, 'calendar.txt') or Rows()
    for r in cal:
        try: lo.append(day(cal.col(r, 'start_date'))); hi.append(day(cal.col(r, 'end_date')))
        except ValueError: pass
    cd = rows(m, 'calendar_dates.txt') or Rows()
    for r in cd:
        try:
            d = day(cd.col(r, 'date')); lo.append(d); hi.append(d)
            if cd.col(r, 'exception_type').strip() == '1': added.append(d)
        except ValueError: pass
    if info['service_days'] == 0:
        if info['service_start'] is not None: fails.append("service dates without service days")
    elif lo:
        s0 = datetime.date.fromisoformat(info['service_start']); s1 = datetime.date.fromisoformat(info['service_end'])
        if s0 < min(lo) or s1 > max(hi): fails.append(f"service {s0}..{s1} outside the calendar files' {min(lo)}..{max(hi)}")
        if added and (min(added) < s0 or max(added) > s1): fails.append(f"service {s0}..{s1} misses added dates {min(added)}..{max(added)}")
    # bbox of the stops that have coordinates
    la, lo_ = [], []
    stt = rows(m, 'stops.txt')
    for r in stt:
        try:
            a, b = float(stt.col(r, 'stop_lat')), float(stt.col(r, 'stop_lon'))
        except ValueError:
            continue
        if -90 <= a <= 90 and -180 <= b <= 180: la.append(a); lo_.append(b)
    if la:
        want = [min(lo_), min(la), max(lo_), max(la)]
        if any(abs(x - y) > 2e-7 for x, y in zip(info['bbox'], want)): fails.append(f"bbox {info['bbox']} != {want}")
    if not fails and (fd['trips_dropped'] or fd['stop_times_dropped']):
        return [f"NOTE reader dropped {fd['trips_dropped']} trips, {fd['stop_times_dropped']} stop_times, with findings"]
    return fails

# builds two at a time; then one `info` process for every network (a process costs ~0.3 s under ASan); then the
# independent counting, which is Python CPU work: processes, not threads
with ProcessPoolExecutor(max_workers=2) as ex:
    built = list(ex.map(build, feeds))
nets = [b[0] for b in built if b[0]]
q = subprocess.run([tc, 'info', '--json'] + nets, capture_output=True, text=True)
lines = q.stdout.splitlines()
infos = {}
if q.returncode == 0 and len(lines) == len(nets):
    infos = {n: json.loads(l) for n, l in zip(nets, lines)}
else:
    print(f"FAIL info on {len(nets)} networks: exit {q.returncode}, {len(lines)} lines: {q.stderr.strip()[-300:]}")
with ProcessPoolExecutor(max_workers=2) as ex:
    results = list(ex.map(check, [(f, b, infos.get(b[0])) for f, b in zip(feeds, built)]))
for n in nets:
    os.unlink(n)
bad = 0
for path, fails in zip(feeds, results):
    rel = os.path.relpath(path, data)
    if fails and fails[0].startswith(("REFUSED", "NOTE")):
        print(f"ok   {rel}: {fails[0]}")
    elif fails:
        bad += 1
        print(f"FAIL {rel}: " + "; ".join(fails))
    else:
        print(f"ok   {rel}")
print(f"{len(feeds) - bad} of {len(feeds)} feeds build with matching counts or are refused for a reason checked here")

# ---- two feeds in one network
a, b = os.path.join(data, 'porto-alegre/poa_eptc.zip'), os.path.join(data, 'porto-alegre/poa_trensurb.zip')
net = os.path.join(tmp, 'two.net')
p = subprocess.run([tc, 'build', '-o', net, '--quiet', '--transfer-radius', '200', '--gtfs', 'bus=' + a, '--gtfs', 'rail=' + b], capture_output=True, text=True)
two = json.loads(subprocess.run([tc, 'info', '--json', net], capture_output=True, text=True).stdout) if p.returncode == 0 else None
one = {}
for k, f in (('bus', a), ('rail', b)):
    n1 = os.path.join(tmp, k + '.net')
    subprocess.run([tc, 'build', '-o', n1, '--quiet', '--transfer-radius', '0', '--gtfs', f], check=True)
    one[k] = json.loads(subprocess.run([tc, 'info', '--json', n1], capture_output=True, text=True).stdout)
if not two:
    bad += 1; print("FAIL two feeds: build failed: " + p.stderr)
else:
    for key in ('stops', 'routes', 'trips', 'stop_times'):
        if two[key] != one['bus'][key] + one['rail'][key]:
            bad += 1; print(f"FAIL two feeds: {key} {two[key]} != {one['bus'][key]} + {one['rail'][key]}")
    if [f['name'] for f in two['feeds']] != ['bus', 'rail']:
        bad += 1; print(f"FAIL two feeds: names {[f['name'] for f in two['feeds']]}")
    if two['transfers'] == 0:
        bad += 1; print("FAIL two feeds: no walking transfers within 200 m")
    print("ok   two feeds in one network")

# ---- timezones: the second feed's times shift by the zones' difference
a, b = os.path.join(data, 'feeds/caltrain.zip'), os.path.join(data, 'mmri/1a.zip')
net = os.path.join(tmp, 'tz.net')
p = subprocess.run([tc, 'build', '-o', net, '--quiet', '--gtfs', a, '--gtfs', b], capture_output=True, text=True)
if p.returncode != 0:
    bad += 1; print("FAIL timezones: " + p.stderr)
else:
    info = json.loads(subprocess.run([tc, 'info', '--json', net], capture_output=True, text=True).stdout)
    from zoneinfo import ZoneInfo
    f0, f1 = info['feeds']
    s0 = datetime.date.fromisoformat(info['service_start'])
    mid = s0 + datetime.timedelta(days=info['service_days'] // 2)
    t = datetime.datetime(mid.year, mid.month, mid.day, 12, tzinfo=datetime.timezone.utc)
    want = int(t.astimezone(ZoneInfo(f0['timezone'])).utcoffset().total_seconds() - t.astimezone(ZoneInfo(f1['timezone'])).utcoffset().total_seconds())
    if f0['tz_shift_s'] != 0 or f1['tz_shift_s'] != want or want == 0 or info['timezone'] != f0['timezone']:
        bad += 1; print(f"FAIL timezones: shifts {f0['tz_shift_s']}, {f1['tz_shift_s']}, want 0, {want} ({f0['timezone']} / {f1['timezone']})")
    else:
        print(f"ok   timezones ({f1['timezone']} shifted {want:+d} s into {f0['timezone']})")

# ---- duplicate names are refused
p = subprocess.run([tc, 'build', '-o', os.path.join(tmp, 'dup.net'), '--gtfs', 'x=' + a, '--gtfs', 'x=' + b], capture_output=True, text=True)
if p.returncode != 1 or 'x' not in p.stderr or os.path.exists(os.path.join(tmp, 'dup.net')):
    bad += 1; print(f"FAIL duplicate names: exit {p.returncode}, {p.stderr.strip()}")
else:
    print("ok   duplicate feed names refused")
sys.exit(1 if bad else 0)
PY
rc=$?

# ---- a build killed midway leaves the previous file intact and loadable
net="$tmp/kill.net"
"$TC_BIN" build -o "$net" --quiet --transfer-radius 0 --gtfs "$TC_DATA/terre-haute/terre-haute-gtfs.zip" || { echo "FAIL: first build"; exit 1; }
cp "$net" "$tmp/reference.net"
"$TC_BIN" info "$net" >"$tmp/info.before" || exit 1
kept=0
# killed while it reads the feed (the state is seen as the zip open among its file descriptors): the previous file
# must be untouched
zip="$TC_DATA/bydgoszcz/bydgoszcz.gtfs.zip"
for attempt in 1 2 3 4 5; do
  "$TC_BIN" build -o "$net" --quiet --gtfs "$zip" &
  pid=$!
  seen=0
  for _ in $(seq 20000); do
    for fd in /proc/$pid/fd/*; do
      if [ "$fd" -ef "$zip" ]; then kill -KILL "$pid" 2>/dev/null && seen=1; break 2; fi
    done
    kill -0 "$pid" 2>/dev/null || break
  done
  wait "$pid" 2>/dev/null
  status=$?
  if [ "$seen" = 1 ] && [ "$status" = 137 ]; then
    if cmp -s "$net" "$tmp/reference.net"; then
      kept=$((kept + 1))
    else
      echo "FAIL: network file changed by a build killed while reading its feed"; rc=1
    fi
  fi
  cp "$tmp/reference.net" "$net"
  "$TC_BIN" info "$net" >"$tmp/info.after" || { echo "FAIL: network unloadable after kill (attempt $attempt)"; rc=1; }
  rm -f "$net".tmp.*
done
# the same while the new file is being written: wait for the temporary file to appear, then kill at once
in_write=0
for attempt in 1 2 3 4 5; do
  "$TC_BIN" build -o "$net" --quiet --gtfs "$TC_DATA/bydgoszcz/bydgoszcz.gtfs.zip" &
  pid=$!
  seen=0
  for _ in $(seq 6000); do
    if [ -e "$net.tmp.$pid" ]; then kill -KILL "$pid" 2>/dev/null && seen=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.005
  done
  wait "$pid" 2>/dev/null
  if [ "$seen" = 1 ]; then
    if cmp -s "$net" "$tmp/reference.net" && "$TC_BIN" info "$net" >/dev/null; then
      in_write=$((in_write + 1))
    elif ! "$TC_BIN" info "$net" | grep -q "^stops  *1060$"; then
      echo "FAIL: network file damaged by a build killed while writing"; rc=1
    fi
  fi
  cp "$tmp/reference.net" "$net"
  rm -f "$net".tmp.*
  [ "$in_write" -ge 1 ] && break
done
if [ "$in_write" -lt 1 ]; then echo "FAIL: never managed to kill a build while it was writing"; rc=1; fi
if [ "$kept" -lt 2 ]; then echo "FAIL: only $kept of 5 builds were killed while reading their feed: nothing was tested"; rc=1; fi
cmp -s "$tmp/info.before" "$tmp/info.after" || { echo "FAIL: info differs after killed builds"; rc=1; }
[ "$rc" = 0 ] && echo "ok   $kept builds killed with SIGKILL while reading ($in_write while writing its temporary file) left the previous network intact and loadable"
exit "$rc"
