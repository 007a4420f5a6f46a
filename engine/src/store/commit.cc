// The copy-on-write commit (docs/file_format.md, "Commit"): data synced, then either
// a registry delta (what changed since the last commit) or, at a checkpoint, a new
// registry and free-space map, in fresh extents, synced, then the other header slot
// synced. Runs on the writer thread (or on the creating thread before it starts).
#include "store/store_core.h"

#include <algorithm>
#include <bit>
#include <cstring>

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

// The deltas since a checkpoint may take this share of the base registry's bytes
// (whole pages), and at least StoreOptions::delta_chain_min_bytes; a commit whose
// delta would pass it is a checkpoint instead.
constexpr std::uint64_t kChainShareDivisor = 4;

}  // namespace

// The end of every commit, once its new structures are written (the caller holds the
// writer's I/O gate): sync them, write the header slot of the new generation, sync
// that. `sync_failed` says whether a sync is what failed (the store is then poisoned).
Status StoreCore::SyncAndPublish(const HeaderSlot& slot, bool sync, bool* sync_failed) {
  Status status;
  if (sync && !(status = file_->Sync()).ok()) {
    *sync_failed = true;
    return status;
  }
  const HeaderSlotBytes header = EncodeHeaderSlot(slot);
  MEMH_RETURN_IF_ERROR(file_->WriteAt(SlotOffset(SlotIndexFor(slot.generation)), header));
  if (sync && !(status = file_->Sync()).ok()) *sync_failed = true;
  return status;
}

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

void StoreCore::NoteChangeLocked(std::string_view name, bool existed, const BlockMap::value_type* entry) {
  ChangedName changed;
  std::memset(changed.name, 0, sizeof(changed.name));
  std::memcpy(changed.name, name.data(), name.size());
  changed.length = static_cast<std::uint8_t>(name.size());
  changed.existed = existed;
  changed.seq = static_cast<std::uint32_t>(changed_.size());
  changed.entry = entry;
  changed_.push_back(changed);
}

void StoreCore::CollectChangesLocked(std::uint64_t* upserts, std::uint64_t* removals) {
  // By name, and for one name in the order noted: the first says whether the block
  // existed at the last commit, the last what it is now.
  std::sort(changed_.begin(), changed_.end(), [](const ChangedName& a, const ChangedName& b) {
    const int order = a.view().compare(b.view());
    return order < 0 || (order == 0 && a.seq < b.seq);
  });
  std::size_t kept = 0;
  for (std::size_t i = 0; i < changed_.size(); ++i) {
    if (kept > 0 && changed_[kept - 1].view() == changed_[i].view()) {
      changed_[kept - 1].entry = changed_[i].entry;
      continue;
    }
    changed_[kept++] = changed_[i];
  }
  changed_.resize(kept);
  *upserts = 0;
  *removals = 0;
  for (std::size_t i = 0; i < changed_.size(); ++i) {
    changed_[i].seq = static_cast<std::uint32_t>(i);  // later notes sort after these
    if (changed_[i].entry != nullptr) {
      ++*upserts;
    } else if (changed_[i].existed) {
      ++*removals;
    }
  }
}

std::uint64_t StoreCore::ChainLimitBytesLocked() const {
  return std::max(committed_.registry_length / kChainShareDivisor, options_.delta_chain_min_bytes);
}

void StoreCore::ReserveChainLocked() {
  // Each delta takes at least a page of the chain's limit; each commit retires what
  // the changes of one commit interval replaced (registry_flush_threshold + batch_size
  // applied changes at most between auto-commits), plus, at a checkpoint, the chain
  // and the old registry and map. Powers of two, so that a store growing by a few
  // blocks between checkpoints does not move them each time.
  const std::uint64_t chain = std::bit_ceil(ChainLimitBytesLocked() / page_size_ + 1);
  const std::uint64_t retiring = std::bit_ceil(chain + CommitIntervalChanges(options_) + 2);
  chain_extents_.reserve(chain);
  retired_.reserve(retiring);
  pending_free_.reserve(retiring);
}

void StoreCore::ResetChainLocked() {
  chain_extents_.clear();
  chain_bytes_ = 0;
  changed_.clear();
  checkpoint_next_ = false;
}

