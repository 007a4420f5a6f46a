#include "free_space/free_space_map.h"

#include <gtest/gtest.h>

#include "checksum/structure_checksum.h"

#include <random>
#include <vector>

namespace memh::engine {
namespace {

std::vector<std::uint8_t> Encode(const FreeSpaceMap& map) {
  std::vector<std::uint8_t> bytes(map.EncodedSize());
  map.EncodeTo(bytes);
  return bytes;
}

TEST(FreeSpaceMap, FirstFitTakesTheLowestRunThatFits) {
  FreeSpaceMap map(100, 10);
  map.MarkUsed({0, 100});
  map.Free({10, 2});
  map.Free({20, 5});
  map.Free({40, 5});
  EXPECT_EQ(map.Allocate(4), (Extent{20, 4}));  // 10..11 is too short
  EXPECT_EQ(map.Allocate(2), (Extent{10, 2}));  // exact fit consumes the run
  EXPECT_EQ(map.Allocate(5), (Extent{40, 5}));
  EXPECT_EQ(map.FreeExtents(), (std::vector<Extent>{{24, 1}}));
}

TEST(FreeSpaceMap, GrowsByTheMinimumOrHalfTheFile) {
  FreeSpaceMap map(0, 2560);
  EXPECT_EQ(map.Allocate(3), (Extent{0, 3}));
  EXPECT_EQ(map.total_pages(), 2560u);
  FreeSpaceMap big(10000, 2560);
  big.MarkUsed({0, 10000});
  EXPECT_EQ(big.Allocate(1), (Extent{10000, 1}));
  EXPECT_EQ(big.total_pages(), 15000u);  // half of 10000 > 2560
}

TEST(FreeSpaceMap, GrowthMergesWithAFreeTail) {
  FreeSpaceMap map(100, 10);
  map.MarkUsed({0, 90});  // 10 free pages at the end
  Extent e = map.Allocate(30);
  EXPECT_EQ(e, (Extent{90, 30}));
  EXPECT_EQ(map.total_pages(), 150u);  // grew by max(10, 50, 20)
  EXPECT_EQ(map.FreeExtents(), (std::vector<Extent>{{120, 30}}));
}

TEST(FreeSpaceMap, FreeCoalescesWithBothNeighbours) {
  FreeSpaceMap map(30, 1);
  map.MarkUsed({0, 30});
  map.Free({0, 10});
  map.Free({20, 10});
  EXPECT_EQ(map.free_extent_count(), 2u);
  map.Free({10, 10});
  EXPECT_EQ(map.FreeExtents(), (std::vector<Extent>{{0, 30}}));
  EXPECT_EQ(map.free_pages(), 30u);
}

TEST(FreeSpaceMap, UsedEndHolesAndShrink) {
  FreeSpaceMap map(100, 1);
  EXPECT_EQ(map.UsedEnd(), 0u);
  map.MarkUsed({0, 5});
  map.MarkUsed({10, 5});
  EXPECT_EQ(map.UsedEnd(), 15u);
  EXPECT_EQ(map.HolePages(), 5u);
  EXPECT_EQ(map.LargestFreeRun(), 85u);
  map.Shrink(15);
  EXPECT_EQ(map.total_pages(), 15u);
  EXPECT_EQ(map.free_pages(), 5u);
  EXPECT_EQ(map.FreeExtents(), (std::vector<Extent>{{5, 5}}));
}

TEST(FreeSpaceMap, AgreesWithAPageModelUnderRandomChurn) {
  std::mt19937_64 rng(7);
  FreeSpaceMap map(0, 16);
  std::vector<bool> model;
  std::vector<Extent> live;
  for (int step = 0; step < 1000; ++step) {
    if (live.empty() || rng() % 3 != 0) {
      Extent e = map.Allocate(1 + rng() % 9);
      if (model.size() < map.total_pages()) model.resize(map.total_pages(), false);
      for (auto p = e.start; p < e.end(); ++p) {
        ASSERT_FALSE(model[p]) << "page " << p << " handed out twice";
        model[p] = true;
      }
      live.push_back(e);
    } else {
      std::size_t i = rng() % live.size();
      map.Free(live[i]);
      for (auto p = live[i].start; p < live[i].end(); ++p) model[p] = false;
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
    }
    std::uint64_t free_count = 0;
    for (std::uint64_t p = 0; p < map.total_pages(); ++p) {
      ASSERT_EQ(map.IsUsed(p), model[p]) << "page " << p << " at step " << step;
      free_count += model[p] ? 0 : 1;
    }
    ASSERT_EQ(map.free_pages(), free_count);
  }
}

TEST(FreeSpaceMap, IsDeterministic) {
  auto run = [] {
    FreeSpaceMap map(0, 8);
    std::vector<Extent> out;
    for (int i = 1; i < 50; ++i) {
      out.push_back(map.Allocate(static_cast<std::uint64_t>(i % 7 + 1)));
      if (i % 5 == 0) map.Free(out[static_cast<std::size_t>(i / 2)]);
    }
    return out;
  };
  EXPECT_EQ(run(), run());
}

TEST(FreeSpaceMap, EncodeDecodeRoundTrips) {
  for (std::uint64_t total : {1u, 7u, 8u, 63u, 64u, 65u, 1000u}) {
    FreeSpaceMap map(total, 4);
    for (std::uint64_t p = 0; p < total; p += 3) map.MarkUsed({p, 1});
    Result<FreeSpaceMap> decoded = FreeSpaceMap::Decode(Encode(map), 4, "map");
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_EQ(decoded->total_pages(), total);
    EXPECT_EQ(decoded->FreeExtents(), map.FreeExtents());
    EXPECT_EQ(decoded->free_pages(), map.free_pages());
  }
  FreeSpaceMap full(10, 1);
  full.MarkUsed({0, 10});
  EXPECT_TRUE(FreeSpaceMap::Decode(Encode(full), 1, "map").ok());
}

TEST(FreeSpaceMap, DecodeRejectsEveryFlippedByte) {
  FreeSpaceMap map(40, 1);
  map.MarkUsed({3, 10});
  map.MarkUsed({20, 2});
  const std::vector<std::uint8_t> good = Encode(map);
  for (std::size_t i = 0; i < good.size(); ++i) {
    std::vector<std::uint8_t> bad = good;
    bad[i] ^= 0x10;
    Result<FreeSpaceMap> decoded = FreeSpaceMap::Decode(bad, 1, "data.mhs: free-space map");
    ASSERT_FALSE(decoded.ok()) << "byte " << i;
    EXPECT_EQ(decoded.status().code(), Code::kCorruption);
    EXPECT_EQ(decoded.status().message().rfind("data.mhs: free-space map: ", 0), 0u);
  }
}

// Re-signs doctored bytes the way the encoder does (docs/file_format.md), so that the
// checks behind the checksum are what is tested.
void Resign(std::vector<std::uint8_t>& bytes) {
  std::span<const std::uint8_t> all(bytes);
  Digest digest = StructureDigest(kStructureChecksum, {all.subspan(0, 24), all.subspan(56)});
  std::copy(digest.begin(), digest.end(), bytes.begin() + 24);
}

TEST(FreeSpaceMap, DecodeRejectsRunsThatDoNotMatchTheBitmap) {
  FreeSpaceMap map(16, 1);
  map.MarkUsed({0, 4});
  std::vector<std::uint8_t> bytes = Encode(map);
  const std::size_t run = 64 + 2;  // header, 2 bitmap bytes, then the run (start 4, 12 pages)
  bytes[run] = 5;
  Resign(bytes);
  Result<FreeSpaceMap> decoded = FreeSpaceMap::Decode(bytes, 1, "m");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("is not the bitmap's run"), std::string::npos);

  bytes = Encode(map);
  bytes[64] = 0x0f | 0x10;  // page 4 marked used: the bitmap now has a different run
  Resign(bytes);
  EXPECT_FALSE(FreeSpaceMap::Decode(bytes, 1, "m").ok());

  FreeSpaceMap odd(12, 1);  // 12 pages: bits 12..15 of the second byte must stay 0
  bytes = Encode(odd);
  bytes[65] |= 0x80;
  Resign(bytes);
  decoded = FreeSpaceMap::Decode(bytes, 1, "m");
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("past"), std::string::npos);
}

TEST(FreeSpaceMap, DecodeRejectsAbsurdSizes) {
  FreeSpaceMap map(16, 1);
  std::vector<std::uint8_t> bytes = Encode(map);
  bytes[16 + 7] = 0xff;  // total pages ~ 2^63
  Result<FreeSpaceMap> decoded = FreeSpaceMap::Decode(bytes, 1, "m");
  ASSERT_FALSE(decoded.ok());
  bytes = Encode(map);
  bytes[56 + 7] = 0xff;  // run count ~ 2^63
  EXPECT_FALSE(FreeSpaceMap::Decode(bytes, 1, "m").ok());
}

}  // namespace
}  // namespace memh::engine
