// Baseline buffers: every Acquire() is a new heap buffer, and every checksum goes
// through a heap-allocated digest context and a heap result array, which is what the
// original's SHA256.HashData(byte[]) → byte[] cost.
#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <new>

#include "knobs/buffers.h"

namespace memh::engine {

struct BufferSource::State {};

BufferSource::BufferSource(const StoreOptions& /*options*/) : state_(std::make_unique<State>()) {}
BufferSource::~BufferSource() = default;

Buffer BufferSource::Acquire(std::size_t bytes) { return NewHeapBuffer(bytes); }

Digest BufferSource::Checksum(std::span<const std::uint8_t> payload) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (ctx == nullptr) throw std::bad_alloc();
  std::unique_ptr<std::uint8_t[]> out(new std::uint8_t[EVP_MAX_MD_SIZE]);
  unsigned int length = 0;
  if (EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), payload.data(), payload.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.get(), &length) != 1 || length != 32) {
    // OpenSSL fails here only when it cannot allocate.
    throw std::bad_alloc();
  }
  Digest digest;
  std::copy(out.get(), out.get() + 32, digest.begin());
  return digest;
}

std::uint64_t BufferSource::rents() const { return 0; }
std::uint64_t BufferSource::returns() const { return 0; }
std::string_view BufferSource::StrategyName() { return "fresh"; }

}  // namespace memh::engine
