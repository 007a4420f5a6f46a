// The fingerprint: what can move a run's figures without a change to the code
// measured. A compiler or standard library upgrade changes what a std::string or a
// std::map allocates; another allocator version, build type or set of knobs changes
// what is requested or charged; the CPU and kernel change times and, through the
// page size and sysconf values some code reads, occasionally bytes. Results record it
// (run.fingerprint, docs/results_schema.md); compare and gate --base print one warning
// line when base and head differ in any item, naming the items.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace memh::harness {

// (item, value) in a fixed order: compiler, cxx_stdlib, libc, allocator,
// allocator_version, build_type, knobs ("name=value,..."), cpu, kernel.
using Fingerprint = std::vector<std::pair<std::string, std::string>>;

// This process's fingerprint. `knobs` and `cpu`, `build_type` and `compiler` as the
// run's metadata already states them (results.h), so that both say the same.
Fingerprint CollectFingerprint(const std::vector<std::pair<std::string, std::string>>& knobs,
                               const std::string& compiler, const std::string& build_type, const std::string& cpu);

nlohmann::ordered_json FingerprintJson(const Fingerprint& fingerprint);

// The items in which two results documents' runs differ, as "item (base value vs head
// value)", for one warning line. Runs without a fingerprint (schema 2, or results
// written before it) are compared on the metadata every run has (compiler,
// build_type, allocator, cpu, knobs); an item either side does not record is not
// compared. Knobs are compared only between runs of the same variant: two variants
// differ in their knobs by design.
std::vector<std::string> FingerprintDifferences(const nlohmann::json& base_doc, const nlohmann::json& head_doc);

// "warning: base and head differ in what can move the figures without a code change:
// <differences>" or "" when they do not.
std::string FingerprintWarning(const nlohmann::json& base_doc, const nlohmann::json& head_doc);

}  // namespace memh::harness
