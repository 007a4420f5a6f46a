#include "bench/memory_manager.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "alloc/path_check.h"

// Debian's libbenchmark 1.7.1 does not export this static member, yet Result's
// constructor (inline, in the header) reads it. The library defines it as INT64_MAX;
// so do we, for code that builds a Result itself.
const std::int64_t benchmark::MemoryManager::TombstoneValue = std::numeric_limits<std::int64_t>::max();

namespace memh::harness {

void MeterMemoryManager::Start() {
  if (!checked_) {
    checked_ = true;
    const alloc::PathCheck check = alloc::CheckInAllocationPath();
    if (!check.passed()) {
      const std::string line = program_ + ": " + check.FailureMessage() + "\n";
      std::fputs(line.c_str(), stderr);
      std::exit(2);
    }
  }
  live_at_start_ = alloc::LiveBytes();
  alloc::ResetPeak();
  excluded_ = {};
  peak_before_pause_ = 0;
  at_start_ = alloc::Process();
}

void MeterMemoryManager::Stop(Result* result) {
  const alloc::Counters delta = alloc::Process() - at_start_ - excluded_;
  const std::uint64_t peak = std::max(alloc::PeakLiveBytes(), peak_before_pause_);
  result->num_allocs = static_cast<std::int64_t>(delta.calls);
  result->total_allocated_bytes = static_cast<std::int64_t>(delta.bytes);
  result->net_heap_growth = delta.net_bytes();
  result->max_bytes_used = static_cast<std::int64_t>(peak > live_at_start_ ? peak - live_at_start_ : 0);
}

void MeterMemoryManager::Pause() {
  peak_before_pause_ = std::max(peak_before_pause_, alloc::PeakLiveBytes());
  at_pause_ = alloc::Process();
}

void MeterMemoryManager::Resume() {
  excluded_ += alloc::Process() - at_pause_;
  // The peak measured from here on starts at what is live now; the paused stretch's own
  // peak is forgotten, the one before it kept in peak_before_pause_.
  alloc::ResetPeak();
}

}  // namespace memh::harness
