// Corruption sweeps over a small store (store_corruption_test.cc checks one chosen
// byte per structure; this flips every one): each byte of both header slots, of the
// registry, of the free-space map, of the newest registry delta (a damaged one falls
// back to the older slot) and of every block extent is flipped in turn, and
// the file is cut at every length below its size. Open and Verify then report an
// error naming the structure, or (a damaged header slot) fall back to the other
// slot, and everything that is read back is compared with what was written: nothing
// crashes, nothing wrong comes back as good. Prints what it swept.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/test_util.h"
#include "format/header_slot.h"

namespace memh::engine::testing {
namespace {

using Contents = std::map<std::string, std::vector<std::uint8_t>>;

void XorByte(const std::string& path, std::uint64_t offset, std::uint8_t mask) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(static_cast<std::streamoff>(offset));
  char byte = 0;
  file.read(&byte, 1);
  byte = static_cast<char>(static_cast<std::uint8_t>(byte) ^ mask);
  file.seekp(static_cast<std::streamoff>(offset));
  file.write(&byte, 1);
}

std::string SlotName(int index) { return index == 0 ? "header slot A" : "header slot B"; }

class ReliabilityCorruptionSweepTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    options_.page_size = 512;
    options_.growth_min_pages = 4;
    options_.write_buffer_bytes = 64 << 10;  // thousands of opens: keep each cheap
    // Generation 3 (a checkpoint: the quick vacuum's final commit) holds `older_`;
    // generation 4 (the newest, a registry delta on that base) holds `newest_`.
    auto store = CreateStore();
    ASSERT_NE(store, nullptr);
    Put(*store, "alpha", Payload(700, 1));
    Put(*store, "beta", Payload(100, 2));
    Put(*store, "gamma", Payload(1200, 3));
    Put(*store, "empty", {});
    ASSERT_OK(store->Flush());
    ASSERT_TRUE(store->Vacuum(VacuumMode::kQuick).ok());
    older_ = expected_;
    Put(*store, "beta", Payload(1500, 4));
    Put(*store, "delta", Payload(300, 5));
    ASSERT_OK(store->Remove("gamma"));
    expected_.erase("gamma");
    ASSERT_OK(store->Flush());
    newest_ = expected_;
    for (const auto& [name, bytes] : newest_) {
      BlockMetadata meta = *store->Metadata(name);
      if (meta.length > 0) extents_[name] = {meta.offset, meta.pages * 512};
    }
    ASSERT_OK(store->Close());
    original_ = ReadFileBytes(PathOf("s.mhs"));
    for (int index = 0; index < 2; ++index) {
      auto slot = DecodeHeaderSlot(std::span(original_).subspan(SlotOffset(index), kHeaderSlotBytes), "");
      ASSERT_TRUE(slot.ok());
      if (slot->generation > newest_slot_.generation) {
        newest_slot_ = *slot;
        newest_index_ = index;
      }
    }
    ASSERT_EQ(newest_slot_.generation, kNewest);
    ASSERT_EQ(newest_slot_.chain_length, 1u);
    ASSERT_EQ(original_.size(), newest_slot_.file_bytes);
  }

  void Put(Store& store, const std::string& name, std::vector<std::uint8_t> bytes) {
    ASSERT_OK(store.Write(name, bytes));
    expected_[name] = std::move(bytes);
  }

  // Opens the store and checks it holds exactly `contents` and verifies (with
  // `warnings` warnings). Returns the open Status for the caller's own checks.
  Status OpenAndCompare(const Contents& contents, std::size_t warnings, std::uint64_t generation) {
    Result<std::unique_ptr<Store>> store = Store::Open(PathOf("s.mhs"), options_);
    if (!store.ok()) return store.status();
    EXPECT_EQ((*store)->Stats()->generation, generation);
    std::vector<std::string> names = Names(**store);
    EXPECT_EQ(names.size(), contents.size());
    for (const auto& [name, bytes] : contents) {
      Result<std::vector<std::uint8_t>> read = (*store)->Read(name);
      EXPECT_TRUE(read.ok() && *read == bytes) << "block " << name << ": " << read.status().ToString();
    }
    Result<VerifyReport> report = (*store)->Verify();
    EXPECT_TRUE(report.ok() && report->ok());
    EXPECT_EQ(report->warnings.size(), warnings);
    CloseOk(**store);
    return Status::Ok();
  }
  static void CloseOk(Store& store) {
    Status closed = store.Close();
    EXPECT_TRUE(closed.ok()) << closed.ToString();
  }

  // A damaged structure: the open fails with kCorruption whose message names it,
  // and VerifyFile reports the same problem.
  void ExpectStructureError(const std::string& what, std::uint64_t offset) {
    Status status = Store::Open(PathOf("s.mhs"), options_).status();
    EXPECT_EQ(status.code(), Code::kCorruption) << what << " byte " << offset << ": " << status.ToString();
    EXPECT_TRUE(Contains(status.message(), what)) << "byte " << offset << ": " << status.message();
    Result<VerifyReport> report = Store::VerifyFile(PathOf("s.mhs"), options_);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    ASSERT_EQ(report->problems.size(), 1u);
    EXPECT_EQ(report->problems[0], status.message());
  }

  static constexpr std::uint64_t kOlder = 3, kNewest = 4;
  Contents expected_, older_, newest_;
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> extents_;  // name -> offset, bytes
  std::vector<std::uint8_t> original_;
  HeaderSlot newest_slot_;
  int newest_index_ = 0;
};

