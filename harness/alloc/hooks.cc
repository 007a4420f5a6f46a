// The one translation unit that replaces the process's allocation functions: every
// replaceable operator new/delete form and the C family. Each call is counted (see
// meter.h) and forwarded to the backend with a header that remembers the request.
// Nothing here allocates through the hooks, and nothing here may throw except the
// operator new forms that must.
#include <malloc.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "alloc/backend.h"
#include "alloc/meter.h"
#include "alloc/profiler_support.h"
#include "alloc/site_capture.h"

namespace memh::harness::alloc {
namespace {

constexpr std::uint32_t kHeaderMagic = 0x4D454D48;  // "MEMH"

struct Header {
  std::uint64_t size;  // requested bytes
  // Low 8 bits: log2 of (user pointer - backend pointer), a power of two >= 16. High 24
  // bits: the armed SiteTable's tag for the stack that allocated the block (0: none).
  std::uint32_t shift_and_site;
  std::uint32_t magic;
  std::size_t offset() const { return std::size_t{1} << (shift_and_site & 0xFF); }
  std::uint32_t site_tag() const { return shift_and_site >> 8; }
};
static_assert(sizeof(Header) == kHeaderBytes);

struct alignas(64) Global {
  std::atomic<std::uint64_t> bytes{0}, calls{0}, frees{0}, bytes_freed{0}, charged{0}, failed{0};
  // Calls made while this thread was inside the backend: a profiler in front of the
  // system allocator allocating for its own bookkeeping (heaptrack's calls to malloc
  // and operator new resolve to these hooks too). Counted like any other call.
  std::atomic<std::uint64_t> nested_calls{0};
  // Calls made on threads the program did not start (profiler_support.h).
  std::atomic<std::uint64_t> foreign_calls{0};
  std::atomic<bool> program_started{false};
  alignas(64) std::atomic<std::uint64_t> live{0};
  alignas(64) std::atomic<std::uint64_t> peak{0};
};
Global g;

// Trivially constructible, so it lives in static TLS with no lazy allocation.
struct ThreadState {
  Counters counters;
  Counters nested;  // the part of `counters` made while inside the backend
  std::uint64_t fail_nth;  // 0 = not armed
  std::uint64_t attempts;
  bool fail_persistent;
  std::uint32_t backend_depth;  // > 0 while this thread is inside BackendAllocate/Free
  bool foreign;                 // a thread the program did not start
};
__attribute__((tls_model("initial-exec"))) thread_local ThreadState t;

MEMH_HOOK_TEXT Header* HeaderOf(void* user) { return reinterpret_cast<Header*>(static_cast<char*>(user) - kHeaderBytes); }

[[noreturn]] void Die(const char* what) {
  // write(2): no stdio buffers, no allocation.
  (void)!write(2, what, std::strlen(what));
  std::abort();
}

MEMH_HOOK_TEXT bool InjectFailure() {
  if (t.fail_nth == 0) return false;
  std::uint64_t attempt = ++t.attempts;
  if (attempt == t.fail_nth || (t.fail_persistent && attempt > t.fail_nth)) {
    ++t.counters.failed;
    g.failed.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  return false;
}

MEMH_HOOK_TEXT void* Allocate(std::size_t size, std::size_t align) {
  if (align < 16) align = 16;
  const std::size_t header_space = align <= kHeaderBytes ? kHeaderBytes : align;
  if (size > SIZE_MAX - header_space) return nullptr;
  if (InjectFailure()) return nullptr;
  const bool nested = t.backend_depth > 0;
  ++t.backend_depth;
  void* base = BackendAllocate(size + header_space, align);
  --t.backend_depth;
  if (base == nullptr) return nullptr;
  if (nested) {  // counted only for calls that return memory, as `calls` is
    g.nested_calls.fetch_add(1, std::memory_order_relaxed);
    t.nested.bytes += size;
    t.nested.calls += 1;
  } else if (t.foreign) {
    g.foreign_calls.fetch_add(1, std::memory_order_relaxed);
  }
  void* user = static_cast<char*>(base) + header_space;
  Header* header = HeaderOf(user);
  // While sites are captured (site_capture.h): charge the calling stack, and remember
  // it in the header so that the block's free is charged to it too.
  SiteTable* sites = ArmedSiteTable();
  const std::uint32_t site_tag = sites == nullptr ? 0 : sites->ChargeAllocation(size);
  header->size = size;
  header->shift_and_site = static_cast<std::uint32_t>(__builtin_ctzll(header_space)) | (site_tag << 8);
  header->magic = kHeaderMagic;

  // What the backend charged for the block it handed out: the request and the header.
  const std::uint64_t charged = BackendChargeFor(size + header_space, align);
  t.counters.bytes += size;
  t.counters.calls += 1;
  t.counters.charged_bytes += charged;
  g.bytes.fetch_add(size, std::memory_order_relaxed);
  g.calls.fetch_add(1, std::memory_order_relaxed);
  g.charged.fetch_add(charged, std::memory_order_relaxed);
  std::uint64_t live = g.live.fetch_add(size, std::memory_order_relaxed) + size;
  std::uint64_t peak = g.peak.load(std::memory_order_relaxed);
  while (live > peak && !g.peak.compare_exchange_weak(peak, live, std::memory_order_relaxed)) {
  }
  return user;
}

MEMH_HOOK_TEXT std::size_t RequestedSize(void* user) {
  Header* header = HeaderOf(user);
  if (header->magic != kHeaderMagic) Die("memharness meter: free of memory the meter did not allocate\n");
  return header->size;
}

MEMH_HOOK_TEXT void Release(void* user) {
  if (user == nullptr) return;
  Header* header = HeaderOf(user);
  const std::size_t size = RequestedSize(user);
  header->magic = 0;  // a second free of the same block dies instead of corrupting counts
  if (SiteTable* sites = ArmedSiteTable()) sites->ChargeFree(header->site_tag(), size);
  if (t.backend_depth > 0) {
    t.nested.frees += 1;
    t.nested.bytes_freed += size;
  }
  t.counters.frees += 1;
  t.counters.bytes_freed += size;
  g.frees.fetch_add(1, std::memory_order_relaxed);
  g.bytes_freed.fetch_add(size, std::memory_order_relaxed);
  g.live.fetch_sub(size, std::memory_order_relaxed);
  ++t.backend_depth;
  BackendFree(static_cast<char*>(user) - header->offset());
  --t.backend_depth;
}

MEMH_HOOK_TEXT void* NewOrThrow(std::size_t size, std::size_t align) {
  for (;;) {
    if (void* p = Allocate(size, align)) return p;
    std::new_handler handler = std::get_new_handler();
    if (handler == nullptr) throw std::bad_alloc();
    handler();
  }
}

MEMH_HOOK_TEXT bool ValidAlignment(std::size_t align) { return align != 0 && (align & (align - 1)) == 0; }

}  // namespace

// ---- Meter API over the counters above (meter.h) ----
Counters ThisThread() { return t.counters; }
Counters ThisThreadNested() { return t.nested; }
Counters Process() {
  Counters c;
  c.bytes = g.bytes.load(std::memory_order_relaxed);
  c.calls = g.calls.load(std::memory_order_relaxed);
  c.frees = g.frees.load(std::memory_order_relaxed);
  c.bytes_freed = g.bytes_freed.load(std::memory_order_relaxed);
  c.charged_bytes = g.charged.load(std::memory_order_relaxed);
  c.failed = g.failed.load(std::memory_order_relaxed);
  return c;
}
std::uint64_t LiveBytes() { return g.live.load(std::memory_order_relaxed); }
std::uint64_t PeakLiveBytes() { return g.peak.load(std::memory_order_relaxed); }
void ResetPeak() { g.peak.store(g.live.load(std::memory_order_relaxed), std::memory_order_relaxed); }
std::uint64_t NestedCalls() { return g.nested_calls.load(std::memory_order_relaxed); }
std::uint64_t ForeignCalls() { return g.foreign_calls.load(std::memory_order_relaxed); }
void MarkProgramStarted() { g.program_started.store(true); }
bool CreatesProgramThreads() { return g.program_started.load() && t.backend_depth == 0 && !t.foreign; }
void MarkThisThreadForeign() { t.foreign = true; }
const char* AllocatorName() { return BackendName(); }
const char* AllocatorVersion() { return BackendVersion(); }
void FailAllocation(std::uint64_t nth, bool persistent) {
  t.attempts = 0;
  t.fail_persistent = persistent;
  t.fail_nth = nth;
}
void StopFailing() { t.fail_nth = 0; }
std::uint64_t AttemptsSinceArmed() { return t.attempts; }

}  // namespace memh::harness::alloc

using memh::harness::alloc::Allocate;
using memh::harness::alloc::NewOrThrow;
using memh::harness::alloc::Release;
using memh::harness::alloc::RequestedSize;
using memh::harness::alloc::ValidAlignment;

// ---- The C family ----
extern "C" {

MEMH_HOOK_TEXT void* malloc(std::size_t size) noexcept {
  void* p = Allocate(size, 16);
  if (p == nullptr) errno = ENOMEM;
  return p;
}

MEMH_HOOK_TEXT void free(void* ptr) noexcept { Release(ptr); }

MEMH_HOOK_TEXT void* calloc(std::size_t count, std::size_t size) noexcept {
  if (size != 0 && count > SIZE_MAX / size) {
    errno = ENOMEM;
    return nullptr;
  }
  void* p = Allocate(count * size, 16);
  if (p == nullptr) {
    errno = ENOMEM;
    return nullptr;
  }
  std::memset(p, 0, count * size);
  return p;
}

// A new block, a copy, and the old block released: one call and one free. glibc's
// realloc(p, 0) frees p and returns null; so does this one.
MEMH_HOOK_TEXT void* realloc(void* ptr, std::size_t size) noexcept {
  if (ptr == nullptr) return malloc(size);
  if (size == 0) {
    Release(ptr);
    return nullptr;
  }
  const std::size_t old_size = RequestedSize(ptr);
  void* fresh = Allocate(size, 16);
  if (fresh == nullptr) {
    errno = ENOMEM;
    return nullptr;  // the old block stays valid
  }
  std::memcpy(fresh, ptr, old_size < size ? old_size : size);
  Release(ptr);
  return fresh;
}

MEMH_HOOK_TEXT void* reallocarray(void* ptr, std::size_t count, std::size_t size) noexcept {
  if (size != 0 && count > SIZE_MAX / size) {
    errno = ENOMEM;
    return nullptr;
  }
  return realloc(ptr, count * size);
}

MEMH_HOOK_TEXT int posix_memalign(void** out, std::size_t align, std::size_t size) noexcept {
  if (!ValidAlignment(align) || align % sizeof(void*) != 0) return EINVAL;
  void* p = Allocate(size, align);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

MEMH_HOOK_TEXT void* aligned_alloc(std::size_t align, std::size_t size) noexcept {
  if (!ValidAlignment(align)) {
    errno = EINVAL;
    return nullptr;
  }
  void* p = Allocate(size, align);
  if (p == nullptr) errno = ENOMEM;
  return p;
}

MEMH_HOOK_TEXT void* memalign(std::size_t align, std::size_t size) noexcept { return aligned_alloc(align, size); }

MEMH_HOOK_TEXT void* valloc(std::size_t size) noexcept { return aligned_alloc(static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), size); }

MEMH_HOOK_TEXT void* pvalloc(std::size_t size) noexcept {
  const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  if (size > SIZE_MAX - (page - 1)) {  // rounding up would wrap to a tiny block
    errno = ENOMEM;
    return nullptr;
  }
  return aligned_alloc(page, (size + page - 1) / page * page);
}

MEMH_HOOK_TEXT std::size_t malloc_usable_size(void* ptr) noexcept {
  if (ptr == nullptr) return 0;
  (void)RequestedSize(ptr);  // dies on foreign memory
  const std::size_t offset = memh::harness::alloc::HeaderOf(ptr)->offset();
  return memh::harness::alloc::BackendUsableSize(static_cast<char*>(ptr) - offset) - offset;
}

}  // extern "C"

// ---- Every replaceable operator new and delete ----
MEMH_HOOK_TEXT void* operator new(std::size_t size) { return NewOrThrow(size, 16); }
MEMH_HOOK_TEXT void* operator new[](std::size_t size) { return NewOrThrow(size, 16); }
MEMH_HOOK_TEXT void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return Allocate(size, 16); }
MEMH_HOOK_TEXT void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return Allocate(size, 16); }
MEMH_HOOK_TEXT void* operator new(std::size_t size, std::align_val_t align) {
  return NewOrThrow(size, static_cast<std::size_t>(align));
}
MEMH_HOOK_TEXT void* operator new[](std::size_t size, std::align_val_t align) {
  return NewOrThrow(size, static_cast<std::size_t>(align));
}
MEMH_HOOK_TEXT void* operator new(std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return Allocate(size, static_cast<std::size_t>(align));
}
MEMH_HOOK_TEXT void* operator new[](std::size_t size, std::align_val_t align, const std::nothrow_t&) noexcept {
  return Allocate(size, static_cast<std::size_t>(align));
}

