// Encoding of the block registry extent (docs/file_format.md, "Registry extent"):
// a 64-byte header and one 96-byte entry per block, sorted by name.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "checksum/structure_checksum.h"
#include "memh/engine/result.h"
#include "registry/block_entry.h"
#include "util/node_pool.h"

namespace memh::engine {

inline constexpr std::size_t kRegistryHeaderBytes = 64;
inline constexpr std::size_t kRegistryEntryBytes = 96;

// Blocks by name; std::less<> so lookups take a string_view without a copy.
// Its nodes come from a NodePool (util/node_pool.h): inserting a block after one was
// removed reuses the removed block's node.
using BlockMap = std::map<std::string, BlockEntry, std::less<>, PoolAllocator<std::pair<const std::string, BlockEntry>>>;

// The heap bytes `blocks` holds: its nodes (in use or kept for reuse) and the buffers
// of names and entry names too long for std::string's inline storage. O(blocks).
std::uint64_t RegistryMemoryBytes(const BlockMap& blocks);

inline std::uint64_t RegistryEncodedSize(std::uint64_t entries) {
  return kRegistryHeaderBytes + kRegistryEntryBytes * entries;
}
// One entry in the 96-byte layout (docs/file_format.md, "Registry extent"), the one
// the registry and its deltas (delta_codec.h) share. `out` holds 96 bytes; the name is
// 1..31 bytes.
void PutRegistryEntry(std::string_view name, const BlockEntry& entry, std::uint8_t* out);
// Every field of an entry but the name (which its caller checks in its own terms).
void GetRegistryEntryFields(const std::uint8_t* in, BlockEntry* entry);

// REQUIRES out.size() == RegistryEncodedSize(blocks.size()).
void EncodeRegistry(const BlockMap& blocks, std::span<std::uint8_t> out);

// The same bytes a piece at a time, so that a commit can write a registry of any size
// through one buffer of bounded size (at a million blocks the registry is 96 MB): each
// Next() fills a piece, the first starting with the 64-byte header whose checksum
// field is still zero; once done(), Checksum() is what goes at kRegistryChecksumOffset.
// The blocks must not change while it runs. Allocates nothing.
inline constexpr std::size_t kRegistryChecksumOffset = 24;
class RegistryEncoder {
 public:
  explicit RegistryEncoder(const BlockMap& blocks);
  explicit RegistryEncoder(const BlockMap&& blocks) = delete;  // it keeps a reference
  // Encodes the next bytes into `out` (which must hold the header and one entry, or
  // whatever is left) and returns how many: the header (first piece only) and as many
  // whole entries as fit.
  std::size_t Next(std::span<std::uint8_t> out);
  bool done() const { return header_written_ && next_ == end_; }
  Digest Checksum();

 private:
  const BlockMap& blocks_;
  BlockMap::const_iterator next_, end_;
  bool header_written_ = false;
  StructureHash checksum_{kStructureChecksum};
};
// Parses and checks a registry extent: magic, version, entry size, count against the
// length, checksum, names valid, sorted and unique. `where` prefixes every error.
Result<BlockMap> DecodeRegistry(std::span<const std::uint8_t> bytes, std::string_view where);

}  // namespace memh::engine
