// What this binary's engine was built with: the strategy of each knob, as named by the
// knob implementation that was linked (so a report cannot mislabel what it measured).
#pragma once

#include <string_view>

namespace memh::engine {

struct EngineKnobs {
  std::string_view buffers;  // "fresh" | "pooled"
  std::string_view writes;   // "copy" | "staged"
  std::string_view locks;    // "single" | "split"
};

EngineKnobs LinkedKnobs();

}  // namespace memh::engine
