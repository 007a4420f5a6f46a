// MeterMemoryManager: Google Benchmark's MemoryManager over the allocation meter, so a
// benchmark reports allocations the way a scenario does (every thread, requested
// bytes). Benchmark 1.7.1 calls Start() before a fixture's SetUp(), so what SetUp
// allocates is counted too: keep allocation out of SetUp or subtract it knowingly.
// Pause()/Resume() are how a benchmark subtracts knowingly: what the process allocates
// between them (untimed setup or cleanup inside the benchmark function) is left out of
// every figure, and so is the peak it reaches.
// Thread-safety: Google Benchmark calls Start/Stop from its runner thread; Pause/Resume
// belong to a single-threaded benchmark whose other threads (the engine's writer) are
// idle at both calls. Outside a Start/Stop pair, Pause/Resume change nothing reported.
#pragma once

#include <benchmark/benchmark.h>

#include "alloc/meter.h"

namespace memh::harness {

class MeterMemoryManager final : public benchmark::MemoryManager {
 public:
  void Start() override;
  void Stop(Result* result) override;

  void Pause();
  void Resume();

 private:
  alloc::Counters at_start_;
  std::uint64_t live_at_start_ = 0;
  alloc::Counters excluded_;            // allocated between Pause and Resume, since Start
  alloc::Counters at_pause_;
  std::uint64_t peak_before_pause_ = 0; // the peak reached before the latest Pause
};

}  // namespace memh::harness
