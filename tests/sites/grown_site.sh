#!/bin/sh
# grown_site.sh BASELINE_BIN PATCHED_BIN SOURCE_DIR OUT_DIR PYTHON
# Runs update-500 on the baseline and on its patched copy (CMakeLists.txt: one 4,096-byte
# allocation added in memh::engine::ValidateBlockName), then `compare` and a gate whose
# budget is the baseline's own bytes, and checks with check_grown.py that the patched
# function is the top grown site in each, and in the report's differential graph and
# site-delta table. Prints "grown_site: ok" when it is.
set -eu
base_bin=$1 patched_bin=$2 src=$3 out=$4 python=$5
here=$(dirname "$0")
rm -rf "$out"
mkdir -p "$out"
"$base_bin" run update-500 --scenarios "$src/scenarios" --out "$out/base" >/dev/null
"$patched_bin" run update-500 --scenarios "$src/scenarios" --out "$out/head" >/dev/null
"$base_bin" compare "$out/base/results-baseline.json" "$out/head/results-baseline.json" \
  --json "$out/comparison.json" >"$out/compare.txt"
bytes=$("$python" -c 'import json, sys; print(json.load(open(sys.argv[1]))["scenarios"][0]["range"]["bytes"]["max"])' \
  "$out/base/results-baseline.json")
printf '[update-500.baseline]\nbytes = %s\n' "$bytes" >"$out/budgets.toml"
status=0
"$base_bin" gate "$out/head/results-baseline.json" --budgets "$out/budgets.toml" \
  --base "$out/base/results-baseline.json" --junit "$out/gate.xml" --markdown "$out/gate.md" \
  >"$out/gate.txt" 2>&1 || status=$?
if [ "$status" -ne 1 ]; then
  cat "$out/gate.txt"
  echo "grown_site: the gate exited $status, expected 1 (over budget)"
  exit 1
fi
# The report over the head's results and the comparison: its differential graph and
# site-delta table.
"$python" "$src/scripts/report.py" "$out/head/results-baseline.json" --comparison "$out/comparison.json" \
  --out "$out/report" >/dev/null
exec "$python" "$here/check_grown.py" "$out" "$src"
