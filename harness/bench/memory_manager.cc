#include "bench/memory_manager.h"

#include <limits>

// Debian's libbenchmark 1.7.1 does not export this static member, yet Result's
// constructor (inline, in the header) reads it. The library defines it as INT64_MAX;
// so do we, for code that builds a Result itself.
const std::int64_t benchmark::MemoryManager::TombstoneValue = std::numeric_limits<std::int64_t>::max();

namespace memh::harness {

void MeterMemoryManager::Start() {
  live_at_start_ = alloc::LiveBytes();
  alloc::ResetPeak();
  at_start_ = alloc::Process();
}

void MeterMemoryManager::Stop(Result* result) {
  const alloc::Counters delta = alloc::Process() - at_start_;
  const std::uint64_t peak = alloc::PeakLiveBytes();
  result->num_allocs = static_cast<std::int64_t>(delta.calls);
  result->total_allocated_bytes = static_cast<std::int64_t>(delta.bytes);
  result->net_heap_growth = delta.net_bytes();
  result->max_bytes_used = static_cast<std::int64_t>(peak > live_at_start_ ? peak - live_at_start_ : 0);
}

}  // namespace memh::harness
