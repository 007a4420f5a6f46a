#include "cache/metadata_cache.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace memh::engine {
namespace {

BlockLocation At(std::uint64_t offset) { return BlockLocation{offset, offset + 1, {}, 0}; }

TEST(MetadataCache, HitsAndMisses) {
  MetadataCache cache(4);
  BlockLocation out;
  EXPECT_FALSE(cache.Get("a", &out));
  cache.Put("a", At(10));
  ASSERT_TRUE(cache.Get("a", &out));
  EXPECT_EQ(out.offset, 10u);
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(cache.misses(), 1u);
}

TEST(MetadataCache, EvictsTheLeastRecentlyUsed) {
  MetadataCache cache(1000);
  for (int i = 0; i < 1001; ++i) cache.Put("n" + std::to_string(i), At(i));
  BlockLocation out;
  EXPECT_FALSE(cache.Get("n0", &out));
  EXPECT_TRUE(cache.Get("n1", &out));
  EXPECT_TRUE(cache.Get("n1000", &out));
  EXPECT_EQ(cache.size(), 1000u);
}

TEST(MetadataCache, AGetRefreshesRecency) {
  MetadataCache cache(2);
  cache.Put("a", At(1));
  cache.Put("b", At(2));
  BlockLocation out;
  ASSERT_TRUE(cache.Get("a", &out));
  cache.Put("c", At(3));  // evicts b, not a
  EXPECT_TRUE(cache.Get("a", &out));
  EXPECT_FALSE(cache.Get("b", &out));
}

TEST(MetadataCache, PutReplacesAndEraseRemoves) {
  MetadataCache cache(8);
  cache.Put("a", At(1));
  cache.Put("a", At(2));
  BlockLocation out;
  ASSERT_TRUE(cache.Get("a", &out));
  EXPECT_EQ(out.offset, 2u);
  EXPECT_EQ(cache.size(), 1u);
  cache.Erase("a");
  EXPECT_FALSE(cache.Get("a", &out));
  EXPECT_EQ(cache.size(), 0u);
}

// Many inserts and erases through a small table exercise the backward-shift deletion:
// every key that should be present must stay reachable.
TEST(MetadataCache, StaysConsistentUnderChurn) {
  MetadataCache cache(16);
  std::uint64_t seed = 42;
  std::map<std::string, std::uint64_t> model;
  for (int step = 0; step < 20000; ++step) {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    std::string name = "k" + std::to_string((seed >> 33) % 40);
    if ((seed >> 20) % 3 == 0) {
      cache.Erase(name);
      model.erase(name);
    } else {
      cache.Put(name, At(step));
      model[name] = step;
    }
    BlockLocation out;
    bool found = cache.Get(name, &out);
    if (!model.contains(name)) {
      ASSERT_FALSE(found) << name << " was erased";
    } else {
      ASSERT_TRUE(found) << name << " was just written";  // the touched key is the newest
      ASSERT_EQ(model.at(name), out.offset);
    }
  }
  EXPECT_LE(cache.size(), 16u);
}

TEST(MetadataCache, ZeroCapacityDisables) {
  MetadataCache cache(0);
  cache.Put("a", At(1));
  BlockLocation out;
  EXPECT_FALSE(cache.Get("a", &out));
}

}  // namespace
}  // namespace memh::engine
