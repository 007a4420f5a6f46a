// The copy-on-write commit (docs/file_format.md, "Commit"): data synced, then a new
// registry and free-space map in fresh extents synced, then the other header slot
// synced. Runs on the writer thread (or on the creating thread before it starts).
#include "store/store_core.h"

#include <algorithm>

namespace memh::engine {
namespace {

// Map pages for a map of `total` pages with `runs` free runs, with a little slack for
// the runs the map's own allocation may add.
std::uint64_t MapPagesFor(std::uint64_t total, std::uint64_t runs, std::uint32_t page_size) {
  return PagesFor(64 + (total + 7) / 8 + 16 * (runs + 4), page_size);
}

// The registry is encoded and written through one buffer of at most this many bytes
// (about 10,900 entries), so that a commit holds no copy of a registry the size of
// the store (96 MB at a million blocks): what a commit allocates does not grow with
// the store. A registry that fits is one piece, exactly as before.
constexpr std::uint64_t kRegistryPieceBytes = 1 << 20;

}  // namespace

// Writes the registry into its fresh extent at `offset`. One that fits in a piece is
// one write, checksum included; a larger one is written a piece at a time, then its
// checksum into the header's field (the extent is fresh: no reader sees it before the
// header slot names it).
Status StoreCore::WriteRegistry(std::uint64_t offset, std::uint64_t length) {
  Buffer piece = writer_buffers_.Acquire(std::min(length, kRegistryPieceBytes));
  RegistryEncoder encoder(blocks_);
  std::uint64_t at = offset;
  while (!encoder.done()) {
    std::span<std::uint8_t> bytes = piece.span().first(encoder.Next(piece.span()));
    const bool whole = at == offset && encoder.done();
    if (whole) {
      const Digest checksum = encoder.Checksum();
      std::copy(checksum.begin(), checksum.end(), bytes.begin() + kRegistryChecksumOffset);
    }
    WriterIoGate io(gate_);
    MEMH_RETURN_IF_ERROR(file_->WriteAt(at, bytes));
    if (whole) return Status::Ok();
    at += bytes.size();
  }
  const Digest checksum = encoder.Checksum();
  WriterIoGate io(gate_);
  return file_->WriteAt(offset + kRegistryChecksumOffset, checksum);
}

Status StoreCore::CommitNow(bool force, bool release_all) {
  if (!force && !release_all && dirty_changes_ == 0) return Status::Ok();
  const bool sync = options_.sync != SyncPolicy::kNone;
  if (sync) {
    WriterIoGate io(gate_);
    Status synced = file_->Sync();
    if (!synced.ok()) {
      Poison(synced);
      return synced;
    }
  }

  // The new generation no longer references what applied changes replaced, what the
  // last commit retired, nor the current registry and map: the persisted map says
  // those pages are free, while the live map keeps them until this commit is durable.
  const std::uint64_t registry_length = RegistryEncodedSize(blocks_.size());
  Extent registry_extent;
  Extent map_extent;
  FreeSpaceMap& persisted = commit_map_;
  {
    ExclusiveGate gate(gate_);
    if (release_all) {
      for (const Extent& extent : retired_) map_.Free(extent);
      for (const Extent& extent : pending_free_) map_.Free(extent);
      retired_.clear();
      pending_free_.clear();
    }
    MEMH_ASSIGN_OR_RETURN(registry_extent, AllocateLocked(PagesFor(registry_length, page_size_)));
    std::uint64_t map_pages = MapPagesFor(map_.total_pages(), map_.free_extent_count(), page_size_);
    for (;;) {
      Result<Extent> allocated = AllocateLocked(map_pages);
      if (!allocated.ok()) {
        map_.Free(registry_extent);
        return allocated.status();
      }
      map_extent = *allocated;
      persisted = map_;
      for (const Extent& extent : pending_free_) persisted.Free(extent);
      for (const Extent& extent : retired_) persisted.Free(extent);
      if (committed_.generation > 0) {
        persisted.Free(ExtentOf(committed_.registry_offset, committed_.registry_length, page_size_));
        persisted.Free(ExtentOf(committed_.map_offset, committed_.map_length, page_size_));
      }
      if (release_all) persisted.Shrink(persisted.UsedEnd());
      if (PagesFor(persisted.EncodedSize(), page_size_) <= map_extent.count) break;
      map_.Free(map_extent);
      map_pages = PagesFor(persisted.EncodedSize(), page_size_) + 1;
    }
  }

  HeaderSlot slot;
  slot.page_size = page_size_;
  slot.generation = committed_.generation + 1;
  slot.registry_offset = registry_extent.start * page_size_;
  slot.registry_length = registry_length;
  slot.map_offset = map_extent.start * page_size_;
  slot.map_length = map_extent.count * page_size_;  // whole pages: the tail is zero padding
  slot.file_bytes = persisted.total_pages() * page_size_;
  slot.used_pages = persisted.used_pages();
  slot.block_count = blocks_.size();
  slot.last_vacuum_ms = last_vacuum_ms_;
  slot.commit_ms = CommitTimeLocked();

  Status status;
  bool sync_failed = false;
  {
    status = WriteRegistry(slot.registry_offset, registry_length);
    Buffer map = writer_buffers_.Acquire(slot.map_length);
    EncodeMapPadded(persisted, map.span());
    HeaderSlotBytes header = EncodeHeaderSlot(slot);
    WriterIoGate io(gate_);
    if (status.ok()) status = file_->WriteAt(slot.map_offset, map.span());
    if (status.ok() && sync) sync_failed = !(status = file_->Sync()).ok();
    if (status.ok()) status = file_->WriteAt(SlotOffset(SlotIndexFor(slot.generation)), header);
    if (status.ok() && sync) sync_failed = !(status = file_->Sync()).ok();
  }

  ExclusiveGate gate(gate_);
  if (!status.ok()) {
    map_.Free(registry_extent);
    map_.Free(map_extent);
    if (sync_failed) Poison(status);
    return status.WithPrefix("commit of generation " + std::to_string(slot.generation));
  }
  for (const Extent& extent : retired_) map_.Free(extent);
  retired_ = std::move(pending_free_);
  pending_free_.clear();
  if (committed_.generation > 0) {
    retired_.push_back(ExtentOf(committed_.registry_offset, committed_.registry_length, page_size_));
    retired_.push_back(ExtentOf(committed_.map_offset, committed_.map_length, page_size_));
  }
  committed_ = slot;
  dirty_changes_ = 0;
  ++commits_;
  if (release_all) {
    for (const Extent& extent : retired_) map_.Free(extent);
    retired_.clear();
    map_.Shrink(persisted.total_pages());
    // The header already says the smaller size; a failed truncate only leaves slack.
    if (file_->Truncate(slot.file_bytes).ok()) file_pages_ = map_.total_pages();
  }
  return Status::Ok();
}

}  // namespace memh::engine
