// SetupCache: the store a scenario's filler steps make (docs/scenario_format.md,
// "Filler: stores at scale"), built once per process for each distinct recipe and
// handed out as a closed file that each run copies and opens.
//
// Why: inserting a million blocks takes several times longer than copying and opening
// the file they make, and the gate runs each scale scenario twice per variant.
// Every run of a scenario with filler starts from such a copy, whether this cache
// built the file for it or for an earlier run, so its figures do not depend on which
// (the runner closes and reopens the store even when the file is brand new).
//
// The recipe is everything that decides the file's bytes: the filler steps (counts and
// sizes; their payload bytes are fixed, not drawn from the scenario's seed), the store
// options and the clock. Scenarios with the same recipe share one file. The engine
// format is the linked target's, one per process. The files live in a scratch
// directory under the work directory, removed when the cache goes away.
#pragma once

#include <map>
#include <string>

#include "memh/engine/result.h"
#include "runner/scenario.h"
#include "runner/scratch_dir.h"

namespace memh::harness {

class SetupCache {
 public:
  explicit SetupCache(std::string work_dir) : work_dir_(std::move(work_dir)) {}

  // The closed store made by `scenario`'s filler steps (it must have some), built on
  // first use of its recipe. The file is the cache's: copy it, do not change it.
  engine::Result<std::string> FillerStore(const Scenario& scenario);

 private:
  engine::Status Build(const Scenario& scenario, const std::string& path);

  std::string work_dir_;
  ScratchDir dir_;
  std::map<std::string, std::string> stores_;  // recipe -> file
};

}  // namespace memh::harness
