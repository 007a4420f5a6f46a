// FaultEnv: the POSIX Env with faults injected through the engine's Env/File seam
// (LevelDB's ErrorEnv and FaultInjectionTestEnv in one). Two kinds of fault:
//
// - FailNth(op, n): the n-th read, write, sync or truncate from now fails with EIO
//   (ENOSPC for a truncate, which is how the engine grows the file), and the Status
//   names the POSIX call as the real Env would ("<path>: pwrite: Input/output error").
//   The failed call does nothing. With lose_unsynced_on_failed_sync, a failed sync
//   also loses every write it should have made durable (as Linux may drop dirty pages
//   after an fsync error), so only what an earlier sync covered survives.
// - CutPowerAtSync(n, seed): the n-th sync from now never happens. Instead, every
//   write since the previous sync of its file is independently kept, dropped (the
//   bytes it overwrote come back) or replaced by garbage, as a disk losing power with
//   writes in its cache may do; then the machine is off: every later call fails.
//
// Durability is what this Env says it is: a sync only marks the file's writes as
// safe and never reaches the real disk, which keeps thousands of simulated crashes
// fast. Truncates, renames and removes count as durable at once (the engine syncs
// data after growing the file, and a rename is synced before anything relies on it).
// Unsynced writes are tracked per path, so they survive the File that made them and
// follow a rename (vacuum's temporary file).
// Thread-safety: every method may be called from any thread (one mutex).
#pragma once

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "memh/engine/env.h"

namespace memh::engine::testing {

enum class FaultOp : std::uint8_t { kRead, kWrite, kSync, kTruncate };

class FaultEnv final : public Env {
 public:
  struct CutCounts {
    std::uint64_t kept = 0;
    std::uint64_t dropped = 0;
    std::uint64_t garbled = 0;
  };

  // Arms one failure: the `nth` (>= 1) call of `op` counted from now. Resets counts.
  void FailNth(FaultOp op, std::uint64_t nth) {
    std::lock_guard lock(mutex_);
    counts_ = {};
    armed_op_ = op;
    armed_nth_ = nth;
    fired_ = false;
    cut_power_ = false;
  }
  void Disarm() {
    std::lock_guard lock(mutex_);
    armed_nth_ = 0;
  }
  // Calls of `op` since the last FailNth / CutPowerAtSync (failed ones included).
  std::uint64_t Count(FaultOp op) const {
    std::lock_guard lock(mutex_);
    return counts_[static_cast<int>(op)];
  }
  // Whether the armed failure (or power cut) has happened.
  bool Fired() const {
    std::lock_guard lock(mutex_);
    return fired_;
  }
  void set_lose_unsynced_on_failed_sync(bool lose) {
    std::lock_guard lock(mutex_);
    lose_unsynced_on_failed_sync_ = lose;
  }

  void CutPowerAtSync(std::uint64_t nth, std::uint64_t seed) {
    FailNth(FaultOp::kSync, nth);
    std::lock_guard lock(mutex_);
    cut_power_ = true;
    rng_.seed(seed);
  }
  bool PowerIsOff() const {
    std::lock_guard lock(mutex_);
    return power_off_;
  }
  CutCounts cut_counts() const {
    std::lock_guard lock(mutex_);
    return cut_counts_;
  }

  Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override {
    {
      std::lock_guard lock(mutex_);
      if (power_off_) return PowerOff(path, "open");
    }
    MEMH_ASSIGN_OR_RETURN(std::unique_ptr<File> file, DefaultEnv().Open(path, mode));
    return std::unique_ptr<File>(new FaultFile(std::move(file), *this));
  }
  Status Rename(const std::string& from, const std::string& to) override {
    std::lock_guard lock(mutex_);
    if (power_off_) return PowerOff(from, "rename");
    MEMH_RETURN_IF_ERROR(DefaultEnv().Rename(from, to));
    unsynced_[to] = std::move(unsynced_[from]);
    unsynced_.erase(from);
    return Status::Ok();
  }
  Status Remove(const std::string& path) override {
    std::lock_guard lock(mutex_);
    if (power_off_) return PowerOff(path, "unlink");
    unsynced_.erase(path);
    return DefaultEnv().Remove(path);
  }
  bool Exists(const std::string& path) override { return DefaultEnv().Exists(path); }
  Status SyncDirOf(const std::string& path) override {
    std::lock_guard lock(mutex_);
    if (power_off_) return PowerOff(path, "fsync directory");
    return Status::Ok();
  }

 private:
  struct Unsynced {
    std::uint64_t offset;
    std::vector<std::uint8_t> before;  // what the write overwrote (zeros past the old end)
  };

