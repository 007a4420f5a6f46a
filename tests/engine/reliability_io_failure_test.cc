// I/O failures through FaultEnv: the n-th read, write, sync or file growth of an
// operation fails, for every n the operation reaches. The error comes back as a value
// naming the failed call; after a failed sync (or a failed background write) the
// store refuses changes until reopened; the last commit survives, and a reopened
// store verifies and holds exactly the old state or, where the operation could still
// complete, the new one. Prints the injection counts.
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>

#include "engine/fault_env.h"
#include "engine/test_util.h"

namespace memh::engine::testing {
namespace {

using Contents = std::map<std::string, std::vector<std::uint8_t>>;

class ReliabilityIoFailureTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    options_.page_size = 512;
    options_.growth_min_pages = 4;
    options_.write_buffer_bytes = 64 << 10;  // many opens: keep each cheap
    options_.sync = SyncPolicy::kCommit;
    options_.env = &env_;
    old_ = {{"a", Payload(900, 1)}, {"b", Payload(40, 2)}, {"c", Payload(3000, 3)}, {"e", {}}};
    changed_ = old_;
    changed_["a"] = Payload(5000, 4);  // replaced, larger: the file grows
    changed_.erase("b");
    // New and large, and allocated last: it fills the file's growth to the end, so
    // the commit's own extent (a registry delta) must grow the file again.
    changed_["d"] = Payload(100000, 5);
  }

  // A fresh store holding old_, committed and closed; FaultEnv counting from zero.
  void MakeOldStore() {
    env_.Disarm();
    std::filesystem::remove(PathOf("s.mhs"));
    auto store = CreateStore();
    ASSERT_NE(store, nullptr);
    for (const auto& [name, bytes] : old_) ASSERT_OK(store->Write(name, bytes));
    ASSERT_OK(store->Close());
  }
  // Queues the changes from old_ to changed_ (queued writes do no I/O yet).
  static Status QueueChanges(Store& store, const Contents& changed) {
    MEMH_RETURN_IF_ERROR(store.Remove("b"));
    MEMH_RETURN_IF_ERROR(store.Write("a", changed.at("a")));
    return store.Write("d", changed.at("d"));
  }

  // Reopens without faults: Verify passes and the store holds exactly `expected`.
  void ExpectStore(const Contents& expected, const std::string& context) {
    env_.Disarm();
    auto store = OpenStore();
    ASSERT_NE(store, nullptr) << context;
    auto report = store->Verify();
    ASSERT_TRUE(report.ok() && report->ok()) << context;
    EXPECT_EQ(Names(*store).size(), expected.size()) << context;
    for (const auto& [name, bytes] : expected) {
      auto read = store->Read(name);
      EXPECT_TRUE(read.ok() && *read == bytes) << context << ": block " << name << " " << read.status().ToString();
    }
    ASSERT_OK(store->Close());
  }
  Contents Which(bool changed) const { return changed ? changed_ : old_; }

  // After a failed flush whose error named `call`: either the store still takes
  // changes (the commit's own I/O failed) and a retried flush makes the new state
  // durable, or it refuses them until reopened, naming `call`, and the old state
  // survives (a batch was lost). Counts which in `retried` / `refused`.
  void ExpectRetriedOrRefused(std::unique_ptr<Store>& store, const std::string& call, const std::string& context,
                              std::uint64_t& retried, std::uint64_t& refused) {
    Status again = store->Write("x", Payload(10, 9));
    if (again.ok()) {
      ASSERT_OK(store->Remove("x"));
      ASSERT_OK(store->Flush());
      ASSERT_OK(store->Close());
      ExpectStore(changed_, context);
      ++retried;
    } else {
      EXPECT_EQ(again.code(), Code::kFailedPrecondition) << again.ToString();
      EXPECT_TRUE(Contains(again.message(), "refusing changes until reopened")) << again.ToString();
      EXPECT_TRUE(Contains(again.message(), call)) << again.ToString();
      EXPECT_FALSE(store->Close().ok());  // what was queued is lost, and Close says so
      store.reset();
      ExpectStore(old_, context);
      ++refused;
    }
  }

  FaultEnv env_;
  Contents old_, changed_;
};

