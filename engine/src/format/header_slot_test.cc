#include "format/header_slot.h"

#include <gtest/gtest.h>

namespace memh::engine {
namespace {

HeaderSlot SampleSlot() {
  HeaderSlot slot;
  slot.page_size = 4096;
  slot.generation = 7;
  slot.registry_offset = 8192;
  slot.registry_length = 64 + 96 * 3;
  slot.map_offset = 12288;
  slot.map_length = 100;
  slot.file_bytes = 4096 * 10;
  slot.used_pages = 5;
  slot.block_count = 3;
  slot.last_vacuum_ms = 123;
  slot.commit_ms = 456;
  return slot;
}

TEST(HeaderSlot, RoundTripsEveryField) {
  HeaderSlotBytes bytes = EncodeHeaderSlot(SampleSlot());
  Result<HeaderSlot> decoded = DecodeHeaderSlot(bytes, "slot A");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->generation, 7u);
  EXPECT_EQ(decoded->registry_offset, 8192u);
  EXPECT_EQ(decoded->registry_length, 64u + 96 * 3);
  EXPECT_EQ(decoded->map_offset, 12288u);
  EXPECT_EQ(decoded->map_length, 100u);
  EXPECT_EQ(decoded->file_bytes, 40960u);
  EXPECT_EQ(decoded->used_pages, 5u);
  EXPECT_EQ(decoded->block_count, 3u);
  EXPECT_EQ(decoded->last_vacuum_ms, 123u);
  EXPECT_EQ(decoded->commit_ms, 456u);
}

TEST(HeaderSlot, StartsWithTheMagicBytes) {
  HeaderSlotBytes bytes = EncodeHeaderSlot(SampleSlot());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()), 7), "MHSTORE");
  EXPECT_EQ(bytes[7], 0);
}

TEST(HeaderSlot, EveryFlippedByteIsRejected) {
  const HeaderSlotBytes good = EncodeHeaderSlot(SampleSlot());
  for (std::size_t i = 0; i < good.size(); ++i) {
    HeaderSlotBytes bad = good;
    bad[i] ^= 0x01;
    Result<HeaderSlot> decoded = DecodeHeaderSlot(bad, "slot B");
    ASSERT_FALSE(decoded.ok()) << "byte " << i;
    EXPECT_EQ(decoded.status().code(), Code::kCorruption);
    EXPECT_EQ(decoded.status().message().rfind("slot B: ", 0), 0u) << decoded.status().message();
  }
}

TEST(HeaderSlot, RejectsTruncatedInput) {
  HeaderSlotBytes bytes = EncodeHeaderSlot(SampleSlot());
  Result<HeaderSlot> decoded = DecodeHeaderSlot(std::span(bytes).first(100), "slot A");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("truncated"), std::string::npos);
}

TEST(HeaderSlot, RejectsAValidChecksumOverBadFields) {
  HeaderSlot slot = SampleSlot();
  slot.page_size = 1000;
  EXPECT_FALSE(DecodeHeaderSlot(EncodeHeaderSlot(slot), "s").ok());
  slot = SampleSlot();
  slot.registry_offset = 4096 * 20;  // past the end of the file
  Result<HeaderSlot> decoded = DecodeHeaderSlot(EncodeHeaderSlot(slot), "s");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("registry extent"), std::string::npos);
  slot = SampleSlot();
  slot.feature_flags = 4;
  EXPECT_FALSE(DecodeHeaderSlot(EncodeHeaderSlot(slot), "s").ok());
}

TEST(HeaderSlot, AlternatesSlotsByGeneration) {
  EXPECT_EQ(SlotIndexFor(1), 0);
  EXPECT_EQ(SlotIndexFor(2), 1);
  EXPECT_EQ(SlotIndexFor(3), 0);
  EXPECT_EQ(HeaderPages(512), 2u);
  EXPECT_EQ(HeaderPages(4096), 1u);
}

}  // namespace
}  // namespace memh::engine
