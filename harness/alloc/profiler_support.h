// What the meter knows so that a profiler preloaded in front of the system allocator
// (heaptrack) can be held to it exactly: the profiler's own allocations reach the
// meter's hooks too (its calls to malloc and operator new resolve to them), and it
// does not record them. They come in two kinds, both counted like any other call and
// also here:
//  - nested calls: made while the calling thread is inside the backend, i.e. inside
//    the profiler's malloc (its bookkeeping);
//  - foreign calls: made on threads the program did not start (the profiler's own
//    threads; thread_origin.cc tells them apart by who called pthread_create).
// exit_report.cc writes these beside the totals; scripts/heaptrack_report.py does the
// arithmetic. Meter-internal: not part of meter.h.
#pragma once

#include <cstdint>

namespace memh::harness::alloc {

std::uint64_t NestedCalls();
std::uint64_t ForeignCalls();

// Called once the executable's own initialisation begins (exit_report.cc).
void MarkProgramStarted();
// Whether a thread this thread creates now is the program's: not before the program
// started, not from inside the backend, not from a foreign thread.
bool CreatesProgramThreads();
// Marks the calling thread as not the program's.
void MarkThisThreadForeign();

}  // namespace memh::harness::alloc
