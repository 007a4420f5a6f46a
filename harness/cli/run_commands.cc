// `memharness run [SCENARIO...]` and `memharness list`: run scenario files against this
// binary's store (its engine variant, or SQLite: targets/target.h) and report what they
// allocated.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "alloc/path_check.h"
#include "cli/cli_app.h"
#include "runner/results.h"
#include "runner/runner.h"
#include "runner/scenario.h"
#include "runner/setup_cache.h"

namespace memh::harness {
namespace {

namespace fs = std::filesystem;

struct RunArgs {
  std::vector<std::string> scenarios;
  std::string scenarios_dir;
  std::string out_dir = "results";
  std::string work_dir;
  int repeat = 1;
  std::string format = "table";
  std::string keep_stores;  // directory: <scenario>.mhs of the first run of each
  bool no_sites = false;    // skip call-site capture (the figures are the same either way)
};

std::string DefaultScenariosDir() {
  if (fs::is_directory("scenarios")) return "scenarios";
  return MEMH_SOURCE_DIR "/scenarios";
}

// Names become "<dir>/<name>.toml"; anything with a '/' or ending in .toml is a path.
engine::Result<std::vector<std::string>> ResolveScenarioPaths(const RunArgs& args) {
  const std::string dir = args.scenarios_dir.empty() ? DefaultScenariosDir() : args.scenarios_dir;
  std::vector<std::string> paths;
  if (args.scenarios.empty()) {
    std::error_code error;
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
      if (entry.path().extension() == ".toml") paths.push_back(entry.path().string());
    }
    if (error) return engine::Status::InvalidArgument(dir, "cannot list scenarios: " + error.message());
    std::sort(paths.begin(), paths.end());
    if (paths.empty()) return engine::Status::InvalidArgument(dir, "no *.toml scenario files");
    return paths;
  }
  for (const std::string& arg : args.scenarios) {
    bool is_path = arg.find('/') != std::string::npos || arg.ends_with(".toml");
    std::string path = is_path ? arg : dir + "/" + arg + ".toml";
    if (!fs::exists(path)) return engine::Status::InvalidArgument(path, "no such scenario file");
    paths.push_back(path);
  }
  return paths;
}

engine::Result<std::vector<Scenario>> LoadAll(const RunArgs& args) {
  MEMH_ASSIGN_OR_RETURN(std::vector<std::string> paths, ResolveScenarioPaths(args));
  std::vector<Scenario> scenarios;
  for (const std::string& path : paths) {
    MEMH_ASSIGN_OR_RETURN(Scenario scenario, LoadScenario(path));
    scenarios.push_back(std::move(scenario));
  }
  return scenarios;
}

void Progress(const std::string& line) {
  if (isatty(STDERR_FILENO)) std::fprintf(stderr, "\r\033[K%s", line.c_str());
}

void Run(const RunArgs& args, CliContext& context) {
  // Before anything is measured: a meter that does not see this process's allocations
  // would print zeros that look like figures. Exits 2 with the reason if so.
  const alloc::PathCheck meter_check = alloc::RequireInAllocationPath("memharness");
  auto scenarios = LoadAll(args);
  if (!scenarios.ok()) {
    PrintError(scenarios.status().message());
    context.exit_code = kExitBadInput;
    return;
  }
  const std::string work_dir = args.work_dir.empty() ? fs::temp_directory_path().string() : args.work_dir;
  RunMetadata metadata = CollectMetadata(context.variant, MEMH_SOURCE_DIR);
  metadata.meter_check = meter_check;
  if (engine::Status warm = WarmUpProcess(work_dir); !warm.ok()) {
    PrintError(warm.message());
    context.exit_code = kExitFailed;
    return;
  }
  // Filler stores (scale scenarios) are built once for the whole command and copied
  // for each repeat (runner/setup_cache.h).
  SetupCache setup_cache(work_dir);
  metadata.sites_captured = !args.no_sites;
  // Reserved here, before any measured step: the hooks never allocate for it.
  std::unique_ptr<SiteCapture> sites = args.no_sites ? nullptr : std::make_unique<SiteCapture>(MEMH_SOURCE_DIR);
  std::vector<ScenarioReport> reports;
  for (const Scenario& scenario : *scenarios) {
    ScenarioReport report;
    report.name = scenario.name;
    report.description = scenario.description;
    report.target_bytes = scenario.target_bytes;
    report.original_bytes = scenario.original_bytes.value_or(0);
    for (int i = 0; i < args.repeat; ++i) {
      Progress(scenario.name + " [" + context.variant + "] run " + std::to_string(i + 1) + "/" +
               std::to_string(args.repeat));
      std::string keep;
      if (i == 0 && !args.keep_stores.empty()) {
        std::error_code error;
        fs::create_directories(args.keep_stores, error);
        keep = (fs::path(args.keep_stores) / (scenario.name + ".mhs")).string();
      }
      auto run = RunScenarioOnce(scenario, work_dir, keep, &setup_cache, sites.get());
      if (!run.ok()) {
        Progress("");
        PrintError(run.status().message());
        context.exit_code = kExitFailed;
        return;
      }
      report.AddRepeat(std::move(*run));
    }
    reports.push_back(std::move(report));
  }
  Progress("");

  nlohmann::ordered_json doc = ToJson(metadata, reports);
  if (!args.out_dir.empty()) {
    std::error_code error;
    fs::create_directories(args.out_dir, error);
    fs::path json_path = fs::path(args.out_dir) / ("results-" + context.variant + ".json");
    fs::path csv_path = fs::path(args.out_dir) / ("samples-" + context.variant + ".csv");
    std::ostringstream csv;
    WriteSamplesCsv(csv, context.variant, reports);
    for (auto status : {WriteOutputFile(json_path.string(), doc.dump(2) + "\n"), WriteOutputFile(csv_path.string(), csv.str())}) {
      if (!status.ok()) {
        PrintError(status.message());
        context.exit_code = kExitFailed;
        return;
      }
    }
    std::fprintf(stderr, "wrote %s and %s\n", json_path.c_str(), csv_path.c_str());
  }
  if (args.format == "json") {
    std::cout << doc.dump(2) << '\n';
  } else if (args.format == "csv") {
    WriteSummaryCsv(std::cout, context.variant, reports);
  } else {
    PrintTable(std::cout, context.variant, reports);
  }
  // Sites without the project's debug information are named by module and offset:
  // say so once, so that nobody takes "memharness-baseline+0x1a2b" for a bug.
  for (const ScenarioReport& r : reports) {
    if (r.run.sites.captured && !r.run.sites.sites.empty() && !r.run.sites.debug_info) {
      std::fprintf(stderr, "memharness: note: no debug information for this build's code (or no addr2line): "
                           "call sites are named by module and offset\n");
      break;
    }
  }
  for (const ScenarioReport& r : reports) {
    // A single-threaded scenario that allocates differently run to run is a
    // measurement problem, not a budget question: its own verdict and exit code.
    if (r.nondeterministic()) {
      PrintError(r.name + ": nondeterministic: repeats differ (" + r.differences.front() +
                 "): the measurement is not repeatable");
      context.exit_code = kExitNondeterministic;
    }
  }
}

void List(const RunArgs& args, CliContext& context) {
  auto scenarios = LoadAll(args);
  if (!scenarios.ok()) {
    PrintError(scenarios.status().message());
    context.exit_code = kExitBadInput;
    return;
  }
  std::printf("%-24s %8s %12s  %s\n", "scenario", "ops", "target", "description");
  for (const Scenario& s : *scenarios) {
    std::printf("%-24s %8llu %12llu  %s\n", s.name.c_str(), static_cast<unsigned long long>(s.MeasuredOps()),
                static_cast<unsigned long long>(s.target_bytes), s.description.c_str());
  }
}

}  // namespace

