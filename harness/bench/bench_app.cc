#include "bench/bench_app.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_stores.h"
#include "bench/metering.h"
#include "bench/scenario_bench.h"
#include "bench/store_bench.h"
#include "runner/runner.h"
#include "runner/setup_cache.h"
#include "targets/target.h"

namespace memh::harness {
namespace {

constexpr std::string_view kDefaultSizes = "1000,100000";
constexpr int kDefaultScenarioRuns = 5;

// "1000,100000" -> {1000, 100000}; false on anything else (empty items, zero, junk).
bool ParseSizes(std::string_view text, std::vector<std::uint64_t>* sizes) {
  sizes->clear();
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    std::uint64_t blocks = 0;
    auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), blocks);
    if (error != std::errc() || end != item.data() + item.size() || blocks == 0) return false;
    sizes->push_back(blocks);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return !sizes->empty();
}

// "12" -> 12; false on anything else (a sign, junk, nothing, too large for an int).
bool ParseCount(std::string_view text, int* count) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *count);
  return error == std::errc() && end == text.data() + text.size() && !text.empty() && text[0] != '-';
}

// Takes --memh_* flags out of argv (as benchmark::Initialize does with its own).
std::string TakeFlag(int* argc, char** argv, std::string_view name, std::string fallback) {
  const std::string prefix = "--" + std::string(name) + "=";
  std::string value = std::move(fallback);
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with(prefix)) {
      value = std::string(arg.substr(prefix.size()));
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  return value;
}

// Takes the switch --<name> out of argv; true when it was there.
bool TakeSwitch(int* argc, char** argv, std::string_view name) {
  const std::string flag = "--" + std::string(name);
  bool seen = false;
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    if (flag == argv[i]) {
      seen = true;
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  return seen;
}

std::string EnvOr(const char* name, std::string_view fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::string(fallback);
}

}  // namespace

int RunBenchApp(int argc, char** argv, std::string_view variant) {
  const std::string program = std::string(metering::ProgramPrefix()) + "-" + std::string(variant);
  benchmark::Initialize(&argc, argv);
  const std::string sizes_text = TakeFlag(&argc, argv, "memh_sizes", EnvOr("MEMH_BENCH_SIZES", kDefaultSizes));
  const std::string parent = TakeFlag(&argc, argv, "memh_dir", EnvOr("TMPDIR", "/tmp"));
  const std::string scenarios_dir = TakeFlag(&argc, argv, "memh_scenarios", MEMH_SCENARIOS_DIR);
  const std::string runs_text = TakeFlag(&argc, argv, "memh_scenario_runs", std::to_string(kDefaultScenarioRuns));
  const bool check_allocator = TakeSwitch(&argc, argv, "memh_check_allocator");
  const bool scale_scenarios = TakeSwitch(&argc, argv, "memh_scale_scenarios");
  const std::string sites_text = TakeFlag(&argc, argv, "memh_sites", "0");
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  if (check_allocator) return metering::PrintAllocatorCheck(program);
  std::vector<std::uint64_t> sizes;
  if (!ParseSizes(sizes_text, &sizes)) {
    std::fprintf(stderr, "%s: --memh_sizes=%s: expected block counts separated by commas\n", program.c_str(),
                 sizes_text.c_str());
    return 2;
  }
  int scenario_runs = 0;
  if (!ParseCount(runs_text, &scenario_runs) || scenario_runs < 1) {
    std::fprintf(stderr, "%s: --memh_scenario_runs=%s: expected a number of runs, at least 1\n", program.c_str(),
                 runs_text.c_str());
    return 2;
  }
  int top_sites = 0;
  if (!ParseCount(sites_text, &top_sites)) {
    std::fprintf(stderr, "%s: --memh_sites=%s: expected a number of call sites to print, 0 for none\n",
                 program.c_str(), sites_text.c_str());
    return 2;
  }
  std::vector<Scenario> scenarios;
  if (scenarios_dir != "none") {
    engine::Result<std::vector<Scenario>> loaded = LoadScenarios(scenarios_dir);
    if (!loaded.ok()) {
      std::fprintf(stderr, "%s: --memh_scenarios: %s\n", program.c_str(), loaded.status().ToString().c_str());
      return 2;
    }
    // Scale scenarios (filler steps: a million-block store) are for the allocation
    // gate; timing them costs a store of a million blocks per binary, so only on request.
    for (Scenario& scenario : *loaded) {
      if (scale_scenarios || scenario.FillerBlocks() == 0) scenarios.push_back(std::move(scenario));
    }
  }

  // Before anything is measured: is the allocator what this build claims? (exits 2 if not)
  metering::Begin(program);
  if (top_sites > 0 && !metering::CaptureSites(program, top_sites)) return 2;

  // One-time initialisations (OpenSSL's digests, the engine's first use) happen here,
  // not inside whichever benchmark would come first.
  engine::Status warmed = WarmUpProcess(parent);
  if (!warmed.ok()) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), warmed.ToString().c_str());
    return 1;
  }
  engine::Result<std::unique_ptr<BenchStores>> stores = BenchStores::Make(parent);
  if (!stores.ok()) {
    std::fprintf(stderr, "%s: %s\n", program.c_str(), stores.status().ToString().c_str());
    return 1;
  }

  // The engine's "buffers,writes,locks" as before; SQLite's version and configuration.
  const TargetInfo target = LinkedTarget();
  std::string knobs;
  for (const auto& [knob, value] : target.knobs) {
    if (!knobs.empty()) knobs += target.name == "engine" ? "," : "; ";
    knobs += target.name == "engine" ? value : knob + "=" + value;
  }
  benchmark::AddCustomContext("memh_variant", std::string(variant));
  benchmark::AddCustomContext("memh_target", target.name);
  benchmark::AddCustomContext("memh_knobs", knobs);
  benchmark::AddCustomContext("memh_block_bytes", std::to_string(BenchStores::kBlockBytes));

  RegisterStoreBenchmarks(**stores, sizes);
  SetupCache setup_cache((*stores)->dir());  // filler stores, once per binary run
  RegisterScenarioBenchmarks(scenarios, (*stores)->dir(), scenario_runs, &setup_cache);
  benchmark::RunSpecifiedBenchmarks();
  metering::End();
  benchmark::Shutdown();
  return 0;
}

}  // namespace memh::harness
