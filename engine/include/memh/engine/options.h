// StoreOptions: everything a caller chooses when creating or opening a store. The
// defaults are the original engine's numbers (docs/original_engine.md, "Numbers our
// defaults keep"), except timers, which are off so that a scenario's work never
// depends on timing.
#pragma once

#include <cstdint>

#include "memh/engine/clock.h"
#include "memh/engine/env.h"

namespace memh::engine {

enum class SyncPolicy : std::uint8_t {
  kNone,    // never fsync: fastest, durable only as far as the OS gets (benchmarks)
  kCommit,  // fsync at every commit point (flush, commit, auto-commit, vacuum, close)
};

struct StoreOptions {
  // Set at creation, a power of two in [512, 65536]; on open it must match the file
  // (0 means "whatever the file says").
  std::uint32_t page_size = 4096;
  SyncPolicy sync = SyncPolicy::kCommit;
  // Writes are queued and applied in batches of this many operations.
  std::uint32_t batch_size = 200;
  // Write-behind depth: at most queue_capacity / batch_size full batches wait for the
  // background writer; a client that would hand off one more waits for the oldest.
  std::uint32_t queue_capacity = 1000;
  // The registry is committed (auto-commit) after this many applied changes.
  std::uint32_t registry_flush_threshold = 200;
  // A commit writes only a registry delta (what changed since the last commit) until
  // the deltas since the last checkpoint would pass max(base registry / 4, this many
  // bytes, in whole pages); then it writes the whole registry and map (a checkpoint).
  // The floor decides for stores below ~10,000 blocks: a small store's file holds up
  // to this much in deltas between checkpoints.
  std::uint64_t delta_chain_min_bytes = 256 << 10;
  // Entries held by the metadata cache in front of the registry.
  std::uint32_t metadata_cache_capacity = 1000;
  // The file grows by at least this many pages (2560 x 4 KiB = 10 MiB), or by half
  // its size, whichever is larger.
  std::uint32_t growth_min_pages = 2560;
  // Background flush of pending writes every this many ms; 0 = off (the default).
  std::uint32_t flush_interval_ms = 0;
  // Bytes a pooled buffer strategy may keep for reuse (per pool); a buffer returned
  // beyond this cap is freed. Ignored by the fresh strategies.
  std::uint64_t buffer_pool_bytes = 64ull << 20;
  // Bytes the staged writes strategy reserves once, when the store opens, to hold
  // queued payloads until their batch is written (a write buffer, like a memtable's
  // arena); a payload that does not fit goes to the heap. Ignored by "copy".
  std::uint64_t write_buffer_bytes = 8ull << 20;
  // Open without write access: nothing is ever written; mutating calls fail.
  bool read_only = false;
  // Null means SystemClock() / DefaultEnv(). Both must outlive the store.
  Clock* clock = nullptr;
  Env* env = nullptr;
};

}  // namespace memh::engine
