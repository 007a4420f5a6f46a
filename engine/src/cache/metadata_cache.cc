#include "cache/metadata_cache.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace memh::engine {
namespace {

std::size_t TableSizeFor(std::uint32_t capacity) {
  std::size_t size = 1;
  while (size < 2 * static_cast<std::size_t>(capacity)) size <<= 1;  // load factor <= 1/2
  return size;
}

}  // namespace

MetadataCache::MetadataCache(std::uint32_t capacity)
    : slots_(capacity), table_(capacity == 0 ? 0 : TableSizeFor(capacity), kNone) {
  free_slots_.reserve(capacity);
  for (std::uint32_t i = capacity; i > 0; --i) free_slots_.push_back(static_cast<std::int32_t>(i - 1));
}

std::size_t MetadataCache::Probe(std::string_view name) const {
  std::size_t mask = table_.size() - 1;
  std::size_t index = std::hash<std::string_view>{}(name) & mask;
  while (table_[index] != kNone && NameOf(slots_[table_[index]]) != name) index = (index + 1) & mask;
  return index;
}

void MetadataCache::Unlink(std::int32_t slot) {
  Slot& s = slots_[slot];
  (s.prev == kNone ? head_ : slots_[s.prev].next) = s.next;
  (s.next == kNone ? tail_ : slots_[s.next].prev) = s.prev;
  s.prev = s.next = kNone;
}

void MetadataCache::PushFront(std::int32_t slot) {
  Slot& s = slots_[slot];
  s.prev = kNone;
  s.next = head_;
  if (head_ != kNone) slots_[head_].prev = slot;
  head_ = slot;
  if (tail_ == kNone) tail_ = slot;
}

// Backward-shift deletion keeps every remaining key reachable from its home cell
// without tombstones, so lookups never degrade.
void MetadataCache::RemoveFromTable(std::size_t index) {
  std::size_t mask = table_.size() - 1;
  table_[index] = kNone;
  std::size_t next = (index + 1) & mask;
  while (table_[next] != kNone) {
    std::size_t home = std::hash<std::string_view>{}(NameOf(slots_[table_[next]])) & mask;
    // Move the entry back if its home is not in the cyclic range (index, next].
    bool home_in_range = index <= next ? (home > index && home <= next) : (home > index || home <= next);
    if (!home_in_range) {
      table_[index] = table_[next];
      table_[next] = kNone;
      index = next;
    }
    next = (next + 1) & mask;
  }
}

bool MetadataCache::Get(std::string_view name, BlockLocation* out) {
  std::lock_guard lock(mutex_);
  if (table_.empty()) {
    ++misses_;
    return false;
  }
  std::size_t index = Probe(name);
  if (table_[index] == kNone) {
    ++misses_;
    return false;
  }
  std::int32_t slot = table_[index];
  Unlink(slot);
  PushFront(slot);
  *out = slots_[slot].location;
  ++hits_;
  return true;
}

void MetadataCache::Put(std::string_view name, const BlockLocation& location) {
  if (name.size() >= sizeof(Slot::name)) return;  // never cached: names are at most 31 bytes
  std::lock_guard lock(mutex_);
  if (table_.empty()) return;
  std::size_t index = Probe(name);
  if (table_[index] != kNone) {
    std::int32_t slot = table_[index];
    slots_[slot].location = location;
    Unlink(slot);
    PushFront(slot);
    return;
  }
  if (free_slots_.empty()) {  // evict the least recently used entry
    std::int32_t victim = tail_;
    RemoveFromTable(Probe(NameOf(slots_[victim])));
    Unlink(victim);
    free_slots_.push_back(victim);
    --size_;
    index = Probe(name);  // the shift may have moved cells
  }
  std::int32_t slot = free_slots_.back();
  free_slots_.pop_back();
  Slot& s = slots_[slot];
  std::memcpy(s.name, name.data(), name.size());
  s.name_length = static_cast<std::uint8_t>(name.size());
  s.location = location;
  table_[index] = slot;
  PushFront(slot);
  ++size_;
}

void MetadataCache::Erase(std::string_view name) {
  std::lock_guard lock(mutex_);
  if (table_.empty()) return;
  std::size_t index = Probe(name);
  if (table_[index] == kNone) return;
  std::int32_t slot = table_[index];
  RemoveFromTable(index);
  Unlink(slot);
  free_slots_.push_back(slot);
  --size_;
}

void MetadataCache::Clear() {
  std::lock_guard lock(mutex_);
  while (head_ != kNone) {
    std::int32_t slot = head_;
    Unlink(slot);
    free_slots_.push_back(slot);
  }
  std::fill(table_.begin(), table_.end(), kNone);
  size_ = 0;
}

std::uint64_t MetadataCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}
std::uint64_t MetadataCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}
std::size_t MetadataCache::size() const {
  std::lock_guard lock(mutex_);
  return size_;
}

}  // namespace memh::engine
