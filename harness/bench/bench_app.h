// The memh_bench-<variant> and memh_bench_metered-<variant> programs (metering.h says
// how they differ): Google Benchmark's command line plus flags of their own, then every
// engine benchmark (store_bench.h) over stores of the chosen sizes and every scenario
// benchmark (scenario_bench.h).
//
//   --memh_sizes=N[,N...]  block counts of the stores (default 1000,100000). 1000000
//                          is opt-in (scripts/bench.sh --full): building that store
//                          takes a few seconds, and it holds ~160 MB of registry in
//                          memory (docs/engine_design.md, "Memory per block").
//                          The environment variable MEMH_BENCH_SIZES sets the same.
//   --memh_dir=DIR         where the scratch directory of the stores goes (default
//                          $TMPDIR, else /tmp); it is removed at exit.
//   --memh_scenarios=DIR   the scenario files (*.toml) to benchmark (default: this
//                          source tree's scenarios/); "none" for none.
//   --memh_scenario_runs=N runs of each scenario benchmark (default 5).
//   --memh_scale_scenarios also benchmarks the scale scenarios (those with filler
//                          steps, docs/scenario_format.md), left out by default: they
//                          are there for the allocation gate, and their million-block
//                          store is made once per program run and copied per iteration.
//   --memh_check_allocator prints whether the allocator is what the build claims
//                          (timing: jemalloc with nothing hooked; metered: the meter
//                          counts) and exits 0 if so, 2 if not; runs no benchmark.
//
// The JSON output (--benchmark_out=FILE --benchmark_out_format=json) is Google
// Benchmark's own, so its tools/compare.py reads it; the context names the variant
// (memh_variant), its knobs, the build (memh_build: timing | metered) and the
// allocator (memh_allocator).
#pragma once

#include <string_view>

namespace memh::harness {

int RunBenchApp(int argc, char** argv, std::string_view variant);

}  // namespace memh::harness
