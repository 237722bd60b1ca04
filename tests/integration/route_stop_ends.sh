#!/usr/bin/env bash
# route_stop_ends.sh — a stop query means "from (to) this stop's place": transfers.txt links and the other platforms
# of the stop's parent station apply before the first trip and after the last, as a change between trips would,
# within the transfer walking limit (raptor_stop_ends). The network is built with walking off (--transfer-radius 0)
# and queried with no access or egress walking (--max-walk 0,0,10), so only the link and sibling rules can reach
# a trip that does not leave from the query stop itself; /v1/route's from_stop / to_stop give the same answers. The
# feed is written here; its answers follow from it:
#   PA, PB: platforms of station ST, ~56 m apart (straight line × 1.3 at 1.3 m/s: 56 s)
#   B1: PB 08:05 → Y 08:20             (from PA: walk to PB, ride)
#   B2: Y 08:25 → PB 08:35              (to PA: ride to PB, walk)
#   L1 → L2: transfers.txt type 2, 120 s; L1, L2 556 m apart
#   C1: L2 08:05 → Z 08:30             (from L1: the link, ride; arrive-by 08:30: leave L1 at 08:03)
#   C2: Z 08:35 → L3 08:40; L3 → L4 type 2, 180 s (to L4: ride, the link: 08:43)
#   L1 → Q: type 3 (forbidden), D1: Q 08:01 → Z 08:10: never used from L1
. "$(dirname "$0")/lib/cli_test_lib.sh"
feed=$tmp/f
mkdir -p "$feed"
cat > "$feed/agency.txt" <<'EOF'
agency_id,agency_name,agency_url,agency_timezone
A,Ends,https://example.org,Europe/Warsaw
EOF
cat > "$feed/stops.txt" <<'EOF'
stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station
ST,Station,52.00025,21.000,1,
PA,Platform A,52.0000,21.000,0,ST
PB,Platform B,52.0005,21.000,0,ST
Y,Y,52.030,21.000,0,
L1,Link one,52.010,21.000,0,
L2,Link two,52.015,21.000,0,
Z,Z,52.040,21.000,0,
L3,Link three,52.050,21.000,0,
L4,Link four,52.055,21.000,0,
Q,Forbidden,52.011,21.000,0,
EOF
cat > "$feed/routes.txt" <<'EOF'
route_id,agency_id,route_short_name,route_long_name,route_type
R,A,1,Line,3
EOF
cat > "$feed/calendar.txt" <<'EOF'
service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date
ALL,1,1,1,1,1,1,1,20240101,20241231
EOF
cat > "$feed/trips.txt" <<'EOF'
route_id,service_id,trip_id
R,ALL,B1
R,ALL,B2
R,ALL,C1
R,ALL,C2
R,ALL,D1
R,ALL,E1
R,ALL,E2
EOF
# E1, E2: trips of their own from L1 and to L4, so those are stops with departures and arrivals
cat > "$feed/stop_times.txt" <<'EOF'
trip_id,arrival_time,departure_time,stop_id,stop_sequence
B1,08:05:00,08:05:00,PB,1
B1,08:20:00,08:20:00,Y,2
B2,08:25:00,08:25:00,Y,1
B2,08:35:00,08:35:00,PB,2
C1,08:05:00,08:05:00,L2,1
C1,08:30:00,08:30:00,Z,2
C2,08:35:00,08:35:00,Z,1
C2,08:40:00,08:40:00,L3,2
D1,08:01:00,08:01:00,Q,1
D1,08:10:00,08:10:00,Z,2
E1,12:00:00,12:00:00,L1,1
E1,12:30:00,12:30:00,Y,2
E2,13:00:00,13:00:00,Y,1
E2,13:30:00,13:30:00,L4,2
EOF
cat > "$feed/transfers.txt" <<'EOF'
from_stop_id,to_stop_id,transfer_type,min_transfer_time
L1,L2,2,120
L3,L4,2,180
L1,Q,3,
EOF
"$TC_BIN" build --gtfs "f=$feed" --transfer-radius 0 -o "$tmp/n.tcn" --quiet || { echo "FAIL build"; exit 1; }
route() { "$TC_BIN" route "$tmp/n.tcn" --date 2024-03-04 --max-walk 0,0,10 "$@" --json; }
arr() { jq -r '[.journeys[].arrival] | min // "none"'; }
legs() { jq -r '[.journeys[0].legs[] | "\(.mode) \(.from.stop) \(.to.stop)"] | join("|")'; }

