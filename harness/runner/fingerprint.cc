#include "runner/fingerprint.h"

#include <gnu/libc-version.h>
#include <sys/utsname.h>

#include <algorithm>
#include <iterator>

#include "alloc/meter.h"

namespace memh::harness {
namespace {

std::string CxxStandardLibrary() {
#if defined(__GLIBCXX__)
  return "libstdc++ " + std::to_string(_GLIBCXX_RELEASE) + " (" + std::to_string(__GLIBCXX__) + ")";
#elif defined(_LIBCPP_VERSION)
  return "libc++ " + std::to_string(_LIBCPP_VERSION);
#else
  return "unknown";
#endif
}

std::string Kernel() {
  struct utsname name;
  if (uname(&name) != 0) return "unknown";
  return std::string(name.sysname) + " " + name.release + " " + name.machine;
}

std::string KnobsText(const std::vector<std::pair<std::string, std::string>>& knobs) {
  std::string text;
  for (const auto& [knob, value] : knobs) {
    if (!text.empty()) text += ",";
    text += knob + "=" + value;
  }
  return text;
}

std::string KnobsText(const nlohmann::json& knobs) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [knob, value] : knobs.items()) pairs.emplace_back(knob, value.is_string() ? value.get<std::string>() : value.dump());
  return KnobsText(pairs);
}

// The items in the order CollectFingerprint gives them (a document read back as
// nlohmann::json has its keys sorted): warnings name them in this order.
constexpr const char* kItemOrder[] = {"compiler",   "cxx_stdlib", "libc", "allocator", "allocator_version",
                                      "build_type", "knobs",      "cpu",  "kernel"};

// The fingerprint a document's run states: run.fingerprint, else what every run's
// metadata has. Known items first, in their order, then any others.
std::vector<std::pair<std::string, std::string>> StatedItems(const nlohmann::json& doc) {
  std::vector<std::pair<std::string, std::string>> items;
  if (!doc.contains("run") || !doc["run"].is_object()) return items;
  const nlohmann::json& run = doc["run"];
  auto text = [](const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); };
  if (run.contains("fingerprint") && run["fingerprint"].is_object()) {
    const nlohmann::json& fingerprint = run["fingerprint"];
    for (const char* item : kItemOrder) {
      if (fingerprint.contains(item)) items.emplace_back(item, text(fingerprint[item]));
    }
    for (const auto& [item, value] : fingerprint.items()) {
      if (std::find(std::begin(kItemOrder), std::end(kItemOrder), item) == std::end(kItemOrder)) {
        items.emplace_back(item, text(value));
      }
    }
    return items;
  }
  for (const char* item : {"compiler", "allocator", "build_type", "cpu"}) {
    if (run.contains(item) && run[item].is_string()) items.emplace_back(item, run[item].get<std::string>());
  }
  if (run.contains("knobs") && run["knobs"].is_object()) items.emplace_back("knobs", KnobsText(run["knobs"]));
  return items;
}

std::string VariantOf(const nlohmann::json& doc) {
  if (doc.contains("run") && doc["run"].is_object() && doc["run"].contains("variant") &&
      doc["run"]["variant"].is_string()) {
    return doc["run"]["variant"].get<std::string>();
  }
  return "";
}

}  // namespace

Fingerprint CollectFingerprint(const std::vector<std::pair<std::string, std::string>>& knobs,
                               const std::string& compiler, const std::string& build_type, const std::string& cpu) {
  return {{"compiler", compiler},
          {"cxx_stdlib", CxxStandardLibrary()},
          {"libc", std::string("glibc ") + gnu_get_libc_version()},
          {"allocator", alloc::AllocatorName()},
          {"allocator_version", alloc::AllocatorVersion()},
          {"build_type", build_type},
          {"knobs", KnobsText(knobs)},
          {"cpu", cpu},
          {"kernel", Kernel()}};
}

nlohmann::ordered_json FingerprintJson(const Fingerprint& fingerprint) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (const auto& [item, value] : fingerprint) json[item] = value;
  return json;
}

std::vector<std::string> FingerprintDifferences(const nlohmann::json& base_doc, const nlohmann::json& head_doc) {
  const auto base = StatedItems(base_doc);
  const auto head = StatedItems(head_doc);
  const bool same_variant = VariantOf(base_doc) == VariantOf(head_doc);
  std::vector<std::string> differences;
  for (const auto& [item, base_value] : base) {
    if (item == "knobs" && !same_variant) continue;
    for (const auto& [head_item, head_value] : head) {
      if (head_item != item) continue;
      if (head_value != base_value) differences.push_back(item + " (" + base_value + " vs " + head_value + ")");
      break;
    }
  }
  return differences;
}

std::string FingerprintWarning(const nlohmann::json& base_doc, const nlohmann::json& head_doc) {
  const std::vector<std::string> differences = FingerprintDifferences(base_doc, head_doc);
  if (differences.empty()) return "";
  std::string line = "warning: base and head differ in what can move the figures without a code change: ";
  for (std::size_t i = 0; i < differences.size(); ++i) line += (i > 0 ? "; " : "") + differences[i];
  return line;
}

}  // namespace memh::harness
