// Benchmarks of the scenario files' measured steps: "scenario/<name>" for each
// scenarios/*.toml. Each iteration runs the scenario once with the runner
// (RunScenarioOnce: a new store, the setup steps, then the measured steps, as
// `memharness run` does) and reports as its time (manual time) the sum of the measured
// operations' own times as the runner takes them (OpSample.elapsed_ns: each operation
// from its start to its end on its client thread). So the time is per run of the
// scenario, and left out of it are the setup steps, making and closing the store, and
// the runner's final wait for the engine's writer thread after the last operation: the
// writer's work is in the time only where an operation waits for it (a flush, a
// vacuum, a full queue). With several client threads (mixed-concurrent) the threads'
// times add up: operation time, not wall time.
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

namespace memh::harness {

// Every *.toml in `dir`, in name order; the first unusable one is the error.
engine::Result<std::vector<Scenario>> LoadScenarios(const std::string& dir);

// Registers scenario/<name> for each scenario, `runs` iterations each, running in a
// fresh directory under `work_dir` each time. `scenarios` and `work_dir` must outlive
// the benchmarks' run.
void RegisterScenarioBenchmarks(const std::vector<Scenario>& scenarios, const std::string& work_dir, int runs);

}  // namespace memh::harness
