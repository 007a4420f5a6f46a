#include "bench/memory_manager.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>

namespace memh::harness {
namespace {

TEST(MeterMemoryManager, FillsAllFourFields) {
  MeterMemoryManager manager;
  benchmark::MemoryManager::Result result;
  manager.Start();
  void* a = std::malloc(1000);
  std::memset(a, 1, 1000);
  void* b = std::malloc(3000);
  std::memset(b, 1, 3000);
  asm volatile("" : : "r"(a), "r"(b) : "memory");
  std::free(a);
  manager.Stop(&result);
  std::free(b);
  EXPECT_EQ(result.num_allocs, 2);
  EXPECT_EQ(result.total_allocated_bytes, 4000);
  EXPECT_EQ(result.net_heap_growth, 3000);
  EXPECT_EQ(result.max_bytes_used, 4000);
}

TEST(MeterMemoryManager, LeavesOutWhatIsAllocatedWhilePaused) {
  MeterMemoryManager manager;
  benchmark::MemoryManager::Result result;
  manager.Start();
  void* a = std::malloc(1000);
  std::memset(a, 1, 1000);
  manager.Pause();
  void* big = std::malloc(50000);  // untimed setup: its bytes and its peak are left out
  std::memset(big, 1, 50000);
  asm volatile("" : : "r"(big) : "memory");
  std::free(big);
  void* kept = std::malloc(700);  // allocated while paused, still live after Resume
  std::memset(kept, 1, 700);
  manager.Resume();
  void* b = std::malloc(3000);
  std::memset(b, 1, 3000);
  asm volatile("" : : "r"(a), "r"(b), "r"(kept) : "memory");
  std::free(a);
  manager.Stop(&result);
  std::free(b);
  std::free(kept);
  EXPECT_EQ(result.num_allocs, 2);
  EXPECT_EQ(result.total_allocated_bytes, 4000);
  EXPECT_EQ(result.net_heap_growth, 3000);
  // Live above the start: 1000, then 1700 at Resume (the paused block stays live),
  // then 4700 once b is allocated.
  EXPECT_EQ(result.max_bytes_used, 4700);
}

}  // namespace
}  // namespace memh::harness
