#include "registry/registry_codec.h"

#include <gtest/gtest.h>

#include <vector>

namespace memh::engine {
namespace {

BlockMap SampleBlocks() {
  BlockMap blocks;
  for (int i = 0; i < 3; ++i) {
    BlockEntry entry;
    entry.name = "block-" + std::to_string(i);
    entry.offset = 4096 * (i + 2);
    entry.length = 100 * (i + 1);
    entry.sha256.fill(static_cast<std::uint8_t>(i + 1));
    entry.modified_ms = 1000 + i;
    blocks.emplace(entry.name, entry);
  }
  return blocks;
}

std::vector<std::uint8_t> Encode(const BlockMap& blocks) {
  std::vector<std::uint8_t> bytes(RegistryEncodedSize(blocks.size()));
  EncodeRegistry(blocks, bytes);
  return bytes;
}

TEST(RegistryCodec, RoundTrips) {
  BlockMap blocks = SampleBlocks();
  Result<BlockMap> decoded = DecodeRegistry(Encode(blocks), "reg");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_EQ(decoded->size(), 3u);
  for (const auto& [name, entry] : blocks) {
    const BlockEntry& got = decoded->at(name);
    EXPECT_EQ(got.offset, entry.offset);
    EXPECT_EQ(got.length, entry.length);
    EXPECT_EQ(got.sha256, entry.sha256);
    EXPECT_EQ(got.modified_ms, entry.modified_ms);
    EXPECT_EQ(got.type, kBlockTypeData);
  }
}

TEST(RegistryCodec, EntriesAre96BytesAfterA64ByteHeader) {
  EXPECT_EQ(Encode(SampleBlocks()).size(), 64u + 3 * 96);
  EXPECT_EQ(Encode(BlockMap{}).size(), 64u);
}

TEST(RegistryCodec, EveryFlippedByteIsRejected) {
  const std::vector<std::uint8_t> good = Encode(SampleBlocks());
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::vector<std::uint8_t> bad = good;
    bad[i] ^= 0x80;
    Result<BlockMap> decoded = DecodeRegistry(bad, "data.mhs: registry");
    ASSERT_FALSE(decoded.ok()) << "byte " << i;
    EXPECT_EQ(decoded.status().code(), Code::kCorruption);
  }
}

TEST(RegistryCodec, RejectsWrongLengths) {
  std::vector<std::uint8_t> bytes = Encode(SampleBlocks());
  bytes.pop_back();
  EXPECT_FALSE(DecodeRegistry(bytes, "r").ok());
  EXPECT_FALSE(DecodeRegistry(std::span(bytes).first(10), "r").ok());
}

TEST(BlockName, EnforcesLengthAndNul) {
  EXPECT_TRUE(ValidateBlockName(std::string(31, 'x')).ok());
  EXPECT_EQ(ValidateBlockName(std::string(32, 'x')).code(), Code::kNameTooLong);
  EXPECT_EQ(ValidateBlockName("").code(), Code::kInvalidArgument);
  EXPECT_EQ(ValidateBlockName(std::string_view("a\0b", 3)).code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace memh::engine
