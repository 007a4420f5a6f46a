#include "runner/budgets.h"

#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "runner/input_file.h"
#include "runner/schema_version.h"
#include "runner/site_deltas.h"
#include "runner/toml_reader.h"

namespace memh::harness {
namespace {

using engine::Result;
using engine::Status;

std::string Percent(double value) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(1) << value << " %";
  return out.str();
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// MEMH_KNOWN_VARIANTS is the build's list of variant names, comma-separated.
bool KnownVariant(std::string_view name) {
  std::string_view known = MEMH_KNOWN_VARIANTS;
  while (!known.empty()) {
    std::size_t end = known.find(',');
    if (known.substr(0, end) == name) return true;
    if (end == std::string_view::npos) break;
    known.remove_prefix(end + 1);
  }
  return false;
}

}  // namespace

namespace {
// How far the budget is above the measured figure, in percent of the figure.
double AbovePercent(const GateRow& r) {
  if (r.measured == 0) return 100.0 * static_cast<double>(r.budget);
  return (static_cast<double>(r.budget) - static_cast<double>(r.measured)) * 100.0 / static_cast<double>(r.measured);
}
}  // namespace

Scaled ScaleUp(std::uint64_t value, std::uint64_t basis_points) {
  // value = q x 10000 + r, so value x (10000 + bp) / 10000 = q x (10000 + bp) +
  // r x (10000 + bp) / 10000, and r x (10000 + bp) cannot overflow.
  const std::uint64_t factor = 10000 + basis_points;
  const std::uint64_t q = value / 10000, r = value % 10000;
  std::uint64_t whole = 0;
  if (__builtin_mul_overflow(q, factor, &whole)) return {UINT64_MAX, false};
  const std::uint64_t rest = r * factor;
  if (__builtin_add_overflow(whole, rest / 10000, &whole)) return {UINT64_MAX, false};
  return {whole, rest % 10000 != 0};
}

std::uint64_t BasisPoints(double percent) {
  return percent <= 0 ? 0 : static_cast<std::uint64_t>(std::llround(percent * 100.0));
}

bool GateRow::loose() const {
  if (over()) return false;
  // budget > measured x (1 + margin): a budget exactly at the margin is not loose.
  return budget > ScaleUp(measured, BasisPoints(loose_margin_percent)).whole;
}

std::string VerdictText(const GateRow& r) {
  if (r.nondeterministic) return "NONDETERMINISTIC";
  if (r.over()) return "OVER by " + std::to_string(r.measured - r.budget);
  if (r.under()) return "UNDER by " + std::to_string(*r.lower_bound - r.measured_min);
  if (r.loose()) return std::string(r.strict ? "LOOSE" : "loose") + " (+" + Percent(AbovePercent(r)) + ")";
  return "ok";
}

std::string FailureText(const GateRow& r) {
  const std::string what = r.scenario + " " + r.variant + " " + r.metric + ": ";
  if (r.nondeterministic) {
    return what + "nondeterministic: the single-threaded scenario's figures differ between repeats, so " +
           std::to_string(r.measured) + " cannot be held to its budget " + std::to_string(r.budget);
  }
  if (r.over()) {
    return what + std::to_string(r.measured) + " is over its budget " + std::to_string(r.budget) + " by " +
           std::to_string(r.measured - r.budget) + " (" + Percent(-r.headroom_percent()) + ")";
  }
  if (r.under()) {
    const std::uint64_t by = *r.lower_bound - r.measured_min;
    return what + "lowest " + std::to_string(r.measured_min) + " is under its lower bound " +
           std::to_string(*r.lower_bound) + " by " + std::to_string(by) + " (" +
           Percent(static_cast<double>(by) * 100.0 / static_cast<double>(*r.lower_bound)) +
           "): lower the bound if the fall is meant";
  }
  if (r.loose()) {
    return what + "loose: budget " + std::to_string(r.budget) + " is " + Percent(AbovePercent(r)) +
           " above the measured " + std::to_string(r.measured) + " (margin " + Percent(r.loose_margin_percent) +
           "): tighten it (memharness budgets propose)";
  }
  return what + "ok";
}

std::string FailureDetail(const GateRow& r) {
  std::string text = FailureText(r);
  for (const std::string& line : r.site_lines) text += "\n  " + line;
  return text;
}

const char* GateRow::verdict() const {
  if (nondeterministic) return "nondeterministic";
  if (over()) return "over";
  if (under()) return "under";
  return loose() ? "loose" : "ok";
}

double GateRow::headroom_percent() const {
  if (budget == 0) return 0;
  return (static_cast<double>(budget) - static_cast<double>(measured)) * 100.0 / static_cast<double>(budget);
}

Result<BudgetFile> ParseBudgets(std::string_view text, const std::string& path) {
  MEMH_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, path));
  BudgetFile file;
  file.path = path;
  TomlReader top(root, "", path);
  for (const auto& [scenario_key, scenario_node] : root) {
    const std::string scenario(scenario_key.str());
    const toml::table* variants = scenario_node.as_table();
    if (variants == nullptr) return top.Error(scenario, "expected a table of variants, e.g. [" + scenario + ".baseline]");
    (void)top.Get(scenario);
    for (const auto& [variant_key, variant_node] : *variants) {
      const std::string variant(variant_key.str());
      const toml::table* table = variant_node.as_table();
      TomlReader scenario_reader(*variants, scenario + ".", path);
      if (table == nullptr) return scenario_reader.Error(variant, "expected a table {bytes, calls, peak_live_bytes}");
      if (!KnownVariant(variant)) {
        return scenario_reader.Error(variant, "unknown variant (known: " + std::string(MEMH_KNOWN_VARIANTS) + ")");
      }
      TomlReader reader(*table, scenario + "." + variant + ".", path);
      Budget budget;
      budget.scenario = scenario;
      budget.variant = variant;
      budget.line = static_cast<int>(table->source().begin.line);
      MEMH_ASSIGN_OR_RETURN(budget.bytes, reader.Integer("bytes", std::nullopt, 1, INT64_MAX));
      if (reader.Has("calls")) {
        MEMH_ASSIGN_OR_RETURN(budget.calls, reader.Integer("calls", std::nullopt, 1, INT64_MAX));
      }
      if (reader.Has("peak_live_bytes")) {
        MEMH_ASSIGN_OR_RETURN(budget.peak_live_bytes, reader.Integer("peak_live_bytes", std::nullopt, 1, INT64_MAX));
      }
      // A lower bound: 0 would hold nothing, and above its metric's budget no figure
      // could pass.
      auto lower = [&](const char* key, std::optional<std::uint64_t> upper,
                       std::optional<std::uint64_t>& into) -> Status {
        if (!reader.Has(key)) return Status::Ok();
        const std::string metric(key, std::string_view(key).size() - 4);
        if (!upper) return reader.Error(key, "a lower bound needs a budget " + metric + " beside it");
        MEMH_ASSIGN_OR_RETURN(into, reader.Integer(key, std::nullopt, 1, INT64_MAX));
        if (*into > *upper) {
          return reader.Error(key, std::to_string(*into) + " is above the budget " + metric + " = " +
                                       std::to_string(*upper));
        }
        return Status::Ok();
      };
      MEMH_RETURN_IF_ERROR(lower("bytes_min", budget.bytes, budget.bytes_min));
      MEMH_RETURN_IF_ERROR(lower("calls_min", budget.calls, budget.calls_min));
      MEMH_RETURN_IF_ERROR(lower("peak_live_bytes_min", budget.peak_live_bytes, budget.peak_live_bytes_min));
      MEMH_RETURN_IF_ERROR(reader.CheckNoUnknownKeys(
          "bytes, calls, peak_live_bytes and their lower bounds bytes_min, calls_min, peak_live_bytes_min"));
      file.budgets.push_back(std::move(budget));
    }
  }
  if (file.budgets.empty()) return Status::InvalidArgument(path, "no budgets");
  return file;
}

