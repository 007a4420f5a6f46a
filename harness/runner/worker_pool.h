// WorkerPool: client threads made before measuring starts, so that a multi-threaded
// step does not count thread creation as its own allocations. Run() hands every
// thread (the caller as thread 0, the workers as 1..n-1) the same task and waits for
// all of them; handing over a task allocates nothing (no std::function).
// Thread-safety: Run() from one thread at a time.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace memh::harness {

class WorkerPool {
 public:
  explicit WorkerPool(std::uint32_t workers);  // threads besides the caller
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Calls task(i) on `threads` threads (i = 0 on the caller).
  // REQUIRES 1 <= threads <= workers + 1. If task(0) throws on the caller, Run leaves
  // while the workers may still be running theirs: tasks report errors as values.
  template <typename Task>
  void Run(std::uint32_t threads, Task& task) {
    RunErased(threads, &task, [](void* t, std::uint32_t i) { (*static_cast<Task*>(t))(i); });
  }

 private:
  using Trampoline = void (*)(void*, std::uint32_t);
  void RunErased(std::uint32_t threads, void* task, Trampoline call);
  void WorkerLoop(std::uint32_t index);

  std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t generation_ = 0;  // bumped per task
  std::uint32_t active_ = 0;      // workers taking part in the current task
  std::uint32_t pending_ = 0;     // of those, still running
  void* task_ = nullptr;
  Trampoline call_ = nullptr;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace memh::harness
