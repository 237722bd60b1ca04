#!/bin/bash
# validate_invalid_feeds.sh — every entry of $TC_DATA/invalid-gtfs (except the validator layers, see
# validate_layers.sh) is validated: never a crash or a signal (exit 0 or 1 only), and for each known defect the
# finding that names it. Exit 1 is required where the feed cannot be built at all.
set -u
: "${TC_BIN:?TC_BIN not set}" "${TC_DATA:?TC_DATA not set}"
BAD="$TC_DATA/invalid-gtfs"
[ -d "$BAD" ] || { echo "no $BAD: skipped"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0

# entry → "EXIT CODE_REGEX": the exit status and a finding (code, optionally file:line) that must appear.
declare -A EXPECT=(
    [transitfeed/bad_date_format]="0 calendar.txt:2:[0-9]+: error: invalid_date"
    [transitfeed/bad_eol.zip]="0 trips.txt:1:[0-9]+: warning: control_character"
    [transitfeed/bad_utf8]="0 stops.txt:2:2: warning: invalid_utf8"
    [transitfeed/contains_null]="0 stops.txt:9:[0-9]+: warning: nul_byte"
    [transitfeed/duplicate_schedule_id]="0 calendar.txt:4:1: error: duplicate_key"
    [transitfeed/duplicate_stop]="0 stops.txt:5:[0-9]+: warning: duplicate_stop"
    [transitfeed/duplicate_stop_sequence]="0 stop_times.txt:4:5: error: duplicate_stop_sequence"
    [transitfeed/empty_file]="0 agency.txt:[0-9]+:[0-9]+: error: empty_file"
    [transitfeed/extra_row_cells]="0 routes.txt:4:[0-9]+: warning: extra_row_cells"
    [transitfeed/invalid_agency_ids]="0 routes.txt:4:[0-9]+: error: missing_required_field"
    [transitfeed/invalid_route_agency]="0 routes.txt:4:[0-9]+: error: unknown_agency"
    [transitfeed/missing_agency]="0 agency.txt:0:0: error: missing_file"
    [transitfeed/missing_calendar]="1 error: no_service"
    [transitfeed/missing_column]="0 agency.txt:1:0: error: missing_required_column"
    [transitfeed/missing_departure_time]="0 stop_times.txt:3:3: warning: missing_required_field"
    [transitfeed/missing_endpoint_times]="0 stop_times.txt:16:[0-9]+: error: missing_endpoint_time"
    [transitfeed/missing_routes]="1 routes.txt:0:0: error: unusable_feed"
    [transitfeed/missing_row_cells]="0 routes.txt:4:[0-9]+: warning: missing_row_cells"
    [transitfeed/missing_stop_times]="1 stop_times.txt:0:0: error: unusable_feed"
    [transitfeed/missing_stops]="1 error: unusable_feed: no stops.txt"
    [transitfeed/missing_trips]="1 trips.txt:0:0: error: unusable_feed"
    [transitfeed/missing_weekday_column]="[01] calendar.txt:1:0: error: missing_required_column"
    [transitfeed/negative_stop_sequence]="0 stop_times.txt:9:5: error: invalid_stop_sequence"
    [transitfeed/undefined_stop]="0 stop_times.txt:11:4: error: unknown_stop"
    [transitfeed/unknown_file]="0 frecuencias.txt:0:0: warning: unknown_file"
    [transitfeed/unknown_format.zip]="1 error: unusable_feed: not a zip"
    [transitfeed/unrecognized_columns]="0 warning: unknown_column"
    [transitfeed/utf16]="1 stops.txt:1:1: error: unsupported_encoding"
    [transitfeed/utf8bom]="0 usable$"
    [transitfeed/good_feed]="0 ^0 errors, 0 warnings: usable$"
    [transitfeed/good_feed.zip]="0 ^0 errors, 0 warnings: usable$"
    [transitfeed/googletransit]="0 usable$"
    [transitfeed/upgrade_translations]="1 error: unusable_feed: .*several"
    [transitfeed/one_line.kml]="1 error: unusable_feed: not a zip"
    [transitfeed/one_stop.kml]="1 error: unusable_feed: not a zip"
    [gtfs-examples/invalid.zip]="1 error: unusable_feed: not a zip"
    [gtfs-examples/example-nested-zip.zip]="1 error: unusable_feed: .*another zip"
    [gtfs-examples/example-nested-two-feeds.zip]="1 error: unusable_feed: .*several folders"
    [gtfs-examples/example-nested-dir-ambiguous.zip]="1 error: unusable_feed: .*several folders"
    [gtfs-examples/example-nested-dir.zip]="0 usable$"
    [gtfs-examples/example.zip]="0 usable$"
    [gtfs-examples/example-errors.zip]="0 stops.txt:6:4: error: invalid_coordinate"
    [gtfs-examples/example-partial]="1 error: unusable_feed"
    [gtfs-examples/example-pathways]="1 error: unusable_feed"
    [empty-dir]="1 error: unusable_feed: stops.txt has no usable stop"
    [empty.zip]="1 error: unusable_feed"
    [umlaut-cp437.zip]="1 error: unusable_feed: no stops.txt"
    [umlaut-utf8.zip]="1 error: unusable_feed: no stops.txt"
    [umlaut-utf8-no-efs.zip]="1 error: unusable_feed: no stops.txt"
    [flex-edge-cases/stops-bad-columns]="1 stops.txt:1:0: error: missing_required_column"
    [flex-edge-cases/stops-header-only]="1 error: unusable_feed: stops.txt has no usable stop"
    [gtfs-flex-badref]="1 warning: flex_not_supported"
    [transitfeed/unused_stop]="0 stops.txt:0:0: warning: unused_stop: stop \"BOGUS\""
    [transitfeed/same_short_long_name]="0 routes.txt:0:0: warning: same_short_long_name: route \"CITY\""
    [transitfeed/filter_unusual_trips]="0 trips.txt:0:0: warning: unusual_trip: trip \"CITY12\" of route \"CITY\""
)

entries=()
for e in "$BAD"/* "$BAD"/transitfeed/* "$BAD"/gtfs-examples/* "$BAD"/flex-edge-cases/*; do
    case "$e" in */gtfs-validator-layers|*/transitfeed|*/gtfs-examples|*/flex-edge-cases) continue ;; esac
    entries+=("$e")