TEST_F(ReliabilityCorruptionSweepTest, EveryHeaderSlotByte) {
  std::uint64_t flipped = 0;
  for (std::uint64_t offset = 0; offset < kHeaderAreaBytes; ++offset) {
    const int index = offset < kHeaderSlotBytes ? 0 : 1;
    XorByte(PathOf("s.mhs"), offset, 0xFF);
    // The newest slot damaged: the older generation, intact, is what opens.
    const bool newest = index == newest_index_;
    Status status = OpenAndCompare(newest ? older_ : newest_, 1, newest ? kOlder : kNewest);
    EXPECT_TRUE(status.ok()) << "byte " << offset << ": " << status.ToString();
    Result<VerifyReport> report = Store::VerifyFile(PathOf("s.mhs"), options_);
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->warnings.size(), 1u) << "byte " << offset;
    EXPECT_TRUE(Contains(report->warnings[0], SlotName(index) + " ignored")) << report->warnings[0];
    XorByte(PathOf("s.mhs"), offset, 0xFF);
    ++flipped;
  }
  ASSERT_EQ(ReadFileBytes(PathOf("s.mhs")), original_);  // falling back wrote nothing
  ReportCounts("header slot bytes flipped: %llu, failures: %d\n", static_cast<unsigned long long>(flipped),
               FailedAssertions());
}

TEST_F(ReliabilityCorruptionSweepTest, EveryRegistryAndMapByte) {
  const std::string registry = "registry at offset " + std::to_string(newest_slot_.registry_offset);
  const std::string map = "free-space map at offset " + std::to_string(newest_slot_.map_offset);
  std::uint64_t flipped = 0;
  for (std::uint64_t i = 0; i < newest_slot_.registry_length; ++i) {
    XorByte(PathOf("s.mhs"), newest_slot_.registry_offset + i, 0x01);
    ExpectStructureError(registry, i);
    XorByte(PathOf("s.mhs"), newest_slot_.registry_offset + i, 0x01);
    ++flipped;
  }
  const std::uint64_t registry_flipped = flipped;
  for (std::uint64_t i = 0; i < newest_slot_.map_length; ++i) {  // the zero padding included
    XorByte(PathOf("s.mhs"), newest_slot_.map_offset + i, 0x01);
    ExpectStructureError(map, i);
    XorByte(PathOf("s.mhs"), newest_slot_.map_offset + i, 0x01);
    ++flipped;
  }
  ASSERT_EQ(ReadFileBytes(PathOf("s.mhs")), original_);  // no open wrote anything
  ReportCounts("registry bytes flipped: %llu, free-space map bytes flipped: %llu, failures: %d\n",
               static_cast<unsigned long long>(registry_flipped),
               static_cast<unsigned long long>(flipped - registry_flipped), FailedAssertions());
}

// A flipped byte of the newest registry delta makes its slot unusable: the older
// generation (the checkpoint it was written on) opens whole, with a warning naming the
// delta; a flipped byte in the slack after the delta's end harms nothing.
TEST_F(ReliabilityCorruptionSweepTest, EveryDeltaByte) {
  const std::string delta = "registry delta at offset " + std::to_string(newest_slot_.delta_offset);
  const std::uint64_t extent_bytes = (newest_slot_.delta_length + 511) / 512 * 512;
  std::uint64_t flipped = 0, slack_flipped = 0;
  for (std::uint64_t i = 0; i < extent_bytes; ++i) {
    XorByte(PathOf("s.mhs"), newest_slot_.delta_offset + i, 0x01);
    if (i >= newest_slot_.delta_length) {
      EXPECT_TRUE(OpenAndCompare(newest_, 0, kNewest).ok()) << "slack byte " << i;
      ++slack_flipped;
    } else {
      Status status = OpenAndCompare(older_, 1, kOlder);
      EXPECT_TRUE(status.ok()) << "byte " << i << ": " << status.ToString();
      Result<VerifyReport> report = Store::VerifyFile(PathOf("s.mhs"), options_);
      ASSERT_TRUE(report.ok());
      EXPECT_TRUE(report->ok()) << "byte " << i;
      ASSERT_EQ(report->warnings.size(), 1u) << "byte " << i;
      EXPECT_TRUE(Contains(report->warnings[0], SlotName(newest_index_) + " ignored: " + PathOf("s.mhs") + ": " +
                                                    delta + ": "))
          << report->warnings[0];
      ++flipped;
    }
    XorByte(PathOf("s.mhs"), newest_slot_.delta_offset + i, 0x01);
  }
  ASSERT_EQ(ReadFileBytes(PathOf("s.mhs")), original_);  // falling back wrote nothing
  ReportCounts("delta bytes flipped: %llu, delta slack bytes flipped: %llu, failures: %d\n",
               static_cast<unsigned long long>(flipped), static_cast<unsigned long long>(slack_flipped),
               FailedAssertions());
}

