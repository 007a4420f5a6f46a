// Value types the store reports: block metadata, store statistics, vacuum and verify
// reports. Plain structs; copying them is the caller's business.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace memh::engine {

using Digest = std::array<std::uint8_t, 32>;  // SHA-256

struct BlockMetadata {
  std::string name;
  std::uint64_t length = 0;       // logical bytes
  std::uint64_t offset = 0;       // file offset of its extent; 0 while pending or empty
  std::uint64_t pages = 0;        // pages the extent occupies
  Digest sha256{};
  std::uint64_t modified_ms = 0;  // the caller's clock at the write
  bool pending = false;           // written but not yet applied to the file
};

struct StoreStats {
  std::uint32_t page_size = 0;
  std::uint64_t file_bytes = 0;      // committed file size
  std::uint64_t total_pages = 0;
  std::uint64_t used_pages = 0;      // header, registry, map and blocks
  std::uint64_t free_pages = 0;
  std::uint64_t used_bytes = 0;      // used_pages * page_size
  std::uint64_t free_bytes = 0;
  std::uint64_t payload_bytes = 0;   // sum of committed and applied block lengths
  double fragmentation = 0;          // free pages below the last used page / total pages
  std::uint64_t block_count = 0;     // visible blocks, pending writes included
  std::uint64_t pending_writes = 0;  // queued operations not yet applied
  std::uint64_t generation = 0;      // of the last durable commit
  std::uint64_t commits = 0;         // since open
  std::uint64_t checkpoints = 0;     // since open: commits that rewrote the whole registry and map
  std::uint64_t batches_applied = 0; // since open
  std::uint64_t last_vacuum_ms = 0;
  // What the store holds in memory to find blocks and free pages, exactly as requested
  // from the heap (docs/engine_design.md, "Memory per block"): the registry (a tree
  // node per block, the name's own buffer when it is longer than 15 bytes, and the
  // name index's table: two to four 8-byte slots per block) and the
  // free-space map (a bit per page, a tree node per free run). Both grow with the
  // store; nothing else the store keeps does.
  std::uint64_t registry_memory_bytes = 0;
  std::uint64_t free_map_memory_bytes = 0;
  std::uint64_t cache_hits = 0;      // metadata cache
  std::uint64_t cache_misses = 0;
  // Concurrency, as the I/O gate saw it since open: the most readers inside at once.
  std::uint64_t max_concurrent_readers = 0;
  // Buffer strategy counters (a fresh-buffer build rents nothing, so both stay 0).
  std::uint64_t buffer_rents = 0;
  std::uint64_t buffer_returns = 0;
  std::string_view buffers_strategy;  // "fresh" | ...
  std::string_view writes_strategy;   // "copy" | ...
  std::string_view locks_strategy;    // "single" | ...
};

enum class VacuumMode : std::uint8_t {
  kQuick,  // move blocks from the end into holes, commit, truncate the file in place
  kFull,   // rewrite every block packed into a new file and swap it in atomically
};

struct VacuumReport {
  VacuumMode mode = VacuumMode::kQuick;
  std::uint64_t bytes_before = 0;
  std::uint64_t bytes_after = 0;
  std::uint64_t bytes_reclaimed = 0;
  std::uint64_t blocks_moved = 0;
  double fragmentation_before = 0;
  double fragmentation_after = 0;
};

struct VerifyReport {
  bool ok() const { return problems.empty(); }
  std::vector<std::string> problems;  // one line each, naming the structure or block
  std::vector<std::string> warnings;  // harmless findings, e.g. a torn older header slot
  std::uint64_t blocks_checked = 0;
  std::uint64_t bytes_checked = 0;
  std::uint64_t pages_checked = 0;
  std::uint64_t generation = 0;
  int header_slot = 0;                // 0 = A, 1 = B: the slot that was used
};

}  // namespace memh::engine