Result<BudgetFile> LoadBudgets(const std::string& path) {
  MEMH_ASSIGN_OR_RETURN(std::string text, ReadInputFile(path));
  return ParseBudgets(text, path);
}

Result<ResultsFile> LoadResults(const std::string& path) {
  MEMH_ASSIGN_OR_RETURN(std::string text, ReadInputFile(path));
  return ParseResults(text, path);
}

Result<ResultsFile> ParseResults(std::string_view json_text, const std::string& path) {
  ResultsFile file;
  file.path = path;
  try {
    file.doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(path, "not a results document: " + OneLine(e.what()));
  }
  const nlohmann::json& doc = file.doc;
  if (!doc.is_object() || !doc.contains("schema_version") || !doc["schema_version"].is_number_integer()) {
    return Status::InvalidArgument(path, "not a results document: no schema_version");
  }
  const auto version = doc["schema_version"].get<std::int64_t>();
  if (version < kOldestReadableSchemaVersion || version > kResultsSchemaVersion) {
    return Status::InvalidArgument(path, "results of schema version " + doc["schema_version"].dump() +
                                             "; this memharness reads versions " +
                                             std::to_string(kOldestReadableSchemaVersion) + " to " +
                                             std::to_string(kResultsSchemaVersion) + " (rerun with memharness run)");
  }
  if (!doc.contains("run") || !doc["run"].is_object() || !doc["run"].contains("variant") ||
      !doc["run"]["variant"].is_string() || !doc.contains("scenarios") || !doc["scenarios"].is_array()) {
    return Status::InvalidArgument(path, "results document without run.variant or scenarios");
  }
  const nlohmann::json& run = doc["run"];
  const bool proven = run.contains("meter") && run["meter"].is_object() &&
                      run["meter"].contains("in_allocation_path") && run["meter"]["in_allocation_path"] == true;
  if (!proven) {
    return Status::InvalidArgument(path, "no proof that the meter was in the allocation path "
                                         "(run.meter.in_allocation_path is not true): its figures may be zeros; "
                                         "rerun with memharness run");
  }
  return file;
}

