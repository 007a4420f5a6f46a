// Allocation failures, through the meter's per-thread injection (harness/alloc): for
// each engine operation, its 1st, 2nd, ... allocation fails, once and then
// persistently, until the operation runs with no failure injected. Each time the
// operation returns ok or kOutOfMemory (nothing throws, nothing aborts), nothing
// leaks (the meter's live bytes and the open file descriptors are back where they
// were once the store is closed), and the reopened store verifies and holds exactly
// the old or the new state. The background writer is never failed (injection is
// per thread). Prints the number of failure points injected.
#include <openssl/err.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>

#include "alloc/meter.h"
#include "engine/test_util.h"

namespace memh::engine::testing {
namespace {

namespace alloc = memh::harness::alloc;
using Contents = std::map<std::string, std::vector<std::uint8_t>>;

std::size_t OpenFileDescriptors() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

// One operation under test. `setup` and `after` run without injection, before and
// after `op`; `old_state` and `new_state` are what a reopened store may hold when
// `op` failed or succeeded (from the base contents).
struct Case {
  std::string name;
  std::function<void(Store&)> setup;
  std::function<Status(Store&)> op;
  std::function<void(Store&)> after;
  std::function<void(Contents&)> old_state;
  std::function<void(Contents&)> new_state;
  bool allocates = true;  // false: the sweep only confirms the op allocates nothing
};

class ReliabilityAllocFailureTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    options_.page_size = 512;
    options_.growth_min_pages = 4;
    options_.batch_size = 4;
    options_.queue_capacity = 8;
    options_.write_buffer_bytes = 64 << 10;
    base_ = {{"a", Payload(900, 1)}, {"b", Payload(40, 2)}, {"c", Payload(3000, 3)}, {"e", {}}};
    auto store = CreateStore("base.mhs");
    ASSERT_NE(store, nullptr);
    for (const auto& [name, bytes] : base_) ASSERT_OK(store->Write(name, bytes));
    ASSERT_OK(store->Flush());
    ASSERT_OK(store->Remove("c"));  // a hole for the vacuums to close
    ASSERT_OK(store->Write("c", Payload(3000, 3)));
    auto stats = store->Stats();
    ASSERT_TRUE(stats.ok());
    // Staged writes make every queue entry when the store opens and stage payloads in
    // the write buffer: queueing a change then allocates nothing at all.
    queueing_allocates_ = stats->writes_strategy != "staged";
    ASSERT_OK(store->Close());
    base_file_ = ReadFileBytes(PathOf("base.mhs"));
  }

  // Reopens `path` without injection: Verify passes and it holds `expected`.
  ::testing::AssertionResult Holds(const std::string& path, const Contents& expected) {
    auto store = Store::Open(path, options_);
    if (!store.ok()) return ::testing::AssertionFailure() << "reopen: " << store.status().ToString();
    auto report = (*store)->Verify();
    if (!report.ok() || !report->ok()) return ::testing::AssertionFailure() << "verify failed";
    auto names = (*store)->List();
    if (!names.ok() || names->size() != expected.size()) return ::testing::AssertionFailure() << "wrong names";
    for (const auto& [name, bytes] : expected) {
      auto read = (*store)->Read(name);
      if (!read.ok() || *read != bytes) return ::testing::AssertionFailure() << "block " << name;
    }
    if (!(*store)->Close().ok()) return ::testing::AssertionFailure() << "close";
    return ::testing::AssertionSuccess();
  }