void AddRunCommands(CLI::App& app, CliContext& context) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* run = app.add_subcommand("run", "Run scenarios and report their allocations");
  run->add_option("SCENARIO", args->scenarios, "Scenario names or .toml paths (default: every scenario)");
  run->add_option("--scenarios", args->scenarios_dir, "Directory of scenario files (default: ./scenarios)");
  run->add_option("--out", args->out_dir, "Where results-<variant>.json and samples-<variant>.csv go ('' = nowhere)")
      ->capture_default_str();
  run->add_option("--repeat", args->repeat, "Run each scenario N times and check the figures are identical")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  run->add_option("--format", args->format, "Standard output: table, json or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  run->add_option("--work-dir", args->work_dir, "Where stores are made (default: the temp directory)");
  run->add_option("--keep-stores", args->keep_stores, "Copy each scenario's final store file into this directory");
  run->add_flag("--no-sites", args->no_sites,
                "Do not charge allocations to their call sites (the other figures are the same either way)");
  run->callback([args, &context] { Run(*args, context); });

  CLI::App* list = app.add_subcommand("list", "List the scenarios");
  list->add_option("--scenarios", args->scenarios_dir, "Directory of scenario files (default: ./scenarios)");
  list->callback([args, &context] { List(*args, context); });
}

}  // namespace memh::harness
