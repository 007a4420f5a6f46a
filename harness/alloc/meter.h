// The allocation meter: exact counts of every heap allocation the process makes, kept
// by hooks that replace operator new/delete and the malloc family (hooks.cc) on top
// of a backing allocator (backend.h). Every figure is in the caller's terms: the
// bytes a caller asked for, not what the allocator rounded them to; what the
// allocator charges for the same requests is kept beside them.
//
// Counting: each allocation call (malloc, calloc, realloc, the aligned family, every
// operator new) is one call of its requested bytes; each release of memory (free,
// every operator delete, realloc's release of the old block) is one free of the bytes
// that block was asked for. realloc therefore counts one call and one free.
// free(nullptr) and delete nullptr count nothing. Zero-byte requests are calls of 0
// bytes.
//
// Requested sizes are kept in a kHeaderBytes header in front of each block (more for
// over-aligned blocks), so that a free knows what it releases. The header is the
// meter's own cost: no requested-bytes figure includes it. `charged_bytes` is what the
// backend really charged for the blocks it handed out, each the request plus its
// header (jemalloc: the size class of that block, which tests cross-check with
// jemalloc's own per-thread counter); a program without the meter would be charged
// less, by the header and by the size classes the header pushes blocks into.
//
// Thread-safety: all functions may be called from any thread. Process-wide counters are
// atomics (relaxed; exact once the threads that allocated have been joined); the peak
// is one atomic live counter with an atomic max, so it is exact across threads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace memh::harness::alloc {

// The meter's header in front of each default-aligned block (keeps blocks 16-aligned).
inline constexpr std::size_t kHeaderBytes = 16;

struct Counters {
  std::uint64_t bytes = 0;          // requested by allocation calls
  std::uint64_t calls = 0;          // allocation calls that returned memory
  std::uint64_t frees = 0;          // calls that released memory
  std::uint64_t bytes_freed = 0;    // requested bytes of the released blocks
  std::uint64_t charged_bytes = 0;  // what the backend charged for the blocks, headers included
  std::uint64_t failed = 0;         // allocation calls failed by injection

  std::int64_t net_bytes() const { return static_cast<std::int64_t>(bytes) - static_cast<std::int64_t>(bytes_freed); }
  Counters& operator+=(const Counters& other);
  Counters& operator-=(const Counters& other);
  friend Counters operator+(Counters a, const Counters& b) { return a += b; }
  friend Counters operator-(Counters a, const Counters& b) { return a -= b; }
  friend bool operator==(const Counters&, const Counters&) = default;
};

// The calling thread's counters since it started.
Counters ThisThread();
// The part of ThisThread() made while the thread was inside the backing allocator: a
// profiler in front of the system allocator (heaptrack) allocating for its own
// bookkeeping, whose calls reach these hooks too. Always zero on jemalloc. The
// program's own calls are ThisThread() - ThisThreadNested().
Counters ThisThreadNested();
// Every thread's, since the process started (threads that exited included).
Counters Process();
// Requested bytes allocated and not yet freed, process-wide.
std::uint64_t LiveBytes();
// The highest LiveBytes() since the last ResetPeak() (or the start of the process).
std::uint64_t PeakLiveBytes();
// Starts a new peak from the current live bytes. Regions call it; so does the
// benchmark adapter. Only one measurement at a time may rely on it.
void ResetPeak();
const char* AllocatorName();  // "jemalloc" | "system"
// The allocator's version ("5.3.0-0-g..." for jemalloc, "glibc 2.36" for the system one).
const char* AllocatorVersion();

// Failure injection, on the calling thread only (other threads are never failed, so a
// test can fail exactly the allocations of the operation it runs). Counting starts at
// the call: the `nth` allocation from now fails (nth >= 1); with `persistent`, every
// one from the nth on fails too. operator new then throws std::bad_alloc, nothrow new
// and malloc return null. Failed calls count in `failed`, not in `calls`.
void FailAllocation(std::uint64_t nth, bool persistent);
void StopFailing();
// Allocation attempts seen on this thread since FailAllocation (failed ones included).
std::uint64_t AttemptsSinceArmed();

}  // namespace memh::harness::alloc
