// Registry deltas (docs/file_format.md, format 2): commits between checkpoints write
// only what changed; reopening applies the chain; the chain is cut by a checkpoint
// when it outgrows its share of the base; a damaged newest delta falls back to the
// older header slot; a format-1 store still opens and takes writes.
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/test_util.h"
#include "checksum/structure_checksum.h"
#include "format/header_slot.h"

#ifndef MEMH_TEST_DATA_DIR
#error "MEMH_TEST_DATA_DIR must name tests/engine/data"
#endif

namespace memh::engine::testing {
namespace {

using Contents = std::map<std::string, std::vector<std::uint8_t>>;

class StoreDeltaTest : public StoreTest {
 protected:
  HeaderSlot Slot(int index) {
    std::vector<std::uint8_t> bytes(kHeaderAreaBytes);  // the header area only
    std::ifstream in(PathOf("s.mhs"), std::ios::binary);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    auto slot = DecodeHeaderSlot(std::span(bytes).subspan(SlotOffset(index), kHeaderSlotBytes), "");
    return slot.ok() ? *slot : HeaderSlot{};
  }
  HeaderSlot NewestSlot() {
    HeaderSlot a = Slot(0), b = Slot(1);
    return a.generation > b.generation ? a : b;
  }
  void ExpectContents(Store& store, const Contents& expected) {
    EXPECT_EQ(Names(store).size(), expected.size());
    for (const auto& [name, bytes] : expected) {
      auto read = store.Read(name);
      EXPECT_TRUE(read.ok() && *read == bytes) << name << ": " << read.status().ToString();
    }
    auto report = store.Verify();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems[0]);
  }
};

TEST_F(StoreDeltaTest, ManySmallCommitsThenReopenAppliesTheChain) {
  options_.page_size = 512;
  auto store = CreateStore();
  Contents expected;
  for (int i = 0; i < 40; ++i) {
    const std::string name = "k" + std::to_string(i % 13);
    if (i % 7 == 6 && expected.count(name) != 0) {
      ASSERT_OK(store->Remove(name));
      expected.erase(name);
    } else {
      expected[name] = Payload(100 + 37 * i, i);
      ASSERT_OK(store->Write(name, expected[name]));
    }
    if (i % 9 == 3) {
      ASSERT_OK(store->Write("empty", {}));
      expected["empty"] = {};
    }
    ASSERT_OK(store->Flush());
    const HeaderSlot slot = NewestSlot();
    EXPECT_EQ(slot.version, kFormatVersion);
    EXPECT_EQ(slot.chain_length, static_cast<std::uint64_t>(i + 1)) << "commit " << i;  // 40 small deltas: within the floor
  }
  ExpectContents(*store, expected);
  ASSERT_OK(store->Close());
  auto reopened = OpenStore();
  ASSERT_NE(reopened, nullptr);
  ExpectContents(*reopened, expected);
  // Both slots verify on their own: the older one is the fallback.
  ASSERT_OK(reopened->Close());
  EXPECT_GT(NewestSlot().chain_length, 1u);
}

TEST_F(StoreDeltaTest, ACheckpointCutsTheChainWhenItOutgrowsItsShare) {
  options_.page_size = 4096;
  options_.growth_min_pages = 8;
  options_.delta_chain_min_bytes = 64 << 10;  // the floor this test counts pages against
  auto store = CreateStore();
  Contents expected;
  std::uint64_t checkpoints = 0, longest = 0, previous_chain = 0;
  for (int i = 0; i < 60; ++i) {
    const std::string name = "n" + std::to_string(i);
    expected[name] = Payload(50, i);
    ASSERT_OK(store->Write(name, expected[name]));
    ASSERT_OK(store->Flush());
    const HeaderSlot slot = NewestSlot();
    if (slot.chain_length == 0) {
      ++checkpoints;
      EXPECT_EQ(slot.delta_offset, 0u);
      EXPECT_EQ(slot.registry_length, 64u + 96u * (i + 1));  // the base holds everything
    } else {
      EXPECT_EQ(slot.chain_length, previous_chain + 1);
    }
    // One 4 KiB page per small delta, 64 KiB allowed: at most 16 in a chain.
    EXPECT_LE(slot.chain_length, 16u);
    longest = std::max(longest, slot.chain_length);
    previous_chain = slot.chain_length;
  }
  EXPECT_EQ(longest, 16u);
  EXPECT_GE(checkpoints, 3u);
  ExpectContents(*store, expected);
  ASSERT_OK(store->Close());
  auto reopened = OpenStore();
  ExpectContents(*reopened, expected);
  ASSERT_OK(reopened->Close());
}

TEST_F(StoreDeltaTest, ReopenAfterACheckpointAndAfterVacuums) {
  options_.page_size = 512;
  auto store = CreateStore();
  Contents expected;
  for (int i = 0; i < 30; ++i) {
    expected["v" + std::to_string(i)] = Payload(600 + i, i);
    ASSERT_OK(store->Write("v" + std::to_string(i), expected["v" + std::to_string(i)]));
    if (i % 3 == 0) ASSERT_OK(store->Flush());
  }
  ASSERT_OK(store->Remove("v4"));
  expected.erase("v4");
  ASSERT_OK(store->Flush());
  EXPECT_GT(NewestSlot().chain_length, 0u);
  ASSERT_TRUE(store->Vacuum(VacuumMode::kQuick).ok());
  EXPECT_EQ(NewestSlot().chain_length, 0u);  // a vacuum's final commit is a checkpoint
  ASSERT_OK(store->Write("after", Payload(10, 1)));
  expected["after"] = Payload(10, 1);
  ASSERT_OK(store->Flush());
  EXPECT_EQ(NewestSlot().chain_length, 1u);
  ASSERT_OK(store->Close());
  store = OpenStore();
  ExpectContents(*store, expected);
  ASSERT_TRUE(store->Vacuum(VacuumMode::kFull).ok());
  EXPECT_EQ(NewestSlot().chain_length, 0u);
  ASSERT_OK(store->Remove("v7"));
  expected.erase("v7");
  ASSERT_OK(store->Flush());
  EXPECT_EQ(NewestSlot().chain_length, 1u);
  ASSERT_OK(store->Close());
  store = OpenStore();
  ExpectContents(*store, expected);
  ASSERT_OK(store->Close());
}

// A block written and removed between two commits leaves no trace in the delta; one
// removed and written again is an upsert.
TEST_F(StoreDeltaTest, ChangesWithinOneCommitCollapse) {
  options_.page_size = 512;
  auto store = CreateStore();
  ASSERT_OK(store->Write("keep", Payload(10, 1)));
  ASSERT_OK(store->Flush());
  ASSERT_OK(store->Write("temp", Payload(10, 2)));
  ASSERT_OK(store->Remove("temp"));
  ASSERT_OK(store->Drain());
  ASSERT_OK(store->Remove("keep"));
  ASSERT_OK(store->Drain());
  ASSERT_OK(store->Write("keep", Payload(20, 3)));
  ASSERT_OK(store->Flush());
  const HeaderSlot slot = NewestSlot();
  ASSERT_EQ(slot.delta_length, 96u + 96u);  // one upsert ("keep"), no removal
  ASSERT_OK(store->Close());
  store = OpenStore();
  ExpectContents(*store, {{"keep", Payload(20, 3)}});
  ASSERT_OK(store->Close());
}

TEST_F(StoreDeltaTest, ADamagedNewestDeltaFallsBackToTheOlderSlot) {
  options_.page_size = 512;
  auto store = CreateStore();
  ASSERT_OK(store->Write("a", Payload(700, 1)));
  ASSERT_OK(store->Flush());
  ASSERT_OK(store->Write("b", Payload(300, 2)));
  ASSERT_OK(store->Write("a", Payload(900, 3)));
  ASSERT_OK(store->Close());
  const HeaderSlot newest = NewestSlot();
  ASSERT_EQ(newest.chain_length, 2u);
  FlipByte(PathOf("s.mhs"), newest.delta_offset + 100);
  auto opened = Store::Open(PathOf("s.mhs"), options_);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  store = std::move(*opened);
  EXPECT_EQ(store->Stats()->generation, newest.generation - 1);
  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  ASSERT_EQ(report->warnings.size(), 1u);
  EXPECT_TRUE(Contains(report->warnings[0], "registry delta at offset " + std::to_string(newest.delta_offset)))
      << report->warnings[0];
  EXPECT_TRUE(Contains(report->warnings[0], "checksum mismatch")) << report->warnings[0];
  EXPECT_EQ(*store->Read("a"), Payload(700, 1));
  EXPECT_FALSE(*store->Exists("b"));
  // The fallback generation takes writes; its next commit replaces the damaged slot.
  ASSERT_OK(store->Write("c", Payload(50, 4)));
  ASSERT_OK(store->Close());
  store = OpenStore();
  ExpectContents(*store, {{"a", Payload(700, 1)}, {"c", Payload(50, 4)}});
  ASSERT_OK(store->Close());
}

TEST_F(StoreDeltaTest, ADamagedSharedDeltaFailsTheOpen) {
  options_.page_size = 512;
  auto store = CreateStore();
  ASSERT_OK(store->Write("a", Payload(700, 1)));
  ASSERT_OK(store->Flush());
  const HeaderSlot first = NewestSlot();
  ASSERT_OK(store->Write("b", Payload(300, 2)));
  ASSERT_OK(store->Close());
  ASSERT_EQ(NewestSlot().chain_length, 2u);
  FlipByte(PathOf("s.mhs"), first.delta_offset + 20);  // the older delta: both generations use it
  Status status = Store::Open(PathOf("s.mhs"), options_).status();
  EXPECT_EQ(status.code(), Code::kCorruption);
  EXPECT_TRUE(Contains(status.message(), PathOf("s.mhs") + ": registry delta at offset " +
                                             std::to_string(first.delta_offset) + ": ")) << status.message();
  EXPECT_TRUE(Contains(status.message(), "do not match length 192")) << status.message();
  auto report = Store::VerifyFile(PathOf("s.mhs"), options_);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_EQ(report->problems[0], status.message());
}

// tests/engine/data/v1_store.mhs and v2_store.mhs were written by the format-1 and
// format-2 engines running the same steps (make_fixture_store.cc.txt): blocks
// b/0..b/11 (b/0 empty), then b/3 removed and b/5 rewritten with payload 55. What
// they hold:
Contents FixtureContents() {
  auto payload = [](int i) {
    std::vector<std::uint8_t> p(i == 0 ? 0 : 100 * i + 3);
    for (std::size_t j = 0; j < p.size(); ++j) p[j] = static_cast<std::uint8_t>((i * 7 + j) % 251);
    return p;
  };
  Contents contents;
  for (int i = 0; i < 12; ++i) {
    if (i != 3) contents["b/" + std::to_string(i)] = payload(i == 5 ? 55 : i);
  }
  return contents;
}

TEST_F(StoreDeltaTest, AFormatOneStoreOpensAndTakesWrites) {
  std::filesystem::copy_file(std::string(MEMH_TEST_DATA_DIR) + "/v1_store.mhs", PathOf("s.mhs"));
  ASSERT_EQ(NewestSlot().version, 1u);
  options_.page_size = 0;  // the file's
  Contents expected = FixtureContents();
  auto report = Store::VerifyFile(PathOf("s.mhs"), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_TRUE(report->warnings.empty());
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ExpectContents(*store, expected);
  ASSERT_OK(store->Write("b/new", Payload(1234, 7)));
  expected["b/new"] = Payload(1234, 7);
  ASSERT_OK(store->Remove("b/7"));
  expected.erase("b/7");
  ASSERT_OK(store->Write("b/1", Payload(10, 8)));
  expected["b/1"] = Payload(10, 8);
  ASSERT_OK(store->Flush());
  const HeaderSlot slot = NewestSlot();
  EXPECT_EQ(slot.version, kFormatVersion);
  EXPECT_EQ(slot.chain_length, 1u);  // a delta on the format-1 base
  ASSERT_OK(store->Close());
  store = OpenStore();
  ExpectContents(*store, expected);
  ASSERT_OK(store->Close());
  report = Store::VerifyFile(PathOf("s.mhs"), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
}

// tests/engine/data/v2_store.mhs (above): its registry, delta and map carry SHA-256
// checksums (structure version 1). A format-3 delta chains onto that delta and base;
// a checkpoint (here: vacuum's final commit) rewrites them all as version 2 (XXH3).
TEST_F(StoreDeltaTest, AFormatTwoStoreOpensTakesDeltasAndCheckpoints) {
  std::filesystem::copy_file(std::string(MEMH_TEST_DATA_DIR) + "/v2_store.mhs", PathOf("s.mhs"));
  const HeaderSlot old = NewestSlot();
  ASSERT_EQ(old.version, 2u);
  ASSERT_GE(old.chain_length, 1u);  // its last commit was a delta: a SHA-256 one
  options_.page_size = 0;  // the file's
  Contents expected = FixtureContents();
  auto report = Store::VerifyFile(PathOf("s.mhs"), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ExpectContents(*store, expected);
  ASSERT_OK(store->Write("b/new", Payload(900, 3)));
  expected["b/new"] = Payload(900, 3);
  ASSERT_OK(store->Remove("b/2"));
  expected.erase("b/2");
  ASSERT_OK(store->Flush());
  HeaderSlot slot = NewestSlot();
  EXPECT_EQ(slot.version, kFormatVersion);
  EXPECT_EQ(slot.chain_length, old.chain_length + 1);  // an XXH3 delta after SHA-256 ones
  ASSERT_OK(store->Close());
  report = Store::VerifyFile(PathOf("s.mhs"), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok()) << (report->problems.empty() ? "" : report->problems[0]);
  store = OpenStore();
  ASSERT_NE(store, nullptr);
  ExpectContents(*store, expected);
  ASSERT_TRUE(store->Vacuum(VacuumMode::kFull).ok());
  slot = NewestSlot();
  EXPECT_EQ(slot.chain_length, 0u);  // a checkpoint: every structure rewritten
  const std::vector<std::uint8_t> bytes = ReadFileBytes(PathOf("s.mhs"));
  EXPECT_EQ(bytes.at(slot.registry_offset + 8), kStructureVersion);  // the version field (little-endian)
  EXPECT_EQ(bytes.at(slot.map_offset + 8), kStructureVersion);
  ASSERT_OK(store->Close());
  store = OpenStore();
  ASSERT_NE(store, nullptr);
  ExpectContents(*store, expected);
  ASSERT_OK(store->Close());
  report = Store::VerifyFile(PathOf("s.mhs"), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
}

}  // namespace
}  // namespace memh::engine::testing
