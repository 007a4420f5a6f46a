#include "runner/budget_proposal.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>
#include <utility>

namespace memh::harness {
namespace {

using engine::Result;
using engine::Status;

constexpr const char* kMetrics[] = {"bytes", "calls", "peak_live_bytes"};

// 5096000 -> "5_096_000" (the file's style for budgets) or "5,096,000" (its comments).
std::string Grouped(std::uint64_t value, char separator) {
  std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += separator;
    out += digits[i];
  }
  return out;
}

struct Figures {
  std::uint64_t min = UINT64_MAX, max = 0;
};

// What the results say about one scenario and variant, over every file that has it.
struct Measured {
  std::string scenario, variant;
  std::map<std::string, Figures> metrics;
  std::uint64_t repeats = 0;
  std::vector<std::string> commits;  // in the order met, each once
};

std::string CommitOf(const nlohmann::json& run) {
  if (!run.contains("git_commit") || !run["git_commit"].is_string()) return "unknown";
  std::string commit = run["git_commit"].get<std::string>();
  // Twelve hex digits name a commit unambiguously in any repository this size.
  if (commit != "unknown" && commit.size() > 12) commit.resize(12);
  if (run.value("git_dirty", false)) commit += " (dirty)";
  return commit;
}

Result<std::vector<Measured>> Collect(const std::vector<ResultsFile>& results) {
  std::vector<Measured> all;
  for (const ResultsFile& file : results) {
    const nlohmann::json& run = file.doc["run"];
    const std::string variant = run["variant"].get<std::string>();
    const std::string commit = CommitOf(run);
    for (const nlohmann::json& s : file.doc["scenarios"]) {
      if (!s.is_object() || !s.contains("name") || !s["name"].is_string()) {
        return Status::InvalidArgument(file.path, "a scenario without a name");
      }
      const std::string name = s["name"].get<std::string>();
      const std::string where = "scenario \"" + name + "\": ";
      if (s.value("verdict", "") == "nondeterministic") {
        return Status::InvalidArgument(file.path, where +
                                                      "nondeterministic (its figures differ between repeats): no "
                                                      "budget can be proposed from it");
      }
      auto it = std::find_if(all.begin(), all.end(),
                             [&](const Measured& m) { return m.scenario == name && m.variant == variant; });
      if (it == all.end()) {
        all.push_back(Measured{name, variant, {}, 0, {}});
        it = std::prev(all.end());
      }
      if (std::find(it->commits.begin(), it->commits.end(), commit) == it->commits.end()) {
        it->commits.push_back(commit);
      }
      if (s.contains("repeats") && s["repeats"].is_number_unsigned()) it->repeats += s["repeats"].get<std::uint64_t>();
      if (!s.contains("range") || !s["range"].is_object()) {
        return Status::InvalidArgument(file.path, where + "no range");
      }
      for (const char* metric : kMetrics) {
        Figures& figures = it->metrics[metric];
        for (const char* end : {"min", "max"}) {
          const nlohmann::json* value = nullptr;
          if (s["range"].contains(metric) && s["range"][metric].is_object() && s["range"][metric].contains(end)) {
            value = &s["range"][metric][end];
          }
          if (value == nullptr || !value->is_number_unsigned()) {
            return Status::InvalidArgument(file.path, where + "range." + metric + "." + end +
                                                          " is not a non-negative integer" +
                                                          (value ? ": " + value->dump() : ""));
          }
          const std::uint64_t v = value->get<std::uint64_t>();
          if (std::string_view(end) == "min") {
            figures.min = std::min(figures.min, v);
          } else {
            figures.max = std::max(figures.max, v);
          }
        }
      }
    }
  }
  return all;
}

std::string MeasuredComment(const Measured& m) {
  auto figure = [&](const char* metric) {
    const Figures& f = m.metrics.at(metric);
    return f.min == f.max ? Grouped(f.max, ',') : Grouped(f.min, ',') + ".." + Grouped(f.max, ',');
  };
  std::string commits;
  for (const std::string& c : m.commits) commits += (commits.empty() ? "" : ", ") + c;
  std::string text = "measured: " + figure("bytes") + " bytes, " + figure("calls") + " calls, peak " +
                     figure("peak_live_bytes") + " (commit " + commits;
  if (m.repeats > 0) text += ", " + std::to_string(m.repeats) + (m.repeats == 1 ? " repeat" : " repeats");
  return text + ")";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The dotted key of a table header line "[a.b]  # c" -> {"a", "b"}, or nullopt when the
// line is not a table header. Quoted parts ("a.b") are unquoted; an array of tables
// ([[...]]) is not a budget, so not a header here.
std::optional<std::vector<std::string>> HeaderKey(std::string_view line, std::string_view* comment) {
  line = Trim(line);
  if (line.size() < 2 || line[0] != '[' || line[1] == '[') return std::nullopt;
  std::vector<std::string> parts(1);
  char quote = 0;
  std::size_t i = 1;
  for (; i < line.size(); ++i) {
    const char c = line[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        parts.back() += c;
      }
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '.') {
      parts.emplace_back();
    } else if (c == ']') {
      break;
    } else if (c != ' ' && c != '\t') {
      parts.back() += c;
    }
  }
  if (i >= line.size()) return std::nullopt;
  std::string_view rest = Trim(line.substr(i + 1));
  *comment = rest;
  return parts;
}

// A "metric = value  # comment" line of one of kMetrics: where its value starts and ends.
struct KeyLine {
  std::string metric;
  std::size_t value_begin = 0, value_end = 0;
};
std::optional<KeyLine> MetricLine(const std::string& line) {
  std::size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos) return std::nullopt;
  for (const char* metric : kMetrics) {
    const std::string_view m(metric);
    if (line.compare(i, m.size(), m) != 0) continue;
    std::size_t j = line.find_first_not_of(" \t", i + m.size());
    if (j == std::string::npos || line[j] != '=') continue;  // e.g. bytes_min = ...
    j = line.find_first_not_of(" \t", j + 1);
    if (j == std::string::npos) return std::nullopt;
    std::size_t end = j;
    while (end < line.size() && (std::isdigit(static_cast<unsigned char>(line[end])) || line[end] == '_')) ++end;
    if (end == j) return std::nullopt;  // not a plain integer: left to the checks after
    return KeyLine{metric, j, end};
  }
  return std::nullopt;
}

