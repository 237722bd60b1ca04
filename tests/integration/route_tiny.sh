#!/usr/bin/env bash
# route_tiny.sh — `tongcheng route` on tiny GTFS feeds written here, whose answers follow from the timetable below:
#   overtaking trips (an express passes a local on the same stops), transfers.txt types 1/2/3 and the
#   --min-transfer-time floor, pickup/drop-off type 1, trips past midnight (and the previous day's after-midnight
#   trips), a holiday removed by calendar_dates (no service: the search moves on to the next day), frequency trips
#   (start + k·headway), arrive-by (a trip arriving exactly at the deadline counts), wheelchair / route-type /
#   exclusion filters, and the one-line errors (unknown stop, date outside the service range, unsnappable point).
. "$(dirname "$0")/lib/cli_test_lib.sh"

feed=$tmp/t
mkdir -p "$feed"
cat > "$feed/agency.txt" <<'EOF'
agency_id,agency_name,agency_url,agency_timezone
A,Tiny,https://example.org,Europe/Warsaw
EOF
# six stops ~1.1 km apart on a line: no walking transfers at radius 0 anyway
cat > "$feed/stops.txt" <<'EOF'
stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding
S1,One,52.00,21.00,1
S2,Two,52.01,21.00,1
S3,Three,52.02,21.00,1
S4,Four,52.03,21.00,2
S5,Five,52.04,21.00,1
S6,Six,52.05,21.00,1
EOF
cat > "$feed/routes.txt" <<'EOF'
route_id,agency_id,route_short_name,route_long_name,route_type
R1,A,1,Line one,3
R2,A,2,Line two,0
R3,A,3,Line three,3
R4,A,4,Line four,3
EOF
cat > "$feed/calendar.txt" <<'EOF'
service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date
WK,1,1,1,1,1,0,0,20240101,20241231
ALL,1,1,1,1,1,1,1,20240101,20241231
EOF
# Tuesday 2024-03-05 is a holiday: no weekday service
cat > "$feed/calendar_dates.txt" <<'EOF'
service_id,date,exception_type
WK,20240305,2
EOF
cat > "$feed/trips.txt" <<'EOF'
route_id,service_id,trip_id,wheelchair_accessible
R1,WK,L,1
R1,WK,E,2
R2,WK,T2a,1
R2,WK,T2b,1
R4,WK,P,1
R4,WK,N,1
R4,WK,N2,1
R3,ALL,F,1
EOF
# L: local S1 08:00 → S2 08:10 → S3 08:30; E: express on the same stops, overtakes (S3 08:12)
# T2a / T2b: S3 → S4 at 08:13 / 08:20; P: S4 → S5 (no drop-off) → S6; N, N2: past midnight; F: frequency template
cat > "$feed/stop_times.txt" <<'EOF'
trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type
L,08:00:00,08:00:00,S1,1,0,0
L,08:10:00,08:10:00,S2,2,0,0
L,08:30:00,08:30:00,S3,3,0,0
E,08:05:00,08:05:00,S1,1,0,0
E,08:08:00,08:08:00,S2,2,0,0
E,08:12:00,08:12:00,S3,3,0,0
T2a,08:13:00,08:13:00,S3,1,0,0
T2a,08:30:00,08:30:00,S4,2,0,0
T2b,08:20:00,08:20:00,S3,1,0,0
T2b,08:40:00,08:40:00,S4,2,0,0
P,09:00:00,09:00:00,S4,1,0,0
P,09:10:00,09:10:00,S5,2,0,1
P,09:20:00,09:20:00,S6,3,0,0
N,23:50:00,23:50:00,S5,1,0,0
N,24:20:00,24:20:00,S6,2,0,0
N2,24:10:00,24:10:00,S5,1,0,0
N2,24:40:00,24:40:00,S6,2,0,0
F,00:00:00,00:00:00,S2,1,0,0
F,00:10:00,00:10:00,S6,2,0,0
EOF
cat > "$feed/frequencies.txt" <<'EOF'
trip_id,start_time,end_time,headway_secs,exact_times
F,06:00:00,07:00:00,900,0
EOF

