// Results: what a `memharness run` measured, as the versioned JSON document
// (docs/results_schema.md; scripts and the CI gate read it), per-operation samples as
// CSV, and the summary table printed at the end of a run.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "memh/engine/result.h"
#include "runner/runner.h"
#include "runner/scenario.h"

namespace memh::harness {

inline constexpr int kResultsSchemaVersion = 1;
inline constexpr double kBytesPerMB = 1'000'000.0;  // our MB is decimal, everywhere

struct RunMetadata {
  std::string git_commit, git_branch;
  bool git_dirty = false;
  std::string variant, buffers, writes, locks;
  std::string compiler, build_type, allocator, cpu, started_at;
};

// Reads the build's identity and the git state of `source_dir` (unknown fields say so).
RunMetadata CollectMetadata(const std::string& variant, const std::string& source_dir);

struct ScenarioReport {
  std::string name;
  std::string description;
  std::uint64_t target_bytes = 0;
  std::uint64_t original_bytes = 0;  // 0 = none
  ScenarioRun run;                   // the first run; the others matched it or not
  int repeats = 1;
  bool repeats_identical = true;
  std::vector<std::string> differences;  // what differed between repeats
  std::uint64_t peak_min = 0;  // the peak's range over the repeats
  std::uint64_t peak_max = 0;
  bool met_target() const { return run.all.bytes <= target_bytes; }
};

struct Distribution {
  std::uint64_t min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
  double mean = 0;
};
// Nearest-rank percentiles of `values` (sorted in place).
Distribution Summarize(std::vector<std::uint64_t> values);

nlohmann::ordered_json ToJson(const RunMetadata& metadata, const std::vector<ScenarioReport>& reports);
void WriteSamplesCsv(std::ostream& out, const std::string& variant, const std::vector<ScenarioReport>& reports);
void WriteSummaryCsv(std::ostream& out, const std::string& variant, const std::vector<ScenarioReport>& reports);
void PrintTable(std::ostream& out, const std::string& variant, const std::vector<ScenarioReport>& reports);

}  // namespace memh::harness
