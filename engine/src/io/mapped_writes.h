// The writer's block writes through a shared mapping of the store's file.
//
// A batch's new block versions land in whatever holes first-fit finds, so they are
// rarely adjacent: written with pwrite, each costs a system call, and a system call is
// most of what an update costs (over a microsecond in a virtual machine). Copied into
// a MAP_SHARED mapping instead, they cost a memcpy; a page is written back by the
// kernel like any other dirty page of the file, and fdatasync makes it durable the
// same way (a shared mapping's dirty pages are the file's page cache).
//
// What a failed pwrite would have reported arrives as SIGBUS at the copy instead:
// growing the file with fallocate first turns a full device into an error before any
// copy, and CopyPiecesGuarded turns the rest (a device error, a file shrunk by
// another process) into an IOError. Where the file cannot be mapped, TryWrite says so
// and the caller writes with system calls.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string>

#include "memh/engine/result.h"
#include "memh/engine/status.h"

namespace memh::engine {

class MappedWrites {
 public:
  MappedWrites(int fd, const std::string& path, std::uint64_t size) : fd_(fd), path_(path), size_(size) {}
  ~MappedWrites();
  MappedWrites(const MappedWrites&) = delete;
  MappedWrites& operator=(const MappedWrites&) = delete;

  // Writes `pieces` back to back from `offset`, growing the file to their end if it is
  // shorter. True when written; false when the file cannot be mapped (nothing was
  // written: write it with system calls).
  Result<bool> TryWrite(std::uint64_t offset, std::span<const std::span<const std::uint8_t>> pieces);

  // The file's truncate: growing allocates the new blocks (fallocate), so the copies
  // into them cannot fault for want of space.
  Status Truncate(std::uint64_t size);
  // A system-call write that ended at `end`, so the mapping knows the file's length
  // and never copies past it.
  void Wrote(std::uint64_t end);

 private:
  Status Extend(std::uint64_t from, std::uint64_t to);  // with mutex_ held

  const int fd_;
  const std::string& path_;  // the owning file's
  std::mutex mutex_;
  std::uint64_t size_;           // the file's length as this file object left it
  std::uint8_t* base_ = nullptr;  // the mapping, from offset 0
  std::uint64_t mapped_ = 0;     // its length (may reach past the file's end)
  bool unmappable_ = false;
};

}  // namespace memh::engine
