// The runner end to end, in process: a small scenario measured twice gives identical
// figures, one sample per operation, and a results document with the documented names.
#include "runner/runner.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "memh/engine/clock.h"
#include "runner/key_space.h"
#include "runner/results.h"
#include "runner/setup_cache.h"
#include "targets/target.h"

namespace memh::harness {
namespace {

const char* kSmall = R"(name = "small"
description = "inserts, updates, selects, a remove and a flush"
seed = 3
target_bytes = 10_000_000

[store]
batch_size = 16
queue_capacity = 48

[[setup]]
op = "insert"
count = 40
payload = 700

[[measured]]
op = "update"
count = 30
payload = { min = 100, max = 900, distribution = "uniform" }

[[measured]]
op = "select"
count = 20
keys = "sequential"

[[measured]]
op = "select_into"
count = 5

[[measured]]
op = "remove"
count = 3

[[measured]]
op = "insert"
count = 20
payload = 300

[[measured]]
op = "flush"
count = 1
)";

std::string WorkDir() { return std::filesystem::temp_directory_path().string(); }

TEST(Runner, RepeatsAreIdenticalAndEveryOperationIsSampled) {
  auto scenario = ParseScenario(kSmall, "small.toml");
  ASSERT_TRUE(scenario.ok()) << scenario.status().ToString();
  ASSERT_TRUE(WarmUpProcess(WorkDir()).ok());
  auto first = RunScenarioOnce(*scenario, WorkDir());
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = RunScenarioOnce(*scenario, WorkDir());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(CompareRuns(*first, *second).empty()) << CompareRuns(*first, *second).front();
  EXPECT_EQ(first->ops, 79u);
  EXPECT_EQ(first->samples.size(), 79u);
  EXPECT_EQ(first->samples_dropped, 0u);
  EXPECT_GT(first->all.bytes, 0u);
  EXPECT_GT(first->background.bytes, 0u);  // the writer applied batches and committed
  EXPECT_EQ(first->all.bytes, first->clients.bytes + first->background.bytes);
  std::uint64_t sampled = 0;
  for (const alloc::OpSample& s : first->samples) sampled += s.bytes;
  EXPECT_EQ(sampled, first->clients.bytes);  // every client byte belongs to an operation
  EXPECT_EQ(static_cast<OpKind>(first->samples[0].tag), OpKind::kUpdate);
  EXPECT_EQ(static_cast<OpKind>(first->samples[78].tag), OpKind::kFlush);
}

// Sites: exact sums (all, and per thread role), every site keyed by project code with
// the debug information of this build, keys free of addresses, and no other figure
// changed by capturing them.
TEST(Runner, SitesSumToTheTotalsAndChangeNothingElse) {
  auto scenario = ParseScenario(kSmall, "small.toml");
  ASSERT_TRUE(scenario.ok());
  ASSERT_TRUE(WarmUpProcess(WorkDir()).ok());
  SiteCapture capture(MEMH_SOURCE_DIR);
  auto with = RunScenarioOnce(*scenario, WorkDir(), "", nullptr, &capture);
  ASSERT_TRUE(with.ok()) << with.status().ToString();
  auto without = RunScenarioOnce(*scenario, WorkDir());
  ASSERT_TRUE(without.ok()) << without.status().ToString();
  EXPECT_TRUE(CompareRuns(*with, *without).empty()) << CompareRuns(*with, *without).front();
  ASSERT_TRUE(with->sites.captured);
  EXPECT_FALSE(without->sites.captured);
  const alloc::SiteCounts all = SumSites(with->sites);
  EXPECT_EQ(all.bytes, with->all.bytes);
  EXPECT_EQ(all.calls, with->all.calls);
  EXPECT_EQ(all.frees, with->all.frees);
  EXPECT_EQ(all.bytes_freed, with->all.bytes_freed);
  const alloc::SiteCounts client = SumSites(with->sites, alloc::ThreadRole::kClient);
  const alloc::SiteCounts background = SumSites(with->sites, alloc::ThreadRole::kBackground);
  EXPECT_EQ(client.bytes, with->clients.bytes);
  EXPECT_EQ(client.calls, with->clients.calls);
  EXPECT_EQ(background.bytes, with->background.bytes);
  EXPECT_EQ(background.calls, with->background.calls);
  EXPECT_TRUE(with->sites.debug_info);
  ASSERT_FALSE(with->sites.sites.empty());
  for (const Site& site : with->sites.sites) {
    EXPECT_EQ(site.key.find("0x"), std::string::npos) << site.key;
    if (site.key.front() != '(') {
      EXPECT_TRUE(site.named_by_source) << site.key;
    }
  }
  // The same code, measured again: the same keys, bytes and calls (CompareRuns checks).
  auto again = RunScenarioOnce(*scenario, WorkDir(), "", nullptr, &capture);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(CompareRuns(*with, *again).empty()) << CompareRuns(*with, *again).front();
}

TEST(Symbolizer, ShortFunctionNames) {
  EXPECT_EQ(ShortFunctionName("memh::engine::Store::Put(std::basic_string_view<char, std::char_traits<char> >, int) const"),
            "memh::engine::Store::Put");
  EXPECT_EQ(ShortFunctionName("void std::vector<int, std::allocator<int> >::_M_realloc_insert<int>(int&&)"),
            "std::vector<int, std::allocator<int> >::_M_realloc_insert<int>");
  EXPECT_EQ(ShortFunctionName("memh::X::Run()::{lambda(unsigned int)#1}::operator()(unsigned int) const"),
            "memh::X::Run()::{lambda(unsigned int)#1}::operator()");
  EXPECT_EQ(ShortFunctionName("(anonymous namespace)::Helper(int) [clone .cold]"), "(anonymous namespace)::Helper");
  EXPECT_EQ(ShortFunctionName("operator new(unsigned long)"), "operator new");
}

TEST(Runner, ResultsDocumentHasTheDocumentedNames) {
  auto scenario = ParseScenario(kSmall, "small.toml");
  ASSERT_TRUE(scenario.ok());
  auto run = RunScenarioOnce(*scenario, WorkDir());
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  ScenarioReport report;
  report.name = "small";
  report.target_bytes = scenario->target_bytes;
  report.AddRepeat(*run);
  RunMetadata metadata = CollectMetadata("test", ".");
  metadata.meter_check = alloc::CheckInAllocationPath();
  nlohmann::ordered_json doc = ToJson(metadata, {report});
  EXPECT_EQ(doc["schema_version"], 3);
  for (const char* key : {"git_commit", "git_branch", "git_dirty", "variant", "knobs", "compiler", "build_type",
                          "allocator", "cpu", "started_at", "meter"}) {
    EXPECT_TRUE(doc["run"].contains(key)) << key;
  }
  EXPECT_EQ(doc["run"]["meter"]["in_allocation_path"], true);
  EXPECT_EQ(doc["run"]["meter"]["header_bytes"], alloc::kHeaderBytes);
  EXPECT_EQ(doc["run"]["meter"]["check"]["malloc"]["bytes"], doc["run"]["meter"]["check"]["malloc"]["requested"]);
  for (const char* key : {"buffers", "writes", "locks"}) EXPECT_TRUE(doc["run"]["knobs"].contains(key)) << key;
  const nlohmann::ordered_json& s = doc["scenarios"][0];
  for (const char* key : {"name", "variant", "ops", "target_bytes", "met_target", "verdict", "totals", "range",
                          "per_op", "time_ns", "repeats_identical"}) {
    EXPECT_TRUE(s.contains(key)) << key;
  }
  for (const char* key : {"bytes", "calls", "frees", "bytes_freed", "peak_live_bytes", "net_bytes", "charged_bytes",
                          "background_bytes", "background_calls"}) {
    EXPECT_TRUE(s["totals"].contains(key)) << key;
    EXPECT_EQ(s["range"][key]["min"], s["totals"][key]) << key;  // one repeat: the range is its figure
    EXPECT_EQ(s["range"][key]["max"], s["totals"][key]) << key;
  }
  EXPECT_EQ(s.size(), 15u) << s.dump();  // no field the schema does not document
  EXPECT_EQ(s["totals"].size(), s["range"].size());
  for (const char* stat : {"min", "p50", "p90", "p99", "max", "mean"}) {
    EXPECT_TRUE(s["per_op"]["bytes"].contains(stat)) << stat;
    EXPECT_TRUE(s["per_op"]["calls"].contains(stat)) << stat;
  }
  EXPECT_EQ(s["totals"]["bytes"], run->all.bytes);
  EXPECT_EQ(s["met_target"], run->all.bytes <= scenario->target_bytes);
  std::ostringstream csv;
  WriteSamplesCsv(csv, "test", {report});
  std::string text = csv.str();
  EXPECT_EQ(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')), 1 + run->samples.size());
}

// Repeats: the first is kept, the others widen the ranges, and a difference makes a
// single-threaded scenario nondeterministic (a multi-threaded one keeps its verdict).
TEST(Runner, RepeatsWidenRangesAndDifferencesMakeASingleThreadedScenarioNondeterministic) {
  ScenarioRun a;
  a.max_threads = 1;
  a.all.bytes = 100;
  a.all.calls = 2;
  a.peak_live_bytes = 70;
  ScenarioRun same = a;
  same.peak_live_bytes = 80;  // the peak may move: not a difference
  ScenarioRun more = a;
  more.all.bytes = 140;
  ScenarioReport report;
  report.target_bytes = 120;
  report.AddRepeat(a);
  report.AddRepeat(same);
  EXPECT_TRUE(report.repeats_identical);
  EXPECT_EQ(report.Range("peak_live_bytes").min, 70);
  EXPECT_EQ(report.Range("peak_live_bytes").max, 80);
  EXPECT_EQ(report.verdict(), Verdict::kMet);
  report.AddRepeat(more);
  EXPECT_EQ(report.repeats, 3);
  EXPECT_FALSE(report.repeats_identical);
  ASSERT_EQ(report.differences.size(), 1u);
  EXPECT_EQ(report.differences[0], "run 3: bytes 100 vs 140");
  EXPECT_EQ(report.Range("bytes").min, 100);
  EXPECT_EQ(report.Range("bytes").max, 140);
  EXPECT_EQ(report.run.all.bytes, 100u);  // the first repeat is the one kept
  EXPECT_EQ(report.verdict(), Verdict::kNondeterministic);
  EXPECT_STREQ(VerdictName(report.verdict()), "nondeterministic");

  ScenarioReport threaded;
  threaded.target_bytes = 120;
  a.max_threads = more.max_threads = 2;
  threaded.AddRepeat(a);
  threaded.AddRepeat(more);
  EXPECT_FALSE(threaded.repeats_identical);
  EXPECT_EQ(threaded.verdict(), Verdict::kOver);  // held at its highest repeat, 140 > 120
  EXPECT_FALSE(threaded.met_target());
}

TEST(Runner, SummarizeUsesNearestRank) {
  Distribution d = Summarize({5, 1, 4, 2, 3, 10, 9, 8, 7, 6});
  EXPECT_EQ(d.min, 1u);
  EXPECT_EQ(d.p50, 5u);
  EXPECT_EQ(d.p90, 9u);
  EXPECT_EQ(d.p99, 10u);
  EXPECT_EQ(d.max, 10u);
  EXPECT_DOUBLE_EQ(d.mean, 5.5);
}

// Filler: 60 blocks in the store that no step picks. Ten removes take every row, so
// the select after them finds nothing to pick (the filler is not in the key space).
const char* kFiller = R"(name = "filler"
description = "filler, rows, removes of every row, then a select"
seed = 9
target_bytes = 10_000_000

[store]
batch_size = 16
queue_capacity = 48

[[setup]]
op = "insert"
count = 60
payload = 16
filler = true

[[setup]]
op = "insert"
count = 10
payload = 700

[[measured]]
op = "select"
count = 10

[[measured]]
op = "remove"
count = 10
)";

TEST(Runner, FillerBlocksAreInTheStoreButNeverPicked) {
  auto scenario = ParseScenario(kFiller, "filler.toml");
  ASSERT_TRUE(scenario.ok()) << scenario.status().ToString();
  ASSERT_TRUE(WarmUpProcess(WorkDir()).ok());
  // Named per process: the variants' copies of this test run side by side under ctest -j.
  const std::string kept = WorkDir() + "/memh-runner-test-filler-" + std::to_string(::getpid()) + ".mhs";
  // Built for this run alone, then twice from one cache (built, then copied): the
  // figures do not depend on where the filler store came from.
  auto alone = RunScenarioOnce(*scenario, WorkDir(), kept);
  ASSERT_TRUE(alone.ok()) << alone.status().ToString();
  SetupCache cache(WorkDir());
  auto built = RunScenarioOnce(*scenario, WorkDir(), "", &cache);
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  auto copied = RunScenarioOnce(*scenario, WorkDir(), "", &cache);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_TRUE(CompareRuns(*alone, *built).empty()) << CompareRuns(*alone, *built).front();
  EXPECT_TRUE(CompareRuns(*built, *copied).empty()) << CompareRuns(*built, *copied).front();

  // The filler (row 0..59) is in the store; the rows (60..69) were all removed.
  engine::ManualClock clock(1);
  auto store = OpenTarget(kept, StoreOptionsFor(scenario->store, &clock));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE(*(*store)->Exists(NameOf(0).view()));
  EXPECT_TRUE(*(*store)->Exists(NameOf(59).view()));
  EXPECT_FALSE(*(*store)->Exists(NameOf(60).view()));
  EXPECT_TRUE((*store)->Close().ok());
  std::filesystem::remove(kept);

  std::string more = std::string(kFiller) + "\n[[measured]]\nop = \"select\"\ncount = 1\n";
  auto emptied = ParseScenario(more, "filler.toml");
  ASSERT_TRUE(emptied.ok());
  auto run = RunScenarioOnce(*emptied, WorkDir(), "", &cache);
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("no blocks exist"), std::string::npos) << run.status().message();
}

TEST(Runner, AScenarioThatCannotRunSaysWhere) {
  auto scenario = ParseScenario(R"(name = "empty"
description = "updates with nothing to update"
seed = 1
target_bytes = 1
[[measured]]
op = "update"
count = 1
payload = 10
)", "empty.toml");
  ASSERT_TRUE(scenario.ok());
  auto run = RunScenarioOnce(*scenario, WorkDir());
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("empty.toml: step at line 6"), std::string::npos) << run.status().message();
  EXPECT_NE(run.status().message().find("no blocks exist"), std::string::npos);
}

}  // namespace
}  // namespace memh::harness
