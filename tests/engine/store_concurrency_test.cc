// Readers and a writer at once: every read sees one whole version of its block.
#include <atomic>
#include <thread>

#include "engine/latch_env.h"
#include "engine/test_util.h"

namespace memh::engine::testing {
namespace {

using StoreConcurrencyTest = StoreTest;

// Version v of block n: 8 header bytes (v, n) then a pattern derived from both.
std::vector<std::uint8_t> Version(int n, int v) {
  std::vector<std::uint8_t> bytes = Payload(200 + (n * 37 + v * 11) % 3000, static_cast<std::uint64_t>(n) * 100000 + v);
  bytes.resize(std::max<std::size_t>(bytes.size(), 8));
  bytes[0] = static_cast<std::uint8_t>(v);
  bytes[1] = static_cast<std::uint8_t>(v >> 8);
  bytes[2] = static_cast<std::uint8_t>(n);
  return bytes;
}

TEST_F(StoreConcurrencyTest, ReadersSeeCompleteVersions) {
  options_.batch_size = 16;
  options_.queue_capacity = 64;
  auto store = CreateStore();
  constexpr int kNames = 50;
  constexpr int kWrites = 2000;
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::atomic<long> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&, r] {
      std::uint64_t x = 1234567 + r;
      while (!done.load()) {
        x = x * 6364136223846793005ULL + 1;
        int n = static_cast<int>((x >> 33) % kNames);
        auto read = store->Read("n" + std::to_string(n));
        reads.fetch_add(1);
        if (!read.ok()) {
          if (read.status().code() != Code::kNotFound) bad.fetch_add(1);
          continue;
        }
        int v = (*read)[0] | ((*read)[1] << 8);
        if (*read != Version(n, v)) bad.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_OK(store->Write("n" + std::to_string(i % kNames), Version(i % kNames, i / kNames)));
    if (i % 100 == 99) ASSERT_OK(store->Flush());
  }
  done.store(true);
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(reads.load(), 0);
  for (int n = 0; n < kNames; ++n) EXPECT_EQ(*store->Read("n" + std::to_string(n)), Version(n, (kWrites - kNames + n) / kNames));
  EXPECT_TRUE(store->Verify()->ok());
  // The gate decides who may be inside together: one at a time in the single gate.
  auto stats = store->Stats();
  if (stats->locks_strategy == "single") {
    EXPECT_EQ(stats->max_concurrent_readers, 1u);
  }
}

// Four readers of four different blocks: the split gate lets them into the file
// together, the single gate one at a time (docs/engine_design.md, "Variants": the
// locks knob).
TEST_F(StoreConcurrencyTest, ReadersShareTheGateOnlyWhenItIsSplit) {
  LatchEnv env;
  options_.env = &env;
  auto store = CreateStore();
  for (int i = 0; i < 4; ++i) ASSERT_OK(store->Write("r" + std::to_string(i), Payload(3000, i)));
  ASSERT_OK(store->Flush());
  env.latch.Arm(4);
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&, i] {
      auto read = store->Read("r" + std::to_string(i));
      if (!read.ok() || *read != Payload(3000, i)) bad.fetch_add(1);
    });
  }
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(bad.load(), 0);
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  if (stats->locks_strategy == "split") {
    EXPECT_EQ(stats->max_concurrent_readers, 4u);
  } else {
    EXPECT_EQ(stats->max_concurrent_readers, 1u);
  }
}

}  // namespace
}  // namespace memh::engine::testing
