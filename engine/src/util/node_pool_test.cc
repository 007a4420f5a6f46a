#include "util/node_pool.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <utility>

namespace memh::engine {
namespace {

using Tree = std::map<std::uint64_t, std::uint64_t, std::less<>, PoolAllocator<std::pair<const std::uint64_t, std::uint64_t>>>;

std::size_t Held(const Tree& tree) { return tree.get_allocator().pool()->held_bytes(); }

TEST(NodePoolTest, ReleasedNodesAreHandedOutAgainBeforeTheHeapIsAsked) {
  Tree tree;
  for (std::uint64_t i = 0; i < 100; ++i) tree.emplace(i, i);
  const std::size_t held = Held(tree);
  EXPECT_EQ(held, 100 * tree.get_allocator().pool()->node_bytes());
  for (int round = 0; round < 10; ++round) {
    for (std::uint64_t i = 0; i < 100; ++i) tree.erase(i);
    for (std::uint64_t i = 1000; i < 1100; ++i) tree.emplace(i, i);
    for (std::uint64_t i = 1000; i < 1100; ++i) tree.erase(i);
    for (std::uint64_t i = 0; i < 100; ++i) tree.emplace(i, i);
  }
  EXPECT_EQ(Held(tree), held);  // never more nodes than the most held at once
  tree.emplace(5000, 1);
  EXPECT_EQ(Held(tree), held + tree.get_allocator().pool()->node_bytes());
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
