#!/usr/bin/env bash
# The README's run command, the main job end to end: installs what is missing, builds
# every waterfall step (baseline, plus-buffers, plus-writes, optimized), runs every
# scenario with each (--repeat 3: bytes must repeat exactly), gates the baseline and
# optimized results against ci/budgets.toml, compares the two, times the engine's
# operations baseline against optimized (scripts/bench.sh), runs update-500 under
# heaptrack for both (scripts/heaptrack.sh: who allocates, checked against the meter),
# and writes the report (Markdown + self-contained HTML + plots).
#   scripts/run.sh [--report DIR] [--results DIR] [--quick]
#     defaults: reports/latest and results/latest; --quick leaves out timing and heaptrack
# Exit 0 when everything ran and every budget held; 1 when a budget was exceeded (the
# report is still written and says which); other codes when a step could not run.
set -euo pipefail
cd "$(dirname "$0")/.."

report=reports/latest
out=results/latest
quick=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --report) report=${2:?--report needs a directory}; shift 2 ;;
    --results) out=${2:?--results needs a directory}; shift 2 ;;
    --quick) quick=1; shift ;;
    *) echo "run.sh: unknown argument '$1' (usage: scripts/run.sh [--report DIR] [--results DIR] [--quick])" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release

rm -rf "$out"
mkdir -p "$out"
for variant in baseline plus-buffers plus-writes optimized; do
  echo
  echo "== $variant"
  build/release/bin/memharness-"$variant" run --out "$out" --repeat 3
done

echo
echo "== gate (ci/budgets.toml)"
gate_status=0
build/release/bin/memharness gate "$out"/results-baseline.json "$out"/results-optimized.json \
  --budgets ci/budgets.toml --json "$out"/gate.json --markdown "$out"/gate.md --junit "$out"/gate.xml ||
  gate_status=$?
if [[ $gate_status -gt 1 ]]; then exit "$gate_status"; fi

echo
echo "== compare baseline -> optimized"
build/release/bin/memharness compare "$out"/results-baseline.json "$out"/results-optimized.json \
  --json "$out"/comparison.json >/dev/null

extra=()
if [[ $quick -eq 0 ]]; then
  echo
  echo "== timing (scripts/bench.sh)"
  scripts/bench.sh --bin build/release/bin
  cp results/bench/ratio.json "$out"/bench-ratio.json
  extra+=(--bench "$out"/bench-ratio.json)
  for variant in baseline optimized; do
    echo
    echo "== heaptrack: update-500 $variant (scripts/heaptrack.sh)"
    scripts/heaptrack.sh update-500 "$variant" --out "$out/heaptrack-$variant" >/dev/null
    grep -E '^\| (whole run|measured phase)' "$out/heaptrack-$variant/heaptrack.md"
    extra+=(--heaptrack "$out/heaptrack-$variant/heaptrack.json")
  done
fi

rm -rf "$report"
echo
/usr/bin/python3 scripts/report.py "$out"/results-*.json --gate "$out"/gate.json \
  --comparison "$out"/comparison.json "${extra[@]}" --out "$report"
echo "results: $out/ (results-<variant>.json, samples-<variant>.csv, gate.*, comparison.json)"
exit "$gate_status"
