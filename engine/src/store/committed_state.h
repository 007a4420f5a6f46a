// CommittedState: one durable generation as read back from the file: the winning
// header slot, the registry and the free-space map, checked against each other.
// Open() builds the live store from it; Verify() and VerifyFile() check it further
// (every block's checksum). Nothing here writes to the file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/header_slot.h"
#include "free_space/free_space_map.h"
#include "memh/engine/env.h"
#include "memh/engine/result.h"
#include "registry/delta_codec.h"
#include "registry/registry_codec.h"

namespace memh::engine {

class BufferSource;

struct CommittedState {
  HeaderSlot slot;
  int slot_index = 0;                 // 0 = A, 1 = B
  BlockMap blocks;
  FreeSpaceMap map{0, 1};
  // The registry deltas since the checkpoint (the base registry and map), oldest
  // first; blocks and map above are the base with every one applied.
  struct DeltaRef {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
  };
  std::vector<DeltaRef> deltas;
  std::uint64_t actual_file_bytes = 0;
  std::vector<std::string> warnings;  // e.g. the losing slot failed its checks
};

inline std::uint64_t PagesFor(std::uint64_t bytes, std::uint32_t page_size) {
  return (bytes + page_size - 1) / page_size;
}
inline Extent ExtentOf(std::uint64_t offset, std::uint64_t length, std::uint32_t page_size) {
  return Extent{offset / page_size, PagesFor(length, page_size)};
}

// The map extent is whole pages: the encoded map, then zeros. (Its exact size depends
// on the extent it is written to, so the extent is sized first, with slack.)
// REQUIRES out.size() >= map.EncodedSize().
void EncodeMapPadded(const FreeSpaceMap& map, std::span<std::uint8_t> out);
// The encoded map inside a padded extent, after checking the padding is zero.
Result<std::span<const std::uint8_t>> UnpadMap(std::span<const std::uint8_t> extent, std::string_view where);

// Reads both slots, picks the valid one with the highest generation, reads and checks
// its registry and map, and checks that they describe the same pages: every block
// inside the file, no two extents overlapping, every page used exactly once or free,
// counts matching the slot. `page_size` 0 accepts the file's. Errors name the file and
// the structure: "data.mhs: registry at offset 8192: checksum mismatch".
Result<CommittedState> LoadCommittedState(File& file, std::uint32_t page_size, std::uint64_t growth_min_pages);

// Reads every block of `state` and checks its SHA-256; appends one line per problem
// to report->problems. Counts what it checked in `report`.
void VerifyBlocks(File& file, const CommittedState& state, BufferSource& buffers, VerifyReport* report);

}  // namespace memh::engine
