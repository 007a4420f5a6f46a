#include "knobs/staging_ring.h"

#include <new>

#include "util/check.h"

namespace memh::engine {
namespace {

constexpr std::uint32_t kMagic = 0x53544147;  // "STAG"
std::size_t RoundUp16(std::size_t n) { return (n + 15) & ~std::size_t{15}; }

}  // namespace

StagingRing::StagingRing(std::size_t capacity)
    : arena_(new std::uint8_t[RoundUp16(capacity)]), capacity_(RoundUp16(capacity)) {}

std::uint8_t* StagingRing::Carve(std::size_t offset, std::size_t bytes, bool released) {
  new (arena_.get() + offset) ChunkHeader{bytes, released ? 1u : 0u, kMagic};
  used_ += bytes;
  return arena_.get() + offset + kHeaderBytes;
}

Buffer StagingRing::TryStage(std::size_t size) {
  if (size == 0) return Buffer();
  const std::size_t need = RoundUp16(size) + kHeaderBytes;
  std::lock_guard lock(mutex_);
  SweepLocked();
  if (need > capacity_ || used_ + need > capacity_) return Buffer();
  if (used_ == 0) head_ = tail_ = 0;
  std::size_t at;
  if (tail_ >= head_) {  // free: [tail, end) and [0, head)
    if (capacity_ - tail_ >= need) {
      at = tail_;
    } else if (head_ >= need) {
      if (capacity_ > tail_) Carve(tail_, capacity_ - tail_, /*released=*/true);  // pad to the end
      at = 0;
    } else {
      return Buffer();
    }
  } else {  // free: [tail, head)
    if (head_ - tail_ < need) return Buffer();
    at = tail_;
  }
  std::uint8_t* data = Carve(at, need, /*released=*/false);
  tail_ = at + need == capacity_ ? 0 : at + need;
  ++staged_;
  return Buffer(data, size, need - kHeaderBytes, this);
}

void StagingRing::Release(std::uint8_t* data, std::size_t /*capacity*/) noexcept {
  ChunkHeader* header = reinterpret_cast<ChunkHeader*>(data - kHeaderBytes);
  MEMH_CHECK(header->magic == kMagic && header->released.load(std::memory_order_relaxed) == 0);
  // Release order: the sweep that sees the flag may hand the bytes out again, so every
  // use of them here happens before it.
  header->released.store(1, std::memory_order_release);
}

void StagingRing::SweepLocked() {
  while (used_ > 0) {
    ChunkHeader* oldest = At(head_);
    if (oldest->released.load(std::memory_order_acquire) == 0) break;
    used_ -= oldest->size;
    head_ += oldest->size;
    if (head_ == capacity_) head_ = 0;
  }
}

std::size_t StagingRing::used_bytes() {
  std::lock_guard lock(mutex_);
  SweepLocked();
  return used_;
}
std::uint64_t StagingRing::staged() const {
  std::lock_guard lock(mutex_);
  return staged_;
}
std::uint64_t StagingRing::fallbacks() const {
  std::lock_guard lock(mutex_);
  return fallbacks_;
}
void StagingRing::CountFallback() {
  std::lock_guard lock(mutex_);
  ++fallbacks_;
}

}  // namespace memh::engine
