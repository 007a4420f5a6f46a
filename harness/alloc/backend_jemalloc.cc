// jemalloc as the backing allocator, through its non-standard entry points: Debian's
// libjemalloc is unprefixed, so its malloc() is shadowed by our hook and mallocx() and
// friends are the way in.
#include <jemalloc/jemalloc.h>

#include <cstdint>

#include "alloc/backend.h"

namespace memh::harness::alloc {
namespace {

int Flags(std::size_t align) { return align > 16 ? MALLOCX_ALIGN(align) : 0; }

}  // namespace

void* BackendAllocate(std::size_t size, std::size_t align) { return mallocx(size == 0 ? 1 : size, Flags(align)); }
void BackendFree(void* ptr) { dallocx(ptr, 0); }
std::size_t BackendUsableSize(void* ptr) { return sallocx(ptr, 0); }
std::size_t BackendChargeFor(std::size_t size, std::size_t align) {
  return nallocx(size == 0 ? 1 : size, Flags(align));
}

unsigned long long BackendThreadAllocatedBytes() {
  // thread.allocatedp hands out a pointer to this thread's counter: read it each time.
  std::uint64_t* counter = nullptr;
  std::size_t length = sizeof(counter);
  if (mallctl("thread.allocatedp", &counter, &length, nullptr, 0) != 0 || counter == nullptr) return 0;
  return *counter;
}

const char* BackendName() { return "jemalloc"; }

const char* BackendVersion() {
  const char* version = nullptr;
  std::size_t length = sizeof(version);
  if (mallctl("version", &version, &length, nullptr, 0) != 0 || version == nullptr) return "unknown";
  return version;
}
unsigned long long BackendBootstrapCalls() { return 0; }

}  // namespace memh::harness::alloc
