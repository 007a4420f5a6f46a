// `memharness export`'s formats (docs/exports.md), one function each, all written from
// the same rows (export_rows.h) so that CI services read the meter's exact figures:
//   bmf       Bencher Metric Format: {"<scenario>/<variant>": {"<measure>": {value,
//             lower_value?, upper_value?}}}
//   gab       github-action-benchmark's customSmallerIsBetter: [{name, unit, value,
//             range?, extra?}]
//   benchfmt  the Go benchmark format (golang.org/design/14313-benchmark-format), with
//             `Unit ... assume=exact` lines for benchstat
//   gbench    Google Benchmark's JSON output with its memory-manager fields filled
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "memh/engine/result.h"
#include "runner/export_rows.h"

namespace memh::harness {

// "bmf|gab|benchfmt|gbench": what --format takes and its error message lists.
inline constexpr std::string_view kExportFormats = "bmf|gab|benchfmt|gbench";

std::string ExportBmf(const std::vector<ExportRun>& runs);
std::string ExportGab(const std::vector<ExportRun>& runs);
// Errors: a scenario or variant with no valid Go benchmark name, or two scenarios
// whose names map to one (the mapping is in docs/exports.md).
engine::Result<std::string> ExportBenchfmt(const std::vector<ExportRun>& runs);
// Errors: a scenario without ops or time_ns.p50 (Google Benchmark's iterations and
// times have nothing else to come from).
engine::Result<std::string> ExportGbench(const std::vector<ExportRun>& runs);

// An InvalidArgument naming the format when it is none of kExportFormats (checked
// before any file is read, so a typo is reported as itself).
engine::Status CheckExportFormat(std::string_view format);
// The export in `format` (CheckExportFormat's error for an unknown one).
engine::Result<std::string> Export(std::string_view format, const std::vector<ExportRun>& runs);

// The Go benchmark name of a scenario: "update-500" -> "Update500" (every run of
// letters and digits, its first letter upper-cased, joined); "" when that does not start
// with an upper-case letter.
std::string GoBenchmarkName(std::string_view scenario);

}  // namespace memh::harness
