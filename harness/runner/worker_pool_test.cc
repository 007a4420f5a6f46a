// WorkerPool against its contract (worker_pool.h): threads made once, when the pool is
// made; Run(threads, task) calls task(i) once for each i < threads, i = 0 on the caller
// and each other i on its own worker, all at the same time, and returns only when every
// one has returned; handing a task over allocates nothing; the destructor ends the
// workers. Waits are bounded: a test that would hang fails (and ends the process)
// after a minute instead, never on timing otherwise.
#include "runner/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <dirent.h>
#include <future>
#include <set>
#include <thread>
#include <vector>

#include "alloc/meter.h"

namespace memh::harness {
namespace {

constexpr auto kHang = std::chrono::seconds(60);

// Spins until `done()` holds; false when it still does not after kHang.
template <typename Pred>
bool WaitFor(Pred done) {
  const auto give_up = std::chrono::steady_clock::now() + kHang;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::yield();
  }
  return true;
}

// Runs `body` on its own thread; a body that does not finish within kHang is a hang,
// which no test may turn into a stuck ctest: report it and end the process.
template <typename Body>
void Bounded(Body body) {
  std::packaged_task<void()> job(body);
  std::future<void> finished = job.get_future();
  std::thread runner(std::move(job));
  if (finished.wait_for(kHang) != std::future_status::ready) {
    std::fprintf(stderr, "worker_pool_test: hung for %lld s\n", static_cast<long long>(kHang.count()));
    std::_Exit(3);
  }
  runner.join();
  finished.get();
}

int ThreadsOfThisProcess() {
  int n = 0;
  if (DIR* dir = opendir("/proc/self/task")) {
    while (dirent* entry = readdir(dir)) n += entry->d_name[0] != '.';
    closedir(dir);
  }
  return n;
}

TEST(WorkerPool, MakesItsThreadsWhenMade) {
  const int before = ThreadsOfThisProcess();
  {
    WorkerPool pool(3);
    EXPECT_EQ(ThreadsOfThisProcess(), before + 3);
  }
  // Joined threads may take a moment to leave /proc; none may be left for good.
  EXPECT_TRUE(WaitFor([&] { return ThreadsOfThisProcess() == before; }));
  WorkerPool none(0);
  EXPECT_EQ(ThreadsOfThisProcess(), before);  // a pool of no workers makes no thread
}

TEST(WorkerPool, EachIndexRunsOnceOnItsOwnPremadeThread) {
  Bounded([] {
    WorkerPool pool(3);
    std::thread::id first[4], second[4];
    std::atomic<int> calls[4] = {};
    std::thread::id* where = first;
    auto task = [&](std::uint32_t i) {
      where[i] = std::this_thread::get_id();
      calls[i].fetch_add(1);
    };
    const int threads_before = ThreadsOfThisProcess();
    pool.Run(4, task);
    where = second;
    pool.Run(4, task);
    EXPECT_EQ(ThreadsOfThisProcess(), threads_before);  // no thread made per Run
    EXPECT_EQ(first[0], std::this_thread::get_id());  // index 0 is the caller
    std::set<std::thread::id> distinct(first, first + 4);
    EXPECT_EQ(distinct.size(), 4u);
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(calls[i].load(), 2) << i;
      EXPECT_EQ(first[i], second[i]) << i;  // worker i is the same thread every time
    }
  });
}

TEST(WorkerPool, OnlyTheFirstThreadsIndicesTakePart) {
  Bounded([] {
    WorkerPool pool(3);
    std::atomic<int> calls[4] = {};
    auto task = [&](std::uint32_t i) { calls[i].fetch_add(1); };
    pool.Run(1, task);  // the caller alone
    EXPECT_EQ(calls[0].load(), 1);
    EXPECT_EQ(calls[1].load() + calls[2].load() + calls[3].load(), 0);
    pool.Run(2, task);
    EXPECT_EQ(calls[0].load(), 2);
    EXPECT_EQ(calls[1].load(), 1);
    EXPECT_EQ(calls[2].load() + calls[3].load(), 0);
    pool.Run(3, task);
    EXPECT_EQ(calls[2].load(), 1);
    EXPECT_EQ(calls[3].load(), 0);
  });
}

