// What `memharness export` takes from results documents (docs/results_schema.md): per
// scenario and variant the meter's exact totals, their range over the repeats, and the
// run's metadata. Every format (export_formats.h) is written from these rows only, so
// the formats cannot disagree about a figure and none reads the JSON on its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "memh/engine/result.h"
#include "runner/budgets.h"

namespace memh::harness {

// One total: the first repeat's figure (`totals`, what `run` prints) and, when the
// results have it, the lowest and highest over the repeats (`range`).
struct ExportFigure {
  std::int64_t value = 0;
  std::optional<std::int64_t> min, max;
};

struct ExportRow {
  std::string scenario, variant;
  ExportFigure bytes, calls, peak_live_bytes;
  // Present in every document `run` writes; the Google Benchmark format needs them
  // (iterations, times, net_heap_growth) and refuses a document that lacks them.
  std::optional<std::uint64_t> ops, threads, repeats, time_p50_ns;
  std::optional<std::int64_t> net_bytes;
  std::string verdict;  // "" when absent
};

// One results file: its rows and the run metadata the formats carry as configuration.
struct ExportRun {
  std::string path;
  std::string variant;
  std::string git_commit, git_branch, build_type, allocator, cpu, started_at;  // "" when absent
  std::optional<bool> git_dirty;
  std::vector<std::pair<std::string, std::string>> knobs;
  std::vector<ExportRow> rows;
};

// The rows of a document LoadResults accepted. Errors name the file: a figure that is
// not an integer (or is negative where a count must not be), a range that does not
// hold its first repeat, a scenario without totals.
engine::Result<ExportRun> ReadExportRun(const ResultsFile& file);

// Reads every file (LoadResults: the same schema-version and meter-proof refusals as
// gate and compare) and refuses two rows of one scenario and variant: every format
// names a benchmark by scenario and variant, and two would collide.
engine::Result<std::vector<ExportRun>> LoadExportRuns(const std::vector<std::string>& paths);

}  // namespace memh::harness
