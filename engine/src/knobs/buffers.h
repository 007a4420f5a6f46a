// The buffers knob: scratch memory for block reads, registry and map encoding, and
// the payload checksum. buffers_fresh.cc (the baseline) allocates a new heap buffer
// per call and computes checksums through heap memory, as the original did;
// a pooled strategy reuses memory. The build links exactly one implementation.
// Thread-safety: one BufferSource per open store; every method may be called from
// any thread at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "knobs/buffer.h"
#include "memh/engine/options.h"
#include "memh/engine/stats.h"

namespace memh::engine {

class BufferSource {
 public:
  explicit BufferSource(const StoreOptions& options);
  ~BufferSource();
  BufferSource(const BufferSource&) = delete;
  BufferSource& operator=(const BufferSource&) = delete;

  // A buffer of exactly `bytes` usable bytes, contents unspecified. Throws
  // std::bad_alloc when memory runs out.
  Buffer Acquire(std::size_t bytes);
  // SHA-256 of a block payload.
  Digest Checksum(std::span<const std::uint8_t> payload);

  std::uint64_t rents() const;    // buffers handed out from a pool (0 for fresh)
  std::uint64_t returns() const;  // buffers given back to a pool
  static std::string_view StrategyName();  // "fresh" | "pooled"

 private:
  struct State;  // each implementation file defines its own
  std::unique_ptr<State> state_;
};

}  // namespace memh::engine
