// SizeClassPool against its contract (size_class_pool.h): power-of-two classes from
// 256 B to 64 MiB, a returned buffer comes back for the next rent of its class (the last
// returned first), rents and returns counted, at most kSlotsPerClass buffers per class
// and never more than the cap retained, oversized requests never pooled, and all of it
// from two threads at once.
#include "knobs/size_class_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

namespace memh::engine {
namespace {

constexpr std::uint64_t kNoCap = std::uint64_t{1} << 40;
constexpr std::size_t kLargest = std::size_t{1} << SizeClassPool::kMaxClassLog2;

// The capacity a rent of `size` bytes gets: what a fresh pool keeps once it is back.
std::uint64_t ClassCapacity(std::size_t size) {
  SizeClassPool pool(kNoCap);
  {
    Buffer b = pool.Rent(size);
    EXPECT_EQ(b.size(), size);
    EXPECT_NE(b.data(), nullptr);
  }
  return pool.retained_bytes();
}

TEST(SizeClassPool, RequestsRoundUpToTheirPowerOfTwoClass) {
  EXPECT_EQ(ClassCapacity(1), 256u);
  EXPECT_EQ(ClassCapacity(255), 256u);
  EXPECT_EQ(ClassCapacity(256), 256u);
  EXPECT_EQ(ClassCapacity(257), 512u);
  EXPECT_EQ(ClassCapacity(512), 512u);
  EXPECT_EQ(ClassCapacity(4096), 4096u);
  EXPECT_EQ(ClassCapacity(4097), 8192u);
  EXPECT_EQ(ClassCapacity(8600), 16384u);  // update-500's rows
  EXPECT_EQ(ClassCapacity(1'000'000), 1u << 20);
  EXPECT_EQ(ClassCapacity(kLargest - 1), kLargest);
  EXPECT_EQ(ClassCapacity(kLargest), kLargest);  // the largest class is still pooled
  EXPECT_EQ(ClassCapacity(kLargest + 1), 0u);    // one byte more: never pooled
}

TEST(SizeClassPool, TheWholeRequestIsUsable) {
  SizeClassPool pool(kNoCap);
  for (std::size_t size : {std::size_t{1}, std::size_t{300}, std::size_t{5000}}) {
    Buffer b = pool.Rent(size);
    std::memset(b.data(), 0xAB, size);
    EXPECT_EQ(b.span().size(), size);
    EXPECT_EQ(b.span()[size - 1], 0xAB);
  }
}

TEST(SizeClassPool, ZeroBytesIsAnEmptyBufferAndNoRent) {
  SizeClassPool pool(kNoCap);
  {
    Buffer b = pool.Rent(0);
    EXPECT_EQ(b.data(), nullptr);
    EXPECT_EQ(b.size(), 0u);
  }
  EXPECT_EQ(pool.rents(), 0u);
  EXPECT_EQ(pool.returns(), 0u);
  EXPECT_EQ(pool.retained_bytes(), 0u);
}

TEST(SizeClassPool, AReturnedBufferComesBackForItsClass) {
  SizeClassPool pool(kNoCap);
  Buffer first = pool.Rent(300);
  std::uint8_t* const p = first.data();
  first.Reset();
  EXPECT_EQ(pool.retained_bytes(), 512u);

  Buffer small = pool.Rent(200);  // class 256: not the 512-byte buffer
  EXPECT_NE(small.data(), p);
  EXPECT_EQ(pool.retained_bytes(), 512u);
  Buffer larger = pool.Rent(600);  // class 1024: not it either
  EXPECT_NE(larger.data(), p);
  EXPECT_EQ(pool.retained_bytes(), 512u);

  Buffer again = pool.Rent(400);  // class 512: the same buffer, with the new size
  EXPECT_EQ(again.data(), p);
  EXPECT_EQ(again.size(), 400u);
  EXPECT_EQ(pool.retained_bytes(), 0u);

  Buffer another = pool.Rent(512);  // the class is empty now: a different buffer
  EXPECT_NE(another.data(), p);
}

TEST(SizeClassPool, TheLastReturnedIsTheFirstRented) {
  SizeClassPool pool(kNoCap);
  Buffer a = pool.Rent(1000);
  Buffer b = pool.Rent(1000);
  std::uint8_t* const pa = a.data();
  std::uint8_t* const pb = b.data();
  ASSERT_NE(pa, pb);
  a.Reset();
  b.Reset();
  EXPECT_EQ(pool.retained_bytes(), 2048u);
  Buffer x = pool.Rent(1024);
  Buffer y = pool.Rent(513);
  EXPECT_EQ(x.data(), pb);
  EXPECT_EQ(y.data(), pa);
  EXPECT_EQ(pool.retained_bytes(), 0u);
}

TEST(SizeClassPool, CountsEveryRentAndEveryReturn) {
  SizeClassPool pool(/*retained_cap_bytes=*/256);
  {
    Buffer a = pool.Rent(10);
    Buffer b = pool.Rent(10);     // comes back over the cap: still a return
    Buffer c = pool.Rent(70000);  // another class
    EXPECT_EQ(pool.rents(), 3u);
    EXPECT_EQ(pool.returns(), 0u);
  }
  EXPECT_EQ(pool.rents(), 3u);
  EXPECT_EQ(pool.returns(), 3u);
  {
    Buffer reused = pool.Rent(256);  // from the free list: a rent all the same
    EXPECT_EQ(pool.rents(), 4u);
    Buffer moved = std::move(reused);  // moving hands nothing back
    EXPECT_EQ(pool.returns(), 3u);
  }
  EXPECT_EQ(pool.returns(), 4u);
}

TEST(SizeClassPool, NeverRetainsMoreThanTheCap) {
  SizeClassPool pool(/*retained_cap_bytes=*/1024);
  Buffer a = pool.Rent(512);
  Buffer b = pool.Rent(512);
  Buffer c = pool.Rent(512);
  std::uint8_t* const pa = a.data();
  std::uint8_t* const pb = b.data();
  a.Reset();
  EXPECT_EQ(pool.retained_bytes(), 512u);
  b.Reset();
  EXPECT_EQ(pool.retained_bytes(), 1024u);  // exactly at the cap: kept
  c.Reset();
  EXPECT_EQ(pool.retained_bytes(), 1024u);  // over it: freed, not kept
  EXPECT_EQ(pool.returns(), 3u);

  Buffer x = pool.Rent(512);
  Buffer y = pool.Rent(512);
  Buffer z = pool.Rent(512);
  EXPECT_EQ(x.data(), pb);
  EXPECT_EQ(y.data(), pa);
  EXPECT_NE(z.data(), pa);  // the third was never kept: a new buffer
  EXPECT_NE(z.data(), pb);
  EXPECT_EQ(pool.retained_bytes(), 0u);
}

TEST(SizeClassPool, ABufferLargerThanTheCapIsNeverKept) {
  SizeClassPool pool(/*retained_cap_bytes=*/1000);
  { Buffer b = pool.Rent(1000); }  // class 1024 > 1000
  EXPECT_EQ(pool.retained_bytes(), 0u);
  { Buffer b = pool.Rent(900); }
  EXPECT_EQ(pool.retained_bytes(), 0u);
  { Buffer b = pool.Rent(500); }  // class 512 fits
  EXPECT_EQ(pool.retained_bytes(), 512u);

  SizeClassPool none(/*retained_cap_bytes=*/0);
  { Buffer b = none.Rent(1); }
  EXPECT_EQ(none.retained_bytes(), 0u);
  EXPECT_EQ(none.returns(), 1u);
}

TEST(SizeClassPool, KeepsAtMostSlotsPerClassBuffersOfAClass) {
  SizeClassPool pool(kNoCap);
  const std::size_t n = SizeClassPool::kSlotsPerClass + 1;
  std::vector<Buffer> held;
  std::set<std::uint8_t*> first_round;
  for (std::size_t i = 0; i < n; ++i) {
    held.push_back(pool.Rent(256));
    first_round.insert(held.back().data());
  }
  ASSERT_EQ(first_round.size(), n);
  held.clear();
  EXPECT_EQ(pool.returns(), n);
  EXPECT_EQ(pool.retained_bytes(), SizeClassPool::kSlotsPerClass * 256);

  // Another class is not limited by this one's slots.
  { Buffer other = pool.Rent(300); }
  EXPECT_EQ(pool.retained_bytes(), SizeClassPool::kSlotsPerClass * 256 + 512);

  for (std::size_t i = 0; i < SizeClassPool::kSlotsPerClass; ++i) {
    held.push_back(pool.Rent(256));
    EXPECT_EQ(first_round.count(held.back().data()), 1u) << i;  // every one a kept buffer
  }
  EXPECT_EQ(pool.retained_bytes(), 512u);
}

TEST(SizeClassPool, OversizedRequestsArePlainAllocationsNeverPooled) {
  SizeClassPool pool(kNoCap);
  const std::size_t size = kLargest + 1;
  {
    Buffer big = pool.Rent(size);
    ASSERT_NE(big.data(), nullptr);
    EXPECT_EQ(big.size(), size);
    big.data()[0] = 1;
    big.data()[size - 1] = 2;  // the whole request is there, not a class's worth
    EXPECT_EQ(pool.retained_bytes(), 0u);
  }
  EXPECT_EQ(pool.retained_bytes(), 0u);  // freed on return
  EXPECT_EQ(pool.rents(), pool.returns());
}

// Two threads renting and returning the same classes at once: no buffer is ever held by
// both (each fills its buffer with its own byte and checks it before returning it), the
// counts add up exactly, and the pool ends within its cap.
TEST(SizeClassPoolConcurrency, TwoThreadsNeverShareABuffer) {
  constexpr int kRounds = 20000;
  constexpr std::uint64_t kCap = 64 * 1024;
  SizeClassPool pool(kCap);
  std::atomic<int> ready{0};
  std::atomic<int> corrupted{0};
  auto client = [&](std::uint8_t mark) {
    ready.fetch_add(1);
    while (ready.load() < 2) {
    }
    const std::size_t sizes[] = {200, 300, 700, 5000};
    int bad = 0;
    for (int i = 0; i < kRounds; ++i) {
      Buffer a = pool.Rent(sizes[i % 4]);
      Buffer b = pool.Rent(sizes[(i + 1) % 4]);
      std::memset(a.data(), mark, a.size());
      std::memset(b.data(), mark, b.size());
      std::this_thread::yield();
      for (std::size_t k = 0; k < a.size(); k += 64) bad += a.data()[k] != mark;
      for (std::size_t k = 0; k < b.size(); k += 64) bad += b.data()[k] != mark;
    }
    corrupted.fetch_add(bad);
  };
  std::thread t1(client, std::uint8_t{0x11});
  std::thread t2(client, std::uint8_t{0x22});
  t1.join();
  t2.join();
  EXPECT_EQ(corrupted.load(), 0);
  EXPECT_EQ(pool.rents(), 4u * kRounds);
  EXPECT_EQ(pool.returns(), 4u * kRounds);
  EXPECT_LE(pool.retained_bytes(), kCap);
  EXPECT_GT(pool.retained_bytes(), 0u);
}

// ThreadSanitizer makes every atomic step far slower: fewer rounds, and a waiting
// thread yields at once. Elsewhere it spins a while first, so that the two threads
// leave the barrier together, and then yields (on a busy machine the other thread may
// not be running at all).
#if defined(__SANITIZE_THREAD__)
constexpr int kBarrierRounds = 10000;
constexpr int kSpinsBeforeYield = 0;
#else
constexpr int kBarrierRounds = 100000;
constexpr int kSpinsBeforeYield = 2000;
#endif

// Two threads meet here before going on (a spinning barrier: no sleeping, no timing).
class SpinBarrier {
 public:
  void Wait() {
    const int phase = phase_.load();
    if (arrived_.fetch_add(1) == 1) {
      arrived_.store(0);
      phase_.store(phase + 1);
    } else {
      for (int spins = 0; phase_.load() == phase; ++spins) {
        if (spins >= kSpinsBeforeYield) std::this_thread::yield();
      }
    }
  }

