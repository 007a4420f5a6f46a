#include "runner/results.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "alloc/meter.h"
#include "targets/target.h"

namespace memh::harness {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Output of a short command, or "" when it fails.
std::string Capture(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string out;
  std::array<char, 256> chunk;
  while (std::fgets(chunk.data(), chunk.size(), pipe) != nullptr) out += chunk.data();
  return pclose(pipe) == 0 ? Trim(out) : "";
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return Trim(line.substr(line.find(':') + 2));
  }
  return "unknown";
}

std::string NowUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

nlohmann::ordered_json DistributionJson(const Distribution& d) {
  return {{"min", d.min}, {"p50", d.p50}, {"p90", d.p90}, {"p99", d.p99}, {"max", d.max}, {"mean", d.mean}};
}

std::vector<std::uint64_t> Field(const ScenarioRun& run, std::uint64_t alloc::OpSample::*field) {
  std::vector<std::uint64_t> values;
  values.reserve(run.samples.size());
  for (const alloc::OpSample& s : run.samples) values.push_back(s.*field);
  return values;
}

std::string Megabytes(std::uint64_t bytes) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << static_cast<double>(bytes) / kBytesPerMB << " MB";
  return out.str();
}

nlohmann::ordered_json ProbeJson(const alloc::ProbeCount& p) {
  return {{"requested", p.requested}, {"bytes", p.bytes}, {"calls", p.calls}, {"frees", p.frees},
          {"bytes_freed", p.bytes_freed}};
}

// "1234" or, when the repeats differ, "1200..1234".
std::string Spread(const FigureRange& range) {
  if (range.min == range.max) return std::to_string(range.max);
  return std::to_string(range.min) + ".." + std::to_string(range.max);
}

}  // namespace

nlohmann::ordered_json SitesJson(const SiteSummary& summary, std::uint64_t ops) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const Site& site : summary.sites) {
    nlohmann::ordered_json frames = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < site.functions.size(); ++i) {
      frames.push_back({{"function", site.functions[i]}, {"location", site.locations[i]}});
    }
    list.push_back({{"key", site.key},
                    {"role", alloc::RoleName(site.role)},
                    {"function", site.functions.empty() ? site.key : site.functions.front()},
                    {"location", site.locations.empty() ? "" : site.locations.front()},
                    {"frames", std::move(frames)},
                    {"bytes", site.counts.bytes},
                    {"calls", site.counts.calls},
                    {"frees", site.counts.frees},
                    {"bytes_freed", site.counts.bytes_freed},
                    {"bytes_per_op", static_cast<double>(site.counts.bytes) / static_cast<double>(std::max<std::uint64_t>(ops, 1))},
                    {"stacks", site.stacks},
                    {"named_by", site.named_by_source ? "source" : "module"}});
  }
  return {{"debug_info", summary.debug_info}, {"stacks", summary.stacks}, {"list", std::move(list)}};
}

std::vector<Figure> TotalsOf(const ScenarioRun& run) {
  auto u = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
  return {{"bytes", u(run.all.bytes)},
          {"calls", u(run.all.calls)},
          {"frees", u(run.all.frees)},
          {"bytes_freed", u(run.all.bytes_freed)},
          {"peak_live_bytes", u(run.peak_live_bytes)},
          {"net_bytes", run.all.net_bytes()},
          {"charged_bytes", u(run.all.charged_bytes)},
          {"background_bytes", u(run.background.bytes)},
          {"background_calls", u(run.background.calls)}};
}

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kMet: return "met";
    case Verdict::kOver: return "over";
    case Verdict::kNondeterministic: return "nondeterministic";
  }
  return "?";
}

void ScenarioReport::AddRepeat(ScenarioRun repeat) {
  const std::vector<Figure> totals = TotalsOf(repeat);
  if (repeats == 0) {
    ranges.clear();
    for (const Figure& f : totals) ranges.push_back({f.name, f.value, f.value});
    run = std::move(repeat);
  } else {
    for (std::size_t i = 0; i < totals.size(); ++i) {
      ranges[i].min = std::min(ranges[i].min, totals[i].value);
      ranges[i].max = std::max(ranges[i].max, totals[i].value);
    }
    for (std::string& d : CompareRuns(run, repeat)) {
      differences.push_back("run " + std::to_string(repeats + 1) + ": " + d);
    }
    repeats_identical = differences.empty();
  }
  ++repeats;
}

const FigureRange& ScenarioReport::Range(std::string_view figure) const {
  for (const FigureRange& r : ranges) {
    if (figure == r.name) return r;
  }
  static const FigureRange kNone{"none"};
  return kNone;  // no repeat yet
}

