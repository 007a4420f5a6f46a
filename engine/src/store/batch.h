// A batch of queued changes (the write-behind queue's unit of work). Changes to the
// same name coalesce: the last one wins, as in the original's background writer.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

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
  std::size_t name_hash = 0;  // NameIndex::Hash of the name, computed by the client
};

struct Batch {
  using Ops = std::map<std::string, PendingOp, std::less<>>;
  // `expected`: the changes the batch will usually hold (its order's first capacity).
  explicit Batch(std::size_t expected = 0) { order.reserve(expected); }

  Ops ops;
  // ops' entries in the order their names first came. The writer walks this, not the
  // tree: an array it can prefetch along, where a tree walk is a chain of dependent
  // loads, each likely a miss (the nodes were written on the client's core). Its order
  // is also the order extents are allocated in, fixed by the calls alone.
  std::vector<Ops::value_type*> order;

  // A one-hash Bloom filter of the names in ops (by PendingOp::name_hash): a lookup
  // of a name the batch does not hold, the common case for the several batches a
  // read or a remove looks through, usually ends here instead of walking the tree
  // (~8 string compares). 4,096 bits: a batch of 200 names answers "maybe" for ~5 %
  // of the names it lacks.
  void NoteName(std::size_t hash) { filter_[Bit(hash) / 64] |= std::uint64_t{1} << (Bit(hash) % 64); }
  bool MayHold(std::size_t hash) const { return (filter_[Bit(hash) / 64] >> (Bit(hash) % 64)) & 1; }
  void Clear() {
    ops.clear();
    order.clear();
    filter_.fill(0);
  }

 private:
  static constexpr std::size_t kFilterBits = 4096;
  // The hash's high bits: the name index's slot comes from its low ones.
  static std::size_t Bit(std::size_t hash) { return (hash >> 40) % kFilterBits; }
  std::array<std::uint64_t, kFilterBits / 64> filter_{};
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
