// The scenario loader: every field read right, every mistake one line naming the
// file, the line and the key.
#include "runner/scenario.h"

#include <gtest/gtest.h>

#include <sstream>

namespace memh::harness {
namespace {

const char* kValid = R"(name = "good"
description = "a valid scenario"
seed = 7
target_bytes = 1_000
original_bytes = 2_000

[store]
page_size = 8192
batch_size = 50
queue_capacity = 100
sync = "commit"

[clock]
start_ms = 100
step_ms = 2

[[setup]]
op = "insert"
count = 10
payload = { min = 10, max = 20, distribution = "normal" }

[[measured]]
op = "mix"
count = 30
threads = 2
mix = { select = 3, update = 1 }
payload = 64
keys = { pattern = "zipfian", theta = 0.8 }

[[measured]]
op = "commit"
count = 2
txn_size = 5
txn_op = "insert"
payload = 32

[[measured]]
op = "vacuum"
count = 1
mode = "full"
)";

TEST(Scenario, ParsesEveryField) {
  auto parsed = ParseScenario(kValid, "dir/good.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const Scenario& s = *parsed;
  EXPECT_EQ(s.name, "good");
  EXPECT_EQ(s.seed, 7u);
  EXPECT_EQ(s.target_bytes, 1000u);
  EXPECT_EQ(s.original_bytes, 2000u);
  EXPECT_EQ(s.store.page_size, 8192u);
  EXPECT_EQ(s.store.batch_size, 50u);
  EXPECT_TRUE(s.store.sync);
  EXPECT_EQ(s.clock_start_ms, 100u);
  EXPECT_EQ(s.clock_step_ms, 2u);
  ASSERT_EQ(s.setup.size(), 1u);
  EXPECT_EQ(s.setup[0].payload->distribution, SizeDistribution::kNormal);
  EXPECT_EQ(s.setup[0].payload->max, 20u);
  ASSERT_EQ(s.measured.size(), 3u);
  EXPECT_EQ(s.measured[0].op, OpKind::kMix);
  EXPECT_EQ(s.measured[0].threads, 2u);
  ASSERT_EQ(s.measured[0].mix.size(), 2u);
  EXPECT_EQ(s.measured[0].keys.pattern, KeyPattern::kZipfian);
  EXPECT_DOUBLE_EQ(s.measured[0].keys.theta, 0.8);
  EXPECT_EQ(s.measured[0].line, 23);
  EXPECT_EQ(s.measured[1].txn_size, 5u);
  EXPECT_EQ(s.measured[1].txn_op, OpKind::kInsert);
  EXPECT_TRUE(s.measured[2].vacuum_full);
  EXPECT_EQ(s.MeasuredOps(), 33u);
}

// Replaces the first occurrence of `from` in the valid file.
std::string With(std::string_view from, std::string_view to) {
  std::string text = kValid;
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

struct BadCase {
  std::string text;
  std::string prefix;  // what the message must start with
  std::string part;    // and contain
};

TEST(Scenario, EveryMistakeIsOneLineNamingFileLineAndKey) {
  const std::vector<BadCase> cases = {
      {With("seed = 7", "seed = 7\ncolour = \"red\""), "dir/good.toml:4: colour: ", "unknown key"},
      {With("txn_op = \"insert\"", "txn_op = \"insert\"\nspeed = 1"), "dir/good.toml:", "measured[1].speed: unknown key"},
      {With("count = 10", "count = \"ten\""), "dir/good.toml:19: setup[0].count: ", "expected an integer, got a string"},
      {With("count = 10", "count = 1.5"), "dir/good.toml:19: setup[0].count: ", "got a float"},
      {With("count = 10", "count = -3"), "dir/good.toml:19: setup[0].count: ", "out of range"},
      {With("count = 10", "count = 0"), "dir/good.toml:19: setup[0].count: ", "out of range"},
      {With("op = \"insert\"", "op = \"updat\""), "dir/good.toml:18: setup[0].op: ", "unknown operation \"updat\""},
      {With("op = \"insert\"", "op = 5"), "dir/good.toml:18: setup[0].op: ", "expected a string"},
      {With("target_bytes = 1_000\n", ""), "dir/good.toml:1: target_bytes: ", "missing"},
      {With("name = \"good\"\n", ""), "dir/good.toml:1: name: ", "missing"},
      {With("name = \"good\"", "name = \"other\""), "dir/good.toml:1: name: ", "differs from the file name"},
      {With("min = 10, max = 20", "min = 30, max = 20"), "dir/good.toml:20: setup[0].payload.min: ", "larger than max"},
      {With("\"normal\"", "\"gaussian\""), "dir/good.toml:20: setup[0].payload.distribution: ", "unknown distribution"},
      {With("pattern = \"zipfian\"", "pattern = \"zipf\""), "dir/good.toml:28: measured[0].keys: ", "unknown key pattern"},
      {With("theta = 0.8", "theta = 11"), "dir/good.toml:28: measured[0].keys.theta: ", "must be in"},
      {With("threads = 2", "threads = 0"), "dir/good.toml:25: measured[0].threads: ", "out of range"},
      {With("select = 3", "flush = 3"), "dir/good.toml:26: measured[0].mix.flush: ", "not an operation a mix can hold"},
      {With("select = 3", "select = 0"), "dir/good.toml:26: measured[0].mix.select: ", "weight must be > 0"},
      {With("mode = \"full\"", "mode = \"full\"\npayload = 4"), "dir/good.toml:", "measured[2].payload: does not apply to op \"vacuum\""},
      {With("txn_size = 5\n", ""), "dir/good.toml:", "measured[1].txn_size: missing"},
      {With("sync = \"commit\"", "sync = \"always\""), "dir/good.toml:11: store.sync: ", "expected \"none\" or \"commit\""},
      {With("page_size = 8192", "page_size = 3000"), "dir/good.toml:8: store.page_size: ", "power of two"},
      {With("[[measured]]\nop = \"mix\"", "[[nothing]]\nop = \"mix\""), "dir/good.toml:", "nothing: unknown key"},
      {With("seed = 7", "seed = [7"), "dir/good.toml:4:1: TOML syntax: ", "expected comma"},
  };
  for (const BadCase& c : cases) {
    auto parsed = ParseScenario(c.text, "dir/good.toml");
    ASSERT_FALSE(parsed.ok()) << "accepted: " << c.part;
    const std::string message = parsed.status().message();
    EXPECT_EQ(parsed.status().code(), engine::Code::kInvalidArgument);
    EXPECT_EQ(message.rfind(c.prefix, 0), 0u) << message;
    EXPECT_NE(message.find(c.part), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

const char* kFiller = R"(name = "scale"
description = "filler, then rows"
seed = 1
target_bytes = 10

[[setup]]
op = "insert"
count = 100
payload = 16
filler = true

[[setup]]
op = "insert"
count = 10
payload = 700

[[measured]]
op = "select"
count = 5
)";

std::string FillerWith(const std::string& from, const std::string& to) {
  std::string text = kFiller;
  const std::size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(Scenario, FillerStepsComeFirstInSetupWithOneSizeAndOneThread) {
  auto parsed = ParseScenario(kFiller, "scale.toml");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->setup[0].filler);
  EXPECT_FALSE(parsed->setup[1].filler);
  EXPECT_EQ(parsed->FillerBlocks(), 100u);
  auto plain = ParseScenario(kValid, "dir/good.toml");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->FillerBlocks(), 0u);

  const std::vector<BadCase> cases = {
      {FillerWith("filler = true", "filler = 1"), "scale.toml:10: setup[0].filler: ", "expected true or false"},
      {FillerWith("payload = 16", "payload = { min = 1, max = 9 }"), "scale.toml:9: setup[0].payload: ",
       "one fixed size"},
      {FillerWith("count = 100", "count = 100\nthreads = 2"), "scale.toml:9: setup[0].threads: ", "one thread"},
      {FillerWith("count = 5\n", "count = 5\nfiller = true\n"), "scale.toml:", "measured[0].filler: does not apply"},
      {std::string(kFiller) + "\n[[measured]]\nop = \"insert\"\ncount = 1\npayload = 1\nfiller = true\n",
       "scale.toml:22: measured[1].filler: ", "only in [[setup]]"},
  };
  for (const BadCase& c : cases) {
    auto bad = ParseScenario(c.text, "scale.toml");
    ASSERT_FALSE(bad.ok()) << "accepted: " << c.text;
    const std::string message = bad.status().message();
    EXPECT_EQ(message.rfind(c.prefix, 0), 0u) << message;
    EXPECT_NE(message.find(c.part), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  // A filler step after another setup step.
  std::string late = kFiller;
  late.replace(late.find("payload = 16\nfiller = true"), 26, "payload = 16");
  late.replace(late.find("payload = 700"), 13, "payload = 700\nfiller = true");
  auto bad = ParseScenario(late, "scale.toml");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("setup[1].filler: filler steps must come before"), std::string::npos)
      << bad.status().message();
}

TEST(Scenario, MissingMeasuredAndMissingFile) {
  auto parsed = ParseScenario("name = \"m\"\ndescription = \"d\"\nseed = 1\ntarget_bytes = 5\n", "m.toml");
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("measured: missing"), std::string::npos);
  auto missing = LoadScenario("/nonexistent/x.toml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message().rfind("/nonexistent/x.toml: cannot read", 0), 0u);
}

// No line deleted and no value replaced by a wrong type may crash or throw: each
// result is a scenario or a one-line error naming the file.
TEST(Scenario, SweepOfDamagedFilesNeverCrashes) {
  std::vector<std::string> lines;
  std::istringstream in(kValid);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  int errors = 0;
  for (std::size_t drop = 0; drop < lines.size(); ++drop) {
    for (int variant = 0; variant < 3; ++variant) {
      std::string text;
      for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i != drop) {
          text += lines[i] + "\n";
        } else if (variant > 0) {
          auto eq = lines[i].find(" = ");
          if (eq == std::string::npos) continue;
          text += lines[i].substr(0, eq) + (variant == 1 ? " = \"text\"\n" : " = { a = 1 }\n");
        }
      }
      auto parsed = ParseScenario(text, "s/good.toml");
      if (!parsed.ok()) {
        ++errors;
        EXPECT_EQ(parsed.status().message().rfind("s/good.toml:", 0), 0u) << parsed.status().message();
        EXPECT_EQ(parsed.status().message().find('\n'), std::string::npos);
      }
    }
  }
  EXPECT_GT(errors, 40);
}

}  // namespace
}  // namespace memh::harness