TEST(WorkerPool, AllIndicesRunAtTheSameTime) {
  // Every task waits until all of them have started: only possible when each runs on
  // its own thread at once (run one after another, the first would wait forever).
  Bounded([] {
    WorkerPool pool(3);
    std::atomic<int> started{0};
    std::atomic<int> met{0};
    auto task = [&](std::uint32_t) {
      started.fetch_add(1);
      if (WaitFor([&] { return started.load() == 4; })) met.fetch_add(1);
    };
    pool.Run(4, task);
    EXPECT_EQ(met.load(), 4);
  });
}

TEST(WorkerPool, RunReturnsOnlyWhenEveryTaskHasReturned) {
  // The caller's own part ends first (the workers wait for it to end), so a Run that
  // returned when the caller's part did would find the workers' work undone.
  Bounded([] {
    WorkerPool pool(3);
    for (int round = 0; round < 200; ++round) {
      std::atomic<bool> caller_done{false};
      std::atomic<int> started{0};
      int done[4] = {0, 0, 0, 0};  // plain ints: Run's return must make them visible
      auto task = [&](std::uint32_t i) {
        started.fetch_add(1);
        if (i == 0) {
          ASSERT_TRUE(WaitFor([&] { return started.load() == 4; }));
          done[0] = 1;
          caller_done.store(true);
          return;
        }
        ASSERT_TRUE(WaitFor([&] { return caller_done.load(); }));
        volatile std::uint64_t sink = 0;
        for (int k = 0; k < 2000; ++k) sink = sink + k;
        done[i] = 1;
      };
      pool.Run(4, task);
      ASSERT_EQ(done[0] + done[1] + done[2] + done[3], 4) << "round " << round;
    }
  });
}

TEST(WorkerPool, ManyRunsOfChangingSizesEachIndexExactlyOncePerRun) {
  Bounded([] {
    WorkerPool pool(3);
    std::atomic<int> calls[4] = {};
    int expected[4] = {0, 0, 0, 0};
    auto task = [&](std::uint32_t i) { calls[i].fetch_add(1); };
    for (int round = 0; round < 3000; ++round) {
      const std::uint32_t threads = 1 + (round * 7 + round / 3) % 4;
      pool.Run(threads, task);
      for (std::uint32_t i = 0; i < threads; ++i) ++expected[i];
      // Exact after every Run: a worker that ran twice, late, or not at all shows here.
      for (int i = 0; i < 4; ++i) ASSERT_EQ(calls[i].load(), expected[i]) << "round " << round << " index " << i;
    }
  });
}

TEST(WorkerPool, HandingOverATaskAllocatesNothing) {
  Bounded([] {
    WorkerPool pool(2);
    std::atomic<std::uint64_t> sum{0};
    auto task = [&](std::uint32_t i) { sum.fetch_add(i + 1); };
    pool.Run(3, task);  // the workers' first wait is behind them
    const alloc::Counters before = alloc::Process();
    for (int round = 0; round < 100; ++round) pool.Run(1 + round % 3, task);
    const alloc::Counters d = alloc::Process() - before;
    EXPECT_EQ(d.calls, 0u);
    EXPECT_EQ(d.bytes, 0u);
    EXPECT_EQ(d.frees, 0u);
    EXPECT_GT(sum.load(), 0u);
  });
}

TEST(WorkerPool, DestroyingEndsIdleWorkersAndWorkersThatRan) {
  Bounded([] {
    const int before = ThreadsOfThisProcess();
    for (int round = 0; round < 20; ++round) {
      WorkerPool pool(2);
      std::atomic<int> calls{0};
      auto task = [&](std::uint32_t) { calls.fetch_add(1); };
      if (round % 2 == 0) pool.Run(3, task);  // half the pools never ran anything
      EXPECT_EQ(calls.load(), round % 2 == 0 ? 3 : 0);
    }  // each destructor returns: every worker ended (a stuck one would hang here)
    // Joined threads may take a moment to leave /proc; none may be left for good.
    EXPECT_TRUE(WaitFor([&] { return ThreadsOfThisProcess() == before; }));
  });
}

}  // namespace
}  // namespace memh::harness