build() { # NAME [transfers.txt content]
    local dir=$tmp/$1
    rm -rf "$dir"
    cp -r "$feed" "$dir"
    if [ -n "${2:-}" ]; then printf '%s\n' "$2" > "$dir/transfers.txt"; fi
    "$TC_BIN" build --gtfs "t=$dir" --transfer-radius 0 -o "$tmp/$1.tcn" --quiet || { echo "FAIL build $1"; exit 1; }
}
route() { # NET args... → JSON on stdout
    local net=$1
    shift
    "$TC_BIN" route "$tmp/$net.tcn" --date 2024-03-04 "$@" --json
}
arr() { jq -r '[.journeys[].arrival] | min // "none"'; }
first_trips() { jq -r '[.journeys[0].legs[] | select(.mode=="transit") | .trip] | join(",")'; }

build plain
# overtaking: the express leaves later and arrives first
check "overtaking express" "2024-03-04T08:12:00" "$(route plain --from-stop t:S1 --to-stop t:S3 --time 08:00 | arr)"
check "overtaking trip" "t:E" "$(route plain --from-stop t:S1 --to-stop t:S3 --time 08:00 | first_trips)"
# boarding at the same second: E arrives S3 08:12 … T2a leaves 08:13; with a 60 s floor 08:12+60 = 08:13 still fits
check "transfer plain" "2024-03-04T08:30:00" "$(route plain --from-stop t:S1 --to-stop t:S4 --time 08:00 | arr)"
check "floor 60 s" "2024-03-04T08:30:00" \
    "$(route plain --from-stop t:S1 --to-stop t:S4 --time 08:00 --min-transfer-time 60 | arr)"
check "floor 61 s" "2024-03-04T08:40:00" \
    "$(route plain --from-stop t:S1 --to-stop t:S4 --time 08:00 --min-transfer-time 61 | arr)"
json=$(route plain --from-stop t:S1 --to-stop t:S4 --time 08:00)
check "json legs" "transit t:S1 t:S3 1 3 t:R1 t:E|transit t:S3 t:S4 2 0 t:R2 t:T2a" \
    "$(echo "$json" | jq -r '[.journeys[0].legs[] | "\(.mode) \(.from.stop) \(.to.stop) \(.route_name) \(.route_type) \(.route) \(.trip)"] | join("|")')"
check "json journey" "2024-03-04T08:05:00 1500 1 0" \
    "$(echo "$json" | jq -r '.journeys[0] | "\(.departure) \(.duration_s) \(.transfers) \(.walk_s)"')"

# transfers.txt type 2 (5 min at S3): 08:12 + 300 → T2b at 08:20
build t2 "from_stop_id,to_stop_id,transfer_type,min_transfer_time
S3,S3,2,300"
check "transfers type 2" "2024-03-04T08:40:00" "$(route t2 --from-stop t:S1 --to-stop t:S4 --time 08:00 | arr)"
# type 3 (forbidden) between routes R1 and R2 at S3: S4 only by … nothing
build t3 "from_stop_id,to_stop_id,from_route_id,to_route_id,transfer_type
S3,S3,R1,R2,3"
check "transfers type 3" "none" "$(route t3 --from-stop t:S1 --to-stop t:S4 --time 08:00 | arr)"
# type 1 (timed) ignores a 10-minute floor
build t1 "from_stop_id,to_stop_id,transfer_type
S3,S3,1"
check "transfers type 1" "2024-03-04T08:30:00" \
    "$(route t1 --from-stop t:S1 --to-stop t:S4 --time 08:00 --min-transfer-time 600 | arr)"
# trip-level type 3 from E to T2a: wait for T2b
build ttrip "from_stop_id,to_stop_id,from_trip_id,to_trip_id,transfer_type
S3,S3,E,T2a,3"
check "transfers trip-level" "2024-03-04T08:40:00" "$(route ttrip --from-stop t:S1 --to-stop t:S4 --time 08:00 | arr)"

# pickup / drop-off: no drop-off at S5
check "no drop-off" "none" "$(route plain --from-stop t:S4 --to-stop t:S5 --time 08:50 | arr)"
check "ride through" "2024-03-04T09:20:00" "$(route plain --from-stop t:S4 --to-stop t:S6 --time 08:50 | arr)"

# past midnight: the date moves on; the previous day's 24:10 trip serves a 00:05 query
check "past midnight" "2024-03-05T00:20:00" "$(route plain --from-stop t:S5 --to-stop t:S6 --time 23:40 | arr)"
check "previous day's trip" "2024-03-05T00:40:00" \
    "$("$TC_BIN" route "$tmp/plain.tcn" --date 2024-03-05 --from-stop t:S5 --to-stop t:S6 --time 00:05 --json | arr)"
