// `memharness compare BASE.json HEAD.json [--fail-over PCT] [--json FILE] [--markdown FILE]`: two results
// documents side by side, per scenario and allocation figure, with the change and
// regressions marked. With --fail-over, exit 1 when any figure grows by more than PCT
// percent. A figure that may move between repeats (the peak; every figure of a
// multi-threaded scenario: results_schema.md) fails only when head's lowest is over
// base's highest by more than PCT; for the others lowest and highest are one figure.
// Per scenario whose both sides have call sites: the 5 sites that grew and the 5 that
// shrank most by bytes (with calls), and the sites new in head and vanished from it.
// --markdown writes the same table and site changes as Markdown (a CI job summary).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <sstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_app.h"
#include "runner/budgets.h"
#include "runner/fingerprint.h"
#include "runner/site_deltas.h"

namespace memh::harness {
namespace {

struct CompareArgs {
  std::string base;
  std::string head;
  double fail_over = -1;  // < 0: report only
  std::string json;
  std::string markdown;
};

// The allocation figures compared, as paths into a scenario's entry.
struct Metric {
  const char* name;
  const char* group;  // "totals", or "per_op" for the bytes-per-operation distribution
  const char* key;
};
constexpr Metric kMetrics[] = {
    {"bytes", "totals", "bytes"},
    {"calls", "totals", "calls"},
    {"frees", "totals", "frees"},
    {"charged_bytes", "totals", "charged_bytes"},
    {"background_bytes", "totals", "background_bytes"},
    {"peak_live_bytes", "totals", "peak_live_bytes"},
    {"p99_bytes_per_op", "per_op", "p99"},
};

struct CompareRow {
  std::string scenario;
  std::string metric;
  double base = 0;
  double head = 0;
  double percent = 0;
  bool regression = false;  // head > base
  bool failing = false;     // grew by more than --fail-over
};

struct ScenarioSites {
  std::string scenario;
  bool available = false;  // both sides carry sites
  SiteChanges changes;
  std::vector<SiteDelta> all;
};

constexpr std::size_t kSitesShown = 5;

struct Comparison {
  std::vector<CompareRow> rows;
  std::vector<ScenarioSites> sites;
  std::vector<std::string> only_in_base, only_in_head;
};

const nlohmann::json* FindScenario(const nlohmann::json& doc, const std::string& name) {
  for (const nlohmann::json& s : doc.at("scenarios")) {
    if (s.value("name", "") == name) return &s;
  }
  return nullptr;
}

double Percent(double base, double head) { return base == 0 ? (head == 0 ? 0 : 100) : (head - base) * 100.0 / base; }

double ValueOf(const nlohmann::json& scenario, const Metric& metric) {
  if (std::string(metric.group) == "per_op") return scenario.at("per_op").at("bytes").at(metric.key).get<double>();
  return scenario.at(metric.group).at(metric.key).get<double>();
}

// A figure's lowest or highest over the repeats (bound "min" or "max"); the
// per-operation distribution has no range: its one figure is both.
double Bound(const nlohmann::json& scenario, const Metric& metric, const char* bound) {
  if (std::string(metric.group) != "totals") return ValueOf(scenario, metric);
  return scenario.at("range").at(metric.key).at(bound).get<double>();
}

// Throws nlohmann::json::exception on a document missing a figure.
Comparison CompareDocs(const nlohmann::json& base, const nlohmann::json& head, double fail_over) {
  Comparison c;
  for (const nlohmann::json& h : head.at("scenarios")) {
    const std::string name = h.at("name").get<std::string>();
    const nlohmann::json* b = FindScenario(base, name);
    if (b == nullptr) {
      c.only_in_head.push_back(name);
      continue;
    }
    for (const Metric& metric : kMetrics) {
      CompareRow row{name, metric.name, ValueOf(*b, metric), ValueOf(h, metric)};
      row.percent = Percent(row.base, row.head);
      row.regression = row.head > row.base;
      const double growth = Percent(Bound(*b, metric, "max"), Bound(h, metric, "min"));
      row.failing = fail_over >= 0 && row.regression && growth > fail_over;
      c.rows.push_back(row);
    }
    ScenarioSites sites{name, HasSites(*b) && HasSites(h), {}, {}};
    if (sites.available) {
      sites.changes = TopChanges(*b, h, kSitesShown);
      sites.all = SiteDeltas(*b, h);
    }
    c.sites.push_back(std::move(sites));
  }
  for (const nlohmann::json& b : base.at("scenarios")) {
    const std::string name = b.at("name").get<std::string>();
    if (FindScenario(head, name) == nullptr) c.only_in_base.push_back(name);
  }
  return c;
}

nlohmann::ordered_json RunInfo(const std::string& path, const nlohmann::json& doc) {
  const nlohmann::json& run = doc.at("run");
  return {{"path", path},
          {"variant", run.value("variant", "")},
          {"git_commit", run.value("git_commit", "")},
          {"git_branch", run.value("git_branch", "")},
          {"git_dirty", run.value("git_dirty", false)},
          {"started_at", run.value("started_at", "")}};
}

void PrintComparison(const Comparison& c, const nlohmann::ordered_json& base, const nlohmann::ordered_json& head) {
  std::printf("base: %s (%s, %s)\nhead: %s (%s, %s)\n\n", base["path"].get<std::string>().c_str(),
              base["variant"].get<std::string>().c_str(), base["git_commit"].get<std::string>().c_str(),
              head["path"].get<std::string>().c_str(), head["variant"].get<std::string>().c_str(),
              head["git_commit"].get<std::string>().c_str());
  std::printf("%-22s %-18s %14s %14s %14s %9s\n", "scenario", "metric", "base", "head", "change", "%");
  for (const CompareRow& r : c.rows) {
    std::printf("%-22s %-18s %14.0f %14.0f %+14.0f %+8.1f%%%s\n", r.scenario.c_str(), r.metric.c_str(), r.base,
                r.head, r.head - r.base, r.percent,
                r.failing ? "  REGRESSION (over --fail-over)" : r.regression ? "  regression" : "");
  }
  for (const std::string& name : c.only_in_head) std::printf("%-22s (only in head)\n", name.c_str());
  for (const ScenarioSites& s : c.sites) {
    if (!s.available) {
      std::printf("\n%s: sites: not in both results (schema 3 with capture on)\n", s.scenario.c_str());
      continue;
    }
    const SiteChanges& ch = s.changes;
    std::printf("\n%s: sites (%zu new, %zu vanished)\n", s.scenario.c_str(), ch.added_count, ch.vanished_count);
    if (ch.grew.empty() && ch.shrank.empty()) std::printf("  no site changed\n");
    for (const SiteDelta& d : ch.grew) std::printf("  grew    %s\n", DeltaLine(d).c_str());
    for (const SiteDelta& d : ch.shrank) std::printf("  shrank  %s\n", DeltaLine(d).c_str());
    // New and vanished sites not already listed above.
    auto listed = [&](const SiteDelta& d) {
      for (const auto* list : {&ch.grew, &ch.shrank}) {
        for (const SiteDelta& e : *list) {
          if (e.named().key == d.named().key && e.named().role == d.named().role) return true;
        }
      }
      return false;
    };
    for (const SiteDelta& d : ch.added) {
      if (!listed(d)) std::printf("  new     %s\n", DeltaLine(d).c_str());
    }
    for (const SiteDelta& d : ch.vanished) {
      if (!listed(d)) std::printf("  gone    %s\n", DeltaLine(d).c_str());
    }
  }
  for (const std::string& name : c.only_in_base) std::printf("%-22s (only in base)\n", name.c_str());
  std::fflush(stdout);  // the table before the one-line verdict on stderr
}

std::string ComparisonJson(const Comparison& c, const nlohmann::ordered_json& base, const nlohmann::ordered_json& head,
                           double fail_over, const std::vector<std::string>& fingerprint_differences) {
  nlohmann::ordered_json doc;
  doc["base"] = base;
  doc["head"] = head;
  // What differs between the two runs' fingerprints (fingerprint.h); empty: nothing.
  doc["fingerprint_differences"] = fingerprint_differences;
  doc["fail_over_percent"] = fail_over >= 0 ? nlohmann::ordered_json(fail_over) : nlohmann::ordered_json(nullptr);
  doc["rows"] = nlohmann::ordered_json::array();
  for (const CompareRow& r : c.rows) {
    doc["rows"].push_back({{"scenario", r.scenario},
                           {"metric", r.metric},
                           {"base", r.base},
                           {"head", r.head},
                           {"change", r.head - r.base},
                           {"percent", r.percent},
                           {"regression", r.regression},
                           {"failing", r.failing}});
  }
  doc["sites"] = nlohmann::ordered_json::array();
  for (const ScenarioSites& s : c.sites) {
    nlohmann::ordered_json entry = {{"scenario", s.scenario}, {"available", s.available}};
    if (s.available) {
      auto list = [](const std::vector<SiteDelta>& deltas) {
        nlohmann::ordered_json out = nlohmann::ordered_json::array();
        for (const SiteDelta& d : deltas) out.push_back(SiteDeltaJson(d));
        return out;
      };
      entry["grew"] = list(s.changes.grew);
      entry["shrank"] = list(s.changes.shrank);
      entry["new"] = list(s.changes.added);
      entry["vanished"] = list(s.changes.vanished);
      entry["new_count"] = s.changes.added_count;
      // Every site of either side, for the report's differential graph.
      entry["all"] = list(s.all);
      entry["vanished_count"] = s.changes.vanished_count;
    }
    doc["sites"].push_back(std::move(entry));
  }
  doc["only_in_base"] = c.only_in_base;
  doc["only_in_head"] = c.only_in_head;
  return doc.dump(2) + "\n";
}

// A Markdown cell's text: '|' would end the cell.
std::string MarkdownCell(const std::string& text) {
  std::string out;
  for (char ch : text) {
    if (ch == '|') out += '\\';
    out += ch;
  }
  return out;
}

std::string Printed(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// The printed comparison as Markdown: the same rows and figures (formatted as the table
// prints them), then per scenario the sites that changed. A growth over --fail-over is
// bold, any other growth marked "regression".
std::string ComparisonMarkdown(const Comparison& c, const nlohmann::ordered_json& base,
                               const nlohmann::ordered_json& head, const std::string& fingerprint_warning) {
  std::ostringstream out;
  const std::string variant = head["variant"].get<std::string>();
  out << "### Allocations: " << MarkdownCell(variant) << ", base `" << base["git_commit"].get<std::string>()
      << "` → head `" << head["git_commit"].get<std::string>() << "`\n\n";
  if (!fingerprint_warning.empty()) out << "> " << MarkdownCell(fingerprint_warning) << "\n\n";
  out << "| scenario | metric | base | head | change | % | |\n"
      << "|---|---|---:|---:|---:|---:|---|\n";
  for (const CompareRow& r : c.rows) {
    out << "| " << r.scenario << " | " << r.metric << " | " << Printed("%.0f", r.base) << " | "
        << Printed("%.0f", r.head) << " | " << Printed("%+.0f", r.head - r.base) << " | "
        << Printed("%+.1f %%", r.percent) << " | "
        << (r.failing ? "**REGRESSION (over --fail-over)**" : r.regression ? "regression" : "") << " |\n";
  }
  for (const std::string& name : c.only_in_head) out << "| " << name << " | (only in head) | | | | | |\n";
  for (const std::string& name : c.only_in_base) out << "| " << name << " | (only in base) | | | | | |\n";
  bool heading = false;
  for (const ScenarioSites& s : c.sites) {
    if (!s.available) continue;
    const SiteChanges& ch = s.changes;
    if (ch.grew.empty() && ch.shrank.empty() && ch.added.empty() && ch.vanished.empty()) continue;
    if (!heading) out << "\n#### Call sites that changed\n";
    heading = true;
    out << "\n**" << s.scenario << "** (" << ch.added_count << " new, " << ch.vanished_count << " vanished)\n\n";
    for (const SiteDelta& d : ch.grew) out << "- grew `" << DeltaLine(d) << "`\n";
    for (const SiteDelta& d : ch.shrank) out << "- shrank `" << DeltaLine(d) << "`\n";
  }
  return out.str();
}

void Compare(const CompareArgs& args, CliContext& context) {
  auto base = LoadResults(args.base);
  auto head = base.ok() ? LoadResults(args.head) : base;
  if (!base.ok() || !head.ok()) {
    PrintError((!base.ok() ? base : head).status().message());
    context.exit_code = kExitBadInput;
    return;
  }
  Comparison comparison;
  nlohmann::ordered_json base_info, head_info;
  try {
    comparison = CompareDocs(base->doc, head->doc, args.fail_over);
    base_info = RunInfo(args.base, base->doc);
    head_info = RunInfo(args.head, head->doc);
  } catch (const nlohmann::json::exception& e) {
    PrintError("comparing " + args.base + " and " + args.head + ": " + e.what());
    context.exit_code = kExitBadInput;
    return;
  }
  // One line, first, when a toolchain, allocator, machine or knob change may have
  // moved the figures as much as the code did.
  const std::string fingerprint_warning = FingerprintWarning(base->doc, head->doc);
  if (!fingerprint_warning.empty()) std::printf("%s\n", fingerprint_warning.c_str());
  PrintComparison(comparison, base_info, head_info);
  if (!args.json.empty()) {
    const engine::Status written = WriteOutputFile(
        args.json, ComparisonJson(comparison, base_info, head_info, args.fail_over,
                                  FingerprintDifferences(base->doc, head->doc)));
    if (!written.ok()) {
      PrintError(written.message());
      context.exit_code = kExitBadInput;
      return;
    }
  }
  if (!args.markdown.empty()) {
    const engine::Status written =
        WriteOutputFile(args.markdown, ComparisonMarkdown(comparison, base_info, head_info, fingerprint_warning));
    if (!written.ok()) {
      PrintError(written.message());
      context.exit_code = kExitBadInput;
      return;
    }
  }
  std::size_t failing = 0;
  for (const CompareRow& r : comparison.rows) failing += r.failing ? 1 : 0;
  if (failing > 0) {
    char pct[32];
    std::snprintf(pct, sizeof pct, "%g", args.fail_over);
    PrintError(std::to_string(failing) + " allocation figure(s) grew by more than " + pct + " %");
    context.exit_code = kExitFailed;
  }
}

}  // namespace

void AddCompareCommands(CLI::App& app, CliContext& context) {
  auto args = std::make_shared<CompareArgs>();
  CLI::App* compare = app.add_subcommand("compare", "Compare two results files (base, head)");
  compare->add_option("BASE", args->base, "Results of the base (results-<variant>.json)")->required();
  compare->add_option("HEAD", args->head, "Results of the head")->required();
  compare->add_option("--fail-over", args->fail_over, "Exit 1 when an allocation figure grows by more than PCT %")
      ->check(CLI::Range(0.0, 1e9));
  compare->add_option("--json", args->json, "Also write the comparison as JSON here (for scripts/report.py)");
  compare->add_option("--markdown", args->markdown, "Also write the comparison as Markdown here (a CI job summary)");
  compare->callback([args, &context] { Compare(*args, context); });
}

}  // namespace memh::harness
