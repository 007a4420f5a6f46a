// What survives a close and reopen, at every size the engine promises, and how the
// file's space is accounted for and reused.
#include "engine/test_util.h"
#include "format/header_slot.h"

namespace memh::engine::testing {
namespace {

using StoreDurabilityTest = StoreTest;

std::uint64_t UsedPagesFromBlocks(Store& store, std::uint32_t page_size) {
  std::uint64_t pages = 0;
  for (const std::string& name : Names(store)) pages += store.Metadata(name)->pages;
  (void)page_size;
  return pages;
}

TEST_F(StoreDurabilityTest, ReopenRoundTripAtEveryPageSize) {
  for (std::uint32_t page_size : {512u, 4096u, 65536u}) {
    options_.page_size = page_size;
    std::string file = "p" + std::to_string(page_size) + ".mhs";
    std::vector<std::size_t> sizes = {0, 1, page_size - 1, page_size, page_size + 1, 3 * page_size + 7, 100000};
    {
      auto store = CreateStore(file);
      for (std::size_t i = 0; i < sizes.size(); ++i) ASSERT_OK(store->Write("b" + std::to_string(i), Payload(sizes[i], i)));
      ASSERT_OK(store->Flush());
      ASSERT_OK(store->Close());
    }
    auto store = OpenStore(file);
    ASSERT_NE(store, nullptr);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      auto read = store->Read("b" + std::to_string(i));
      ASSERT_TRUE(read.ok()) << read.status().ToString();
      EXPECT_EQ(*read, Payload(sizes[i], i)) << "page size " << page_size << " block " << i;
    }
    EXPECT_TRUE(store->Verify()->ok());
  }
}

TEST_F(StoreDurabilityTest, PageSizeMustMatchOnOpenUnlessZero) {
  options_.page_size = 8192;
  ASSERT_OK(CreateStore()->Close());
  options_.page_size = 4096;
  auto mismatch = Store::Open(PathOf("s.mhs"), options_);
  ASSERT_FALSE(mismatch.ok());
  EXPECT_EQ(mismatch.status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(Contains(mismatch.status().message(), "8192"));
  options_.page_size = 0;
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Stats()->page_size, 8192u);
}

TEST_F(StoreDurabilityTest, CloseCommitsWhatWasNotFlushed) {
  {
    auto store = CreateStore();
    ASSERT_OK(store->Write("late", Payload(123, 9)));
    ASSERT_OK(store->Close());
  }
  auto store = OpenStore();
  EXPECT_EQ(*store->Read("late"), Payload(123, 9));
}

TEST_F(StoreDurabilityTest, EmptyAndSixtyFourMebibyteBlocks) {
  const std::size_t big = std::size_t{64} << 20;
  {
    auto store = CreateStore();
    ASSERT_OK(store->Write("empty", {}));
    ASSERT_OK(store->Write("big", Payload(big, 64)));
    EXPECT_EQ(store->Read("empty")->size(), 0u);
    ASSERT_OK(store->Close());
  }
  auto store = OpenStore();
  EXPECT_EQ(store->Read("empty")->size(), 0u);
  EXPECT_EQ(store->Metadata("empty")->offset, 0u);
  auto read = store->Read("big");
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(*read == Payload(big, 64));
  EXPECT_EQ(store->Metadata("big")->pages, big / 4096);
}

// Under ThreadSanitizer a tenth as many: every commit re-encodes the whole registry
// byte by byte, so the work grows with the square of the blocks, and TSan checks each
// byte written (85-90 s per variant at 100,000). 10,000 blocks still take 50 commits
// with the client and the writer thread running side by side.
#if defined(__SANITIZE_THREAD__)
constexpr int kManyBlocks = 10000;
#else
constexpr int kManyBlocks = 100000;
#endif

TEST_F(StoreDurabilityTest, AHundredThousandBlocks) {
  const int kBlocks = kManyBlocks;
  char name[32];
  {
    auto store = CreateStore();
    for (int i = 0; i < kBlocks; ++i) {
      std::snprintf(name, sizeof(name), "b/%06d", i);
      ASSERT_OK(store->Write(name, Payload(16 + i % 49, i)));
    }
    ASSERT_OK(store->Close());
  }
  auto store = OpenStore();
  EXPECT_EQ(Names(*store, "b/").size(), static_cast<std::size_t>(kBlocks));
  for (int i = 0; i < kBlocks; i += 997) {
    std::snprintf(name, sizeof(name), "b/%06d", i);
    ASSERT_EQ(*store->Read(name), Payload(16 + i % 49, i)) << name;
  }
  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->blocks_checked, static_cast<std::uint64_t>(kBlocks));
}

