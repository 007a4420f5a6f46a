// The writes knob: where a queued write keeps its copy of the caller's bytes until
// the batch holding it is written to the file. write_staging_copy.cc (the baseline)
// copies each payload into its own new heap buffer, as the original did; a staged
// strategy copies into reused memory. The build links exactly one implementation.
// Thread-safety: Stage() may be called from any client thread at once; the returned
// Buffers are released by client threads when their batch is reclaimed.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "knobs/buffer.h"
#include "memh/engine/options.h"

namespace memh::engine {

class WriteStaging {
 public:
  explicit WriteStaging(const StoreOptions& options);
  ~WriteStaging();
  WriteStaging(const WriteStaging&) = delete;
  WriteStaging& operator=(const WriteStaging&) = delete;

  // A copy of `payload`, valid until the Buffer is destroyed. Throws std::bad_alloc.
  Buffer Stage(std::span<const std::uint8_t> payload);
  static std::string_view StrategyName();  // "copy" | "staged"
  // Whether applied batches and their queue entries are kept for reuse (staged) or
  // freed (copy, as the original freed each queued write operation).
  static bool RecyclesQueueEntries();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace memh::engine
