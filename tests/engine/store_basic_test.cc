// Every operation of the public API, on one store, without reopening.
#include <openssl/sha.h>

#include "engine/test_util.h"

namespace memh::engine::testing {
namespace {

Digest Sha(const std::vector<std::uint8_t>& bytes) {
  Digest digest;
  SHA256(bytes.data(), bytes.size(), digest.data());
  return digest;
}

using StoreBasicTest = StoreTest;

TEST_F(StoreBasicTest, WriteThenReadReturnsTheBytes) {
  auto store = CreateStore();
  auto payload = Payload(5000, 1);
  ASSERT_OK(store->Write("a", payload));
  auto read = store->Read("a");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, payload);
  ASSERT_OK(store->Flush());
  read = store->Read("a");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, payload);
}

TEST_F(StoreBasicTest, ReadIntoCopiesAndRefusesASmallBuffer) {
  auto store = CreateStore();
  auto payload = Payload(300, 2);
  ASSERT_OK(store->Write("b", payload));
  for (int flushed = 0; flushed < 2; ++flushed) {
    std::vector<std::uint8_t> out(400, 0xEE);
    auto length = store->ReadInto("b", out);
    ASSERT_TRUE(length.ok()) << length.status().ToString();
    EXPECT_EQ(*length, 300u);
    EXPECT_TRUE(std::equal(payload.begin(), payload.end(), out.begin()));
    EXPECT_EQ(out[300], 0xEE);
    std::vector<std::uint8_t> small(299, 0xAB);
    auto refused = store->ReadInto("b", small);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(small, std::vector<std::uint8_t>(299, 0xAB));  // nothing copied
    ASSERT_OK(store->Flush());
  }
}

TEST_F(StoreBasicTest, RemoveExistsAndNotFound) {
  auto store = CreateStore();
  ASSERT_OK(store->Write("x", Payload(10, 3)));
  EXPECT_TRUE(*store->Exists("x"));
  ASSERT_OK(store->Remove("x"));
  EXPECT_FALSE(*store->Exists("x"));
  EXPECT_EQ(store->Read("x").status().code(), Code::kNotFound);
  EXPECT_EQ(store->Remove("x").code(), Code::kNotFound);
  EXPECT_EQ(store->Remove("never").code(), Code::kNotFound);
  ASSERT_OK(store->Write("y", Payload(10, 4)));
  ASSERT_OK(store->Flush());
  ASSERT_OK(store->Remove("y"));
  ASSERT_OK(store->Flush());
  EXPECT_FALSE(*store->Exists("y"));
  auto missing = store->Read("y");
  EXPECT_EQ(missing.status().code(), Code::kNotFound);
  EXPECT_TRUE(Contains(missing.status().message(), "\"y\""));
}

TEST_F(StoreBasicTest, MetadataBeforeAndAfterFlush) {
  auto store = CreateStore();
  auto payload = Payload(9000, 5);
  clock_.Set(42);
  ASSERT_OK(store->Write("m", payload));
  auto pending = store->Metadata("m");
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->pending);
  EXPECT_EQ(pending->length, 9000u);
  EXPECT_EQ(pending->sha256, Sha(payload));
  EXPECT_EQ(pending->modified_ms, 42u);
  ASSERT_OK(store->Flush());
  auto applied = store->Metadata("m");
  ASSERT_TRUE(applied.ok());
  EXPECT_FALSE(applied->pending);
  EXPECT_EQ(applied->pages, 3u);
  EXPECT_EQ(applied->offset % 4096, 0u);
  EXPECT_GT(applied->offset, 0u);
  EXPECT_EQ(applied->sha256, Sha(payload));
}

TEST_F(StoreBasicTest, ListIsSortedByPrefixAndSeesPendingChanges) {
  auto store = CreateStore();
  for (std::string name : {"user/2", "user/1", "item/1", "user/10"}) ASSERT_OK(store->Write(name, Payload(5, 6)));
  ASSERT_OK(store->Flush());
  ASSERT_OK(store->Write("user/3", Payload(5, 7)));
  ASSERT_OK(store->Remove("user/1"));
  auto users = store->List("user/");
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(*users, (std::vector<std::string>{"user/10", "user/2", "user/3"}));
  auto all = store->List();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 4u);
  EXPECT_EQ(Names(*store, "zzz").size(), 0u);
}

