// What the meter costs per allocation: malloc/free and new/delete through the hooks
// against jemalloc's own mallocx/dallocx with no hook in between, and the same with call
// sites captured (site_capture.h: each allocation unwinds its stack). Its figures are
// the meter's, so it first proves that the meter is in the allocation path (exit 2 if
// not).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>

#include "alloc/backend.h"
#include "alloc/path_check.h"
#include "alloc/site_capture.h"

namespace {

void BM_MallocFreeMetered(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    void* p = std::malloc(size);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
}
BENCHMARK(BM_MallocFreeMetered)->Arg(16)->Arg(256)->Arg(4096)->Arg(65536);

void BM_NewDeleteMetered(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    char* p = new char[size];
    benchmark::DoNotOptimize(p);
    delete[] p;
  }
}
BENCHMARK(BM_NewDeleteMetered)->Arg(16)->Arg(256)->Arg(4096)->Arg(65536);

// With a SiteTable armed, as during a scenario's measured steps. The stack here is
// Google Benchmark's (about ten frames deep below main), like a scenario's.
void BM_MallocFreeSites(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  memh::harness::alloc::SiteTable table(4096);
  table.Arm();
  for (auto _ : state) {
    void* p = std::malloc(size);
    benchmark::DoNotOptimize(p);
    std::free(p);
  }
  table.Disarm();
}
BENCHMARK(BM_MallocFreeSites)->Arg(16)->Arg(4096);

void BM_BackendDirect(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    void* p = memh::harness::alloc::BackendAllocate(size, 16);
    benchmark::DoNotOptimize(p);
    memh::harness::alloc::BackendFree(p);
  }
  state.SetLabel(memh::harness::alloc::BackendName());
}
BENCHMARK(BM_BackendDirect)->Arg(16)->Arg(256)->Arg(4096)->Arg(65536);

}  // namespace

int main(int argc, char** argv) {
  memh::harness::alloc::RequireInAllocationPath("meter_bench");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
