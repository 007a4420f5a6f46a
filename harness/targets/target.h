// Target: "the store under test", the one seam the scenario runner (runner/runner.cc)
// and the benchmarks (bench/) drive. Two implementations, and CMake links exactly one
// into each executable (harness/targets/CMakeLists.txt), never an #ifdef:
//
//   engine_target.cc   memh_target_engine: wraps engine::Store, linked beside exactly
//                      one engine variant (memh_link_engine), as the engine always was.
//   sqlite_target.cc   memh_target_sqlite: one SQLite table in WAL mode
//                      (docs/sqlite_target.md: its configuration and why it is fair).
//
// The calls are the engine's (memh/engine/store.h) and keep its contract: Write is
// insert-or-replace and copies the payload, Read returns a new buffer owned by the
// caller, ReadInto copies into the caller's (kInvalidArgument when it is too small),
// a missing block is kNotFound, Flush makes every earlier change durable, Begin/Commit/
// Rollback hold a transaction, Drain waits for background work, Close commits. Errors
// are values (engine::Status / engine::Result); nothing throws.
//
// Cost: a call is one virtual call and nothing else. No implementation may allocate
// in a call beyond what the store it wraps allocates (the meter measures the store,
// not the seam): no std::function, no string building on the success path.
// A target never includes the meter: it is measured, it does not measure.
//
// Thread-safety: every method may be called from any thread at once (the engine is
// thread-safe; the SQLite target serialises its calls on one connection).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "memh/engine/options.h"
#include "memh/engine/result.h"
#include "memh/engine/stats.h"
#include "memh/engine/status.h"

namespace memh::harness {

class Target {
 public:
  virtual ~Target() = default;  // closes, ignoring the error: call Close() to see it

  virtual engine::Status Write(std::string_view name, std::span<const std::uint8_t> payload) = 0;
  virtual engine::Result<std::vector<std::uint8_t>> Read(std::string_view name) = 0;
  virtual engine::Result<std::uint64_t> ReadInto(std::string_view name, std::span<std::uint8_t> out) = 0;
  virtual engine::Status Remove(std::string_view name) = 0;
  virtual engine::Result<bool> Exists(std::string_view name) = 0;

  virtual engine::Status Flush() = 0;
  virtual engine::Status Drain() = 0;
  virtual engine::Status Begin() = 0;
  virtual engine::Status Commit() = 0;
  virtual engine::Status Rollback() = 0;
  virtual engine::Status Vacuum(engine::VacuumMode mode) = 0;
  // A full consistency check of what is committed (engine: Verify; SQLite:
  // PRAGMA integrity_check); kCorruption naming the first problem.
  virtual engine::Status Check() = 0;
  virtual engine::Status Close() = 0;
  // The bytes the store holds in memory to find its blocks, as it counts them: the
  // engine's registry and free-space map (StoreStats; they grow with the store), or
  // SQLite's page cache and schema for this connection (sqlite3_db_status; bounded by
  // its cache size). The benchmarks report it per block (docs/engine_design.md).
  virtual engine::Result<std::uint64_t> IndexMemoryBytes() = 0;
  // How many times since it opened the store has rewritten its whole index, where it
  // counts that: the engine's checkpoints (StoreStats::checkpoints). Null where it does
  // not: SQLite checkpoints its WAL on its own every 1000 pages and keeps no count.
  virtual std::optional<std::uint64_t> Checkpoints() = 0;

  virtual const std::string& path() const = 0;
};

// What the linked target is, for the results and the benchmarks' context.
struct TargetInfo {
  std::string name;            // "engine" or "sqlite"
  std::string file_extension;  // of the store files it makes: ".mhs", ".sqlite"
  // Reported as the run's "knobs": the engine's three knobs (buffers, writes, locks),
  // or SQLite's version and configuration.
  std::vector<std::pair<std::string, std::string>> knobs;
};

// Defined by the one target implementation the executable links.
TargetInfo LinkedTarget();

// Creates a new store at `path` (it must not exist) / opens an existing one. The
// options are the engine's: SQLite takes what has a meaning for it (the sync policy,
// changes per transaction from registry_flush_threshold; docs/sqlite_target.md).
engine::Result<std::unique_ptr<Target>> CreateTarget(const std::string& path, const engine::StoreOptions& options);
engine::Result<std::unique_ptr<Target>> OpenTarget(const std::string& path, const engine::StoreOptions& options);

}  // namespace memh::harness
