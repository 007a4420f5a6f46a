// Batch's name filter (batch.h): never a false "no" for a name the batch holds, every
// "maybe" gone after Clear, and "maybe" for few of the names it lacks.
#include "store/batch.h"

#include <gtest/gtest.h>

#include <string>

#include "registry/name_index.h"

namespace memh::engine {
namespace {

std::string NameOf(int i) { return "row/" + std::to_string(1'000'000'000 + i); }

TEST(BatchFilter, EveryNotedNameMayBeHeldAndClearForgetsThemAll) {
  Batch batch(200);
  for (int i = 0; i < 200; ++i) batch.NoteName(NameIndex::Hash(NameOf(i)));
  for (int i = 0; i < 200; ++i) EXPECT_TRUE(batch.MayHold(NameIndex::Hash(NameOf(i)))) << NameOf(i);
  batch.Clear();
  for (int i = 0; i < 200; ++i) EXPECT_FALSE(batch.MayHold(NameIndex::Hash(NameOf(i)))) << NameOf(i);
  EXPECT_TRUE(batch.ops.empty());
  EXPECT_TRUE(batch.order.empty());
  EXPECT_GE(batch.order.capacity(), 200u);  // kept for the next use
}

TEST(BatchFilter, ABatchOf200AnswersMaybeForFewNamesItLacks) {
  Batch batch(200);
  for (int i = 0; i < 200; ++i) batch.NoteName(NameIndex::Hash(NameOf(i)));
  int maybe = 0;
  constexpr int kOthers = 100'000;
  for (int i = 200; i < 200 + kOthers; ++i) maybe += batch.MayHold(NameIndex::Hash(NameOf(i))) ? 1 : 0;
  // At most 200 of 4,096 bits are set (~4.8 %); the hash is fixed, so this is exact
  // run to run: the bound is what the filter promises, with room for hash collisions.
  EXPECT_LT(maybe, kOthers * 6 / 100);
}

}  // namespace
}  // namespace memh::engine
