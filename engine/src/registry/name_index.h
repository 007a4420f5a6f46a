// NameIndex: a hash table from a block's name to its entry in the registry's tree.
//
// The registry is an ordered tree (BlockMap): the file stores it sorted, and listing
// by prefix walks it in order. But finding one name in a tree of a million blocks is a
// walk of ~20 nodes scattered over the heap, nearly every one a cache miss: at that
// size the walk was most of what an update of a random block cost the writer, and a
// read paid it too. The index answers the same question in about two misses (its slot,
// then the entry it points at), for 8 bytes a slot at a load of at most one half:
// 16-32 bytes a block.
//
// It holds iterators into one BlockMap and must see every insertion and erasure of
// that map (Insert, Erase), or be rebuilt after the map is replaced wholesale (a load,
// a vacuum). It grows by doubling when an insertion would pass the load limit and
// never shrinks, so a store in steady state allocates nothing here.
// Thread-safety: that of the map: lookups may run concurrently with each other;
// changes need the writer's exclusive access.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "registry/registry_codec.h"

namespace memh::engine {

class NameIndex {
 public:
  // An index of `blocks`, which must outlive it. Of a map that already holds entries,
  // only once rebuilt (lookups walk the tree until then).
  explicit NameIndex(BlockMap& blocks) : blocks_(blocks), empty_(blocks.end()), built_(blocks.empty()) {}

  // Indexes every entry of the map anew. O(blocks). If it throws (std::bad_alloc),
  // lookups walk the tree from then on, until a rebuild succeeds.
  void Rebuild();
  // The entry named `name`, or the map's end().
  BlockMap::iterator Find(std::string_view name) const { return Find(name, Hash(name)); }
  // The same, with `hash` == Hash(name): a caller that looks a name up more than once
  // (prefetches, then the lookup) hashes it once.
  BlockMap::iterator Find(std::string_view name, std::size_t hash) const;
  static std::size_t Hash(std::string_view name);
  // Hints for a batch of lookups (nothing changes), by the names' hashes: a lookup is
  // two dependent cache misses, the slot and then the entry it points at. Prefetching
  // every name's slot, later every name's entry, and only then looking them up
  // overlaps the misses of a whole batch instead of paying them one after another.
  void PrefetchSlot(std::size_t hash) const;
  void PrefetchEntry(std::size_t hash) const;
  // `it` has just been inserted into the map. Growing may throw std::bad_alloc, and
  // then the index is as it was (without `it`): the caller erases `it` again, so the
  // map and the index never disagree.
  void Insert(BlockMap::iterator it);
  // `it` is about to be erased from the map.
  void Erase(BlockMap::iterator it);

  // The heap bytes the table holds.
  std::uint64_t HeapBytes() const { return slots_.capacity() * sizeof(BlockMap::iterator); }

 private:
  std::size_t Home(std::size_t hash) const { return hash & (slots_.size() - 1); }
  void Place(BlockMap::iterator it);  // into the first free slot from its home
  void Resize(std::size_t slots);

  BlockMap& blocks_;
  const BlockMap::iterator empty_;  // the map's end(): a free slot
  std::vector<BlockMap::iterator> slots_;  // a power of two of them, or none
  std::size_t size_ = 0;
  // False while a rebuild is under way or after one failed: lookups then walk the
  // tree, and changes are not tracked (the next rebuild starts over).
  bool built_;
};

}  // namespace memh::engine
