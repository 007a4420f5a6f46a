// Encoding of the block registry extent (docs/file_format.md, "Registry extent"):
// a 64-byte header and one 96-byte entry per block, sorted by name.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "memh/engine/result.h"
#include "registry/block_entry.h"

namespace memh::engine {

inline constexpr std::size_t kRegistryHeaderBytes = 64;
inline constexpr std::size_t kRegistryEntryBytes = 96;

// Blocks by name; std::less<> so lookups take a string_view without a copy.
using BlockMap = std::map<std::string, BlockEntry, std::less<>>;

inline std::uint64_t RegistryEncodedSize(std::uint64_t entries) {
  return kRegistryHeaderBytes + kRegistryEntryBytes * entries;
}
// REQUIRES out.size() == RegistryEncodedSize(blocks.size()).
void EncodeRegistry(const BlockMap& blocks, std::span<std::uint8_t> out);
// Parses and checks a registry extent: magic, version, entry size, count against the
// length, checksum, names valid, sorted and unique. `where` prefixes every error.
Result<BlockMap> DecodeRegistry(std::span<const std::uint8_t> bytes, std::string_view where);

}  // namespace memh::engine
