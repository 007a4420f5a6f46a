#include "registry/name_index.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace memh::engine {
namespace {

std::string NameOf(std::uint32_t i) { return "block-" + std::to_string(i); }

// Random insertions and erasures, many through growth, checked after every step
// against what the map holds: every present name found at its own entry, absent
// names not found (the backward shift after an erase must never strand an entry).
TEST(NameIndex, FindsWhatTheMapHoldsThroughInsertsErasesAndGrowth) {
  BlockMap blocks;
  NameIndex index(blocks);
  index.Rebuild();
  std::mt19937 rng(7);
  std::set<std::uint32_t> present;
  for (int step = 0; step < 20000; ++step) {
    const std::uint32_t id = rng() % 3000;
    const std::string name = NameOf(id);
    auto it = blocks.find(name);
    if (it == blocks.end()) {
      it = blocks.emplace(name, BlockEntry{}).first;
      index.Insert(it);
      present.insert(id);
    } else {
      index.Erase(it);
      blocks.erase(it);
      present.erase(id);
    }
    if (step % 997 == 0 || step > 19900) {
      for (std::uint32_t probe = 0; probe < 3100; ++probe) {
        BlockMap::iterator found = index.Find(NameOf(probe));
        if (present.contains(probe)) {
          ASSERT_NE(found, blocks.end()) << "step " << step << ": " << NameOf(probe) << " lost";
          EXPECT_EQ(found->first, NameOf(probe));
        } else {
          ASSERT_EQ(found, blocks.end()) << "step " << step << ": " << NameOf(probe) << " found after erase";
        }
      }
    }
  }
}

// A rebuild indexes a map filled behind its back (a load) and sizes the table for
// it: at most one half full, at least 8 bytes a slot for two slots a block.
TEST(NameIndex, RebuildIndexesAFilledMapAtHalfLoad) {
  BlockMap blocks;
  for (std::uint32_t i = 0; i < 5000; ++i) blocks.emplace(NameOf(i), BlockEntry{});
  NameIndex index(blocks);
  EXPECT_EQ(index.Find(NameOf(1)), blocks.find(NameOf(1)));  // not yet built: the tree answers
  EXPECT_EQ(index.HeapBytes(), 0u);
  index.Rebuild();
  for (std::uint32_t i = 0; i < 5000; ++i) ASSERT_EQ(index.Find(NameOf(i)), blocks.find(NameOf(i)));
  EXPECT_EQ(index.Find("absent"), blocks.end());
  EXPECT_GE(index.HeapBytes(), 2 * 5000 * sizeof(BlockMap::iterator));
  EXPECT_LE(index.HeapBytes(), 4 * 5000 * sizeof(BlockMap::iterator));
}

// Growth is by doubling and only past the load limit: erasing and inserting as many
// as were erased (the steady state of a store) never resizes the table.
TEST(NameIndex, SteadyChurnNeverResizes) {
  BlockMap blocks;
  NameIndex index(blocks);
  index.Rebuild();
  for (std::uint32_t i = 0; i < 1000; ++i) index.Insert(blocks.emplace(NameOf(i), BlockEntry{}).first);
  const std::uint64_t bytes = index.HeapBytes();
  for (std::uint32_t round = 0; round < 50; ++round) {
    for (std::uint32_t i = 0; i < 100; ++i) {
      auto it = blocks.find(NameOf(round * 100 + i));
      index.Erase(it);
      blocks.erase(it);
    }
    for (std::uint32_t i = 0; i < 100; ++i) index.Insert(blocks.emplace(NameOf(1000 + round * 100 + i), BlockEntry{}).first);
    ASSERT_EQ(index.HeapBytes(), bytes) << "round " << round;
  }
  for (const auto& [name, entry] : blocks) ASSERT_NE(index.Find(name), blocks.end()) << name;
}

}  // namespace
}  // namespace memh::engine
