// Vacuum gives space back and keeps every byte of every block.
#include <map>

#include "engine/test_util.h"

namespace memh::engine::testing {
namespace {

class StoreVacuumTest : public StoreTest {
 protected:
  // Writes 300 blocks, removes every other one, commits twice; returns what is left.
  std::map<std::string, std::vector<std::uint8_t>> Churn(Store& store) {
    std::map<std::string, std::vector<std::uint8_t>> expected;
    for (int i = 0; i < 300; ++i) {
      std::string name = "v" + std::to_string(i);
      auto payload = Payload(1000 + (i * 611) % 9000, i);
      EXPECT_TRUE(store.Write(name, payload).ok());
      expected[name] = payload;
    }
    EXPECT_TRUE(store.Flush().ok());
    for (int i = 0; i < 300; i += 2) {
      EXPECT_TRUE(store.Remove("v" + std::to_string(i)).ok());
      expected.erase("v" + std::to_string(i));
    }
    EXPECT_TRUE(store.Flush().ok());
    EXPECT_TRUE(store.Flush().ok());
    return expected;
  }

  void ExpectContents(Store& store, const std::map<std::string, std::vector<std::uint8_t>>& expected) {
    auto names = store.List();
    ASSERT_TRUE(names.ok());
    ASSERT_EQ(names->size(), expected.size());
    for (const auto& [name, bytes] : expected) {
      auto read = store.Read(name);
      ASSERT_TRUE(read.ok()) << name << ": " << read.status().ToString();
      ASSERT_EQ(*read, bytes) << name;
    }
    auto report = store.Verify();
    ASSERT_TRUE(report.ok());
    EXPECT_TRUE(report->ok()) << report->problems.front();
  }

  void RunVacuum(VacuumMode mode) {
    options_.growth_min_pages = 64;
    auto store = CreateStore();
    auto expected = Churn(*store);
    auto before = store->Stats();
    auto report = store->Vacuum(mode);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->mode, mode);
    EXPECT_EQ(report->bytes_before, before->file_bytes);
    EXPECT_LT(report->bytes_after, report->bytes_before);
    EXPECT_EQ(report->bytes_reclaimed, report->bytes_before - report->bytes_after);
    EXPECT_GT(report->blocks_moved, 0u);
    EXPECT_GT(report->fragmentation_before, report->fragmentation_after);
    EXPECT_EQ(store->Stats()->file_bytes, report->bytes_after);
    EXPECT_EQ(std::filesystem::file_size(PathOf("s.mhs")), report->bytes_after);
    EXPECT_NE(store->Stats()->last_vacuum_ms, 0u);
    ExpectContents(*store, expected);
    ASSERT_OK(store->Write("after", Payload(5000, 7)));  // the store keeps working
    expected["after"] = Payload(5000, 7);
    ASSERT_OK(store->Close());
    store = OpenStore();
    ExpectContents(*store, expected);
  }
};

TEST_F(StoreVacuumTest, QuickReclaimsAndKeepsEveryByte) { RunVacuum(VacuumMode::kQuick); }
TEST_F(StoreVacuumTest, FullReclaimsAndKeepsEveryByte) { RunVacuum(VacuumMode::kFull); }

TEST_F(StoreVacuumTest, FullLeavesNoFreePage) {
  auto store = CreateStore();
  Churn(*store);
  ASSERT_TRUE(store->Vacuum(VacuumMode::kFull).ok());
  EXPECT_EQ(store->Stats()->free_pages, 0u);
  EXPECT_FALSE(std::filesystem::exists(PathOf("s.mhs.vacuum-tmp")));
}

TEST_F(StoreVacuumTest, VacuumOfAnEmptyStore) {
  auto store = CreateStore();
  auto report = store->Vacuum(VacuumMode::kQuick);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->blocks_moved, 0u);
  EXPECT_TRUE(store->Verify()->ok());
  ASSERT_TRUE(store->Vacuum(VacuumMode::kFull).ok());
  EXPECT_TRUE(store->Verify()->ok());
}

}  // namespace
}  // namespace memh::engine::testing
