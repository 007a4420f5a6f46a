// StoreCore's life cycle: create, open, close.
#include <string>

#include "store/store_core.h"

namespace memh::engine {
namespace {

Status ValidateOptions(const StoreOptions& options, const std::string& path, bool creating) {
  if ((creating || options.page_size != 0) && !ValidPageSize(options.page_size)) {
    return Status::InvalidArgument(path, "page size " + std::to_string(options.page_size) +
                                             " is not a power of two in [512, 65536]");
  }
  if (options.batch_size == 0) return Status::InvalidArgument(path, "batch size must be at least 1");
  if (options.queue_capacity < options.batch_size) {
    return Status::InvalidArgument(path, "queue capacity " + std::to_string(options.queue_capacity) +
                                             " is smaller than the batch size " +
                                             std::to_string(options.batch_size));
  }
  if (options.growth_min_pages == 0) return Status::InvalidArgument(path, "growth must be at least 1 page");
  if (creating && options.read_only) return Status::InvalidArgument(path, "cannot create a store read-only");
  return Status::Ok();
}

std::size_t RingCapacity(const StoreOptions& options) {
  // Every queued batch, plus room for the commits, barriers and vacuums that callers
  // wait on (a caller waits when the ring is full).
  return (options.queue_capacity + options.batch_size - 1) / options.batch_size + 16;
}

}  // namespace

StoreCore::StoreCore(const StoreOptions& options, std::unique_ptr<File> file)
    : options_(options),
      clock_(options.clock != nullptr ? options.clock : &SystemClock()),
      env_(options.env != nullptr ? options.env : &DefaultEnv()),
      path_(file->path()),
      file_(std::move(file)),
      buffers_(options),
      writer_buffers_(options),
      staging_(options),
      cache_(options.metadata_cache_capacity),
      current_(std::make_unique<Batch>(options.batch_size)),
      ring_(RingCapacity(options)) {
  max_in_flight_ = std::max<std::uint64_t>(1, options.queue_capacity / options.batch_size);
  finished_.reserve(RingCapacity(options));
  // The names one commit interval changes: an auto-commit follows at most
  // registry_flush_threshold + batch_size applied changes (capped; more only grows it
  // once, and it keeps its storage).
  changed_.reserve(std::min<std::uint64_t>(CommitIntervalChanges(options), 1024));
  if (WriteStaging::RecyclesQueueEntries()) {
    spare_batches_.reserve(RingCapacity(options));
    // Every queue entry the write-behind can hold at once (the batches in flight and
    // the one filling), made now: left to grow on demand, the pool would allocate each
    // time the names in flight set a new high, which random traffic keeps doing rarely
    // but forever. Keys hold the longest name, so no name ever grows one.
    const std::uint64_t entries = std::uint64_t{options.queue_capacity} + options.batch_size;
    spare_entries_.reserve(entries);
    Batch::Ops maker;
    for (std::uint64_t i = 0; i < entries; ++i) {
      Batch::Ops::node_type node = maker.extract(maker.try_emplace(std::string()).first);
      node.key().reserve(kMaxNameBytes);
      spare_entries_.push_back(std::move(node));
    }
  }
}

StoreCore::~StoreCore() {
  if (!closed_) (void)Close();
}

Result<std::unique_ptr<StoreCore>> StoreCore::Create(const std::string& path, const StoreOptions& options) {
  MEMH_RETURN_IF_ERROR(ValidateOptions(options, path, /*creating=*/true));
  Env& env = options.env != nullptr ? *options.env : DefaultEnv();
  MEMH_ASSIGN_OR_RETURN(std::unique_ptr<File> file, env.Open(path, OpenMode::kCreateExclusive));
  // We made the file; a half-made store is worth nothing, so every failure from here
  // on removes it, an allocation failure (an exception, which Store turns into
  // kOutOfMemory) included.
  try {
    std::unique_ptr<StoreCore> core(new StoreCore(options, std::move(file)));
    core->page_size_ = options.page_size;
    const std::uint64_t header_pages = HeaderPages(options.page_size);
    core->map_ = FreeSpaceMap(header_pages, options.growth_min_pages);
    core->map_.MarkUsed(Extent{0, header_pages});
    Status status = core->file_->Truncate(header_pages * options.page_size);
    core->file_pages_ = header_pages;
    core->last_vacuum_ms_ = 0;
    if (status.ok()) status = core->CommitNow(/*force=*/true, /*release_all=*/false);
    if (status.ok() && options.sync != SyncPolicy::kNone) status = env.SyncDirOf(path);
    if (!status.ok()) {
      core->closed_ = true;  // no writer thread to stop
      core.reset();
      (void)env.Remove(path);
      return status;
    }
    core->StartWriter();
    return core;
  } catch (...) {
    (void)env.Remove(path);  // the core (and its file) are gone by now
    throw;
  }
}

Result<std::unique_ptr<StoreCore>> StoreCore::Open(const std::string& path, const StoreOptions& options) {
  MEMH_RETURN_IF_ERROR(ValidateOptions(options, path, /*creating=*/false));
  Env& env = options.env != nullptr ? *options.env : DefaultEnv();
  MEMH_ASSIGN_OR_RETURN(std::unique_ptr<File> file,
                        env.Open(path, options.read_only ? OpenMode::kReadOnly : OpenMode::kReadWrite));
  MEMH_ASSIGN_OR_RETURN(CommittedState state,
                        LoadCommittedState(*file, options.page_size, options.growth_min_pages));
  std::unique_ptr<StoreCore> core(new StoreCore(options, std::move(file)));
  core->page_size_ = state.slot.page_size;
  core->committed_ = state.slot;
  core->blocks_ = std::move(state.blocks);
  core->names_.Rebuild();
  core->map_ = std::move(state.map);
  core->ReserveChainLocked();
  for (const CommittedState::DeltaRef& delta : state.deltas) {
    const Extent extent = ExtentOf(delta.offset, delta.length, core->page_size_);
    core->chain_extents_.push_back(extent);
    core->chain_bytes_ += extent.count * core->page_size_;
  }
  core->file_pages_ = core->map_.total_pages();
  core->last_vacuum_ms_ = state.slot.last_vacuum_ms;
  core->last_change_ms_ = state.slot.commit_ms;
  if (!options.read_only) core->StartWriter();
  return core;
}

Status StoreCore::Close() {
  {
    ExclusiveGate pending(pending_gate_);
    if (closed_) return Status::Ok();
    txn_.reset();  // an open transaction is rolled back
  }
  Status status;
  // No writer thread when creating or opening failed before starting it (nothing can
  // have been queued then): there is nothing to commit or stop.
  if (!options_.read_only && writer_.joinable()) {
    Completion commit;
    status = !poisoned() ? Submit(WorkKind::kCommit, &commit, /*hand_off_current=*/true)
                            : PoisonStatus().WithPrefix("closing: changes since the last commit are lost");
    Completion stop;
    (void)Submit(WorkKind::kStop, &stop, /*hand_off_current=*/false);
    writer_.join();
    ExclusiveGate pending(pending_gate_);
    ReclaimBatchesLocked(UINT64_MAX);
  }
  ExclusiveGate gate(gate_);
  ExclusiveGate pending(pending_gate_);
  closed_ = true;
  file_.reset();
  return status;
}

}  // namespace memh::engine