MEMH_HOOK_TEXT void operator delete(void* ptr) noexcept { Release(ptr); }
MEMH_HOOK_TEXT void operator delete[](void* ptr) noexcept { Release(ptr); }
MEMH_HOOK_TEXT void operator delete(void* ptr, const std::nothrow_t&) noexcept { Release(ptr); }
MEMH_HOOK_TEXT void operator delete[](void* ptr, const std::nothrow_t&) noexcept { Release(ptr); }
MEMH_HOOK_TEXT void operator delete(void* ptr, std::size_t) noexcept { Release(ptr); }
MEMH_HOOK_TEXT void operator delete[](void* ptr, std::size_t) noexcept { Release(ptr); }
MEMH_HOOK_TEXT void operator delete(void* ptr, std::align_val_t) noexcept { Release(ptr); }
MEMH_HOOK_TEXT void operator delete[](void* ptr, std::align_val_t) noexcept { Release(ptr); }
MEMH_HOOK_TEXT void operator delete(void* ptr, std::size_t, std::align_val_t) noexcept { Release(ptr); }
MEMH_HOOK_TEXT void operator delete[](void* ptr, std::size_t, std::align_val_t) noexcept { Release(ptr); }
MEMH_HOOK_TEXT void operator delete(void* ptr, std::align_val_t, const std::nothrow_t&) noexcept { Release(ptr); }
MEMH_HOOK_TEXT void operator delete[](void* ptr, std::align_val_t, const std::nothrow_t&) noexcept { Release(ptr); }
