#!/usr/bin/env bash
# route_semantics.sh — R5/OTP options of `tongcheng route` and the analysis commands on tiny feeds written here, whose
# answers follow from the timetables below (networks without streets: walking is straight line x 1.3):
#   --board-slack: every boarding waits at least the slack (the first one and a same-stop change), in a
#     depart-after and an arrive-by query and in `matrix` (the analysis path);
#   --walk-speed: walking legs and street-only matrices scale with it;
#   direct journeys: `route` between two close points offers the walk alone, with the time `matrix` gives for the
#     pair; a point to itself is 0 min in `matrix` (transit and walk);
#   --ban-stops-hard: a trip passing a stop without stopping there is not used (while --exclude-stops keeps it);
#   ties: of two journeys arriving at once with one transfer each, the one changing at a transfers.txt type 1
#     (timed) transfer is chosen, whichever stop holds the rule.
. "$(dirname "$0")/lib/cli_test_lib.sh"
common() { # DIR: agency and calendar of every feed here
    mkdir -p "$1"
    printf 'agency_id,agency_name,agency_url,agency_timezone\nA,Tiny,https://example.org,Europe/Warsaw\n' > "$1/agency.txt"
    printf 'service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n' \
        > "$1/calendar.txt"
}
build() { # DIR NET [build options]
    local dir=$1 net=$2
    shift 2
    "$TC_BIN" build --gtfs "t=$dir" "$@" -o "$tmp/$net.tcn" --quiet || { echo "FAIL build $net"; exit 1; }
}
route() { # NET args... → JSON
    local net=$1
    shift
    "$TC_BIN" route "$tmp/$net.tcn" --date 2024-03-04 "$@" --json
}
arr() { jq -r '[.journeys[].arrival] | min // "none"'; }
trips() { jq -r '[.journeys[0].legs[] | select(.mode=="transit") | .trip] | join(",")'; }

# ---- board slack: A 08:00 → C 08:10 (T1); C 08:11 → D 08:20 (T2); C 08:15 → D 08:25 (T3); stops ~2.2 km apart
f=$tmp/slack
common "$f"
cat > "$f/stops.txt" <<'EOF'
stop_id,stop_name,stop_lat,stop_lon
A,A,52.00,21.00
C,C,52.02,21.00
D,D,52.04,21.00
EOF
printf 'route_id,agency_id,route_short_name,route_long_name,route_type\nR,A,1,One,3\n' > "$f/routes.txt"
printf 'route_id,service_id,trip_id\nR,WK,T1\nR,WK,T2\nR,WK,T3\n' > "$f/trips.txt"
cat > "$f/stop_times.txt" <<'EOF'
trip_id,arrival_time,departure_time,stop_id,stop_sequence
T1,08:00:00,08:00:00,A,1
T1,08:10:00,08:10:00,C,2
T2,08:11:00,08:11:00,C,1
T2,08:20:00,08:20:00,D,2
T3,08:15:00,08:15:00,C,1
T3,08:25:00,08:25:00,D,2
EOF
build "$f" slack --transfer-radius 0
check "no slack" "2024-03-04T08:20:00" "$(route slack --from-stop t:A --to-stop t:D --time 07:58 | arr)"
check "slack 60: T1 then T2" "2024-03-04T08:20:00" \
    "$(route slack --from-stop t:A --to-stop t:D --time 07:58 --board-slack 60 | arr)"
check "slack 61: the 60 s change is missed" "2024-03-04T08:25:00" \
    "$(route slack --from-stop t:A --to-stop t:D --time 07:58 --board-slack 61 | arr)"
check "slack 61: trips" "t:T1,t:T3" "$(route slack --from-stop t:A --to-stop t:D --time 07:58 --board-slack 61 | trips)"
check "slack 60: the first boarding is missed (the next day's)" "2024-03-05T08:20:00" \
    "$(route slack --from-stop t:A --to-stop t:D --time 07:59:01 --board-slack 60 | arr)"
check "slack 60 arrive-by: at A a minute early" "2024-03-04T07:59:00" \
    "$(route slack --from-stop t:A --to-stop t:D --arrive-by 08:20 --board-slack 60 | jq -r '.journeys[0].departure')"
check "slack 61 arrive-by 08:20: none" "none" \
    "$(route slack --from-stop t:A --to-stop t:D --arrive-by 08:20 --board-slack 61 | arr)"
check "slack 61 arrive-by 08:25" "2024-03-04T07:58:59" \
    "$(route slack --from-stop t:A --to-stop t:D --arrive-by 08:25 --board-slack 61 | jq -r '.journeys[0].departure')"
