// Encoding of a registry delta extent (docs/file_format.md, "Registry delta extent"):
// what one non-checkpoint commit changed in the registry. A 96-byte header, then U
// registry entries (the registry's 96-byte layout, sorted by name) for blocks written
// since the previous generation, then R names (32 bytes, NUL-padded, sorted) of blocks
// removed since it. Deltas chain backwards to the last checkpoint (the base registry).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checksum/structure_checksum.h"
#include "memh/engine/result.h"
#include "registry/block_entry.h"

namespace memh::engine {

inline constexpr std::size_t kDeltaHeaderBytes = 96;
inline constexpr std::size_t kDeltaEntryBytes = 96;
inline constexpr std::size_t kDeltaNameBytes = 32;
inline constexpr std::size_t kDeltaChecksumOffset = 64;

struct DeltaHeader {
  std::uint64_t upserts = 0;
  std::uint64_t removals = 0;
  std::uint64_t prev_offset = 0;  // the previous delta of the chain; 0, 0 for the first
  std::uint64_t prev_length = 0;
  std::uint64_t generation = 0;   // the generation this delta's commit published
  std::uint64_t total_pages = 0;  // the file's pages at that generation
};

inline std::uint64_t DeltaEncodedSize(std::uint64_t upserts, std::uint64_t removals) {
  return kDeltaHeaderBytes + kDeltaEntryBytes * upserts + kDeltaNameBytes * removals;
}

// Writes a delta into a buffer of exactly DeltaEncodedSize(header.upserts,
// header.removals) bytes: Upsert() header.upserts times in name order, then Remove()
// header.removals times in name order, then Finish() (the checksum). Allocates nothing.
class DeltaEncoder {
 public:
  DeltaEncoder(const DeltaHeader& header, std::span<std::uint8_t> out);
  void Upsert(std::string_view name, const BlockEntry& entry);
  void Remove(std::string_view name);
  void Finish();

 private:
  std::span<std::uint8_t> out_;
  std::size_t at_ = kDeltaHeaderBytes;
};

struct Delta {
  DeltaHeader header;
  std::vector<BlockEntry> upserts;   // sorted by name, unique
  std::vector<std::string> removals; // sorted, unique, none also upserted
};

// Parses and checks a delta extent: length, magic, version, entry size, counts against
// the length, checksum, names valid, sorted, unique, no name both upserted and removed.
// `where` prefixes every (one-line) error.
Result<Delta> DecodeDelta(std::span<const std::uint8_t> bytes, std::string_view where);

}  // namespace memh::engine
