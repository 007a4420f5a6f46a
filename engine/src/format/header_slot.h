// The two header slots at the start of the file (docs/file_format.md, "Header slots").
// A slot names one committed generation: where its registry and free-space map are,
// how big the file is, and what it holds. Encode/decode only; choosing the winning
// slot and writing the other one is the commit's job (store/commit.cc).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "memh/engine/result.h"

namespace memh::engine {

// Every slot is written as version 3; version-2 and version-1 slots still read (a
// version-1 slot has no delta fields: a generation with no registry deltas). Version 3
// has version 2's layout and says that the structures this engine writes carry XXH3
// checksums (checksum/structure_checksum.h); a format-3 slot may still name structures
// of version 1 written before the upgrade, until a checkpoint rewrites them.
inline constexpr std::uint32_t kFormatVersion = 3;
inline constexpr std::uint32_t kOldestFormatVersion = 1;
inline constexpr std::size_t kHeaderSlotBytes = 512;
inline constexpr std::size_t kHeaderAreaBytes = 2 * kHeaderSlotBytes;
inline constexpr std::uint32_t kMinPageSize = 512;
inline constexpr std::uint32_t kMaxPageSize = 65536;

struct HeaderSlot {
  std::uint32_t page_size = 0;
  std::uint64_t generation = 0;
  std::uint64_t registry_offset = 0;
  std::uint64_t registry_length = 0;
  std::uint64_t map_offset = 0;
  std::uint64_t map_length = 0;
  std::uint64_t file_bytes = 0;
  std::uint64_t used_pages = 0;
  std::uint64_t block_count = 0;
  std::uint64_t last_vacuum_ms = 0;
  std::uint64_t feature_flags = 0;
  std::uint64_t commit_ms = 0;
  // Since version 2: the newest registry delta since the last checkpoint and how many
  // deltas the chain holds (0, 0, 0 at a checkpoint and in every version-1 slot).
  std::uint64_t delta_offset = 0;
  std::uint64_t delta_length = 0;
  std::uint64_t chain_length = 0;
  std::uint32_t version = kFormatVersion;  // as read; encoding always writes kFormatVersion
};

using HeaderSlotBytes = std::array<std::uint8_t, kHeaderSlotBytes>;

// Slot index (0 = A at byte 0, 1 = B at byte 512) that holds `generation`.
inline int SlotIndexFor(std::uint64_t generation) { return generation % 2 == 1 ? 0 : 1; }
inline std::uint64_t SlotOffset(int index) { return index == 0 ? 0 : kHeaderSlotBytes; }
// Pages the header area occupies at `page_size`.
inline std::uint64_t HeaderPages(std::uint32_t page_size) {
  return (kHeaderAreaBytes + page_size - 1) / page_size;
}
inline bool ValidPageSize(std::uint32_t page_size) {
  return page_size >= kMinPageSize && page_size <= kMaxPageSize && (page_size & (page_size - 1)) == 0;
}

HeaderSlotBytes EncodeHeaderSlot(const HeaderSlot& slot);
// Checks magic, version, checksum, page size and feature flags. `where` names the
// slot in errors, e.g. "data.mhs: header slot B".
Result<HeaderSlot> DecodeHeaderSlot(std::span<const std::uint8_t> bytes, std::string_view where);

}  // namespace memh::engine