printf 'id,lat,lon\na,52.00,21.00\nd,52.04,21.00\n' > "$tmp/ad.csv"
for s in 0 60 61; do
    "$TC_BIN" matrix "$tmp/slack.tcn" --origins "$tmp/ad.csv" --destinations "$tmp/ad.csv" --date 2024-03-04 \
        --window 07:58-07:59 --board-slack $s --quiet -o "$tmp/m$s.csv" || echo "FAIL matrix --board-slack $s"
done
# 07:58 → 08:20 is 22 min, → 08:25 27 min; a point to itself 0
check "matrix slack 0" "a,d,22" "$(grep '^a,d,' "$tmp/m0.csv")"
check "matrix slack 60" "a,d,22" "$(grep '^a,d,' "$tmp/m60.csv")"
check "matrix slack 61" "a,d,27" "$(grep '^a,d,' "$tmp/m61.csv")"
check "matrix self-pairs" "a,a,0 d,d,0" "$(grep -E '^(a,a|d,d),' "$tmp/m0.csv" | tr '\n' ' ' | sed 's/ $//')"

# ---- walking speed and direct journeys (straight line x 1.3 without streets)
# two points 0.005° of latitude apart: 555.97 m × 1.3 = 722.8 m
printf 'id,lat,lon\np,52.100,21.00\nq,52.105,21.00\n' > "$tmp/pq.csv"
d_m=$(awk 'BEGIN { printf "%.4f", 0.005 * 3.14159265358979 / 180 * 6371008.8 * 1.3 }')
for v in 1.3 1.0; do
    want=$(awk -v d="$d_m" -v v="$v" 'BEGIN { printf "%d", d / v + 0.5 }')
    got=$(route slack --from 52.100,21.00 --to 52.105,21.00 --time 09:00 --walk-speed $v |
        jq -r '[(.journeys | length), .journeys[0].legs[0].mode, .journeys[0].duration_s] | join(" ")')
    check "direct walk at $v m/s" "1 walk $want" "$got"
    "$TC_BIN" matrix "$tmp/slack.tcn" --origins "$tmp/pq.csv" --destinations "$tmp/pq.csv" --date 2024-03-04 \
        --window 09:00-09:01 --walk-speed $v --quiet -o "$tmp/pq$v.csv"
    check "matrix agrees with route at $v m/s" "p,q,$((want / 60))" "$(grep '^p,q,' "$tmp/pq$v.csv")"
    "$TC_BIN" matrix "$tmp/slack.tcn" --origins "$tmp/pq.csv" --destinations "$tmp/pq.csv" --date 2024-03-04 \
        --window 09:00-09:01 --walk-speed $v --modes walk --quiet -o "$tmp/pqw$v.csv"
    check "walk-only matrix at $v m/s" "p,q,$((want / 60))" "$(grep '^p,q,' "$tmp/pqw$v.csv")"
done
route slack --from 52.100,21.00 --to 52.105,21.00 --time 09:00 --direct none >/dev/null 2>&1
check "no stop near and --direct none: unreachable (exit 1)" "1" "$?"
check "origin = destination" "0 walk" \
    "$(route slack --from 52.100,21.00 --to 52.100,21.00 --time 09:00 | jq -r '[.journeys[0].duration_s, .journeys[0].legs[0].mode] | join(" ")')"
check "bike journey when asked" "walk,bike" \
    "$(route slack --from 52.100,21.00 --to 52.105,21.00 --time 09:00 --direct walk,bike | jq -r '[.journeys[].legs[0].mode] | sort | reverse | join(",")')"

# ---- hard bans: H1 P1 08:00 → X 08:05 (passes, neither picks up nor drops off) → P2 08:10; H2 P1 08:00 → P2 08:20
f=$tmp/ban
common "$f"
cat > "$f/stops.txt" <<'EOF'
stop_id,stop_name,stop_lat,stop_lon
P1,P1,52.20,21.00
X,X,52.22,21.00
P2,P2,52.24,21.00
EOF
printf 'route_id,agency_id,route_short_name,route_long_name,route_type\nRH1,A,1,One,3\nRH2,A,2,Two,3\n' > "$f/routes.txt"
printf 'route_id,service_id,trip_id\nRH1,WK,H1\nRH2,WK,H2\n' > "$f/trips.txt"
cat > "$f/stop_times.txt" <<'EOF'
trip_id,arrival_time,departure_time,stop_id,stop_sequence,pickup_type,drop_off_type
H1,08:00:00,08:00:00,P1,1,0,0
H1,08:05:00,08:05:00,X,2,1,1
H1,08:10:00,08:10:00,P2,3,0,0
H2,08:00:00,08:00:00,P1,1,0,0
H2,08:20:00,08:20:00,P2,2,0,0
EOF
build "$f" ban --transfer-radius 0
check "no ban" "t:H1" "$(route ban --from-stop t:P1 --to-stop t:P2 --time 07:55 | trips)"
check "--exclude-stops X: H1 still rides through X" "t:H1" \
    "$(route ban --from-stop t:P1 --to-stop t:P2 --time 07:55 --exclude-stops t:X | trips)"
