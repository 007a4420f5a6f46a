// Optimized writes: a queued write's copy goes into pooled memory that returns to the
// pool when its batch has been written, so in steady state staging allocates nothing.
#include <cstring>

#include "knobs/size_class_pool.h"
#include "knobs/write_staging.h"

namespace memh::engine {

struct WriteStaging::State {
  explicit State(const StoreOptions& options) : pool(options.buffer_pool_bytes) {}
  SizeClassPool pool;
};

WriteStaging::WriteStaging(const StoreOptions& options) : state_(std::make_unique<State>(options)) {}
WriteStaging::~WriteStaging() = default;

Buffer WriteStaging::Stage(std::span<const std::uint8_t> payload) {
  Buffer copy = state_->pool.Rent(payload.size());
  if (!payload.empty()) std::memcpy(copy.data(), payload.data(), payload.size());
  return copy;
}

std::string_view WriteStaging::StrategyName() { return "staged"; }

}  // namespace memh::engine
