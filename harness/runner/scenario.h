// Scenario: a scripted workload read from a TOML file (docs/scenario_format.md): the
// store's options, setup steps (not measured), measured steps, and the allocation
// target of the measured steps. LoadScenario checks everything and reports the first
// mistake as one line: "<file>:<line>: <key>: <what is wrong>".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memh/engine/result.h"

namespace memh::harness {

enum class OpKind { kInsert, kUpdate, kSelect, kSelectInto, kRemove, kFlush, kCommit, kVacuum, kMix };
std::string_view OpName(OpKind op);

enum class KeyPattern { kSequential, kUniform, kZipfian };
enum class SizeDistribution { kFixed, kUniform, kNormal };

struct PayloadSpec {
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  SizeDistribution distribution = SizeDistribution::kFixed;
};

struct KeySpec {
  KeyPattern pattern = KeyPattern::kUniform;
  double theta = 0.99;  // zipfian skew
};

struct MixWeight {
  OpKind op;
  double weight;
};

struct Step {
  OpKind op = OpKind::kSelect;
  std::uint64_t count = 0;
  std::uint32_t threads = 1;
  std::optional<PayloadSpec> payload;
  KeySpec keys;
  std::vector<MixWeight> mix;   // kMix only
  bool vacuum_full = false;     // kVacuum only
  std::uint32_t txn_size = 0;   // kCommit: changes per transaction
  OpKind txn_op = OpKind::kUpdate;
  // Setup inserts of blocks no later step picks: the store's bulk, made once per
  // process and copied for each run (runner/setup_cache.h, docs/scenario_format.md).
  bool filler = false;
  int line = 0;
};

struct StoreSpec {
  std::uint32_t page_size = 4096;
  std::uint32_t batch_size = 200;
  std::uint32_t queue_capacity = 1000;
  std::uint32_t registry_flush_threshold = 200;
  std::uint32_t metadata_cache_capacity = 1000;
  std::uint32_t growth_min_pages = 2560;
  bool sync = false;  // "commit": fsync at commits; "none" (default): no fsync
};

struct Scenario {
  std::string name;
  std::string description;
  std::string path;
  std::uint64_t seed = 0;
  std::uint64_t target_bytes = 0;
  std::optional<std::uint64_t> original_bytes;
  StoreSpec store;
  std::uint64_t clock_start_ms = 1'700'000'000'000;
  std::uint64_t clock_step_ms = 1;
  std::vector<Step> setup;
  std::vector<Step> measured;

  std::uint64_t MeasuredOps() const;  // operations the measured steps run
  std::uint64_t FillerBlocks() const;  // blocks the filler steps insert (0: none)
};

engine::Result<Scenario> LoadScenario(const std::string& path);
// `path` names the text in messages and must end in "<name>.toml".
engine::Result<Scenario> ParseScenario(std::string_view toml_text, const std::string& path);

}  // namespace memh::harness