namespace {

const nlohmann::json* FindScenario(const nlohmann::json& doc, const std::string& name, const std::string& variant) {
  if (!doc.contains("scenarios") || !doc["scenarios"].is_array()) return nullptr;
  const nlohmann::json* any = nullptr;
  for (const nlohmann::json& s : doc["scenarios"]) {
    if (!s.is_object() || s.value("name", "") != name) continue;
    if (s.value("variant", "") == variant) return &s;
    any = &s;
  }
  return any;
}

// The lines that say where a failed row's bytes come from (GateRow::site_lines).
std::vector<std::string> SiteLinesFor(const GateRow& row, const nlohmann::json& scenario, const ResultsFile* base) {
  std::vector<std::string> lines;
  if (!HasSites(scenario)) return lines;
  const std::string by = row.metric == "calls" ? "calls" : "bytes";
  const std::int64_t total = scenario.at("totals").at("bytes").get<std::int64_t>();
  for (const SiteFigures& site : TopSites(scenario, by, 3)) lines.push_back("top site: " + SiteLine(site, total));
  if (base == nullptr) return lines;
  const nlohmann::json* before = FindScenario(base->doc, row.scenario, row.variant);
  if (before == nullptr || !HasSites(*before)) {
    lines.push_back("grew: " + base->path + " has no sites for " + row.scenario);
    return lines;
  }
  for (const SiteDelta& d : TopChanges(*before, scenario, 3).grew) lines.push_back("grew: " + DeltaLine(d));
  return lines;
}

}  // namespace

Result<std::vector<GateRow>> Evaluate(const BudgetFile& budgets, const std::vector<ResultsFile>& results,
                                      const ResultsFile* base, const GateOptions& options) {
  std::vector<GateRow> rows;
  for (const Budget& budget : budgets.budgets) {
    for (const ResultsFile& file : results) {
      if (file.doc["run"]["variant"] != budget.variant) continue;
      const nlohmann::json* scenario = nullptr;
      for (const nlohmann::json& s : file.doc["scenarios"]) {
        if (s.is_object() && s.contains("name") && s["name"] == budget.scenario) scenario = &s;
      }
      const std::string where = budgets.path + ":" + std::to_string(budget.line);
      if (scenario == nullptr) {
        return Status::InvalidArgument(where, budget.scenario + "." + budget.variant + ": " + file.path +
                                                  " has no scenario \"" + budget.scenario + "\"");
      }
      try {
        // A figure is a non-negative integer; anything else (a float, a negative, a
        // string) is unusable input, not a number to convert.
        auto figure = [&](const nlohmann::json& value, const char* what) -> std::uint64_t {
          if (!value.is_number_unsigned()) {
            throw std::invalid_argument(std::string(what) + " is not a non-negative integer: " + value.dump());
          }
          return value.get<std::uint64_t>();
        };
        // The highest figure over the repeats: every figure of a multi-threaded
        // scenario, and the peak of any, may move run to run.
        const nlohmann::json& range = scenario->at("range");
        const bool nondeterministic = scenario->at("verdict") == "nondeterministic";
        auto row = [&](const char* metric, std::uint64_t limit, std::optional<std::uint64_t> lower_bound) {
          const std::string what = std::string("range.") + metric + ".max";
          const std::uint64_t measured = figure(range.at(metric).at("max"), what.c_str());
          GateRow gate_row;
          gate_row.scenario = budget.scenario;
          gate_row.variant = budget.variant;
          gate_row.metric = metric;
          gate_row.measured = measured;
          gate_row.budget = limit;
          gate_row.nondeterministic = nondeterministic;
          gate_row.measured_min = measured;
          if (lower_bound) {
            const std::string what_min = std::string("range.") + metric + ".min";
            gate_row.measured_min = figure(range.at(metric).at("min"), what_min.c_str());
            gate_row.lower_bound = lower_bound;
          }
          gate_row.loose_margin_percent = options.loose_margin_percent;
          gate_row.strict = options.strict;
          if (gate_row.failed()) gate_row.site_lines = SiteLinesFor(gate_row, *scenario, base);
          rows.push_back(std::move(gate_row));
        };
        row("bytes", budget.bytes, budget.bytes_min);
        if (budget.calls) row("calls", *budget.calls, budget.calls_min);
        if (budget.peak_live_bytes) row("peak_live_bytes", *budget.peak_live_bytes, budget.peak_live_bytes_min);
      } catch (const nlohmann::json::exception& e) {
        return Status::InvalidArgument(file.path, std::string("scenario \"") + budget.scenario + "\": " + e.what());
      } catch (const std::invalid_argument& e) {
        return Status::InvalidArgument(file.path, std::string("scenario \"") + budget.scenario + "\": " + e.what());
      }
    }
  }
  if (rows.empty()) return Status::InvalidArgument(budgets.path, "no budget matches the variants of the results given");
  return rows;
}

