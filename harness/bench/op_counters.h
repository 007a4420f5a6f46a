// OpCounters: a benchmark's allocations per operation as user counters
// (state.counters), measured by the meter around the timed loop: "bytes_per_op" (bytes
// requested) and "allocs_per_op" (allocation calls), per iteration over every thread
// of the benchmark. Unlike the MemoryManager's figures, which come from a separate run
// of at most 16 iterations, they cover the very iterations that were timed.
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
// Thread-safety: one OpCounters per benchmark thread, used by that thread only;
// Pause/Resume only in single-threaded benchmarks.
#pragma once

#include <benchmark/benchmark.h>

#include "alloc/meter.h"
#include "bench/memory_manager.h"

namespace memh::harness {

class OpCounters {
 public:
  // Starts counting: construct just before the timed loop.
  OpCounters(const benchmark::State& state, MeterMemoryManager& memory);
  void Pause();
  void Resume();
  // Stops counting and sets the counters: call after the loop (and after draining
  // whatever background work the loop queued).
  void Finish(benchmark::State& state);

 private:
  alloc::Counters Now() const;

  MeterMemoryManager& memory_;
  bool whole_process_;  // single-threaded: every thread's allocations are the benchmark's
  alloc::Counters start_;
  alloc::Counters paused_at_;
  alloc::Counters excluded_;
};

}  // namespace memh::harness
