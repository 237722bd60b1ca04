#!/bin/bash
# validate_layers.sh — transitland-lib's gtfs-validator-layers: a valid base feed plus overlays, each overlay a few
# files that replace the base's and carry an `expect_error` column naming the problem each row should raise.
# For every overlay we build the merged feed in a temp folder; all of them are then validated in one run, each
# named L<n> (so its findings read "L<n>:FILE:LINE:COL: ..."). For every overlay row with a non-empty
# expect_error we require an error or warning on that file and that line (our codes need not match transitland's
# names). The base alone must validate as usable. Never a crash: the exit status must be 0 or 1.
set -u
: "${TC_BIN:?TC_BIN not set}" "${TC_DATA:?TC_DATA not set}"
LAYERS="$TC_DATA/invalid-gtfs/gtfs-validator-layers"
[ -d "$LAYERS/base" ] || { echo "no $LAYERS: skipped"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0 checked=0

"$TC_BIN" validate "$LAYERS/base" >"$TMP/base.out" 2>"$TMP/base.err"
rc=$?
if [ $rc -ne 0 ]; then echo "FAIL base: exit $rc"; cat "$TMP/base.out" "$TMP/base.err"; fail=1; fi

overlays=() args=()
for overlay in "$LAYERS"/errors/* "$LAYERS"/best-practices/*; do
    [ -d "$overlay" ] || continue
    i=${#overlays[@]}
    overlays+=("$overlay")
    feed="$TMP/L$i"
    cp -r "$LAYERS/base" "$feed"
    chmod -R u+w "$feed"
    cp "$overlay"/*.txt "$feed"/ 2>/dev/null
    args+=(--gtfs "L$i=$feed")
done
"$TC_BIN" validate "${args[@]}" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -gt 1 ]; then echo "FAIL: exit status $rc (crash or usage error)"; tail -20 "$TMP/err"; fail=1; fi
if grep -qE 'Sanitizer|runtime error' "$TMP/err"; then echo "FAIL: sanitizer report"; head -20 "$TMP/err"; fail=1; fi

for i in "${!overlays[@]}"; do
    overlay="${overlays[$i]}"
    name="${overlay#"$LAYERS"/}"
    for f in "$overlay"/*.txt; do
        file=$(basename "$f")
        # line numbers of rows whose expect_error cell is not empty (overlays use no quoted cells)
        lines=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; sub(/\r$/, "", h); if (h == "expect_error") col = i }; next }
                         col && $col != "" && $col !~ /^\r?$/ { print NR }' "$f")
        for line in $lines; do
            checked=$((checked + 1))
            if ! grep -qE "^L$i:$file:$line:[0-9]+: (error|warning): " "$TMP/out"; then
                echo "FAIL $name: no finding on $file:$line (expected $(awk -F, -v n="$line" 'NR==n {print $NF}' "$f"))"
                fail=1
            fi
        done
    done
done
echo "checked $checked expected findings in ${#overlays[@]} overlays"
[ $checked -gt 50 ] || { echo "FAIL: too few expected findings found in the overlays ($checked)"; fail=1; }
exit $fail
