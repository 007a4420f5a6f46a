// Optimized buffers: scratch buffers are rented from a size-classed pool and go back
// to it when the Buffer is destroyed, on every path (errors included, by RAII);
// checksums are computed with the context and digest on the stack.
#include "checksum/sha256.h"
#include "knobs/buffers.h"
#include "knobs/size_class_pool.h"

namespace memh::engine {

struct BufferSource::State {
  explicit State(const StoreOptions& options) : pool(options.buffer_pool_bytes) {}
  SizeClassPool pool;
};

BufferSource::BufferSource(const StoreOptions& options) : state_(std::make_unique<State>(options)) {}
BufferSource::~BufferSource() = default;

Buffer BufferSource::Acquire(std::size_t bytes) { return state_->pool.Rent(bytes); }
Digest BufferSource::Checksum(std::span<const std::uint8_t> payload) { return Sha256(payload); }

std::uint64_t BufferSource::rents() const { return state_->pool.rents(); }
std::uint64_t BufferSource::returns() const { return state_->pool.returns(); }
std::string_view BufferSource::StrategyName() { return "pooled"; }

}  // namespace memh::engine
