// `budgets propose`: the rounding rule, and the line-by-line rewrite that keeps every
// comment, lower bound and uncovered entry, and round-trips through the gate.
#include "runner/budget_proposal.h"

#include <gtest/gtest.h>

#include <string>

namespace memh::harness {
namespace {

ResultsFile Results(const std::string& variant, const std::string& scenarios, const std::string& run_extra = "") {
  auto parsed = ParseResults(R"({"schema_version": 3, "run": {"variant": ")" + variant +
                                 R"(", "git_commit": "0123456789abcdef0123456789abcdef01234567")" + run_extra +
                                 R"(, "meter": {"in_allocation_path": true}}, "scenarios": [)" + scenarios + "]}",
                             "r.json");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return *parsed;
}

std::string Scenario(const std::string& name, std::uint64_t bytes, std::uint64_t calls, std::uint64_t peak_min,
                     std::uint64_t peak_max, const char* verdict = "met") {
  auto range = [](std::uint64_t lo, std::uint64_t hi) {
    return R"({"min": )" + std::to_string(lo) + R"(, "max": )" + std::to_string(hi) + "}";
  };
  return R"({"name": ")" + name + R"(", "verdict": ")" + verdict + R"(", "repeats": 2, "range": {"bytes": )" +
         range(bytes, bytes) + R"(, "calls": )" + range(calls, calls) + R"(, "peak_live_bytes": )" +
         range(peak_min, peak_max) + "}}";
}