  // Runs `c` with its n-th allocation failing, for n = 1, 2, ... until it runs
  // without a failure. Returns the failure points injected.
  std::uint64_t Sweep(const Case& c, bool persistent) {
    Contents old_state = base_, new_state = base_;
    if (c.old_state) c.old_state(old_state);
    if (c.new_state) c.new_state(new_state);
    const std::string path = PathOf("s.mhs");
    std::uint64_t injected = 0;
    for (std::uint64_t n = 0;; ++n) {  // n = 0: a warm-up run, without injection
      WriteFileBytes(path, base_file_);
      // OpenSSL keeps a per-thread error queue that a failed allocation inside it
      // appends to; it is OpenSSL's, not the engine's, so it is emptied around the
      // measurement (the first call also creates it, outside the measurement).
      ERR_clear_error();
      const std::size_t fds_before = OpenFileDescriptors();
      const std::uint64_t live_before = alloc::LiveBytes();
      bool fired = false, succeeded = false;
      {
        auto opened = Store::Open(path, options_);
        if (!opened.ok()) {
          ADD_FAILURE() << c.name << ": open: " << opened.status().ToString();
          return injected;
        }
        std::unique_ptr<Store> store = std::move(*opened);
        if (c.setup) c.setup(*store);
        if (n > 0) alloc::FailAllocation(n, persistent);
        Status status = c.op(*store);
        fired = n > 0 && alloc::AttemptsSinceArmed() >= n;
        alloc::StopFailing();
        succeeded = status.ok();
        if (!fired) {
          EXPECT_TRUE(status.ok()) << c.name << " without injection: " << status.ToString();
        } else {
          EXPECT_TRUE(status.ok() || status.code() == Code::kOutOfMemory)
              << c.name << ", allocation " << n << (persistent ? " on" : "") << ": " << status.ToString();
        }
        if (c.after) c.after(*store);
        Status closed = store->Close();
        EXPECT_TRUE(closed.ok()) << c.name << ", allocation " << n << ": close: " << closed.ToString();
      }
      ERR_clear_error();
      if (n > 0) {
        EXPECT_EQ(alloc::LiveBytes(), live_before) << c.name << ", allocation " << n << ": leaked";
        EXPECT_EQ(OpenFileDescriptors(), fds_before) << c.name << ", allocation " << n << ": file descriptor leaked";
      }
      const Contents& expected = succeeded ? new_state : old_state;
      EXPECT_TRUE(Holds(path, expected)) << c.name << ", allocation " << n << (succeeded ? " (succeeded)" : " (failed)");
      if (n > 0 && !fired) return injected;
      if (fired) ++injected;
      if (::testing::Test::HasFatalFailure() || FailedAssertions() > 20) return injected;
    }
  }

