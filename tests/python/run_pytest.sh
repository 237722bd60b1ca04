#!/usr/bin/env bash
# run_pytest.sh — the Python package's tests (tests/python) under Debian's python3 against the freshly built
# libtongcheng.so; exit 77 (skipped) when python3-pytest or python3-cffi / pandas / geopandas are missing.
set -uo pipefail
: "${TC_SRC:?}" "${TONGCHENG_LIBRARY:?}"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
"$py" -c 'import pytest, cffi, pandas, geopandas, shapely' 2>/dev/null \
  || { echo "python3-pytest, -cffi, -pandas, -geopandas or -shapely missing: skipped"; exit 77; }
export PYTHONPATH="$TC_SRC/python${PYTHONPATH:+:$PYTHONPATH}"
cd "$TC_SRC/tests/python" && exec "$py" -m pytest -q -p no:cacheprovider "$@" .
