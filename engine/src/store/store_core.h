// StoreCore: the engine behind memh::engine::Store. It owns the file, the committed
// state, the queued changes and the background writer thread.
//
// Threads and locks:
// - Two gates. gate_ guards the applied state (blocks_, names_, map_, committed_, the
//   cache): readers take it shared, the writer exclusive to change it. pending_gate_
//   guards the queued state (current_, txn_, the batches in ring_ and finished_, the
//   spare lists): readers take it shared, clients exclusive to queue a change, the
//   writer exclusive to retire a batch it applied. Queueing a write takes only the
//   pending gate, so a client never waits for the writer to publish a batch or a
//   commit (it did when one gate guarded both: tens of microseconds at a time).
// - One background writer thread does every write to the file: it applies batches
//   (allocate under the exclusive gate, write under the writer-I/O section, publish
//   under the exclusive gate), commits, and vacuums. Work reaches it through a fixed
//   ring (queue_mutex_ + queue_cv_). Only the writer thread mutates blocks_, names_,
//   map_ and committed_, always under the exclusive gate, so it may read them without
//   the gate; the extents waiting to be freed (pending_free_, retired_) and the change
//   notes are the writer's alone. A batch handed to the writer no longer changes, so
//   the writer reads it without the pending gate.
// - A remove must know whether its block exists: it looks the name up in names_
//   under gate_ shared, releases it, then looks through the queue under pending_gate_
//   (reclaims_ tells it when a batch left the queue in between), so the writer never
//   waits for the rest of a remove's queueing.
// - Readers see, in order: the open transaction, the current batch, batches in the
//   ring from newest to oldest, then the applied blocks (read-your-writes). A reader
//   holds gate_ shared throughout, so no batch moves from the queue into the applied
//   state between its two looks.
// Lock order: gate_, then pending_gate_, then queue_mutex_. Nobody takes gate_ while
// holding pending_gate_, and the writer never holds queue_mutex_ while taking a gate.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cache/metadata_cache.h"
#include "knobs/buffers.h"
#include "knobs/io_gate.h"
#include "knobs/write_staging.h"
#include "memh/engine/store.h"
#include "registry/name_index.h"
#include "store/batch.h"
#include "store/committed_state.h"
#include "store/work_ring.h"

namespace memh::engine {

class StoreCore {
 public:
  static Result<std::unique_ptr<StoreCore>> Create(const std::string& path, const StoreOptions& options);
  static Result<std::unique_ptr<StoreCore>> Open(const std::string& path, const StoreOptions& options);
  ~StoreCore();

  Status Close();
  Status Write(std::string_view name, std::span<const std::uint8_t> payload);
  Result<std::vector<std::uint8_t>> Read(std::string_view name);
  Result<std::uint64_t> ReadInto(std::string_view name, std::span<std::uint8_t> out);
  Status Remove(std::string_view name);
  Result<bool> Exists(std::string_view name);
  Result<BlockMetadata> Metadata(std::string_view name);
  Result<std::vector<std::string>> List(std::string_view prefix);
  Status Flush();
  Status Drain();
  Status Begin();
  Status Commit();
  Status Rollback();
  Result<VacuumReport> Vacuum(VacuumMode mode);
  Result<StoreStats> Stats();
  Result<VerifyReport> Verify();
  const std::string& path() const { return path_; }

 private:
  StoreCore(const StoreOptions& options, std::unique_ptr<File> file);
  void StartWriter();

  // Foreground (store_ops.cc).
  Status CheckOpenLocked() const;
  Status CheckWritableLocked() const;
  Status Enqueue(std::string_view name, PendingOp op);
  bool RoomForHandOffLocked();
  bool RoomForHandOffQueueLocked() const;  // REQUIRES queue_mutex_
  void HandOffLocked(std::unique_ptr<Batch> fresh);
  // Destroys applied batches numbered <= `seq` (their staged payloads go back to
  // where they came from). Only client threads call it, at points fixed by the
  // sequence of calls, never by timing: see the comment on finished_.
  // REQUIRES pending_gate_ exclusive (readers look into finished batches).
  void ReclaimBatchesLocked(std::uint64_t seq);
  std::unique_ptr<Batch> NewBatchLocked();
  // Adds or replaces `name`'s change in `batch`, reusing a spare entry if there is one.
  // `at` is batch.ops.lower_bound(name).
  void PutLocked(Batch& batch, Batch::Ops::iterator at, std::string_view name, PendingOp op);
  Status Submit(WorkKind kind, Completion* completion, bool hand_off_current);
  // Returns the number of the last batch handed off when `item` was queued.
  std::uint64_t PushLocked(WorkItem item);
  void WaitFor(Completion* completion);
  // `hash` is NameIndex::Hash(name). REQUIRES pending_gate_.
  const PendingOp* FindPendingLocked(std::string_view name, std::size_t hash) const;
  // `hash` is NameIndex::Hash(name).
  bool FindAppliedLocked(std::string_view name, std::size_t hash, BlockLocation* location);
  std::map<std::string_view, bool> VisibleNamesLocked(std::string_view prefix) const;
  // Reads and checks an applied block into a scratch buffer.
  Result<Buffer> ReadAppliedLocked(std::string_view name, const BlockLocation& location);

