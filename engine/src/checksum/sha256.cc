#include "checksum/sha256.h"

// The low-level SHA256_* calls keep their context on the stack; the EVP interface
// would heap-allocate a context per digest, which is a measured cost we only want
// where the baseline variant asks for it. OpenSSL 3 marks them deprecated, not gone.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace memh::engine {

Digest Sha256(std::span<const std::uint8_t> data) { return Sha256Parts({data}); }

Digest Sha256Parts(std::initializer_list<std::span<const std::uint8_t>> parts) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  for (auto part : parts) SHA256_Update(&ctx, part.data(), part.size());
  Digest digest;
  SHA256_Final(digest.data(), &ctx);
  return digest;
}

}  // namespace memh::engine

namespace memh::engine {
namespace {

static_assert(sizeof(SHA256_CTX) <= 112 && alignof(SHA256_CTX) <= 8, "Sha256Stream::state_ holds a SHA256_CTX");

SHA256_CTX* Context(std::uint8_t* state) { return reinterpret_cast<SHA256_CTX*>(state); }

}  // namespace

Sha256Stream::Sha256Stream() { SHA256_Init(Context(state_)); }

void Sha256Stream::Update(std::span<const std::uint8_t> bytes) { SHA256_Update(Context(state_), bytes.data(), bytes.size()); }

Digest Sha256Stream::Finish() {
  Digest digest;
  SHA256_Final(digest.data(), Context(state_));
  return digest;
}

}  // namespace memh::engine