Status StoreCore::CommitDelta(std::uint64_t upserts, std::uint64_t removals) {
  const bool sync = options_.sync != SyncPolicy::kNone;
  const std::uint64_t length = DeltaEncodedSize(upserts, removals);
  Extent extent;
  std::uint64_t used_pages = 0;
  {
    ExclusiveGate gate(gate_);
    MEMH_ASSIGN_OR_RETURN(extent, AllocateLocked(PagesFor(length, page_size_)));
    // What the new generation uses: the live map less what it no longer references
    // (the map a checkpoint would persist; docs/file_format.md, "Derived map").
    used_pages = map_.used_pages();
    for (const Extent& freed : pending_free_) used_pages -= freed.count;
    for (const Extent& freed : retired_) used_pages -= freed.count;
  }

  HeaderSlot slot = committed_;
  slot.version = kFormatVersion;
  slot.generation = committed_.generation + 1;
  slot.delta_offset = extent.start * page_size_;
  slot.delta_length = length;
  slot.chain_length = committed_.chain_length + 1;
  slot.file_bytes = map_.total_pages() * page_size_;
  slot.used_pages = used_pages;
  slot.block_count = blocks_.size();
  slot.last_vacuum_ms = last_vacuum_ms_;
  slot.commit_ms = CommitTimeLocked();
  DeltaHeader header;
  header.upserts = upserts;
  header.removals = removals;
  header.prev_offset = committed_.delta_offset;
  header.prev_length = committed_.delta_length;
  header.generation = slot.generation;
  header.total_pages = map_.total_pages();

  Status status;
  bool sync_failed = false;
  {
    Buffer bytes = writer_buffers_.Acquire(length);
    DeltaEncoder encoder(header, bytes.span());
    for (const ChangedName& changed : changed_) {
      if (changed.entry != nullptr) encoder.Upsert(changed.entry->first, changed.entry->second);
    }
    for (const ChangedName& changed : changed_) {
      if (changed.existed && changed.entry == nullptr) encoder.Remove(changed.view());
    }
    encoder.Finish();
    WriterIoGate io(gate_);
    status = file_->WriteAt(slot.delta_offset, bytes.span());
    if (status.ok()) status = SyncAndPublish(slot, sync, &sync_failed);
  }

  ExclusiveGate gate(gate_);
  if (!status.ok()) {
    map_.Free(extent);
    if (sync_failed) Poison(status);
    return status.WithPrefix("commit of generation " + std::to_string(slot.generation));
  }
  for (const Extent& freed : retired_) map_.Free(freed);
  retired_.clear();
  retired_.swap(pending_free_);  // both keep storage: no allocation per commit
  chain_extents_.push_back(extent);
  chain_bytes_ += extent.count * page_size_;
  committed_ = slot;
  changed_.clear();
  dirty_changes_ = 0;
  ++commits_;
  return Status::Ok();
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

  // A delta unless the chain would outgrow its share of the base (then, and for a
  // vacuum's final commit, a checkpoint). Decided from the operations alone.
  if (!release_all && !checkpoint_next_ && committed_.generation > 0) {
    std::uint64_t upserts = 0;
    std::uint64_t removals = 0;
    CollectChangesLocked(&upserts, &removals);
    const std::uint64_t bytes = PagesFor(DeltaEncodedSize(upserts, removals), page_size_) * page_size_;
    if (chain_bytes_ + bytes <= ChainLimitBytesLocked()) return CommitDelta(upserts, removals);
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
      for (const Extent& extent : chain_extents_) persisted.Free(extent);
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
    WriterIoGate io(gate_);
    if (status.ok()) status = file_->WriteAt(slot.map_offset, map.span());
    if (status.ok()) status = SyncAndPublish(slot, sync, &sync_failed);
  }

  ExclusiveGate gate(gate_);
  if (!status.ok()) {
    map_.Free(registry_extent);
    map_.Free(map_extent);
    if (sync_failed) Poison(status);
    return status.WithPrefix("commit of generation " + std::to_string(slot.generation));
  }
  for (const Extent& extent : retired_) map_.Free(extent);
  retired_.clear();
  retired_.swap(pending_free_);  // both keep storage: no allocation per commit
  if (committed_.generation > 0) {
    retired_.push_back(ExtentOf(committed_.registry_offset, committed_.registry_length, page_size_));
    retired_.push_back(ExtentOf(committed_.map_offset, committed_.map_length, page_size_));
  }
  for (const Extent& extent : chain_extents_) retired_.push_back(extent);
  ResetChainLocked();
  committed_ = slot;
  ReserveChainLocked();  // the new base's limit: grows with the store, else nothing
  dirty_changes_ = 0;
  ++commits_;
  ++checkpoints_;
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