  // Background writer (writer.cc).
  void WriterLoop();
  Status RunItem(WorkKind kind, Batch* batch, Completion* completion);
  // Writes a batch to fresh extents and publishes it; a failure poisons the store.
  Status ApplyBatch(Batch& batch);
  void FinishFront(Status status);
  Result<Extent> AllocateLocked(std::uint64_t pages);
  void Poison(const Status& cause);
  bool poisoned() const { return poisoned_.load(std::memory_order_acquire); }
  // Ok, or why the store refuses changes.
  Status PoisonStatus() const { return poisoned() ? poison_cause_ : Status::Ok(); }

  // Commit (commit.cc). `release_all` frees retired extents at once and truncates the
  // file to its last used page (vacuum's final commit).
  Status CommitNow(bool force, bool release_all);
  Status WriteRegistry(std::uint64_t offset, std::uint64_t length);  // commit.cc
  Status SyncAndPublish(const HeaderSlot& slot, bool sync, bool* sync_failed);  // commit.cc
  // A commit that writes only a registry delta (what changed since the last commit),
  // not the registry and map. `upserts`/`removals`: the counts CollectChangesLocked gave.
  Status CommitDelta(std::uint64_t upserts, std::uint64_t removals);
  // Notes that `name` changed, for the next delta: whether it existed before this
  // change, and its registry entry after it (null: removed). Writer thread, under the
  // exclusive gate.
  void NoteChangeLocked(std::string_view name, bool existed, const BlockMap::value_type* entry);
  // Sorts and deduplicates changed_ and counts the upserts and removals it makes.
  void CollectChangesLocked(std::uint64_t* upserts, std::uint64_t* removals);
  // Forgets the delta chain and the changes (after a checkpoint or full vacuum).
  void ResetChainLocked();
  // The most changes applied between two auto-commits: one follows the batch that
  // brings the count to registry_flush_threshold.
  static std::uint64_t CommitIntervalChanges(const StoreOptions& options) {
    return std::uint64_t{options.registry_flush_threshold} + options.batch_size;
  }
  // The bytes the deltas since a checkpoint may take before the next commit is one.
  std::uint64_t ChainLimitBytesLocked() const;
  // Gives chain_extents_, retired_ and pending_free_ room for the longest chain the
  // committed base allows, so that no delta commit grows them (at open, and after
  // each checkpoint and full vacuum, where the base changes).
  void ReserveChainLocked();

  // Vacuum (vacuum.cc).
  // `requested_ms`: the caller's clock when it asked (stamped as the last vacuum).
  Status VacuumQuick(VacuumReport* report, std::uint64_t requested_ms);
  Status VacuumFull(VacuumReport* report, std::uint64_t requested_ms);
  // A commit's time stamp: the newest change or vacuum it contains. Not the clock at
  // commit time, which the writer thread would read at a moment set by timing, and
  // the same calls would then write different files.
  std::uint64_t CommitTimeLocked() const { return std::max(last_change_ms_, last_vacuum_ms_); }
  Status MoveBlock(const std::string& name, Extent target);
  // A change of an applied batch and the extent its bytes go to (none for a removal).
  struct PlannedWrite {
    const std::string* name;
    PendingOp* op;
    Extent extent;
    BlockMap::iterator found;  // the name's registry entry before the batch, or blocks_.end(); after
                               // publishing, the entry now (end() for a removal)
    bool existed = false;      // whether `found` was an entry before the batch
    Extent old_extent;         // the pages of the version it replaces (none when it had none)
  };
  // Writes the planned blocks (sorted by extent, each with pages: no removal), one
  // gathered write per run of adjacent extents (writer.cc). The caller holds the
  // writer's I/O gate.
  Status WritePlanned(std::span<const PlannedWrite* const> plan);
  double FragmentationLocked() const;

  StoreOptions options_;
  Clock* clock_;
  Env* env_;
  std::string path_;
  std::unique_ptr<File> file_;
  std::uint32_t page_size_ = 0;

  BufferSource buffers_;         // client threads' scratch
  BufferSource writer_buffers_;  // the writer thread's own, so neither's reuse depends on the other's timing
  WriteStaging staging_;
  IoGate gate_;
  IoGate pending_gate_;  // see "Threads and locks" above
  MetadataCache cache_;

