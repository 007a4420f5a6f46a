// Transactions: all of a transaction's changes become durable together, or none do.
#include "engine/test_util.h"

namespace memh::engine::testing {
namespace {

using StoreTxnTest = StoreTest;

TEST_F(StoreTxnTest, CommittedWritesSurviveAReopenTogether) {
  {
    auto store = CreateStore();
    ASSERT_OK(store->Write("gone", Payload(10, 99)));
    ASSERT_OK(store->Flush());
    ASSERT_OK(store->Begin());
    for (int i = 0; i < 10; ++i) ASSERT_OK(store->Write("t" + std::to_string(i), Payload(500 + i, i)));
    ASSERT_OK(store->Remove("gone"));
    EXPECT_EQ(*store->Read("t3"), Payload(503, 3));  // read-your-writes inside the transaction
    EXPECT_FALSE(*store->Exists("gone"));
    ASSERT_OK(store->Commit());
    ASSERT_OK(store->Close());
  }
  auto store = OpenStore();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(*store->Read("t" + std::to_string(i)), Payload(500 + i, i));
  EXPECT_FALSE(*store->Exists("gone"));
}

TEST_F(StoreTxnTest, RollbackDiscardsEverything) {
  auto store = CreateStore();
  ASSERT_OK(store->Write("keep", Payload(10, 1)));
  ASSERT_OK(store->Flush());
  ASSERT_OK(store->Begin());
  ASSERT_OK(store->Write("keep", Payload(20, 2)));
  ASSERT_OK(store->Write("new", Payload(20, 3)));
  ASSERT_OK(store->Remove("keep"));
  ASSERT_OK(store->Rollback());
  EXPECT_EQ(*store->Read("keep"), Payload(10, 1));
  EXPECT_FALSE(*store->Exists("new"));
  ASSERT_OK(store->Close());
  store = OpenStore();
  EXPECT_EQ(*store->Read("keep"), Payload(10, 1));
  EXPECT_FALSE(*store->Exists("new"));
}

TEST_F(StoreTxnTest, AnOpenTransactionIsRolledBackByClose) {
  {
    auto store = CreateStore();
    ASSERT_OK(store->Begin());
    ASSERT_OK(store->Write("never", Payload(10, 1)));
    ASSERT_OK(store->Close());
  }
  EXPECT_FALSE(*OpenStore()->Exists("never"));
}

TEST_F(StoreTxnTest, WrongStatesAreRefused) {
  auto store = CreateStore();
  EXPECT_EQ(store->Commit().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store->Rollback().code(), Code::kFailedPrecondition);
  ASSERT_OK(store->Begin());
  EXPECT_EQ(store->Begin().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store->Flush().code(), Code::kFailedPrecondition);
  EXPECT_EQ(store->Vacuum(VacuumMode::kQuick).status().code(), Code::kFailedPrecondition);
  ASSERT_OK(store->Commit());
}

TEST_F(StoreTxnTest, ALargeTransactionSpanningManyBatches) {
  options_.batch_size = 8;
  options_.queue_capacity = 16;
  auto store = CreateStore();
  ASSERT_OK(store->Begin());
  for (int i = 0; i < 100; ++i) ASSERT_OK(store->Write("L" + std::to_string(i), Payload(64, i)));
  ASSERT_OK(store->Commit());
  ASSERT_OK(store->Close());
  store = OpenStore();
  EXPECT_EQ(Names(*store, "L").size(), 100u);
  EXPECT_TRUE(store->Verify()->ok());
}

}  // namespace
}  // namespace memh::engine::testing
