// LatchEnv: the POSIX Env with one twist for concurrency tests: when armed, a read
// waits until `expected` reads are inside File::ReadAt at the same time (or a bounded
// time passes, then the latch opens for good). With a gate that lets readers in
// together the latch opens at once; with a gate that serializes them it can only time
// out. Either way the test then reads the gate's own count.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "memh/engine/env.h"

namespace memh::engine::testing {

class ReadLatch {
 public:
  void Arm(int expected) {
    std::lock_guard lock(mutex_);
    expected_ = expected;
    inside_ = 0;
    open_ = false;
  }
  void Enter() {
    std::unique_lock lock(mutex_);
    if (open_ || expected_ == 0) return;
    if (++inside_ >= expected_) open_ = true;
    cv_.notify_all();
    if (!cv_.wait_for(lock, std::chrono::seconds(2), [&] { return open_; })) open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  int expected_ = 0;
  int inside_ = 0;
  bool open_ = true;
};

class LatchFile final : public File {
 public:
  LatchFile(std::unique_ptr<File> base, ReadLatch& latch) : base_(std::move(base)), latch_(latch) {}
  Status ReadAt(std::uint64_t offset, std::span<std::uint8_t> out) override {
    latch_.Enter();
    return base_->ReadAt(offset, out);
  }
  Status WriteAt(std::uint64_t offset, std::span<const std::uint8_t> data) override {
    return base_->WriteAt(offset, data);
  }
  Status Sync() override { return base_->Sync(); }
  Status Truncate(std::uint64_t size) override { return base_->Truncate(size); }
  Result<std::uint64_t> Size() override { return base_->Size(); }
  const std::string& path() const override { return base_->path(); }

 private:
  std::unique_ptr<File> base_;
  ReadLatch& latch_;
};

class LatchEnv final : public Env {
 public:
  Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override {
    MEMH_ASSIGN_OR_RETURN(std::unique_ptr<File> file, DefaultEnv().Open(path, mode));
    return std::unique_ptr<File>(new LatchFile(std::move(file), latch));
  }
  Status Rename(const std::string& from, const std::string& to) override { return DefaultEnv().Rename(from, to); }
  Status Remove(const std::string& path) override { return DefaultEnv().Remove(path); }
  bool Exists(const std::string& path) override { return DefaultEnv().Exists(path); }
  Status SyncDirOf(const std::string& path) override { return DefaultEnv().SyncDirOf(path); }

  ReadLatch latch;
};

}  // namespace memh::engine::testing
