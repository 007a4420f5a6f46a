// The gate's evaluation and its JUnit and Markdown output.
#include "runner/budgets.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <tuple>
#include <vector>

namespace memh::harness {
namespace {

// A version-2 document whose bytes are `bytes` in every repeat but the last, which
// has `last_bytes` (the range's max), with the given verdict.
ResultsFile Results(std::uint64_t bytes, std::uint64_t last_bytes = 0, const char* verdict = "met") {
  const std::uint64_t high = std::max(bytes, last_bytes);
  auto parsed = ParseResults(R"({"schema_version": 2,
    "run": {"variant": "optimized", "meter": {"in_allocation_path": true}},
    "scenarios": [{"name": "update-500", "verdict": ")" + std::string(verdict) + R"(",
      "totals": {"bytes": )" + std::to_string(bytes) + R"(, "calls": 10, "peak_live_bytes": 5},
      "range": {"bytes": {"min": )" + std::to_string(bytes) + R"(, "max": )" + std::to_string(high) + R"(},
                "calls": {"min": 10, "max": 10}, "peak_live_bytes": {"min": 5, "max": 7}}}]})",
                             "r.json");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return *parsed;
}

TEST(Budgets, RowsHeadroomAndVerdicts) {
  auto budgets = ParseBudgets("[update-500.optimized]\nbytes = 1000\ncalls = 10\npeak_live_bytes = 6\n"
                              "[update-500.baseline]\nbytes = 1\n",
                              "b.toml");
  ASSERT_TRUE(budgets.ok()) << budgets.status().ToString();
  auto rows = Evaluate(*budgets, {Results(900)});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);  // the baseline budget has no results here: skipped
  EXPECT_FALSE((*rows)[0].over());
  EXPECT_DOUBLE_EQ((*rows)[0].headroom_percent(), 10.0);
  EXPECT_FALSE((*rows)[1].over());   // calls: equal is within budget
  EXPECT_TRUE((*rows)[2].over());    // peak: the highest of the repeats (7) counts
  EXPECT_EQ((*rows)[2].measured, 7u);
}

TEST(Budgets, JUnitNamesTheScenarioAndByHowMuch) {
  auto budgets = ParseBudgets("[update-500.optimized]\nbytes = 1000\n", "b.toml");
  ASSERT_TRUE(budgets.ok());
  auto rows = Evaluate(*budgets, {Results(1250)});
  ASSERT_TRUE(rows.ok());
  std::ostringstream junit;
  WriteGateJUnit(junit, *rows);
  EXPECT_NE(junit.str().find("tests=\"1\" failures=\"1\""), std::string::npos) << junit.str();
  EXPECT_NE(junit.str().find("update-500 optimized bytes: 1250 is over its budget 1000 by 250 (25.0 %)"),
            std::string::npos)
      << junit.str();
  std::ostringstream markdown;
  WriteGateMarkdown(markdown, *rows);
  EXPECT_NE(markdown.str().find("| update-500 | optimized | bytes | 1250 | 1000 | -25.0 % | **OVER by 250** |"),
            std::string::npos)
      << markdown.str();
}

// A version-3 document of update-500 with the given sites ("key", role, bytes, calls).
ResultsFile WithSites(std::uint64_t bytes, const std::vector<std::tuple<std::string, std::string, int, int>>& sites) {
  std::string list;
  for (const auto& [key, role, site_bytes, calls] : sites) {
    list += std::string(list.empty() ? "" : ",") + R"({"key": ")" + key + R"(", "role": ")" + role +
            R"(", "function": ")" + key + R"(", "location": "engine/x.cc:1", "frames": [{"function": ")" + key +
            R"(", "location": ""}], "bytes": )" + std::to_string(site_bytes) + R"(, "calls": )" +
            std::to_string(calls) + "}";
  }
  auto parsed = ParseResults(R"({"schema_version": 3,
    "run": {"variant": "optimized", "meter": {"in_allocation_path": true}},
    "scenarios": [{"name": "update-500", "variant": "optimized", "verdict": "met",
      "totals": {"bytes": )" + std::to_string(bytes) + R"(, "calls": 10, "peak_live_bytes": 5},
      "range": {"bytes": {"min": )" + std::to_string(bytes) + R"(, "max": )" + std::to_string(bytes) + R"(},
                "calls": {"min": 10, "max": 10}, "peak_live_bytes": {"min": 5, "max": 5}},
      "sites": {"debug_info": true, "stacks": 4, "list": [)" + list + "]}}]}",
                             "r3.json");
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return *parsed;
}

