// Optimized writes: a queued write's copy goes into the store's write buffer, one
// arena reserved when the store opens (StoreOptions::write_buffer_bytes) and reused as
// batches are written, so a write allocates nothing while the buffer has room. A
// payload that does not fit is copied to the heap, as the baseline does.
#include <cstring>

#include "knobs/staging_ring.h"
#include "knobs/write_staging.h"

namespace memh::engine {

struct WriteStaging::State {
  explicit State(const StoreOptions& options) : ring(options.write_buffer_bytes) {}
  StagingRing ring;
};

WriteStaging::WriteStaging(const StoreOptions& options) : state_(std::make_unique<State>(options)) {}
WriteStaging::~WriteStaging() = default;

Buffer WriteStaging::Stage(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return Buffer();
  Buffer copy = state_->ring.TryStage(payload.size());
  if (copy.data() == nullptr) {
    state_->ring.CountFallback();
    copy = NewHeapBuffer(payload.size());
  }
  std::memcpy(copy.data(), payload.data(), payload.size());
  return copy;
}

std::string_view WriteStaging::StrategyName() { return "staged"; }
bool WriteStaging::RecyclesQueueEntries() { return true; }

}  // namespace memh::engine
