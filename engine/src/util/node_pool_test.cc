#include "util/node_pool.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <utility>

namespace memh::engine {
namespace {

using Tree = std::map<std::uint64_t, std::uint64_t, std::less<>, PoolAllocator<std::pair<const std::uint64_t, std::uint64_t>>>;

std::size_t Held(const Tree& tree) { return tree.get_allocator().pool()->held_bytes(); }

std::size_t HeldNodes(const Tree& tree) { return Held(tree) / tree.get_allocator().pool()->node_bytes(); }

TEST(NodePoolTest, ReleasedNodesAreHandedOutAgainBeforeTheHeapIsAsked) {
  Tree tree;
  for (std::uint64_t i = 0; i < 100; ++i) tree.emplace(i, i);
  const std::size_t held = HeldNodes(tree);
  EXPECT_GE(held, 100u);
  EXPECT_LE(held, 100u + 100u / 8);  // at most an eighth spare
  for (int round = 0; round < 10; ++round) {
    for (std::uint64_t i = 0; i < 100; ++i) tree.erase(i);
    for (std::uint64_t i = 1000; i < 1100; ++i) tree.emplace(i, i);
    for (std::uint64_t i = 1000; i < 1100; ++i) tree.erase(i);
    for (std::uint64_t i = 0; i < 100; ++i) tree.emplace(i, i);
  }
  EXPECT_EQ(HeldNodes(tree), held);  // never more nodes than the most held at once
}

TEST(NodePoolTest, ANewHighGrowsThePoolByAnEighthSoHighsRarelyAllocate) {
  Tree tree;
  for (std::uint64_t i = 0; i < 800; ++i) tree.emplace(i, i);
  const std::size_t held = HeldNodes(tree);
  // Fill the spare nodes; the next insert grows the pool by an eighth and one.
  std::uint64_t next = 800;
  while (tree.size() < held) tree.emplace(next, next), ++next;
  EXPECT_EQ(HeldNodes(tree), held);
  tree.emplace(next, next), ++next;
  EXPECT_EQ(HeldNodes(tree), held + held / 8 + 1);
  // A size that wanders up past its earlier high 50 times, by one each time, stays
  // within that eighth: no new node, where one at a time would have asked 50 times.
  const std::size_t after = HeldNodes(tree);
  for (int high = 0; high < 50; ++high) {
    tree.emplace(next, next), ++next;
    tree.erase(tree.begin());
    tree.emplace(next, next), ++next;
  }
  EXPECT_EQ(HeldNodes(tree), after);
}

TEST(NodePoolTest, ACopyHasItsOwnPoolAndAssigningACopyReusesTheTargetsNodes) {
  Tree source;
  for (std::uint64_t i = 0; i < 50; ++i) source.emplace(i, i);
  Tree copy(source);
  EXPECT_NE(copy.get_allocator().pool(), source.get_allocator().pool());
  EXPECT_EQ(copy, source);

  Tree target;
  for (std::uint64_t i = 0; i < 60; ++i) target.emplace(100 + i, i);
  const auto target_pool = target.get_allocator().pool();
  const std::size_t held = Held(target);
  target = source;
  EXPECT_EQ(target.get_allocator().pool(), target_pool);
  EXPECT_EQ(Held(target), held);  // 50 of its 60 nodes reused, none asked for
  EXPECT_EQ(target, source);
}

TEST(NodePoolTest, AMoveCarriesThePoolAndTheMovedFromTreeStaysUsable) {
  Tree source;
  for (std::uint64_t i = 0; i < 10; ++i) source.emplace(i, i);
  const auto pool = source.get_allocator().pool();
  Tree moved(std::move(source));
  EXPECT_EQ(moved.get_allocator().pool(), pool);
  EXPECT_EQ(moved.size(), 10u);
  source.clear();  // NOLINT(bugprone-use-after-move): a moved-from tree must stay usable
  source.emplace(1, 2);
  EXPECT_EQ(source.at(1), 2u);

  Tree other;
  other.emplace(7, 7);
  other = std::move(moved);
  EXPECT_EQ(other.get_allocator().pool(), pool);
  EXPECT_EQ(other.size(), 10u);
}

}  // namespace
}  // namespace memh::engine
