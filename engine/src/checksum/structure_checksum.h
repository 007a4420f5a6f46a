// The checksum in the 32-byte field of the file's own variable-size structures: the
// registry, its deltas and the free-space map (docs/file_format.md, "Checksums").
// Which function is the structure's own version field's to say: version 1 of each
// (format 1 and 2 files) used SHA-256; version 2 (written since format 3) uses XXH3-128,
// about an order of magnitude faster: a checkpoint hashes the whole registry (96 MB at
// a million blocks), and SHA-256 was most of its time. Both detect a damaged
// structure; neither is a signature.
// Header slots and block payloads keep SHA-256 (checksum/sha256.h).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "checksum/sha256.h"
#include "memh/engine/result.h"
#include "memh/engine/stats.h"

namespace memh::engine {

// The version every structure codec writes, and the oldest one it still reads.
inline constexpr std::uint32_t kStructureVersion = 2;
inline constexpr std::uint32_t kOldestStructureVersion = 1;

enum class StructureChecksum { kSha256, kXxh3 };

// What a structure of kStructureVersion carries: what every codec writes.
inline constexpr StructureChecksum kStructureChecksum = StructureChecksum::kXxh3;

// The checksum a structure of `version` (its header's version field) carries; a
// version outside kOldestStructureVersion..kStructureVersion is Corruption at `where`.
Result<StructureChecksum> ChecksumOfVersion(std::uint32_t version, std::string_view where);

// The checksum of the concatenation of `parts`: SHA-256's 32 bytes, or XXH3-128's 16
// (canonical, big-endian) followed by 16 zero bytes.
Digest StructureDigest(StructureChecksum kind, std::initializer_list<std::span<const std::uint8_t>> parts);

// The same over bytes given in pieces (a registry written a chunk at a time). Holds
// the hash state inline: no heap allocation.
class StructureHash {
 public:
  explicit StructureHash(StructureChecksum kind);
  void Update(std::span<const std::uint8_t> bytes);
  Digest Finish();  // the digest of everything given; the hash is spent

 private:
  StructureChecksum kind_;
  Sha256Stream sha256_;
  alignas(64) std::uint8_t xxh3_[640];  // xxHash's XXH3_state_t (checked in the .cc)
};

}  // namespace memh::engine
