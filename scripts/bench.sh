#!/usr/bin/env bash
# The engine's timing benchmarks, baseline against optimized, and what the allocation
# meter adds to them. Builds four binaries (release preset):
#   memh_bench-<variant>          the timing build: jemalloc with nothing hooked; the
#                                 times of the headline ratio come from these alone
#   memh_bench_metered-<variant>  the same benchmarks with the meter's hooks: bytes and
#                                 allocation calls per operation, and the meter's cost
# and runs all four in turns in this one session (round 1: baseline and optimized
# unhooked, then baseline and optimized metered; round 2: the same, ...), so that a
# change in the machine's load affects all alike. Then it prints per benchmark the
# median real time of each variant unhooked and their ratio baseline / optimized, bytes
# and calls per operation from the metered runs, and the meter's cost: metered /
# unhooked median time and the difference, per variant (scripts/bench_ratio.py).
# Benchmarks: the engine's operations over stores of each size, and each scenario
# file's measured steps (scenario/<name>: a fixed number of runs of the scenario, time =
# its measured operations' own times; harness/bench/scenario_bench.h).
#
#   scripts/bench.sh               short run: stores of 1k and 100k blocks, every
#                                  scenario 3 times, 3 rounds, 0.1 s minimum per
#                                  benchmark (1.5-2 minutes on 2 cores)
#   scripts/bench.sh --full        long run: also the 1M-block store, 0.5 s minimum
#                                  (about 12 minutes)
#   options: --rounds N  --min-time SECONDS  --sizes N,N,...  --filter REGEX
#            --scenario-runs N  (runs of each scenario benchmark per binary and round)
#            --build-dir DIR  (build and run there; default $MEMH_BUILD_DIR, else
#                             build/release)
#            --bin DIR  (run the binaries already built in DIR; no build)
#            --with-sqlite  also memh_bench-sqlite and memh_bench_metered-sqlite, the same
#                           benchmarks over SQLite (docs/sqlite_target.md), in the same
#                           rounds; adds a table of baseline, optimized and SQLite times
#                           with both ratios (baseline/optimized, sqlite/optimized) and
#                           ratio.json's "sqlite" section. Off by default: it adds about
#                           half to the run time (the short run would pass 2.5 minutes
#                           on 2 cores)
#
# Output in results/bench/: <variant>-r<round>.json (the timing build) and
# <variant>-metered-r<round>.json (the metered build), Google Benchmark's JSON, which
# its tools/compare.py reads; a .log beside each (the console table and the store build
# times); ratio.txt (what is printed at the end) and ratio.json (for scripts/report.py).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
min_time=0.1
sizes=1000,100000
filter=.
scenario_runs=3
build_dir=${MEMH_BUILD_DIR:-build/release}
bin=
with_sqlite=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --full) sizes=1000,100000,1000000; min_time=0.5; shift ;;
    --rounds) rounds=$2; shift 2 ;;
    --min-time) min_time=$2; shift 2 ;;
    --sizes) sizes=$2; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    --scenario-runs) scenario_runs=$2; shift 2 ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    --with-sqlite) with_sqlite=1; shift ;;
    --without-sqlite) with_sqlite=0; shift ;;
    -h|--help) sed -n '2,39p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for option in rounds scenario_runs; do
  if ! [[ ${!option} =~ ^[1-9][0-9]*$ ]]; then
    echo "bench.sh: --${option/_/-} must be a positive number, not '${!option}'" >&2
    exit 2
  fi
done

# The two ends of the waterfall (cmake/variants.txt): baseline and optimized.
mapfile -t variants < <(scripts/variants.sh --ends)
first=${variants[0]} last=${variants[1]}
# What runs in each round: the two engine variants, and SQLite when asked.
runs=("${variants[@]}")
if ((with_sqlite)); then runs+=(sqlite); fi
started=$SECONDS
if [[ -z $bin ]]; then
  scripts/install-deps.sh
  cmake --preset release -B "$build_dir" >/dev/null
  targets=()
  for variant in "${runs[@]}"; do targets+=(memh_bench-"$variant" memh_bench_metered-"$variant"); done
  cmake --build "$build_dir" -j 2 --target "${targets[@]}"
  bin=$build_dir/bin
fi

for variant in "${runs[@]}"; do
  for program in memh_bench-"$variant" memh_bench_metered-"$variant"; do
    if [[ ! -x $bin/$program ]]; then
      echo "bench.sh: $bin/$program does not exist (build it, or leave out --with-sqlite)" >&2
      exit 2
    fi
  done
done

out=results/bench
mkdir -p "$out"
rm -f "$out"/"$first"-*r*.json "$out"/"$last"-*r*.json "$out"/"$first"-*r*.log "$out"/"$last"-*r*.log \
  "$out"/sqlite-*r*.json "$out"/sqlite-*r*.log "$out"/ratio.txt "$out"/ratio.json
echo "benchmarks: sizes $sizes, $rounds rounds, min time $min_time s, scenarios $scenario_runs runs each," \
  "filter '$filter'"
echo "times from memh_bench-{${variants[0]},${variants[1]}} (jemalloc, nothing hooked);" \
  "bytes, calls and the meter's cost from memh_bench_metered-{${variants[0]},${variants[1]}} (the meter's hooks)"
for ((round = 1; round <= rounds; round++)); do
  for build in timing metered; do
    for variant in "${runs[@]}"; do
      if [[ $build == timing ]]; then
        program=memh_bench-$variant
        name=$variant-r$round
      else
        program=memh_bench_metered-$variant
        name=$variant-metered-r$round
      fi
      run_started=$SECONDS
      "$bin/$program" --memh_sizes="$sizes" --benchmark_min_time="$min_time" --memh_scenario_runs="$scenario_runs" \
        --benchmark_filter="$filter" --benchmark_out="$out/$name.json" --benchmark_out_format=json \
        >"$out/$name.log" 2>&1 || {
        echo "bench.sh: $program failed in round $round; its output:" >&2
        cat "$out/$name.log" >&2
        exit 1
      }
      echo "round $round/$rounds: $program in $((SECONDS - run_started)) s"
    done
  done
done

if ((with_sqlite)); then
  echo "SQLite: times from memh_bench-sqlite, bytes and calls from memh_bench_metered-sqlite"
fi

sqlite_args=()
if ((with_sqlite)); then sqlite_args=(--sqlite "$out"/sqlite-r*.json --sqlite-metered "$out"/sqlite-metered-r*.json); fi
echo
/usr/bin/python3 scripts/bench_ratio.py \
  --baseline "$out/$first"-r*.json --optimized "$out/$last"-r*.json \
  --baseline-metered "$out/$first"-metered-r*.json --optimized-metered "$out/$last"-metered-r*.json \
  "${sqlite_args[@]}" --json "$out"/ratio.json \
  | tee "$out"/ratio.txt
echo "bench.sh: done in $((SECONDS - started)) s; JSON in $out/"
