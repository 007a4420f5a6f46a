#!/usr/bin/env bash
# The README's run command, the main job end to end: installs what is missing, builds
# every waterfall step (cmake/variants.txt: the baseline, one knob at a time, the
# optimized engine), runs every scenario with each (--repeat 3: bytes must repeat
# exactly), gates the variants ci/budgets.toml has budgets for, compares the first
# step with the last, times the engine's operations baseline against optimized
# (scripts/bench.sh), runs update-500 under heaptrack for both ends (scripts/heaptrack.sh:
# who allocates, checked against the meter), and writes the report (Markdown +
# self-contained HTML + plots). Each step ends with a line "run: <step>: N s"
# (scripts/example-report.sh keeps them).
#   scripts/run.sh [--report DIR] [--results DIR] [--quick | --full-bench]
#     defaults: reports/latest and results/latest; --quick leaves out timing and heaptrack;
#     --full-bench times stores of 1M blocks too (scripts/bench.sh --full: about 20
#     minutes more on 2 cores), as scripts/example-report.sh does for the README
# Exit 0 when everything ran and every budget held; 1 when a budget was exceeded; 3 when
# a single-threaded scenario's figures differed between repeats (nondeterministic): in
# both cases the report is still written and says which. Other codes when a step could
# not run.
set -euo pipefail
cd "$(dirname "$0")/.."

report=reports/latest
out=results/latest
quick=0
bench_size=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --report) report=${2:?--report needs a directory}; shift 2 ;;
    --results) out=${2:?--results needs a directory}; shift 2 ;;
    --quick) quick=1; shift ;;
    --full-bench) bench_size=(--full); shift ;;
    *) echo "run.sh: unknown argument '$1' (usage: scripts/run.sh [--report DIR] [--results DIR] [--quick | --full-bench])" >&2; exit 2 ;;
  esac
done

variants=$(scripts/variants.sh)         # every waterfall step, in order
ends=$(scripts/variants.sh --ends)      # the baseline and the optimized engine
mapfile -t ends <<<"$ends"
gated=$(scripts/variants.sh --budgeted) # what ci/budgets.toml has budgets for

# timed STEP: prints how long the step that just ended took, from $step_start.
timed() { echo "run: $1: $((SECONDS - step_start)) s"; step_start=$SECONDS; }
step_start=$SECONDS
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
timed "build (release preset)"

rm -rf "$out"
mkdir -p "$out"
nondeterministic=0
for variant in $variants; do
  echo
  echo "== $variant"
  run_status=0
  build/release/bin/memharness-"$variant" run --out "$out" --repeat 3 || run_status=$?
  if [[ $run_status -eq 3 ]]; then nondeterministic=1; elif [[ $run_status -ne 0 ]]; then exit "$run_status"; fi
done
timed "scenarios (every variant, --repeat 3)"

echo
echo "== gate (ci/budgets.toml)"
gate_status=0
gate_inputs=()
for variant in $gated; do gate_inputs+=("$out/results-$variant.json"); done
build/release/bin/memharness gate "${gate_inputs[@]}" \
  --budgets ci/budgets.toml --json "$out"/gate.json --markdown "$out"/gate.md --junit "$out"/gate.xml ||
  gate_status=$?
if [[ $gate_status -eq 3 ]]; then nondeterministic=1; gate_status=0; fi
if [[ $gate_status -gt 1 ]]; then exit "$gate_status"; fi

echo
echo "== compare ${ends[0]} -> ${ends[1]}"
build/release/bin/memharness compare "$out/results-${ends[0]}.json" "$out/results-${ends[1]}.json" \
  --json "$out"/comparison.json >/dev/null
timed "gate and comparison"

extra=()
if [[ $quick -eq 0 ]]; then
  echo
  echo "== timing (scripts/bench.sh)"
  scripts/bench.sh --bin build/release/bin --with-sqlite "${bench_size[@]}"
  cp results/bench/ratio.json "$out"/bench-ratio.json
  extra+=(--bench "$out"/bench-ratio.json)
  timed "timing (scripts/bench.sh)"
  for variant in "${ends[@]}"; do
    echo
    echo "== heaptrack: update-500 $variant (scripts/heaptrack.sh)"
    scripts/heaptrack.sh update-500 "$variant" --out "$out/heaptrack-$variant" >/dev/null
    grep -E '^\| (whole run|measured phase)' "$out/heaptrack-$variant/heaptrack.md"
    extra+=(--heaptrack "$out/heaptrack-$variant/heaptrack.json")
  done
  timed "heaptrack (update-500, ${ends[*]})"
fi

rm -rf "$report"
echo
/usr/bin/python3 scripts/report.py "$out"/results-*.json --gate "$out"/gate.json \
  --comparison "$out"/comparison.json "${extra[@]}" --out "$report"
timed "report"
echo "results: $out/ (results-<variant>.json, samples-<variant>.csv, gate.*, comparison.json)"
if [[ $nondeterministic -eq 1 ]]; then exit 3; fi
exit "$gate_status"
