// The background writer thread: the only thread that writes the store file. It takes
// work items from the ring in order: applies batches (data to fresh extents, sorted by
// offset), commits (after batch_size applied changes, and on request), vacuums.
// Batch boundaries come from operation counts and explicit requests only, so a
// scenario does the same work, and allocates the same bytes, every run.
#include <algorithm>
#include <new>

#include "store/store_core.h"

namespace memh::engine {

void StoreCore::StartWriter() {
  writer_ = std::thread([this] { WriterLoop(); });
}

void StoreCore::WriterLoop() {
  for (;;) {
    WorkKind kind;
    Batch* batch = nullptr;
    Completion* completion = nullptr;
    {
      std::unique_lock lock(queue_mutex_);
      if (options_.flush_interval_ms == 0) {
        queue_cv_.wait(lock, [&] { return !ring_.empty(); });
      } else if (!queue_cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_interval_ms),
                                     [&] { return !ring_.empty(); })) {
        // Timer tick with nothing queued: commit what was applied, if anything.
        lock.unlock();
        if (dirty_changes_ > 0 && !poisoned()) {
          Status ignored = CommitNow(/*force=*/false, /*release_all=*/false);
          (void)ignored;  // a failed commit poisons the store; the next call reports it
        }
        continue;
      }
      WorkItem& front = ring_.Front();
      kind = front.kind;
      batch = front.batch.get();
      completion = front.completion;
    }
    Status status;
    try {
      status = RunItem(kind, batch, completion);
    } catch (const std::bad_alloc&) {
      // The durable state is intact; what was in memory may not be, so stop changes.
      status = Status::OutOfMemory(path_ + ": background writer");
      Poison(status);
    }
    FinishFront(std::move(status));
    if (kind == WorkKind::kStop) return;
  }
}

Status StoreCore::RunItem(WorkKind kind, Batch* batch, Completion* completion) {
  switch (kind) {
    case WorkKind::kApply:
      MEMH_RETURN_IF_ERROR(ApplyBatch(*batch));
      // The auto-commit belongs to the batch that triggered it, so whoever waits for
      // the batch (a client wanting room, a drain) also waits for it.
      if (dirty_changes_ >= options_.registry_flush_threshold && !poisoned()) {
        (void)CommitNow(/*force=*/false, /*release_all=*/false);  // a failure poisons the store
      }
      return Status::Ok();
    case WorkKind::kCommit:
      if (poisoned()) return PoisonStatus().WithPrefix("commit refused");
      return CommitNow(/*force=*/false, /*release_all=*/false);
    case WorkKind::kVacuum: {
      if (poisoned()) return PoisonStatus().WithPrefix("vacuum refused");
      MEMH_RETURN_IF_ERROR(CommitNow(/*force=*/false, /*release_all=*/false));
      completion->vacuum_report.mode = completion->vacuum_mode;
      return completion->vacuum_mode == VacuumMode::kQuick
                 ? VacuumQuick(&completion->vacuum_report, completion->requested_ms)
                 : VacuumFull(&completion->vacuum_report, completion->requested_ms);
    }
    case WorkKind::kBarrier:
    case WorkKind::kStop:
      return Status::Ok();
  }
  return Status::Ok();
}

// Pops the front item, wakes whoever waits for it or for room in the queue. The batch
// (and the staged payloads it owns) is freed here, on the writer thread.
void StoreCore::FinishFront(Status status) {
  WorkItem item;
  {
    ExclusiveGate pending(pending_gate_);  // readers walk the ring and finished_
    std::lock_guard lock(queue_mutex_);
    item = ring_.PopFront();
    if (item.kind == WorkKind::kApply) {
      applied_seq_ = item.seq;
      finished_.emplace_back(item.seq, std::move(item.batch));  // freed by a client: see finished_
    }
    if (item.completion != nullptr) {
      item.completion->status = std::move(status);
      item.completion->finished = true;
    }
    queue_cv_.notify_all();
  }
}