// A failed write of a batch or of a commit: the error names pwrite; either the store
// refuses changes until reopened (a batch was lost) and holds the old state, or a
// retried flush completes the commit and the new state is durable.
TEST_F(ReliabilityIoFailureTest, EveryWriteOfAFlush) {
  std::uint64_t injected = 0, refused = 0, retried = 0;
  for (std::uint64_t n = 1;; ++n) {
    MakeOldStore();
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    env_.FailNth(FaultOp::kWrite, n);
    ASSERT_OK(QueueChanges(*store, changed_));
    Status flushed = store->Flush();
    if (!env_.Fired()) {
      ASSERT_OK(flushed);
      ASSERT_OK(store->Close());
      ExpectStore(changed_, "no failure");
      break;
    }
    ++injected;
    const std::string context = "write " + std::to_string(n) + ": " + flushed.ToString();
    ASSERT_FALSE(flushed.ok()) << context;
    EXPECT_EQ(flushed.code(), Code::kIOError) << context;
    EXPECT_TRUE(Contains(flushed.message(), PathOf("s.mhs") + ": pwrite: Input/output error")) << context;
    ExpectRetriedOrRefused(store, "pwrite", context, retried, refused);
  }
  ReportCounts("write failures injected: %llu (store refused changes after %llu, retried commit after "
               "%llu), failures: %d\n",
               static_cast<unsigned long long>(injected), static_cast<unsigned long long>(refused),
               static_cast<unsigned long long>(retried), FailedAssertions());
  EXPECT_GT(refused, 0u);
  EXPECT_GT(retried, 0u);
}

// A failed sync, with the writes it should have made durable lost: the store refuses
// every change until reopened, and the reopened store holds the last commit.
TEST_F(ReliabilityIoFailureTest, EverySyncOfEveryCommittingCall) {
  env_.set_lose_unsynced_on_failed_sync(true);
  using Op = std::function<Status(Store&)>;
  const std::vector<std::pair<std::string, Op>> ops = {
      {"flush", [&](Store& s) { MEMH_RETURN_IF_ERROR(QueueChanges(s, changed_)); return s.Flush(); }},
      {"commit", [&](Store& s) {
         MEMH_RETURN_IF_ERROR(s.Begin());
         MEMH_RETURN_IF_ERROR(QueueChanges(s, changed_));
         return s.Commit();
       }},
      {"quick vacuum", [&](Store& s) {
         MEMH_RETURN_IF_ERROR(QueueChanges(s, changed_));
         return s.Vacuum(VacuumMode::kQuick).status();
       }},
      {"close", [&](Store& s) { MEMH_RETURN_IF_ERROR(QueueChanges(s, changed_)); return s.Close(); }},
  };
  std::uint64_t injected = 0;
  for (const auto& [what, op] : ops) {
    for (std::uint64_t n = 1;; ++n) {
      MakeOldStore();
      auto store = OpenStore();
      ASSERT_NE(store, nullptr);
      env_.FailNth(FaultOp::kSync, n);
      Status status = op(*store);
      const std::string context = what + ", sync " + std::to_string(n) + ": " + status.ToString();
      if (!env_.Fired()) {
        ASSERT_OK(status);
        ASSERT_OK(store->Close());
        ExpectStore(changed_, context);
        break;
      }
      ++injected;
      ASSERT_FALSE(status.ok()) << context;
      EXPECT_EQ(status.code(), Code::kIOError) << context;
      EXPECT_TRUE(Contains(status.message(), PathOf("s.mhs") + ": fdatasync: Input/output error")) << context;
      if (what != "close") {
        Status refused = store->Write("x", Payload(10, 9));
        EXPECT_EQ(refused.code(), Code::kFailedPrecondition) << context << " then " << refused.ToString();
        EXPECT_TRUE(Contains(refused.message(), "refusing changes until reopened")) << refused.ToString();
        EXPECT_TRUE(Contains(refused.message(), "fdatasync")) << refused.ToString();
        EXPECT_EQ(store->Flush().code(), Code::kFailedPrecondition) << context;
        EXPECT_EQ(store->Begin().code(), Code::kFailedPrecondition) << context;
        EXPECT_EQ(store->Vacuum(VacuumMode::kQuick).status().code(), Code::kFailedPrecondition) << context;
        EXPECT_FALSE(store->Close().ok()) << context;
      }
      store.reset();
      // A commit makes three syncs (data; registry and map; header slot). The quick
      // vacuum commits the queued changes before it moves anything: a failure in its
      // later commits leaves those changes durable.
      ExpectStore(n <= 3 ? old_ : changed_, context);
    }
  }
  ReportCounts("sync failures injected: %llu, failures: %d\n", static_cast<unsigned long long>(injected),
               FailedAssertions());
}

