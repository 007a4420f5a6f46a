// What a benchmark binary measures besides time. One interface, two implementations;
// CMake links exactly one into each executable (harness/bench/CMakeLists.txt):
//
//   metering_none.cc   memh_bench-<variant>, the timing build. Linked unhooked
//                      (alloc/unhooked.h): malloc and operator new are jemalloc's,
//                      with no hook in front, so its times are the engine's alone. It
//                      reports no memory figure at all: no counters, no MemoryManager
//                      (an absent figure, never a 0).
//   metering_meter.cc  memh_bench_metered-<variant>, the memory pass. The meter's hooks
//                      count every allocation: bytes_per_op and allocs_per_op counters
//                      (OpCounters) and Google Benchmark's memory fields
//                      (MeterMemoryManager). Its times include the hooks' cost, which
//                      is what scripts/bench.sh reports it for.
//
// The benchmark functions (store_bench.cc, scenario_bench.cc) are the same code in both
// builds and reach the meter only through what is declared here.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "alloc/meter.h"

namespace memh::harness::metering {

// The executable's name before "-<variant>": "memh_bench" or "memh_bench_metered".
const char* ProgramPrefix();

// Called once, before any benchmark is registered. Proves that the build is what it
// claims, or prints "<program>: <why not>" on stderr and exits with status 2 (timing:
// malloc and operator new are jemalloc's, nothing in front of them; metered: the
// meter counts, alloc::RequireInAllocationPath). Then names the build in the JSON
// context (memh_build "timing" | "metered", memh_allocator) and, metered, registers
// the MemoryManager.
void Begin(const std::string& program);
// After the benchmarks ran: unregisters what Begin registered.
void End();

// --memh_sites=N: after each single-threaded benchmark that allocated in its counted
// iterations, the N call sites with the most bytes go to stderr, one line each
// ("<program>: <benchmark>: <bytes> B in <calls> calls at <site key> (<file:line>)"),
// keyed as the scenario runner keys them (runner/sites.h). Timing costs about 2 µs
// per allocation while capturing; the figures counted do not change. Call after Begin.
// Returns false (and says why on stderr) where the build cannot capture: the timing
// build has no hooks.
bool CaptureSites(const std::string& program, int top);

// --memh_check_allocator: the same proof as Begin's, as one line on stdout. Returns
// the exit status: 0 when it holds, 2 when not.
int PrintAllocatorCheck(const std::string& program);

// Work inside a benchmark function that is not the operation measured (settling the
// store) is left out of the memory figures between these. Timing build: nothing.
void PauseMemory();
void ResumeMemory();

// A benchmark's allocations per operation as user counters: "bytes_per_op" (bytes
// requested) and "allocs_per_op" (allocation calls), over the very iterations timed
// and every thread of the benchmark.
//
// Each benchmark thread counts its own allocations. A single-threaded benchmark also
// counts the other threads of the process (the engine's background writer), so what a
// queued write costs the writer is in the figure. With several benchmark threads a
// process-wide figure over one thread's loop would also catch the others' work before
// and after theirs, so only the benchmark threads' own allocations count (the
// multi-threaded benchmarks here only read, which gives the writer nothing to do).
// Pause()/Resume() leave out untimed work inside the loop, from these counters and from
// the MemoryManager's figures alike; the background writer must be idle at both (drain
// the store first). Writing the counters (map nodes in state.counters) is left out of
// the MemoryManager's figures too, by thread 0, the one thread of the run it measures.
// Timing build: every member does nothing and no counter is set.
// Thread-safety: one OpCounters per benchmark thread, used by that thread only;
// Pause/Resume only in single-threaded benchmarks.
class OpCounters {
 public:
  // Starts counting: construct just before the timed loop. `name`: the benchmark's
  // (static storage), for the call sites' lines.
  OpCounters(const benchmark::State& state, const char* name);
  void Pause();
  void Resume();
  // Stops counting and sets the counters: call after the loop (and after draining
  // whatever background work the loop queued).
  void Finish(benchmark::State& state);

 private:
  alloc::Counters Now() const;

  bool whole_process_ = false;  // single-threaded: every thread's allocations are the benchmark's
  const char* name_ = "";
  bool capturing_sites_ = false;  // CaptureSites() was asked for and this benchmark is single-threaded
  alloc::Counters start_;
  alloc::Counters paused_at_;
  alloc::Counters excluded_;
};

// The scenario benchmarks' figures: the measured steps' totals (`all`, every thread,
// as the runner's Region counted them) over `ops` measured operations, as the same
// two counters. Timing build: nothing.
void ReportScenarioAllocations(benchmark::State& state, const alloc::Counters& all, std::uint64_t ops);

}  // namespace memh::harness::metering
