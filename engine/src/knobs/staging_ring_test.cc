// StagingRing against its contract (staging_ring.h): chunks carved in order from one
// arena (each a 16-byte header plus the request rounded up to 16), released in any
// order with the used part starting at the oldest unreleased chunk, the end of the
// arena padded when a chunk must wrap to the start, no chunk when there is no room,
// and the same from two threads at once.
#include "knobs/staging_ring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

namespace memh::engine {
namespace {

constexpr std::size_t kHeader = 16;

TEST(StagingRing, ChunksAreCarvedInOrderAtExactOffsets) {
  StagingRing ring(1024);
  Buffer a = ring.TryStage(1);
  Buffer b = ring.TryStage(16);
  Buffer c = ring.TryStage(17);
  Buffer d = ring.TryStage(100);
  ASSERT_NE(a.data(), nullptr);
  ASSERT_NE(d.data(), nullptr);
  std::uint8_t* const base = a.data() - kHeader;  // the arena's start
  EXPECT_EQ(a.data(), base + 16);
  EXPECT_EQ(b.data(), base + 32 + 16);        // a took 16 + 16
  EXPECT_EQ(c.data(), base + 64 + 16);        // b took 16 + 16
  EXPECT_EQ(d.data(), base + 64 + 48 + 16);   // c took 16 + 32
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(c.size(), 17u);
  EXPECT_EQ(d.size(), 100u);
  EXPECT_EQ(ring.used_bytes(), 32u + 32 + 48 + 128);
  EXPECT_EQ(ring.staged(), 4u);
  std::memset(d.data(), 0x77, d.size());  // usable in full
}

TEST(StagingRing, ZeroBytesIsAnEmptyBufferAndNoChunk) {
  StagingRing ring(256);
  Buffer none = ring.TryStage(0);
  EXPECT_EQ(none.data(), nullptr);
  EXPECT_EQ(ring.used_bytes(), 0u);
  EXPECT_EQ(ring.staged(), 0u);
}

TEST(StagingRing, TheUsedPartStartsAtTheOldestUnreleasedChunk) {
  StagingRing ring(1024);
  Buffer a = ring.TryStage(48);  // 64 bytes each
  Buffer b = ring.TryStage(48);
  Buffer c = ring.TryStage(48);
  EXPECT_EQ(ring.used_bytes(), 192u);
  b.Reset();  // not the oldest: nothing moves yet
  EXPECT_EQ(ring.used_bytes(), 192u);
  c.Reset();
  EXPECT_EQ(ring.used_bytes(), 192u);
  a.Reset();  // the oldest: the start moves past a, b and c at once
  EXPECT_EQ(ring.used_bytes(), 0u);
}

TEST(StagingRing, AnEmptyRingStartsOverAtTheArenasStart) {
  StagingRing ring(1024);
  std::uint8_t* first;
  {
    Buffer a = ring.TryStage(100);
    first = a.data();
    Buffer b = ring.TryStage(100);
  }
  EXPECT_EQ(ring.used_bytes(), 0u);
  Buffer again = ring.TryStage(500);
  EXPECT_EQ(again.data(), first);
}

TEST(StagingRing, WrapsToTheStartPaddingTheEnd) {
  StagingRing ring(256);
  Buffer a = ring.TryStage(48);  // [0, 64)
  Buffer b = ring.TryStage(48);  // [64, 128)
  Buffer c = ring.TryStage(48);  // [128, 192)
  std::uint8_t* const base = a.data() - kHeader;
  std::uint8_t* const a_data = a.data();
  a.Reset();  // free: [192, 256) and [0, 64)
  EXPECT_EQ(ring.used_bytes(), 128u);

  Buffer no = ring.TryStage(80);  // needs 96: neither 64 at the end nor 64 at the start
  EXPECT_EQ(no.data(), nullptr);
  EXPECT_EQ(ring.staged(), 3u);
  EXPECT_EQ(ring.used_bytes(), 128u);  // a failed request pads nothing

  b.Reset();  // free: [192, 256) and [0, 128)
  EXPECT_EQ(ring.used_bytes(), 64u);
  Buffer d = ring.TryStage(80);  // 96 bytes: the end is padded, d goes to [0, 96)
  ASSERT_NE(d.data(), nullptr);
  EXPECT_EQ(d.data(), a_data);
  EXPECT_EQ(d.data(), base + kHeader);
  EXPECT_EQ(ring.used_bytes(), 64u + 64 + 96);  // c, the padding, d

  Buffer e = ring.TryStage(16);  // 32 bytes: [96, 128), right up to c
  ASSERT_NE(e.data(), nullptr);
  EXPECT_EQ(e.data(), base + 96 + kHeader);
  EXPECT_EQ(ring.used_bytes(), 256u);
  Buffer full = ring.TryStage(1);
  EXPECT_EQ(full.data(), nullptr);

  c.Reset();  // the start moves past c and the padding, to d
  EXPECT_EQ(ring.used_bytes(), 128u);
  e.Reset();  // newer than d: nothing moves
  EXPECT_EQ(ring.used_bytes(), 128u);
  d.Reset();
  EXPECT_EQ(ring.used_bytes(), 0u);
  EXPECT_EQ(ring.staged(), 5u);
}

TEST(StagingRing, AChunkEndingAtTheArenasEndWrapsWithoutPadding) {
  StagingRing ring(256);
  Buffer a = ring.TryStage(112);  // [0, 128)
  Buffer b = ring.TryStage(112);  // [128, 256): the ring is full
  std::uint8_t* const base = a.data() - kHeader;
  EXPECT_EQ(ring.used_bytes(), 256u);
  EXPECT_EQ(ring.TryStage(1).data(), nullptr);
  a.Reset();
  Buffer c = ring.TryStage(112);  // the next chunk is at the start again
  EXPECT_EQ(c.data(), base + kHeader);
  EXPECT_EQ(ring.used_bytes(), 256u);
}

TEST(StagingRing, WhenFullNothingIsHandedOutUntilTheOldestIsReleased) {
  StagingRing ring(512);
  std::vector<Buffer> chunks;
  for (int i = 0; i < 8; ++i) chunks.push_back(ring.TryStage(48));  // 8 x 64 = 512
  EXPECT_EQ(ring.used_bytes(), 512u);
  EXPECT_EQ(ring.TryStage(1).data(), nullptr);
  chunks[7].Reset();  // the newest: the oldest still holds the start
  chunks[3].Reset();
  EXPECT_EQ(ring.used_bytes(), 512u);
  EXPECT_EQ(ring.TryStage(1).data(), nullptr);
  chunks[0].Reset();
  EXPECT_EQ(ring.used_bytes(), 448u);
  Buffer one = ring.TryStage(48);
  EXPECT_EQ(one.data(), chunks[1].data() - 64);  // where chunk 0 was
  EXPECT_EQ(ring.TryStage(1).data(), nullptr);
}

TEST(StagingRing, ARequestLargerThanTheArenaNeverFits) {
  StagingRing ring(256);
  EXPECT_EQ(ring.TryStage(241).data(), nullptr);  // 256 + 16 > 256
  Buffer whole = ring.TryStage(240);              // 240 + 16 = 256: the whole arena
  EXPECT_NE(whole.data(), nullptr);
  EXPECT_EQ(ring.used_bytes(), 256u);
  EXPECT_EQ(ring.staged(), 1u);
}

TEST(StagingRing, TheArenaIsRoundedUpToSixteen) {
  StagingRing ring(100);  // 112
  Buffer b = ring.TryStage(96);
  EXPECT_NE(b.data(), nullptr);
  EXPECT_EQ(ring.used_bytes(), 112u);
}

TEST(StagingRing, FallbacksAreWhatTheCallerCounts) {
  StagingRing ring(64);
  EXPECT_EQ(ring.TryStage(100).data(), nullptr);
  EXPECT_EQ(ring.fallbacks(), 0u);  // TryStage does not count; the caller does
  ring.CountFallback();
  ring.CountFallback();
  EXPECT_EQ(ring.fallbacks(), 2u);
  EXPECT_EQ(ring.staged(), 0u);
}

// Two threads staging and releasing at once: no chunk overlaps another (each fills its
// chunk with its own byte and checks it before releasing), and the ring ends empty.
TEST(StagingRingConcurrency, TwoThreadsNeverOverlap) {
  constexpr int kRounds = 20000;
  StagingRing ring(4096);
  std::atomic<int> ready{0};
  std::atomic<int> corrupted{0};
  std::atomic<std::uint64_t> handed_out{0};
  auto client = [&](std::uint8_t mark) {
    ready.fetch_add(1);
    while (ready.load() < 2) {
    }
    int bad = 0;
    std::vector<Buffer> held;
    held.reserve(4);
    for (int i = 0; i < kRounds; ++i) {
      Buffer b = ring.TryStage(1 + (i * 37 + mark) % 700);
      if (b.data() != nullptr) {
        handed_out.fetch_add(1);
        std::memset(b.data(), mark, b.size());
        held.push_back(std::move(b));
      }
      if (held.size() == 3 || (i % 5 == 0 && !held.empty())) {
        // Out of order: the newest first sometimes.
        std::size_t victim = (i % 2 == 0) ? 0 : held.size() - 1;
        for (std::size_t k = 0; k < held[victim].size(); ++k) bad += held[victim].data()[k] != mark;
        held.erase(held.begin() + static_cast<std::ptrdiff_t>(victim));
      }
    }
    for (Buffer& b : held) {
      for (std::size_t k = 0; k < b.size(); ++k) bad += b.data()[k] != mark;
    }
    corrupted.fetch_add(bad);
  };
  std::thread t1(client, std::uint8_t{0x11});
  std::thread t2(client, std::uint8_t{0x22});
  t1.join();
  t2.join();
  EXPECT_EQ(corrupted.load(), 0);
  EXPECT_EQ(ring.staged(), handed_out.load());
  EXPECT_GT(ring.staged(), 0u);
  EXPECT_EQ(ring.used_bytes(), 0u);
}

}  // namespace
}  // namespace memh::engine