  std::vector<Case> Cases() {
    auto write = [](std::string name, std::vector<std::uint8_t> bytes) {
      return [name, bytes](Store& s) { return s.Write(name, bytes); };
    };
    auto put = [](std::string name, std::vector<std::uint8_t> bytes) {
      return [name, bytes](Contents& c) { c[name] = bytes; };
    };
    auto must = [](Status status) { ASSERT_TRUE(status.ok()) << status.ToString(); };
    auto read_only = [](std::function<Status(Store&)> op) { return Case{"", nullptr, std::move(op), nullptr, nullptr, nullptr}; };
    std::vector<Case> cases;
    cases.push_back({"write new", nullptr, write("new", Payload(700, 7)), nullptr, nullptr, put("new", Payload(700, 7)),
                     queueing_allocates_});
    cases.push_back({"write replace", nullptr, write("a", Payload(2000, 8)), nullptr, nullptr,
                     put("a", Payload(2000, 8)), queueing_allocates_});
    cases.push_back({"write filling a batch",
                     [&](Store& s) {
                       for (int i = 0; i < 3; ++i) must(s.Write("f" + std::to_string(i), Payload(100, 20 + i)));
                     },
                     write("f3", Payload(100, 23)), nullptr,
                     [](Contents& c) { for (int i = 0; i < 3; ++i) c["f" + std::to_string(i)] = Payload(100, 20 + i); },
                     [](Contents& c) { for (int i = 0; i < 4; ++i) c["f" + std::to_string(i)] = Payload(100, 20 + i); }});
    cases.push_back({"remove", nullptr, [](Store& s) { return s.Remove("b"); }, nullptr, nullptr,
                     [](Contents& c) { c.erase("b"); }, queueing_allocates_});
    Case read = read_only([this](Store& s) -> Status {
      MEMH_ASSIGN_OR_RETURN(std::vector<std::uint8_t> bytes, s.Read("c"));
      return bytes == base_.at("c") ? Status::Ok() : Status::Corruption("c", "wrong bytes");
    });
    read.name = "read";
    cases.push_back(read);
    Case read_pending = read;
    read_pending.name = "read pending";
    read_pending.setup = [](Store& s) { ASSERT_TRUE(s.Write("c", Payload(3000, 3)).ok()); };
    cases.push_back(read_pending);
    Case read_into = read_only([this](Store& s) -> Status {
      MEMH_ASSIGN_OR_RETURN(std::uint64_t length, s.ReadInto("a", read_into_buffer_));  // allocated outside
      const std::vector<std::uint8_t>& expected = base_.at("a");
      bool same = length == expected.size() && std::equal(expected.begin(), expected.end(), read_into_buffer_.begin());
      return same ? Status::Ok() : Status::Corruption("a", "wrong bytes");
    });
    read_into.name = "read_into";
    cases.push_back(read_into);
    Case lookups = read_only([](Store& s) -> Status {
      MEMH_RETURN_IF_ERROR(s.Exists("a").status());
      MEMH_RETURN_IF_ERROR(s.Metadata("b").status());
      MEMH_RETURN_IF_ERROR(s.List().status());
      return s.Stats().status();
    });
    lookups.name = "exists, metadata, list, stats";
    cases.push_back(lookups);
    Case verify = read_only([](Store& s) -> Status {
      MEMH_ASSIGN_OR_RETURN(VerifyReport report, s.Verify());
      return report.ok() ? Status::Ok() : Status::Corruption("verify", report.problems.front());
    });
    verify.name = "verify";
    cases.push_back(verify);
    cases.push_back({"flush", [&](Store& s) { must(s.Write("p", Payload(600, 30))); must(s.Remove("a")); },
                     [](Store& s) { return s.Flush(); }, nullptr,
                     [](Contents& c) { c["p"] = Payload(600, 30); c.erase("a"); },
                     [](Contents& c) { c["p"] = Payload(600, 30); c.erase("a"); }});
    cases.push_back({"begin", nullptr, [](Store& s) { return s.Begin(); }, nullptr, nullptr, nullptr});
    cases.push_back({"write in a transaction", [&](Store& s) { must(s.Begin()); }, write("t", Payload(500, 40)),
                     [&](Store& s) { must(s.Commit()); }, nullptr, put("t", Payload(500, 40)), queueing_allocates_});
    cases.push_back({"commit",
                     [&](Store& s) {
                       must(s.Write("q", Payload(100, 50)));  // queued before the transaction
                       must(s.Begin());
                       must(s.Write("t", Payload(500, 41)));
                       must(s.Remove("b"));
                     },
                     [](Store& s) { return s.Commit(); }, nullptr, put("q", Payload(100, 50)),
                     [](Contents& c) { c["q"] = Payload(100, 50); c["t"] = Payload(500, 41); c.erase("b"); }});
    cases.push_back({"rollback", [&](Store& s) { must(s.Begin()); must(s.Write("t", Payload(500, 42))); },
                     [](Store& s) { return s.Rollback(); }, nullptr, nullptr, nullptr, /*allocates=*/false});
    // With a write queued, so that the vacuum hands a batch to the writer (the
    // vacuum's own work runs on the writer thread, which is never failed).
    cases.push_back({"quick vacuum", [&](Store& s) { must(s.Write("v", Payload(700, 70))); },
                     [](Store& s) { return s.Vacuum(VacuumMode::kQuick).status(); }, nullptr, put("v", Payload(700, 70)),
                     put("v", Payload(700, 70))});
    cases.push_back({"full vacuum", [&](Store& s) { must(s.Write("v", Payload(700, 71))); },
                     [](Store& s) { return s.Vacuum(VacuumMode::kFull).status(); }, nullptr, put("v", Payload(700, 71)),
                     put("v", Payload(700, 71))});
    cases.push_back({"close", [&](Store& s) { must(s.Write("z", Payload(800, 60))); },
                     [](Store& s) { return s.Close(); }, nullptr, put("z", Payload(800, 60)),
                     put("z", Payload(800, 60))});
    return cases;
  }

