#include "bench/op_counters.h"

namespace memh::harness {

OpCounters::OpCounters(const benchmark::State& state, MeterMemoryManager& memory)
    : memory_(memory), whole_process_(state.threads() == 1), start_(Now()) {}

alloc::Counters OpCounters::Now() const { return whole_process_ ? alloc::Process() : alloc::ThisThread(); }

void OpCounters::Pause() {
  paused_at_ = Now();
  memory_.Pause();
}

void OpCounters::Resume() {
  memory_.Resume();
  excluded_ += Now() - paused_at_;
}

void OpCounters::Finish(benchmark::State& state) {
  const alloc::Counters delta = Now() - start_ - excluded_;
  // Only thread 0 touches the MemoryManager: its run has that one thread, and the
  // other threads of a timing run would race on it.
  const bool pause_memory = state.thread_index() == 0;
  if (pause_memory) memory_.Pause();
  // kAvgIterations: Google Benchmark sums each thread's value, then divides by the
  // iterations of all threads together.
  state.counters["bytes_per_op"] =
      benchmark::Counter(static_cast<double>(delta.bytes), benchmark::Counter::kAvgIterations);
  state.counters["allocs_per_op"] =
      benchmark::Counter(static_cast<double>(delta.calls), benchmark::Counter::kAvgIterations);
  if (pause_memory) memory_.Resume();
}

}  // namespace memh::harness
