#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang, AddressSanitizer + UBSan) and runs
# each for a while from its committed seeds (fuzz/corpus/<target>/), printing how many
# inputs it executed. Any crash, sanitizer report or failed property stops with the
# input that caused it, kept in build/fuzz/artifacts/.
#   scripts/fuzz.sh [--seconds N] [--long] [TARGET...]
#     default: 30 s per target (what CI runs); --long: 20 minutes per target
#     targets: open_store ops_model harness_inputs (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=30
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --long) seconds=1200; shift ;;
    -*) echo "fuzz.sh: unknown option '$1' (usage: scripts/fuzz.sh [--seconds N] [--long] [TARGET...])" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds must be a positive number, not '$seconds'" >&2; exit 2; }
[[ ${#targets[@]} -gt 0 ]] || targets=(open_store ops_model harness_inputs)
for target in "${targets[@]}"; do
  [[ -d fuzz/corpus/$target ]] || { echo "fuzz.sh: no fuzz target '$target' (fuzz/corpus/$target is missing)" >&2; exit 2; }
done

scripts/install-deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p build/fuzz/artifacts
status=0
for target in "${targets[@]}"; do
  work=build/fuzz/corpus/$target  # grows across runs; the committed seeds stay as they are
  mkdir -p "$work"
  log=build/fuzz/$target.log
  start=$SECONDS
  if TMPDIR=$scratch build/fuzz/bin/"${target}_fuzzer" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 \
       -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/"$target"- "$work" fuzz/corpus/"$target" \
       >"$log" 2>&1; then
    verdict="0 failures"
  else
    verdict="FAILED (see $log; the input is in build/fuzz/artifacts/)"
    status=1
  fi
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  echo "fuzz: $target: ${executions:-?} executions in $((SECONDS - start)) s, corpus $(ls "$work" | wc -l) inputs, $verdict"
  if [[ $status -ne 0 ]]; then grep -E "ERROR|fuzz property|SUMMARY" "$log" | head -5 >&2 || true; fi
done
exit "$status"
