#include "registry/delta_codec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace memh::engine {
namespace {

BlockEntry Entry(const std::string& name, int i) {
  BlockEntry entry;
  entry.name = name;
  entry.offset = 4096 * (i + 2);
  entry.length = 100 * (i + 1);
  entry.sha256.fill(static_cast<std::uint8_t>(i + 1));
  entry.modified_ms = 1000 + i;
  entry.flags = 0;
  return entry;
}

DeltaHeader Header() {
  DeltaHeader header;
  header.upserts = 2;
  header.removals = 1;
  header.prev_offset = 8192;
  header.prev_length = 192;
  header.generation = 7;
  header.total_pages = 40;
  return header;
}

std::vector<std::uint8_t> Encode() {
  const DeltaHeader header = Header();
  std::vector<std::uint8_t> bytes(DeltaEncodedSize(header.upserts, header.removals));
  DeltaEncoder encoder(header, bytes);
  encoder.Upsert("alpha", Entry("alpha", 0));
  encoder.Upsert("beta", Entry("beta", 1));
  encoder.Remove("gone");
  encoder.Finish();
  return bytes;
}

TEST(DeltaCodec, RoundTrip) {
  std::vector<std::uint8_t> bytes = Encode();
  ASSERT_EQ(bytes.size(), 96u + 2 * 96u + 32u);
  Result<Delta> delta = DecodeDelta(bytes, "d");
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  EXPECT_EQ(delta->header.upserts, 2u);
  EXPECT_EQ(delta->header.removals, 1u);
  EXPECT_EQ(delta->header.prev_offset, 8192u);
  EXPECT_EQ(delta->header.prev_length, 192u);
  EXPECT_EQ(delta->header.generation, 7u);
  EXPECT_EQ(delta->header.total_pages, 40u);
  ASSERT_EQ(delta->upserts.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const BlockEntry want = Entry(i == 0 ? "alpha" : "beta", i);
    const BlockEntry& got = delta->upserts[i];
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.offset, want.offset);
    EXPECT_EQ(got.length, want.length);
    EXPECT_EQ(got.sha256, want.sha256);
    EXPECT_EQ(got.modified_ms, want.modified_ms);
    EXPECT_EQ(got.type, want.type);
  }
  ASSERT_EQ(delta->removals.size(), 1u);
  EXPECT_EQ(delta->removals[0], "gone");
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 8), std::string("MHDELTA\0", 8));
}

TEST(DeltaCodec, EmptyDeltaRoundTrips) {
  DeltaHeader header;
  header.generation = 2;
  header.total_pages = 3;
  std::vector<std::uint8_t> bytes(DeltaEncodedSize(0, 0));
  DeltaEncoder encoder(header, bytes);
  encoder.Finish();
  Result<Delta> delta = DecodeDelta(bytes, "d");
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  EXPECT_TRUE(delta->upserts.empty());
  EXPECT_TRUE(delta->removals.empty());
}

// Every byte flipped, one at a time: a one-line corruption error naming the extent.
TEST(DeltaCodec, EveryByteFlippedIsAOneLineCorruptionError) {
  const std::vector<std::uint8_t> good = Encode();
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::vector<std::uint8_t> bytes = good;
    bytes[i] ^= 0x01;
    Result<Delta> delta = DecodeDelta(bytes, "f.mhs: registry delta at offset 8192");
    ASSERT_FALSE(delta.ok()) << "byte " << i;
    EXPECT_EQ(delta.status().code(), Code::kCorruption) << "byte " << i;
    const std::string message = delta.status().message();
    EXPECT_EQ(message.rfind("f.mhs: registry delta at offset 8192: ", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(DeltaCodec, EachHeaderFieldCorruptedSaysWhich) {
  const std::vector<std::uint8_t> good = Encode();
  auto message = [&](std::size_t offset, std::uint8_t mask) {
    std::vector<std::uint8_t> bytes = good;
    bytes[offset] ^= mask;
    return DecodeDelta(bytes, "d").status().message();
  };
  EXPECT_EQ(message(0, 0x01), "d: bad magic");
  EXPECT_EQ(message(8, 0x04), "d: unsupported version 6");
  EXPECT_EQ(message(12, 0x01), "d: entry size 97, expected 96");
  EXPECT_EQ(message(16, 0x01), "d: 3 entries and 1 removals do not match length 320");
  EXPECT_EQ(message(24, 0x02), "d: 2 entries and 3 removals do not match length 320");
  EXPECT_EQ(message(32, 0x01), "d: checksum mismatch");   // previous offset
  EXPECT_EQ(message(40, 0x01), "d: checksum mismatch");   // previous length
  EXPECT_EQ(message(48, 0x01), "d: checksum mismatch");   // generation
  EXPECT_EQ(message(56, 0x01), "d: checksum mismatch");   // total pages
  EXPECT_EQ(message(64, 0x01), "d: checksum mismatch");   // the checksum itself
  EXPECT_EQ(message(96 + 40, 0x01), "d: checksum mismatch");  // an entry
  EXPECT_EQ(message(96 + 192 + 1, 0x01), "d: checksum mismatch");  // a removed name
  std::vector<std::uint8_t> short_bytes(good.begin(), good.begin() + 95);
  EXPECT_EQ(DecodeDelta(short_bytes, "d").status().message(), "d: truncated: 95 bytes, need 96");
}

TEST(DeltaCodec, NamesMustBeSortedUniqueAndNotBothUpsertedAndRemoved) {
  DeltaHeader header = Header();
  std::vector<std::uint8_t> bytes(DeltaEncodedSize(2, 1));
  {
    DeltaEncoder encoder(header, bytes);
    encoder.Upsert("beta", Entry("beta", 1));
    encoder.Upsert("alpha", Entry("alpha", 0));
    encoder.Remove("gone");
    encoder.Finish();
    EXPECT_EQ(DecodeDelta(bytes, "d").status().message(), "d: entry 1 \"alpha\": names not sorted and unique");
  }
  {
    DeltaEncoder encoder(header, bytes);
    encoder.Upsert("alpha", Entry("alpha", 0));
    encoder.Upsert("beta", Entry("beta", 1));
    encoder.Remove("beta");
    encoder.Finish();
    EXPECT_EQ(DecodeDelta(bytes, "d").status().message(), "d: removal 0 \"beta\": also written by this delta");
  }
}

}  // namespace
}  // namespace memh::engine
