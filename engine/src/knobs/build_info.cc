#include "memh/engine/build_info.h"

#include "knobs/buffers.h"
#include "knobs/io_gate.h"
#include "knobs/write_staging.h"

namespace memh::engine {

EngineKnobs LinkedKnobs() {
  return EngineKnobs{BufferSource::StrategyName(), WriteStaging::StrategyName(), IoGate::StrategyName()};
}

}  // namespace memh::engine
