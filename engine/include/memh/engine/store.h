// Store: a single-file block store. A caller keeps named blocks (1..31 bytes of UTF-8
// name, no NUL; payloads of 0 bytes up to kMaxBlockBytes) in one file, with per-block
// SHA-256, copy-on-write commits through two header slots, a write-behind batch and
// vacuum. The format is in docs/file_format.md.
//
// Durability: Write/Remove are queued; Flush() (or Commit(), auto-commit after
// registry_flush_threshold changes, Vacuum, Close) makes every earlier change durable.
// A crash leaves the state of the last completed commit. Reads see pending writes.
// Transactions: Begin() makes every following Write/Remove (from any thread) part of
// one transaction, held in memory until Commit() makes them durable together or
// Rollback() discards them.
//
// Errors are values: no call throws. A corrupt file gives kCorruption naming the
// structure or block; it is never rewritten unless the caller writes to it.
// After a failed sync the store refuses further changes until reopened.
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "memh/engine/options.h"
#include "memh/engine/result.h"
#include "memh/engine/stats.h"
#include "memh/engine/status.h"

namespace memh::engine {

inline constexpr std::size_t kMaxNameBytes = 31;
inline constexpr std::uint64_t kMaxBlockBytes = std::uint64_t{1} << 32;  // 4 GiB

class StoreCore;

class Store {
 public:
  // Creates a new store file at `path` (it must not exist).
  static Result<std::unique_ptr<Store>> Create(const std::string& path, const StoreOptions& options);
  // Opens an existing store file, checking its header, registry and free-space map.
  static Result<std::unique_ptr<Store>> Open(const std::string& path, const StoreOptions& options);
  // Opens `path` read-only and checks everything, every block's checksum included.
  // The Status is about opening; the report lists what is wrong inside.
  static Result<VerifyReport> VerifyFile(const std::string& path, const StoreOptions& options);

  ~Store();  // Close(), ignoring its error: call Close() to see it.
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Applies and commits everything pending (an open transaction is rolled back) and
  // closes the file. Later calls return kClosed (a second Close returns Ok).
  Status Close();

  // Inserts or replaces `name`. The bytes are copied; the caller may reuse them.
  Status Write(std::string_view name, std::span<const std::uint8_t> payload);
  // The block's bytes in a new buffer owned by the caller.
  Result<std::vector<std::uint8_t>> Read(std::string_view name);
  // Copies the block into `out`; returns its length. kInvalidArgument when `out` is
  // smaller than the block (nothing is copied then).
  Result<std::uint64_t> ReadInto(std::string_view name, std::span<std::uint8_t> out);
  Status Remove(std::string_view name);
  Result<bool> Exists(std::string_view name);
  Result<BlockMetadata> Metadata(std::string_view name);
  // Names of visible blocks starting with `prefix`, sorted bytewise.
  Result<std::vector<std::string>> List(std::string_view prefix = {});

  // Makes every earlier write durable (outside a transaction; inside one, kFailedPrecondition).
  Status Flush();
  // Waits until the background writer has applied every batch handed to it (and the
  // auto-commits they triggered). The partly filled current batch stays queued.
  // Measurements drain before and after their measured steps so that background work
  // lands in a known place.
  Status Drain();
  Status Begin();
  Status Commit();
  Status Rollback();

  Result<VacuumReport> Vacuum(VacuumMode mode);
  Result<StoreStats> Stats();
  // Checks the committed state on disk: every block's checksum, no overlapping extents,
  // every page free or used exactly once, registry and map consistent with the header.
  Result<VerifyReport> Verify();

  const std::string& path() const;

 private:
  explicit Store(std::unique_ptr<StoreCore> core);
  std::unique_ptr<StoreCore> core_;
};

}  // namespace memh::engine
