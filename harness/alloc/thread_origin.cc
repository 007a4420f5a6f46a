// Tells the program's threads from a preloaded profiler's (system-allocator builds
// only, where heaptrack runs): pthread_create is wrapped, and a thread created before
// the program started, from inside the backend, or by such a thread is marked foreign
// (profiler_support.h). heaptrack's timer thread, for one, allocates once (an
// exception it throws), at a moment that depends on timing.
//
// The wrapper must not allocate (that would add a call to every thread the program
// starts): the new thread's start routine and argument travel in a fixed table.
#include <dlfcn.h>
#include <pthread.h>

#include <atomic>

#include "alloc/profiler_support.h"

namespace memh::harness::alloc {
namespace {

using CreateFn = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);

struct Start {
  std::atomic<bool> used{false};
  void* (*routine)(void*) = nullptr;
  void* arg = nullptr;
  bool foreign = false;
};
Start starts[64];  // threads being started at once; beyond that, a thread counts as the program's

void* Trampoline(void* slot) {
  Start* start = static_cast<Start*>(slot);
  void* (*routine)(void*) = start->routine;
  void* arg = start->arg;
  if (start->foreign) MarkThisThreadForeign();
  start->used.store(false, std::memory_order_release);
  return routine(arg);
}

}  // namespace
}  // namespace memh::harness::alloc

extern "C" int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*routine)(void*), void* arg) {
  using namespace memh::harness::alloc;
  static const CreateFn next = reinterpret_cast<CreateFn>(dlsym(RTLD_NEXT, "pthread_create"));
  const bool foreign = !CreatesProgramThreads();
  for (Start& start : starts) {
    bool expected = false;
    if (!start.used.compare_exchange_strong(expected, true, std::memory_order_acquire)) continue;
    start.routine = routine;
    start.arg = arg;
    start.foreign = foreign;
    const int error = next(thread, attr, Trampoline, &start);
    if (error != 0) start.used.store(false, std::memory_order_release);
    return error;
  }
  return next(thread, attr, routine, arg);
}