void StoreCore::Poison(const Status& cause) {
  std::lock_guard lock(poison_mutex_);
  if (poisoned()) return;
  poison_cause_ = cause;
  poisoned_.store(true, std::memory_order_release);
}

Result<Extent> StoreCore::AllocateLocked(std::uint64_t pages) {
  Extent extent = map_.Allocate(pages);
  if (map_.total_pages() > file_pages_) {
    Status grown = file_->Truncate(map_.total_pages() * page_size_);
    if (!grown.ok()) {
      map_.Free(extent);
      return grown.WithPrefix("growing the file");
    }
    file_pages_ = map_.total_pages();
  }
  return extent;
}

Status StoreCore::ApplyBatch(Batch& batch) {
  std::vector<PlannedWrite>& plan = plan_;
  plan.clear();
  plan.reserve(batch.ops.size());
  // The plan, in the batch's order (Batch::order), fetching a few entries ahead: each
  // was written on the client's core, so each is a miss. The client hashed the names;
  // here each one's index slot is prefetched. Only this thread changes the index, so
  // hinting at it needs no gate.
  constexpr std::size_t kAhead = 4;
  const std::vector<Batch::Ops::value_type*>& order = batch.order;
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i + kAhead < order.size()) {
      const char* next = reinterpret_cast<const char*>(order[i + kAhead]);
      for (std::size_t line = 0; line < sizeof(Batch::Ops::value_type); line += 64) __builtin_prefetch(next + line);
    }
    auto& [name, op] = *order[i];
    names_.PrefetchSlot(op.name_hash);
    plan.push_back(PlannedWrite{&name, &op, Extent{}, blocks_.end(), false, Extent{}});
  }
  Status status;
  {
    ExclusiveGate gate(gate_);
    if (poisoned()) status = PoisonStatus();
    for (PlannedWrite& planned : plan) {
      if (!status.ok()) break;
      if (!planned.op->remove && planned.op->length > 0) {
        Result<Extent> extent = AllocateLocked(PagesFor(planned.op->length, page_size_));
        if (!extent.ok()) {
          status = extent.status();
          break;
        }
        planned.extent = *extent;
      }
    }
  }
  // The blocks with data, sorted by file offset, so the writes sweep the file once (as
  // the original did); extents never overlap, so the order is total. The plan itself
  // stays in the batch's order for publishing, below.
  std::vector<const PlannedWrite*>& by_offset = by_offset_;
  by_offset.clear();
  by_offset.reserve(plan.size());
  for (const PlannedWrite& planned : plan) {
    if (planned.extent.count > 0) by_offset.push_back(&planned);
  }
  std::sort(by_offset.begin(), by_offset.end(),
            [](const PlannedWrite* a, const PlannedWrite* b) { return a->extent.start < b->extent.start; });
  if (status.ok()) {
    WriterIoGate io(gate_);
    status = WritePlanned(by_offset);
  }
  // The lookups before the gate: only this thread changes the registry and its index,
  // so it reads them without the gate, and readers and removes (who take the gate
  // shared) do not wait through a batch's cache misses (at a million blocks, most of
  // what applying a change costs).
  for (const PlannedWrite& planned : plan) names_.PrefetchEntry(planned.op->name_hash);
  for (PlannedWrite& planned : plan) {
    planned.found = names_.Find(*planned.name, planned.op->name_hash);
    planned.existed = planned.found != blocks_.end();
    const BlockEntry* old = planned.existed ? &planned.found->second : nullptr;
    planned.old_extent = old != nullptr && old->length > 0 ? ExtentOf(old->offset, old->length, page_size_) : Extent{};
  }
  if (!status.ok()) {
    // The old state is intact (nothing points at the new extents); the queued changes
    // are lost, so the store refuses more until it is reopened.
    ExclusiveGate gate(gate_);
    for (const PlannedWrite& planned : plan) {
      if (planned.extent.count > 0) map_.Free(planned.extent);
    }
    Poison(status.WithPrefix("applying a batch of " + std::to_string(batch.ops.size()) + " writes"));
    return status;
  }
  {
    // Only what readers see happens under the gate: the registry and its index. At a
    // million blocks each change here is a few cache misses, and readers and removes
    // wait it out (asleep, in this virtual machine); the writer's own bookkeeping is
    // below, after the gate.
    ExclusiveGate gate(gate_);
    // A new name goes in just before the entry after the last new one when it sorts
    // between them (checked with two compares, else a walk from the root): names that
    // arrive in order, such as ascending ids or time-ordered keys, are placed without
    // walking the tree, which at a million blocks is ~20 cache misses each.
    try {
      auto last_inserted = blocks_.end();
      for (PlannedWrite& planned : plan) {
        // One lookup per change, in the name index, made above. A batch names each block
        // once, so no change here moves another's entry.
        auto it = planned.found;
        if (planned.op->remove) {
          if (planned.existed) {
            names_.Erase(it);
            blocks_.erase(it);
          }
          planned.found = blocks_.end();
          continue;
        }
        if (!planned.existed) {
          it = blocks_.emplace_hint(last_inserted == blocks_.end() ? blocks_.end() : std::next(last_inserted),
                                    *planned.name, BlockEntry{});
          last_inserted = it;
          try {
            names_.Insert(it);
          } catch (const std::bad_alloc&) {
            blocks_.erase(it);  // the map and the index agree, and the writer poisons the store
            throw;
          }
        }
        BlockEntry& entry = it->second;
        entry.name = *planned.name;
        entry.offset = planned.extent.start * page_size_;
        entry.length = planned.op->length;
        entry.sha256 = planned.op->sha256;
        entry.modified_ms = planned.op->modified_ms;
        planned.found = it;
      }
    } catch (const std::bad_alloc&) {
      // The writer poisons the store (WriterLoop); the names published so far must
      // not be served from the metadata cache's old locations meanwhile.
      for (const PlannedWrite& planned : plan) cache_.Erase(*planned.name);
      throw;
    }
    dirty_changes_ += plan.size();
    ++batches_applied_;  // Stats reads it under the gate
  }
  // The metadata cache forgets the batch's names after the registry changed and before
  // the batch leaves the queue (FinishFront): a reader that cached an old location did
  // so under the gate, before the change, and every reader after it finds the name
  // still queued, which it checks first.
  for (const PlannedWrite& planned : plan) {
    if (planned.old_extent.count > 0) pending_free_.push_back(planned.old_extent);
    cache_.Erase(*planned.name);
    last_change_ms_ = std::max(last_change_ms_, planned.op->modified_ms);
    const bool kept = planned.found != blocks_.end();
    NoteChangeLocked(*planned.name, planned.existed, kept ? &*planned.found : nullptr);
  }
  return status;
}

