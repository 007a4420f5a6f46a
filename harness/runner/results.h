// Results: what a `memharness run` measured, as the versioned JSON document
// (docs/results_schema.md; scripts and the CI gate read it), per-operation samples as
// CSV, and the summary table printed at the end of a run.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "alloc/path_check.h"
#include "memh/engine/result.h"
#include "runner/fingerprint.h"
#include "runner/runner.h"
#include "runner/scenario.h"
#include "runner/schema_version.h"

namespace memh::harness {

inline constexpr double kBytesPerMB = 1'000'000.0;  // our MB is decimal, everywhere

struct RunMetadata {
  std::string git_commit, git_branch;
  bool git_dirty = false;
  std::string variant;
  // The linked target's knobs (targets/target.h): the engine's buffers, writes and
  // locks, or SQLite's version and configuration.
  std::vector<std::pair<std::string, std::string>> knobs;
  std::string compiler, build_type, allocator, cpu, started_at;
  Fingerprint fingerprint;  // what can move the figures without a code change (fingerprint.h)
  alloc::PathCheck meter_check;  // proof the meter was counting (path_check.h)
  bool sites_captured = false;   // whether the scenarios' call sites were captured (sites.h)
};

// Reads the build's identity and the git state of `source_dir` (unknown fields say so).
RunMetadata CollectMetadata(const std::string& variant, const std::string& source_dir);

// One figure of a run's totals, by its name in the results document.
struct Figure {
  const char* name;
  std::int64_t value;
};
// Every total of a run, in the document's order (the JSON, the ranges and the CSV
// all read this one list).
std::vector<Figure> TotalsOf(const ScenarioRun& run);

struct FigureRange {
  const char* name;
  std::int64_t min = 0, max = 0;
};

// What a scenario's repeats say, as the table, the JSON, the gate and the exit code
// all give it: a single-threaded scenario whose bytes, calls or per-operation figures
// differ between repeats is nondeterministic, whatever its bytes.
enum class Verdict { kMet, kOver, kNondeterministic };
const char* VerdictName(Verdict verdict);  // "met" | "over" | "nondeterministic"

struct ScenarioReport {
  std::string name;
  std::string description;
  std::uint64_t target_bytes = 0;
  std::uint64_t original_bytes = 0;  // 0 = none
  ScenarioRun run;                   // the first repeat: the one the samples are of
  int repeats = 0;
  bool repeats_identical = true;
  std::vector<std::string> differences;  // what differed between repeats
  std::vector<FigureRange> ranges;       // every total's lowest and highest over the repeats

  // Takes one more repeat: the first is kept whole, later ones are compared with it
  // (CompareRuns) and widen the ranges.
  void AddRepeat(ScenarioRun repeat);
  const FigureRange& Range(std::string_view figure) const;
  // Bytes held against the target: the highest over the repeats.
  std::uint64_t bytes_max() const { return static_cast<std::uint64_t>(Range("bytes").max); }
  bool met_target() const { return bytes_max() <= target_bytes; }
  bool nondeterministic() const { return !repeats_identical && run.max_threads == 1; }
  Verdict verdict() const;
};

struct Distribution {
  std::uint64_t min = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
  double mean = 0;
};
// Nearest-rank percentiles of `values` (sorted in place).
Distribution Summarize(std::vector<std::uint64_t> values);

// A scenario's sites as the results document gives them (docs/results_schema.md).
nlohmann::ordered_json SitesJson(const SiteSummary& sites, std::uint64_t ops);

nlohmann::ordered_json ToJson(const RunMetadata& metadata, const std::vector<ScenarioReport>& reports);
void WriteSamplesCsv(std::ostream& out, const std::string& variant, const std::vector<ScenarioReport>& reports);
void WriteSummaryCsv(std::ostream& out, const std::string& variant, const std::vector<ScenarioReport>& reports);
void PrintTable(std::ostream& out, const std::string& variant, const std::vector<ScenarioReport>& reports);

}  // namespace memh::harness
