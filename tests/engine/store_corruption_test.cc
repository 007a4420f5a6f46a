// Bad files: every error is a value naming what is wrong; nothing crashes, nothing
// is "healed", and a failed open or read never writes to the file.
#include "engine/test_util.h"
#include "format/header_slot.h"

namespace memh::engine::testing {
namespace {

class StoreCorruptionTest : public StoreTest {
 protected:
  // A closed store with a few committed generations; returns its winning header slot.
  HeaderSlot MakeStore() {
    auto store = CreateStore();
    EXPECT_TRUE(store->Write("alpha", Payload(5000, 1)).ok());
    EXPECT_TRUE(store->Write("beta", Payload(100, 2)).ok());
    EXPECT_TRUE(store->Flush().ok());
    EXPECT_TRUE(store->Write("gamma", Payload(7000, 3)).ok());
    EXPECT_TRUE(store->Close().ok());
    return NewestSlot();
  }
  // MakeStore's contents, then a quick vacuum: its final commit is a checkpoint, so
  // the newest generation's registry and map hold everything (no deltas).
  HeaderSlot MakeCheckpointedStore() {
    MakeStore();
    auto store = OpenStore();
    EXPECT_TRUE(store->Vacuum(VacuumMode::kQuick).ok());
    EXPECT_TRUE(store->Close().ok());
    return NewestSlot();
  }
  HeaderSlot NewestSlot() {
    std::vector<std::uint8_t> bytes = ReadFileBytes(PathOf("s.mhs"));
    HeaderSlot best;
    for (int index = 0; index < 2; ++index) {
      auto slot = DecodeHeaderSlot(std::span(bytes).subspan(SlotOffset(index), kHeaderSlotBytes), "");
      if (slot.ok() && slot->generation > best.generation) best = *slot;
    }
    return best;
  }
  Status OpenStatus() { return Store::Open(PathOf("s.mhs"), options_).status(); }
};

TEST_F(StoreCorruptionTest, GarbageMagic) {
  std::vector<std::uint8_t> garbage = Payload(8192, 5);
  WriteFileBytes(PathOf("s.mhs"), garbage);
  Status status = OpenStatus();
  EXPECT_EQ(status.code(), Code::kCorruption);
  EXPECT_TRUE(Contains(status.message(), "header")) << status.message();
  EXPECT_TRUE(Contains(status.message(), "bad magic")) << status.message();
  EXPECT_EQ(ReadFileBytes(PathOf("s.mhs")), garbage);  // untouched
}

TEST_F(StoreCorruptionTest, TinyAndEmptyFilesAndDirectories) {
  WriteFileBytes(PathOf("s.mhs"), Payload(10, 1));
  EXPECT_EQ(OpenStatus().code(), Code::kCorruption);
  WriteFileBytes(PathOf("s.mhs"), {});
  EXPECT_EQ(OpenStatus().code(), Code::kCorruption);
  EXPECT_FALSE(Store::Open(dir_, options_).ok());
  EXPECT_EQ(Store::Open(PathOf("missing.mhs"), options_).status().code(), Code::kNotFound);
}

TEST_F(StoreCorruptionTest, CreateRefusesAnExistingFile) {
  WriteFileBytes(PathOf("s.mhs"), Payload(100, 1));
  EXPECT_FALSE(Store::Create(PathOf("s.mhs"), options_).ok());
  EXPECT_EQ(ReadFileBytes(PathOf("s.mhs")), Payload(100, 1));
}

TEST_F(StoreCorruptionTest, BothHeaderSlotsCorrupt) {
  MakeStore();
  FlipByte(PathOf("s.mhs"), 100);
  FlipByte(PathOf("s.mhs"), 512 + 100);
  Status status = OpenStatus();
  EXPECT_EQ(status.code(), Code::kCorruption);
  EXPECT_TRUE(Contains(status.message(), "no valid header slot")) << status.message();
}

TEST_F(StoreCorruptionTest, ADamagedNewestSlotFallsBackToTheOlderGeneration) {
  {
    auto store = CreateStore();
    ASSERT_OK(store->Write("first", Payload(100, 1)));
    ASSERT_OK(store->Flush());
    ASSERT_OK(store->Write("second", Payload(100, 2)));
    ASSERT_OK(store->Flush());
    ASSERT_OK(store->Close());
  }
  HeaderSlot newest = NewestSlot();
  FlipByte(PathOf("s.mhs"), SlotOffset(SlotIndexFor(newest.generation)) + 20);
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->Stats()->generation, newest.generation - 1);
  EXPECT_EQ(*store->Read("first"), Payload(100, 1));
  EXPECT_FALSE(*store->Exists("second"));
  auto report = store->Verify();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  ASSERT_EQ(report->warnings.size(), 1u);
  EXPECT_TRUE(Contains(report->warnings[0], "checksum mismatch")) << report->warnings[0];
}

TEST_F(StoreCorruptionTest, TruncatedInTheRegistry) {
  HeaderSlot slot = MakeStore();
  std::filesystem::resize_file(PathOf("s.mhs"), slot.registry_offset + 10);
  Status status = OpenStatus();
  EXPECT_EQ(status.code(), Code::kCorruption);
  EXPECT_TRUE(Contains(status.message(), "truncated")) << status.message();
}

TEST_F(StoreCorruptionTest, AFlippedRegistryByteFailsTheOpen) {
  HeaderSlot slot = MakeCheckpointedStore();
  ASSERT_EQ(slot.chain_length, 0u);
  FlipByte(PathOf("s.mhs"), slot.registry_offset + 64 + 40);  // inside the first entry
  Status status = OpenStatus();
  EXPECT_EQ(status.code(), Code::kCorruption);
  EXPECT_TRUE(Contains(status.message(), "registry")) << status.message();
  EXPECT_TRUE(Contains(status.message(), "checksum mismatch")) << status.message();
}

TEST_F(StoreCorruptionTest, AFlippedMapByteFailsTheOpen) {
  HeaderSlot slot = MakeStore();
  FlipByte(PathOf("s.mhs"), slot.map_offset + 64);
  Status status = OpenStatus();
  EXPECT_EQ(status.code(), Code::kCorruption);
  EXPECT_TRUE(Contains(status.message(), "free-space map")) << status.message();
}

TEST_F(StoreCorruptionTest, AFlippedPayloadByteIsReportedNeverHealed) {
  MakeStore();
  std::uint64_t offset = 0;
  {
    auto store = OpenStore();
    offset = store->Metadata("alpha")->offset;
  }
  FlipByte(PathOf("s.mhs"), offset + 1234);
  const std::vector<std::uint8_t> damaged = ReadFileBytes(PathOf("s.mhs"));
  {
    auto store = OpenStore();
    for (int attempt = 0; attempt < 2; ++attempt) {
      auto read = store->Read("alpha");
      ASSERT_FALSE(read.ok());
      EXPECT_EQ(read.status().code(), Code::kCorruption);
      EXPECT_TRUE(Contains(read.status().message(), "block \"alpha\"")) << read.status().message();
      EXPECT_TRUE(Contains(read.status().message(), "checksum mismatch")) << read.status().message();
      std::vector<std::uint8_t> out(5000);
      EXPECT_EQ(store->ReadInto("alpha", out).status().code(), Code::kCorruption);
    }
    EXPECT_EQ(*store->Read("beta"), Payload(100, 2));  // the rest is fine
    auto report = store->Verify();
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->problems.size(), 1u);
    EXPECT_TRUE(Contains(report->problems[0], "\"alpha\"")) << report->problems[0];
    ASSERT_OK(store->Close());
  }
  EXPECT_EQ(ReadFileBytes(PathOf("s.mhs")), damaged);  // no healing write
  auto report = Store::VerifyFile(PathOf("s.mhs"), options_);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok());
}

TEST_F(StoreCorruptionTest, VacuumStopsAtACorruptBlock) {
  options_.growth_min_pages = 16;
  {
    auto store = CreateStore();
    for (int i = 0; i < 20; ++i) ASSERT_OK(store->Write("c" + std::to_string(i), Payload(4096, i)));
    ASSERT_OK(store->Flush());
    for (int i = 0; i < 19; ++i) ASSERT_OK(store->Remove("c" + std::to_string(i)));
    ASSERT_OK(store->Close());
  }
  std::uint64_t offset = OpenStore()->Metadata("c19")->offset;
  FlipByte(PathOf("s.mhs"), offset);
  auto store = OpenStore();
  auto report = store->Vacuum(VacuumMode::kFull);
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(Contains(report.status().message(), "\"c19\"")) << report.status().message();
  EXPECT_EQ(store->Read("c19").status().code(), Code::kCorruption);
}

}  // namespace
}  // namespace memh::engine::testing
