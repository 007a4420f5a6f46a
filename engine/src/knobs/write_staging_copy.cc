// Baseline writes: each queued write copies the caller's bytes into its own new heap
// buffer, freed when its batch has been written (the original's per-write byte[] copy).
#include <cstring>

#include "knobs/write_staging.h"

namespace memh::engine {

struct WriteStaging::State {};

WriteStaging::WriteStaging(const StoreOptions& /*options*/) : state_(std::make_unique<State>()) {}
WriteStaging::~WriteStaging() = default;

Buffer WriteStaging::Stage(std::span<const std::uint8_t> payload) {
  Buffer copy = NewHeapBuffer(payload.size());
  if (!payload.empty()) std::memcpy(copy.data(), payload.data(), payload.size());
  return copy;
}

std::string_view WriteStaging::StrategyName() { return "copy"; }
bool WriteStaging::RecyclesQueueEntries() { return false; }

}  // namespace memh::engine
