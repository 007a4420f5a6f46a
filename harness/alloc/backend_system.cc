// The system allocator as the backing allocator, found with dlsym(RTLD_NEXT), i.e. the
// next malloc after our hooks in symbol order: glibc's, or a profiler's that was
// preloaded in front of it (heaptrack), which then sees every call the meter counts.
// dlsym itself may allocate before the functions are resolved; those few requests are
// served from a static bootstrap area that is never returned.
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <malloc.h>

#include <atomic>
#include <cstdint>

#include "alloc/backend.h"

namespace memh::harness::alloc {
namespace {

using MallocFn = void* (*)(std::size_t);
using FreeFn = void (*)(void*);
using MemalignFn = void* (*)(std::size_t, std::size_t);
using UsableFn = std::size_t (*)(void*);

MallocFn next_malloc = nullptr;
FreeFn next_free = nullptr;
MemalignFn next_memalign = nullptr;
UsableFn next_usable = nullptr;
std::atomic<int> resolving{0};

alignas(64) unsigned char bootstrap[64 * 1024];
std::atomic<std::size_t> bootstrap_used{0};
std::atomic<unsigned long long> bootstrap_calls{0};

bool InBootstrap(const void* ptr) {
  auto p = reinterpret_cast<std::uintptr_t>(ptr);
  auto base = reinterpret_cast<std::uintptr_t>(bootstrap);
  return p >= base && p < base + sizeof(bootstrap);
}

void* BootstrapAllocate(std::size_t size, std::size_t align) {
  std::size_t start = bootstrap_used.load();
  for (;;) {
    std::size_t aligned = (start + align - 1) & ~(align - 1);
    if (aligned + size > sizeof(bootstrap)) return nullptr;
    if (bootstrap_used.compare_exchange_weak(start, aligned + size)) {
      bootstrap_calls.fetch_add(1);
      return bootstrap + aligned;
    }
  }
}

bool Resolve() {
  if (next_malloc != nullptr) return true;
  if (resolving.fetch_add(1) > 0) {  // dlsym asked for memory: serve it from bootstrap
    resolving.fetch_sub(1);
    return false;
  }
  auto free_fn = reinterpret_cast<FreeFn>(dlsym(RTLD_NEXT, "free"));
  auto memalign_fn = reinterpret_cast<MemalignFn>(dlsym(RTLD_NEXT, "memalign"));
  auto usable_fn = reinterpret_cast<UsableFn>(dlsym(RTLD_NEXT, "malloc_usable_size"));
  auto malloc_fn = reinterpret_cast<MallocFn>(dlsym(RTLD_NEXT, "malloc"));
  next_free = free_fn;
  next_memalign = memalign_fn;
  next_usable = usable_fn;
  next_malloc = malloc_fn;  // last: it is the "resolved" flag
  resolving.fetch_sub(1);
  return next_malloc != nullptr;
}

}  // namespace

void* BackendAllocate(std::size_t size, std::size_t align) {
  if (!Resolve()) return BootstrapAllocate(size == 0 ? 1 : size, align < 16 ? 16 : align);
  if (align <= 16) return next_malloc(size == 0 ? 1 : size);
  return next_memalign(align, size == 0 ? 1 : size);
}

void BackendFree(void* ptr) {
  if (ptr == nullptr || InBootstrap(ptr)) return;
  next_free(ptr);
}

std::size_t BackendUsableSize(void* ptr) {
  if (InBootstrap(ptr)) return 0;
  return next_usable(ptr);
}

// glibc's usable size for a request: chunks are the request plus an 8-byte size field,
// rounded up to 16, at least 32; an aligned request is charged the same way.
std::size_t BackendChargeFor(std::size_t size, std::size_t /*align*/) {
  std::size_t chunk = (size + 8 + 15) & ~std::size_t{15};
  if (chunk < 32) chunk = 32;
  return chunk - 8;
}

unsigned long long BackendThreadAllocatedBytes() { return 0; }
const char* BackendName() { return "system"; }

const char* BackendVersion() {
  // A static buffer: no allocation, and the text lives as long as the process.
  static char version[64];
  if (version[0] == '\0') {
    const char* libc = gnu_get_libc_version();
    std::size_t i = 0;
    for (const char* p = "glibc "; *p != '\0' && i + 1 < sizeof(version); ++p) version[i++] = *p;
    for (const char* p = libc; *p != '\0' && i + 1 < sizeof(version); ++p) version[i++] = *p;
    version[i] = '\0';
  }
  return version;
}
unsigned long long BackendBootstrapCalls() { return bootstrap_calls.load(); }

}  // namespace memh::harness::alloc
