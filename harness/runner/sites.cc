#include "runner/sites.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

namespace memh::harness {
namespace {

struct NamedFrame {
  std::string function;  // short function name, or module+offset when unknown
  std::string location;  // "file:line" relative to the source tree, or ""
  bool project = false;  // in this project's code (not the meter's)
  std::string module;    // set when named by module and offset (no line information)
};

bool IsProjectFile(const std::string& file, const std::string& source_dir) {
  if (source_dir.empty() || file.size() <= source_dir.size() + 1) return false;
  if (file.compare(0, source_dir.size(), source_dir) != 0 || file[source_dir.size()] != '/') return false;
  // The meter's own code is where every stack starts, never a site.
  return file.compare(source_dir.size() + 1, 14, "harness/alloc/") != 0;
}

std::string Relative(const std::string& file, const std::string& source_dir) {
  if (!source_dir.empty() && file.compare(0, source_dir.size() + 1, source_dir + "/") == 0) {
    return file.substr(source_dir.size() + 1);
  }
  return file;
}

// One return address's frames, innermost (inlined) first.
void AppendFrames(const CodeLocation& location, const std::string& source_dir, std::vector<NamedFrame>& out) {
  // Without line information (a module without debug information, or no addr2line),
  // the module and offset: a symbol table's nearest name can be the wrong function.
  const bool has_file = location.known() && !location.frames.back().file.empty();
  if (!has_file) {
    char offset[32];
    std::snprintf(offset, sizeof offset, "+0x%llx", static_cast<unsigned long long>(location.offset));
    out.push_back({location.module + offset, "", false, location.module});
    return;
  }
  for (const SourceFrame& frame : location.frames) {
    NamedFrame named;
    named.function = frame.function.empty() ? location.module + "+?" : ShortFunctionName(frame.function);
    if (!frame.file.empty()) named.location = Relative(frame.file, source_dir) + ":" + std::to_string(frame.line);
    named.project = IsProjectFile(frame.file, source_dir);
    out.push_back(std::move(named));
  }
}

void Add(alloc::SiteCounts& into, const alloc::SiteCounts& c) {
  into.bytes += c.bytes;
  into.calls += c.calls;
  into.frees += c.frees;
  into.bytes_freed += c.bytes_freed;
}

bool Empty(const alloc::SiteCounts& c) { return c.bytes == 0 && c.calls == 0 && c.frees == 0 && c.bytes_freed == 0; }

}  // namespace

SiteSummary SummarizeSites(const alloc::SiteTable& table, Symbolizer& symbolizer, const std::string& source_dir) {
  SiteSummary summary;
  summary.captured = true;
  const std::vector<alloc::RawStack> stacks = table.Stacks();
  summary.stacks = stacks.size();
  std::vector<std::uintptr_t> pcs;
  for (const alloc::RawStack& stack : stacks) pcs.insert(pcs.end(), stack.frames.begin(), stack.frames.end());
  const std::vector<const CodeLocation*> locations = symbolizer.Lookup(pcs);

  std::map<std::pair<int, std::string>, Site> merged;
  std::map<std::pair<int, std::string>, std::uint64_t> best_bytes;
  std::size_t next = 0;
  for (const alloc::RawStack& stack : stacks) {
    std::vector<NamedFrame> frames;
    for (std::size_t i = 0; i < stack.frames.size(); ++i) AppendFrames(*locations[next + i], source_dir, frames);
    next += stack.frames.size();
    std::size_t first = 0;
    while (first < frames.size() && !frames[first].project) ++first;
    const bool by_source = first < frames.size();
    if (!by_source) first = 0;
    Site site;
    site.role = stack.role;
    site.named_by_source = by_source;
    for (std::size_t i = first; i < frames.size() && i <= first + kSiteCallers; ++i) {
      // A caller without line information below a site named from source (a system
      // library's thread start, say) is named by its module alone: no offset in a key
      // that need not have one.
      if (by_source && !frames[i].module.empty()) frames[i].function = "[" + frames[i].module + "]";
      site.functions.push_back(frames[i].function);
      site.locations.push_back(frames[i].location);
      site.key += (site.key.empty() ? "" : " <- ") + frames[i].function;
    }
    if (site.key.empty()) site.key = "(no frames)";
    const auto id = std::make_pair(static_cast<int>(stack.role), site.key);
    auto [it, inserted] = merged.try_emplace(id, site);
    Add(it->second.counts, stack.counts);
    it->second.stacks += 1;
    if (inserted || stack.counts.bytes > best_bytes[id]) {
      it->second.locations = site.locations;
      best_bytes[id] = stack.counts.bytes;
    }
    summary.debug_info = summary.debug_info || by_source;
  }
  for (alloc::ThreadRole role : {alloc::ThreadRole::kClient, alloc::ThreadRole::kBackground}) {
    for (const auto& [name, counts] : {std::make_pair(kUntrackedSite, table.Untracked(role)),
                                       std::make_pair(kFreedBeforeSite, table.FreedBefore(role))}) {
      if (Empty(counts)) continue;
      Site site;
      site.key = name;
      site.role = role;
      site.functions = {name};
      site.locations = {""};
      site.counts = counts;
      merged.emplace(std::make_pair(static_cast<int>(role), site.key), site);
    }
  }
  for (auto& [id, site] : merged) summary.sites.push_back(std::move(site));
  std::sort(summary.sites.begin(), summary.sites.end(), [](const Site& a, const Site& b) {
    return std::make_tuple(b.counts.bytes, b.counts.calls, b.counts.frees, a.key, static_cast<int>(a.role)) <
           std::make_tuple(a.counts.bytes, a.counts.calls, a.counts.frees, b.key, static_cast<int>(b.role));
  });
  return summary;
}

alloc::SiteCounts SumSites(const SiteSummary& summary) {
  alloc::SiteCounts sum;
  for (const Site& site : summary.sites) Add(sum, site.counts);
  return sum;
}

alloc::SiteCounts SumSites(const SiteSummary& summary, alloc::ThreadRole role) {
  alloc::SiteCounts sum;
  for (const Site& site : summary.sites) {
    if (site.role == role) Add(sum, site.counts);
  }
  return sum;
}

}  // namespace memh::harness
