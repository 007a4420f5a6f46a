// Crashes at random moments: the store reopens, verifies, and holds the state of a
// commit no older than the last one acknowledged (nothing acknowledged is lost,
// nothing half-written is visible).
// - SIGKILL: a forked child runs a seeded workload and reports each acknowledged
//   commit through a pipe (the kernel keeps what the child wrote before it died);
//   the parent kills it after a random number of acknowledgements plus a random delay.
// - Power cut: FaultEnv stops the machine at the n-th sync, for every n the
//   workload reaches, keeping, dropping or garbling each unsynced write.
// Both print their counts ("reliability (<knobs>): ..."). The default run tries
// kSigkillRuns + at least kPowerCutStates states per variant (500 + 2,231: 5,462 over
// baseline and optimized; about 8 s per variant in release, 35 s under ThreadSanitizer,
// on 2 cores); MEMH_LONG=1 runs kLongFactor (20) times as many (10,000 + 44,008: about
// 140 s per variant in release).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

#include "engine/crash_workload.h"
#include "engine/fault_env.h"
#include "engine/test_util.h"

namespace memh::engine::testing {
namespace {

using ReliabilityCrashTest = StoreTest;

constexpr std::uint32_t kDoneMarker = 0xFFFFFFFFu;

// States tried per variant in the default run, and the long mode's multiplier.
constexpr int kSigkillRuns = 500;
constexpr std::uint64_t kPowerCutStates = 2500;  // whole workloads: the last one may run past it (2200 before registry deltas, whose commits write less: as many unsynced writes now need more states)
constexpr int kLongFactor = 20;
int StateFactor() { return LongMode() ? kLongFactor : 1; }

// The child's side: runs the workload and reports on `ack_fd`; never returns.
[[noreturn]] void RunChild(const std::string& path, const Workload& w, int ack_fd) {
  ManualClock clock(1'700'000'000'000);
  auto report = [&](std::uint32_t word) {
    if (::write(ack_fd, &word, sizeof(word)) != sizeof(word)) ::_exit(3);
  };
  Result<std::unique_ptr<Store>> store = Store::Open(path, CrashOptions(&clock, nullptr));
  if (!store.ok()) ::_exit(2);
  RunOutcome outcome = RunWorkload(**store, w, [&](std::size_t i) { report(static_cast<std::uint32_t>(i)); });
  if (outcome.stopped_at != w.ops.size()) {
    std::fprintf(stderr, "child: op %zu failed: %s\n", outcome.stopped_at, outcome.status.ToString().c_str());
    ::_exit(2);
  }
  if (!(*store)->Close().ok()) ::_exit(2);
  report(kDoneMarker);
  ::_exit(0);
}

TEST_F(ReliabilityCrashTest, SigkillAtRandomMoments) {
  // tmpfs when there is one: fsync is then free, and a killed process loses nothing
  // the kernel has, on tmpfs or on disk alike.
  std::string dir = dir_;
  if (std::filesystem::is_directory("/dev/shm")) {
    std::string pattern = "/dev/shm/memh-crash-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) dir = pattern;
  }
  const int runs = kSigkillRuns * StateFactor();
  std::mt19937_64 rng(20261125);
  int killed_mid_workload = 0, finished = 0, failures = 0;
  for (int run = 0; run < runs; ++run) {
    const std::uint64_t seed = 1000 + static_cast<std::uint64_t>(run);
    const Workload w = MakeWorkload(seed, 80);
    const std::string path = dir + "/crash.mhs";
    std::filesystem::remove(path);
    ASSERT_OK((*Store::Create(path, CrashOptions(&clock_, nullptr)))->Close());

    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      RunChild(path, w, fds[1]);
    }
    ::close(fds[1]);
    // Kill after a random number of acknowledgements (0 = during open or the first
    // ops) and a random delay of up to 0.4 ms on top (a whole workload takes a few ms).
    int acks_total = 0;
    for (const WorkOp& op : w.ops) acks_total += op.Acknowledges() ? 1 : 0;
    const int wait_for = static_cast<int>(rng() % static_cast<unsigned>(acks_total + 1));
    std::vector<std::uint32_t> acks;
    std::uint32_t word = 0;
    while (static_cast<int>(acks.size()) < wait_for && ::read(fds[0], &word, sizeof(word)) == sizeof(word)) {
      acks.push_back(word);
    }
    ::usleep(static_cast<useconds_t>(rng() % 400));
    ::kill(pid, SIGKILL);
    int wait_status = 0;
    ASSERT_EQ(::waitpid(pid, &wait_status, 0), pid);
    while (::read(fds[0], &word, sizeof(word)) == sizeof(word)) acks.push_back(word);
    ::close(fds[0]);
    const bool done = !acks.empty() && acks.back() == kDoneMarker;
    if (WIFEXITED(wait_status)) {
      ASSERT_EQ(WEXITSTATUS(wait_status), 0) << "child failed on its own, seed " << seed;
      ASSERT_TRUE(done);
    } else {
      ASSERT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGKILL);
    }
    done ? ++finished : ++killed_mid_workload;