// The file cannot grow (ENOSPC from ftruncate): kNoSpace naming the call; either the
// store refuses changes (a batch was lost) and the old state survives, or (the
// commit's own growth failed) a retried flush makes the new state durable.
TEST_F(ReliabilityIoFailureTest, EveryFileGrowth) {
  std::uint64_t injected = 0, refused = 0, retried = 0;
  for (std::uint64_t n = 1;; ++n) {
    MakeOldStore();
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    env_.FailNth(FaultOp::kTruncate, n);
    ASSERT_OK(QueueChanges(*store, changed_));
    Status flushed = store->Flush();
    const std::string context = "growth " + std::to_string(n) + ": " + flushed.ToString();
    if (!env_.Fired()) {
      ASSERT_OK(flushed);
      ASSERT_OK(store->Close());
      ExpectStore(changed_, context);
      break;
    }
    ++injected;
    EXPECT_EQ(flushed.code(), Code::kNoSpace) << context;
    EXPECT_TRUE(Contains(flushed.message(), "growing the file: " + PathOf("s.mhs") + ": ftruncate: No space left on device"))
        << context;
    ExpectRetriedOrRefused(store, "ftruncate", context, retried, refused);
  }
  ReportCounts("file growth failures injected: %llu (store refused changes after %llu, retried commit "
               "after %llu), failures: %d\n",
               static_cast<unsigned long long>(injected), static_cast<unsigned long long>(refused),
               static_cast<unsigned long long>(retried), FailedAssertions());
  EXPECT_GT(refused, 0u);
  EXPECT_GT(retried, 0u);
}

// Failed reads change nothing: the error names pread, and the same call succeeds
// once the fault is gone, with the right bytes.
TEST_F(ReliabilityIoFailureTest, EveryReadOfEveryReadingCall) {
  MakeOldStore();
  using Op = std::function<Status(Store*)>;  // null Store: the op opens its own
  auto read_all = [&](Store* s) -> Status {
    for (const auto& [name, bytes] : old_) {
      MEMH_ASSIGN_OR_RETURN(std::vector<std::uint8_t> read, s->Read(name));
      if (read != bytes) return Status::Corruption(name, "wrong bytes read");
    }
    return Status::Ok();
  };
  const std::vector<std::pair<std::string, Op>> ops = {
      {"open", [&](Store*) { return Store::Open(PathOf("s.mhs"), options_).status(); }},
      {"read", read_all},
      {"read_into", [&](Store* s) -> Status {
         std::vector<std::uint8_t> out(4096);
         for (const auto& [name, bytes] : old_) {
           MEMH_ASSIGN_OR_RETURN(std::uint64_t length, s->ReadInto(name, out));
           if (!std::equal(bytes.begin(), bytes.end(), out.begin()) || length != bytes.size()) {
             return Status::Corruption(name, "wrong bytes read");
           }
         }
         return Status::Ok();
       }},
      {"verify", [&](Store* s) -> Status {
         MEMH_ASSIGN_OR_RETURN(VerifyReport report, s->Verify());
         if (report.ok()) return Status::Ok();
         return Status::IOError("verify", report.problems.front());
       }},
      {"full vacuum", [&](Store* s) { return s->Vacuum(VacuumMode::kFull).status(); }},
  };
  std::uint64_t injected = 0;
  for (const auto& [what, op] : ops) {
    for (std::uint64_t n = 1;; ++n) {
      env_.Disarm();
      std::unique_ptr<Store> store;
      if (what != "open") {
        store = OpenStore();
        ASSERT_NE(store, nullptr);
      }
      env_.FailNth(FaultOp::kRead, n);
      Status status = op(store.get());
      const std::string context = what + ", read " + std::to_string(n) + ": " + status.ToString();
      if (!env_.Fired()) {
        ASSERT_OK(status);
        if (store) ASSERT_OK(store->Close());
        break;
      }
      ++injected;
      EXPECT_EQ(status.code(), Code::kIOError) << context;
      EXPECT_TRUE(Contains(status.message(), PathOf("s.mhs") + ": pread: Input/output error")) << context;
      env_.Disarm();
      if (store) {
        Status again = read_all(store.get());  // the store still works, with the right bytes
        EXPECT_TRUE(again.ok()) << context << " then " << again.ToString();
        ASSERT_OK(store->Close());
      }
      ExpectStore(old_, context);
    }
  }
  ReportCounts("read failures injected: %llu, failures: %d\n", static_cast<unsigned long long>(injected),
               FailedAssertions());
}

}  // namespace
}  // namespace memh::engine::testing
