// Clock: where the engine reads the time it stamps into the file (block last-modified,
// last vacuum, commit time). The caller supplies it, so a scenario with a fixed clock
// writes byte-identical files run after run.
// Thread-safety: NowMillis() may be called from any engine thread at once.
#pragma once

#include <atomic>
#include <cstdint>

namespace memh::engine {

class Clock {
 public:
  virtual ~Clock() = default;
  // Milliseconds since the Unix epoch (or any origin the caller chooses).
  virtual std::uint64_t NowMillis() = 0;
};

// Wall-clock time (CLOCK_REALTIME). The default when StoreOptions::clock is null.
Clock& SystemClock();

// A clock that only moves when told to: what scenarios and tests use.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::uint64_t start_millis = 0) : now_(start_millis) {}
  std::uint64_t NowMillis() override { return now_.load(std::memory_order_relaxed); }
  void Set(std::uint64_t millis) { now_.store(millis, std::memory_order_relaxed); }
  void Advance(std::uint64_t millis) { now_.fetch_add(millis, std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> now_;
};

}  // namespace memh::engine
