#!/usr/bin/env bash
# install_circle.sh — what a fresh machine does with the package, in a scratch folder:
#   1. `cmake --install` into DESTDIR: programs, libtongcheng.so with its soname (exporting exactly the header's
#      functions), header, pkg-config file, man page, the Chang-Zhu-Tan data and the map page land where they should;
#   2. a program compiled against the installed header and library through pkg-config opens nothing but reports
#      the library's version and a status name;
#   3. CPack's .deb, unpacked with `dpkg -x`, holds the same files; its `tongcheng circle` run from /tmp finds the
#      built-in default under its own share/tongcheng (not the source tree) and writes the report;
#   4. the program copied elsewhere (an out-of-tree build) still finds the built-in default (compiled-in path);
#   5. `import tongcheng` from the installed Python package loads the installed library (when python3-cffi is
#      present).
set -uo pipefail
: "${TC_BUILD:?}" "${TC_SRC:?}"
command -v cpack >/dev/null && command -v dpkg >/dev/null || { echo "cpack or dpkg missing: skipped"; exit 77; }
tmp=$(mktemp -d /tmp/tc-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# a sanitizer build installs an instrumented library: programs on it need the sanitizer runtime too, and python3
# cannot load it (ldd to a file: grep -q on a pipe would cut ldd short, which pipefail counts as a failure)
ldd "$TC_BUILD/tongcheng" >"$tmp/ldd.txt" 2>&1
asan=(); grep -q libasan "$tmp/ldd.txt" && asan=(-fsanitize=address,undefined)

DESTDIR="$tmp/dest" cmake --install "$TC_BUILD" --prefix /usr >"$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
root="$tmp/dest/usr"
for f in bin/tongcheng include/tongcheng.h share/man/man1/tongcheng.1 share/tongcheng/changzhutan/network.sketch.json \
         share/tongcheng/web/index.html share/tongcheng/web/app.js; do
  [ -s "$root/$f" ] || fail "cmake --install: $f missing"
done
lib=$(find "$root" -name 'libtongcheng.so.*.*.*' | head -1)
[ -n "$lib" ] || fail "no libtongcheng.so.X.Y.Z installed"
pc=$(find "$root" -name tongcheng.pc | head -1)
[ -n "$pc" ] || fail "no tongcheng.pc installed"
if [ -n "$lib" ]; then
  soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
  [[ "$soname" =~ ^libtongcheng\.so\.[0-9]+\.[0-9]+$ ]] || fail "soname is \"$soname\""
  [ -e "$(dirname "$lib")/$soname" ] || fail "no $soname link beside the library"
  [ -e "$(dirname "$lib")/libtongcheng.so" ] || fail "no libtongcheng.so development link"
fi
grep -q '^\.SS circle' "$root/share/man/man1/tongcheng.1" || fail "the man page has no circle section"
# the library exports exactly the functions the installed header declares
if [ -n "$lib" ]; then
  grep -oE '^(const )?[a-z0-9_]+ \**tc_[a-z0-9_]+\(' "$root/include/tongcheng.h" | grep -oE 'tc_[a-z0-9_]+\($' | tr -d '(' | sort >"$tmp/declared"
  nm -D --defined-only "$lib" | awk '$2 == "T" {print $3}' | sed 's/@.*//' | sort >"$tmp/exported"
  [ -s "$tmp/declared" ] && cmp -s "$tmp/declared" "$tmp/exported" \
    || { diff "$tmp/declared" "$tmp/exported" | head -5; fail "libtongcheng.so exports other than the header's functions"; }
fi

# A program built against the installed files only.
if [ -n "$pc" ] && [ -n "$lib" ]; then
  cat >"$tmp/use.c" <<'C'
#include <tongcheng.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    tc_network *net = NULL;
    tc_error err;
    memset(&err, 0, sizeof err);
    tc_status st = tc_network_open("/nonexistent.tcnet", &net, &err);
    printf("%s %s\n", TC_VERSION_STRING, tc_status_name(st));
    return st == TC_OK;
}
C
  flags=$(PKG_CONFIG_PATH="$(dirname "$pc")" pkg-config --cflags --libs tongcheng) \
    || fail "pkg-config --cflags --libs tongcheng"
  if cc "${asan[@]}" -o "$tmp/use" "$tmp/use.c" $flags 2>"$tmp/cc.log"; then
    out=$(LD_LIBRARY_PATH="$(dirname "$lib")" "$tmp/use")
    [ "$out" = "0.1.0 io" ] || [[ "$out" =~ ^[0-9.]+\ (io|format)$ ]] || fail "program on the installed library printed \"$out\""
    LD_LIBRARY_PATH="$(dirname "$lib")" ldd "$tmp/use" >"$tmp/use.ldd" 2>&1
    grep -q "$(dirname "$lib")/libtongcheng.so" "$tmp/use.ldd" || fail "the program is not linked to the installed libtongcheng.so"
  else
    cat "$tmp/cc.log"; fail "cannot compile against the installed header and library"
  fi
