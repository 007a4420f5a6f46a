// SizeClassPool: thread-safe reuse of heap buffers by power-of-two size class, with a
// cap on the bytes it keeps. The pooled strategies of the buffers and writes knobs
// rent from one each. Every free list is reserved when the pool is made, so renting
// and returning never allocate once a buffer of the class exists: that is the point.
// Buffers larger than the largest class are plain heap allocations, never kept; they
// count in rents() and returns() like any other.
// Thread-safety: Rent() and returns may come from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <vector>

#include "knobs/buffer.h"

namespace memh::engine {

class SizeClassPool final : public BufferReleaser {
 public:
  static constexpr int kMinClassLog2 = 8;   // 256 B: smaller requests round up to it
  static constexpr int kMaxClassLog2 = 26;  // 64 MiB: the largest block the scenarios use
  static constexpr int kClasses = kMaxClassLog2 - kMinClassLog2 + 1;
  static constexpr std::size_t kSlotsPerClass = 64;  // buffers kept per class at most

  explicit SizeClassPool(std::uint64_t retained_cap_bytes);
  ~SizeClassPool();
  SizeClassPool(const SizeClassPool&) = delete;
  SizeClassPool& operator=(const SizeClassPool&) = delete;

  // A buffer of `size` usable bytes (capacity rounded up to its class).
  Buffer Rent(std::size_t size);
  void Release(std::uint8_t* data, std::size_t capacity) noexcept override;

  std::uint64_t rents() const { return rents_.load(std::memory_order_relaxed); }
  std::uint64_t returns() const { return returns_.load(std::memory_order_relaxed); }
  std::uint64_t retained_bytes() const;

 private:
  static int ClassOf(std::size_t size);  // -1 when over the largest class

  struct FreeList {
    std::mutex mutex;
    std::vector<std::uint8_t*> buffers;  // reserved to kSlotsPerClass
  };
  std::array<FreeList, kClasses> lists_;
  const std::uint64_t retained_cap_bytes_;
  std::atomic<std::uint64_t> retained_bytes_{0};
  std::atomic<std::uint64_t> rents_{0};
  std::atomic<std::uint64_t> returns_{0};
};

}  // namespace memh::engine
