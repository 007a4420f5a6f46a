// metering.h for memh_bench_metered-<variant>: the meter's hooks count, the figures
// are reported.
#include <cstdio>
#include <memory>

#include "alloc/path_check.h"
#include "bench/memory_manager.h"
#include "bench/metering.h"
#include "runner/sites.h"

namespace memh::harness::metering {
namespace {

std::unique_ptr<MeterMemoryManager> g_memory;  // between Begin and End
std::unique_ptr<SiteCapture> g_sites;          // --memh_sites, until End
int g_top_sites = 0;
std::string g_program;

// One line per site, the most bytes first; the pseudo-sites (untracked stacks, frees of
// older blocks) too, when they allocated.
void PrintTopSites(const benchmark::State& state, const char* name, const SiteSummary& summary) {
  int printed = 0;
  for (const Site& site : summary.sites) {
    if (printed == g_top_sites) break;
    if (site.counts.calls == 0) continue;
    std::string where;
    for (const std::string& location : site.locations) {
      if (location.empty()) continue;
      where = " (" + location + ")";
      break;
    }
    std::fprintf(stderr, "%s: %s/%lld (%lld iterations): %llu B in %llu calls at %s%s\n", g_program.c_str(), name,
                 static_cast<long long>(state.range(0)), static_cast<long long>(state.iterations()),
                 static_cast<unsigned long long>(site.counts.bytes), static_cast<unsigned long long>(site.counts.calls),
                 site.key.c_str(), where.c_str());
    ++printed;
  }
}

}  // namespace

const char* ProgramPrefix() { return "memh_bench_metered"; }

void Begin(const std::string& program) {
  alloc::RequireInAllocationPath(program.c_str());
  benchmark::AddCustomContext("memh_build", "metered");
  benchmark::AddCustomContext("memh_allocator", alloc::AllocatorName());
  g_memory = std::make_unique<MeterMemoryManager>(program);
  benchmark::RegisterMemoryManager(g_memory.get());
}

bool CaptureSites(const std::string& program, int top) {
  g_program = program;
  g_top_sites = top;
  g_sites = std::make_unique<SiteCapture>(MEMH_SOURCE_DIR);
  return true;
}

void End() {
  benchmark::RegisterMemoryManager(nullptr);
  g_memory.reset();
  g_sites.reset();
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

OpCounters::OpCounters(const benchmark::State& state, const char* name)
    : whole_process_(state.threads() == 1), name_(name), capturing_sites_(g_sites != nullptr && whole_process_) {
  if (capturing_sites_) g_sites->table.Arm();
  start_ = Now();
}

alloc::Counters OpCounters::Now() const { return whole_process_ ? alloc::Process() : alloc::ThisThread(); }

void OpCounters::Pause() {
  paused_at_ = Now();
  if (capturing_sites_) g_sites->table.Suspend();
  PauseMemory();
}

void OpCounters::Resume() {
  ResumeMemory();
  if (capturing_sites_) g_sites->table.Resume();
  excluded_ += Now() - paused_at_;
}

void OpCounters::Finish(benchmark::State& state) {
  const alloc::Counters delta = Now() - start_ - excluded_;
  if (capturing_sites_) g_sites->table.Disarm();
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
  if (capturing_sites_ && delta.calls > 0) {
    PrintTopSites(state, name_, SummarizeSites(g_sites->table, g_sites->symbolizer, g_sites->source_dir));
  }
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
