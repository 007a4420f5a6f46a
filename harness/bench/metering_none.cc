// metering.h for memh_bench-<variant>, the timing build: linked unhooked
// (memh_meter_unhooked), on jemalloc with nothing in front of it. Nothing is counted
// and no memory figure is reported: an absent figure, never a 0.
#include <cstdio>

#include "alloc/unhooked.h"
#include "bench/metering.h"

namespace memh::harness::metering {

const char* ProgramPrefix() { return "memh_bench"; }

void Begin(const std::string& program) {
  const alloc::UnhookedCheck check = alloc::CheckUnhookedJemalloc();
  if (!check.passed()) {
    std::fprintf(stderr,
                 "%s: this timing build is meant to run on jemalloc with no hook in front of it, and is not: %s\n",
                 program.c_str(), check.Describe().c_str());
    std::exit(2);
  }
  benchmark::AddCustomContext("memh_build", "timing");
  benchmark::AddCustomContext("memh_allocator", alloc::AllocatorName());
  benchmark::AddCustomContext("memh_jemalloc_version", alloc::JemallocVersion());
}

void End() {}

bool CaptureSites(const std::string& program, int) {
  std::fprintf(stderr, "%s: --memh_sites: the timing build counts no allocation; use memh_bench_metered-*\n",
               program.c_str());
  return false;
}

int PrintAllocatorCheck(const std::string& program) {
  const alloc::UnhookedCheck check = alloc::CheckUnhookedJemalloc();
  std::printf("%s: %s: %s\n", program.c_str(),
              check.passed() ? "timing: unhooked, on jemalloc" : "NOT unhooked on jemalloc", check.Describe().c_str());
  return check.passed() ? 0 : 2;
}

void PauseMemory() {}
void ResumeMemory() {}

OpCounters::OpCounters(const benchmark::State&, const char*) {}
void OpCounters::Pause() {}
void OpCounters::Resume() {}
void OpCounters::Finish(benchmark::State&) {}

void ReportScenarioAllocations(benchmark::State&, const alloc::Counters&, std::uint64_t) {}

}  // namespace memh::harness::metering
