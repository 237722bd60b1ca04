# cli_test_lib.sh — sourced by the CLI integration tests that write their own small feeds: strict shell options, a
# scratch folder removed on exit ($tmp), the failure flag ($fail) and check NAME EXPECTED ACTUAL. jq reads the JSON
# answers; scripts/setup installs it, so its absence is a failure, not a skip.
set -uo pipefail
: "${TC_BIN:?}"
command -v jq >/dev/null || { echo "FAIL: jq is required (scripts/setup installs it)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # NAME EXPECTED ACTUAL
    if [ "$2" != "$3" ]; then echo "FAIL $1: expected [$2], got [$3]"; fail=1; else echo "ok   $1"; fi
}
