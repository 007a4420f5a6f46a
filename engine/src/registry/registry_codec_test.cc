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

// A registry written a piece at a time (as a commit writes one larger than its piece
// buffer) is byte for byte the registry encoded whole, for every piece size from the
// smallest allowed (the header and one entry) up.
TEST(RegistryCodec, PiecesMakeTheSameBytesAsTheWhole) {
  BlockMap blocks;
  for (int i = 0; i < 37; ++i) {
    BlockEntry entry;
    entry.name = "b/" + std::to_string(1000 + i);
    entry.offset = 512 * (i + 3);
    entry.length = 7 * i;
    entry.sha256.fill(static_cast<std::uint8_t>(i));
    entry.modified_ms = 50 + i;
    blocks.emplace(entry.name, entry);
  }
  const std::vector<std::uint8_t> whole = Encode(blocks);
  for (std::size_t piece : {kRegistryHeaderBytes + kRegistryEntryBytes, std::size_t{300}, std::size_t{1000},
                            whole.size()}) {
    std::vector<std::uint8_t> written;
    std::vector<std::uint8_t> buffer(piece);
    RegistryEncoder encoder(blocks);
    int pieces = 0;
    while (!encoder.done()) {
      const std::size_t n = encoder.Next(buffer);
      ASSERT_GT(n, 0u) << piece;
      ASSERT_LE(n, piece);
      written.insert(written.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
      ++pieces;
    }
    const Digest checksum = encoder.Checksum();
    ASSERT_EQ(written.size(), whole.size()) << piece;
    std::copy(checksum.begin(), checksum.end(), written.begin() + kRegistryChecksumOffset);
    EXPECT_EQ(written, whole) << "piece " << piece;
    if (piece == whole.size()) {
      EXPECT_EQ(pieces, 1);
    } else {
      EXPECT_GT(pieces, 1) << piece;
    }
  }
  // An empty registry is its header alone, in one piece.
  const BlockMap no_blocks;  // the encoder keeps a reference: not a temporary
  RegistryEncoder empty(no_blocks);
  std::vector<std::uint8_t> header(kRegistryHeaderBytes);
  EXPECT_EQ(empty.Next(header), kRegistryHeaderBytes);
  EXPECT_TRUE(empty.done());
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