check "--ban-stops-hard X: H1 passes X, so H2" "t:H2" \
    "$(route ban --from-stop t:P1 --to-stop t:P2 --time 07:55 --ban-stops-hard t:X | trips)"
check "--ban-stops-hard X: arrival" "2024-03-04T08:20:00" \
    "$(route ban --from-stop t:P1 --to-stop t:P2 --time 07:55 --ban-stops-hard X | arr)"
"$TC_BIN" route "$tmp/ban.tcn" --date 2024-03-04 --from-stop t:P1 --to-stop t:P2 --time 07:55 --ban-stops-hard t:NOPE \
    >/dev/null 2>&1
check "--ban-stops-hard unknown stop: exit 1" "1" "$?"

# ---- ties: Q1 → Y (U1, 08:00-08:05) → Q2 (U2, 08:10-08:30) and Q1 → Z (V1, 08:00-08:06) → Q2 (V2, 08:10-08:30):
# both arrive 08:30 with one transfer and no walking; the timed (type 1) transfer decides, wherever it is
f=$tmp/tie
common "$f"
cat > "$f/stops.txt" <<'EOF'
stop_id,stop_name,stop_lat,stop_lon
Q1,Q1,52.30,21.00
Y,Y,52.32,20.98
Z,Z,52.32,21.02
Q2,Q2,52.34,21.00
EOF
printf 'route_id,agency_id,route_short_name,route_long_name,route_type\nRU1,A,U1,U one,3\nRU2,A,U2,U two,3\nRV1,A,V1,V one,3\nRV2,A,V2,V two,3\n' \
    > "$f/routes.txt"
printf 'route_id,service_id,trip_id\nRU1,WK,U1\nRU2,WK,U2\nRV1,WK,V1\nRV2,WK,V2\n' > "$f/trips.txt"
cat > "$f/stop_times.txt" <<'EOF'
trip_id,arrival_time,departure_time,stop_id,stop_sequence
U1,08:00:00,08:00:00,Q1,1
U1,08:05:00,08:05:00,Y,2
U2,08:10:00,08:10:00,Y,1
U2,08:30:00,08:30:00,Q2,2
V1,08:00:00,08:00:00,Q1,1
V1,08:06:00,08:06:00,Z,2
V2,08:10:00,08:10:00,Z,1
V2,08:30:00,08:30:00,Q2,2
EOF
for at in Y Z; do
    cp -r "$f" "$tmp/tie$at"
    printf 'from_stop_id,to_stop_id,transfer_type,min_transfer_time\n%s,%s,1,\n' $at $at > "$tmp/tie$at/transfers.txt"
    build "$tmp/tie$at" "tie$at" --transfer-radius 0
done
check "tie: timed transfer at Y" "t:U1,t:U2" "$(route tieY --from-stop t:Q1 --to-stop t:Q2 --time 07:55 | trips)"
check "tie: timed transfer at Z" "t:V1,t:V2" "$(route tieZ --from-stop t:Q1 --to-stop t:Q2 --time 07:55 | trips)"
check "tie arrive-by: timed transfer at Y" "t:U1,t:U2" "$(route tieY --from-stop t:Q1 --to-stop t:Q2 --arrive-by 08:30 | trips)"
check "tie arrive-by: timed transfer at Z" "t:V1,t:V2" "$(route tieZ --from-stop t:Q1 --to-stop t:Q2 --arrive-by 08:30 | trips)"
check "tie: one journey" "1 2024-03-04T08:30:00" \
    "$(route tieZ --from-stop t:Q1 --to-stop t:Q2 --time 07:55 | jq -r '[(.journeys | length), .journeys[0].arrival] | join(" ")')"

if [ $fail -ne 0 ]; then exit 1; fi
echo "all route semantics checks passed"
