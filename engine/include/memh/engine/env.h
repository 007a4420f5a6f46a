// Env and File: the only way the engine reaches the file system (LevelDB's Env seam).
// The default Env is POSIX with positional I/O (pread/pwrite), so concurrent readers
// never share a file position. Tests wrap it to inject short writes, failed syncs,
// ENOSPC and power cuts.
// Thread-safety: a File's ReadAt may run concurrently with other ReadAt and WriteAt
// calls on other ranges; the engine never overlaps a write with a read of the same range.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "memh/engine/result.h"
#include "memh/engine/status.h"

namespace memh::engine {

class File {
 public:
  virtual ~File() = default;
  // Reads exactly out.size() bytes at `offset`; reading past the end is kCorruption
  // ("truncated"), since the engine only reads what its structures say exists.
  virtual Status ReadAt(std::uint64_t offset, std::span<std::uint8_t> out) = 0;
  // Writes all of `data` at `offset`, growing the file if needed.
  virtual Status WriteAt(std::uint64_t offset, std::span<const std::uint8_t> data) = 0;
  // Writes `pieces` back to back from `offset`: the writer's path for a run of a
  // batch's blocks. The POSIX file copies them into a shared mapping, or makes it one
  // pwritev per 1,024 pieces (BlockWrites); this default writes the pieces one at a
  // time (what a test's file sees: a power cut can still fall between any two pieces).
  virtual Status WriteGatherAt(std::uint64_t offset, std::span<const std::span<const std::uint8_t>> pieces);
  // Makes every completed write durable (fsync).
  virtual Status Sync() = 0;
  // Sets the file's length.
  virtual Status Truncate(std::uint64_t size) = 0;
  virtual Result<std::uint64_t> Size() = 0;
  virtual const std::string& path() const = 0;
};

enum class OpenMode : std::uint8_t {
  kReadOnly,
  kReadWrite,      // must exist
  kCreateExclusive // must not exist
};

class Env {
 public:
  virtual ~Env() = default;
  virtual Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // fsync of the directory holding `path`, so a rename or create in it is durable.
  virtual Status SyncDirOf(const std::string& path) = 0;
};

// How a POSIX file writes a batch's blocks (File::WriteGatherAt): copied into a
// shared mapping of the file (no system call per block; a fault is an IOError, not a
// crash; files that cannot be mapped fall back to system calls), or one pwritev per
// run of adjacent blocks. Every other write is a pwrite either way.
enum class BlockWrites : std::uint8_t { kMapped, kSystemCalls };

// The POSIX Env, writing blocks through the mapping (a process-wide singleton; never
// destroyed).
Env& DefaultEnv();
// The POSIX Env that writes blocks the given way (also a never-destroyed singleton).
Env& PosixEnvWith(BlockWrites writes);

}  // namespace memh::engine
