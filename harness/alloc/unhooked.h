// The meter's API (meter.h) with nothing hooked: unhooked.cc implements it for
// programs that must run on the allocator exactly as it is, such as the timing
// benchmarks (memh_bench-<variant>). Such a program links jemalloc directly (CMake
// target memh_meter_unhooked): Debian's libjemalloc is unprefixed, so its malloc,
// free and operator new are the process's, and no hook sits in front of them.
//
// Every counter of meter.h then reads 0 and means "not measured", never "nothing
// allocated": a program on this library must not report any of them as a figure.
// AllocatorName() says so ("jemalloc (unhooked)"). Failure injection needs the hooks:
// FailAllocation() aborts with a message.
//
// What this header adds: jemalloc's own statistics, and the proof that the program
// really is on jemalloc with nothing in front of it (CheckUnhookedJemalloc).
// Thread-safety: every function may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace memh::harness::alloc {

// jemalloc's version string (mallctl "version"), e.g. "5.3.0-0-g54eaed1d...".
const char* JemallocVersion();
// jemalloc's count of bytes the calling thread has allocated (mallctl
// "thread.allocatedp"; usable sizes, so at least what was requested).
std::uint64_t JemallocThreadAllocatedBytes();

struct UnhookedCheck {
  std::size_t requested = 0;     // bytes of each probe
  std::string program_object;    // the object (file) this code is in: the executable
  std::string malloc_object;     // the object that defines the malloc the process calls
  std::string new_object;        // the same for operator new(std::size_t)
  std::uint64_t malloc_grew = 0; // jemalloc's thread.allocated growth over malloc(requested)
  std::uint64_t new_grew = 0;    // ... over operator new(requested)
  std::uint64_t meter_calls = 0; // allocation calls the meter API reported over both
  std::uint64_t meter_bytes = 0;
  // malloc is jemalloc's, neither malloc nor operator new is defined by the program
  // itself (where the meter's hooks would be), jemalloc counted both probes, and the
  // meter API counted nothing.
  bool passed() const;
  std::string Describe() const;  // one line: what was found
};

// Looks up which objects define malloc and operator new, then allocates and frees one
// block through each and reads jemalloc's thread counter around them.
UnhookedCheck CheckUnhookedJemalloc();

}  // namespace memh::harness::alloc
