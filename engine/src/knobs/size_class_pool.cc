#include "knobs/size_class_pool.h"

#include <bit>

namespace memh::engine {

SizeClassPool::SizeClassPool(std::uint64_t retained_cap_bytes) : retained_cap_bytes_(retained_cap_bytes) {
  for (FreeList& list : lists_) list.buffers.reserve(kSlotsPerClass);
}

SizeClassPool::~SizeClassPool() {
  for (FreeList& list : lists_) {
    for (std::uint8_t* data : list.buffers) delete[] data;
  }
}

int SizeClassPool::ClassOf(std::size_t size) {
  if (size <= (std::size_t{1} << kMinClassLog2)) return 0;
  int log2 = std::bit_width(size - 1);  // smallest power of two >= size
  if (log2 > kMaxClassLog2) return -1;
  return log2 - kMinClassLog2;
}

Buffer SizeClassPool::Rent(std::size_t size) {
  if (size == 0) return Buffer();
  int cls = ClassOf(size);
  rents_.fetch_add(1, std::memory_order_relaxed);
  if (cls < 0) return Buffer(new std::uint8_t[size], size, size, this);
  const std::size_t capacity = std::size_t{1} << (cls + kMinClassLog2);
  FreeList& list = lists_[cls];
  {
    std::lock_guard lock(list.mutex);
    if (!list.buffers.empty()) {
      std::uint8_t* data = list.buffers.back();
      list.buffers.pop_back();
      retained_bytes_.fetch_sub(capacity, std::memory_order_relaxed);
      return Buffer(data, size, capacity, this);
    }
  }
  return Buffer(new std::uint8_t[capacity], size, capacity, this);
}

void SizeClassPool::Release(std::uint8_t* data, std::size_t capacity) noexcept {
  returns_.fetch_add(1, std::memory_order_relaxed);
  int cls = ClassOf(capacity);
  bool pooled_size = cls >= 0 && capacity == (std::size_t{1} << (cls + kMinClassLog2));
  // Room under the cap is claimed in one atomic step: two returns checking the count
  // and adding to it separately could both get in and leave the pool over its cap.
  std::uint64_t retained = retained_bytes_.load(std::memory_order_relaxed);
  while (pooled_size && retained + capacity <= retained_cap_bytes_) {
    if (!retained_bytes_.compare_exchange_weak(retained, retained + capacity, std::memory_order_relaxed)) continue;
    FreeList& list = lists_[cls];
    {
      std::lock_guard lock(list.mutex);
      if (list.buffers.size() < kSlotsPerClass) {
        list.buffers.push_back(data);  // within the reserved capacity: no allocation
        return;
      }
    }
    retained_bytes_.fetch_sub(capacity, std::memory_order_relaxed);  // no slot left: give the room back
    break;
  }
  delete[] data;
}

std::uint64_t SizeClassPool::retained_bytes() const { return retained_bytes_.load(std::memory_order_relaxed); }

}  // namespace memh::engine