// A failed row names its scenario's top 3 sites, and with a base the 3 that grew most,
// in the JUnit failure text and the Markdown; a row within budget names none.
TEST(Budgets, AFailedRowNamesItsTopSitesAndWithABaseTheGrownOnes) {
  auto budgets = ParseBudgets("[update-500.optimized]\nbytes = 1000\ncalls = 100\n", "b.toml");
  ASSERT_TRUE(budgets.ok());
  const ResultsFile base = WithSites(900, {{"A", "client", 500, 5}, {"B", "background", 300, 3}, {"C", "client", 100, 2}});
  const ResultsFile head = WithSites(1400, {{"A", "client", 500, 5}, {"B", "background", 100, 1},
                                            {"D", "client", 700, 3}, {"C", "client", 100, 1}});
  auto rows = Evaluate(*budgets, {head}, &base);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_TRUE((*rows)[1].site_lines.empty());  // calls: within budget
  const std::vector<std::string>& lines = (*rows)[0].site_lines;
  ASSERT_EQ(lines.size(), 4u) << ::testing::PrintToString(lines);  // 3 top sites, 1 grew (D)
  EXPECT_EQ(lines[0], "top site: 700 B (50.0 %) in 3 calls: D [client] engine/x.cc:1");
  EXPECT_EQ(lines[1], "top site: 500 B (35.7 %) in 5 calls: A [client] engine/x.cc:1");
  EXPECT_EQ(lines[2], "top site: 100 B (7.1 %) in 1 calls: B [background] engine/x.cc:1");
  EXPECT_EQ(lines[3], "grew: +700 B, +3 calls: D [client] engine/x.cc:1 (new)");
  std::ostringstream junit, markdown;
  WriteGateJUnit(junit, *rows);
  WriteGateMarkdown(markdown, *rows);
  EXPECT_NE(junit.str().find("\n  grew: +700 B, +3 calls: D [client] engine/x.cc:1 (new)</failure>"), std::string::npos)
      << junit.str();
  EXPECT_NE(markdown.str().find("- `grew: +700 B, +3 calls: D [client] engine/x.cc:1 (new)`"), std::string::npos)
      << markdown.str();
  // Without a base: the top sites only. Results without sites (version 2): none.
  auto plain = Evaluate(*budgets, {head});
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)[0].site_lines.size(), 3u);
  auto old = Evaluate(*budgets, {Results(1250)});
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE((*old)[0].site_lines.empty());
}

TEST(Budgets, TheHighestRepeatIsHeld) {
  auto budgets = ParseBudgets("[update-500.optimized]\nbytes = 1000\n", "b.toml");
  ASSERT_TRUE(budgets.ok());
  auto rows = Evaluate(*budgets, {Results(900, 1001)});  // a multi-threaded spread
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ((*rows)[0].measured, 1001u);
  EXPECT_TRUE((*rows)[0].over());
  EXPECT_STREQ((*rows)[0].verdict(), "over");
}

TEST(Budgets, NondeterministicIsItsOwnVerdictEvenWithinBudget) {
  auto budgets = ParseBudgets("[update-500.optimized]\nbytes = 1000\n", "b.toml");
  ASSERT_TRUE(budgets.ok());
  auto rows = Evaluate(*budgets, {Results(900, 948, "nondeterministic")});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  const GateRow& row = (*rows)[0];
  EXPECT_FALSE(row.over());
  EXPECT_TRUE(row.failed());
  EXPECT_STREQ(row.verdict(), "nondeterministic");
  std::ostringstream junit, markdown, json;
  WriteGateJUnit(junit, *rows);
  WriteGateMarkdown(markdown, *rows);
  WriteGateJson(json, "b.toml", *rows);
  EXPECT_NE(junit.str().find("failures=\"1\""), std::string::npos) << junit.str();
  EXPECT_NE(junit.str().find("update-500 optimized bytes: nondeterministic:"), std::string::npos) << junit.str();
  EXPECT_NE(markdown.str().find("| **NONDETERMINISTIC** |"), std::string::npos) << markdown.str();
  EXPECT_NE(json.str().find("\"verdict\": \"nondeterministic\""), std::string::npos) << json.str();
}

TEST(Budgets, ResultsWithoutTheMetersProofAreRefused) {
  for (const char* run : {R"({"variant": "optimized"})", R"({"variant": "optimized", "meter": {}})",
                          R"({"variant": "optimized", "meter": {"in_allocation_path": false}})",
                          R"({"variant": "optimized", "meter": {"in_allocation_path": "yes"}})"}) {
    auto parsed = ParseResults(std::string(R"({"schema_version": 2, "run": )") + run + R"(, "scenarios": []})",
                               "r.json");
    ASSERT_FALSE(parsed.ok()) << run;
    EXPECT_NE(parsed.status().message().find("r.json: no proof that the meter was in the allocation path"),
              std::string::npos)
        << parsed.status().message();
  }
  auto old = ParseResults(R"({"schema_version": 1, "run": {"variant": "optimized"}, "scenarios": []})", "old.json");
  ASSERT_FALSE(old.ok());
  EXPECT_NE(old.status().message().find("old.json: results of schema version 1; this memharness reads versions 2 to 3"),
            std::string::npos)
      << old.status().message();
}