TEST_F(StoreBasicTest, StatsAddUp) {
  auto store = CreateStore();
  for (int i = 0; i < 50; ++i) ASSERT_OK(store->Write("s" + std::to_string(i), Payload(100 * i, i)));
  auto before = store->Stats();
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->block_count, 50u);
  EXPECT_EQ(before->pending_writes, 50u);
  ASSERT_OK(store->Flush());
  auto after = store->Stats();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->pending_writes, 0u);
  EXPECT_EQ(after->block_count, 50u);
  EXPECT_EQ(after->used_pages + after->free_pages, after->total_pages);
  EXPECT_EQ(after->file_bytes, after->total_pages * 4096);
  std::uint64_t payload = 0;
  for (int i = 0; i < 50; ++i) payload += 100 * i;
  EXPECT_EQ(after->payload_bytes, payload);
  EXPECT_FALSE(after->buffers_strategy.empty());
}

TEST_F(StoreBasicTest, VerifyAGoodStore) {
  auto store = CreateStore();
  for (int i = 0; i < 20; ++i) ASSERT_OK(store->Write("v" + std::to_string(i), Payload(777 * i, i)));
  ASSERT_OK(store->Flush());
  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << report->problems.front();
  EXPECT_EQ(report->blocks_checked, 20u);
  ASSERT_OK(store->Close());
  auto file_report = Store::VerifyFile(PathOf("s.mhs"), options_);
  ASSERT_TRUE(file_report.ok());
  EXPECT_TRUE(file_report->ok());
  EXPECT_EQ(file_report->blocks_checked, 20u);
}

TEST_F(StoreBasicTest, CallsAfterCloseSayClosed) {
  auto store = CreateStore();
  ASSERT_OK(store->Close());
  ASSERT_OK(store->Close());  // closing twice is harmless
  EXPECT_EQ(store->Write("a", Payload(1, 1)).code(), Code::kClosed);
  EXPECT_EQ(store->Read("a").status().code(), Code::kClosed);
  EXPECT_EQ(store->Flush().code(), Code::kClosed);
  EXPECT_EQ(store->Stats().status().code(), Code::kClosed);
}

// The memory the store holds to find blocks grows with its blocks, and removing blocks
// then adding as many again reuses their registry nodes (nothing more is held). A name
// longer than 15 bytes also holds its own buffer, twice (the key and the entry's copy).
// (A pool that runs out grows by an eighth at once: a single insert's node may cost
// nothing or an eighth of the tree, so nodes are not counted one at a time here.)
TEST_F(StoreBasicTest, StatsCountTheMemoryToFindBlocks) {
  auto store = CreateStore();
  for (int i = 0; i < 100; ++i) ASSERT_OK(store->Write("m" + std::to_string(i), Payload(10, i)));
  ASSERT_OK(store->Flush());
  auto hundred = store->Stats();
  ASSERT_TRUE(hundred.ok());
  EXPECT_GE(hundred->registry_memory_bytes, 100u * 100u);  // a node is over 100 bytes
  EXPECT_GT(hundred->free_map_memory_bytes, 0u);
  for (int i = 0; i < 100; ++i) ASSERT_OK(store->Remove("m" + std::to_string(i)));
  ASSERT_OK(store->Flush());
  for (int i = 0; i < 100; ++i) ASSERT_OK(store->Write("n" + std::to_string(i), Payload(10, i)));
  ASSERT_OK(store->Flush());
  auto again = store->Stats();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->registry_memory_bytes, hundred->registry_memory_bytes);
  // A name longer than 15 bytes holds its own buffer, twice. With one block removed,
  // its node waits in the registry's pool (nothing is released) and the long-named
  // block takes it, so what the block adds is exactly its two name buffers.
  ASSERT_OK(store->Remove("n99"));
  ASSERT_OK(store->Flush());
  auto fewer = store->Stats();
  ASSERT_TRUE(fewer.ok());
  EXPECT_EQ(fewer->registry_memory_bytes, again->registry_memory_bytes);
  const std::string long_name(20, 'L');
  ASSERT_OK(store->Write(long_name, Payload(10, 1)));
  ASSERT_OK(store->Flush());
  auto longer = store->Stats();
  ASSERT_TRUE(longer.ok());
  // Two buffers of at least the name and its terminator (a string may keep spare
  // capacity, at most the 31 bytes of the longest name).
  const std::uint64_t added = longer->registry_memory_bytes - fewer->registry_memory_bytes;
  EXPECT_GE(added, 2 * (long_name.size() + 1));
  EXPECT_LE(added, 2u * 32);
}

