#include "alloc/path_check.h"

#include <cstdio>
#include <cstdlib>
#include <new>

#include "alloc/meter.h"

namespace memh::harness::alloc {
namespace {

// Odd sizes no startup code of a library is likely to ask for at that moment.
constexpr std::size_t kMallocProbeBytes = 4099;
constexpr std::size_t kNewProbeBytes = 4111;

// Called through volatile pointers, so the compiler can neither see which function
// runs nor elide the pair (it may remove a visible malloc/free or new/delete pair).
void* (*volatile g_malloc)(std::size_t) = std::malloc;
void (*volatile g_free)(void*) = std::free;
void* (*volatile g_new)(std::size_t) = static_cast<void* (*)(std::size_t)>(::operator new);
void (*volatile g_delete)(void*) noexcept = static_cast<void (*)(void*) noexcept>(::operator delete);

// This thread's own calls: a profiler in front of the backend (heaptrack) allocates
// for its bookkeeping inside our calls, and those are not the probe's.
Counters Own() { return ThisThread() - ThisThreadNested(); }

template <typename Allocate, typename Release>
ProbeCount Probe(std::size_t bytes, Allocate allocate, Release release) {
  ProbeCount probe;
  probe.requested = bytes;
  const Counters before = Own();
  void* volatile block = allocate(bytes);
  const Counters allocated = Own();
  release(block);
  const Counters after = Own();
  probe.bytes = allocated.bytes - before.bytes;
  probe.calls = allocated.calls - before.calls;
  probe.frees = after.frees - allocated.frees;
  probe.bytes_freed = after.bytes_freed - allocated.bytes_freed;
  return probe;
}

std::string Describe(const char* what, const ProbeCount& p) {
  return std::string(what) + "(" + std::to_string(p.requested) + ") counted as " + std::to_string(p.calls) +
         " call(s) of " + std::to_string(p.bytes) + " bytes and " + std::to_string(p.frees) + " free(s) of " +
         std::to_string(p.bytes_freed) + " bytes";
}

}  // namespace

PathCheck CheckInAllocationPath() {
  PathCheck check;
  check.malloc_probe = Probe(kMallocProbeBytes, [](std::size_t n) { return g_malloc(n); },
                             [](void* p) { g_free(p); });
  check.new_probe = Probe(kNewProbeBytes, [](std::size_t n) { return g_new(n); }, [](void* p) { g_delete(p); });
  return check;
}

std::string PathCheck::FailureMessage() const {
  return "the allocation meter is not in the allocation path (" + Describe("malloc", malloc_probe) + "; " +
         Describe("operator new", new_probe) +
         "), so its figures would be wrong: something replaces malloc and operator new ahead of the meter "
         "(a tool such as valgrind, a preloaded allocator or a static link); under valgrind, "
         "--soname-synonyms=somalloc=nouserintercepts keeps the meter in place";
}

PathCheck RequireInAllocationPath(const char* program) {
  PathCheck check = CheckInAllocationPath();
  if (!check.passed()) {
    const std::string line = std::string(program) + ": " + check.FailureMessage() + "\n";
    std::fputs(line.c_str(), stderr);
    std::exit(2);
  }
  return check;
}

}  // namespace memh::harness::alloc
