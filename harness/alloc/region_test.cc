// Regions: operation samples, client and background attribution, peaks, repeatability.
#include "alloc/region.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace memh::harness::alloc {
namespace {

void Use(void* p, std::size_t n) {
  if (p != nullptr && n > 0) std::memset(p, 0x5A, n);
  asm volatile("" : : "r"(p) : "memory");
}

// mallocs `sizes`, then frees them all: sum(sizes) bytes, sizes.size() calls and frees.
void Pattern(const std::size_t* sizes, std::size_t count) {
  void* blocks[16];
  for (std::size_t i = 0; i < count; ++i) {
    blocks[i] = std::malloc(sizes[i]);
    Use(blocks[i], sizes[i]);
  }
  for (std::size_t i = 0; i < count; ++i) std::free(blocks[i]);
}

constexpr std::size_t kSizes[] = {10, 200, 3000, 40000};
constexpr std::uint64_t kSizesSum = 10 + 200 + 3000 + 40000;

void SpinUntil(const std::atomic<int>& flag, int value) {
  while (flag.load(std::memory_order_acquire) < value) {
  }
}

TEST(Region, EmptyRegionReadsZero) {
  Region region(4);
  region.Begin();
  RegionResult r = region.End();
  EXPECT_EQ(r.all, Counters{});
  EXPECT_EQ(r.clients, Counters{});
  EXPECT_EQ(r.peak_live_bytes, 0u);
  EXPECT_TRUE(r.samples.empty());
  EXPECT_EQ(r.client_threads, 1u);
}

TEST(Region, SamplesPerOperation) {
  Region region(8);
  region.Begin();
  for (std::size_t op = 0; op < 4; ++op) {
    region.OpStart();
    Pattern(kSizes, op + 1);
    region.OpEnd();
  }
  RegionResult r = region.End();
  ASSERT_EQ(r.samples.size(), 4u);
  EXPECT_EQ(r.samples[0].bytes, 10u);
  EXPECT_EQ(r.samples[1].bytes, 210u);
  EXPECT_EQ(r.samples[2].bytes, 3210u);
  EXPECT_EQ(r.samples[3].bytes, kSizesSum);
  EXPECT_EQ(r.samples[3].calls, 4u);
  EXPECT_EQ(r.samples[3].frees, 4u);
  EXPECT_EQ(r.all.bytes, 10u + 210 + 3210 + kSizesSum);
  EXPECT_EQ(r.background, Counters{});
  EXPECT_EQ(r.peak_live_bytes, kSizesSum);
  EXPECT_EQ(r.samples_dropped, 0u);
}

TEST(Region, SamplesPastTheCapacityAreCountedAsDropped) {
  Region region(2);
  region.Begin();
  for (int op = 0; op < 5; ++op) {
    region.OpStart();
    region.OpEnd();
  }
  RegionResult r = region.End();
  EXPECT_EQ(r.samples.size(), 2u);
  EXPECT_EQ(r.samples_dropped, 3u);
}

TEST(Region, OtherThreadsAreBackground) {
  std::atomic<int> step{0};
  std::thread worker([&] {
    SpinUntil(step, 1);
    Pattern(kSizes, 4);  // not a client: background
    step.store(2, std::memory_order_release);
  });
  Region region(4);
  region.Begin();
  step.store(1, std::memory_order_release);
  region.OpStart();
  Pattern(kSizes, 2);
  region.OpEnd();
  SpinUntil(step, 2);
  RegionResult r = region.End();
  worker.join();
  EXPECT_EQ(r.clients.bytes, 210u);
  EXPECT_EQ(r.background.bytes, kSizesSum);
  EXPECT_EQ(r.background.calls, 4u);
  // The worker's own std::thread state is freed by the worker after its body returns,
  // which may fall inside the region: that free is background too.
  EXPECT_GE(r.background.frees, 4u);
  EXPECT_LE(r.background.frees, 5u);
  EXPECT_EQ(r.all.bytes, 210u + kSizesSum);
  ASSERT_EQ(r.samples.size(), 1u);
  EXPECT_EQ(r.samples[0].bytes, 210u);  // an operation's sample is its own thread's
}

TEST(Region, SeveralClientThreadsAreExact) {
  constexpr int kThreads = 4;
  std::atomic<int> go{0};
  std::atomic<int> done{0};
  Region region(64);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      SpinUntil(go, 1);
      region.Join();
      for (int op = 0; op < 3; ++op) {
        region.OpStart();
        Pattern(kSizes, static_cast<std::size_t>(1 + i % 4));
        region.OpEnd();
      }
      region.Leave();
      done.fetch_add(1, std::memory_order_acq_rel);
    });
  }
  region.Begin();
  go.store(1, std::memory_order_release);
  SpinUntil(done, kThreads);
  RegionResult r = region.End();
  for (auto& t : threads) t.join();
  const std::uint64_t per_thread[4] = {10, 210, 3210, kSizesSum};
  std::uint64_t expected = 0;
  for (int i = 0; i < kThreads; ++i) expected += 3 * per_thread[i % 4];
  EXPECT_EQ(r.clients.bytes, expected);
  EXPECT_EQ(r.all.bytes, expected);
  EXPECT_EQ(r.background.bytes, 0u);  // (a worker may free its std::thread state inside)
  EXPECT_EQ(r.background.calls, 0u);
  EXPECT_EQ(r.client_threads, 1u + kThreads);
  ASSERT_EQ(r.samples.size(), 12u);
  std::uint64_t sampled = 0;
  for (const OpSample& s : r.samples) sampled += s.bytes;
  EXPECT_EQ(sampled, expected);
}

TEST(Region, TheSamePatternTwiceReadsTheSame) {
  auto measure = [] {
    Region region(4);
    region.Begin();
    region.OpStart();
    std::vector<int> v;
    for (int i = 0; i < 1000; ++i) v.push_back(i);  // growth pattern of a vector
    Use(v.data(), v.size() * sizeof(int));
    region.OpEnd();
    RegionResult r = region.End();
    return std::make_pair(r.all, r.peak_live_bytes);
  };
  auto first = measure();
  auto second = measure();
  EXPECT_EQ(first.first, second.first);
  EXPECT_EQ(first.second, second.second);
  EXPECT_GT(first.first.calls, 5u);
}

}  // namespace
}  // namespace memh::harness::alloc
