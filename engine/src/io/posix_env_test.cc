#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <memory>
#include <span>
#include <string>
#include <sys/mman.h>
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
// lands where the pieces laid back to back from the offset put it, past the file's
// end too, whichever way the file writes blocks.
class WriteGatherTest : public PosixFileTest, public ::testing::WithParamInterface<BlockWrites> {};

TEST_P(WriteGatherTest, LaysThePiecesBackToBack) {
  Result<std::unique_ptr<File>> file = PosixEnvWith(GetParam()).Open(path_, OpenMode::kCreateExclusive);
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

// Block writes, plain writes and truncates mixed, as the writer, a commit and a
// vacuum mix them: reads see every write at once, and the file's length is always
// the end of the furthest write or the last truncate, never a page more.
TEST_P(WriteGatherTest, MixesWithWritesAndTruncates) {
  Result<std::unique_ptr<File>> opened = PosixEnvWith(GetParam()).Open(path_, OpenMode::kCreateExclusive);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  File& file = **opened;
  const std::vector<std::uint8_t> a(3000, 0xaa);
  const std::vector<std::uint8_t> b(700, 0xbb);
  const std::vector<std::uint8_t> c(5000, 0xcc);
  std::vector<std::uint8_t> model;
  auto put = [&](std::uint64_t at, const std::vector<std::uint8_t>& bytes) {
    if (model.size() < at + bytes.size()) model.resize(at + bytes.size(), 0);
    std::copy(bytes.begin(), bytes.end(), model.begin() + static_cast<std::ptrdiff_t>(at));
  };
  auto gather = [&](std::uint64_t at, const std::vector<std::uint8_t>& bytes) {
    std::span<const std::uint8_t> piece(bytes);
    return file.WriteGatherAt(at, std::span<const std::span<const std::uint8_t>>(&piece, 1));
  };
  auto check = [&](const char* after) {
    Result<std::uint64_t> size = file.Size();
    ASSERT_TRUE(size.ok());
    ASSERT_EQ(*size, model.size()) << after;
    std::vector<std::uint8_t> read(model.size());
    ASSERT_TRUE(file.ReadAt(0, read).ok()) << after;
    EXPECT_EQ(read, model) << after;
  };
  ASSERT_TRUE(file.WriteAt(0, a).ok());
  put(0, a);
  ASSERT_TRUE(gather(1000, b).ok());
  put(1000, b);
  check("a block inside the file");
  ASSERT_TRUE(file.WriteAt(20000, c).ok());  // a commit's registry at the end
  put(20000, c);
  ASSERT_TRUE(gather(9000, b).ok());  // into the hole a plain write left
  put(9000, b);
  check("a plain write past the end, then a block in the hole");
  ASSERT_TRUE(file.Truncate(2000).ok());
  model.resize(2000);
  check("a truncate");
  ASSERT_TRUE(gather(2500, b).ok());  // past the new end: the file grows to it
  put(2500, b);
  check("a block past the truncated end");
  constexpr std::uint64_t kFar = (64u << 20) + 1;  // past the first mapping's reach (64 MiB)
  ASSERT_TRUE(gather(kFar, b).ok());
  Result<std::uint64_t> size = file.Size();
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, kFar + b.size());
  std::vector<std::uint8_t> read(b.size());
  ASSERT_TRUE(file.ReadAt(kFar, read).ok());
  EXPECT_EQ(read, b);
}

INSTANTIATE_TEST_SUITE_P(BothWays, WriteGatherTest,
                         ::testing::Values(BlockWrites::kMapped, BlockWrites::kSystemCalls),
                         [](const ::testing::TestParamInfo<BlockWrites>& info) {
                           return info.param == BlockWrites::kMapped ? "Mapped" : "SystemCalls";
                         });

// Another process shrinks the file under an open store: the next block write through
// the mapping faults (SIGBUS), and that is an IOError naming the file, not a crash.
TEST_F(PosixFileTest, AMappedWriteIntoAShrunkFileIsAnError) {
  Result<std::unique_ptr<File>> file = DefaultEnv().Open(path_, OpenMode::kCreateExclusive);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const std::vector<std::uint8_t> block(4096, 0x5a);
  std::span<const std::uint8_t> piece(block);
  const std::span<const std::span<const std::uint8_t>> pieces(&piece, 1);
  ASSERT_TRUE((*file)->WriteGatherAt(0, pieces).ok());
  ASSERT_TRUE((*file)->WriteGatherAt(4096, pieces).ok());
  ASSERT_EQ(::truncate(path_.c_str(), 0), 0);  // behind the file object's back
  Status status = (*file)->WriteGatherAt(4096, pieces);  // inside the length it knows
  EXPECT_EQ(status.code(), Code::kIOError) << status.ToString();
  EXPECT_NE(status.ToString().find(path_), std::string::npos) << status.ToString();
  EXPECT_NE(status.ToString().find("SIGBUS"), std::string::npos) << status.ToString();
  // The file is usable again once it has its length back.
  ASSERT_TRUE((*file)->Truncate(16384).ok());
  EXPECT_TRUE((*file)->WriteGatherAt(4096, pieces).ok());
}

// The engine's SIGBUS handler takes only faults of its own copies: any other SIGBUS
// still ends the process as it would have without the engine.
TEST_F(PosixFileTest, ASigbusOutsideABlockWriteStillKills) {
  Result<std::unique_ptr<File>> file = DefaultEnv().Open(path_, OpenMode::kCreateExclusive);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  const std::vector<std::uint8_t> block(4096, 1);
  std::span<const std::uint8_t> piece(block);
  ASSERT_TRUE((*file)->WriteGatherAt(0, std::span<const std::span<const std::uint8_t>>(&piece, 1)).ok());
  EXPECT_DEATH(
      {
        int fd = ::open(path_.c_str(), O_RDWR);
        auto* page = static_cast<volatile std::uint8_t*>(::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
        (void)::ftruncate(fd, 0);
        page[0] = 1;  // past the end: SIGBUS, not ours
      },
      "");
}

}  // namespace
}  // namespace memh::engine
