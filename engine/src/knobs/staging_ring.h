// StagingRing: one arena reserved up front, carved into chunks in order, like a
// circular log. Chunks may be released in any order (a batch's payloads are released
// together, a payload replaced within its batch at once); the start of the used part
// moves past chunks once they are released. When the arena has no room the caller
// falls back to the heap. Used by the staged writes strategy.
// Releasing a chunk is one atomic store, no lock: a batch's payloads are released one
// by one as the batch is reclaimed, and a mutex for each (~200 a batch) was a tenth of
// what queueing an update cost its caller. The start of the used part moves the next
// time a chunk is staged (or the use is asked), under the mutex.
// Thread-safety: every method may be called from any thread; one internal mutex.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>

#include "knobs/buffer.h"

namespace memh::engine {

class StagingRing final : public BufferReleaser {
 public:
  explicit StagingRing(std::size_t capacity);  // allocates the arena
  StagingRing(const StagingRing&) = delete;
  StagingRing& operator=(const StagingRing&) = delete;

  // A buffer of `size` bytes inside the arena, or an empty Buffer when it has no room
  // (size 0 always gets an empty Buffer: check size first).
  Buffer TryStage(std::size_t size);
  void Release(std::uint8_t* data, std::size_t capacity) noexcept override;

  // Bytes from the oldest chunk not yet released to the end of the newest, padding
  // included (it first moves the start past released chunks).
  std::size_t used_bytes();
  std::uint64_t staged() const;    // chunks handed out
  std::uint64_t fallbacks() const; // requests that did not fit (the caller used the heap)
  void CountFallback();

 private:
  struct ChunkHeader {
    std::uint64_t size;  // header included, a multiple of 16
    std::atomic<std::uint32_t> released;  // set by Release, read by the sweep
    std::uint32_t magic;
  };
  static constexpr std::size_t kHeaderBytes = sizeof(ChunkHeader);
  ChunkHeader* At(std::size_t offset) { return reinterpret_cast<ChunkHeader*>(arena_.get() + offset); }
  std::uint8_t* Carve(std::size_t offset, std::size_t bytes, bool released);
  // Moves head_ past the oldest chunks that are released. REQUIRES mutex_.
  void SweepLocked();

  mutable std::mutex mutex_;
  std::unique_ptr<std::uint8_t[]> arena_;
  const std::size_t capacity_;
  std::size_t head_ = 0;  // oldest chunk still counted as used
  std::size_t tail_ = 0;  // where the next chunk goes
  std::size_t used_ = 0;  // bytes from head to tail, padding included
  std::uint64_t staged_ = 0;
  std::uint64_t fallbacks_ = 0;
};

}  // namespace memh::engine
