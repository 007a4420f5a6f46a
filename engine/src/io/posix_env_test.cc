#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <unistd.h>
#include <vector>

#include "memh/engine/env.h"

namespace memh::engine {
namespace {

class PosixFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/memh_posix_env_test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/file";
  }
  void TearDown() override {
    (void)DefaultEnv().Remove(path_);
    ::rmdir(dir_.c_str());
  }
  std::string dir_;
  std::string path_;
};

// More pieces than one pwritev takes (1,024), of uneven sizes, some empty: every byte
// lands where the pieces laid back to back from the offset put it.
TEST_F(PosixFileTest, WriteGatherAtLaysThePiecesBackToBack) {
  Result<std::unique_ptr<File>> file = DefaultEnv().Open(path_, OpenMode::kCreateExclusive);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  std::vector<std::vector<std::uint8_t>> storage;
  std::vector<std::uint8_t> expected;
  for (int i = 0; i < 2500; ++i) {
    std::vector<std::uint8_t> piece(static_cast<std::size_t>(i % 7 == 0 ? 0 : 1 + i % 13),
                                    static_cast<std::uint8_t>(i));
    expected.insert(expected.end(), piece.begin(), piece.end());
    storage.push_back(std::move(piece));
  }
  std::vector<std::span<const std::uint8_t>> pieces(storage.begin(), storage.end());
  constexpr std::uint64_t kOffset = 4096 + 17;
  ASSERT_TRUE((*file)->WriteGatherAt(kOffset, pieces).ok());
  std::vector<std::uint8_t> read(expected.size());
  ASSERT_TRUE((*file)->ReadAt(kOffset, read).ok());
  EXPECT_EQ(read, expected);
  Result<std::uint64_t> size = (*file)->Size();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, kOffset + expected.size());
}

}  // namespace
}  // namespace memh::engine
