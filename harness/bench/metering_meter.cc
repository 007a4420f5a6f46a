// metering.h for memh_bench_metered-<variant>: the meter's hooks count, the figures
// are reported.
#include <cstdio>
#include <memory>

#include "alloc/path_check.h"
#include "bench/memory_manager.h"
#include "bench/metering.h"

namespace memh::harness::metering {
namespace {

std::unique_ptr<MeterMemoryManager> g_memory;  // between Begin and End

}  // namespace

const char* ProgramPrefix() { return "memh_bench_metered"; }

void Begin(const std::string& program) {
  alloc::RequireInAllocationPath(program.c_str());
  benchmark::AddCustomContext("memh_build", "metered");
  benchmark::AddCustomContext("memh_allocator", alloc::AllocatorName());
  g_memory = std::make_unique<MeterMemoryManager>(program);
  benchmark::RegisterMemoryManager(g_memory.get());
}

void End() {
  benchmark::RegisterMemoryManager(nullptr);
  g_memory.reset();
}

int PrintAllocatorCheck(const std::string& program) {
  const alloc::PathCheck check = alloc::CheckInAllocationPath();
  if (!check.passed()) {
    std::printf("%s: %s\n", program.c_str(), check.FailureMessage().c_str());
    return 2;
  }
  std::printf("%s: metered: the allocation meter counts (malloc(%llu) and operator new(%llu) each counted as "
              "exactly one call of their bytes and one free), allocator %s\n",
              program.c_str(), static_cast<unsigned long long>(check.malloc_probe.requested),
              static_cast<unsigned long long>(check.new_probe.requested), alloc::AllocatorName());
  return 0;
}

void PauseMemory() {
  if (g_memory) g_memory->Pause();
}

void ResumeMemory() {
  if (g_memory) g_memory->Resume();
}

OpCounters::OpCounters(const benchmark::State& state) : whole_process_(state.threads() == 1), start_(Now()) {}

alloc::Counters OpCounters::Now() const { return whole_process_ ? alloc::Process() : alloc::ThisThread(); }

void OpCounters::Pause() {
  paused_at_ = Now();
  PauseMemory();
}

void OpCounters::Resume() {
  ResumeMemory();
  excluded_ += Now() - paused_at_;
}

void OpCounters::Finish(benchmark::State& state) {
  const alloc::Counters delta = Now() - start_ - excluded_;
  // Only thread 0 touches the MemoryManager: its run has that one thread, and the
  // other threads of a timing run would race on it.
  const bool pause_memory = state.thread_index() == 0;
  if (pause_memory) PauseMemory();
  // kAvgIterations: Google Benchmark sums each thread's value, then divides by the
  // iterations of all threads together.
  state.counters["bytes_per_op"] =
      benchmark::Counter(static_cast<double>(delta.bytes), benchmark::Counter::kAvgIterations);
  state.counters["allocs_per_op"] =
      benchmark::Counter(static_cast<double>(delta.calls), benchmark::Counter::kAvgIterations);
  if (pause_memory) ResumeMemory();
}

void ReportScenarioAllocations(benchmark::State& state, const alloc::Counters& all, std::uint64_t ops) {
  if (ops == 0) return;
  PauseMemory();
  state.counters["bytes_per_op"] = benchmark::Counter(static_cast<double>(all.bytes) / static_cast<double>(ops));
  state.counters["allocs_per_op"] = benchmark::Counter(static_cast<double>(all.calls) / static_cast<double>(ops));
  ResumeMemory();
}

}  // namespace memh::harness::metering
