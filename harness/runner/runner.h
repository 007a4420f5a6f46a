// The scenario runner: makes a store in a fresh directory, runs the setup steps, then
// the measured steps inside one meter Region with every operation marked, and the
// engine's clock fixed by the scenario, so that a run is repeatable to the byte.
// Background work of the measured steps is waited for (Target::Drain) inside the
// region, so the engine's writer thread is counted in full.
// The store is the Target the executable links (targets/target.h): the engine variant
// of memharness-<variant>, or SQLite in memharness-sqlite. The runner drives only that
// interface; its store files are named <scenario><LinkedTarget().file_extension>.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "alloc/region.h"
#include "memh/engine/options.h"
#include "memh/engine/result.h"
#include "runner/scenario.h"
#include "runner/sites.h"

namespace memh::harness {

class SetupCache;

struct ScenarioRun {
  alloc::Counters all;         // every thread, measured steps
  alloc::Counters clients;     // the scenario's client threads
  alloc::Counters background;  // everything else (the engine's writer thread)
  std::uint64_t peak_live_bytes = 0;
  std::vector<alloc::OpSample> samples;  // one per measured operation; tag = OpKind
  std::uint64_t samples_dropped = 0;
  std::uint64_t ops = 0;
  std::uint32_t max_threads = 1;
  // Wall time of the measured steps, from the region's start until the engine's
  // background work was drained (what the steps cost, the writer thread included).
  std::uint64_t measured_ns = 0;
  SiteSummary sites;  // captured = false unless the run was given a SiteCapture
};

// Makes the process's one-time initialisations happen now, outside any measurement:
// a short workload in a scratch store of the linked target under `work_dir` (OpenSSL loads its
// digest implementations on first use, for instance, and would otherwise be counted
// in whichever scenario runs first). Idempotent.
engine::Status WarmUpProcess(const std::string& work_dir);

// Runs `scenario` once in a new directory under `work_dir` (removed afterwards).
// With `keep_store` set, the closed store file is copied there (the differential tests
// compare the files different variants leave). A scenario with filler steps starts
// from a copy of the store they make, reopened, taken from `setup_cache` (one that
// lives as long as the calls that share it), or built for this run alone when null.
// With `sites`, every allocation of the measured steps is also charged to its call
// site (sites.h); no other figure changes.
engine::Result<ScenarioRun> RunScenarioOnce(const Scenario& scenario, const std::string& work_dir,
                                            const std::string& keep_store = "", SetupCache* setup_cache = nullptr,
                                            SiteCapture* sites = nullptr);

// The engine options a scenario's [store] table stands for, on `clock`.
engine::StoreOptions StoreOptionsFor(const StoreSpec& spec, engine::Clock* clock);

// What differs between two runs' allocation figures (empty when identical): bytes,
// calls, frees, charged and background bytes, every operation's sample, and when both
// captured them every site's bytes and calls. The peak is left out on purpose (see
// CompareRuns in runner.cc).
std::vector<std::string> CompareRuns(const ScenarioRun& a, const ScenarioRun& b);

}  // namespace memh::harness