# holiday 2024-03-05: no weekday trips; the search moves on to 2024-03-06
check "holiday" "2024-03-06T08:12:00" \
    "$("$TC_BIN" route "$tmp/plain.tcn" --date 2024-03-05 --from-stop t:S1 --to-stop t:S3 --time 08:00 --json | arr)"

# frequencies: runs 06:00, 06:15, 06:30, 06:45 (end exclusive), 10 min ride
check "frequency" "2024-03-04T06:40:00" "$(route plain --from-stop t:S2 --to-stop t:S6 --time 06:16 | arr)"
check "frequency exact" "2024-03-04T06:25:00" "$(route plain --from-stop t:S2 --to-stop t:S6 --time 06:15 | arr)"
# (without line 4, whose trips would reach S6 the same day through S3 and S4)
check "frequency next day" "2024-03-05T06:10:00" \
    "$(route plain --from-stop t:S2 --to-stop t:S6 --time 06:46 --exclude-routes t:R4 | arr)"

# arrive-by: latest departure arriving by the deadline (exact arrival counts)
json=$(route plain --from-stop t:S1 --to-stop t:S3 --arrive-by 08:12)
check "arrive-by exact" "2024-03-04T08:05:00 2024-03-04T08:12:00" \
    "$(echo "$json" | jq -r '.journeys | max_by(.departure) | "\(.departure) \(.arrival)"')"
check "arrive-by too early" "none" "$(route plain --from-stop t:S1 --to-stop t:S3 --arrive-by 08:11 | arr)"
check "arrive-by frequency" "2024-03-04T06:30:00" \
    "$(route plain --from-stop t:S2 --to-stop t:S6 --arrive-by 06:44 | jq -r '[.journeys[].departure] | max')"
check "arrive-by previous day" "2024-03-04T06:45:00" \
    "$("$TC_BIN" route "$tmp/plain.tcn" --date 2024-03-05 --from-stop t:S2 --to-stop t:S6 --arrive-by 05:00 \
        --exclude-routes t:R4 --json |
        jq -r '[.journeys[].departure] | max')"

# filters
check "wheelchair" "2024-03-04T08:30:00" "$(route plain --from-stop t:S1 --to-stop t:S3 --time 08:00 --wheelchair | arr)"
check "wheelchair stop" "none" "$(route plain --from-stop t:S1 --to-stop t:S4 --time 08:00 --wheelchair | arr)"
check "exclude trip" "2024-03-04T08:30:00" \
    "$(route plain --from-stop t:S1 --to-stop t:S3 --time 08:00 --exclude-trips t:E | arr)"
check "route types" "none" "$(route plain --from-stop t:S1 --to-stop t:S4 --time 08:00 --route-types 3 | arr)"
check "exclude route" "none" "$(route plain --from-stop t:S1 --to-stop t:S4 --time 08:00 --exclude-routes t:R2 | arr)"
check "max transfers 0" "none" "$(route plain --from-stop t:S1 --to-stop t:S4 --time 08:00 --max-transfers 0 | arr)"

# from a point near S1 (access walk) to a point near S3
json=$(route plain --from 52.0005,21.0 --to 52.0205,21.0 --time 08:00)
check "points" "walk transit walk" "$(echo "$json" | jq -r '[.journeys[0].legs[].mode] | join(" ")')"
check "points origin" "null origin" "$(echo "$json" | jq -r '.journeys[0].legs[0].from | "\(.stop) \(.name)"')"

# errors: exit 1 and one line
err_case() { # NAME args...
    local name=$1
    shift
    "$TC_BIN" route "$tmp/plain.tcn" "$@" > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    check "$name exit" "1" "$rc"
    check "$name one line" "1" "$(wc -l < "$tmp/err" | tr -d ' ')"
}
err_case "unknown stop" --from-stop t:NOPE --to-stop t:S3 --date 2024-03-04 --time 08:00
err_case "date outside" --from-stop t:S1 --to-stop t:S3 --date 2026-03-04 --time 08:00
err_case "unsnappable" --from 10.0,10.0 --to-stop t:S3 --date 2024-03-04 --time 08:00
grep -q "unknown stop" "$tmp/err" 2>/dev/null || true
"$TC_BIN" route "$tmp/plain.tcn" --from-stop t:S1 --to-stop t:S3 --date 2024-03-04 > /dev/null 2>&1
check "usage exit" "2" "$?"
exit $fail
