#include "alloc/site_capture.h"

#include <unwind.h>

#include <cstring>

namespace memh::harness::alloc {
namespace {

// The hooks' section (MEMH_HOOK_TEXT): the linker defines these for a section whose name
// is a C identifier.
extern "C" const char __start_memh_hook_text[];
extern "C" const char __stop_memh_hook_text[];

constexpr std::uint32_t kIndexBits = 14;  // slots 1..16383 in a tag; 0 = no slot
constexpr std::uint32_t kIndexMask = (1u << kIndexBits) - 1;
constexpr std::uint32_t kGenerationMask = (1u << 10) - 1;  // the tag's other 10 bits

std::atomic<SiteTable*> g_armed{nullptr};

// Trivially constructible: static TLS, no lazy allocation.
__attribute__((tls_model("initial-exec"))) thread_local bool t_client;
__attribute__((tls_model("initial-exec"))) thread_local bool t_unwinding;

struct Walk {
  std::uintptr_t* frames;
  std::size_t depth;
};

MEMH_HOOK_TEXT bool InHookText(std::uintptr_t ip) {
  return ip >= reinterpret_cast<std::uintptr_t>(__start_memh_hook_text) &&
         ip < reinterpret_cast<std::uintptr_t>(__stop_memh_hook_text);
}

MEMH_HOOK_TEXT _Unwind_Reason_Code Collect(_Unwind_Context* context, void* arg) {
  Walk* walk = static_cast<Walk*>(arg);
  const std::uintptr_t ip = _Unwind_GetIP(context);
  if (ip == 0) return _URC_END_OF_STACK;
  if (walk->depth == 0 && InHookText(ip)) return _URC_NO_REASON;  // the hooks themselves
  walk->frames[walk->depth++] = ip;
  return walk->depth == kMaxStackFrames ? _URC_NORMAL_STOP : _URC_NO_REASON;
}

MEMH_HOOK_TEXT __attribute__((noinline)) std::size_t CaptureStack(std::uintptr_t* frames) {
  Walk walk{frames, 0};
  _Unwind_Backtrace(Collect, &walk);
  return walk.depth;
}

MEMH_HOOK_TEXT std::uint64_t HashStack(const std::uintptr_t* frames, std::size_t depth, int role) {
  std::uint64_t h = 1469598103934665603ull ^ static_cast<std::uint64_t>(role + 1);
  for (std::size_t i = 0; i < depth; ++i) {
    h ^= frames[i];
    h *= 1099511628211ull;
    h ^= h >> 29;
  }
  return h == 0 ? 1 : h;
}

}  // namespace

struct SiteTable::AtomicCounts {
  std::atomic<std::uint64_t> bytes{0}, calls{0}, frees{0}, bytes_freed{0};
  void Reset() {
    bytes.store(0, std::memory_order_relaxed);
    calls.store(0, std::memory_order_relaxed);
    frees.store(0, std::memory_order_relaxed);
    bytes_freed.store(0, std::memory_order_relaxed);
  }
  MEMH_HOOK_TEXT void AddCall(std::uint64_t n) {
    bytes.fetch_add(n, std::memory_order_relaxed);
    calls.fetch_add(1, std::memory_order_relaxed);
  }
  MEMH_HOOK_TEXT void AddFree(std::uint64_t n) {
    bytes_freed.fetch_add(n, std::memory_order_relaxed);
    frees.fetch_add(1, std::memory_order_relaxed);
  }
  SiteCounts Load() const {
    return {bytes.load(std::memory_order_relaxed), calls.load(std::memory_order_relaxed),
            frees.load(std::memory_order_relaxed), bytes_freed.load(std::memory_order_relaxed)};
  }
};

struct SiteTable::Slot {
  std::atomic<std::uint64_t> hash{0};  // 0: empty
  ThreadRole role = ThreadRole::kBackground;
  std::uint8_t depth = 0;
  std::uintptr_t frames[kMaxStackFrames];
  AtomicCounts counts;
};

const char* RoleName(ThreadRole role) { return role == ThreadRole::kClient ? "client" : "background"; }

SiteTable::SiteTable(std::size_t capacity)
    : untracked_(new AtomicCounts[kThreadRoles]), freed_before_(new AtomicCounts[kThreadRoles]) {
  // A power of two (the probe wraps with a mask) that fits a tag's index.
  capacity_ = 16;
  while (capacity_ < capacity && capacity_ < (kIndexMask + 1) / 2) capacity_ *= 2;
  slots_ = new Slot[capacity_];
}

SiteTable::~SiteTable() {
  Disarm();
  delete[] slots_;
}

void SiteTable::Arm() {
  for (std::size_t i = 0; i < capacity_; ++i) {
    slots_[i].hash.store(0, std::memory_order_relaxed);
    slots_[i].counts.Reset();
  }
  for (int r = 0; r < kThreadRoles; ++r) {
    untracked_[r].Reset();
    freed_before_[r].Reset();
  }
  generation_ = (generation_ + 1) & kGenerationMask;
  // The unwinder's first use sets up its tables (no allocation, but not in a scenario).
  std::uintptr_t frames[kMaxStackFrames];
  (void)CaptureStack(frames);
  g_armed.store(this, std::memory_order_release);
}

void SiteTable::Disarm() {
  SiteTable* self = this;
  g_armed.compare_exchange_strong(self, nullptr, std::memory_order_acq_rel);
}

void SiteTable::Suspend() { Disarm(); }

void SiteTable::Resume() { g_armed.store(this, std::memory_order_release); }

std::vector<RawStack> SiteTable::Stacks() const {
  std::vector<RawStack> stacks;
  for (std::size_t i = 0; i < capacity_; ++i) {
    const Slot& slot = slots_[i];
    if (slot.hash.load(std::memory_order_acquire) == 0) continue;
    stacks.push_back({slot.role, std::span<const std::uintptr_t>(slot.frames, slot.depth), slot.counts.Load()});
  }
  return stacks;
}

SiteCounts SiteTable::Untracked(ThreadRole role) const { return untracked_[static_cast<int>(role)].Load(); }
SiteCounts SiteTable::FreedBefore(ThreadRole role) const { return freed_before_[static_cast<int>(role)].Load(); }

MEMH_HOOK_TEXT std::uint32_t SiteTable::ChargeAllocation(std::uint64_t bytes) {
  const int role = t_client ? 1 : 0;
  if (t_unwinding) {  // the unwinder allocated (it should not): count it, name no stack
    untracked_[role].AddCall(bytes);
    return 0;
  }
  std::uintptr_t frames[kMaxStackFrames];
  t_unwinding = true;
  const std::size_t depth = CaptureStack(frames);
  t_unwinding = false;
  const std::uint64_t hash = HashStack(frames, depth, role);
  const std::size_t mask = capacity_ - 1;
  for (std::size_t probe = 0; probe < capacity_; ++probe) {
    const std::size_t index = (hash + probe) & mask;
    Slot& slot = slots_[index];
    std::uint64_t seen = slot.hash.load(std::memory_order_acquire);
    if (seen == 0) {
      // Claim the slot; the frames are read only after the measured steps.
      if (slot.hash.compare_exchange_strong(seen, hash, std::memory_order_acq_rel)) {
        slot.role = static_cast<ThreadRole>(role);
        slot.depth = static_cast<std::uint8_t>(depth);
        std::memcpy(slot.frames, frames, depth * sizeof(frames[0]));
        seen = hash;
      }
    }
    if (seen == hash) {
      slot.counts.AddCall(bytes);
      return (generation_ << kIndexBits) | static_cast<std::uint32_t>(index + 1);
    }
  }
  untracked_[role].AddCall(bytes);  // the table is full
  return 0;
}

MEMH_HOOK_TEXT void SiteTable::ChargeFree(std::uint32_t tag, std::uint64_t bytes) {
  const std::uint32_t index = tag & kIndexMask;
  if (index != 0 && (tag >> kIndexBits) == generation_ && index <= capacity_) {
    slots_[index - 1].counts.AddFree(bytes);
    return;
  }
  freed_before_[t_client ? 1 : 0].AddFree(bytes);
}

MEMH_HOOK_TEXT SiteTable* ArmedSiteTable() { return g_armed.load(std::memory_order_acquire); }

void SetThreadRole(ThreadRole role) { t_client = role == ThreadRole::kClient; }
ThreadRole CurrentThreadRole() { return t_client ? ThreadRole::kClient : ThreadRole::kBackground; }

}  // namespace memh::harness::alloc
