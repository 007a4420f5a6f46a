// MeterMemoryManager: Google Benchmark's MemoryManager over the allocation meter, so a
// benchmark reports allocations the way a scenario does (every thread, requested
// bytes). Benchmark 1.7.1 calls Start() before a fixture's SetUp(), so what SetUp
// allocates is counted too: keep allocation out of SetUp or subtract it knowingly.
#pragma once

#include <benchmark/benchmark.h>

#include "alloc/meter.h"

namespace memh::harness {

class MeterMemoryManager final : public benchmark::MemoryManager {
 public:
  void Start() override;
  void Stop(Result* result) override;

 private:
  alloc::Counters at_start_;
  std::uint64_t live_at_start_ = 0;
};

}  // namespace memh::harness
