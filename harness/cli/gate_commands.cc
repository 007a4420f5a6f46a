// `memharness gate RESULTS.json... [--budgets FILE] [--base BASE.json] [--junit FILE]
// [--markdown FILE] [--json FILE] [--loose-margin PCT] [--strict]`:
// holds results against ci/budgets.toml. Exit 0 when every budget holds, 1 when any
// is exceeded, 2 when the input is unusable, 3 when a single-threaded scenario's
// figures differ between repeats (nondeterministic; this wins over 1: an untrustworthy
// figure is a worse finding than a high one). Each failed row of results with call
// sites names, one short line each, its scenario's top 3 sites, and with --base the top
// 3 that grew against the base's same scenario. A figure under its lower bound
// (bytes_min ...) fails as `under`; a budget more than --loose-margin above its
// figure is `loose`: a warning, which --strict turns into a failure (exit 1).
#include <CLI/CLI.hpp>

#include <sstream>
#include <iostream>
#include <memory>
#include <optional>
#include <set>

#include "cli/cli_app.h"
#include "runner/budgets.h"
#include "runner/fingerprint.h"

namespace memh::harness {
namespace {

struct GateArgs {
  std::vector<std::string> results;
  std::string budgets = "ci/budgets.toml";
  std::string junit;
  std::string markdown;
  std::string json;
  std::string base;
  double loose_margin = kDefaultLooseMarginPercent;
  bool strict = false;
};

template <typename Writer>
bool WriteTo(const std::string& path, Writer&& write) {
  std::ostringstream text;
  write(text);
  const engine::Status written = WriteOutputFile(path, text.str());
  if (!written.ok()) PrintError(written.message());
  return written.ok();
}

void Gate(const GateArgs& args, CliContext& context) {
  auto budgets = LoadBudgets(args.budgets);
  if (!budgets.ok()) {
    PrintError(budgets.status().message());
    context.exit_code = kExitBadInput;
    return;
  }
  std::vector<ResultsFile> results;
  for (const std::string& path : args.results) {
    auto file = LoadResults(path);
    if (!file.ok()) {
      PrintError(file.status().message());
      context.exit_code = kExitBadInput;
      return;
    }
    results.push_back(std::move(*file));
  }
  std::optional<ResultsFile> base;
  if (!args.base.empty()) {
    auto file = LoadResults(args.base);
    if (!file.ok()) {
      PrintError(file.status().message());
      context.exit_code = kExitBadInput;
      return;
    }
    base = std::move(*file);
  }
  // One line per results file measured differently from the base (fingerprint.h).
  if (base) {
    for (const ResultsFile& file : results) {
      const std::string warning = FingerprintWarning(base->doc, file.doc);
      if (!warning.empty()) std::cout << warning << " (" << file.path << " against " << base->path << ")\n";
    }
  }
  const GateOptions options{args.loose_margin, args.strict};
  auto rows = Evaluate(*budgets, results, base ? &*base : nullptr, options);
  if (!rows.ok()) {
    PrintError(rows.status().message());
    context.exit_code = kExitBadInput;
    return;
  }
  PrintGateTable(std::cout, *rows);
  std::cout.flush();  // the table before the one-line errors that follow on stderr
  if (!args.junit.empty() && !WriteTo(args.junit, [&](std::ostream& out) { WriteGateJUnit(out, *rows); })) {
    context.exit_code = kExitBadInput;
    return;
  }
  if (!args.markdown.empty() &&
      !WriteTo(args.markdown, [&](std::ostream& out) { WriteGateMarkdown(out, *rows); })) {
    context.exit_code = kExitBadInput;
    return;
  }
  if (!args.json.empty() &&
      !WriteTo(args.json, [&](std::ostream& out) { WriteGateJson(out, args.budgets, *rows); })) {
    context.exit_code = kExitBadInput;
    return;
  }
  std::size_t failed = 0;
  for (const GateRow& row : *rows) failed += row.failed() ? 1 : 0;
  std::size_t loose = 0;
  for (const GateRow& row : *rows) loose += !row.failed() && row.loose() ? 1 : 0;
  // The summary line keeps its form (scripts/memh_report/logs.py reads it); loose
  // warnings get a line of their own.
  std::cout << "gate: " << rows->size() - failed << " passed, " << failed << " failed" << std::endl;
  if (loose > 0) {
    std::cout << "gate: " << loose << " loose (budgets more than " << args.loose_margin
              << " % above their figure; --strict fails them)" << std::endl;
    for (const GateRow& row : *rows) {
      if (!row.failed() && row.loose()) std::cerr << "memharness: warning: " << FailureText(row) << '\n';
    }
  }
  // The site lines once per scenario and variant, under its first failed row, so that a
  // scenario over several budgets still fits in a screen.
  std::set<std::string> named;
  for (const GateRow& row : *rows) {
    if (!row.failed()) continue;
    PrintError(FailureText(row));
    if (named.insert(row.scenario + " " + row.variant).second) {
      for (const std::string& line : row.site_lines) std::cerr << "  " << line << '\n';
    }
    if (row.nondeterministic) {
      context.exit_code = kExitNondeterministic;
    } else if (context.exit_code == kExitOk) {
      context.exit_code = kExitFailed;
    }
  }
}

}  // namespace

void AddGateCommands(CLI::App& app, CliContext& context) {
  auto args = std::make_shared<GateArgs>();
  CLI::App* gate = app.add_subcommand("gate", "Hold results against allocation budgets (exit 1 when over)");
  gate->add_option("RESULTS", args->results, "results-<variant>.json files written by `memharness run`")->required();
  gate->add_option("--budgets", args->budgets, "Budgets file")->capture_default_str();
  gate->add_option("--base", args->base,
                   "Results to hold the sites against: a failed row names the sites that grew most since");
  gate->add_option("--junit", args->junit, "Also write JUnit XML here (one test case per budget)");
  gate->add_option("--markdown", args->markdown, "Also write a Markdown table here");
  gate->add_option("--json", args->json, "Also write the rows as JSON here (for scripts/report.py)");
  gate->add_option("--loose-margin", args->loose_margin,
                   "Report a budget more than PCT percent above its measured figure as loose (a warning)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  gate->add_flag("--strict", args->strict, "Loose budgets fail (exit 1) instead of warning");
  gate->callback([args, &context] { Gate(*args, context); });
}

}  // namespace memh::harness
