// MetadataCache: a fixed-capacity LRU map from block name to where the block lives,
// in front of the registry (the original's 1000-entry BlockMetadataCache). All of its
// memory is reserved at construction, so a lookup or insert never allocates: the
// cache must not colour the allocation figures of the read path it speeds up.
// Entries are invalidated whenever a block is replaced, moved or removed (the
// original left stale entries after deletes).
// Thread-safety: every method may be called from any thread; one internal mutex.
#pragma once

#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

#include "memh/engine/stats.h"

namespace memh::engine {

struct BlockLocation {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  Digest sha256{};
  std::uint64_t modified_ms = 0;
};

class MetadataCache {
 public:
  // capacity 0 disables the cache (every Get misses).
  explicit MetadataCache(std::uint32_t capacity);

  bool Get(std::string_view name, BlockLocation* out);
  void Put(std::string_view name, const BlockLocation& location);
  void Erase(std::string_view name);
  void Clear();

  std::uint64_t hits() const;
  std::uint64_t misses() const;
  std::size_t size() const;

 private:
  static constexpr std::int32_t kNone = -1;
  struct Slot {
    char name[32];
    std::uint8_t name_length = 0;
    BlockLocation location;
    std::int32_t prev = kNone;  // LRU list: head is most recent
    std::int32_t next = kNone;
  };

  std::string_view NameOf(const Slot& slot) const { return {slot.name, slot.name_length}; }
  std::size_t Probe(std::string_view name) const;  // table index of name, or of the empty cell
  void Unlink(std::int32_t slot);
  void PushFront(std::int32_t slot);
  void RemoveFromTable(std::size_t index);

  mutable std::mutex mutex_;
  std::vector<Slot> slots_;
  std::vector<std::int32_t> table_;  // open addressing, linear probing; kNone = empty
  std::vector<std::int32_t> free_slots_;
  std::int32_t head_ = kNone;
  std::int32_t tail_ = kNone;
  std::size_t size_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace memh::engine
