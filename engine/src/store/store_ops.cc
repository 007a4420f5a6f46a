// The foreground half of StoreCore: the calls a client thread makes. They read under
// both gates shared and queue changes under the pending gate exclusive (store_core.h,
// "Threads and locks"); everything that writes the file is handed to the background
// writer (writer.cc).
#include <algorithm>
#include <cstring>
#include <optional>

#include "checksum/sha256.h"
#include "store/store_core.h"

namespace memh::engine {
namespace {

std::string BlockWhere(const std::string& path, std::string_view name) {
  std::string where = path;
  where.append(": block \"");
  where.append(name);
  where.append("\"");
  return where;
}

}  // namespace

Status StoreCore::CheckOpenLocked() const {
  if (closed_) return Status::Closed(path_);
  return Status::Ok();
}

Status StoreCore::CheckWritableLocked() const {
  MEMH_RETURN_IF_ERROR(CheckOpenLocked());
  if (options_.read_only) return Status::FailedPrecondition(path_, "opened read-only");
  if (poisoned()) {
    return Status::FailedPrecondition(path_, "refusing changes until reopened after: " + PoisonStatus().message());
  }
  return Status::Ok();
}

bool StoreCore::RoomForHandOffQueueLocked() const {
  return ring_.free_slots() > 0 && applied_seq_ + max_in_flight_ >= handed_seq_ + 1;
}

bool StoreCore::RoomForHandOffLocked() {
  std::lock_guard lock(queue_mutex_);
  return RoomForHandOffQueueLocked();
}

void StoreCore::HandOffLocked(std::unique_ptr<Batch> fresh) {
  WorkItem item;
  item.kind = WorkKind::kApply;
  item.batch = std::exchange(current_, std::move(fresh));
  const std::uint64_t seq = PushLocked(std::move(item));
  if (seq > max_in_flight_) ReclaimBatchesLocked(seq - max_in_flight_);
}

std::uint64_t StoreCore::PushLocked(WorkItem item) {
  std::lock_guard lock(queue_mutex_);
  if (item.kind == WorkKind::kApply) item.seq = ++handed_seq_;
  ring_.Push(std::move(item));
  queue_cv_.notify_all();
  return handed_seq_;
}

void StoreCore::ReclaimBatchesLocked(std::uint64_t seq) {
  std::lock_guard lock(queue_mutex_);
  const bool recycle = WriteStaging::RecyclesQueueEntries();
  const std::size_t erased = std::erase_if(finished_, [&](auto& entry) {
    if (entry.first > seq) return false;
    Batch& batch = *entry.second;
    while (recycle && !batch.ops.empty() && spare_entries_.size() < spare_entries_.capacity()) {
      Batch::Ops::node_type node = batch.ops.extract(batch.ops.begin());
      node.mapped() = PendingOp{};  // the staged payload goes back now
      spare_entries_.push_back(std::move(node));
    }
    batch.Clear();
    if (recycle && spare_batches_.size() < spare_batches_.capacity()) spare_batches_.push_back(std::move(entry.second));
    return true;
  });
  if (erased > 0) reclaims_.fetch_add(1, std::memory_order_release);
}

std::unique_ptr<Batch> StoreCore::NewBatchLocked() {
  if (spare_batches_.empty()) return std::make_unique<Batch>(options_.batch_size);
  std::unique_ptr<Batch> batch = std::move(spare_batches_.back());
  spare_batches_.pop_back();
  return batch;
}

void StoreCore::PutLocked(Batch& batch, Batch::Ops::iterator at, std::string_view name, PendingOp op) {
  if (at != batch.ops.end() && at->first == name) {
    at->second = std::move(op);
    return;
  }
  // Room in the order first, so that a failed allocation changes nothing (only a
  // transaction's batch outgrows the capacity it was made with).
  if (batch.order.size() == batch.order.capacity()) {
    batch.order.reserve(std::max<std::size_t>(16, 2 * batch.order.capacity()));
  }
  batch.NoteName(op.name_hash);
  if (spare_entries_.empty()) {
    batch.order.push_back(&*batch.ops.emplace_hint(at, std::string(name), std::move(op)));
    return;
  }
  Batch::Ops::node_type node = std::move(spare_entries_.back());
  spare_entries_.pop_back();
  node.key().assign(name);  // reuses the string's capacity
  node.mapped() = std::move(op);
  batch.order.push_back(&*batch.ops.insert(at, std::move(node)));
}

// Queues one change. When the change fills the current batch, the batch goes to the
// writer at once; when the writer's queue has no room for it, the caller waits
// (outside the gate) before changing anything, so a full queue never half-applies a
// call. The next batch is allocated before the change is made, so running out of
// memory leaves the store as it was.
Status StoreCore::Enqueue(std::string_view name, PendingOp op) {
  for (;;) {
    // A remove must know whether the block exists: the applied blocks first, under
    // gate_ shared for the lookup alone, so that the writer, which publishes under gate_
    // exclusive, never waits for the rest of this call. The index, not the metadata
    // cache: the block is about to go, so caching its location would only evict one
    // that stays. A write needs only the queued state.
    bool applied_exists = false;
    std::uint64_t reclaims = 0;
    if (op.remove) {
      reclaims = reclaims_.load(std::memory_order_acquire);
      SharedGate applied(gate_);
      applied_exists = names_.Find(name, op.name_hash) != blocks_.end();
    }
    {
      ExclusiveGate queued(pending_gate_);
      MEMH_RETURN_IF_ERROR(CheckWritableLocked());
      if (op.remove) {
        // The queued state is newer where it names the block. Where it does not, the
        // applied answer stands: a batch the writer applied since the lookup is still
        // queued or in finished_ (and so found here) unless a client reclaimed it
        // meanwhile; then look again.
        if (reclaims_.load(std::memory_order_relaxed) != reclaims) continue;
        const PendingOp* pending = FindPendingLocked(name, op.name_hash);
        const bool exists = pending != nullptr ? !pending->remove : applied_exists;
        if (!exists) return Status::NotFound(BlockWhere(path_, name));
      }
      if (txn_ != nullptr) {
        PutLocked(*txn_, txn_->ops.lower_bound(name), name, std::move(op));
        return Status::Ok();
      }
      // One walk of the batch: where the name is or would go (names share long
      // prefixes, so each step of the walk is a string compare).
      const Batch::Ops::iterator at = current_->ops.lower_bound(name);
      const bool present = at != current_->ops.end() && at->first == name;
      bool fills = current_->ops.size() + (present ? 0 : 1) >= options_.batch_size;
      if (!fills || RoomForHandOffLocked()) {
        std::unique_ptr<Batch> fresh = fills ? NewBatchLocked() : nullptr;
        PutLocked(*current_, at, name, std::move(op));
        if (fills) HandOffLocked(std::move(fresh));
        return Status::Ok();
      }
    }
    std::unique_lock lock(queue_mutex_);
    queue_cv_.wait(lock, [&] { return RoomForHandOffQueueLocked(); });
  }
}

Status StoreCore::Write(std::string_view name, std::span<const std::uint8_t> payload) {
  MEMH_RETURN_IF_ERROR(ValidateBlockName(name));
  if (payload.size() > kMaxBlockBytes) {
    return Status::InvalidArgument(BlockWhere(path_, name), "payload of " + std::to_string(payload.size()) +
                                                                 " bytes is over the 4 GiB limit");
  }
  PendingOp op;
  op.name_hash = NameIndex::Hash(name);  // here, not on the writer: see Batch::order
  op.length = payload.size();
  op.sha256 = buffers_.Checksum(payload);
  op.payload = staging_.Stage(payload);
  op.modified_ms = clock_->NowMillis();
  return Enqueue(name, std::move(op));
}

Status StoreCore::Remove(std::string_view name) {
  MEMH_RETURN_IF_ERROR(ValidateBlockName(name));
  PendingOp op;
  op.name_hash = NameIndex::Hash(name);
  op.remove = true;
  op.modified_ms = clock_->NowMillis();
  return Enqueue(name, std::move(op));
}

const PendingOp* StoreCore::FindPendingLocked(std::string_view name, std::size_t hash) const {
  auto find = [&](const Batch* batch) -> const PendingOp* {
    if (batch == nullptr || !batch->MayHold(hash)) return nullptr;
    auto it = batch->ops.find(name);
    return it == batch->ops.end() ? nullptr : &it->second;
  };
  if (const PendingOp* op = find(txn_.get())) return op;
  if (const PendingOp* op = find(current_.get())) return op;
  for (std::size_t i = 0; i < ring_.size(); ++i) {
    const WorkItem& item = ring_.FromNewest(i);
    if (item.kind != WorkKind::kApply) continue;
    if (const PendingOp* op = find(item.batch.get())) return op;
  }
  // Applied but not yet reclaimed: still served from memory, so that whether a read
  // touches the file never depends on how far the writer has got.
  for (auto it = finished_.rbegin(); it != finished_.rend(); ++it) {
    if (const PendingOp* op = find(it->second.get())) return op;
  }
  return nullptr;
}

bool StoreCore::FindAppliedLocked(std::string_view name, std::size_t hash, BlockLocation* location) {
  if (cache_.Get(name, location)) return true;
  auto it = names_.Find(name, hash);
  if (it == blocks_.end()) return false;
  const BlockEntry& entry = it->second;
  *location = BlockLocation{entry.offset, entry.length, entry.sha256, entry.modified_ms};
  cache_.Put(name, *location);
  return true;
}

Result<Buffer> StoreCore::ReadAppliedLocked(std::string_view name, const BlockLocation& location) {
  Buffer scratch = buffers_.Acquire(location.length);
  Status status = file_->ReadAt(location.offset, scratch.span());
  if (!status.ok()) {
    return status.WithPrefix(BlockWhere(path_, name) + " at offset " + std::to_string(location.offset));
  }
  if (buffers_.Checksum(scratch.span()) != location.sha256) {
    return Status::Corruption(BlockWhere(path_, name) + " at offset " + std::to_string(location.offset),
                              "checksum mismatch");
  }
  return scratch;
}

Result<std::vector<std::uint8_t>> StoreCore::Read(std::string_view name) {
  MEMH_RETURN_IF_ERROR(ValidateBlockName(name));
  const std::size_t hash = NameIndex::Hash(name);  // for the queue's filters and the index
  SharedGate gate(gate_);
  MEMH_RETURN_IF_ERROR(CheckOpenLocked());
  {
    SharedGate pending(pending_gate_);
    if (const PendingOp* op = FindPendingLocked(name, hash)) {
      if (op->remove) return Status::NotFound(BlockWhere(path_, name));
      return std::vector<std::uint8_t>(op->payload.data(), op->payload.data() + op->length);
    }
  }
  BlockLocation location;
  if (!FindAppliedLocked(name, hash, &location)) return Status::NotFound(BlockWhere(path_, name));
  MEMH_ASSIGN_OR_RETURN(Buffer scratch, ReadAppliedLocked(name, location));
  return std::vector<std::uint8_t>(scratch.data(), scratch.data() + location.length);
}

Result<std::uint64_t> StoreCore::ReadInto(std::string_view name, std::span<std::uint8_t> out) {
  MEMH_RETURN_IF_ERROR(ValidateBlockName(name));
  const std::size_t hash = NameIndex::Hash(name);
  SharedGate gate(gate_);
  MEMH_RETURN_IF_ERROR(CheckOpenLocked());
  auto too_small = [&](std::uint64_t length) {
    return Status::InvalidArgument(BlockWhere(path_, name), "buffer of " + std::to_string(out.size()) +
                                                                 " bytes is smaller than the block's " +
                                                                 std::to_string(length));
  };
  {
    SharedGate pending(pending_gate_);
    if (const PendingOp* op = FindPendingLocked(name, hash)) {
      if (op->remove) return Status::NotFound(BlockWhere(path_, name));
      if (out.size() < op->length) return too_small(op->length);
      if (op->length > 0) std::memcpy(out.data(), op->payload.data(), op->length);
      return op->length;
    }
  }
  BlockLocation location;
  if (!FindAppliedLocked(name, hash, &location)) return Status::NotFound(BlockWhere(path_, name));
  if (out.size() < location.length) return too_small(location.length);
  MEMH_ASSIGN_OR_RETURN(Buffer scratch, ReadAppliedLocked(name, location));
  if (location.length > 0) std::memcpy(out.data(), scratch.data(), location.length);
  return location.length;
}

Result<bool> StoreCore::Exists(std::string_view name) {
  MEMH_RETURN_IF_ERROR(ValidateBlockName(name));
  const std::size_t hash = NameIndex::Hash(name);
  SharedGate gate(gate_);
  MEMH_RETURN_IF_ERROR(CheckOpenLocked());
  {
    SharedGate pending(pending_gate_);
    if (const PendingOp* op = FindPendingLocked(name, hash)) return !op->remove;
  }
  return names_.Find(name, hash) != blocks_.end();
}

Result<BlockMetadata> StoreCore::Metadata(std::string_view name) {
  MEMH_RETURN_IF_ERROR(ValidateBlockName(name));
  const std::size_t hash = NameIndex::Hash(name);
  SharedGate gate(gate_);
  MEMH_RETURN_IF_ERROR(CheckOpenLocked());
  BlockMetadata meta;
  meta.name.assign(name);
  {
    SharedGate pending(pending_gate_);
    if (const PendingOp* op = FindPendingLocked(name, hash)) {
      if (op->remove) return Status::NotFound(BlockWhere(path_, name));
      meta.length = op->length;
      meta.sha256 = op->sha256;
      meta.modified_ms = op->modified_ms;
      meta.pending = true;
      return meta;
    }
  }
  auto it = names_.Find(name, hash);
  if (it == blocks_.end()) return Status::NotFound(BlockWhere(path_, name));
  meta.length = it->second.length;
  meta.offset = it->second.offset;
  meta.pages = PagesFor(it->second.length, page_size_);
  meta.sha256 = it->second.sha256;
  meta.modified_ms = it->second.modified_ms;
  return meta;
}

// Every name starting with `prefix` that an applied block or a queued change mentions,
// mapped to whether it exists once the queued changes (oldest first) are applied.
// REQUIRES both gates, shared.
std::map<std::string_view, bool> StoreCore::VisibleNamesLocked(std::string_view prefix) const {
  std::map<std::string_view, bool> visible;
  auto in_prefix = [&](std::string_view name) { return name.substr(0, prefix.size()) == prefix; };
  for (auto it = blocks_.lower_bound(prefix); it != blocks_.end() && in_prefix(it->first); ++it) {
    visible[it->first] = true;
  }
  auto overlay = [&](const Batch* batch) {
    if (batch == nullptr) return;
    for (auto it = batch->ops.lower_bound(prefix); it != batch->ops.end() && in_prefix(it->first); ++it) {
      visible[it->first] = !it->second.remove;
    }
  };
  for (std::size_t i = ring_.size(); i > 0; --i) {
    const WorkItem& item = ring_.FromNewest(i - 1);
    if (item.kind == WorkKind::kApply) overlay(item.batch.get());
  }
  overlay(current_.get());
  overlay(txn_.get());
  return visible;
}

Result<std::vector<std::string>> StoreCore::List(std::string_view prefix) {
  SharedGate gate(gate_);
  SharedGate pending(pending_gate_);
  MEMH_RETURN_IF_ERROR(CheckOpenLocked());
  std::vector<std::string> names;
  for (const auto& [name, exists] : VisibleNamesLocked(prefix)) {
    if (exists) names.emplace_back(name);
  }
  return names;
}

Status StoreCore::Begin() {
  ExclusiveGate pending(pending_gate_);
  MEMH_RETURN_IF_ERROR(CheckWritableLocked());
  if (txn_ != nullptr) return Status::FailedPrecondition(path_, "a transaction is already open");
  txn_ = NewBatchLocked();
  return Status::Ok();
}

Status StoreCore::Rollback() {
  ExclusiveGate pending(pending_gate_);
  MEMH_RETURN_IF_ERROR(CheckOpenLocked());
  if (txn_ == nullptr) return Status::FailedPrecondition(path_, "no transaction is open");
  txn_.reset();
  return Status::Ok();
}

Status StoreCore::Commit() {
  Completion completion;
  std::uint64_t barrier = 0;
  {
    ExclusiveGate pending(pending_gate_);
    MEMH_RETURN_IF_ERROR(CheckWritableLocked());
    if (txn_ == nullptr) return Status::FailedPrecondition(path_, "no transaction is open");
    // Up to three items: the batch queued before Begin(), the transaction, the commit.
    if (ring_.free_slots() < 3) {
      // Rare (many concurrent flushes): the transaction stays open; try again later.
      return Status::FailedPrecondition(path_, "writer queue full; retry the commit");
    }
    std::unique_ptr<Batch> fresh = NewBatchLocked();
    if (!current_->ops.empty()) HandOffLocked(std::move(fresh));
    WorkItem apply;
    apply.kind = WorkKind::kApply;
    apply.batch = std::move(txn_);
    PushLocked(std::move(apply));
    WorkItem commit;
    commit.kind = WorkKind::kCommit;
    commit.completion = &completion;
    barrier = PushLocked(std::move(commit));
  }
  WaitFor(&completion);
  ExclusiveGate pending(pending_gate_);
  ReclaimBatchesLocked(barrier);
  return completion.status;
}

// Queues `kind` for the writer (after the current batch when `hand_off_current`) and
// waits for it.
Status StoreCore::Submit(WorkKind kind, Completion* completion, bool hand_off_current) {
  std::uint64_t barrier = 0;
  for (;;) {
    {
      ExclusiveGate pending(pending_gate_);
      MEMH_RETURN_IF_ERROR(CheckOpenLocked());
      bool hand_off = hand_off_current && !current_->ops.empty();
      if (!hand_off || RoomForHandOffLocked()) {
        if (hand_off) HandOffLocked(NewBatchLocked());
        WorkItem item;
        item.kind = kind;
        item.completion = completion;
        barrier = PushLocked(std::move(item));
        break;
      }
    }
    std::unique_lock lock(queue_mutex_);
    queue_cv_.wait(lock, [&] { return RoomForHandOffQueueLocked() && ring_.free_slots() >= 2; });
  }
  WaitFor(completion);
  ExclusiveGate pending(pending_gate_);
  ReclaimBatchesLocked(barrier);
  return completion->status;
}

void StoreCore::WaitFor(Completion* completion) {
  std::unique_lock lock(queue_mutex_);
  queue_cv_.wait(lock, [&] { return completion->finished; });
}

Status StoreCore::Flush() {
  {
    SharedGate pending(pending_gate_);
    MEMH_RETURN_IF_ERROR(CheckWritableLocked());
    if (txn_ != nullptr) return Status::FailedPrecondition(path_, "a transaction is open: commit it instead");
  }
  Completion completion;
  return Submit(WorkKind::kCommit, &completion, /*hand_off_current=*/true);
}

Status StoreCore::Drain() {
  if (options_.read_only) return Status::Ok();
  Completion completion;
  return Submit(WorkKind::kBarrier, &completion, /*hand_off_current=*/false);
}

Result<VacuumReport> StoreCore::Vacuum(VacuumMode mode) {
  {
    SharedGate pending(pending_gate_);
    MEMH_RETURN_IF_ERROR(CheckWritableLocked());
    if (txn_ != nullptr) return Status::FailedPrecondition(path_, "a transaction is open");
  }
  Completion completion;
  completion.vacuum_mode = mode;
  completion.requested_ms = clock_->NowMillis();
  MEMH_RETURN_IF_ERROR(Submit(WorkKind::kVacuum, &completion, /*hand_off_current=*/true));
  return completion.vacuum_report;
}

Result<StoreStats> StoreCore::Stats() {
  SharedGate gate(gate_);
  SharedGate queued(pending_gate_);
  MEMH_RETURN_IF_ERROR(CheckOpenLocked());
  StoreStats stats;
  stats.page_size = page_size_;
  stats.file_bytes = committed_.file_bytes;
  stats.total_pages = map_.total_pages();
  stats.used_pages = map_.used_pages();
  stats.free_pages = map_.free_pages();
  stats.used_bytes = stats.used_pages * page_size_;
  stats.free_bytes = stats.free_pages * page_size_;
  for (const auto& [name, entry] : blocks_) stats.payload_bytes += entry.length;
  stats.fragmentation = FragmentationLocked();
  std::uint64_t pending = current_->ops.size() + (txn_ != nullptr ? txn_->ops.size() : 0);
  for (std::size_t i = 0; i < ring_.size(); ++i) {
    const WorkItem& item = ring_.FromNewest(i);
    if (item.kind == WorkKind::kApply) pending += item.batch->ops.size();
  }
  stats.pending_writes = pending;
  stats.block_count = blocks_.size();
  if (pending > 0) {
    stats.block_count = 0;
    for (const auto& [name, exists] : VisibleNamesLocked({})) stats.block_count += exists ? 1 : 0;
  }
  stats.generation = committed_.generation;
  stats.commits = commits_;
  stats.checkpoints = checkpoints_;
  stats.batches_applied = batches_applied_;
  stats.last_vacuum_ms = committed_.last_vacuum_ms;
  stats.registry_memory_bytes = RegistryMemoryBytes(blocks_) + names_.HeapBytes();
  stats.free_map_memory_bytes = map_.MemoryBytes();
  stats.cache_hits = cache_.hits();
  stats.cache_misses = cache_.misses();
  stats.max_concurrent_readers = gate_.max_concurrent_readers();
  stats.buffer_rents = buffers_.rents() + writer_buffers_.rents();
  stats.buffer_returns = buffers_.returns() + writer_buffers_.returns();
  stats.buffers_strategy = BufferSource::StrategyName();
  stats.writes_strategy = WriteStaging::StrategyName();
  stats.locks_strategy = IoGate::StrategyName();
  return stats;
}

Result<VerifyReport> StoreCore::Verify() {
  SharedGate gate(gate_);
  MEMH_RETURN_IF_ERROR(CheckOpenLocked());
  VerifyReport report;
  Result<CommittedState> state = LoadCommittedState(*file_, page_size_, options_.growth_min_pages);
  if (!state.ok()) {
    report.problems.push_back(state.status().message());
    return report;
  }
  report.warnings = state->warnings;
  VerifyBlocks(*file_, *state, buffers_, &report);
  return report;
}

}  // namespace memh::engine
