// Call sites as the readers of results documents use them (gate, compare): a
// scenario's top sites, and what changed per site between two documents, each as one
// short line. Sites are matched by key and thread role (runner/sites.h: keys carry no
// address, so two builds' sites match). Documents of schema version 2 have no sites:
// every function here then gives nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace memh::harness {

struct SiteFigures {
  std::string key, role, function, location;
  std::string caller;  // the key's second frame, "" when it has one frame
  std::vector<std::string> frames;  // the key's functions, innermost first
  std::int64_t bytes = 0, calls = 0;
};

struct SiteDelta {
  SiteFigures base, head;  // an absent side has zero figures
  bool in_base = false, in_head = false;
  std::int64_t bytes_change() const { return head.bytes - base.bytes; }
  std::int64_t calls_change() const { return head.calls - base.calls; }
  const SiteFigures& named() const { return in_head ? head : base; }
};

// Whether a scenario entry carries sites (schema 3 with capture on).
bool HasSites(const nlohmann::json& scenario);
// The scenario's sites, highest `by` ("bytes" or "calls") first, at most `limit`.
// Throws nlohmann::json::exception on a malformed entry.
std::vector<SiteFigures> TopSites(const nlohmann::json& scenario, const std::string& by, std::size_t limit);
// Every site of either side, unordered.
std::vector<SiteDelta> SiteDeltas(const nlohmann::json& base_scenario, const nlohmann::json& head_scenario);

struct SiteChanges {
  std::vector<SiteDelta> grew, shrank;     // by bytes, most first (new and vanished sites included)
  std::vector<SiteDelta> added, vanished;  // sites only in head / only in base, most bytes first
  std::size_t added_count = 0, vanished_count = 0;
};
// The `limit` sites of each kind that changed most.
SiteChanges TopChanges(const nlohmann::json& base_scenario, const nlohmann::json& head_scenario, std::size_t limit);

// "2100000 B (44.1 %) in 500 calls: memh::engine::Store::Put <- memh::engine::Store::Write [client]
// engine/src/store/store.cc:88": the innermost function, its caller (two sites may share
// the function), role and location.
std::string SiteLine(const SiteFigures& site, std::int64_t scenario_bytes);
// "+2100000 B, +500 calls: memh::engine::Store::Put <- ... [client] engine/src/store/store.cc:88 (new)"
std::string DeltaLine(const SiteDelta& delta);

nlohmann::ordered_json SiteDeltaJson(const SiteDelta& delta);

}  // namespace memh::harness
