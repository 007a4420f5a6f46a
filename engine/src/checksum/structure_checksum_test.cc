#include "checksum/structure_checksum.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace memh::engine {
namespace {

std::string Hex(const Digest& digest) {
  std::string text;
  for (std::uint8_t byte : digest) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", byte);
    text += two;
  }
  return text;
}

std::span<const std::uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

TEST(StructureChecksum, VersionOneIsSha256AndVersionTwoXxh3) {
  EXPECT_EQ(*ChecksumOfVersion(1, "f"), StructureChecksum::kSha256);
  EXPECT_EQ(*ChecksumOfVersion(kStructureVersion, "f"), StructureChecksum::kXxh3);
  for (std::uint32_t version : {0u, kStructureVersion + 1}) {
    Result<StructureChecksum> kind = ChecksumOfVersion(version, "f.mhs: registry");
    ASSERT_FALSE(kind.ok());
    EXPECT_EQ(kind.status().code(), Code::kCorruption);
    EXPECT_EQ(kind.status().message(), "f.mhs: registry: unsupported version " + std::to_string(version));
  }
}

// The published test vectors: what docs/file_format.md names is what is computed.
TEST(StructureChecksum, MatchesThePublishedVectors) {
  EXPECT_EQ(Hex(StructureDigest(StructureChecksum::kSha256, {Bytes("abc")})),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // XXH3-128 of no bytes, canonical (big-endian), then the 16 zero bytes of the field.
  EXPECT_EQ(Hex(StructureDigest(StructureChecksum::kXxh3, {})),
            "99aa06d3014798d86001c324468d497f00000000000000000000000000000000");
}

TEST(StructureChecksum, PiecesHashAsTheirConcatenation) {
  std::vector<std::uint8_t> bytes(100'000);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 131 + 7);
  const std::span<const std::uint8_t> all(bytes);
  for (StructureChecksum kind : {StructureChecksum::kSha256, StructureChecksum::kXxh3}) {
    const Digest whole = StructureDigest(kind, {all});
    EXPECT_EQ(StructureDigest(kind, {all.first(24), all.subspan(24, 1000), all.subspan(1024)}), whole);
    StructureHash hash(kind);
    for (std::size_t at = 0; at < bytes.size(); at += 4093) {
      hash.Update(all.subspan(at, std::min<std::size_t>(4093, bytes.size() - at)));
    }
    EXPECT_EQ(hash.Finish(), whole);
    bytes[5000] ^= 1;
    EXPECT_NE(StructureDigest(kind, {all}), whole);
    bytes[5000] ^= 1;
  }
  EXPECT_NE(StructureDigest(StructureChecksum::kSha256, {all}), StructureDigest(StructureChecksum::kXxh3, {all}));
}

}  // namespace
}  // namespace memh::engine
