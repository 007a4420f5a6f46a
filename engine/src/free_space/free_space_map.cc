#include "free_space/free_space_map.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "checksum/structure_checksum.h"
#include "util/check.h"
#include "util/coding.h"

namespace memh::engine {
namespace {

constexpr std::uint8_t kMagic[8] = {'M', 'H', 'F', 'S', 'M', 'A', 'P', 0};
constexpr std::size_t kHeaderBytes = 64;
constexpr std::size_t kChecksumOffset = 24;
constexpr std::size_t kAfterChecksum = 56;

std::uint64_t BitmapBytes(std::uint64_t total) { return (total + 7) / 8; }

Digest MapChecksum(StructureChecksum kind, std::span<const std::uint8_t> bytes) {
  return StructureDigest(kind, {bytes.subspan(0, kChecksumOffset), bytes.subspan(kAfterChecksum)});
}

}  // namespace

FreeSpaceMap::FreeSpaceMap(std::uint64_t total_pages, std::uint64_t growth_min_pages)
    : total_(total_pages), free_(total_pages), growth_min_pages_(std::max<std::uint64_t>(1, growth_min_pages)),
      bits_((total_pages + 63) / 64, 0) {
  if (total_pages > 0) runs_.emplace(0, total_pages);
}

// Word-at-a-time over the range: a 64 MiB block is 16k pages, touched 64 at a time.
void FreeSpaceMap::SetRange(Extent e, bool used) {
  std::uint64_t p = e.start;
  while (p < e.end()) {
    std::uint64_t bit = p % 64;
    std::uint64_t n = std::min<std::uint64_t>(64 - bit, e.end() - p);
    std::uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << bit;
    if (used) {
      bits_[p / 64] |= mask;
    } else {
      bits_[p / 64] &= ~mask;
    }
    p += n;
  }
}

bool FreeSpaceMap::RangeIs(Extent e, bool used) const {
  if (e.start > total_ || e.count > total_ - e.start) return false;
  std::uint64_t p = e.start;
  while (p < e.end()) {
    std::uint64_t bit = p % 64;
    std::uint64_t n = std::min<std::uint64_t>(64 - bit, e.end() - p);
    std::uint64_t mask = (n == 64 ? ~0ull : ((1ull << n) - 1)) << bit;
    std::uint64_t word = bits_[p / 64] & mask;
    if (used ? word != mask : word != 0) return false;
    p += n;
  }
  return true;
}

bool FreeSpaceMap::IsUsed(std::uint64_t page) const {
  return page < total_ && ((bits_[page / 64] >> (page % 64)) & 1) != 0;
}
bool FreeSpaceMap::AllUsed(Extent e) const { return RangeIs(e, true); }
bool FreeSpaceMap::AllFree(Extent e) const { return RangeIs(e, false); }

Extent FreeSpaceMap::Allocate(std::uint64_t count) {
  MEMH_CHECK(count > 0);
  for (const auto& [start, length] : runs_) {
    if (length >= count) {
      Extent e{start, count};
      MarkUsed(e);
      return e;
    }
  }
  std::uint64_t tail = 0;
  if (!runs_.empty() && runs_.rbegin()->first + runs_.rbegin()->second == total_) tail = runs_.rbegin()->second;
  const std::uint64_t grow = std::max({growth_min_pages_, total_ / 2, count - tail});
  const std::uint64_t old_total = total_;
  total_ += grow;
  free_ += grow;
  bits_.resize((total_ + 63) / 64, 0);
  if (tail > 0) {
    runs_.rbegin()->second += grow;
  } else {
    runs_.emplace(old_total, grow);
  }
  Extent e{tail > 0 ? old_total - tail : old_total, count};  // the start of the (merged) tail run
  MarkUsed(e);
  return e;
}

void FreeSpaceMap::Grow(std::uint64_t new_total) {
  MEMH_CHECK(new_total >= total_);
  if (new_total == total_) return;
  const std::uint64_t grow = new_total - total_;
  if (!runs_.empty() && runs_.rbegin()->first + runs_.rbegin()->second == total_) {
    runs_.rbegin()->second += grow;
  } else {
    runs_.emplace(total_, grow);
  }
  total_ = new_total;
  free_ += grow;
  bits_.resize((total_ + 63) / 64, 0);
}

void FreeSpaceMap::MarkUsed(Extent e) {
  MEMH_CHECK(e.count > 0 && AllFree(e));
  auto it = std::prev(runs_.upper_bound(e.start));  // the run holding e.start
  const std::uint64_t start = it->first;
  const std::uint64_t length = it->second;
  MEMH_CHECK(start <= e.start && e.end() <= start + length);
  runs_.erase(it);
  if (e.start > start) runs_.emplace(start, e.start - start);
  if (start + length > e.end()) runs_.emplace(e.end(), start + length - e.end());
  SetRange(e, true);
  free_ -= e.count;
}

void FreeSpaceMap::Free(Extent e) {
  MEMH_CHECK(e.count > 0 && AllUsed(e));
  SetRange(e, false);
  free_ += e.count;
  std::uint64_t start = e.start;
  std::uint64_t length = e.count;
  auto next = runs_.lower_bound(start);
  if (next != runs_.end() && next->first == e.end()) {
    length += next->second;
    next = runs_.erase(next);
  }
  if (next != runs_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second == start) {
      start = prev->first;
      length += prev->second;
      runs_.erase(prev);
    }
  }
  runs_.emplace(start, length);
}