Verdict ScenarioReport::verdict() const {
  if (nondeterministic()) return Verdict::kNondeterministic;
  return met_target() ? Verdict::kMet : Verdict::kOver;
}

RunMetadata CollectMetadata(const std::string& variant, const std::string& source_dir) {
  RunMetadata m;
  const std::string git = "git -C '" + source_dir + "' ";
  m.git_commit = Capture(git + "rev-parse HEAD 2>/dev/null");
  m.git_branch = Capture(git + "rev-parse --abbrev-ref HEAD 2>/dev/null");
  m.git_dirty = !Capture(git + "status --porcelain --untracked-files=no 2>/dev/null").empty();
  if (m.git_commit.empty()) m.git_commit = "unknown";
  if (m.git_branch.empty()) m.git_branch = "unknown";
  m.variant = variant;
  m.knobs = LinkedTarget().knobs;
  m.compiler = "g++ " __VERSION__;
#ifdef MEMH_BUILD_TYPE
  m.build_type = MEMH_BUILD_TYPE;
#else
  m.build_type = "unknown";
#endif
  m.allocator = alloc::AllocatorName();
  m.cpu = CpuModel();
  m.started_at = NowUtc();
  m.fingerprint = CollectFingerprint(m.knobs, m.compiler, m.build_type, m.cpu);
  return m;
}

Distribution Summarize(std::vector<std::uint64_t> values) {
  Distribution d;
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  auto rank = [&](double p) {
    std::size_t index = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(index, 1, values.size()) - 1];
  };
  d.min = values.front();
  d.max = values.back();
  d.p50 = rank(0.50);
  d.p90 = rank(0.90);
  d.p99 = rank(0.99);
  long double sum = 0;
  for (std::uint64_t v : values) sum += v;
  d.mean = static_cast<double>(sum / values.size());
  return d;
}

nlohmann::ordered_json ToJson(const RunMetadata& m, const std::vector<ScenarioReport>& reports) {
  nlohmann::ordered_json doc;
  doc["schema_version"] = kResultsSchemaVersion;
  doc["run"] = {{"git_commit", m.git_commit},
                {"git_branch", m.git_branch},
                {"git_dirty", m.git_dirty},
                {"variant", m.variant},
                {"knobs", nlohmann::ordered_json::object()},
                {"compiler", m.compiler},
                {"build_type", m.build_type},
                {"allocator", m.allocator},
                {"cpu", m.cpu},
                {"started_at", m.started_at},
                {"fingerprint", FingerprintJson(m.fingerprint)},
                {"meter",
                 {{"allocator", m.allocator},
                  {"header_bytes", alloc::kHeaderBytes},
                  {"in_allocation_path", m.meter_check.passed()},
                  {"check",
                   {{"malloc", ProbeJson(m.meter_check.malloc_probe)},
                    {"operator_new", ProbeJson(m.meter_check.new_probe)}}},
                  {"sites",
                   {{"captured", m.sites_captured},
                    {"unwinder", "_Unwind_Backtrace (libgcc, DWARF call-frame information)"},
                    {"symbolizer", "addr2line (binutils)"},
                    {"key_frames", 1 + kSiteCallers}}}}}};
  for (const auto& [knob, value] : m.knobs) doc["run"]["knobs"][knob] = value;
  doc["scenarios"] = nlohmann::ordered_json::array();
  for (const ScenarioReport& r : reports) {
    const ScenarioRun& run = r.run;
    nlohmann::ordered_json s;
    s["name"] = r.name;
    s["variant"] = m.variant;
    s["ops"] = run.ops;
    s["threads"] = run.max_threads;
    s["target_bytes"] = r.target_bytes;
    s["met_target"] = r.met_target();
    s["verdict"] = VerdictName(r.verdict());
    if (r.original_bytes > 0) s["original_bytes"] = r.original_bytes;
    s["totals"] = nlohmann::ordered_json::object();
    for (const Figure& f : TotalsOf(run)) s["totals"][f.name] = f.value;
    s["range"] = nlohmann::ordered_json::object();
    for (const FigureRange& f : r.ranges) s["range"][f.name] = {{"min", f.min}, {"max", f.max}};
    s["per_op"] = {{"bytes", DistributionJson(Summarize(Field(run, &alloc::OpSample::bytes)))},
                   {"calls", DistributionJson(Summarize(Field(run, &alloc::OpSample::calls)))}};
    Distribution time = Summarize(Field(run, &alloc::OpSample::elapsed_ns));
    s["time_ns"] = {{"p50", time.p50}, {"p99", time.p99}};
    s["repeats"] = r.repeats;
    s["repeats_identical"] = r.repeats_identical;
    s["repeat_differences"] = r.differences;
    s["samples_dropped"] = run.samples_dropped;
    if (run.sites.captured) s["sites"] = SitesJson(run.sites, run.ops);
    doc["scenarios"].push_back(std::move(s));
  }
  return doc;
}