done
checked=0
for e in "${entries[@]}"; do
    rel="${e#"$BAD"/}"
    "$TC_BIN" validate "$e" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ $rc -gt 1 ]; then
        echo "FAIL $rel: exit $rc (crash, signal or usage error)"; cat "$TMP/err"; fail=1; continue
    fi
    # under the sanitizer build a leak report alone does not change the exit status much: look for it
    if grep -qE 'Sanitizer|runtime error' "$TMP/err"; then echo "FAIL ${rel:-${name:-}}: sanitizer report"; head -20 "$TMP/err"; fail=1; fi
    tail -n 1 "$TMP/out" | grep -qE 'usable$' || { echo "FAIL $rel: no summary line"; fail=1; }
    want="${EXPECT[$rel]:-}"
    [ -n "$want" ] || continue
    checked=$((checked + 1))
    want_rc="${want%% *}" pattern="${want#* }"
    if ! [[ "$rc" =~ ^$want_rc$ ]]; then echo "FAIL $rel: exit $rc, expected $want_rc"; tail -3 "$TMP/out"; fail=1; fi
    if ! grep -qE "$pattern" "$TMP/out"; then echo "FAIL $rel: no finding matching '$pattern'"; head -5 "$TMP/out"; fail=1; fi
done
echo "ran ${#entries[@]} broken feeds, $checked with a named expected finding"
[ $checked -eq ${#EXPECT[@]} ] || { echo "FAIL: expected ${#EXPECT[@]} named entries, found $checked"; fail=1; }
exit $fail
