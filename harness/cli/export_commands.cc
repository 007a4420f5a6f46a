// `memharness export --format bmf|gab|benchfmt|gbench [--out FILE] RESULTS.json...`:
// results documents in the formats CI benchmark services read (docs/exports.md), so
// they chart and diff the meter's exact figures rather than times alone. Exit 0, or 2
// on unusable input: an unknown format, a file gate and compare would refuse (missing,
// malformed, another schema version, no meter proof), a figure that is not an integer,
// two files holding one scenario of one variant.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli_app.h"
#include "runner/export_formats.h"

namespace memh::harness {
namespace {

struct ExportArgs {
  std::string format;
  std::string out;  // "" = stdout
  std::vector<std::string> results;
};

void RunExport(const ExportArgs& args, CliContext& context) {
  auto fail = [&](const engine::Status& status) {
    PrintError(status.message());
    context.exit_code = kExitBadInput;
  };
  if (engine::Status format = CheckExportFormat(args.format); !format.ok()) return fail(format);
  auto runs = LoadExportRuns(args.results);
  if (!runs.ok()) return fail(runs.status());
  auto text = Export(args.format, *runs);
  if (!text.ok()) return fail(text.status());
  if (args.out.empty()) {
    std::fwrite(text->data(), 1, text->size(), stdout);
    std::fflush(stdout);
    return;
  }
  // Written only once the whole export succeeded: a failed export leaves no partial file.
  if (engine::Status written = WriteOutputFile(args.out, *text); !written.ok()) return fail(written);
}

}  // namespace

void AddExportCommands(CLI::App& app, CliContext& context) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* command = app.add_subcommand(
      "export", "Write results for CI benchmark services: Bencher (bmf), github-action-benchmark (gab), "
                "Go benchstat (benchfmt), Google Benchmark JSON (gbench)");
  command->add_option("--format", args->format, std::string(kExportFormats))->required();
  command->add_option("--out", args->out, "Write here instead of stdout");
  command->add_option("RESULTS", args->results, "results-<variant>.json files written by `memharness run`")
      ->required();
  command->callback([args, &context] { RunExport(*args, context); });
}

}  // namespace memh::harness
