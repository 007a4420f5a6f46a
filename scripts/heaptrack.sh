#!/usr/bin/env bash
# Runs one scenario under heaptrack and writes who allocates in its measured phase
# (top call sites by bytes and by calls, with short stacks), holding heaptrack's
# counts to the meter's: the whole run's calls in the same run, and the measured
# phase's calls and bytes against a run of the same binary without heaptrack.
#   scripts/heaptrack.sh SCENARIO [VARIANT] [--out DIR] [--bin DIR]
# SCENARIO: a name in scenarios/ or a .toml path; VARIANT: default the last of
# cmake/variants.txt (the optimized engine).
# Uses the system-allocator build (preset heaptrack, build/heaptrack/), in which the
# meter forwards to the next malloc in line: heaptrack's. Writes DIR/heaptrack.md and
# heaptrack.json (for scripts/report.py --heaptrack) and keeps heaptrack's data file;
# default DIR: results/heaptrack/<scenario>-<variant>/. Exit 1 when heaptrack and the
# meter disagree.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

usage="usage: scripts/heaptrack.sh SCENARIO [VARIANT] [--out DIR] [--bin DIR]"
positional=()
out=""
bin=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --bin) bin=${2:?--bin needs a directory}; shift 2 ;;
    -*) echo "heaptrack.sh: unknown option '$1' ($usage)" >&2; exit 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
if [[ ${#positional[@]} -lt 1 || ${#positional[@]} -gt 2 ]]; then echo "heaptrack.sh: $usage" >&2; exit 2; fi
scenario=${positional[0]}
variant=${positional[1]:-}
if [[ -z $variant ]]; then variant=$(scripts/variants.sh --ends | tail -n 1); fi
name=$(basename "$scenario" .toml)
out=${out:-results/heaptrack/$name-$variant}

if [[ -z "$bin" ]]; then
  scripts/install-deps.sh
  cmake --preset heaptrack >/dev/null
  cmake --build --preset heaptrack --target "memharness-$variant"
  bin=build/heaptrack/bin
fi
memharness=$(realpath "$bin/memharness-$variant")
[[ -x "$memharness" ]] || { echo "heaptrack.sh: $bin/memharness-$variant: no such binary" >&2; exit 2; }

rm -rf "$out"
mkdir -p "$out/plain" "$out/heaptrack"
# The same binary and scenario without heaptrack: the meter's own figures.
"$memharness" run "$scenario" --out "$out/plain" >"$out/plain/run.log" 2>&1
# Under heaptrack, with the measured phase marked.
MEMH_PHASE_MARKS=1 MEMH_METER_EXIT_REPORT="$out/heaptrack/meter-exit.json" \
  heaptrack -o "$out/heaptrack/trace" "$memharness" run "$scenario" --out "$out/heaptrack" >"$out/heaptrack/run.log" 2>&1 || {
  echo "heaptrack.sh: the run under heaptrack failed; see $out/heaptrack/run.log" >&2
  exit 2
}
trace=$(ls "$out"/heaptrack/trace.* 2>/dev/null | head -1)
/usr/bin/python3 scripts/heaptrack_report.py --trace "$trace" \
  --meter-exit "$out/heaptrack/meter-exit.json" \
  --plain-results "$out/plain/results-$variant.json" --scenario "$name" --source-root "$root" --out "$out"
