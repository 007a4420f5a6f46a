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

// SHA-256 of bytes given in pieces (a structure written a chunk at a time). Holds the
// digest's state inline: no heap allocation.
class Sha256Stream {
 public:
  Sha256Stream();
  void Update(std::span<const std::uint8_t> bytes);
  Digest Finish();  // the digest of everything given; the stream is spent

 private:
  alignas(8) std::uint8_t state_[112];  // OpenSSL's SHA256_CTX (checked in sha256.cc)
};

}  // namespace memh::engine
