// Loading and checking scenario files (docs/scenario_format.md). toml++ exceptions
// stop here: everything leaves as a Status.
#include "runner/scenario.h"


#include "runner/input_file.h"
#include "runner/toml_reader.h"

namespace memh::harness {
namespace {

using engine::Result;
using engine::Status;

constexpr std::uint64_t kMaxCount = 100'000'000;
constexpr std::uint64_t kMaxPayload = std::uint64_t{1} << 32;
constexpr std::string_view kOpList = "insert, update, select, select_into, remove, flush, commit, vacuum, mix";

std::optional<OpKind> ParseOp(std::string_view name) {
  for (OpKind op : {OpKind::kInsert, OpKind::kUpdate, OpKind::kSelect, OpKind::kSelectInto, OpKind::kRemove,
                    OpKind::kFlush, OpKind::kCommit, OpKind::kVacuum, OpKind::kMix}) {
    if (OpName(op) == name) return op;
  }
  return std::nullopt;
}

bool Writes(OpKind op) { return op == OpKind::kInsert || op == OpKind::kUpdate || op == OpKind::kCommit; }
bool PicksKeys(OpKind op) {
  return op == OpKind::kUpdate || op == OpKind::kSelect || op == OpKind::kSelectInto || op == OpKind::kRemove ||
         op == OpKind::kMix || op == OpKind::kCommit;
}

Result<PayloadSpec> ReadPayload(TomlReader& step) {
  const toml::node* node = step.Get("payload");
  if (const auto* fixed = node->as_integer()) {
    if (fixed->get() < 0 || static_cast<std::uint64_t>(fixed->get()) > kMaxPayload) {
      return step.Error("payload", std::to_string(fixed->get()) + " is out of range [0, 4294967296]");
    }
    auto size = static_cast<std::uint64_t>(fixed->get());
    return PayloadSpec{size, size, SizeDistribution::kFixed};
  }
  const toml::table* table = node->as_table();
  if (table == nullptr) return step.Error("payload", "expected a size in bytes or a table {min, max, distribution}");
  TomlReader reader(*table, step.KeyPath("payload") + ".", step.path());
  PayloadSpec spec;
  if (reader.Has("size")) {
    MEMH_ASSIGN_OR_RETURN(spec.min, reader.Integer("size", std::nullopt, 0, kMaxPayload));
    spec.max = spec.min;
  } else {
    MEMH_ASSIGN_OR_RETURN(spec.min, reader.Integer("min", std::nullopt, 0, kMaxPayload));
    MEMH_ASSIGN_OR_RETURN(spec.max, reader.Integer("max", std::nullopt, 0, kMaxPayload));
    if (spec.min > spec.max) return reader.Error("min", "is larger than max");
    MEMH_ASSIGN_OR_RETURN(std::string distribution, reader.String("distribution", "uniform"));
    if (distribution == "uniform") {
      spec.distribution = SizeDistribution::kUniform;
    } else if (distribution == "normal") {
      spec.distribution = SizeDistribution::kNormal;
    } else {
      return reader.Error("distribution", "unknown distribution \"" + distribution + "\" (expected uniform, normal)");
    }
  }
  MEMH_RETURN_IF_ERROR(reader.CheckNoUnknownKeys("size, or min, max, distribution"));
  return spec;
}

Result<KeySpec> ReadKeys(TomlReader& step) {
  const toml::node* node = step.Get("keys");
  KeySpec spec;
  std::string pattern;
  std::optional<TomlReader> reader;
  if (const auto* text = node->as_string()) {
    pattern = text->get();
  } else if (const toml::table* table = node->as_table()) {
    reader.emplace(*table, step.KeyPath("keys") + ".", step.path());
    MEMH_ASSIGN_OR_RETURN(pattern, reader->String("pattern", std::nullopt));
  } else {
    return step.Error("keys", "expected a pattern name or a table {pattern, theta}");
  }
  if (pattern == "sequential") {
    spec.pattern = KeyPattern::kSequential;
  } else if (pattern == "uniform") {
    spec.pattern = KeyPattern::kUniform;
  } else if (pattern == "zipfian") {
    spec.pattern = KeyPattern::kZipfian;
  } else {
    return step.Error("keys", "unknown key pattern \"" + pattern + "\" (expected sequential, uniform, zipfian)");
  }
  if (reader) {
    if (spec.pattern == KeyPattern::kZipfian) {
      MEMH_ASSIGN_OR_RETURN(spec.theta, reader->Number("theta", 0.99));
      if (!(spec.theta > 0 && spec.theta <= 10 && spec.theta != 1.0)) {
        return reader->Error("theta", "must be in (0, 1) or (1, 10]");
      }
    }
    MEMH_RETURN_IF_ERROR(reader->CheckNoUnknownKeys(spec.pattern == KeyPattern::kZipfian ? "pattern, theta" : "pattern"));
  }
  return spec;
}

Result<std::vector<MixWeight>> ReadMix(TomlReader& step) {
  const toml::node* node = step.Get("mix");
  if (node == nullptr) return step.Error("mix", "missing (required by op \"mix\")");
  const toml::table* table = node->as_table();
  if (table == nullptr) return step.Error("mix", "expected a table of weights, e.g. { select = 8, update = 2 }");
  TomlReader reader(*table, step.KeyPath("mix") + ".", step.path());
  std::vector<MixWeight> mix;
  for (const auto& [key, node] : *table) {
    std::optional<OpKind> op = ParseOp(key.str());
    if (!op || *op == OpKind::kFlush || *op == OpKind::kCommit || *op == OpKind::kVacuum || *op == OpKind::kMix) {
      return reader.Error(key.str(), "not an operation a mix can hold (insert, update, select, select_into, remove)");
    }
    MEMH_ASSIGN_OR_RETURN(double weight, reader.Number(key.str(), std::nullopt));
    if (!(weight > 0)) return reader.Error(key.str(), "weight must be > 0");
    mix.push_back(MixWeight{*op, weight});
  }
  if (mix.empty()) return step.Error("mix", "is empty");
  return mix;
}

Result<Step> ReadStep(const toml::table& table, const std::string& prefix, const std::string& path) {
  TomlReader reader(table, prefix, path);
  Step step;
  step.line = reader.LineOf("op");
  MEMH_ASSIGN_OR_RETURN(std::string op_name, reader.String("op", std::nullopt));
  std::optional<OpKind> op = ParseOp(op_name);
  if (!op) return reader.Error("op", "unknown operation \"" + op_name + "\" (expected " + std::string(kOpList) + ")");
  step.op = *op;
  const std::string context = "op \"" + op_name + "\"";
  MEMH_ASSIGN_OR_RETURN(step.count, reader.Integer("count", std::nullopt, 1, kMaxCount));
  MEMH_ASSIGN_OR_RETURN(std::uint64_t threads, reader.Integer("threads", 1, 1, 64));
  step.threads = static_cast<std::uint32_t>(threads);

  if (step.op == OpKind::kMix) {
    MEMH_ASSIGN_OR_RETURN(step.mix, ReadMix(reader));
  } else {
    MEMH_RETURN_IF_ERROR(reader.Forbid("mix", context));
  }
  bool needs_payload = Writes(step.op);
  for (const MixWeight& w : step.mix) needs_payload = needs_payload || Writes(w.op);
  if (needs_payload) {
    if (!reader.Has("payload")) return reader.Error("payload", "missing (required by " + context + ")");
    MEMH_ASSIGN_OR_RETURN(step.payload, ReadPayload(reader));
  } else {
    MEMH_RETURN_IF_ERROR(reader.Forbid("payload", context));
  }
  if (PicksKeys(step.op)) {
    if (reader.Has("keys")) {
      MEMH_ASSIGN_OR_RETURN(step.keys, ReadKeys(reader));
    }
  } else {
    MEMH_RETURN_IF_ERROR(reader.Forbid("keys", context + " (inserts make new keys)"));
  }
  if (step.op == OpKind::kVacuum) {
    MEMH_ASSIGN_OR_RETURN(std::string mode, reader.String("mode", "quick"));
    if (mode != "quick" && mode != "full") return reader.Error("mode", "expected \"quick\" or \"full\"");
    step.vacuum_full = mode == "full";
  } else {
    MEMH_RETURN_IF_ERROR(reader.Forbid("mode", context));
  }
  if (step.op == OpKind::kCommit) {
    MEMH_ASSIGN_OR_RETURN(std::uint64_t txn_size, reader.Integer("txn_size", std::nullopt, 1, 100000));
    step.txn_size = static_cast<std::uint32_t>(txn_size);
    MEMH_ASSIGN_OR_RETURN(std::string txn_op, reader.String("txn_op", "update"));
    if (txn_op != "update" && txn_op != "insert") return reader.Error("txn_op", "expected \"update\" or \"insert\"");
    step.txn_op = txn_op == "insert" ? OpKind::kInsert : OpKind::kUpdate;
  } else {
    MEMH_RETURN_IF_ERROR(reader.Forbid("txn_size", context));
    MEMH_RETURN_IF_ERROR(reader.Forbid("txn_op", context));
  }
  if (step.op == OpKind::kInsert) {
    MEMH_ASSIGN_OR_RETURN(step.filler, reader.Boolean("filler", false));
    // One fixed size and one thread: a filler step is a recipe for a store file that
    // runs share (runner/setup_cache.h), so it must not draw on the scenario's random
    // streams nor depend on how threads interleave.
    if (step.filler && step.payload->distribution != SizeDistribution::kFixed) {
      return reader.Error("payload", "filler blocks take one fixed size");
    }
    if (step.filler && step.threads != 1) return reader.Error("threads", "filler blocks are inserted by one thread");
  } else {
    MEMH_RETURN_IF_ERROR(reader.Forbid("filler", context));
  }
  MEMH_RETURN_IF_ERROR(
      reader.CheckNoUnknownKeys("op, count, threads, payload, keys, mix, mode, txn_size, txn_op, filler"));
  return step;
}

Result<std::vector<Step>> ReadSteps(TomlReader& top, std::string_view key, bool required) {
  std::vector<Step> steps;
  const toml::node* node = top.Get(key);
  if (node == nullptr) {
    if (required) return top.Error(key, "missing (at least one [[" + std::string(key) + "]] step is required)");
    return steps;
  }
  const toml::array* array = node->as_array();
  if (array == nullptr) return top.Error(key, "expected an array of tables ([[" + std::string(key) + "]])");
  for (std::size_t i = 0; i < array->size(); ++i) {
    std::string prefix = std::string(key) + "[" + std::to_string(i) + "].";
    const toml::table* table = array->get(i)->as_table();
    if (table == nullptr) return top.Error(key, "element " + std::to_string(i) + " is not a table");
    MEMH_ASSIGN_OR_RETURN(Step step, ReadStep(*table, prefix, top.path()));
    // The runner makes the filler store first and starts every run from a copy of it,
    // so filler steps can only be setup's first steps.
    if (step.filler && key != "setup") {
      return top.ErrorAt(step.line, prefix + "filler", "filler blocks are made before measuring (only in [[setup]])");
    }
    if (step.filler && !steps.empty() && !steps.back().filler) {
      return top.ErrorAt(step.line, prefix + "filler", "filler steps must come before every other [[setup]] step");
    }
    steps.push_back(std::move(step));
  }
  if (required && steps.empty()) return top.Error(key, "is empty (at least one step is required)");
  return steps;
}

Status ReadStore(TomlReader& top, StoreSpec* spec) {
  const toml::node* node = top.Get("store");
  if (node == nullptr) return Status::Ok();
  const toml::table* table = node->as_table();
  if (table == nullptr) return top.Error("store", "expected a table");
  TomlReader reader(*table, "store.", top.path());
  MEMH_ASSIGN_OR_RETURN(std::uint64_t page_size, reader.Integer("page_size", spec->page_size, 512, 65536));
  if ((page_size & (page_size - 1)) != 0) return reader.Error("page_size", "must be a power of two");
  spec->page_size = static_cast<std::uint32_t>(page_size);
  auto small = [&](std::string_view key, std::uint32_t* out) -> Status {
    MEMH_ASSIGN_OR_RETURN(std::uint64_t v, reader.Integer(key, *out, 1, 1'000'000));
    *out = static_cast<std::uint32_t>(v);
    return Status::Ok();
  };
  MEMH_RETURN_IF_ERROR(small("batch_size", &spec->batch_size));
  MEMH_RETURN_IF_ERROR(small("queue_capacity", &spec->queue_capacity));
  MEMH_RETURN_IF_ERROR(small("registry_flush_threshold", &spec->registry_flush_threshold));
  MEMH_RETURN_IF_ERROR(small("growth_min_pages", &spec->growth_min_pages));
  MEMH_ASSIGN_OR_RETURN(std::uint64_t cache, reader.Integer("metadata_cache_capacity", spec->metadata_cache_capacity, 0, 1'000'000));
  spec->metadata_cache_capacity = static_cast<std::uint32_t>(cache);
  if (spec->queue_capacity < spec->batch_size) return reader.Error("queue_capacity", "is smaller than batch_size");
  MEMH_ASSIGN_OR_RETURN(std::string sync, reader.String("sync", "none"));
  if (sync != "none" && sync != "commit") return reader.Error("sync", "expected \"none\" or \"commit\"");
  spec->sync = sync == "commit";
  return reader.CheckNoUnknownKeys(
      "page_size, batch_size, queue_capacity, registry_flush_threshold, metadata_cache_capacity, growth_min_pages, sync");
}

std::string StemOf(const std::string& path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  return base.size() > 5 && base.ends_with(".toml") ? base.substr(0, base.size() - 5) : base;
}

}  // namespace

std::string_view OpName(OpKind op) {
  switch (op) {
    case OpKind::kInsert: return "insert";
    case OpKind::kUpdate: return "update";
    case OpKind::kSelect: return "select";
    case OpKind::kSelectInto: return "select_into";
    case OpKind::kRemove: return "remove";
    case OpKind::kFlush: return "flush";
    case OpKind::kCommit: return "commit";
    case OpKind::kVacuum: return "vacuum";
    case OpKind::kMix: return "mix";
  }
  return "?";
}

std::uint64_t Scenario::MeasuredOps() const {
  std::uint64_t ops = 0;
  for (const Step& step : measured) ops += step.count;
  return ops;
}

std::uint64_t Scenario::FillerBlocks() const {
  std::uint64_t blocks = 0;
  for (const Step& step : setup) {
    if (step.filler) blocks += step.count;
  }
  return blocks;
}

Result<Scenario> ParseScenario(std::string_view text, const std::string& path) {
  MEMH_ASSIGN_OR_RETURN(toml::table root, ParseTomlText(text, path));
  TomlReader top(root, "", path);
  Scenario scenario;
  scenario.path = path;
  MEMH_ASSIGN_OR_RETURN(scenario.name, top.String("name", std::nullopt));
  if (scenario.name != StemOf(path)) {
    return top.Error("name", "\"" + scenario.name + "\" differs from the file name \"" + StemOf(path) +
                                 ".toml\" (a copied file whose name was not changed?)");
  }
  MEMH_ASSIGN_OR_RETURN(scenario.description, top.String("description", std::nullopt));
  MEMH_ASSIGN_OR_RETURN(scenario.seed, top.Integer("seed", std::nullopt, 0, INT64_MAX));
  MEMH_ASSIGN_OR_RETURN(scenario.target_bytes, top.Integer("target_bytes", std::nullopt, 1, INT64_MAX));
  if (top.Has("original_bytes")) {
    MEMH_ASSIGN_OR_RETURN(scenario.original_bytes, top.Integer("original_bytes", std::nullopt, 1, INT64_MAX));
  }
  MEMH_RETURN_IF_ERROR(ReadStore(top, &scenario.store));
  if (const toml::node* clock = top.Get("clock")) {
    const toml::table* table = clock->as_table();
    if (table == nullptr) return top.Error("clock", "expected a table");
    TomlReader reader(*table, "clock.", path);
    MEMH_ASSIGN_OR_RETURN(scenario.clock_start_ms, reader.Integer("start_ms", scenario.clock_start_ms, 0, INT64_MAX));
    MEMH_ASSIGN_OR_RETURN(scenario.clock_step_ms, reader.Integer("step_ms", scenario.clock_step_ms, 0, 1'000'000));
    MEMH_RETURN_IF_ERROR(reader.CheckNoUnknownKeys("start_ms, step_ms"));
  }
  MEMH_ASSIGN_OR_RETURN(scenario.setup, ReadSteps(top, "setup", /*required=*/false));
  MEMH_ASSIGN_OR_RETURN(scenario.measured, ReadSteps(top, "measured", /*required=*/true));
  MEMH_RETURN_IF_ERROR(top.CheckNoUnknownKeys(
      "name, description, seed, target_bytes, original_bytes, store, clock, setup, measured"));
  return scenario;
}

Result<Scenario> LoadScenario(const std::string& path) {
  MEMH_ASSIGN_OR_RETURN(std::string text, ReadInputFile(path));
  return ParseScenario(text, path);
}

}  // namespace memh::harness