# a sibling platform at the origin and at the destination
check "sibling at the origin" "2024-03-04T08:20:00" "$(route --from-stop f:PA --to-stop f:Y --time 08:00 | arr)"
check "sibling at the origin legs" "walk f:PA f:PB|transit f:PB f:Y" \
    "$(route --from-stop f:PA --to-stop f:Y --time 08:00 | legs)"
check "sibling walk seconds" "56" \
    "$(route --from-stop f:PA --to-stop f:Y --time 08:00 | jq -r '.journeys[0].walk_s')"
check "sibling at the destination" "2024-03-04T08:35:56" "$(route --from-stop f:Y --to-stop f:PA --time 08:21 | arr)"
check "sibling at the destination legs" "transit f:Y f:PB|walk f:PB f:PA" \
    "$(route --from-stop f:Y --to-stop f:PA --time 08:21 | legs)"
check "the station itself" "2024-03-04T08:20:00" "$(route --from-stop f:ST --to-stop f:Y --time 08:00 | arr)"
# within the transfer walking limit: none at 0 minutes
check "sibling beyond the walk limit" "none" \
    "$("$TC_BIN" route "$tmp/n.tcn" --date 2024-03-04 --max-walk 0,0,0 --from-stop f:PA --to-stop f:Y --time 08:00 \
        --max-duration 60 --json | arr)"
# transfers.txt links at the origin and at the destination, and arrive-by through the origin's link
check "link at the origin" "2024-03-04T08:30:00" "$(route --from-stop f:L1 --to-stop f:Z --time 08:00 | arr)"
check "link at the origin legs" "walk f:L1 f:L2|transit f:L2 f:Z" \
    "$(route --from-stop f:L1 --to-stop f:Z --time 08:00 | legs)"
check "link too late (the next day's)" "2024-03-05T08:30:00" \
    "$(route --from-stop f:L1 --to-stop f:Z --time 08:04 | arr)"
check "link at the destination" "2024-03-04T08:43:00" "$(route --from-stop f:Z --to-stop f:L4 --time 08:31 | arr)"
check "link at the destination legs" "transit f:Z f:L3|walk f:L3 f:L4" \
    "$(route --from-stop f:Z --to-stop f:L4 --time 08:31 | legs)"
check "arrive-by through the link" "2024-03-04T08:03:00" \
    "$(route --from-stop f:L1 --to-stop f:Z --arrive-by 08:30 | jq -r '[.journeys[].departure] | max // "none"')"
check "arrive-by link at the destination" "2024-03-04T08:35:00" \
    "$(route --from-stop f:Z --to-stop f:L4 --arrive-by 08:43 | jq -r '[.journeys[].departure] | max // "none"')"
# a forbidden link (type 3) is no way out of L1: D1 from Q would arrive at Z by 08:10
check "forbidden link" "2024-03-04T08:30:00" "$(route --from-stop f:L1 --to-stop f:Z --time 08:00 | arr)"

# /v1/route with from_stop / to_stop: the same ends (the server calls tc_route, which seeds them); the server listens
# on a free port of 127.0.0.1, printed on stderr, and is stopped here
"$TC_BIN" serve "$tmp/n.tcn" --host 127.0.0.1 --port 0 --threads 1 --quiet 2> "$tmp/serve.err" &
spid=$!
trap 'kill "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
port=
for _ in $(seq 200); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/serve.err" | head -1)
    [ -n "$port" ] && break
    kill -0 "$spid" 2>/dev/null || break
    sleep 0.05 # (polling for the start-up line, a state; no timing is assumed)
done
if [ -z "$port" ]; then
    echo "FAIL serve: no start-up line"; cat "$tmp/serve.err"; fail=1
else
    api() { curl -s "http://127.0.0.1:$port/v1/route?date=2024-03-04&$1"; }
    check "/v1/route sibling" "2024-03-04T08:20:00" "$(api 'from_stop=f:PA&to_stop=f:Y&time=08:00' | arr)"
    check "/v1/route link" "2024-03-04T08:30:00" "$(api 'from_stop=f:L1&to_stop=f:Z&time=08:00' | arr)"
    check "/v1/route arrive-by link" "2024-03-04T08:35:00" \
        "$(api 'from_stop=f:Z&to_stop=f:L4&time=08:43&arrive_by=true' |
            jq -r '[.journeys[].departure] | max // "none"')"
fi
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
exit $fail