  class FaultFile final : public File {
   public:
    FaultFile(std::unique_ptr<File> base, FaultEnv& env) : base_(std::move(base)), env_(env) {}
    Status ReadAt(std::uint64_t offset, std::span<std::uint8_t> out) override {
      MEMH_RETURN_IF_ERROR(env_.Enter(FaultOp::kRead, path(), "pread"));
      return base_->ReadAt(offset, out);
    }
    Status WriteAt(std::uint64_t offset, std::span<const std::uint8_t> data) override {
      std::lock_guard lock(env_.mutex_);
      MEMH_RETURN_IF_ERROR(env_.EnterLocked(FaultOp::kWrite, path(), "pwrite"));
      Unsynced record{offset, std::vector<std::uint8_t>(data.size(), 0)};
      ReadExisting(offset, record.before);
      MEMH_RETURN_IF_ERROR(base_->WriteAt(offset, data));
      env_.unsynced_[path()].push_back(std::move(record));
      return Status::Ok();
    }
    Status Sync() override {
      std::lock_guard lock(env_.mutex_);
      Status status = env_.EnterLocked(FaultOp::kSync, path(), "fdatasync");
      if (status.ok() || env_.lose_unsynced_on_failed_sync_) env_.SettleLocked(path(), status.ok());
      return status;
    }
    Status Truncate(std::uint64_t size) override {
      MEMH_RETURN_IF_ERROR(env_.Enter(FaultOp::kTruncate, path(), "ftruncate"));
      return base_->Truncate(size);
    }
    Result<std::uint64_t> Size() override { return base_->Size(); }
    const std::string& path() const override { return base_->path(); }

   private:
    // Fills `out` with the file's bytes at `offset`, leaving zeros past its end.
    void ReadExisting(std::uint64_t offset, std::vector<std::uint8_t>& out) {
      Result<std::uint64_t> size = base_->Size();
      if (!size.ok() || *size <= offset) return;
      std::uint64_t present = std::min<std::uint64_t>(out.size(), *size - offset);
      (void)base_->ReadAt(offset, std::span(out).first(present));
    }
    std::unique_ptr<File> base_;
    FaultEnv& env_;
  };

  static Status PowerOff(const std::string& path, const char* call) {
    return Status::IOError(path, std::string(call) + ": power is off");
  }
  Status Enter(FaultOp op, const std::string& path, const char* call) {
    std::lock_guard lock(mutex_);
    return EnterLocked(op, path, call);
  }
  // Counts the call and decides whether it fails. REQUIRES mutex_.
  Status EnterLocked(FaultOp op, const std::string& path, const char* call) {
    if (power_off_) return PowerOff(path, call);
    std::uint64_t n = ++counts_[static_cast<int>(op)];
    if (armed_nth_ == 0 || op != armed_op_ || n != armed_nth_) return Status::Ok();
    fired_ = true;
    if (cut_power_) {
      CutPowerLocked();
      return PowerOff(path, call);
    }
    return Status::FromErrno(path, call, op == FaultOp::kTruncate ? ENOSPC : EIO);
  }
  // Makes `path`'s unsynced writes durable (`keep`) or undoes them.
  void SettleLocked(const std::string& path, bool keep) {
    std::vector<Unsynced> writes = std::move(unsynced_[path]);
    unsynced_.erase(path);
    if (keep) return;
    Result<std::unique_ptr<File>> file = DefaultEnv().Open(path, OpenMode::kReadWrite);
    if (!file.ok()) return;
    for (auto it = writes.rbegin(); it != writes.rend(); ++it) (void)(*file)->WriteAt(it->offset, it->before);
  }
  // Newest first, so that a dropped write restores what was there before it even
  // when an older unsynced write covered the same bytes.
  void CutPowerLocked() {
    power_off_ = true;
    for (auto& [path, writes] : unsynced_) {
      Result<std::unique_ptr<File>> file = DefaultEnv().Open(path, OpenMode::kReadWrite);
      if (!file.ok()) continue;
      for (auto it = writes.rbegin(); it != writes.rend(); ++it) {
        switch (rng_() % 3) {
          case 0:
            ++cut_counts_.kept;
            break;
          case 1:
            ++cut_counts_.dropped;
            (void)(*file)->WriteAt(it->offset, it->before);
            break;
          default: {
            ++cut_counts_.garbled;
            std::vector<std::uint8_t> garbage(it->before.size());
            for (std::uint8_t& byte : garbage) byte = static_cast<std::uint8_t>(rng_());
            (void)(*file)->WriteAt(it->offset, garbage);
          }
        }
      }
    }
    unsynced_.clear();
  }

  mutable std::mutex mutex_;
  std::array<std::uint64_t, 4> counts_{};
  FaultOp armed_op_ = FaultOp::kRead;
  std::uint64_t armed_nth_ = 0;
  bool fired_ = false;
  bool lose_unsynced_on_failed_sync_ = false;
  bool cut_power_ = false;
  bool power_off_ = false;
  std::mt19937_64 rng_;
  CutCounts cut_counts_;
  std::map<std::string, std::vector<Unsynced>> unsynced_;
};

}  // namespace memh::engine::testing