 private:
  std::atomic<int> arrived_{0};
  std::atomic<int> phase_{0};
};

// The cap holds also when two threads return at the same moment: with room for one
// 512-byte buffer, two threads each returning one at once may leave 512 bytes retained,
// never 1,024. (The check against the cap and the count of retained bytes must be one
// atomic step; a race between them lets both returns in.)
TEST(SizeClassPoolConcurrency, TheCapHoldsWhenTwoThreadsReturnAtOnce) {
  constexpr int kRounds = kBarrierRounds;
  SizeClassPool pool(/*retained_cap_bytes=*/512);
  SpinBarrier barrier;
  std::uint64_t most = 0;
  int over = 0;
  auto client = [&](int who) {
    for (int i = 0; i < kRounds; ++i) {
      Buffer b = pool.Rent(512);
      barrier.Wait();
      b.Reset();  // both at once
      barrier.Wait();
      if (who == 0) {
        const std::uint64_t retained = pool.retained_bytes();
        most = std::max(most, retained);
        over += retained > 512;
      }
      barrier.Wait();
    }
  };
  std::thread t1(client, 0);
  std::thread t2(client, 1);
  t1.join();
  t2.join();
  EXPECT_EQ(over, 0) << "rounds that left more than the cap retained, of " << kRounds;
  EXPECT_EQ(most, 512u);
  EXPECT_EQ(pool.rents(), 2u * kRounds);
  EXPECT_EQ(pool.returns(), 2u * kRounds);
}

}  // namespace
}  // namespace memh::engine