TEST(BudgetProposal, TheFilesRuleReproducesCiBudgets) {
  // Figures and budgets from ci/budgets.toml: the default rule gives the same numbers.
  const ProposalOptions rule;
  EXPECT_EQ(ProposedBudget(4'852'696, "bytes", rule), 5'096'000u);
  EXPECT_EQ(ProposedBudget(7'041, "calls", rule), 7'400u);
  EXPECT_EQ(ProposedBudget(4'463'856, "peak_live_bytes", rule), 4'911'000u);
  EXPECT_EQ(ProposedBudget(487'152, "peak_live_bytes", rule), 535'870u);
  EXPECT_EQ(ProposedBudget(6'000, "calls", rule), 6'300u);  // exactly +5 %: no step up
  EXPECT_EQ(ProposedBudget(46'768, "bytes", rule), 50'000u);
  // Small counts: up to 10 would be loose (30 is 43 % above 21), so up to 1.
  EXPECT_EQ(ProposedBudget(21, "calls", rule), 23u);
  EXPECT_EQ(ProposedBudget(12, "calls", rule), 13u);
  EXPECT_EQ(ProposedBudget(1, "calls", rule), 2u);  // every budget above 1 is loose: the least
  EXPECT_EQ(ProposedBudget(3, "calls", rule), 4u);
  EXPECT_EQ(ProposedBudget(0, "peak_live_bytes", rule), 10u);  // a budget is never 0
  // A figure that moved between repeats: highest + 2 x spread when that is more
  // (mixed-concurrent.optimized's 20-repeat figures give its ci/budgets.toml budgets).
  EXPECT_EQ(ProposedBudget(15'472, "bytes", rule, 13'424), 19'570u);
  EXPECT_EQ(ProposedBudget(10'240, "peak_live_bytes", rule, 8'192), 14'340u);
  EXPECT_EQ(ProposedBudget(12, "calls", rule, 11), 14u);
  // mixed-concurrent.baseline: + 5 % is more than twice the spread; to 10 all the same.
  EXPECT_EQ(ProposedBudget(3'366'814, "bytes", rule, 3'306'936), 3'535'160u);
  EXPECT_EQ(ProposedBudget(7'403, "calls", rule, 7'273), 7'780u);
  EXPECT_EQ(ProposedBudget(522'840, "peak_live_bytes", rule, 492'640), 583'240u);
  const ProposalOptions flat{15.0};
  EXPECT_EQ(ProposedBudget(1'000, "bytes", flat), 1'150u);  // 2,000 would be loose
  EXPECT_EQ(ProposedBudget(100, "calls", flat), 120u);      // 115 up to 10: 20 %, not loose
}

constexpr const char* kFile =
    "# Header: why the budgets are what they are.\n"
    "\n"
    "[update-500.optimized]  # measured: 1 bytes, 1 calls, peak 1\n"
    "bytes = 50_000\n"
    "calls = 200   # a comment of its own\n"
    "bytes_min = 40_000\n"
    "\n"
    "# Not in the results: kept as it is.\n"
    "[insert-1000.baseline]\n"
    "bytes = 533_000\n";

TEST(BudgetProposal, RewritesOnlyTheCoveredNumbersAndKeepsComments) {
  auto out = ProposeBudgets(kFile, "b.toml", {Results("optimized", Scenario("update-500", 46'768, 181, 32'000, 32'320))},
                            {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out,
            "# Header: why the budgets are what they are.\n"
            "\n"
            "[update-500.optimized]  # measured: 46,768 bytes, 181 calls, peak 32,000..32,320 "
            "(commit 0123456789ab, 2 repeats)\n"
            "bytes = 50_000\n"
            "calls = 200   # a comment of its own\n"
            "bytes_min = 40_000\n"
            "peak_live_bytes = 35_560\n"
            "\n"
            "# Not in the results: kept as it is.\n"
            "[insert-1000.baseline]\n"
            "bytes = 533_000\n");
  // Proposing again from the same figures changes nothing.
  auto again = ProposeBudgets(*out, "b.toml", {Results("optimized", Scenario("update-500", 46'768, 181, 32'000, 32'320))},
                              {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *out);
}

TEST(BudgetProposal, RoundTripsThroughTheGate) {
  const ResultsFile results = Results("optimized", Scenario("update-500", 90'000, 900, 7'000, 7'100) + "," +
                                                       Scenario("select-1000", 1'482'048, 1'001, 3'528, 3'528),
                                      R"(, "git_dirty": true)");
  auto out = ProposeBudgets(kFile, "b.toml", {results}, {});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_NE(out->find("[select-1000.optimized]  # measured: 1,482,048 bytes, 1,001 calls, peak 3,528 "
                      "(commit 0123456789ab (dirty), 2 repeats)\nbytes = 1_557_000\ncalls = 1_060\n"
                      "peak_live_bytes = 3_890\n"),
            std::string::npos)
      << *out;
  auto budgets = ParseBudgets(*out, "proposed.toml");
  ASSERT_TRUE(budgets.ok()) << budgets.status().ToString();
  auto rows = Evaluate(*budgets, {results});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  for (const GateRow& row : *rows) {
    EXPECT_FALSE(row.failed()) << FailureText(row);
    EXPECT_FALSE(row.loose()) << FailureText(row);
  }
}

TEST(BudgetProposal, WithoutAFileEveryEntryIsNew) {
  auto out = ProposeBudgets("", "", {Results("baseline", Scenario("update-500", 1'000, 10, 100, 100))}, {15.0});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_NE(out->find("+ 15 %"), std::string::npos) << *out;
  EXPECT_NE(out->find("[update-500.baseline]  # measured: 1,000 bytes, 10 calls, peak 100 (commit 0123456789ab, "
                      "2 repeats)\nbytes = 1_150\ncalls = 12\npeak_live_bytes = 120\n"),
            std::string::npos)
      << *out;
  EXPECT_TRUE(ParseBudgets(*out, "p.toml").ok());
}

TEST(BudgetProposal, RefusesWhatItCannotProposeFrom) {
  auto nondeterministic = ProposeBudgets(
      kFile, "b.toml", {Results("optimized", Scenario("update-500", 1, 1, 1, 1, "nondeterministic"))}, {});
  ASSERT_FALSE(nondeterministic.ok());
  EXPECT_EQ(nondeterministic.status().message(),
            "r.json: scenario \"update-500\": nondeterministic (its figures differ between repeats): no budget can "
            "be proposed from it");
  // The figure fell below the lower bound: propose does not move a bound silently.
  auto under = ProposeBudgets(kFile, "b.toml", {Results("optimized", Scenario("update-500", 30'000, 1, 1, 1))}, {});
  ASSERT_FALSE(under.ok());
  EXPECT_EQ(under.status().message(),
            "b.toml:3: update-500.optimized.bytes_min: 40000 is above the proposed bytes 32000 (the figure fell "
            "below its lower bound: lower it by hand)");
  // An entry written another way than a table of one key per line is not guessed at.
  auto inline_table = ProposeBudgets("[update-500]\noptimized = { bytes = 1_000 }\n", "i.toml",
                                     {Results("optimized", Scenario("update-500", 1, 1, 1, 1))}, {});
  ASSERT_FALSE(inline_table.ok());
  EXPECT_NE(inline_table.status().message().find("i.toml:2: update-500.optimized: propose edits entries written as"),
            std::string::npos)
      << inline_table.status().message();
  // A typo in the budgets file: the gate's own error.
  auto typo = ProposeBudgets("[update-500.optimized]\nbytes = 1\nbyts_min = 1\n", "t.toml",
                             {Results("optimized", Scenario("update-500", 1, 1, 1, 1))}, {});
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("t.toml:3: update-500.optimized.byts_min: unknown key"), std::string::npos)
      << typo.status().message();
}

}  // namespace
}  // namespace memh::harness
