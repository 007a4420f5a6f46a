// The memharness command line (CLI11). Subcommands register themselves from their own
// files; main.cc only passes argv and the variant label. Every error is one line on
// stderr, "memharness: <what>", and a non-zero exit: 1 for a failed check (a store
// that does not verify, a budget exceeded), 2 for unusable input (and for a meter that
// is not in the allocation path), 3 for figures that differ between repeats of a
// single-threaded scenario (nondeterministic: they cannot be held to anything).
#pragma once

#include <string>
#include <string_view>

#include "memh/engine/status.h"

namespace CLI {
class App;
}

namespace memh::harness {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitNondeterministic = 3;

// Shared by the subcommands: what the binary is and where the command's result goes.
struct CliContext {
  std::string variant;  // "baseline", "optimized", ... (from the build)
  int exit_code = kExitOk;
};

// Prints "memharness: <message>" to stderr.
void PrintError(std::string_view message);
// Writes `text` to `path`, replacing it; an IOError naming the path when it cannot.
engine::Status WriteOutputFile(const std::string& path, std::string_view text);

void AddStoreCommands(CLI::App& app, CliContext& context);
void AddRunCommands(CLI::App& app, CliContext& context);
void AddGateCommands(CLI::App& app, CliContext& context);
void AddBudgetsCommands(CLI::App& app, CliContext& context);
void AddCompareCommands(CLI::App& app, CliContext& context);
void AddExportCommands(CLI::App& app, CliContext& context);

int RunCli(int argc, char** argv, std::string_view variant);

}  // namespace memh::harness