fi

# The Debian package, unpacked without installing it.
cpack --config "$TC_BUILD/CPackConfig.cmake" -G DEB -B "$tmp/deb" >"$tmp/cpack.log" 2>&1 || { cat "$tmp/cpack.log"; exit 1; }
deb=$(ls "$tmp"/deb/tongcheng_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "FAIL: cpack made no .deb"; exit 1; }
dpkg -x "$deb" "$tmp/x" || fail "dpkg -x"
dpkg-deb -f "$deb" Depends | grep -q libzip || fail "the .deb does not depend on libzip"
[ -s "$tmp/x/usr/share/tongcheng/changzhutan/network.sketch.json" ] || fail ".deb: no Chang-Zhu-Tan data"
(cd /tmp && "$tmp/x/usr/bin/tongcheng" circle --no-scenarios --no-isochrones --quiet -o "$tmp/report" >"$tmp/circle.out" 2>&1) \
  || { cat "$tmp/circle.out"; fail "installed tongcheng circle from /tmp exited non-zero"; }
grep -q "network $tmp/x/usr/share/tongcheng/changzhutan/network.sketch.json (built-in default)" "$tmp/circle.out" \
  || { head -3 "$tmp/circle.out"; fail "circle did not use the installed data"; }
grep -q '^Zhuzhou core' "$tmp/circle.out" || fail "circle printed no place rows"
[ -s "$tmp/report/report.html" ] && [ -s "$tmp/report/circle.csv" ] || fail "circle wrote no report"

# The program copied away from both the source tree and any prefix: the source tree's data, compiled in.
mkdir -p "$tmp/elsewhere" && cp "$TC_BUILD/tongcheng" "$tmp/elsewhere/"
(cd /tmp && "$tmp/elsewhere/tongcheng" circle --no-scenarios --no-isochrones --quiet -o "$tmp/report2" >"$tmp/circle2.out" 2>&1) \
  || { cat "$tmp/circle2.out"; fail "tongcheng circle outside the source tree exited non-zero"; }
grep -q "network $TC_SRC/data/changzhutan/network.sketch.json (built-in default)" "$tmp/circle2.out" \
  || { head -3 "$tmp/circle2.out"; fail "circle outside the source tree did not find the source tree's data"; }

# The installed Python package on the installed library.
if python_dir=$(find "$tmp/x/usr" -type d -path '*dist-packages' | head -1) && [ -n "$python_dir" ] \
   && /usr/bin/python3 -c 'import cffi' 2>/dev/null && [ ${#asan[@]} = 0 ]; then
  got=$(cd /tmp && PYTHONPATH="$python_dir" /usr/bin/python3 -c \
        'import tongcheng; print(tongcheng.__version__, tongcheng.library_path())' 2>&1) || fail "import tongcheng: $got"
  [[ "$got" == "0.1.0 $tmp/x/usr/"* ]] || fail "import tongcheng loaded \"$got\", not the installed library"
fi

[ "$fails" = 0 ] && echo "install: all checks passed"
exit $((fails > 0))