struct Section {
  std::size_t header = 0;                       // line index of [scenario.variant]
  std::size_t last_value = 0;                   // the last key line in it
  std::map<std::string, std::size_t> metrics;  // metric -> line index
};

}  // namespace

std::uint64_t ProposedBudget(std::uint64_t measured, std::string_view metric, const ProposalOptions& options,
                             std::uint64_t lowest) {
  const double percent = options.headroom_percent.value_or(metric == "peak_live_bytes" ? 10.0 : 5.0);
  const Scaled scaled = ScaleUp(measured, BasisPoints(percent));
  std::uint64_t with_headroom = scaled.whole + (scaled.fraction && scaled.whole < UINT64_MAX ? 1 : 0);
  // A figure that moved between repeats (a multi-threaded scenario's, a peak) gets
  // at least twice its spread above the highest: ci/budgets.toml's mixed-concurrent rule.
  if (lowest < measured) {
    const std::uint64_t spread = measured - lowest;
    if (spread <= (UINT64_MAX - measured) / 2) with_headroom = std::max(with_headroom, measured + 2 * spread);
  }
  std::uint64_t step = metric == "bytes" ? 1000 : metric == "calls" ? 10 : with_headroom >= 1'000'000 ? 1000 : 10;
  if (lowest < measured) step = 10;  // mixed-concurrent's rule rounds to 10
  if (with_headroom > INT64_MAX - step) return INT64_MAX;  // the parser's largest budget
  // Rounding must not make the budget loose (the gate's default margin above the
  // figure): 12 calls + 5 % up to 20 would be 67 % above. Then a smaller step.
  const std::uint64_t loose_above = ScaleUp(measured, BasisPoints(kDefaultLooseMarginPercent)).whole;
  // A figure so small that even its headroom is past the margin (1 call + 5 % is 2,
  // 100 % above): the least room, not a whole step more.
  if (lowest >= measured && with_headroom > loose_above) step = 1;
  std::uint64_t rounded = (with_headroom + step - 1) / step * step;
  while (step > 1 && rounded > loose_above && with_headroom <= loose_above) {
    step = step == 1000 ? 10 : 1;
    rounded = (with_headroom + step - 1) / step * step;
  }
  if (rounded == 0) rounded = step;
  return rounded;
}