// A flipped payload byte fails that block's reads (naming it) and nothing else; a
// flipped byte in the slack after a block's end harms nothing.
TEST_F(ReliabilityCorruptionSweepTest, EveryBlockExtentByte) {
  std::uint64_t payload_flipped = 0, slack_flipped = 0;
  for (const auto& [name, extent] : extents_) {
    const auto& [offset, bytes] = extent;
    for (std::uint64_t i = 0; i < bytes; ++i) {
      XorByte(PathOf("s.mhs"), offset + i, 0x80);
      if (i >= newest_.at(name).size()) {
        EXPECT_TRUE(OpenAndCompare(newest_, 0, kNewest).ok());
        ++slack_flipped;
      } else {
        auto store = OpenStore();
        ASSERT_NE(store, nullptr);
        for (const auto& [other, expected] : newest_) {
          Result<std::vector<std::uint8_t>> read = store->Read(other);
          if (other != name) {
            EXPECT_TRUE(read.ok() && *read == expected) << other << ": " << read.status().ToString();
            continue;
          }
          ASSERT_FALSE(read.ok()) << name << " byte " << i << " came back as good";
          EXPECT_EQ(read.status().code(), Code::kCorruption);
          EXPECT_EQ(read.status().message(), PathOf("s.mhs") + ": block \"" + name + "\" at offset " +
                                                 std::to_string(offset) + ": checksum mismatch");
        }
        Result<VerifyReport> report = store->Verify();
        ASSERT_TRUE(report.ok());
        ASSERT_EQ(report->problems.size(), 1u);
        EXPECT_TRUE(Contains(report->problems[0], "block \"" + name + "\"")) << report->problems[0];
        ASSERT_OK(store->Close());
        ++payload_flipped;
      }
      XorByte(PathOf("s.mhs"), offset + i, 0x80);
    }
  }
  ASSERT_EQ(ReadFileBytes(PathOf("s.mhs")), original_);  // no read "healed" anything
  ReportCounts("block payload bytes flipped: %llu, slack bytes flipped: %llu, failures: %d\n",
               static_cast<unsigned long long>(payload_flipped), static_cast<unsigned long long>(slack_flipped),
               FailedAssertions());
}

TEST_F(ReliabilityCorruptionSweepTest, TruncatedAtEveryLength) {
  std::uint64_t lengths = 0;
  for (std::uint64_t length = original_.size(); length-- > 0;) {  // shorter each step
    std::filesystem::resize_file(PathOf("s.mhs"), length);
    Status status = Store::Open(PathOf("s.mhs"), options_).status();
    EXPECT_EQ(status.code(), Code::kCorruption) << "length " << length << ": " << status.ToString();
    const std::string expected =
        length < kHeaderAreaBytes
            ? PathOf("s.mhs") + ": header: file is " + std::to_string(length) +
                  " bytes, too short for a store (at least 1024)"
            : PathOf("s.mhs") + ": truncated: file is " + std::to_string(length) + " bytes, " +
                  SlotName(newest_index_) + " says " + std::to_string(original_.size());
    EXPECT_EQ(status.message(), expected);
    Result<VerifyReport> report = Store::VerifyFile(PathOf("s.mhs"), options_);
    ASSERT_TRUE(report.ok());
    ASSERT_EQ(report->problems.size(), 1u);
    EXPECT_EQ(report->problems[0], expected);
    ++lengths;
  }
  ReportCounts("truncation lengths tried: %llu (0 to %llu bytes), failures: %d\n",
               static_cast<unsigned long long>(lengths), static_cast<unsigned long long>(original_.size() - 1),
               FailedAssertions());
}

}  // namespace
}  // namespace memh::engine::testing
