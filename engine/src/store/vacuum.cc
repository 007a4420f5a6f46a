// Vacuum, on the writer thread after a commit. Quick: move blocks from the end of the
// file into holes nearer its start (highest offset first, first fit), commit, then
// commit again releasing everything freed and truncating the file at its last used
// page. Full: copy every block, packed, into a new file and rename it over the old one.
// Both give up the older generation kept as a fallback (the file is rewritten or
// cut), so after a vacuum only the newest header slot is usable.
#include <algorithm>

#include "store/store_core.h"

namespace memh::engine {

double StoreCore::FragmentationLocked() const {
  std::uint64_t total = map_.total_pages();
  return total == 0 ? 0.0 : static_cast<double>(map_.HolePages()) / static_cast<double>(total);
}

Status StoreCore::MoveBlock(const std::string& name, Extent target) {
  const BlockEntry& entry = blocks_.at(name);
  const std::uint64_t old_offset = entry.offset;
  const std::string where = path_ + ": block \"" + name + "\" at offset " + std::to_string(old_offset);
  Buffer scratch = writer_buffers_.Acquire(entry.length);
  Status status;
  {
    WriterIoGate io(gate_);
    status = file_->ReadAt(old_offset, scratch.span());
    if (status.ok() && writer_buffers_.Checksum(scratch.span()) != entry.sha256) {
      status = Status::Corruption(where, "checksum mismatch (vacuum stopped; nothing of it was moved)");
    }
    if (status.ok()) status = file_->WriteAt(target.start * page_size_, scratch.span());
  }
  ExclusiveGate gate(gate_);
  if (!status.ok()) {
    map_.Free(target);
    return status.code() == Code::kCorruption ? status : status.WithPrefix(where);
  }
  // Moves are not noted one by one: the next commit is a checkpoint (a vacuum's pass
  // moves up to every block, and its commits rewrite the registry as before).
  checkpoint_next_ = true;
  BlockEntry& moved = blocks_.at(name);
  pending_free_.push_back(ExtentOf(old_offset, moved.length, page_size_));
  moved.offset = target.start * page_size_;
  cache_.Erase(name);
  ++dirty_changes_;
  return Status::Ok();
}

Status StoreCore::VacuumQuick(VacuumReport* report, std::uint64_t requested_ms) {
  {
    ExclusiveGate gate(gate_);
    for (const Extent& extent : retired_) map_.Free(extent);
    retired_.clear();
    report->bytes_before = committed_.file_bytes;
    report->fragmentation_before = FragmentationLocked();
  }
  // A pass cannot reuse the holes it opens (they stay reserved until committed), so
  // passes repeat, each committed and its holes released, until nothing moves. Every
  // move goes to a lower offset, so this ends; the bound only caps the work.
  constexpr int kMaxPasses = 16;
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    std::vector<std::pair<std::uint64_t, const std::string*>> by_offset;
    by_offset.reserve(blocks_.size());
    for (const auto& [name, entry] : blocks_) {
      if (entry.length > 0) by_offset.emplace_back(entry.offset, &name);
    }
    std::sort(by_offset.begin(), by_offset.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::uint64_t moved = 0;
    for (const auto& [offset, name] : by_offset) {
      const std::uint64_t pages = PagesFor(blocks_.at(*name).length, page_size_);
      Extent target;
      {
        ExclusiveGate gate(gate_);
        if (map_.LargestFreeRun() < pages) continue;  // no hole fits: Allocate would grow
        target = map_.Allocate(pages);
        if (target.start * page_size_ >= offset) {
          map_.Free(target);
          continue;
        }
      }
      MEMH_RETURN_IF_ERROR(MoveBlock(*name, target));
      ++moved;
    }
    if (moved == 0) break;
    report->blocks_moved += moved;
    MEMH_RETURN_IF_ERROR(CommitNow(/*force=*/false, /*release_all=*/false));
    ExclusiveGate gate(gate_);
    for (const Extent& extent : retired_) map_.Free(extent);
    retired_.clear();
  }
  last_vacuum_ms_ = requested_ms;
  MEMH_RETURN_IF_ERROR(CommitNow(/*force=*/true, /*release_all=*/true));
  ExclusiveGate gate(gate_);
  report->bytes_after = committed_.file_bytes;
  report->bytes_reclaimed = report->bytes_before - std::min(report->bytes_before, report->bytes_after);
  report->fragmentation_after = FragmentationLocked();
  return Status::Ok();
}

Status StoreCore::VacuumFull(VacuumReport* report, std::uint64_t requested_ms) {
  {
    ExclusiveGate gate(gate_);
    for (const Extent& extent : retired_) map_.Free(extent);
    retired_.clear();
    report->bytes_before = committed_.file_bytes;
    report->fragmentation_before = FragmentationLocked();
  }
  const std::string temp_path = path_ + ".vacuum-tmp";
  if (env_->Exists(temp_path)) MEMH_RETURN_IF_ERROR(env_->Remove(temp_path));  // left by a crash
  MEMH_ASSIGN_OR_RETURN(std::unique_ptr<File> temp, env_->Open(temp_path, OpenMode::kCreateExclusive));
  auto abandon = [&](Status status) {
    temp.reset();
    (void)env_->Remove(temp_path);
    return status;
  };

  // Layout: header area, blocks in their current order, registry, map; no free page.
  std::vector<std::pair<std::uint64_t, const std::string*>> by_offset;
  std::uint64_t block_pages = 0;
  for (const auto& [name, entry] : blocks_) {
    by_offset.emplace_back(entry.offset, &name);
    block_pages += PagesFor(entry.length, page_size_);
  }
  std::sort(by_offset.begin(), by_offset.end());
  const std::uint64_t header_pages = HeaderPages(page_size_);
  const std::uint64_t registry_length = RegistryEncodedSize(blocks_.size());
  const std::uint64_t registry_pages = PagesFor(registry_length, page_size_);
  std::uint64_t map_pages = 1;
  std::uint64_t total = 0;
  for (;;) {  // the map's size depends on the total it describes, which includes it
    total = header_pages + block_pages + registry_pages + map_pages;
    std::uint64_t needed = PagesFor(64 + (total + 7) / 8, page_size_);
    if (needed <= map_pages) break;
    map_pages = needed;
  }
  FreeSpaceMap packed(total, options_.growth_min_pages);
  packed.MarkUsed(Extent{0, total});
  BlockMap relocated = blocks_;
  Status status = temp->Truncate(total * page_size_);
  std::uint64_t next_page = header_pages;
  for (const auto& [offset, name] : by_offset) {
    if (!status.ok()) break;
    BlockEntry& entry = relocated.at(*name);
    if (entry.length == 0) continue;
    Buffer scratch = writer_buffers_.Acquire(entry.length);
    {
      WriterIoGate io(gate_);
      status = file_->ReadAt(entry.offset, scratch.span());
    }
    if (status.ok() && writer_buffers_.Checksum(scratch.span()) != entry.sha256) {
      status = Status::Corruption(path_ + ": block \"" + *name + "\" at offset " + std::to_string(entry.offset),
                                  "checksum mismatch (vacuum stopped; the store is unchanged)");
    }
    entry.offset = next_page * page_size_;
    if (status.ok()) status = temp->WriteAt(entry.offset, scratch.span());
    next_page += PagesFor(entry.length, page_size_);
    ++report->blocks_moved;
  }
  if (!status.ok()) return abandon(status);

  last_vacuum_ms_ = requested_ms;
  HeaderSlot slot;
  slot.page_size = page_size_;
  slot.generation = committed_.generation + 1;
  slot.registry_offset = next_page * page_size_;
  slot.registry_length = registry_length;
  slot.map_offset = (next_page + registry_pages) * page_size_;
  slot.map_length = map_pages * page_size_;
  slot.file_bytes = total * page_size_;
  slot.used_pages = total;
  slot.block_count = relocated.size();
  slot.last_vacuum_ms = last_vacuum_ms_;
  slot.commit_ms = CommitTimeLocked();
  {
    Buffer registry = writer_buffers_.Acquire(registry_length);
    EncodeRegistry(relocated, registry.span());
    Buffer map = writer_buffers_.Acquire(slot.map_length);
    EncodeMapPadded(packed, map.span());
    status = temp->WriteAt(slot.registry_offset, registry.span());
    if (status.ok()) status = temp->WriteAt(slot.map_offset, map.span());
    if (status.ok()) status = temp->WriteAt(SlotOffset(SlotIndexFor(slot.generation)), EncodeHeaderSlot(slot));
    if (status.ok()) status = temp->Sync();  // always: the rename must never expose unsynced data
  }
  if (!status.ok()) return abandon(status);

  ExclusiveGate gate(gate_);
  status = env_->Rename(temp_path, path_);
  if (!status.ok()) return abandon(status);
  if (options_.sync != SyncPolicy::kNone) {
    Status synced = env_->SyncDirOf(path_);
    if (!synced.ok()) Poison(synced);  // the rename's durability is unknown
  }
  // Reopen by the real name, so errors name the store rather than the temporary.
  Result<std::unique_ptr<File>> reopened = env_->Open(path_, OpenMode::kReadWrite);
  if (reopened.ok()) {
    file_ = std::move(*reopened);
  } else {
    file_ = std::move(temp);
    Poison(reopened.status());
  }
  blocks_ = std::move(relocated);
  names_.Rebuild();
  map_ = std::move(packed);
  committed_ = slot;
  pending_free_.clear();
  ResetChainLocked();
  ReserveChainLocked();
  file_pages_ = total;
  dirty_changes_ = 0;
  ++commits_;
  ++checkpoints_;
  cache_.Clear();
  report->bytes_after = slot.file_bytes;
  report->bytes_reclaimed = report->bytes_before - std::min(report->bytes_before, report->bytes_after);
  report->fragmentation_after = FragmentationLocked();
  return Status::Ok();
}

}  // namespace memh::engine
