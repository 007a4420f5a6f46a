// FreeSpaceMap: which pages of the store file are used, as a bitmap plus the list of
// free runs (coalesced), and first-fit allocation with geometric file growth. This is
// the live allocator and also the on-disk "free-space map" structure
// (docs/file_format.md): EncodeTo/Decode move it to and from its extent.
//
// Allocation is first fit: the free run with the lowest start that is long enough.
// When none is, the map grows at its end by max(growth_min_pages, total/2, what the
// free tail run lacks), merging with that tail. The same calls always give the same
// extents, which is what makes store files byte-identical across runs and variants.
//
// Costs: Allocate scans free runs in start order (O(runs); runs stay few unless the
// file is badly fragmented, which vacuum repairs); Free is O(log runs) plus the bits.
// Memory: a bit per page plus a tree node (48 bytes) per free run, from the map's own
// NodePool, so that splitting and merging runs allocates nothing once the map has held
// as many runs as it holds now (every update frees one extent and allocates another).
// Thread-safety: none; the store serializes access.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <vector>

#include "memh/engine/result.h"
#include "util/node_pool.h"

namespace memh::engine {

struct Extent {  // a run of pages
  std::uint64_t start = 0;
  std::uint64_t count = 0;
  std::uint64_t end() const { return start + count; }
  friend bool operator==(const Extent&, const Extent&) = default;
};

class FreeSpaceMap {
 public:
  // A map of `total_pages` pages, all free.
  FreeSpaceMap(std::uint64_t total_pages, std::uint64_t growth_min_pages);

  std::uint64_t total_pages() const { return total_; }
  std::uint64_t free_pages() const { return free_; }
  std::uint64_t used_pages() const { return total_ - free_; }

  // Allocates `count` >= 1 contiguous pages (see the class comment). Never fails; the
  // caller extends the file to total_pages() pages.
  Extent Allocate(std::uint64_t count);
  // REQUIRES every page of `e` inside the map and free.
  void MarkUsed(Extent e);
  // Returns pages, coalescing with free neighbours. REQUIRES every page of `e` used:
  // freeing a free page is a bug, and aborts.
  void Free(Extent e);

  bool IsUsed(std::uint64_t page) const;
  bool AllUsed(Extent e) const;
  bool AllFree(Extent e) const;

  std::vector<Extent> FreeExtents() const;  // sorted by start, coalesced
  std::uint64_t free_extent_count() const { return runs_.size(); }
  std::uint64_t LargestFreeRun() const;
  // The heap bytes the map holds: its bitmap's storage and its run nodes (in use or
  // kept for reuse).
  std::uint64_t MemoryBytes() const;
  // One past the last used page (0 when no page is used).
  std::uint64_t UsedEnd() const;
  // Free pages below UsedEnd(): the holes a vacuum could reclaim.
  std::uint64_t HolePages() const;
  // Adds free pages at the end up to `new_total`. REQUIRES new_total >= total.
  void Grow(std::uint64_t new_total);
  // Drops the pages at and past `new_total`. REQUIRES UsedEnd() <= new_total <= total.
  void Shrink(std::uint64_t new_total);

  // The encoded structure: 64-byte header, bitmap, free runs.
  std::uint64_t EncodedSize() const;
  // REQUIRES out.size() == EncodedSize().
  void EncodeTo(std::span<std::uint8_t> out) const;
  // Parses and checks an encoded map: size, magic, version, checksum, no bit set past
  // the total, runs sorted, non-empty, coalesced, inside the map, and exactly the
  // runs of zero bits. Errors are kCorruption prefixed with `where`.
  static Result<FreeSpaceMap> Decode(std::span<const std::uint8_t> bytes, std::uint64_t growth_min_pages,
                                     std::string_view where);

 private:
  void SetRange(Extent e, bool used);
  bool RangeIs(Extent e, bool used) const;

  std::uint64_t total_ = 0;
  std::uint64_t free_ = 0;
  std::uint64_t growth_min_pages_ = 1;
  std::vector<std::uint64_t> bits_;          // bit p % 64 of word p / 64: page p used
  // Free runs: start -> count.
  std::map<std::uint64_t, std::uint64_t, std::less<>, PoolAllocator<std::pair<const std::uint64_t, std::uint64_t>>>
      runs_;
};

}  // namespace memh::engine
