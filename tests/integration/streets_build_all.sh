#!/usr/bin/env bash
# streets_build_all.sh — every OSM file under $TC_DATA (osm/ and the city folders) goes through
# `tongcheng build --osm` without a crash: valid PBFs build (exit 0); the city extracts give a real street
# network; OSM XML files (osm-read-fixtures, missing-nodes.xml) are refused with exit 1 and a message saying
# they are not PBF.
set -u
: "${TC_DATA:?}" "${TC_BIN:?}"
[ -d "$TC_DATA/osm" ] || { echo "skipped: $TC_DATA/osm is absent"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  timeout 120 "$TC_BIN" build -o "$tmp/net" --osm "$f" --quiet >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAIL: $f: exit $rc"; cat "$tmp/err"; fail=1; continue
  fi
  "$TC_BIN" info "$tmp/net" --json >"$tmp/info.json" 2>"$tmp/err" || { echo "FAIL: info on $f"; cat "$tmp/err"; fail=1; continue; }
  nodes=$(jq '.street_nodes' "$tmp/info.json")
  case "$f" in
    */porto-alegre/*|*/porto-portugal/*|*/milan/*|*/sao-paulo/*|*/portland/*|*/atlanta/*|*/terre-haute/*)
      if [ "${nodes:-0}" -lt 1000 ]; then echo "FAIL: $f: only $nodes street nodes"; fail=1; fi ;;
  esac
  echo "ok: $f ($nodes street nodes)"
done < <(find "$TC_DATA" -name '*.pbf' -print0 | sort -z)
[ $n -ge 20 ] || { echo "FAIL: expected at least 20 PBF files, found $n"; fail=1; }

for f in "$TC_DATA/osm/osm-read-fixtures/test/invalid.xml" "$TC_DATA/osm/osm-read-fixtures/test/test.xml" \
         "$TC_DATA/osm/missing-nodes.xml"; do
  [ -f "$f" ] || continue
  timeout 60 "$TC_BIN" build -o "$tmp/xml.net" --osm "$f" --quiet >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ $rc -ne 1 ]; then echo "FAIL: $f: expected exit 1, got $rc"; fail=1; fi
  if ! grep -q "not an OSM PBF" "$tmp/err"; then echo "FAIL: $f: no clear message:"; cat "$tmp/err"; fail=1; fi
  if [ -e "$tmp/xml.net" ]; then echo "FAIL: $f: a network file was written"; fail=1; fi
done
# a truncated PBF is an error, not a crash
head -c 100000 "$TC_DATA/porto-alegre/poa_osm.pbf" >"$tmp/cut.osm.pbf"
timeout 60 "$TC_BIN" build -o "$tmp/cut.net" --osm "$tmp/cut.osm.pbf" --quiet >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc -ne 1 ]; then echo "FAIL: truncated PBF: expected exit 1, got $rc"; cat "$tmp/err"; fail=1; fi
exit $fail
