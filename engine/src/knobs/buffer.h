// Buffer: the one owning handle for engine scratch memory (RocksDB's
// CacheAllocationPtr). It remembers who gave it out and hands the memory back there
// when destroyed, so a strategy can pool memory without the engine knowing.
// Thread-safety: a Buffer is owned by one thread at a time; its releaser must be
// callable from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

namespace memh::engine {

class BufferReleaser {
 public:
  virtual void Release(std::uint8_t* data, std::size_t capacity) noexcept = 0;

 protected:
  ~BufferReleaser() = default;
};

class Buffer {
 public:
  Buffer() = default;
  Buffer(std::uint8_t* data, std::size_t size, std::size_t capacity, BufferReleaser* owner)
      : data_(data), size_(size), capacity_(capacity), owner_(owner) {}
  ~Buffer() { Reset(); }
  Buffer(Buffer&& other) noexcept { *this = std::move(other); }
  Buffer& operator=(Buffer&& other) noexcept {
    if (this != &other) {
      Reset();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
      owner_ = std::exchange(other.owner_, nullptr);
    }
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::span<std::uint8_t> span() { return {data_, size_}; }
  std::span<const std::uint8_t> span() const { return {data_, size_}; }

  void Reset() {
    if (owner_ != nullptr) owner_->Release(data_, capacity_);
    data_ = nullptr;
    size_ = capacity_ = 0;
    owner_ = nullptr;
  }

 private:
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  BufferReleaser* owner_ = nullptr;
};

// Releases memory that came from new std::uint8_t[]: what every "fresh" strategy uses.
BufferReleaser& HeapReleaser();
// A Buffer of `size` bytes from new std::uint8_t[] (no allocation when size is 0).
Buffer NewHeapBuffer(std::size_t size);

}  // namespace memh::engine
