#include "checksum/structure_checksum.h"

#include <algorithm>
#include <string>

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t's layout, so that it can live inline
#include <xxhash.h>

namespace memh::engine {
namespace {

static_assert(sizeof(XXH3_state_t) <= 640 && alignof(XXH3_state_t) <= 64,
              "StructureHash::xxh3_ holds an XXH3_state_t");

XXH3_state_t* Xxh3State(std::uint8_t* storage) { return reinterpret_cast<XXH3_state_t*>(storage); }

Digest Xxh3Digest(const XXH3_state_t* state) {
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state));
  static_assert(sizeof(canonical.digest) == 16);
  Digest digest{};  // the 16 bytes after the hash stay zero
  std::copy(std::begin(canonical.digest), std::end(canonical.digest), digest.begin());
  return digest;
}

}  // namespace

Result<StructureChecksum> ChecksumOfVersion(std::uint32_t version, std::string_view where) {
  if (version < kOldestStructureVersion || version > kStructureVersion) {
    return Status::Corruption(where, "unsupported version " + std::to_string(version));
  }
  return version == kStructureVersion ? kStructureChecksum : StructureChecksum::kSha256;
}

Digest StructureDigest(StructureChecksum kind, std::initializer_list<std::span<const std::uint8_t>> parts) {
  StructureHash hash(kind);
  for (std::span<const std::uint8_t> part : parts) hash.Update(part);
  return hash.Finish();
}

StructureHash::StructureHash(StructureChecksum kind) : kind_(kind) {
  if (kind_ == StructureChecksum::kXxh3) {
    XXH3_state_t* state = Xxh3State(xxh3_);
    XXH3_INITSTATE(state);
    XXH3_128bits_reset(state);
  }
}

void StructureHash::Update(std::span<const std::uint8_t> bytes) {
  if (kind_ == StructureChecksum::kSha256) {
    sha256_.Update(bytes);
  } else {
    XXH3_128bits_update(Xxh3State(xxh3_), bytes.data(), bytes.size());
  }
}

Digest StructureHash::Finish() {
  return kind_ == StructureChecksum::kSha256 ? sha256_.Finish() : Xxh3Digest(Xxh3State(xxh3_));
}

}  // namespace memh::engine
