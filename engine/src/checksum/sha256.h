// SHA-256 into caller storage, with no heap allocation: used for the file's own
// structures (header slots, registry, free-space map). Block payload checksums go
// through the buffers knob (knobs/buffers.h), whose baseline strategy allocates.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>

#include "memh/engine/stats.h"

namespace memh::engine {

// SHA-256 of `data`.
Digest Sha256(std::span<const std::uint8_t> data);
// SHA-256 of the concatenation of `parts`, in order.
Digest Sha256Parts(std::initializer_list<std::span<const std::uint8_t>> parts);

}  // namespace memh::engine
