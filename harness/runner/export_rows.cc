#include "runner/export_rows.h"

#include <stdexcept>

namespace memh::harness {
namespace {

using engine::Result;
using engine::Status;
using nlohmann::json;

// Unusable input inside a document; ReadExportRun turns it into one line naming the file.
struct BadFigure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A figure is an integer, read as one: never a float converted (the meter counts
// bytes and calls; a fractional or huge float is a doctored file, not a rounding).
std::int64_t Integer(const json& value, const std::string& what, bool may_be_negative) {
  if (value.is_number_unsigned()) {
    if (value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      throw BadFigure(what + " is out of range: " + value.dump());
    }
    return static_cast<std::int64_t>(value.get<std::uint64_t>());
  }
  if (value.is_number_integer() && may_be_negative) return value.get<std::int64_t>();
  throw BadFigure(what + " is not " + (may_be_negative ? "an integer" : "a non-negative integer") + ": " +
                  value.dump());
}

std::optional<std::uint64_t> OptionalCount(const json& object, const char* key, const std::string& where) {
  if (!object.contains(key)) return std::nullopt;
  return static_cast<std::uint64_t>(Integer(object[key], where + key, false));
}

std::string OptionalString(const json& object, const char* key) {
  return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : "";
}

ExportFigure FigureOf(const json& scenario, const char* key, const std::string& where) {
  ExportFigure figure;
  const json& totals = scenario.at("totals");
  if (!totals.is_object() || !totals.contains(key)) throw BadFigure(where + "totals." + key + " is missing");
  figure.value = Integer(totals[key], where + "totals." + key, false);
  if (scenario.contains("range") && scenario["range"].is_object() && scenario["range"].contains(key)) {
    const json& range = scenario["range"][key];
    if (!range.is_object() || !range.contains("min") || !range.contains("max")) {
      throw BadFigure(where + "range." + key + " is not {min, max}");
    }
    figure.min = Integer(range["min"], where + "range." + key + ".min", false);
    figure.max = Integer(range["max"], where + "range." + key + ".max", false);
    // The first repeat is one of the repeats: a range that leaves it out is not a
    // range of these figures, and every format that carries bounds would contradict itself.
    if (!(*figure.min <= figure.value && figure.value <= *figure.max)) {
      throw BadFigure(where + "range." + key + " [" + std::to_string(*figure.min) + ", " +
                      std::to_string(*figure.max) + "] does not hold totals." + key + " " +
                      std::to_string(figure.value));
    }
  }
  return figure;
}

ExportRow RowOf(const json& scenario, const std::string& variant) {
  if (!scenario.is_object() || !scenario.contains("name") || !scenario["name"].is_string()) {
    throw BadFigure("a scenario without a name");
  }
  ExportRow row;
  row.scenario = scenario["name"].get<std::string>();
  row.variant = variant;
  const std::string where = "scenario \"" + row.scenario + "\": ";
  if (!scenario.contains("totals")) throw BadFigure(where + "no totals");
  row.bytes = FigureOf(scenario, "bytes", where);
  row.calls = FigureOf(scenario, "calls", where);
  row.peak_live_bytes = FigureOf(scenario, "peak_live_bytes", where);
  if (scenario["totals"].contains("net_bytes")) {
    row.net_bytes = Integer(scenario["totals"]["net_bytes"], where + "totals.net_bytes", true);
  }
  row.ops = OptionalCount(scenario, "ops", where);
  row.threads = OptionalCount(scenario, "threads", where);
  row.repeats = OptionalCount(scenario, "repeats", where);
  if (scenario.contains("time_ns") && scenario["time_ns"].is_object()) {
    row.time_p50_ns = OptionalCount(scenario["time_ns"], "p50", where + "time_ns.");
  }
  row.verdict = OptionalString(scenario, "verdict");
  return row;
}

}  // namespace

Result<ExportRun> ReadExportRun(const ResultsFile& file) {
  const json& doc = file.doc;
  const json& run = doc.at("run");  // LoadResults checked run.variant and scenarios
  ExportRun out;
  out.path = file.path;
  out.variant = run.at("variant").get<std::string>();
  out.git_commit = OptionalString(run, "git_commit");
  out.git_branch = OptionalString(run, "git_branch");
  out.build_type = OptionalString(run, "build_type");
  out.allocator = OptionalString(run, "allocator");
  out.cpu = OptionalString(run, "cpu");
  out.started_at = OptionalString(run, "started_at");
  if (run.contains("git_dirty") && run["git_dirty"].is_boolean()) out.git_dirty = run["git_dirty"].get<bool>();
  if (run.contains("knobs") && run["knobs"].is_object()) {
    for (const auto& [knob, value] : run["knobs"].items()) {
      out.knobs.emplace_back(knob, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  try {
    for (const json& scenario : doc.at("scenarios")) out.rows.push_back(RowOf(scenario, out.variant));
  } catch (const BadFigure& e) {
    return Status::InvalidArgument(file.path, e.what());
  } catch (const json::exception& e) {
    return Status::InvalidArgument(file.path, e.what());
  }
  return out;
}

Result<std::vector<ExportRun>> LoadExportRuns(const std::vector<std::string>& paths) {
  std::vector<ExportRun> runs;
  for (const std::string& path : paths) {
    MEMH_ASSIGN_OR_RETURN(ResultsFile file, LoadResults(path));
    MEMH_ASSIGN_OR_RETURN(ExportRun run, ReadExportRun(file));
    for (const ExportRun& earlier : runs) {
      for (const ExportRow& a : earlier.rows) {
        for (const ExportRow& b : run.rows) {
          if (a.scenario == b.scenario && a.variant == b.variant) {
            return Status::InvalidArgument(path, "scenario \"" + b.scenario + "\" of variant " + b.variant +
                                                     " is also in " + earlier.path +
                                                     " (one benchmark name each: export one of them)");
          }
        }
      }
    }
    for (std::size_t i = 0; i < run.rows.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (run.rows[i].scenario == run.rows[j].scenario) {
          return Status::InvalidArgument(path, "scenario \"" + run.rows[i].scenario + "\" appears twice");
        }
      }
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

}  // namespace memh::harness
