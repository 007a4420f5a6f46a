#include "bench/scenario_bench.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "bench/metering.h"
#include "runner/runner.h"

namespace memh::harness {
namespace {

void RunScenario(benchmark::State& state, const Scenario* scenario, const std::string* work_dir,
                 SetupCache* setup_cache) {
  alloc::Counters all;
  std::uint64_t ops = 0;
  for (auto _ : state) {
    engine::Result<ScenarioRun> run = RunScenarioOnce(*scenario, *work_dir, "", setup_cache);
    if (!run.ok()) {
      state.SkipWithError(run.status().ToString().c_str());
      break;
    }
    if (run->samples_dropped != 0) {
      state.SkipWithError("the runner dropped operation samples, so their times are missing");
      break;
    }
    state.SetIterationTime(static_cast<double>(run->measured_ns) * 1e-9);
    all += run->all;
    ops += run->ops;
  }
  state.counters["measured_ops"] = benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kAvgIterations);
  metering::ReportScenarioAllocations(state, all, ops);
}

}  // namespace

engine::Result<std::vector<Scenario>> LoadScenarios(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code error;
  for (const std::filesystem::directory_entry& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".toml") paths.push_back(entry.path().string());
  }
  if (error) return engine::Status::InvalidArgument(dir, "cannot list scenarios: " + error.message());
  if (paths.empty()) return engine::Status::InvalidArgument(dir, "no *.toml scenario files");
  std::sort(paths.begin(), paths.end());
  std::vector<Scenario> scenarios;
  for (const std::string& path : paths) {
    MEMH_ASSIGN_OR_RETURN(Scenario scenario, LoadScenario(path));
    scenarios.push_back(std::move(scenario));
  }
  return scenarios;
}

void RegisterScenarioBenchmarks(const std::vector<Scenario>& scenarios, const std::string& work_dir, int runs,
                                SetupCache* setup_cache) {
  for (const Scenario& scenario : scenarios) {
    benchmark::RegisterBenchmark(("scenario/" + scenario.name).c_str(), RunScenario, &scenario, &work_dir, setup_cache)
        ->Iterations(runs)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace memh::harness
