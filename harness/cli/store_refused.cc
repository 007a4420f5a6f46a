// `memharness-sqlite store ...`: the store subcommands read the engine's file format,
// which a SQLite target does not write. Linked instead of store_commands.cc into
// memharness-sqlite (CMakeLists.txt): the command exists so that its refusal is one
// clear line (exit 2) rather than CLI11's "unknown subcommand".
#include <CLI/CLI.hpp>

#include "cli/cli_app.h"

namespace memh::harness {

void AddStoreCommands(CLI::App& app, CliContext& context) {
  CLI::App* store = app.add_subcommand("store", "Not available: this binary's target is not the engine");
  store->allow_extras();
  store->prefix_command();
  store->callback([&context] {
    PrintError("store: memharness-" + context.variant +
               " measures another store than the engine; its store files are not the engine's format "
               "(use memharness-<engine variant> store ...)");
    context.exit_code = kExitBadInput;
  });
}

}  // namespace memh::harness
