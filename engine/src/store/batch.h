// A batch of queued changes (the write-behind queue's unit of work). Changes to the
// same name coalesce: the last one wins, as in the original's background writer.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "knobs/buffer.h"
#include "memh/engine/stats.h"
#include "memh/engine/status.h"

namespace memh::engine {

struct PendingOp {
  bool remove = false;
  Buffer payload;  // the staged copy; empty for removes and 0-byte blocks
  std::uint64_t length = 0;
  Digest sha256{};
  std::uint64_t modified_ms = 0;
};

struct Batch {
  using Ops = std::map<std::string, PendingOp, std::less<>>;
  Ops ops;
};

enum class WorkKind : std::uint8_t { kApply, kCommit, kVacuum, kBarrier, kStop };

// Where a caller waits for its work item; lives on the caller's stack.
struct Completion {
  bool finished = false;
  Status status;
  VacuumMode vacuum_mode = VacuumMode::kQuick;
  std::uint64_t requested_ms = 0;  // the caller's clock when it asked
  VacuumReport vacuum_report;
};

struct WorkItem {
  WorkKind kind = WorkKind::kBarrier;
  std::uint64_t seq = 0;            // kApply: the batch's hand-off number, from 1
  std::unique_ptr<Batch> batch;     // kApply
  Completion* completion = nullptr; // kCommit (may be null), kVacuum, kBarrier
};

}  // namespace memh::engine