std::vector<Extent> FreeSpaceMap::FreeExtents() const {
  std::vector<Extent> out;
  out.reserve(runs_.size());
  for (const auto& [start, length] : runs_) out.push_back(Extent{start, length});
  return out;
}

std::uint64_t FreeSpaceMap::LargestFreeRun() const {
  std::uint64_t largest = 0;
  for (const auto& [start, length] : runs_) largest = std::max(largest, length);
  return largest;
}

std::uint64_t FreeSpaceMap::MemoryBytes() const {
  return bits_.capacity() * sizeof(std::uint64_t) + runs_.get_allocator().pool()->held_bytes();
}

std::uint64_t FreeSpaceMap::UsedEnd() const {
  if (free_ == total_) return 0;
  if (runs_.empty()) return total_;
  const auto& [start, length] = *runs_.rbegin();
  return start + length == total_ ? start : total_;
}

std::uint64_t FreeSpaceMap::HolePages() const {
  const std::uint64_t end = UsedEnd();
  std::uint64_t holes = 0;
  for (const auto& [start, length] : runs_) {
    if (start < end) holes += length;
  }
  return holes;
}

void FreeSpaceMap::Shrink(std::uint64_t new_total) {
  MEMH_CHECK(new_total >= UsedEnd() && new_total <= total_);
  if (new_total == total_) return;
  auto last = std::prev(runs_.end());  // the tail run: it covers [new_total, total)
  const std::uint64_t start = last->first;
  runs_.erase(last);
  if (new_total > start) runs_.emplace(start, new_total - start);
  free_ -= total_ - new_total;
  total_ = new_total;
  bits_.resize((total_ + 63) / 64);
  if (total_ % 64 != 0) bits_.back() &= (1ull << (total_ % 64)) - 1;
}

std::uint64_t FreeSpaceMap::EncodedSize() const { return kHeaderBytes + BitmapBytes(total_) + 16 * runs_.size(); }