Result<std::string> ProposeBudgets(std::string_view budgets_text, const std::string& budgets_path,
                                   const std::vector<ResultsFile>& results, const ProposalOptions& options) {
  if (options.headroom_percent && !(*options.headroom_percent >= 0 && *options.headroom_percent <= 1000)) {
    return Status::InvalidArgument("--headroom", "a percentage from 0 to 1000");
  }
  MEMH_ASSIGN_OR_RETURN(std::vector<Measured> measured, Collect(results));
  if (measured.empty()) return Status::InvalidArgument(results.empty() ? "" : results[0].path, "no scenarios");

  // The existing file must be a valid budgets file: propose keeps its lower bounds
  // and entries, so it has to understand them.
  std::optional<BudgetFile> existing;
  if (!budgets_path.empty()) {
    MEMH_ASSIGN_OR_RETURN(existing, ParseBudgets(budgets_text, budgets_path));
  }

  std::vector<std::string> lines;
  {
    std::size_t start = 0;
    while (start < budgets_text.size()) {
      std::size_t end = budgets_text.find('\n', start);
      if (end == std::string_view::npos) end = budgets_text.size();
      lines.emplace_back(budgets_text.substr(start, end - start));
      start = end + 1;
    }
  }

  std::map<std::pair<std::string, std::string>, Section> sections;
  {
    std::optional<std::pair<std::string, std::string>> current;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      std::string_view comment;
      if (auto key = HeaderKey(lines[i], &comment)) {
        current.reset();
        if (key->size() == 2) {
          current = std::make_pair((*key)[0], (*key)[1]);
          sections[*current] = Section{i, i, {}};
        }
        continue;
      }
      if (!current) continue;
      const std::string_view trimmed = Trim(lines[i]);
      if (trimmed.empty() || trimmed[0] == '#') continue;
      Section& section = sections[*current];
      section.last_value = i;
      if (auto metric = MetricLine(lines[i])) section.metrics[metric->metric] = i;
    }
  }

  // Line index -> lines to insert after it (a metric the entry lacked).
  std::map<std::size_t, std::vector<std::string>> inserts;
  std::string appended;
  std::size_t added = 0;  // entries new to the file
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::uint64_t>> proposed;
  for (const Measured& m : measured) {
    const auto key = std::make_pair(m.scenario, m.variant);
    std::map<std::string, std::uint64_t>& budget = proposed[key];
    for (const char* metric : kMetrics)
      budget[metric] = ProposedBudget(m.metrics.at(metric).max, metric, options, m.metrics.at(metric).min);

    const Budget* old = nullptr;
    if (existing) {
      for (const Budget& b : existing->budgets) {
        if (b.scenario == m.scenario && b.variant == m.variant) old = &b;
      }
    }
    if (old != nullptr) {
      const std::string where = budgets_path + ":" + std::to_string(old->line);
      const std::pair<const char*, std::optional<std::uint64_t>> lower[] = {
          {"bytes", old->bytes_min}, {"calls", old->calls_min}, {"peak_live_bytes", old->peak_live_bytes_min}};
      for (const auto& [metric, bound] : lower) {
        if (bound && *bound > budget[metric]) {
          return Status::InvalidArgument(where, m.scenario + "." + m.variant + "." + metric + "_min: " +
                                                    std::to_string(*bound) + " is above the proposed " + metric +
                                                    " " + std::to_string(budget[metric]) +
                                                    " (the figure fell below its lower bound: lower it by hand)");
        }
      }
    }
    auto found = sections.find(key);
    if (found == sections.end()) {
      if (old != nullptr) {
        return Status::InvalidArgument(budgets_path + ":" + std::to_string(old->line),
                                       m.scenario + "." + m.variant +
                                           ": propose edits entries written as a [" + m.scenario + "." + m.variant +
                                           "] table with one key per line; rewrite this one so");
      }
      ++added;
      appended += "\n[" + m.scenario + "." + m.variant + "]  # " + MeasuredComment(m) + "\n";
      for (const char* metric : kMetrics) appended += std::string(metric) + " = " + Grouped(budget[metric], '_') + "\n";
      continue;
    }
    Section& section = found->second;
    // The header's comment: its "measured: ..." part replaced (or added), what else a
    // person wrote there kept.
    std::string& header = lines[section.header];
    const std::size_t hash = header.find('#', header.find(']'));
    if (hash == std::string::npos) {
      header = std::string(Trim(header)) + "  # " + MeasuredComment(m);
    } else {
      const std::size_t at = header.find("measured:", hash);
      if (at != std::string::npos) {
        header = header.substr(0, at) + MeasuredComment(m);
      } else {
        header = std::string(Trim(header)) + "; " + MeasuredComment(m);
      }
    }
    for (const char* metric : kMetrics) {
      auto line = section.metrics.find(metric);
      if (line == section.metrics.end()) {
        inserts[section.last_value].push_back(std::string(metric) + " = " + Grouped(budget[metric], '_'));
        continue;
      }
      std::string& text = lines[line->second];
      const KeyLine where = *MetricLine(text);
      text = text.substr(0, where.value_begin) + Grouped(budget[metric], '_') + text.substr(where.value_end);
    }
  }

  std::string out;
  if (budgets_path.empty()) {
    out += "# Allocation budgets (memharness gate --budgets): proposed by `memharness budgets propose`\n"
           "# from measured figures, the highest over each run's repeats";
    std::ostringstream rule;
    if (options.headroom_percent) {
      rule << " + " << *options.headroom_percent << " %";
    } else {
      rule << ": bytes and calls + 5 %, peak live bytes + 10 %";
    }
    out += rule.str();
    out += ",\n# rounded up (bytes to 1,000; calls to 10; the peak to 10, to 1,000 from a million).\n";
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out += lines[i] + "\n";
    auto insert = inserts.find(i);
    if (insert != inserts.end()) {
      for (const std::string& line : insert->second) out += line + "\n";
    }
  }
  out += appended;

  // The edit must say what was meant: parse it again and compare every number.
  const std::string check_path = budgets_path.empty() ? "(proposed budgets)" : budgets_path + " (proposed)";
  auto reparsed = ParseBudgets(out, check_path);
  if (!reparsed.ok()) return reparsed.status();
  for (const auto& [key, budget] : proposed) {
    const Budget* b = nullptr;
    for (const Budget& candidate : reparsed->budgets) {
      if (candidate.scenario == key.first && candidate.variant == key.second) b = &candidate;
    }
    if (b == nullptr || b->bytes != budget.at("bytes") || b->calls != budget.at("calls") ||
        b->peak_live_bytes != budget.at("peak_live_bytes")) {
      return Status::InvalidArgument(check_path, key.first + "." + key.second +
                                                     ": the line-by-line edit did not give the proposed budgets; "
                                                     "write this entry as a table with one key per line");
    }
  }
  if (existing && reparsed->budgets.size() != existing->budgets.size() + added) {
    return Status::InvalidArgument(check_path, "the edit changed which entries the file has");
  }
  return out;
}

}  // namespace memh::harness
