// memh_bench-<variant>: the engine's timing benchmarks over the engine variant this
// executable links (bench_app.h has the flags).
#include "bench/bench_app.h"

#ifndef MEMH_VARIANT_NAME
#error "the build defines MEMH_VARIANT_NAME for each memh_bench executable"
#endif

int main(int argc, char** argv) { return memh::harness::RunBenchApp(argc, argv, MEMH_VARIANT_NAME); }