TEST(Budgets, BadBudgetFiles) {
  EXPECT_NE(ParseBudgets("[a.optimized]\n", "b.toml").status().message().find("b.toml:1: a.optimized.bytes: missing"),
            std::string::npos);
  EXPECT_NE(ParseBudgets("[a.optimized]\nbytes = -1\n", "b.toml").status().message().find("out of range"),
            std::string::npos);
  EXPECT_NE(ParseBudgets("[a.nosuch]\nbytes = 1\n", "b.toml").status().message().find("unknown variant"),
            std::string::npos);
  EXPECT_NE(ParseBudgets("a = 1\n", "b.toml").status().message().find("b.toml:1: a: expected a table"),
            std::string::npos);
  EXPECT_FALSE(ParseBudgets("", "b.toml").ok());
}

TEST(Budgets, LowerBoundsAreHeldAtTheLowestRepeat) {
  // bytes range 900..1000: the lowest (900) is held against bytes_min.
  auto budgets = ParseBudgets("[update-500.optimized]\nbytes = 1100\nbytes_min = 950\n", "b.toml");
  ASSERT_TRUE(budgets.ok()) << budgets.status().ToString();
  auto rows = Evaluate(*budgets, {Results(900, 1000)});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  const GateRow& row = (*rows)[0];
  EXPECT_EQ(row.measured, 1000u);
  EXPECT_EQ(row.measured_min, 900u);
  EXPECT_TRUE(row.under());
  EXPECT_TRUE(row.failed());
  EXPECT_STREQ(row.verdict(), "under");
  EXPECT_EQ(VerdictText(row), "UNDER by 50");
  EXPECT_EQ(FailureText(row),
            "update-500 optimized bytes: lowest 900 is under its lower bound 950 by 50 (5.3 %): lower the bound if "
            "the fall is meant");
  auto held = ParseBudgets("[update-500.optimized]\nbytes = 1100\nbytes_min = 900\n", "b.toml");
  ASSERT_TRUE(held.ok());
  EXPECT_FALSE((*Evaluate(*held, {Results(900, 1000)}))[0].failed());  // equal to the bound holds
}

TEST(Budgets, ALooseBudgetWarnsAndFailsOnlyWhenStrict) {
  auto budgets = ParseBudgets("[update-500.optimized]\nbytes = 1250\ncalls = 12\n", "b.toml");
  ASSERT_TRUE(budgets.ok());
  auto rows = Evaluate(*budgets, {Results(1000)});
  ASSERT_TRUE(rows.ok());
  const GateRow& bytes = (*rows)[0];
  EXPECT_TRUE(bytes.loose());  // 25 % above 1000
  EXPECT_FALSE(bytes.failed());
  EXPECT_STREQ(bytes.verdict(), "loose");
  EXPECT_EQ(VerdictText(bytes), "loose (+25.0 %)");
  EXPECT_FALSE((*rows)[1].loose());  // calls 12 over 10: exactly 20 %, not more
  std::ostringstream junit;
  WriteGateJUnit(junit, *rows);
  EXPECT_NE(junit.str().find("failures=\"0\""), std::string::npos) << junit.str();
  EXPECT_NE(junit.str().find("<system-out>warning: update-500 optimized bytes: loose: budget 1250 is 25.0 % above "
                             "the measured 1000 (margin 20.0 %): tighten it (memharness budgets propose)</system-out>"),
            std::string::npos)
      << junit.str();
  std::ostringstream markdown;
  WriteGateMarkdown(markdown, *rows);
  EXPECT_NE(markdown.str().find("| _loose (+25.0 %)_ |"), std::string::npos) << markdown.str();

  auto strict = Evaluate(*budgets, {Results(1000)}, nullptr, GateOptions{20.0, true});
  ASSERT_TRUE(strict.ok());
  EXPECT_TRUE((*strict)[0].failed());
  EXPECT_EQ(VerdictText((*strict)[0]), "LOOSE (+25.0 %)");
  EXPECT_FALSE((*strict)[1].failed());
  auto wider = Evaluate(*budgets, {Results(1000)}, nullptr, GateOptions{30.0, true});
  ASSERT_TRUE(wider.ok());
  EXPECT_FALSE((*wider)[0].failed());
}

TEST(Budgets, BadLowerBounds) {
  EXPECT_EQ(ParseBudgets("[a.optimized]\nbytes = 10\nbytes_min = 11\n", "b.toml").status().message(),
            "b.toml:3: a.optimized.bytes_min: 11 is above the budget bytes = 10");
  EXPECT_EQ(ParseBudgets("[a.optimized]\nbytes = 10\ncalls_min = 1\n", "b.toml").status().message(),
            "b.toml:3: a.optimized.calls_min: a lower bound needs a budget calls beside it");
  EXPECT_NE(ParseBudgets("[a.optimized]\nbytes = 10\nbytes_mn = 1\n", "b.toml")
                .status()
                .message()
                .find("b.toml:3: a.optimized.bytes_mn: unknown key"),
            std::string::npos);
  EXPECT_NE(ParseBudgets("[a.optimized]\nbytes = 10\nbytes_min = 0\n", "b.toml").status().message().find(
                "b.toml:3: a.optimized.bytes_min"),
            std::string::npos);
}

}  // namespace
}  // namespace memh::harness
