#include "runner/export_formats.h"

#include <cctype>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace memh::harness {
namespace {

using engine::Result;
using engine::Status;
using ordered_json = nlohmann::ordered_json;

// The three totals every format carries, by the name each format gives them. The Go
// units follow the testing package's B/op and allocs/op so that benchstat scales and
// labels them as it does Go's own; the peak gets a unit of its own because it is not
// exact (it may move between repeats: results_schema.md, "Repeats").
struct Measure {
  const ExportFigure ExportRow::*figure;
  const char* bmf_slug;   // Bencher: a measure slug (kebab case, made on first use)
  const char* gab_label;  // github-action-benchmark: appended to the benchmark name
  const char* gab_unit;
  const char* go_unit;
};
constexpr Measure kMeasures[] = {
    {&ExportRow::bytes, "allocated-bytes", "allocated bytes", "bytes", "B/op"},
    {&ExportRow::calls, "allocation-calls", "allocation calls", "calls", "allocs/op"},
    {&ExportRow::peak_live_bytes, "peak-live-bytes", "peak live bytes", "bytes", "peak-B/op"},
};
// The Go units whose figures repeat to the byte in a single-threaded scenario: benchstat
// compares them without statistics, even one run against one.
constexpr const char* kExactGoUnits[] = {"B/op", "allocs/op"};

std::string BenchmarkName(const ExportRow& row) { return row.scenario + "/" + row.variant; }

bool HasRange(const ExportFigure& figure) { return figure.min.has_value() && figure.max.has_value(); }

// A Go configuration key starts with a lower-case letter and holds no space and no
// upper-case letter (14313-benchmark-format, "Configuration Lines").
bool ValidGoKey(std::string_view key) {
  if (key.empty() || !std::islower(static_cast<unsigned char>(key[0]))) return false;
  for (char c : key) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c)) || c == ':') {
      return false;
    }
  }
  return true;
}

// The variant goes into the name as the sub-benchmark key "variant=<variant>": no space
// or slash (they would end or split the name), and no trailing "-<digits>", which Go
// reads as the GOMAXPROCS suffix.
bool ValidGoVariant(std::string_view variant) {
  if (variant.empty()) return false;
  for (char c : variant) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != '+') return false;
  }
  std::size_t digits = 0;
  while (digits < variant.size() && std::isdigit(static_cast<unsigned char>(variant[variant.size() - 1 - digits]))) {
    ++digits;
  }
  return !(digits > 0 && digits < variant.size() && variant[variant.size() - 1 - digits] == '-');
}

// The configuration lines of one results file, in a fixed order; values never hold a
// line break (the format's one restriction on them).
std::vector<std::pair<std::string, std::string>> GoConfig(const ExportRun& run) {
  std::vector<std::pair<std::string, std::string>> config;
  auto add = [&](std::string key, std::string value) {
    for (char& c : value) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    if (!value.empty() && value != "unknown") config.emplace_back(std::move(key), std::move(value));
  };
  add("commit", run.git_commit);
  add("branch", run.git_branch);
  if (run.git_dirty) add("dirty", *run.git_dirty ? "true" : "false");
  add("build-type", run.build_type);
  add("allocator", run.allocator);
  add("cpu", run.cpu);
  for (const auto& [knob, value] : run.knobs) add(knob, value);
  return config;
}

std::string RangeText(const ExportFigure& figure) {
  return std::to_string(*figure.min) + ".." + std::to_string(*figure.max);
}

// github-action-benchmark shows `extra` in a chart's tooltip: what the figure is of.
std::string GabExtra(const ExportRun& run, const ExportRow& row) {
  std::ostringstream extra;
  extra << "variant: " << row.variant;
  if (row.ops) extra << "\nops: " << *row.ops;
  if (row.threads) extra << "\nthreads: " << *row.threads;
  if (row.repeats) extra << "\nrepeats: " << *row.repeats;
  if (!row.verdict.empty()) extra << "\nverdict: " << row.verdict;
  if (!run.git_commit.empty()) extra << "\ncommit: " << run.git_commit;
  return extra.str();
}

}  // namespace

std::string GoBenchmarkName(std::string_view scenario) {
  std::string name;
  bool word_start = true;
  for (char c : scenario) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      word_start = true;
      continue;
    }
    name += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    word_start = false;
  }
  if (name.empty() || !std::isupper(static_cast<unsigned char>(name[0]))) return "";
  return name;
}

std::string ExportBmf(const std::vector<ExportRun>& runs) {
  ordered_json doc = ordered_json::object();
  for (const ExportRun& run : runs) {
    for (const ExportRow& row : run.rows) {
      ordered_json measures = ordered_json::object();
      for (const Measure& m : kMeasures) {
        const ExportFigure& figure = row.*m.figure;
        ordered_json metric = {{"value", figure.value}};
        if (HasRange(figure)) {
          metric["lower_value"] = *figure.min;
          metric["upper_value"] = *figure.max;
        }
        measures[m.bmf_slug] = std::move(metric);
      }
      doc[BenchmarkName(row)] = std::move(measures);
    }
  }
  return doc.dump(2) + "\n";
}

std::string ExportGab(const std::vector<ExportRun>& runs) {
  ordered_json doc = ordered_json::array();
  for (const ExportRun& run : runs) {
    for (const ExportRow& row : run.rows) {
      for (const Measure& m : kMeasures) {
        const ExportFigure& figure = row.*m.figure;
        ordered_json entry = {{"name", BenchmarkName(row) + " " + m.gab_label},
                              {"unit", m.gab_unit},
                              {"value", figure.value}};
        if (HasRange(figure)) entry["range"] = RangeText(figure);
        entry["extra"] = GabExtra(run, row);
        doc.push_back(std::move(entry));
      }
    }
  }
  return doc.dump(2) + "\n";
}