namespace {

// Zeros for the tail of a block's last page when the next block follows it: that tail
// is never read (a block is read by its length), and filling it keeps a run of
// adjacent blocks one write. As long as the largest page.
constexpr std::uint8_t kZeroPage[kMaxPageSize] = {};

}  // namespace

Status StoreCore::WritePlanned(std::span<const PlannedWrite* const> plan) {
  std::size_t i = 0;
  while (i < plan.size()) {
    const std::uint64_t offset = plan[i]->extent.start * page_size_;
    std::uint64_t next_page = plan[i]->extent.start;
    write_pieces_.clear();
    for (; i < plan.size() && plan[i]->extent.start == next_page; ++i) {
      const PlannedWrite& planned = *plan[i];
      write_pieces_.push_back(planned.op->payload.span());
      const std::uint64_t tail = planned.extent.count * page_size_ - planned.op->length;
      if (tail > 0) write_pieces_.push_back(std::span<const std::uint8_t>(kZeroPage, tail));
      next_page = planned.extent.end();
    }
    if (write_pieces_.size() > 1 && write_pieces_.back().data() == kZeroPage) write_pieces_.pop_back();
    MEMH_RETURN_IF_ERROR(file_->WriteGatherAt(offset, write_pieces_));
  }
  return Status::Ok();
}

}  // namespace memh::engine
