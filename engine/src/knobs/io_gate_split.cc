// Optimized locks: readers share the gate and run concurrently; a state change takes
// it exclusively; the background writer's I/O to extents no reader can see yet holds
// no gate at all (positional I/O keeps it from disturbing readers), only its own
// mutex, so readers are never stuck behind a batch being written.
#include <atomic>
#include <mutex>
#include <shared_mutex>

#include "knobs/io_gate.h"

namespace memh::engine {

struct IoGate::State {
  std::shared_mutex gate;
  std::mutex writer_io;
  std::atomic<std::uint64_t> readers_inside{0};
  std::atomic<std::uint64_t> max_readers{0};
};

IoGate::IoGate() : state_(std::make_unique<State>()) {}
IoGate::~IoGate() = default;

void IoGate::LockShared() {
  state_->gate.lock_shared();
  std::uint64_t inside = state_->readers_inside.fetch_add(1, std::memory_order_relaxed) + 1;
  std::uint64_t seen = state_->max_readers.load(std::memory_order_relaxed);
  while (inside > seen && !state_->max_readers.compare_exchange_weak(seen, inside, std::memory_order_relaxed)) {
  }
}
void IoGate::UnlockShared() {
  state_->readers_inside.fetch_sub(1, std::memory_order_relaxed);
  state_->gate.unlock_shared();
}
void IoGate::LockExclusive() { state_->gate.lock(); }
void IoGate::UnlockExclusive() { state_->gate.unlock(); }
void IoGate::LockWriterIo() { state_->writer_io.lock(); }
void IoGate::UnlockWriterIo() { state_->writer_io.unlock(); }

std::uint64_t IoGate::max_concurrent_readers() const {
  return state_->max_readers.load(std::memory_order_relaxed);
}
std::string_view IoGate::StrategyName() { return "split"; }

}  // namespace memh::engine
