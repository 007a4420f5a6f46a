// meter.h without hooks, on jemalloc linked directly (unhooked.h). Nothing here
// replaces an allocation function; the counters are constant zeros.
#include "alloc/unhooked.h"

#include <dlfcn.h>
#include <jemalloc/jemalloc.h>

#include <cstdio>
#include <cstdlib>
#include <new>

#include "alloc/meter.h"

namespace memh::harness::alloc {

// --- meter.h: nothing is counted -------------------------------------------------

Counters ThisThread() { return {}; }
Counters ThisThreadNested() { return {}; }
Counters Process() { return {}; }
std::uint64_t LiveBytes() { return 0; }
std::uint64_t PeakLiveBytes() { return 0; }
void ResetPeak() {}
const char* AllocatorName() { return "jemalloc (unhooked)"; }
const char* AllocatorVersion() { return JemallocVersion(); }

void FailAllocation(std::uint64_t, bool) {
  std::fputs("memh: FailAllocation needs the allocation meter's hooks; this program is linked unhooked "
             "(memh_meter_unhooked)\n",
             stderr);
  std::abort();
}
void StopFailing() {}
std::uint64_t AttemptsSinceArmed() { return 0; }

// --- jemalloc's own figures ------------------------------------------------------

const char* JemallocVersion() {
  const char* version = nullptr;
  std::size_t length = sizeof(version);
  if (mallctl("version", &version, &length, nullptr, 0) != 0 || version == nullptr) return "unknown";
  return version;
}

std::uint64_t JemallocThreadAllocatedBytes() {
  // thread.allocatedp hands out a pointer to this thread's counter: read it each time.
  std::uint64_t* counter = nullptr;
  std::size_t length = sizeof(counter);
  if (mallctl("thread.allocatedp", &counter, &length, nullptr, 0) != 0 || counter == nullptr) return 0;
  return *counter;
}

// --- the proof -------------------------------------------------------------------

namespace {

constexpr std::size_t kProbeBytes = 5003;

// Called through volatile pointers, so the compiler can neither see which function
// runs nor elide the pair.
void* (*volatile g_malloc)(std::size_t) = std::malloc;
void (*volatile g_free)(void*) = std::free;
void* (*volatile g_new)(std::size_t) = static_cast<void* (*)(std::size_t)>(::operator new);
void (*volatile g_delete)(void*) noexcept = static_cast<void (*)(void*) noexcept>(::operator delete);

struct Object {
  const void* base = nullptr;
  std::string name;
};

// The loaded object that holds `address`.
Object ObjectOf(const void* address) {
  Dl_info info{};
  if (address == nullptr || dladdr(address, &info) == 0) return {nullptr, "(not found)"};
  return {info.dli_fbase, info.dli_fname != nullptr && *info.dli_fname != '\0' ? info.dli_fname : "(the program)"};
}

// The definition of `symbol` that the process's calls bind to (the first in the global
// lookup order: the program itself, then its libraries in load order).
Object DefinitionOf(const char* symbol) { return ObjectOf(dlsym(RTLD_DEFAULT, symbol)); }

template <typename Allocate, typename Release>
std::uint64_t JemallocGrowth(Allocate allocate, Release release, UnhookedCheck* check) {
  const Counters meter_before = ThisThread();
  const std::uint64_t before = JemallocThreadAllocatedBytes();
  void* volatile block = allocate(kProbeBytes);
  const std::uint64_t after = JemallocThreadAllocatedBytes();
  release(block);
  const Counters meter_after = ThisThread();
  check->meter_calls += meter_after.calls - meter_before.calls;
  check->meter_bytes += meter_after.bytes - meter_before.bytes;
  return after - before;
}

bool Contains(const std::string& text, const char* part) { return text.find(part) != std::string::npos; }

}  // namespace

UnhookedCheck CheckUnhookedJemalloc() {
  UnhookedCheck check;
  check.requested = kProbeBytes;
  const Object program = ObjectOf(reinterpret_cast<const void*>(&CheckUnhookedJemalloc));
  const Object malloc_definition = DefinitionOf("malloc");
  const Object new_definition = DefinitionOf("_Znwm");  // operator new(std::size_t)
  check.program_object = program.name;
  check.malloc_object = malloc_definition.base == program.base ? "(the program)" : malloc_definition.name;
  check.new_object = new_definition.base == program.base ? "(the program)" : new_definition.name;
  check.malloc_grew = JemallocGrowth([](std::size_t n) { return g_malloc(n); }, [](void* p) { g_free(p); }, &check);
  check.new_grew = JemallocGrowth([](std::size_t n) { return g_new(n); }, [](void* p) { g_delete(p); }, &check);
  return check;
}

bool UnhookedCheck::passed() const {
  return Contains(malloc_object, "jemalloc") && malloc_object != "(the program)" && new_object != "(the program)" &&
         new_object != "(not found)" && malloc_grew >= requested && new_grew >= requested && meter_calls == 0 &&
         meter_bytes == 0;
}

std::string UnhookedCheck::Describe() const {
  return "malloc from " + malloc_object + ", operator new from " + new_object + " (jemalloc " + JemallocVersion() +
         "); jemalloc's thread.allocated grew by " + std::to_string(malloc_grew) + " over malloc(" +
         std::to_string(requested) + ") and by " + std::to_string(new_grew) + " over operator new(" +
         std::to_string(requested) + "); the meter API counted " + std::to_string(meter_calls) + " call(s) of " +
         std::to_string(meter_bytes) + " bytes";
}

}  // namespace memh::harness::alloc