void FreeSpaceMap::EncodeTo(std::span<std::uint8_t> out) const {
  MEMH_CHECK(out.size() == EncodedSize());
  std::fill(out.begin(), out.end(), 0);
  std::uint8_t* p = out.data();
  std::memcpy(p, kMagic, 8);
  PutU32(p + 8, kStructureVersion);
  PutU64(p + 16, total_);
  PutU64(p + 56, runs_.size());
  std::uint8_t* bitmap = p + kHeaderBytes;
  for (std::uint64_t byte = 0; byte < BitmapBytes(total_); ++byte) {
    bitmap[byte] = static_cast<std::uint8_t>(bits_[byte / 8] >> (8 * (byte % 8)));
  }
  std::uint8_t* run = bitmap + BitmapBytes(total_);
  for (const auto& [start, length] : runs_) {
    PutU64(run, start);
    PutU64(run + 8, length);
    run += 16;
  }
  Digest digest = MapChecksum(kStructureChecksum, out);
  std::copy(digest.begin(), digest.end(), p + kChecksumOffset);
}

Result<FreeSpaceMap> FreeSpaceMap::Decode(std::span<const std::uint8_t> bytes, std::uint64_t growth_min_pages,
                                          std::string_view where) {
  if (bytes.size() < kHeaderBytes) {
    return Status::Corruption(where, "truncated: " + std::to_string(bytes.size()) + " bytes, need 64");
  }
  const std::uint8_t* p = bytes.data();
  if (std::memcmp(p, kMagic, 8) != 0) return Status::Corruption(where, "bad magic");
  MEMH_ASSIGN_OR_RETURN(const StructureChecksum kind, ChecksumOfVersion(GetU32(p + 8), where));
  const std::uint64_t total = GetU64(p + 16);
  const std::uint64_t runs = GetU64(p + 56);
  const std::uint64_t room = bytes.size() - kHeaderBytes;
  if (total / 8 > room || runs > room / 16 || BitmapBytes(total) + 16 * runs != room) {
    return Status::Corruption(where, "length " + std::to_string(bytes.size()) + " does not fit " +
                                         std::to_string(total) + " pages and " + std::to_string(runs) + " runs");
  }
  Digest digest = MapChecksum(kind, bytes);
  if (!std::equal(digest.begin(), digest.end(), p + kChecksumOffset)) {
    return Status::Corruption(where, "checksum mismatch");
  }
  FreeSpaceMap map(total, growth_min_pages);
  const std::uint8_t* bitmap = p + kHeaderBytes;
  for (std::uint64_t byte = 0; byte < BitmapBytes(total); ++byte) {
    map.bits_[byte / 8] |= static_cast<std::uint64_t>(bitmap[byte]) << (8 * (byte % 8));
  }
  if (total % 8 != 0 && (bitmap[total / 8] >> (total % 8)) != 0) {
    return Status::Corruption(where, "bits set past the map's " + std::to_string(total) + " pages");
  }
  // Rebuild the runs from the bitmap, then require the stored list to equal them.
  map.runs_.clear();
  map.free_ = 0;
  std::uint64_t page = 0;
  while (page < total) {
    if (map.IsUsed(page)) {
      ++page;
      continue;
    }
    std::uint64_t start = page;
    while (page < total && !map.IsUsed(page)) ++page;
    map.runs_.emplace_hint(map.runs_.end(), start, page - start);
    map.free_ += page - start;
  }
  if (map.runs_.size() != runs) {
    return Status::Corruption(where, std::to_string(runs) + " free runs listed, the bitmap has " +
                                         std::to_string(map.runs_.size()));
  }
  const std::uint8_t* run = bitmap + BitmapBytes(total);
  std::uint64_t index = 0;
  for (const auto& [start, length] : map.runs_) {
    if (GetU64(run) != start || GetU64(run + 8) != length) {
      return Status::Corruption(where, "free run " + std::to_string(index) + " (start " +
                                           std::to_string(GetU64(run)) + ", " + std::to_string(GetU64(run + 8)) +
                                           " pages) is not the bitmap's run (start " + std::to_string(start) +
                                           ", " + std::to_string(length) + " pages)");
    }
    run += 16;
    ++index;
  }
  return map;
}

}  // namespace memh::engine
