// Allocation budgets (ci/budgets.toml) and the gate that holds results against them.
// A budget names a scenario and a variant and caps its total requested bytes, and
// optionally its allocation calls and its peak live bytes. The gate reads results
// documents (docs/results_schema.md) and gives one row per budgeted metric.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memh/engine/result.h"

namespace memh::harness {

struct Budget {
  std::string scenario;
  std::string variant;
  std::uint64_t bytes = 0;
  std::optional<std::uint64_t> calls;
  std::optional<std::uint64_t> peak_live_bytes;
  // Lower bounds (`bytes_min` ...): a figure that must not fall without someone
  // noticing, e.g. a cache's preallocation whose disappearance would be a bug.
  std::optional<std::uint64_t> bytes_min;
  std::optional<std::uint64_t> calls_min;
  std::optional<std::uint64_t> peak_live_bytes_min;
  int line = 0;
};

struct BudgetFile {
  std::string path;
  std::vector<Budget> budgets;
};

// Errors: one line, "<file>:<line>: <key>: <what is wrong>".
engine::Result<BudgetFile> LoadBudgets(const std::string& path);
engine::Result<BudgetFile> ParseBudgets(std::string_view toml_text, const std::string& path);

struct ResultsFile {
  std::string path;
  nlohmann::json doc;
};
// Reads a results document and checks its schema version and that the meter proved it
// was counting (run.meter.in_allocation_path): results without that proof are refused.
engine::Result<ResultsFile> LoadResults(const std::string& path);
engine::Result<ResultsFile> ParseResults(std::string_view json_text, const std::string& path);

// The gate's default --loose-margin: a budget more than this many percent above its
// measured figure is reported `loose`. 20 % is above the widest rule ci/budgets.toml
// uses for a single-threaded figure (+10 % for the peak, then rounding).
inline constexpr double kDefaultLooseMarginPercent = 20.0;

// value x (1 + basis_points / 10000) in integers, exact (no floating point, so that
// 6,000 + 5 % is 6,300, not 6,300.000000001): its whole part, saturating at
// UINT64_MAX, and whether a fraction was cut off.
struct Scaled {
  std::uint64_t whole = 0;
  bool fraction = false;
};
Scaled ScaleUp(std::uint64_t value, std::uint64_t basis_points);
// PCT (a percentage, e.g. 20 or 5.5) in hundredths of a percent.
std::uint64_t BasisPoints(double percent);

struct GateOptions {
  double loose_margin_percent = kDefaultLooseMarginPercent;
  bool strict = false;  // a loose row fails
};

struct GateRow {
  std::string scenario, variant, metric;
  std::uint64_t measured = 0;  // the highest over the run's repeats
  std::uint64_t budget = 0;
  // The scenario is single-threaded and its repeats differ: no figure of it can be
  // held to a budget, whatever it is (results.h, Verdict).
  bool nondeterministic = false;
  // For a failed row of results with call sites (schema 3): one short line per site,
  // the scenario's top 3 by the row's metric, then with a base the top 3 that grew.
  std::vector<std::string> site_lines;
  // The lowest over the repeats, held against the lower bound when there is one.
  std::uint64_t measured_min = 0;
  std::optional<std::uint64_t> lower_bound;
  double loose_margin_percent = kDefaultLooseMarginPercent;
  bool strict = false;
  bool over() const { return measured > budget; }
  bool under() const { return lower_bound && measured_min < *lower_bound; }
  // The budget is more than the margin above the measured figure: it would let the
  // figure grow that much unnoticed. A warning unless strict.
  bool loose() const;
  bool failed() const { return nondeterministic || over() || under() || (strict && loose()); }
  // "ok" | "over" | "under" | "loose" | "nondeterministic"
  const char* verdict() const;
  double headroom_percent() const;  // (budget - measured) / budget * 100; negative when over
};

// One row per budgeted metric of every budget whose variant some results file holds,
// measured as the highest figure over the repeats (range.<metric>.max).
// A budget for a scenario that its variant's results lack is an error (unusable
// input); budgets for variants no file holds are skipped. With `base` (gate --base),
// a failed row's site lines also name the sites that grew most against the same
// scenario there (of the same variant when the base has it).
// A metric with a lower bound is also held at its lowest figure over the repeats
// (range.<metric>.min): verdict `under` when below it.
engine::Result<std::vector<GateRow>> Evaluate(const BudgetFile& budgets, const std::vector<ResultsFile>& results,
                                              const ResultsFile* base = nullptr, const GateOptions& options = {});

// "ok", "OVER by N", "UNDER by N", "loose (+P % above)" or "NONDETERMINISTIC" (with
// --strict "LOOSE (...)"): the verdict column.
std::string VerdictText(const GateRow& row);
// One line for a failed or loose row: what, by how much, or why it cannot be held.
std::string FailureText(const GateRow& row);
// FailureText and, one per line below it, the row's site lines (JUnit's failure text).
std::string FailureDetail(const GateRow& row);

void PrintGateTable(std::ostream& out, const std::vector<GateRow>& rows);
void WriteGateJUnit(std::ostream& out, const std::vector<GateRow>& rows);
void WriteGateMarkdown(std::ostream& out, const std::vector<GateRow>& rows);
// The rows as JSON for scripts/report.py: {"budgets": path, "rows": [{scenario,
// variant, metric, measured, budget, headroom_percent, over, verdict, measured_min,
// lower_bound (null when none), loose}]}.
void WriteGateJson(std::ostream& out, const std::string& budgets_path, const std::vector<GateRow>& rows);

}  // namespace memh::harness