TEST_F(StoreBasicTest, BadNames) {
  auto store = CreateStore();
  EXPECT_EQ(store->Write("", Payload(1, 1)).code(), Code::kInvalidArgument);
  EXPECT_EQ(store->Write(std::string(32, 'n'), Payload(1, 1)).code(), Code::kNameTooLong);
  EXPECT_EQ(store->Write(std::string_view("a\0b", 3), Payload(1, 1)).code(), Code::kInvalidArgument);
  ASSERT_OK(store->Write(std::string(31, 'n'), Payload(1, 1)));
  EXPECT_EQ(store->Read(std::string(40, 'n')).status().code(), Code::kNameTooLong);
}

TEST_F(StoreBasicTest, OptionsAreValidated) {
  options_.page_size = 1000;
  EXPECT_EQ(Store::Create(PathOf("a.mhs"), options_).status().code(), Code::kInvalidArgument);
  options_.page_size = 4096;
  options_.batch_size = 0;
  EXPECT_EQ(Store::Create(PathOf("b.mhs"), options_).status().code(), Code::kInvalidArgument);
  options_.batch_size = 10;
  options_.queue_capacity = 5;
  EXPECT_EQ(Store::Create(PathOf("c.mhs"), options_).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(PathOf("a.mhs")));
}

TEST_F(StoreBasicTest, ReadsSeeQueuedBatchesAndRemoves) {
  options_.batch_size = 4;
  options_.queue_capacity = 8;
  auto store = CreateStore();
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 9; ++i) {
      ASSERT_OK(store->Write("k" + std::to_string(i), Payload(100 + i, round * 100 + i)));
      for (int j = 0; j <= i; ++j) {
        auto read = store->Read("k" + std::to_string(j));
        ASSERT_TRUE(read.ok()) << read.status().ToString();
        ASSERT_EQ(*read, Payload(100 + j, round * 100 + j)) << "round " << round << " block " << j;
      }
    }
    ASSERT_OK(store->Remove("k0"));
    EXPECT_EQ(store->Read("k0").status().code(), Code::kNotFound);
  }
  ASSERT_OK(store->Drain());
  EXPECT_EQ(store->Read("k0").status().code(), Code::kNotFound);
}

// Every buffer a pooled strategy rents comes back, on error paths too.
TEST_F(StoreBasicTest, BufferRentsAndReturnsBalance) {
  auto store = CreateStore();
  for (int i = 0; i < 300; ++i) ASSERT_OK(store->Write("p" + std::to_string(i % 70), Payload(100 + i * 37, i)));
  ASSERT_OK(store->Flush());
  std::vector<std::uint8_t> out(20000);
  for (int i = 0; i < 70; ++i) {
    ASSERT_TRUE(store->Read("p" + std::to_string(i)).ok());
    ASSERT_TRUE(store->ReadInto("p" + std::to_string(i), out).ok());
  }
  EXPECT_EQ(store->Read("missing").status().code(), Code::kNotFound);
  std::vector<std::uint8_t> tiny(1);
  EXPECT_EQ(store->ReadInto("p1", tiny).status().code(), Code::kInvalidArgument);
  ASSERT_TRUE(store->Vacuum(VacuumMode::kQuick).ok());
  ASSERT_TRUE(store->Verify()->ok());
  ASSERT_OK(store->Drain());
  auto stats = store->Stats();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->buffer_rents, stats->buffer_returns);
  if (stats->buffers_strategy == "pooled") {
    EXPECT_GT(stats->buffer_rents, 140u);
  } else {
    EXPECT_EQ(stats->buffer_rents, 0u);
  }
}

}  // namespace
}  // namespace memh::engine::testing
