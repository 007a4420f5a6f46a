// Linked into the SQLite binaries, which link no engine variant: engine::LinkedKnobs()
// is what runner/results.cc asks for the run's knobs, and there are none. The knobs
// those binaries report are the target's (LinkedTarget().knobs, which the CLI and the
// benchmarks write instead). Status and Clock, the engine's value types the harness
// uses, come from the engine's variant-free core (memh_engine_values, CMakeLists.txt).
#include "memh/engine/build_info.h"

namespace memh::engine {

EngineKnobs LinkedKnobs() { return EngineKnobs{"none", "none", "none"}; }

}  // namespace memh::engine