  Contents base_;
  bool queueing_allocates_ = true;
  std::vector<std::uint8_t> base_file_;
  std::vector<std::uint8_t> read_into_buffer_ = std::vector<std::uint8_t>(4096);
};

TEST_F(ReliabilityAllocFailureTest, EveryAllocationOfEveryOperation) {
  std::uint64_t once = 0, persistent = 0;
  for (const Case& c : Cases()) {
    const std::uint64_t before = once + persistent;
    once += Sweep(c, /*persistent=*/false);
    persistent += Sweep(c, /*persistent=*/true);
    if (c.allocates) {
      EXPECT_GT(once + persistent, before) << c.name << " allocated nothing: the case tests nothing";
    } else {
      EXPECT_EQ(once + persistent, before) << c.name << " allocates now";
    }
    if (HasFatalFailure()) break;
  }
  ReportCounts("allocation failure points injected: %llu (once %llu, persistent %llu), failures: %d\n",
               static_cast<unsigned long long>(once + persistent), static_cast<unsigned long long>(once),
               static_cast<unsigned long long>(persistent), FailedAssertions());
}

// Open and create, which have no store before them: on failure nothing is left open
// or allocated, and the file is as it was (open) or absent (create).
TEST_F(ReliabilityAllocFailureTest, EveryAllocationOfOpenAndCreate) {
  std::uint64_t injected = 0;
  for (const bool creating : {false, true}) {
    for (const bool persistent : {false, true}) {
      for (std::uint64_t n = 0;; ++n) {  // n = 0: a warm-up run, without injection
        const std::string path = PathOf(creating ? "new.mhs" : "s.mhs");
        std::filesystem::remove(path);
        if (!creating) WriteFileBytes(path, base_file_);
        ERR_clear_error();
        const std::size_t fds_before = OpenFileDescriptors();
        const std::uint64_t live_before = alloc::LiveBytes();
        bool fired = false, succeeded = false;
        {
          if (n > 0) alloc::FailAllocation(n, persistent);
          auto store = creating ? Store::Create(path, options_) : Store::Open(path, options_);
          fired = n > 0 && alloc::AttemptsSinceArmed() >= n;
          alloc::StopFailing();
          succeeded = store.ok();
          const std::string context = std::string(creating ? "create" : "open") + ", allocation " +
                                      std::to_string(n) + (persistent ? " on" : "") + ": " + store.status().ToString();
          EXPECT_TRUE(store.ok() || (fired && store.status().code() == Code::kOutOfMemory)) << context;
          if (store.ok()) {
            EXPECT_TRUE((*store)->Close().ok()) << context;
          }
        }
        ERR_clear_error();
        const std::uint64_t live_after = alloc::LiveBytes();  // before the message below allocates
        const std::string context = std::string(creating ? "create" : "open") + ", allocation " + std::to_string(n);
        if (n > 0) {
          EXPECT_EQ(live_after, live_before) << context << ": leaked";
          EXPECT_EQ(OpenFileDescriptors(), fds_before) << context << ": file descriptor leaked";
        }
        if (creating && !succeeded) {
          EXPECT_FALSE(std::filesystem::exists(path)) << context << ": a failed create left a file";
        } else {
          EXPECT_TRUE(Holds(path, creating ? Contents{} : base_)) << context;
        }
        if (n > 0 && !fired) break;
        if (fired) ++injected;
        if (HasFatalFailure() || FailedAssertions() > 20) break;
      }
    }
  }
  ReportCounts("open/create allocation failure points injected: %llu, failures: %d\n",
               static_cast<unsigned long long>(injected), FailedAssertions());
}

}  // namespace
}  // namespace memh::engine::testing
