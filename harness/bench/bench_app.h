// The memh_bench-<variant> program: Google Benchmark's command line plus two flags of
// its own, then every engine benchmark (store_bench.h) over stores of the chosen sizes.
//
//   --memh_sizes=N[,N...]  block counts of the stores (default 1000,100000). 1000000
//                          is opt-in: building that store takes only ~6-8 s, but every
//                          commit rewrites the whole registry (96 MB at 1M blocks), so
//                          its write-side benchmarks take ~30 s a run.
//                          The environment variable MEMH_BENCH_SIZES sets the same.
//   --memh_dir=DIR         where the scratch directory of the stores goes (default
//                          $TMPDIR, else /tmp); it is removed at exit.
//
// The JSON output (--benchmark_out=FILE --benchmark_out_format=json) is Google
// Benchmark's own, so its tools/compare.py reads it; the context names the variant
// (memh_variant) and its knobs.
#pragma once

#include <string_view>

namespace memh::harness {

int RunBenchApp(int argc, char** argv, std::string_view variant);

}  // namespace memh::harness
