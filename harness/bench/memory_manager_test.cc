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

}  // namespace
}  // namespace memh::harness
