// The SQLite target on its own: a round trip through write, read, remove, flush, close
// and reopen, its transactions, and its errors as values (a missing block is
// kNotFound, a corrupt file one line of kCorruption).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "memh/engine/store.h"
#include "targets/target.h"

namespace memh::harness {
namespace {

using engine::Code;

class SqliteTargetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "sqlite-target-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/store" + LinkedTarget().file_extension;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static engine::StoreOptions Options() {
    engine::StoreOptions options;
    options.sync = engine::SyncPolicy::kNone;
    return options;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SqliteTargetTest, IsTheSqliteTarget) {
  const TargetInfo info = LinkedTarget();
  EXPECT_EQ(info.name, "sqlite");
  EXPECT_EQ(info.file_extension, ".sqlite");
  ASSERT_FALSE(info.knobs.empty());
  EXPECT_EQ(info.knobs.front().first, "sqlite");
}

TEST_F(SqliteTargetTest, RoundTripSurvivesReopen) {
  std::vector<std::uint8_t> a(5000), b(17, 9);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i * 7);
  {
    auto target = CreateTarget(path_, Options());
    ASSERT_TRUE(target.ok()) << target.status().ToString();
    Target& t = **target;
    ASSERT_TRUE(t.Write("a", a).ok());
    ASSERT_TRUE(t.Write("b", b).ok());
    ASSERT_TRUE(t.Write("empty", {}).ok());
    ASSERT_TRUE(t.Write("gone", b).ok());
    // Reads see what is not committed yet.
    auto read = t.Read("a");
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ(*read, a);
    ASSERT_TRUE(t.Remove("gone").ok());
    EXPECT_EQ(t.Remove("gone").code(), Code::kNotFound);
    ASSERT_TRUE(t.Flush().ok());
    // Update = write.
    std::vector<std::uint8_t> b2(40, 3);
    ASSERT_TRUE(t.Write("b", b2).ok());
    ASSERT_TRUE(t.Close().ok());
    EXPECT_EQ(t.Read("a").status().code(), Code::kClosed);
    EXPECT_TRUE(t.Close().ok());
  }
  auto target = OpenTarget(path_, Options());
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  Target& t = **target;
  std::vector<std::uint8_t> out(64);
  auto length = t.ReadInto("b", out);
  ASSERT_TRUE(length.ok()) << length.status().ToString();
  EXPECT_EQ(*length, 40u);
  EXPECT_EQ(out[39], 3);
  EXPECT_EQ(t.ReadInto("a", out).status().code(), Code::kInvalidArgument);  // 5000 bytes do not fit 64
  auto empty = t.Read("empty");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(*t.Exists("a"), true);
  EXPECT_EQ(*t.Exists("gone"), false);
  EXPECT_EQ(t.Read("gone").status().code(), Code::kNotFound);
  EXPECT_EQ(t.Read("").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(t.Write(std::string(40, 'x'), b).code(), Code::kNameTooLong);
  EXPECT_TRUE(t.Vacuum(engine::VacuumMode::kQuick).ok());
  EXPECT_TRUE(t.Vacuum(engine::VacuumMode::kFull).ok());
  EXPECT_TRUE(t.Check().ok());
  EXPECT_TRUE(t.Drain().ok());
  EXPECT_TRUE(t.Close().ok());
}

TEST_F(SqliteTargetTest, TransactionsCommitAndRollBack) {
  auto target = CreateTarget(path_, Options());
  ASSERT_TRUE(target.ok());
  Target& t = **target;
  std::vector<std::uint8_t> payload(100, 1);
  ASSERT_TRUE(t.Begin().ok());
  EXPECT_EQ(t.Begin().code(), Code::kFailedPrecondition);
  EXPECT_EQ(t.Flush().code(), Code::kFailedPrecondition);
  // More changes than a batch: no auto-commit inside the caller's transaction.
  for (int i = 0; i < 250; ++i) ASSERT_TRUE(t.Write("k" + std::to_string(i), payload).ok());
  ASSERT_TRUE(t.Rollback().ok());
  EXPECT_EQ(*t.Exists("k0"), false);
  EXPECT_EQ(*t.Exists("k249"), false);
  ASSERT_TRUE(t.Begin().ok());
  ASSERT_TRUE(t.Write("kept", payload).ok());
  ASSERT_TRUE(t.Commit().ok());
  EXPECT_EQ(t.Commit().code(), Code::kFailedPrecondition);
  // Batches commit on their own: 450 writes outside a transaction, then close.
  for (int i = 0; i < 450; ++i) ASSERT_TRUE(t.Write("b" + std::to_string(i), payload).ok());
  ASSERT_TRUE(t.Close().ok());
  auto reopened = OpenTarget(path_, Options());
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(*(*reopened)->Exists("kept"), true);
  EXPECT_EQ(*(*reopened)->Exists("b449"), true);
}

TEST_F(SqliteTargetTest, ErrorsAreValues) {
  EXPECT_EQ(OpenTarget(dir_ + "/missing.sqlite", Options()).status().code(), Code::kNotFound);
  ASSERT_TRUE(CreateTarget(path_, Options()).ok());
  EXPECT_EQ(CreateTarget(path_, Options()).status().code(), Code::kInvalidArgument);  // exists

  const std::string garbage = dir_ + "/garbage.sqlite";
  {
    std::ofstream out(garbage, std::ios::binary);
    for (int i = 0; i < 4096; ++i) out.put(static_cast<char>(i * 31 + 5));
  }
  auto opened = OpenTarget(garbage, Options());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), Code::kCorruption);
  const std::string message = opened.status().ToString();
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_NE(message.find("garbage.sqlite"), std::string::npos) << message;
}

}  // namespace
}  // namespace memh::harness
