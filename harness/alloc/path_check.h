// Proof that the meter is in the allocation path. The meter counts only the calls that
// reach its hooks; when something else has taken over malloc and operator new (a tool
// such as valgrind in its default mode, a preloaded allocator, a static link that
// bypasses the hooks), it would count nothing and every figure would read 0. So every
// program that reports meter figures first makes one malloc and one operator new of
// known sizes and checks that each was counted exactly: one call of exactly those
// bytes, and one free of them. Results record the check (docs/results_schema.md), and
// whatever reads results refuses those that lack it.
// Thread-safety: call from one thread; it counts only that thread's allocations.
#pragma once

#include <cstdint>
#include <string>

namespace memh::harness::alloc {

struct ProbeCount {
  std::uint64_t requested = 0;  // bytes the probe asked for
  std::uint64_t bytes = 0;      // bytes the meter counted for it
  std::uint64_t calls = 0;      // allocation calls the meter counted
  std::uint64_t frees = 0;      // releases the meter counted
  std::uint64_t bytes_freed = 0;
  bool exact() const { return bytes == requested && calls == 1 && frees == 1 && bytes_freed == requested; }
};

struct PathCheck {
  ProbeCount malloc_probe;
  ProbeCount new_probe;
  bool passed() const { return malloc_probe.exact() && new_probe.exact(); }
  // One line: what was asked, what was counted, and the usual causes.
  std::string FailureMessage() const;
};

// Allocates and frees the two probes and reports what the meter saw of them.
PathCheck CheckInAllocationPath();

// Runs the check; when it fails, prints "<program>: <FailureMessage>" on stderr and
// exits with status 2. Returns the (passed) check for the caller to record.
PathCheck RequireInAllocationPath(const char* program);

}  // namespace memh::harness::alloc
