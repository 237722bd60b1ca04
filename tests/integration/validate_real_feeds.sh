#!/bin/bash
# validate_real_feeds.sh — every real GTFS feed under $TC_DATA (feeds/ and every other folder: zips and folders that
# hold stops.txt) must validate as usable: exit 0, a summary line, no crash. A few real feeds cannot give a
# fixed-route network at all; they are listed below with the finding that must explain why (exit 1, not a crash).
set -u
: "${TC_BIN:?TC_BIN not set}" "${TC_DATA:?TC_DATA not set}"
[ -d "$TC_DATA/feeds" ] || { echo "no $TC_DATA/feeds: skipped"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Real feeds that are genuinely unusable, and the finding code that must say so.
declare -A UNUSABLE=(
    [feeds/fake-agency.zip]=no_service          # its only calendar row runs on Mondays 2017-09-15..17 (Fri–Sun)
    [feeds/ctran-flex.zip]=no_service           # GTFS-Flex only: every trip is on-demand, none has a timetable
    [feeds/flex/gtfs-flex-multipolygon]=no_service # GTFS-Flex only
)

feeds=()
while IFS= read -r -d '' p; do feeds+=("$p"); done < <(
    find "$TC_DATA" -path "$TC_DATA/invalid-gtfs" -prune -o -name '*.zip' -print0 2>/dev/null)
while IFS= read -r -d '' p; do feeds+=("$(dirname "$p")"); done < <(
    find "$TC_DATA" -path "$TC_DATA/invalid-gtfs" -prune -o -name stops.txt -print0 2>/dev/null)

fail=0 n=0
for feed in $(printf '%s\n' "${feeds[@]}" | sort -u); do
    rel="${feed#"$TC_DATA"/}"
    # a zip that is not GTFS at all (census shapefiles) is not a feed
    if [ -f "$feed" ] && ! unzip -l "$feed" 2>/dev/null | grep -q 'stops\.txt$'; then continue; fi
    # folders nested inside a folder feed (sample-gtfs-feed/gtfs) are covered by their own stops.txt
    n=$((n + 1))
    "$TC_BIN" validate "$feed" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    summary=$(tail -n 1 "$TMP/out")
    # under the sanitizer build a leak report alone does not change the exit status much: look for it
    if grep -qE 'Sanitizer|runtime error' "$TMP/err"; then echo "FAIL ${rel:-${name:-}}: sanitizer report"; head -20 "$TMP/err"; fail=1; fi
    if [ -n "${UNUSABLE[$rel]:-}" ]; then
        if [ $rc -ne 1 ] || ! grep -q ": error: ${UNUSABLE[$rel]}: " "$TMP/out"; then
            echo "FAIL $rel: expected exit 1 with ${UNUSABLE[$rel]}, got exit $rc"; tail -3 "$TMP/out"; fail=1
        fi
        continue
    fi
    if [ $rc -ne 0 ]; then
        echo "FAIL $rel: exit $rc"; grep ': error: ' "$TMP/out" | tail -5; cat "$TMP/err"; fail=1; continue
    fi
    case "$summary" in
        *" usable") ;;
        *) echo "FAIL $rel: no summary line (got: $summary)"; fail=1 ;;
    esac
    # every finding line has the documented shape
    if grep -vqE '^[^ ]+:[0-9]+:[0-9]+: (error|warning): [a-z0-9_]+: |^[0-9]+ errors?, [0-9]+ warnings?: ' "$TMP/out"; then
        echo "FAIL $rel: malformed output line:"; grep -vE '^[^ ]+:[0-9]+:[0-9]+: (error|warning): [a-z0-9_]+: |^[0-9]+ errors?, [0-9]+ warnings?: ' "$TMP/out" | head -3
        fail=1
    fi
done
echo "validated $n real feeds"
[ $n -ge 60 ] || { echo "FAIL: only $n feeds found"; fail=1; }

# Several feeds at once: findings carry the feed's name as prefix, and --gtfs NAME=PATH names it.
"$TC_BIN" validate --gtfs g="$TC_DATA/feeds/google-sample-feed.zip" "$TC_DATA/feeds/caltrain.zip" >"$TMP/out"
rc=$?
[ $rc -eq 0 ] || { echo "FAIL two feeds: exit $rc"; fail=1; }
grep -q '^g:stop_times.txt:' "$TMP/out" || { echo "FAIL two feeds: no finding prefixed g:"; fail=1; }
grep -q '^stop_times.txt:' "$TMP/out" && { echo "FAIL two feeds: unprefixed finding"; fail=1; }
# bad command-line use is exit 2
"$TC_BIN" validate >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: no feed should be exit 2"; fail=1; }
"$TC_BIN" validate --bogus x >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: unknown option should be exit 2"; fail=1; }
"$TC_BIN" validate "$TC_DATA/feeds/hart.zip" "$TC_DATA/feeds/hart.zip" >/dev/null 2>&1
[ $? -eq 2 ] || { echo "FAIL: two feeds with one name should be exit 2"; fail=1; }
exit $fail
