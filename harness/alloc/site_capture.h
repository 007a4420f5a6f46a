// Call sites in the meter: while a SiteTable is armed, every allocation the hooks
// count is also charged to its call stack (the return addresses above the hooks), and
// every free to the stack that allocated the block. Stacks are only addresses here;
// names come after the measured steps (symbolize.h, runner/sites.h).
//
// Nothing here allocates through the hooks while armed: the table's storage is
// reserved by the constructor (before the measured steps), stacks are unwound with
// libgcc's _Unwind_Backtrace (DWARF call-frame information, which every C++ program
// carries for exceptions, so frames of libraries built without frame pointers are
// not lost; no compiler flag changes and so no figure changes), and a stack is added
// to the table with one compare-and-swap, no lock. A stack that finds no free slot, and
// an allocation made while this thread is already unwinding, are charged to the
// untracked counters, so that the table's sums always equal the meter's totals.
//
// Frees: the allocating stack's slot is remembered in the block's header (24 bits
// beside the header's alignment shift, so the header stays 16 bytes and no figure
// moves). A free of a block the armed table did not see allocate (older blocks) is
// charged to `freed_before` of the freeing thread's role. Slots carry a 10-bit
// generation so that a block from an earlier arming is never charged to a new stack.
//
// Thread roles: a thread is a client while it is joined to a Region (region.h), the
// background otherwise; each stack is kept per role.
// REQUIRES: one armed table at a time; Arm/Disarm from one thread while the others do
// not allocate (the Region's Begin and End, when the scenario is quiescent).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

// The hooks' own code (hooks.cc, and the capture in site_capture.cc) lives in one
// section, whose bounds the linker provides, so that a captured stack starts at the
// hooks' caller whatever was inlined, with or without debug information.
#define MEMH_HOOK_TEXT __attribute__((section("memh_hook_text")))

namespace memh::harness::alloc {

// Zero is the background: a thread no Region has joined.
enum class ThreadRole : std::uint8_t { kBackground = 0, kClient = 1 };
inline constexpr int kThreadRoles = 2;
const char* RoleName(ThreadRole role);  // "client" | "background"

// Return addresses kept per stack, innermost first, the hooks' own frames left out.
inline constexpr std::size_t kMaxStackFrames = 32;

struct SiteCounts {
  std::uint64_t bytes = 0, calls = 0, frees = 0, bytes_freed = 0;
};

// One distinct stack of one role, as captured.
struct RawStack {
  ThreadRole role = ThreadRole::kClient;
  std::span<const std::uintptr_t> frames;  // return addresses, innermost first
  SiteCounts counts;
};

class SiteTable {
 public:
  // `capacity` distinct stacks (per role) at most; at most 16383.
  explicit SiteTable(std::size_t capacity);
  ~SiteTable();
  SiteTable(const SiteTable&) = delete;
  SiteTable& operator=(const SiteTable&) = delete;

  // Forgets every stack (no allocation) and starts charging the hooks' calls here.
  void Arm();
  void Disarm();
  // Between Arm and Disarm: stops charging (Suspend) and charges again (Resume), keeping
  // what was charged, so that untimed work inside a measured stretch stays out.
  void Suspend();
  void Resume();

  // After Disarm: every stack seen, in no particular order.
  std::vector<RawStack> Stacks() const;
  // Allocations whose stack could not be kept (table full, or made while unwinding).
  SiteCounts Untracked(ThreadRole role) const;
  // Frees of blocks allocated before Arm (or while untracked).
  SiteCounts FreedBefore(ThreadRole role) const;
  std::size_t capacity() const { return capacity_; }

  // ---- Called by the hooks only ----
  // Charges an allocation of `bytes` to the calling stack; returns the tag to keep in
  // the block's header (0: none).
  std::uint32_t ChargeAllocation(std::uint64_t bytes);
  void ChargeFree(std::uint32_t tag, std::uint64_t bytes);

 private:
  struct Slot;
  struct AtomicCounts;
  Slot* slots_;
  std::size_t capacity_;
  std::uint32_t generation_ = 0;
  std::unique_ptr<AtomicCounts[]> untracked_, freed_before_;
};

// The armed table, or null (the hooks' one load per call).
SiteTable* ArmedSiteTable();

// The calling thread's role (region.cc sets it on Join and Leave).
void SetThreadRole(ThreadRole role);
ThreadRole CurrentThreadRole();

}  // namespace memh::harness::alloc
