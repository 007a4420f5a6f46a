// Region: one measured stretch of a program, with per-operation samples. The thread
// that begins a region is its first client; other threads join as clients. A client
// marks each operation's start and end; the operation's sample is what that thread
// allocated in between. Everything allocated during the region by threads that are
// not clients (the engine's background writer, a pool) is the background part.
//
// The meter never allocates while measuring: sample storage is reserved when the
// Region is constructed (before Begin), and marking an operation only copies counters.
// REQUIRES: one region at a time; every client Leave()s (or is the one that calls End)
// before End(); OpStart/OpEnd alternate on a client thread.
// Thread-safety: Join/Leave/OpStart/OpEnd from any client thread at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <span>
#include <vector>

#include "alloc/meter.h"
#include "alloc/site_capture.h"

namespace memh::harness::alloc {

struct OpSample {
  std::uint64_t bytes = 0;
  std::uint64_t calls = 0;
  std::uint64_t frees = 0;
  std::uint64_t bytes_freed = 0;
  std::uint64_t charged_bytes = 0;
  std::uint64_t elapsed_ns = 0;
  std::uint32_t client = 0;  // the client thread's index, in join order
  std::uint32_t tag = 0;     // what the caller said the operation was (OpEnd's tag)
  // Every thread's requested bytes since Begin, read at this operation's end: with the
  // samples' own bytes it places the background's allocations between operations
  // (timing decides which operation's end a writer's batch lands next to).
  std::uint64_t process_bytes = 0;
};

struct RegionResult {
  Counters all;         // every thread, during the region
  Counters clients;     // the client threads
  Counters background;  // all - clients
  std::uint64_t peak_live_bytes = 0;  // highest live bytes during the region, above its start
  std::uint32_t client_threads = 0;
  std::uint64_t samples_dropped = 0;  // operations past the reserved capacity (a sizing bug)
  std::span<const OpSample> samples;  // valid while the Region lives
};

class Region {
 public:
  // With `sites`, every allocation and free of the region is also charged to its call
  // stack there (site_capture.h): armed in Begin, disarmed in End.
  explicit Region(std::size_t sample_capacity, SiteTable* sites = nullptr);
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;

  void Begin();  // the calling thread becomes client 0
  void Join();   // the calling thread becomes a client
  void Leave();  // the calling client thread stops being one
  void OpStart();
  void OpEnd(std::uint32_t tag = 0);
  RegionResult End();  // the calling thread leaves; the region's figures

 private:
  struct alignas(64) AtomicCounters {
    std::atomic<std::uint64_t> bytes{0}, calls{0}, frees{0}, bytes_freed{0}, charged{0}, failed{0};
    void Add(const Counters& c);
    Counters Load() const;
  };

  std::vector<OpSample> samples_;
  SiteTable* sites_ = nullptr;
  std::atomic<std::uint64_t> next_sample_{0};
  std::atomic<std::uint32_t> next_client_{0};
  AtomicCounters clients_;
  Counters process_at_begin_;
  std::uint64_t live_at_begin_ = 0;
  std::uint32_t clients_at_end_ = 0;
};

}  // namespace memh::harness::alloc
