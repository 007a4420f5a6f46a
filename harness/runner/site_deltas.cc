#include "runner/site_deltas.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace memh::harness {
namespace {

SiteFigures FiguresOf(const nlohmann::json& site) {
  SiteFigures f;
  f.key = site.at("key").get<std::string>();
  f.role = site.at("role").get<std::string>();
  f.function = site.value("function", f.key);
  f.location = site.value("location", "");
  if (site.contains("frames") && site["frames"].is_array()) {
    for (const nlohmann::json& frame : site["frames"]) f.frames.push_back(frame.value("function", ""));
  }
  if (f.frames.size() > 1) f.caller = f.frames[1];
  f.bytes = site.at("bytes").get<std::int64_t>();
  f.calls = site.at("calls").get<std::int64_t>();
  return f;
}

std::string Where(const SiteFigures& site) {
  std::string text = site.function + (site.caller.empty() ? "" : " <- " + site.caller) + " [" + site.role + "]";
  if (!site.location.empty()) text += " " + site.location;
  return text;
}

std::string Signed(std::int64_t value) { return (value > 0 ? "+" : "") + std::to_string(value); }

}  // namespace

bool HasSites(const nlohmann::json& scenario) {
  return scenario.is_object() && scenario.contains("sites") && scenario["sites"].is_object() &&
         scenario["sites"].contains("list") && scenario["sites"]["list"].is_array();
}

std::vector<SiteFigures> TopSites(const nlohmann::json& scenario, const std::string& by, std::size_t limit) {
  std::vector<SiteFigures> sites;
  if (!HasSites(scenario)) return sites;
  for (const nlohmann::json& site : scenario["sites"]["list"]) sites.push_back(FiguresOf(site));
  const bool calls = by == "calls";
  std::stable_sort(sites.begin(), sites.end(), [&](const SiteFigures& a, const SiteFigures& b) {
    return calls ? a.calls > b.calls : a.bytes > b.bytes;
  });
  if (sites.size() > limit) sites.resize(limit);
  return sites;
}

std::vector<SiteDelta> SiteDeltas(const nlohmann::json& base_scenario, const nlohmann::json& head_scenario) {
  std::map<std::pair<std::string, std::string>, SiteDelta> deltas;
  if (HasSites(base_scenario)) {
    for (const nlohmann::json& site : base_scenario["sites"]["list"]) {
      SiteFigures f = FiguresOf(site);
      SiteDelta& d = deltas[{f.key, f.role}];
      d.base = std::move(f);
      d.in_base = true;
    }
  }
  if (HasSites(head_scenario)) {
    for (const nlohmann::json& site : head_scenario["sites"]["list"]) {
      SiteFigures f = FiguresOf(site);
      SiteDelta& d = deltas[{f.key, f.role}];
      d.head = std::move(f);
      d.in_head = true;
    }
  }
  std::vector<SiteDelta> out;
  for (auto& [id, delta] : deltas) out.push_back(std::move(delta));
  return out;
}

SiteChanges TopChanges(const nlohmann::json& base_scenario, const nlohmann::json& head_scenario, std::size_t limit) {
  SiteChanges c;
  for (SiteDelta& d : SiteDeltas(base_scenario, head_scenario)) {
    if (!d.in_base) c.added.push_back(d);
    if (!d.in_head) c.vanished.push_back(d);
    if (d.bytes_change() > 0 || (d.bytes_change() == 0 && d.calls_change() > 0)) c.grew.push_back(d);
    if (d.bytes_change() < 0 || (d.bytes_change() == 0 && d.calls_change() < 0)) c.shrank.push_back(d);
  }
  auto by_growth = [](const SiteDelta& a, const SiteDelta& b) {
    return a.bytes_change() != b.bytes_change() ? a.bytes_change() > b.bytes_change()
                                                : a.calls_change() > b.calls_change();
  };
  auto by_bytes = [](const SiteDelta& a, const SiteDelta& b) {
    return std::max(a.head.bytes, a.base.bytes) > std::max(b.head.bytes, b.base.bytes);
  };
  std::stable_sort(c.grew.begin(), c.grew.end(), by_growth);
  std::stable_sort(c.shrank.begin(), c.shrank.end(), [&](const SiteDelta& a, const SiteDelta& b) { return by_growth(b, a); });
  std::stable_sort(c.added.begin(), c.added.end(), by_bytes);
  std::stable_sort(c.vanished.begin(), c.vanished.end(), by_bytes);
  c.added_count = c.added.size();
  c.vanished_count = c.vanished.size();
  for (auto* list : {&c.grew, &c.shrank, &c.added, &c.vanished}) {
    if (list->size() > limit) list->resize(limit);
  }
  return c;
}

std::string SiteLine(const SiteFigures& site, std::int64_t scenario_bytes) {
  char share[32] = "";
  if (scenario_bytes > 0) {
    std::snprintf(share, sizeof share, " (%.1f %%)", static_cast<double>(site.bytes) * 100.0 / static_cast<double>(scenario_bytes));
  }
  return std::to_string(site.bytes) + " B" + share + " in " + std::to_string(site.calls) + " calls: " + Where(site);
}

std::string DeltaLine(const SiteDelta& delta) {
  std::string line = Signed(delta.bytes_change()) + " B, " + Signed(delta.calls_change()) + " calls: " + Where(delta.named());
  if (!delta.in_base) line += " (new)";
  if (!delta.in_head) line += " (vanished)";
  return line;
}

nlohmann::ordered_json SiteDeltaJson(const SiteDelta& d) {
  const SiteFigures& n = d.named();
  return {{"key", n.key},
          {"role", n.role},
          {"function", n.function},
          {"caller", n.caller},
          {"frames", n.frames},
          {"location", n.location},
          {"base_bytes", d.base.bytes},
          {"head_bytes", d.head.bytes},
          {"bytes_change", d.bytes_change()},
          {"base_calls", d.base.calls},
          {"head_calls", d.head.calls},
          {"calls_change", d.calls_change()},
          {"new", !d.in_base},
          {"vanished", !d.in_head}};
}

}  // namespace memh::harness
