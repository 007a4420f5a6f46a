#include "cli/cli_app.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "runner/input_file.h"
#include "targets/target.h"

namespace memh::harness {

void PrintError(std::string_view message) {
  const std::string line = OneLine("memharness: " + std::string(message));  // one line, always
  std::fprintf(stderr, "%s\n", line.c_str());
}

engine::Status WriteOutputFile(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return engine::Status::IOError(path, "cannot write");
  return engine::Status::Ok();
}

int RunCli(int argc, char** argv, std::string_view variant) {
  CliContext context;
  context.variant.assign(variant);
  // The store this binary measures (targets/target.h): the engine variant it links and
  // its knobs, or SQLite and its configuration.
  const TargetInfo target = LinkedTarget();
  std::string knobs;
  for (const auto& [knob, value] : target.knobs) knobs += (knobs.empty() ? "" : ", ") + knob + " " + value;
  CLI::App app("memharness: exact heap-allocation measurement of a single-file block store.\n"
               "This binary's " + (target.name == "engine" ? std::string("engine: variant ") : target.name + ": ") +
               context.variant + " (" + knobs + ")",
               "memharness");
  app.require_subcommand(1);
  app.set_version_flag("--version", "memharness 0.1 (" + context.variant + ")");
  AddRunCommands(app, context);
  AddGateCommands(app, context);
  AddBudgetsCommands(app, context);
  AddCompareCommands(app, context);
  AddExportCommands(app, context);
  AddStoreCommands(app, context);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::printf("%s", app.help().c_str());
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    std::printf("%s", app.help("", CLI::AppFormatMode::All).c_str());
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    std::printf("%s\n", e.what());
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    PrintError(std::string(e.what()) + " (see memharness --help)");
    return kExitBadInput;
  }
  return context.exit_code;
}

}  // namespace memh::harness
