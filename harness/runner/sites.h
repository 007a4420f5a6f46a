// Call sites of a scenario: the stacks the meter captured during the measured steps
// (alloc/site_capture.h), named (symbolize.h) and reduced to stable site keys.
//
// A site's key is the innermost frame in this project's own code (a source file under
// engine/, harness/ or tests/ of the source tree, the meter's harness/alloc/ excepted)
// and up to kSiteCallers of its callers, inlined frames included, each by its function
// name ("memh::engine::Store::Put <- memh::harness::EngineTarget::Write <- ..."), so
// that the same code on two branches or two builds has the same key: no address, file
// or line reaches it. Sites are kept apart by thread role (client, background).
// Stacks without any frame of the project's code with debug information are named by
// their innermost frames, each by module and offset ("libfoo.so.1+0x1a2b", stable only
// for the same build of that module), and `named_by_source` says so. A frame without
// line information is always named so (a symbol table's nearest name may be wrong).
//
// Two pseudo-sites keep the sums exact: "(untracked stacks)" for allocations whose
// stack could not be kept, and "(freed here, allocated before the measured steps)" for
// frees of older blocks. So the sites' bytes, calls, frees and bytes_freed sum exactly
// to the scenario's totals, and per role their bytes and calls to the client and
// background totals. A free is charged to the site (and role) that allocated the block.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "alloc/site_capture.h"
#include "runner/symbolize.h"

namespace memh::harness {

inline constexpr int kSiteCallers = 3;  // callers kept in a key, after the innermost frame
inline constexpr const char* kUntrackedSite = "(untracked stacks)";
inline constexpr const char* kFreedBeforeSite = "(freed here, allocated before the measured steps)";

struct Site {
  std::string key;
  alloc::ThreadRole role = alloc::ThreadRole::kClient;
  // The key's frames, innermost first: each "function" and, with debug information,
  // "file:line" relative to the source tree, of the stack with the most bytes.
  std::vector<std::string> functions;
  std::vector<std::string> locations;
  alloc::SiteCounts counts;
  std::uint64_t stacks = 0;  // distinct captured stacks merged into this site
  bool named_by_source = false;
};

struct SiteSummary {
  bool captured = false;     // whether the run captured sites at all
  bool debug_info = false;   // at least one site was named from the project's debug info
  std::uint64_t stacks = 0;  // distinct captured stacks
  std::vector<Site> sites;   // by bytes, then calls, then frees, highest first; then key
};

// What a run keeps to capture sites: the table, reserved once before any measured
// step, the symbolizer's cache, and the source tree whose code is the project's.
struct SiteCapture {
  explicit SiteCapture(std::string source_dir_in, std::size_t capacity = 4096)
      : table(capacity), source_dir(std::move(source_dir_in)) {}
  alloc::SiteTable table;
  Symbolizer symbolizer;
  std::string source_dir;
};

// Names the stacks of `table` (disarmed) and merges them into sites.
SiteSummary SummarizeSites(const alloc::SiteTable& table, Symbolizer& symbolizer, const std::string& source_dir);

// Sum of the sites' counts (for one role, or all).
alloc::SiteCounts SumSites(const SiteSummary& summary);
alloc::SiteCounts SumSites(const SiteSummary& summary, alloc::ThreadRole role);

}  // namespace memh::harness