  // Guarded by gate_: the writer changes them exclusive, readers read them shared.
  HeaderSlot committed_;
  BlockMap blocks_;
  NameIndex names_{blocks_};  // finds an entry of blocks_ by name; sees every change to it
  FreeSpaceMap map_{0, 1};
  // Writer thread only: the map a commit persists (map_ less what the new generation
  // no longer references), kept between commits so that copying map_ into it reuses
  // its storage instead of allocating a copy the size of the map every commit.
  FreeSpaceMap commit_map_{0, 1};
  std::vector<Extent> pending_free_;  // freed by applied changes, not yet committed
  std::vector<Extent> retired_;       // freed by the last commit; reusable after the next
  // The registry deltas written since the last checkpoint (oldest first) and their
  // bytes in whole pages: at a checkpoint they are retired with the old base.
  std::vector<Extent> chain_extents_;
  std::uint64_t chain_bytes_ = 0;
  // Names changed since the last commit, in the order changed (a name may repeat),
  // with whether the block existed before the change and its entry after it. The
  // entry pointer spares the commit a registry lookup per change (at a million
  // blocks, each is a walk of ~20 tree nodes, most of them cache misses); it is valid
  // until the entry is erased, and erasing it is itself a change noted later, which
  // supersedes it. Reserved and reused: noting a change allocates nothing in steady
  // state. Writer thread only.
  struct ChangedName {
    char name[32];
    std::uint8_t length;
    bool existed;
    std::uint32_t seq;
    const BlockMap::value_type* entry;  // null: the change removed the block
    std::string_view view() const { return std::string_view(name, length); }
  };
  std::vector<ChangedName> changed_;
  // Writer thread only, reused by every batch: the batch's plan and the pieces of one
  // gathered write, so applying a batch allocates nothing in steady state.
  std::vector<PlannedWrite> plan_;       // in the batch's order
  std::vector<const PlannedWrite*> by_offset_;  // its blocks with data (in plan_), by file offset
  std::vector<std::span<const std::uint8_t>> write_pieces_;
  // Set when blocks moved (vacuum) since the last commit: the next commit checkpoints.
  bool checkpoint_next_ = false;
  std::unique_ptr<Batch> current_;
  std::unique_ptr<Batch> txn_;
  std::uint64_t dirty_changes_ = 0;
  std::uint64_t commits_ = 0;
  std::uint64_t checkpoints_ = 0;  // commits that wrote a whole registry and map (full vacuum's too)
  std::uint64_t batches_applied_ = 0;
  std::uint64_t file_pages_ = 0;      // pages the file has been extended to
  std::uint64_t last_vacuum_ms_ = 0;  // written into the next header slot
  std::uint64_t last_change_ms_ = 0;  // newest modified_ms applied
  bool closed_ = false;  // changed under both gates exclusive; read under either

  // Set once, after a failed sync or background write; then every change is refused.
  std::atomic<bool> poisoned_{false};
  std::mutex poison_mutex_;
  Status poison_cause_;  // written once under poison_mutex_ before poisoned_ is set

  // The writer's queue. Pushing and popping also need pending_gate_ exclusive, so
  // readers may walk the ring's batches under it shared.
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  WorkRing ring_;
  // Write-behind depth: batch k may be handed off once batch k - max_in_flight_ has
  // been applied (the original's bounded queue: queue_capacity / batch_size batches).
  std::uint64_t max_in_flight_ = 1;
  std::uint64_t handed_seq_ = 0;   // batches handed to the writer
  std::uint64_t applied_seq_ = 0;  // batches the writer has finished
  // Applied batches wait here to be destroyed by a client thread at a fixed point:
  // handing off batch k reclaims batch k - max_in_flight_, and a flush, drain or
  // commit reclaims what it waited for. Were the writer to free them as it finishes,
  // whether a client's next staging buffer is new or reused would depend on the
  // writer's speed, and the same scenario would allocate differently run to run.
  std::vector<std::pair<std::uint64_t, std::unique_ptr<Batch>>> finished_;
  // How many times batches left finished_ (changed under pending_gate_ exclusive). A
  // remove looks up the applied state before the queued one, under one gate at a time
  // (Enqueue); a batch applied in between is still queued or in finished_ unless this
  // moved, and then the remove looks again.
  std::atomic<std::uint64_t> reclaims_{0};
  // With a writes strategy that recycles queue entries, reclaimed batches and their
  // map nodes wait here for reuse (bounded by the reserved capacity), so a queued
  // write allocates nothing in steady state. Guarded by pending_gate_.
  std::vector<std::unique_ptr<Batch>> spare_batches_;
  std::vector<Batch::Ops::node_type> spare_entries_;
  std::thread writer_;
};

}  // namespace memh::engine
