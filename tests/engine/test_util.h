// Shared by the engine integration tests: a fresh directory per test, deterministic
// payloads, and file-level helpers for doctoring store files.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "memh/engine/build_info.h"
#include "memh/engine/store.h"

namespace memh::engine::testing {

// Bytes that depend on (size, seed) only, so a test can rebuild what it wrote.
inline std::vector<std::uint8_t> Payload(std::size_t size, std::uint64_t seed) {
  std::vector<std::uint8_t> bytes(size);
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (std::size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    bytes[i] = static_cast<std::uint8_t>(x);
  }
  return bytes;
}

inline std::vector<std::uint8_t> ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline void WriteFileBytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

inline void FlipByte(const std::string& path, std::uint64_t offset, std::uint8_t mask = 0x01) {
  std::vector<std::uint8_t> bytes = ReadFileBytes(path);
  ASSERT_LT(offset, bytes.size());
  bytes[offset] ^= mask;
  WriteFileBytes(path, bytes);
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "memh-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    options_.clock = &clock_;
    options_.sync = SyncPolicy::kNone;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string PathOf(const std::string& name) const { return dir_ + "/" + name; }

  std::unique_ptr<Store> CreateStore(const std::string& name = "s.mhs") {
    auto store = Store::Create(PathOf(name), options_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }
  std::unique_ptr<Store> OpenStore(const std::string& name = "s.mhs") {
    auto store = Store::Open(PathOf(name), options_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  std::string dir_;
  ManualClock clock_{1'700'000'000'000};
  StoreOptions options_;
};

#define ASSERT_OK(expr)                                          \
  do {                                                           \
    ::memh::engine::Status assert_ok_status_ = (expr);           \
    ASSERT_TRUE(assert_ok_status_.ok()) << assert_ok_status_.ToString(); \
  } while (0)

// List() as a plain vector (empty on error, which the caller's assertions then catch).
inline std::vector<std::string> Names(Store& store, std::string_view prefix = {}) {
  Result<std::vector<std::string>> names = store.List(prefix);
  if (!names.ok()) {
    ADD_FAILURE() << names.status().ToString();
    return {};
  }
  return std::move(names).value();
}

inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Failed assertions so far in the running test: what the reliability suites print as
// their "failures" count beside the states they tried.
inline int FailedAssertions() {
  return ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
}

// One line of a reliability suite's counts on stdout, "reliability (<knobs>): ...",
// which scripts/test.sh collects: the knobs say which engine variant tried them.
__attribute__((format(printf, 1, 2))) inline void ReportCounts(const char* format, ...) {
  const EngineKnobs knobs = LinkedKnobs();
  std::printf("reliability (%.*s %.*s %.*s): ", static_cast<int>(knobs.buffers.size()), knobs.buffers.data(),
              static_cast<int>(knobs.writes.size()), knobs.writes.data(), static_cast<int>(knobs.locks.size()),
              knobs.locks.data());
  va_list args;
  va_start(args, format);
  std::vprintf(format, args);
  va_end(args);
  std::fflush(stdout);
}

// MEMH_LONG=1 runs the reliability suites with many more states.
inline bool LongMode() {
  const char* value = std::getenv("MEMH_LONG");
  return value != nullptr && std::string(value) == "1";
}

}  // namespace memh::engine::testing
