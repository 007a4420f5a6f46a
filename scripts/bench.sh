#!/usr/bin/env bash
# The engine's timing benchmarks, baseline against optimized: builds the two benchmark
# binaries (release preset), runs them in turns in this one session (round 1: baseline
# then optimized, round 2: the same, ...), so that a change in the machine's load
# affects both alike, and prints per benchmark the ratio baseline / optimized of the
# median real time over the rounds (scripts/bench_ratio.py).
#
#   scripts/bench.sh               short run: stores of 1k and 100k blocks, 3 rounds,
#                                  0.2 s minimum per benchmark (about 1 minute on 2 cores)
#   scripts/bench.sh --full        long run: also the 1M-block store, 0.5 s minimum
#                                  (about 6 minutes)
#   options: --rounds N  --min-time SECONDS  --sizes N,N,...  --filter REGEX
#            --bin DIR  (run the memh_bench-* binaries already built in DIR; no build)
#
# Output in results/bench/: <variant>-r<round>.json (Google Benchmark's JSON, which its
# tools/compare.py reads), <variant>-r<round>.log (the console table and the store build
# times), ratio.txt (what is printed at the end) and ratio.json (for scripts/report.py).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
min_time=0.2
sizes=1000,100000
filter=.
bin=
while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) sizes=1000,100000,1000000; min_time=0.5; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --min-time) min_time=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if ! [[ $rounds =~ ^[1-9][0-9]*$ ]]; then
  echo "bench.sh: --rounds must be a positive number, not '$rounds'" >&2
  exit 2
fi

started=$SECONDS
if [[ -z $bin ]]; then
  scripts/install-deps.sh
  cmake --preset release >/dev/null
  cmake --build --preset release --target memh_bench-baseline memh_bench-optimized
  bin=build/release/bin
fi

out=results/bench
mkdir -p "$out"
rm -f "$out"/baseline-r*.json "$out"/optimized-r*.json "$out"/baseline-r*.log "$out"/optimized-r*.log "$out"/ratio.txt
echo "benchmarks: sizes $sizes, $rounds rounds, min time $min_time s, filter '$filter'"
for ((round = 1; round <= rounds; round++)); do
  for variant in baseline optimized; do
    run_started=$SECONDS
    "$bin"/memh_bench-"$variant" --memh_sizes="$sizes" --benchmark_min_time="$min_time" \
      --benchmark_filter="$filter" --benchmark_out="$out/$variant-r$round.json" --benchmark_out_format=json \
      >"$out/$variant-r$round.log" 2>&1 || {
      echo "bench.sh: memh_bench-$variant failed in round $round; its output:" >&2
      cat "$out/$variant-r$round.log" >&2
      exit 1
    }
    echo "round $round/$rounds: $variant in $((SECONDS - run_started)) s"
  done
done

echo
/usr/bin/python3 scripts/bench_ratio.py --baseline "$out"/baseline-r*.json --optimized "$out"/optimized-r*.json \
  --json "$out"/ratio.json \
  | tee "$out"/ratio.txt
echo "bench.sh: done in $((SECONDS - started)) s; JSON in $out/"