Result<std::string> ExportBenchfmt(const std::vector<ExportRun>& runs) {
  std::ostringstream out;
  out << "# memharness export --format benchfmt: one iteration is one run of a scenario's measured steps;\n"
         "# its figures are that run's exact totals (docs/exports.md).\n";
  for (const char* unit : kExactGoUnits) out << "Unit " << unit << " assume=exact\n";
  std::map<std::string, std::string> go_names;  // Go name -> scenario, to refuse two on one
  std::vector<std::string> set_keys;           // configuration the previous file set
  for (const ExportRun& run : runs) {
    if (!ValidGoVariant(run.variant)) {
      return Status::InvalidArgument(run.path, "variant \"" + run.variant +
                                                   "\" cannot be part of a Go benchmark name (letters, digits and "
                                                   "-_.+ only, not ending in -<digits>)");
    }
    // Configuration holds until changed: a key the previous file set and this one
    // lacks is unset (an empty value), or it would describe this file's benchmarks too.
    out << '\n';
    const auto config = GoConfig(run);
    for (const std::string& key : set_keys) {
      bool kept = false;
      for (const auto& [k, v] : config) kept = kept || k == key;
      if (!kept) out << key << ":\n";
    }
    set_keys.clear();
    for (const auto& [key, value] : config) {
      if (!ValidGoKey(key)) {
        return Status::InvalidArgument(run.path, "run metadata key \"" + key + "\" is not a Go configuration key");
      }
      out << key << ": " << value << '\n';
      set_keys.push_back(key);
    }
    for (const ExportRow& row : run.rows) {
      const std::string name = GoBenchmarkName(row.scenario);
      if (name.empty()) {
        return Status::InvalidArgument(run.path, "scenario \"" + row.scenario +
                                                     "\" has no Go benchmark name (it must start with a letter)");
      }
      auto [it, inserted] = go_names.emplace(name, row.scenario);
      if (!inserted && it->second != row.scenario) {
        return Status::InvalidArgument(run.path, "scenarios \"" + it->second + "\" and \"" + row.scenario +
                                                     "\" both map to the Go name Benchmark" + name);
      }
      out << "Benchmark" << name << "/variant=" << row.variant << " 1";
      for (const Measure& m : kMeasures) out << ' ' << (row.*m.figure).value << ' ' << m.go_unit;
      out << '\n';
    }
  }
  return out.str();
}

Result<std::string> ExportGbench(const std::vector<ExportRun>& runs) {
  ordered_json doc;
  ordered_json context = {{"date", runs.empty() ? "" : runs.front().started_at},
                          {"executable", "memharness"},
                          {"memh_source", "memharness export --format gbench (docs/exports.md)"}};
  ordered_json sources = ordered_json::array();
  for (const ExportRun& run : runs) {
    sources.push_back({{"path", run.path},
                       {"variant", run.variant},
                       {"git_commit", run.git_commit},
                       {"started_at", run.started_at},
                       {"allocator", run.allocator}});
  }
  context["memh_results"] = std::move(sources);
  doc["context"] = std::move(context);
  doc["benchmarks"] = ordered_json::array();
  std::int64_t family = 0;
  for (const ExportRun& run : runs) {
    for (const ExportRow& row : run.rows) {
      const std::string where = "scenario \"" + row.scenario + "\": ";
      if (!row.ops || *row.ops == 0) return Status::InvalidArgument(run.path, where + "no ops (Google Benchmark's iterations)");
      if (!row.time_p50_ns) return Status::InvalidArgument(run.path, where + "no time_ns.p50 (Google Benchmark's times)");
      const std::string name = BenchmarkName(row);
      ordered_json b;
      b["name"] = name;
      b["family_index"] = family++;
      b["per_family_instance_index"] = 0;
      b["run_name"] = name;
      b["run_type"] = "iteration";
      b["repetitions"] = 1;  // one entry: the first repeat, whose totals these are
      b["repetition_index"] = 0;
      b["threads"] = row.threads.value_or(1);
      // An iteration is one measured operation, so that the times are per operation
      // (the median, as measured with the meter's hooks in place). The runner measures
      // no CPU time; cpu_time repeats the wall time because compare.py needs the field.
      b["iterations"] = *row.ops;
      b["real_time"] = *row.time_p50_ns;
      b["cpu_time"] = *row.time_p50_ns;
      b["time_unit"] = "ns";
      // The MemoryManager's fields, as Google Benchmark names them: allocations per
      // iteration, and the run's peak, total and net bytes.
      b["allocs_per_iter"] = static_cast<double>(row.calls.value) / static_cast<double>(*row.ops);
      b["max_bytes_used"] = row.peak_live_bytes.value;
      b["total_allocated_bytes"] = row.bytes.value;
      if (row.net_bytes) b["net_heap_growth"] = *row.net_bytes;  // absent when unknown, as Google Benchmark does
      doc["benchmarks"].push_back(std::move(b));
    }
  }
  return doc.dump(2) + "\n";
}

Status CheckExportFormat(std::string_view format) {
  for (std::string_view known : {"bmf", "gab", "benchfmt", "gbench"}) {
    if (format == known) return Status::Ok();
  }
  return Status::InvalidArgument("--format " + std::string(format),
                                 "unknown export format (expected " + std::string(kExportFormats) + ")");
}

Result<std::string> Export(std::string_view format, const std::vector<ExportRun>& runs) {
  MEMH_RETURN_IF_ERROR(CheckExportFormat(format));
  if (format == "bmf") return ExportBmf(runs);
  if (format == "gab") return ExportGab(runs);
  if (format == "benchfmt") return ExportBenchfmt(runs);
  return ExportGbench(runs);
}

}  // namespace memh::harness
