// The site table's invariants: while armed, every allocation and free the meter counts
// is charged to exactly one stack (or the untracked or freed-before counters), so the
// table's sums equal the meter's; distinct call sites get distinct stacks; frees go to
// the allocating stack; roles are kept apart; a full table loses no count.
#include "alloc/site_capture.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "alloc/meter.h"

namespace memh::harness::alloc {
namespace {

SiteCounts Sum(const SiteTable& table) {
  SiteCounts sum;
  auto add = [&](const SiteCounts& c) {
    sum.bytes += c.bytes;
    sum.calls += c.calls;
    sum.frees += c.frees;
    sum.bytes_freed += c.bytes_freed;
  };
  for (const RawStack& s : table.Stacks()) add(s.counts);
  for (ThreadRole role : {ThreadRole::kClient, ThreadRole::kBackground}) {
    add(table.Untracked(role));
    add(table.FreedBefore(role));
  }
  return sum;
}

void ExpectSumsEqual(const SiteTable& table, const Counters& delta) {
  const SiteCounts sum = Sum(table);
  EXPECT_EQ(sum.bytes, delta.bytes);
  EXPECT_EQ(sum.calls, delta.calls);
  EXPECT_EQ(sum.frees, delta.frees);
  EXPECT_EQ(sum.bytes_freed, delta.bytes_freed);
}

__attribute__((noinline)) void* AllocateHere(std::size_t n) {
  void* p = std::malloc(n);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

__attribute__((noinline)) char* AllocateThere(std::size_t n) {
  char* p = new char[n];
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

// A different return address per depth: `depth` distinct stacks.
__attribute__((noinline)) void* AllocateAtDepth(int depth) {
  if (depth == 0) return AllocateHere(8);
  void* p = AllocateAtDepth(depth - 1);
  asm volatile("" : : "r"(p) : "memory");
  return p;
}

TEST(SiteCapture, SumsEqualTheMeterAndSitesAreApart) {
  SiteTable table(64);
  void* older = std::malloc(300);
  asm volatile("" : : "r"(older) : "memory");  // no malloc/free pair for the compiler to drop
  const Counters before = Process();
  table.Arm();
  for (int i = 0; i < 3; ++i) std::free(AllocateHere(100));
  char* kept = AllocateThere(200);
  std::free(older);
  table.Disarm();
  const Counters delta = Process() - before;
  delete[] kept;

  ExpectSumsEqual(table, delta);
  bool saw_here = false, saw_there = false;
  for (const RawStack& s : table.Stacks()) {
    EXPECT_FALSE(s.frames.empty());
    if (s.counts.bytes == 300 && s.counts.calls == 3) {
      saw_here = true;
      EXPECT_EQ(s.counts.frees, 3u);  // charged back to the stack that allocated
      EXPECT_EQ(s.counts.bytes_freed, 300u);
    }
    if (s.counts.bytes == 200 && s.counts.calls == 1) {
      saw_there = true;
      EXPECT_EQ(s.counts.frees, 0u);  // freed after the table was disarmed
    }
  }
  EXPECT_TRUE(saw_here);
  EXPECT_TRUE(saw_there);
  EXPECT_EQ(table.FreedBefore(CurrentThreadRole()).bytes_freed, 300u);  // `older`
}

TEST(SiteCapture, RolesAreKeptApart) {
  SiteTable table(64);
  const Counters before = Process();
  table.Arm();
  SetThreadRole(ThreadRole::kClient);
  std::free(AllocateHere(10));
  SetThreadRole(ThreadRole::kBackground);
  std::thread([] { std::free(AllocateHere(20)); }).join();
  table.Disarm();
  const Counters delta = Process() - before;
  ExpectSumsEqual(table, delta);
  std::uint64_t client = 0, background = 0;
  for (const RawStack& s : table.Stacks()) (s.role == ThreadRole::kClient ? client : background) += s.counts.bytes;
  EXPECT_EQ(client, 10u);
  EXPECT_GE(background, 20u);  // the thread's start may allocate too
}

TEST(SiteCapture, AFullTableLosesNoCount) {
  SiteTable table(16);
  const Counters before = Process();
  table.Arm();
  for (int depth = 0; depth < 40; ++depth) std::free(AllocateAtDepth(depth));
  table.Disarm();
  const Counters delta = Process() - before;
  ExpectSumsEqual(table, delta);
  EXPECT_EQ(table.Stacks().size(), table.capacity());
  EXPECT_GT(table.Untracked(CurrentThreadRole()).calls, 0u);
}

TEST(SiteCapture, AnEarlierArmingIsNeverCharged) {
  SiteTable table(64);
  table.Arm();
  void* from_first = AllocateHere(50);
  table.Disarm();
  table.Arm();
  std::free(from_first);
  table.Disarm();
  EXPECT_TRUE(table.Stacks().empty());
  EXPECT_EQ(table.FreedBefore(CurrentThreadRole()).bytes_freed, 50u);
}

}  // namespace
}  // namespace memh::harness::alloc