TEST_F(StoreDurabilityTest, ReplaceWithLargerAndSmallerPayloads) {
  auto store = CreateStore();
  ASSERT_OK(store->Write("r", Payload(10000, 1)));
  ASSERT_OK(store->Write("r", Payload(20000, 2)));  // coalesced in the batch
  EXPECT_EQ(*store->Read("r"), Payload(20000, 2));
  ASSERT_OK(store->Flush());
  ASSERT_OK(store->Write("r", Payload(30000, 3)));
  ASSERT_OK(store->Flush());
  EXPECT_EQ(store->Metadata("r")->pages, 8u);
  ASSERT_OK(store->Write("r", Payload(100, 4)));
  ASSERT_OK(store->Flush());
  ASSERT_OK(store->Flush());
  EXPECT_EQ(store->Metadata("r")->pages, 1u);  // shrinking frees the tail
  ASSERT_OK(store->Close());
  store = OpenStore();
  EXPECT_EQ(*store->Read("r"), Payload(100, 4));
  auto stats = store->Stats();
  // Used pages: header page, registry page, map page(s), one page per registry delta
  // since the checkpoint, the block's page: nothing leaked.
  std::vector<std::uint8_t> bytes = ReadFileBytes(PathOf("s.mhs"));
  std::uint64_t deltas = 0, generation = 0;
  for (int index = 0; index < 2; ++index) {
    auto slot = DecodeHeaderSlot(std::span(bytes).subspan(SlotOffset(index), kHeaderSlotBytes), "");
    if (slot.ok() && slot->generation > generation) {
      generation = slot->generation;
      deltas = slot->chain_length;
    }
  }
  EXPECT_GT(deltas, 0u);
  std::uint64_t map_pages = stats->used_pages - 1 - 1 - deltas - UsedPagesFromBlocks(*store, 4096);
  EXPECT_EQ(map_pages, 1u);
  EXPECT_TRUE(store->Verify()->ok());
}

TEST_F(StoreDurabilityTest, RemovedSpaceIsReusedAfterTheNextCommit) {
  auto store = CreateStore();
  ASSERT_OK(store->Write("a", Payload(40000, 1)));
  ASSERT_OK(store->Flush());
  const std::uint64_t old_offset = store->Metadata("a")->offset;
  ASSERT_OK(store->Remove("a"));
  ASSERT_OK(store->Flush());  // the registry without "a" is durable
  ASSERT_OK(store->Write("pad", Payload(1, 1)));
  ASSERT_OK(store->Flush());  // one more commit: a's pages are reusable now
  ASSERT_OK(store->Write("b", Payload(40000, 2)));
  ASSERT_OK(store->Flush());
  EXPECT_EQ(store->Metadata("b")->offset, old_offset);
}

TEST_F(StoreDurabilityTest, ChurnDoesNotGrowTheFile) {
  options_.growth_min_pages = 16;  // small steps, so that any leak shows as growth
  // A chain floor the warm-up's commits pass, so that the rounds measured cycle through
  // checkpoints as the store will for ever after (with the default floor, 256 KiB, the
  // chain of this small store would still be growing after round 5).
  options_.delta_chain_min_bytes = 64 << 10;
  auto store = CreateStore();
  std::uint64_t size_after_warmup = 0;
  for (int round = 0; round < 30; ++round) {
    for (int i = 0; i < 50; ++i) ASSERT_OK(store->Write("c" + std::to_string(i), Payload(5000, round * 50 + i)));
    ASSERT_OK(store->Flush());
    for (int i = 0; i < 50; i += 2) ASSERT_OK(store->Remove("c" + std::to_string(i)));
    ASSERT_OK(store->Flush());
    if (round == 5) size_after_warmup = store->Stats()->file_bytes;
  }
  EXPECT_EQ(store->Stats()->file_bytes, size_after_warmup);
  EXPECT_TRUE(store->Verify()->ok());
}

TEST_F(StoreDurabilityTest, SameCallsSameClockGiveIdenticalFiles) {
  for (const char* file : {"one.mhs", "two.mhs"}) {
    clock_.Set(1000);
    auto store = CreateStore(file);
    for (int i = 0; i < 500; ++i) {
      clock_.Advance(1);
      ASSERT_OK(store->Write("k" + std::to_string(i % 120), Payload(100 + i * 13, i)));
      if (i % 7 == 0) ASSERT_OK(store->Remove("k" + std::to_string((i / 7) % 120)));
    }
    ASSERT_OK(store->Flush());
    ASSERT_TRUE(store->Vacuum(VacuumMode::kQuick).ok());
    ASSERT_OK(store->Close());
  }
  EXPECT_TRUE(ReadFileBytes(PathOf("one.mhs")) == ReadFileBytes(PathOf("two.mhs")));
}

}  // namespace
}  // namespace memh::engine::testing
