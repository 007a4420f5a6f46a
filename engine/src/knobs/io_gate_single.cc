// Baseline locks: one mutex serializes every reader, every state change and the
// background writer's I/O, like the original's single I/O gate (a binary semaphore).
#include <atomic>
#include <mutex>

#include "knobs/io_gate.h"

namespace memh::engine {

struct IoGate::State {
  std::mutex mutex;
  std::uint64_t readers_inside = 0;  // guarded by mutex
  std::atomic<std::uint64_t> max_readers{0};
};

IoGate::IoGate() : state_(std::make_unique<State>()) {}
IoGate::~IoGate() = default;

void IoGate::LockShared() {
  state_->mutex.lock();
  std::uint64_t inside = ++state_->readers_inside;
  if (inside > state_->max_readers.load(std::memory_order_relaxed)) {
    state_->max_readers.store(inside, std::memory_order_relaxed);
  }
}
void IoGate::UnlockShared() {
  --state_->readers_inside;
  state_->mutex.unlock();
}
void IoGate::LockExclusive() { state_->mutex.lock(); }
void IoGate::UnlockExclusive() { state_->mutex.unlock(); }
void IoGate::LockWriterIo() { state_->mutex.lock(); }
void IoGate::UnlockWriterIo() { state_->mutex.unlock(); }

std::uint64_t IoGate::max_concurrent_readers() const {
  return state_->max_readers.load(std::memory_order_relaxed);
}
std::string_view IoGate::StrategyName() { return "single"; }

}  // namespace memh::engine
