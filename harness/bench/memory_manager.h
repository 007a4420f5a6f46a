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
//
// The first Start() proves that the meter is in the allocation path
// (alloc::CheckInAllocationPath); when it is not, every figure would be a false 0, so
// it prints "<program>: <why>" on stderr and exits with status 2 (Google Benchmark's
// MemoryManager has no way to report an error).
#pragma once

#include <benchmark/benchmark.h>

#include <string>

#include "alloc/meter.h"

namespace memh::harness {

class MeterMemoryManager final : public benchmark::MemoryManager {
 public:
  // `program` names the program in the path check's message.
  explicit MeterMemoryManager(std::string program = "memh_bench_metered") : program_(std::move(program)) {}
  void Start() override;
  void Stop(Result* result) override;

  void Pause();
  void Resume();

 private:
  std::string program_;
  bool checked_ = false;  // the path check ran (first Start)
  alloc::Counters at_start_;
  std::uint64_t live_at_start_ = 0;
  alloc::Counters excluded_;            // allocated between Pause and Resume, since Start
  alloc::Counters at_pause_;
  std::uint64_t peak_before_pause_ = 0; // the peak reached before the latest Pause
};

}  // namespace memh::harness