void PrintGateTable(std::ostream& out, const std::vector<GateRow>& rows) {
  out << std::left << std::setw(22) << "scenario" << std::setw(13) << "variant" << std::setw(17) << "metric"
      << std::right << std::setw(14) << "measured" << std::setw(14) << "budget" << std::setw(11) << "headroom"
      << "  verdict\n";
  for (const GateRow& r : rows) {
    out << std::left << std::setw(22) << r.scenario << std::setw(13) << r.variant << std::setw(17) << r.metric
        << std::right << std::setw(14) << r.measured << std::setw(14) << r.budget << std::setw(11)
        << Percent(r.headroom_percent()) << "  " << VerdictText(r) << '\n';
  }
}

void WriteGateJUnit(std::ostream& out, const std::vector<GateRow>& rows) {
  std::size_t failures = 0;
  for (const GateRow& r : rows) failures += r.failed() ? 1 : 0;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuite name=\"memharness-gate\" tests=\"" << rows.size() << "\" failures=\"" << failures << "\">\n";
  for (const GateRow& r : rows) {
    out << "  <testcase classname=\"" << XmlEscape(r.scenario) << "\" name=\""
        << XmlEscape(r.variant + "." + r.metric) << "\">";
    if (r.failed()) {
      out << "<failure message=\"" << XmlEscape(FailureText(r)) << "\">" << XmlEscape(FailureDetail(r)) << "</failure>";
    } else if (r.loose()) {
      // A warning has no element of its own in JUnit; a passing test case's
      // system-out is what Jenkins, GitLab and most viewers show beside it.
      out << "<system-out>" << XmlEscape("warning: " + FailureText(r)) << "</system-out>";
    }
    out << "</testcase>\n";
  }
  out << "</testsuite>\n";
}

void WriteGateMarkdown(std::ostream& out, const std::vector<GateRow>& rows) {
  out << "| scenario | variant | metric | measured | budget | headroom | verdict |\n"
      << "|---|---|---|---:|---:|---:|---|\n";
  for (const GateRow& r : rows) {
    out << "| " << r.scenario << " | " << r.variant << " | " << r.metric << " | " << r.measured << " | " << r.budget
        << " | " << Percent(r.headroom_percent()) << " | "
        << (r.failed() ? "**" + VerdictText(r) + "**" : r.loose() ? "_" + VerdictText(r) + "_" : VerdictText(r))
        << " |\n";
  }
  // Where the bytes of each failed row come from, below the table.
  bool heading = false;
  for (const GateRow& r : rows) {
    if (!r.failed() || r.site_lines.empty()) continue;
    if (!heading) out << "\n### Where the bytes come from\n";
    heading = true;
    out << "\n**" << r.scenario << " " << r.variant << " " << r.metric << "**\n\n";
    for (const std::string& line : r.site_lines) out << "- `" << line << "`\n";
  }
}

void WriteGateJson(std::ostream& out, const std::string& budgets_path, const std::vector<GateRow>& rows) {
  nlohmann::ordered_json doc;
  doc["budgets"] = budgets_path;
  doc["rows"] = nlohmann::ordered_json::array();
  for (const GateRow& r : rows) {
    doc["rows"].push_back({{"scenario", r.scenario},
                           {"variant", r.variant},
                           {"metric", r.metric},
                           {"measured", r.measured},
                           {"budget", r.budget},
                           {"headroom_percent", r.headroom_percent()},
                           {"over", r.over()},
                           {"verdict", r.verdict()},
                           {"measured_min", r.measured_min},
                           {"lower_bound", r.lower_bound ? nlohmann::ordered_json(*r.lower_bound) : nullptr},
                           {"loose", r.loose()},
                           {"sites", r.site_lines}});
  }
  out << doc.dump(2) << "\n";
}

}  // namespace memh::harness
