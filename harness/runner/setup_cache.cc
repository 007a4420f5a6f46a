#include "runner/setup_cache.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "memh/engine/clock.h"
#include "runner/key_space.h"
#include "runner/runner.h"
#include "targets/target.h"

namespace memh::harness {
namespace {

// Filler payload bytes: the same for every scenario, so that scenarios with the same
// filler steps and store share one file whatever their seeds.
constexpr std::uint64_t kFillerSeed = 0x66696c6c6572;  // "filler"

// Everything that decides the filler store's bytes, as text.
std::string RecipeOf(const Scenario& scenario) {
  const StoreSpec& s = scenario.store;
  std::string recipe = "store " + std::to_string(s.page_size) + " " + std::to_string(s.batch_size) + " " +
                       std::to_string(s.queue_capacity) + " " + std::to_string(s.registry_flush_threshold) + " " +
                       std::to_string(s.metadata_cache_capacity) + " " + std::to_string(s.growth_min_pages) + " " +
                       (s.sync ? "commit" : "none") + "; clock " + std::to_string(scenario.clock_start_ms) + " " +
                       std::to_string(scenario.clock_step_ms);
  for (const Step& step : scenario.setup) {
    if (!step.filler) break;  // filler steps come first (LoadScenario checks)
    recipe += "; filler " + std::to_string(step.count) + " x " + std::to_string(step.payload->min);
  }
  return recipe;
}

}  // namespace

engine::Result<std::string> SetupCache::FillerStore(const Scenario& scenario) {
  const std::string recipe = RecipeOf(scenario);
  if (auto it = stores_.find(recipe); it != stores_.end()) return it->second;
  if (!dir_.made()) MEMH_RETURN_IF_ERROR(dir_.Make(work_dir_));
  const std::string path =
      dir_.path() + "/filler-" + std::to_string(stores_.size()) + LinkedTarget().file_extension;
  if (engine::Status built = Build(scenario, path); !built.ok()) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);  // half made: the next attempt starts afresh
    return built;
  }
  stores_.emplace(recipe, path);
  return path;
}

// The filler steps as a runner would run them: the clock advanced before every
// insert, block i named NameOf(i), then the store closed (which commits).
engine::Status SetupCache::Build(const Scenario& scenario, const std::string& path) {
  engine::ManualClock clock(scenario.clock_start_ms);
  MEMH_ASSIGN_OR_RETURN(std::unique_ptr<Target> store, CreateTarget(path, StoreOptionsFor(scenario.store, &clock)));
  std::uint64_t max_size = 0;
  for (const Step& step : scenario.setup) {
    if (step.filler) max_size = std::max(max_size, step.payload->min);
  }
  std::vector<std::uint8_t> payload(max_size);
  Rng fill(kFillerSeed);
  for (std::uint8_t& b : payload) b = static_cast<std::uint8_t>(fill.Next());
  std::uint64_t index = 0;
  for (std::size_t i = 0; i < scenario.setup.size() && scenario.setup[i].filler; ++i) {
    const Step& step = scenario.setup[i];
    for (std::uint64_t n = 0; n < step.count; ++n, ++index) {
      clock.Advance(scenario.clock_step_ms);
      engine::Status status = store->Write(NameOf(index).view(), std::span(payload).first(step.payload->min));
      if (!status.ok()) {
        return status.WithPrefix(scenario.path + ": step at line " + std::to_string(step.line) + " (filler insert, #" +
                                 std::to_string(i) + ")");
      }
    }
  }
  return store->Close();
}

}  // namespace memh::harness
