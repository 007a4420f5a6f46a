// `memharness budgets propose RESULTS.json... [--budgets FILE] [--headroom PCT]
// [--out FILE | --in-place]`: budgets from measured figures (runner/budget_proposal.h),
// written into the budgets file given, its comments, lower bounds and uncovered entries
// kept. The proposal goes to stdout, or --out FILE; --in-place replaces the --budgets
// file itself, which is never overwritten without it (a review of the diff is the
// point). Exit 0, or 2 on unusable input, with the gate's one-line errors.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <optional>

#include "cli/cli_app.h"
#include "runner/budget_proposal.h"
#include "runner/input_file.h"

namespace memh::harness {
namespace {

struct ProposeArgs {
  std::vector<std::string> results;
  std::string budgets;
  std::string out;
  bool in_place = false;
  std::optional<double> headroom;
};

void Propose(const ProposeArgs& args, CliContext& context) {
  auto fail = [&](const engine::Status& status) {
    PrintError(status.message());
    context.exit_code = kExitBadInput;
  };
  if (args.in_place && args.budgets.empty()) {
    return fail(engine::Status::InvalidArgument("--in-place", "needs --budgets FILE, the file to replace"));
  }
  std::string text;
  if (!args.budgets.empty()) {
    auto read = ReadInputFile(args.budgets);
    if (!read.ok()) return fail(read.status());
    text = std::move(*read);
  }
  std::vector<ResultsFile> results;
  for (const std::string& path : args.results) {
    auto file = LoadResults(path);
    if (!file.ok()) return fail(file.status());
    results.push_back(std::move(*file));
  }
  auto proposal = ProposeBudgets(text, args.budgets, results, ProposalOptions{args.headroom});
  if (!proposal.ok()) return fail(proposal.status());
  const std::string out = args.in_place ? args.budgets : args.out;
  if (out.empty()) {
    std::cout << *proposal;
    return;
  }
  const engine::Status written = WriteOutputFile(out, *proposal);
  if (!written.ok()) return fail(written);
}

}  // namespace

void AddBudgetsCommands(CLI::App& app, CliContext& context) {
  CLI::App* budgets = app.add_subcommand("budgets", "Work on a budgets file");
  budgets->require_subcommand(1);
  auto args = std::make_shared<ProposeArgs>();
  CLI::App* propose = budgets->add_subcommand(
      "propose", "Write budgets from measured results: the highest figure over the repeats plus headroom");
  propose->add_option("RESULTS", args->results, "results-<variant>.json files written by `memharness run`")
      ->required();
  propose->add_option("--budgets", args->budgets,
                      "The budgets file to update: its comments, lower bounds and other entries are kept");
  propose->add_option("--headroom", args->headroom,
                      "One headroom in percent for every metric (default: +5 % bytes and calls, +10 % peak)")
      ->check(CLI::Range(0.0, 1000.0));
  auto* out = propose->add_option("--out", args->out, "Write the proposal here instead of stdout");
  propose->add_flag("--in-place", args->in_place, "Replace the --budgets file with the proposal")->excludes(out);
  propose->callback([args, &context] { Propose(*args, context); });
}

}  // namespace memh::harness
