// The backing allocator under the meter's hooks: jemalloc (backend_jemalloc.cc, the
// default) or the system allocator reached through dlsym(RTLD_NEXT) (backend_system.cc,
// so that a profiler preloaded in front of libc, such as heaptrack, sees every call).
// CMake links exactly one (MEMHARNESS_ALLOCATOR). None of these functions allocates
// through the hooks.
#pragma once

#include <cstddef>

namespace memh::harness::alloc {

// Memory of at least `size` bytes aligned to `align` (a power of two >= 16); null when
// the backend is out of memory.
void* BackendAllocate(std::size_t size, std::size_t align);
void BackendFree(void* ptr);
// Bytes usable at `ptr` (what the backend really reserved for it).
std::size_t BackendUsableSize(void* ptr);
// Bytes the backend charges for a request of `size` bytes aligned to `align`: jemalloc's
// size class (nallocx), or for the system backend the usable size it would give.
std::size_t BackendChargeFor(std::size_t size, std::size_t align);
// jemalloc's own count of bytes this thread allocated (thread.allocatedp), or 0 when
// the backend keeps none: the meter's figures are cross-checked against it.
unsigned long long BackendThreadAllocatedBytes();
const char* BackendName();  // "jemalloc" | "system"
// The backend's own version: jemalloc's (mallctl "version"), or for the system
// allocator the C library's ("glibc 2.36"). For the results' fingerprint.
const char* BackendVersion();
// Allocations served before the backend could be reached (the system backend's
// bootstrap area, used while dlsym resolves malloc): counted by the meter, never seen
// by the system allocator or a profiler in front of it. 0 for jemalloc.
unsigned long long BackendBootstrapCalls();

}  // namespace memh::harness::alloc