    std::size_t lo = 0;
    if (done) {
      lo = w.final_state();  // Close() returned: everything is durable
    } else if (!acks.empty()) {
      lo = w.state_after[acks.back()];
    }
    const std::string error = CheckRecovered(path, w, lo, w.final_state());
    if (!error.empty()) ++failures;
    EXPECT_EQ(error, "") << "seed " << seed << ", killed after " << acks.size() << " acknowledgements";
  }
  if (dir != dir_) std::filesystem::remove_all(dir);
  ReportCounts("sigkill crash states tried: %d (killed mid-workload: %d, finished first: %d), failures: %d\n",
               runs, killed_mid_workload, finished, failures);
  EXPECT_GT(killed_mid_workload, runs / 4);  // the kills really land inside workloads
}

// One workload run against a FaultEnv whose power goes off at sync `cut_at` (0: never).
// Returns "" when the reopened store holds an allowed state.
struct PowerCutRun {
  std::uint64_t syncs = 0;  // syncs the run made (up to and including the cut)
  bool cut = false;
  FaultEnv::CutCounts counts;
  std::string error;
};

PowerCutRun RunWithPowerCut(const std::string& path, const Workload& w, std::uint64_t cut_at, std::uint64_t seed,
                            ManualClock& clock) {
  PowerCutRun run;
  FaultEnv env;
  std::filesystem::remove(path);
  const StoreOptions options = CrashOptions(&clock, &env);
  {
    Result<std::unique_ptr<Store>> created = Store::Create(path, options);
    if (!created.ok() || !(*created)->Close().ok()) {
      run.error = "create failed";
      return run;
    }
  }
  if (cut_at > 0) env.CutPowerAtSync(cut_at, seed); else env.FailNth(FaultOp::kSync, 0);
  std::size_t lo = 0;
  std::size_t hi = w.final_state();
  {
    Result<std::unique_ptr<Store>> store = Store::Open(path, options);
    if (!store.ok()) {
      run.error = "open failed: " + store.status().ToString();
      return run;
    }
    RunOutcome outcome = RunWorkload(**store, w, [&](std::size_t i) { lo = w.state_after[i]; });
    Status closed = (*store)->Close();
    if (outcome.stopped_at < w.ops.size()) {
      hi = w.state_after[outcome.stopped_at];  // the failed op may have taken effect
    } else if (closed.ok()) {
      lo = hi;  // Close() returned ok: everything is durable
    }
  }
  run.syncs = env.Count(FaultOp::kSync);
  run.cut = env.PowerIsOff();
  run.counts = env.cut_counts();
  run.error = CheckRecovered(path, w, lo, hi);
  return run;
}

TEST_F(ReliabilityCrashTest, PowerCutAtEverySync) {
  const std::uint64_t target = kPowerCutStates * static_cast<std::uint64_t>(StateFactor());
  std::uint64_t tried = 0, failures = 0;
  FaultEnv::CutCounts totals;
  for (std::uint64_t seed = 1; tried < target; ++seed) {
    const Workload w = MakeWorkload(seed, 40);
    const std::string path = PathOf("power.mhs");
    // A run without a cut says how many syncs there are to cut at.
    PowerCutRun clean = RunWithPowerCut(path, w, 0, seed, clock_);
    ASSERT_EQ(clean.error, "") << "seed " << seed << " without a power cut";
    ASSERT_GT(clean.syncs, 0u);
    for (std::uint64_t cut_at = 1; cut_at <= clean.syncs; ++cut_at) {
      PowerCutRun run = RunWithPowerCut(path, w, cut_at, seed * 1000 + cut_at, clock_);
      ++tried;
      ASSERT_TRUE(run.cut) << "seed " << seed << ": the run made fewer than " << cut_at << " syncs";
      totals.kept += run.counts.kept;
      totals.dropped += run.counts.dropped;
      totals.garbled += run.counts.garbled;
      if (!run.error.empty()) ++failures;
      EXPECT_EQ(run.error, "") << "seed " << seed << ", power cut at sync " << cut_at;
    }
  }
  ReportCounts("power-cut states tried: %llu (unsynced writes kept %llu, dropped %llu, garbled %llu), "
               "failures: %llu\n",
               static_cast<unsigned long long>(tried), static_cast<unsigned long long>(totals.kept),
               static_cast<unsigned long long>(totals.dropped), static_cast<unsigned long long>(totals.garbled),
               static_cast<unsigned long long>(failures));
  EXPECT_GT(totals.dropped + totals.garbled, 0u);
}

}  // namespace
}  // namespace memh::engine::testing
