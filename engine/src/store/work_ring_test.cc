// WorkRing against its contract (work_ring.h): a fixed-capacity FIFO of work items,
// reserved once, that wraps around in place; FromNewest(0) is the newest item. It is
// not thread-safe (the store guards it) and does not block: pushing onto a full ring or
// taking from an empty one is a bug and aborts (MEMH_CHECK), which the tests check too.
#include "memh/engine/status.h"  // store/batch.h uses Status without including it
#include "store/work_ring.h"

#include <gtest/gtest.h>

#include <memory>

namespace memh::engine {
namespace {

WorkItem Item(std::uint64_t seq, WorkKind kind = WorkKind::kApply) {
  WorkItem item;
  item.kind = kind;
  item.seq = seq;
  if (kind == WorkKind::kApply) item.batch = std::make_unique<Batch>();
  return item;
}

TEST(WorkRing, StartsEmptyWithItsCapacityFree) {
  WorkRing ring(3);
  EXPECT_TRUE(ring.empty());
  EXPECT_FALSE(ring.full());
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_EQ(ring.free_slots(), 3u);
}

TEST(WorkRing, FirstInFirstOut) {
  WorkRing ring(4);
  for (std::uint64_t s = 1; s <= 3; ++s) ring.Push(Item(s));
  EXPECT_EQ(ring.size(), 3u);
  EXPECT_EQ(ring.free_slots(), 1u);
  EXPECT_EQ(ring.Front().seq, 1u);
  EXPECT_EQ(ring.PopFront().seq, 1u);
  EXPECT_EQ(ring.Front().seq, 2u);
  EXPECT_EQ(ring.PopFront().seq, 2u);
  EXPECT_EQ(ring.PopFront().seq, 3u);
  EXPECT_TRUE(ring.empty());
}

TEST(WorkRing, FullAtCapacity) {
  WorkRing ring(2);
  ring.Push(Item(1));
  EXPECT_FALSE(ring.full());
  ring.Push(Item(2));
  EXPECT_TRUE(ring.full());
  EXPECT_EQ(ring.free_slots(), 0u);
  EXPECT_EQ(ring.size(), 2u);
  (void)ring.PopFront();
  EXPECT_FALSE(ring.full());
  EXPECT_EQ(ring.free_slots(), 1u);
}

TEST(WorkRing, WrapsAroundKeepingOrder) {
  WorkRing ring(3);
  std::uint64_t next_in = 1, next_out = 1;
  // Many more items than slots, with the ring's fill varying: order is kept throughout.
  for (int round = 0; round < 50; ++round) {
    const int pushes = 1 + round % 3;
    for (int i = 0; i < pushes && !ring.full(); ++i) ring.Push(Item(next_in++));
    EXPECT_EQ(ring.size(), next_in - next_out);
    EXPECT_EQ(ring.FromNewest(0).seq, next_in - 1);
    EXPECT_EQ(ring.Front().seq, next_out);
    const int pops = 1 + (round + 1) % 3;
    for (int i = 0; i < pops && !ring.empty(); ++i) EXPECT_EQ(ring.PopFront().seq, next_out++);
  }
  EXPECT_GT(next_out, 40u);  // it went round many times
}

TEST(WorkRing, FromNewestCountsBackFromTheLastPushAcrossTheWrap) {
  WorkRing ring(4);
  for (std::uint64_t s = 1; s <= 4; ++s) ring.Push(Item(s));
  (void)ring.PopFront();
  (void)ring.PopFront();
  ring.Push(Item(5));  // slots 0 and 1 again
  ring.Push(Item(6));
  EXPECT_TRUE(ring.full());
  EXPECT_EQ(ring.FromNewest(0).seq, 6u);
  EXPECT_EQ(ring.FromNewest(1).seq, 5u);
  EXPECT_EQ(ring.FromNewest(2).seq, 4u);
  EXPECT_EQ(ring.FromNewest(3).seq, 3u);
  EXPECT_EQ(ring.Front().seq, 3u);
}

TEST(WorkRing, ItemsMoveThroughWithWhatTheyOwn) {
  WorkRing ring(2);
  Completion done;
  WorkItem apply = Item(7);
  Batch* batch = apply.batch.get();
  batch->ops["a"].length = 3;
  ring.Push(std::move(apply));
  WorkItem barrier = Item(0, WorkKind::kBarrier);
  barrier.completion = &done;
  ring.Push(std::move(barrier));

  ring.Front().seq = 8;  // Front is the item in place
  WorkItem out = ring.PopFront();
  EXPECT_EQ(out.kind, WorkKind::kApply);
  EXPECT_EQ(out.seq, 8u);
  EXPECT_EQ(out.batch.get(), batch);  // the same batch, moved, not copied
  EXPECT_EQ(out.batch->ops.at("a").length, 3u);
  WorkItem second = ring.PopFront();
  EXPECT_EQ(second.kind, WorkKind::kBarrier);
  EXPECT_EQ(second.completion, &done);
  EXPECT_EQ(second.batch, nullptr);
}

// Counts the payload buffers handed back, to see when a batch is destroyed.
class CountingReleaser final : public BufferReleaser {
 public:
  void Release(std::uint8_t* data, std::size_t /*capacity*/) noexcept override {
    delete[] data;
    ++released;
  }
  int released = 0;
};

WorkItem ItemWithPayload(std::uint64_t seq, CountingReleaser& releaser) {
  WorkItem item = Item(seq);
  item.batch->ops["k"].payload = Buffer(new std::uint8_t[8], 8, 8, &releaser);
  return item;
}

TEST(WorkRing, APoppedItemTakesItsBatchAlong) {
  CountingReleaser releaser;
  {
    WorkRing ring(2);
    ring.Push(ItemWithPayload(1, releaser));
    ring.Push(ItemWithPayload(2, releaser));
    {
      WorkItem out = ring.PopFront();
      EXPECT_EQ(releaser.released, 0);
    }
    EXPECT_EQ(releaser.released, 1);  // dropped with the popped item, not left in its slot
    ring.Push(ItemWithPayload(3, releaser));  // reuses the popped slot
    EXPECT_EQ(releaser.released, 1);
  }
  EXPECT_EQ(releaser.released, 3);  // the ring destroys what it still holds
}

using WorkRingDeathTest = ::testing::Test;

TEST_F(WorkRingDeathTest, PushingOntoAFullRingAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  WorkRing ring(1);
  ring.Push(Item(1));
  EXPECT_DEATH(ring.Push(Item(2)), "MEMH_CHECK failed: !full\\(\\)");
}

TEST_F(WorkRingDeathTest, TakingFromAnEmptyRingAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  WorkRing ring(2);
  EXPECT_DEATH((void)ring.PopFront(), "MEMH_CHECK failed: !empty\\(\\)");
  EXPECT_DEATH((void)ring.Front(), "MEMH_CHECK failed: !empty\\(\\)");
  ring.Push(Item(1));
  (void)ring.PopFront();
  EXPECT_DEATH((void)ring.PopFront(), "MEMH_CHECK failed: !empty\\(\\)");
}

TEST_F(WorkRingDeathTest, AZeroCapacityRingTakesNothing) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  WorkRing ring(0);
  EXPECT_TRUE(ring.full());
  EXPECT_TRUE(ring.empty());
  EXPECT_DEATH(ring.Push(Item(1)), "MEMH_CHECK failed: !full\\(\\)");
}

}  // namespace
}  // namespace memh::engine
