#include "registry/name_index.h"

#include <bit>
#include <functional>

namespace memh::engine {
namespace {

constexpr std::size_t kMinSlots = 16;

// Slots for `entries` at a load of at most one half.
std::size_t SlotsFor(std::size_t entries) { return std::max(kMinSlots, std::bit_ceil(2 * entries + 1)); }

}  // namespace

std::size_t NameIndex::Hash(std::string_view name) { return std::hash<std::string_view>{}(name); }

void NameIndex::Place(BlockMap::iterator it) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t slot = Home(Hash(it->first));
  while (slots_[slot] != empty_) slot = (slot + 1) & mask;
  slots_[slot] = it;
}

void NameIndex::Resize(std::size_t slots) {
  slots_.assign(slots, empty_);
  for (auto it = blocks_.begin(); it != blocks_.end(); ++it) Place(it);
}

void NameIndex::Rebuild() {
  // Until the new table is built, lookups walk the tree: a failed allocation here
  // (std::bad_alloc, which the writer turns into a poisoned store that still serves
  // reads) must not leave a table of stale entries answering them.
  built_ = false;
  std::vector<BlockMap::iterator>().swap(slots_);  // a smaller map gets a smaller table
  size_ = blocks_.size();
  Resize(SlotsFor(size_));
  built_ = true;
}

BlockMap::iterator NameIndex::Find(std::string_view name, std::size_t hash) const {
  if (!built_) return blocks_.find(name);
  if (slots_.empty()) return empty_;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t slot = Home(hash);; slot = (slot + 1) & mask) {
    const BlockMap::iterator it = slots_[slot];
    if (it == empty_ || it->first == name) return it;
  }
}

void NameIndex::PrefetchSlot(std::size_t hash) const {
  if (built_ && !slots_.empty()) __builtin_prefetch(&slots_[Home(hash)]);
}

void NameIndex::PrefetchEntry(std::size_t hash) const {
  if (!built_ || slots_.empty()) return;
  const BlockMap::iterator it = slots_[Home(hash)];
  if (it == empty_) return;
  // The name and the fields an update rewrites: the pair spans up to three lines.
  const char* entry = reinterpret_cast<const char*>(&*it);
  for (std::size_t line = 0; line < sizeof(BlockMap::value_type); line += 64) __builtin_prefetch(entry + line);
}

void NameIndex::Insert(BlockMap::iterator it) {
  if (!built_) return;
  if (slots_.size() < SlotsFor(size_ + 1)) {
    // The map already holds `it`: Resize places it too. vector::assign allocates
    // before it changes anything, so a failure leaves the old table.
    Resize(SlotsFor(size_ + 1));
  } else {
    Place(it);
  }
  ++size_;
}

void NameIndex::Erase(BlockMap::iterator it) {
  if (!built_) return;
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = Home(Hash(it->first));
  while (slots_[hole] != it) hole = (hole + 1) & mask;
  --size_;
  // Backward-shift deletion (linear probing): move later entries of the probe run
  // into the hole when the hole lies on their way from home, so no lookup ever stops
  // at an empty slot short of its entry.
  for (std::size_t next = (hole + 1) & mask; slots_[next] != empty_; next = (next + 1) & mask) {
    const std::size_t home = Home(Hash(slots_[next]->first));
    const bool hole_on_the_way = ((next - home) & mask) >= ((next - hole) & mask);
    if (hole_on_the_way) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole] = empty_;
}

}  // namespace memh::engine
