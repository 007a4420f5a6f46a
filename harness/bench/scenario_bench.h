// Benchmarks of the scenario files' measured steps: "scenario/<name>" for each
// scenarios/*.toml (the scale scenarios, with filler steps, only given
// --memh_scale_scenarios: bench_app.cc). Each iteration runs the scenario once with the runner
// (RunScenarioOnce: a new store, the setup steps, then the measured steps, as
// `memharness run` does) and reports as its time (manual time) the wall time of the
// measured steps (ScenarioRun.measured_ns: from the first measured operation until the
// engine's writer thread has applied everything they queued). So the time is per run
// of the scenario, the writer's work included, and the setup steps, making and closing
// the store are left out.
//
// Each benchmark runs a fixed number of iterations (`runs`), not Google Benchmark's
// --benchmark_min_time: the setup steps, which are not timed, can take far longer than
// the measured steps, which the minimum time would count alone. Google Benchmark names
// them "scenario/<name>/iterations:<runs>/manual_time".
//
// Metered build (metering.h): bytes_per_op and allocs_per_op are the measured steps'
// totals, every thread, over their operations, which are the figures `memharness run`
// reports for the scenario (bytes/op, calls/op). The MemoryManager's fields cover its
// whole extra run, setup included.
#pragma once

#include <string>
#include <vector>

#include "memh/engine/result.h"
#include "runner/scenario.h"
#include "runner/setup_cache.h"

namespace memh::harness {

// Every *.toml in `dir`, in name order; the first unusable one is the error.
engine::Result<std::vector<Scenario>> LoadScenarios(const std::string& dir);

// Registers scenario/<name> for each scenario, `runs` iterations each, running in a
// fresh directory under `work_dir` each time, a scale scenario from `setup_cache`'s
// filler store. `scenarios`, `work_dir` and `setup_cache` must outlive the benchmarks' run.
void RegisterScenarioBenchmarks(const std::vector<Scenario>& scenarios, const std::string& work_dir, int runs,
                                SetupCache* setup_cache);

}  // namespace memh::harness
