// The gate's evaluation and its JUnit and Markdown output.
#include "runner/budgets.h"

#include <gtest/gtest.h>

#include <sstream>

namespace memh::harness {
namespace {

ResultsFile Results(std::uint64_t bytes) {
  ResultsFile file;
  file.path = "r.json";
  file.doc = nlohmann::json::parse(R"({"schema_version": 1, "run": {"variant": "optimized"},
    "scenarios": [{"name": "update-500", "totals": {"bytes": )" + std::to_string(bytes) +
                                   R"(, "calls": 10, "peak_live_bytes": 5}, "peak_live_bytes_range": [5, 7]}]})");
  return file;
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
  EXPECT_NE(junit.str().find("update-500 optimized bytes: 1250 is over the budget 1000 by 250 (25.0 %)"),
            std::string::npos)
      << junit.str();
  std::ostringstream markdown;
  WriteGateMarkdown(markdown, *rows);
  EXPECT_NE(markdown.str().find("| update-500 | optimized | bytes | 1250 | 1000 | -25.0 % | **over by 250** |"),
            std::string::npos)
      << markdown.str();
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

}  // namespace
}  // namespace memh::harness
