#include "runner/worker_pool.h"

namespace memh::harness {

WorkerPool::WorkerPool(std::uint32_t workers) {
  threads_.reserve(workers);
  for (std::uint32_t i = 0; i < workers; ++i) threads_.emplace_back([this, i] { WorkerLoop(i + 1); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::RunErased(std::uint32_t threads, void* task, Trampoline call) {
  {
    std::lock_guard lock(mutex_);
    task_ = task;
    call_ = call;
    active_ = threads - 1;
    pending_ = threads - 1;
    ++generation_;
  }
  cv_.notify_all();
  call(task, 0);
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return pending_ == 0; });
}

void WorkerPool::WorkerLoop(std::uint32_t index) {
  std::uint64_t seen = 0;
  for (;;) {
    void* task;
    Trampoline call;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      if (index > active_) continue;  // not needed for this task
      task = task_;
      call = call_;
    }
    call(task, index);
    {
      std::lock_guard lock(mutex_);
      --pending_;
    }
    cv_.notify_all();
  }
}

}  // namespace memh::harness