void WriteSamplesCsv(std::ostream& out, const std::string& variant, const std::vector<ScenarioReport>& reports) {
  out << "scenario,variant,op_index,op,client,bytes,calls,frees,bytes_freed,charged_bytes,elapsed_ns,"
         "background_bytes\n";
  for (const ScenarioReport& r : reports) {
    std::uint64_t previous = 0;
    for (std::size_t i = 0; i < r.run.samples.size(); ++i) {
      const alloc::OpSample& s = r.run.samples[i];
      // What the other threads allocated since the previous operation's end: every
      // thread's bytes in that window less this operation's own (docs/results_schema.md).
      const std::uint64_t window = s.process_bytes > previous ? s.process_bytes - previous : 0;
      previous = std::max(previous, s.process_bytes);
      out << r.name << ',' << variant << ',' << i << ',' << OpName(static_cast<OpKind>(s.tag)) << ',' << s.client
          << ',' << s.bytes << ',' << s.calls << ',' << s.frees << ',' << s.bytes_freed << ',' << s.charged_bytes
          << ',' << s.elapsed_ns << ',' << (window > s.bytes ? window - s.bytes : 0) << '\n';
    }
  }
}

void WriteSummaryCsv(std::ostream& out, const std::string& variant, const std::vector<ScenarioReport>& reports) {
  out << "scenario,variant,ops,bytes,bytes_per_op,calls_per_op,p99_bytes_per_op,peak_live_bytes,net_bytes,"
         "background_bytes,target_bytes,bytes_min,bytes_max,verdict\n";
  for (const ScenarioReport& r : reports) {
    const double ops = static_cast<double>(std::max<std::uint64_t>(r.run.ops, 1));
    out << r.name << ',' << variant << ',' << r.run.ops << ',' << r.run.all.bytes << ','
        << static_cast<double>(r.run.all.bytes) / ops << ',' << static_cast<double>(r.run.all.calls) / ops << ','
        << Summarize(Field(r.run, &alloc::OpSample::bytes)).p99 << ',' << r.run.peak_live_bytes << ','
        << r.run.all.net_bytes() << ',' << r.run.background.bytes << ',' << r.target_bytes << ','
        << r.Range("bytes").min << ',' << r.Range("bytes").max << ',' << VerdictName(r.verdict()) << '\n';
  }
}

void PrintTable(std::ostream& out, const std::string& variant, const std::vector<ScenarioReport>& reports) {
  out << std::left << std::setw(22) << "scenario" << std::setw(13) << "variant" << std::right << std::setw(7)
      << "ops" << std::setw(22) << "bytes" << std::setw(11) << "bytes/op" << std::setw(9) << "calls/op"
      << std::setw(12) << "p99 B/op" << std::setw(13) << "peak" << std::setw(13) << "net" << std::setw(13)
      << "target" << "  verdict\n";
  for (const ScenarioReport& r : reports) {
    const double ops = static_cast<double>(std::max<std::uint64_t>(r.run.ops, 1));
    std::string verdict;
    switch (r.verdict()) {
      case Verdict::kMet: verdict = "met"; break;
      case Verdict::kOver: verdict = "OVER by " + Megabytes(r.bytes_max() - r.target_bytes); break;
      case Verdict::kNondeterministic: verdict = "NONDETERMINISTIC (repeats differ)"; break;
    }
    // Bytes over the repeats (one figure when they agree); the other columns are the
    // first repeat's, the one whose operations were sampled.
    out << std::left << std::setw(22) << r.name << std::setw(13) << variant << std::right << std::setw(7)
        << r.run.ops << std::setw(22) << Spread(r.Range("bytes")) << std::setw(11) << std::fixed << std::setprecision(0)
        << static_cast<double>(r.run.all.bytes) / ops << std::setw(9) << std::setprecision(1)
        << static_cast<double>(r.run.all.calls) / ops << std::setw(12)
        << Summarize(Field(r.run, &alloc::OpSample::bytes)).p99 << std::setw(13) << r.run.peak_live_bytes
        << std::setw(13) << r.run.all.net_bytes() << std::setw(13) << r.target_bytes << "  " << verdict << '\n';
  }
}

}  // namespace memh::harness
