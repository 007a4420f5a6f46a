#include "io/mapped_writes.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "io/guarded_copy.h"

namespace memh::engine {
namespace {

// The mapping grows by doubling, at least to this: remapping is a few system calls
// and a TLB flush, so a store that grows by a block at a time must not pay it per
// block. Address space only: nothing is reserved or read in.
constexpr std::uint64_t kMinMapping = 64ull << 20;

}  // namespace

MappedWrites::~MappedWrites() {
  if (base_ != nullptr) ::munmap(base_, mapped_);
}

void MappedWrites::Wrote(std::uint64_t end) {
  std::lock_guard lock(mutex_);
  size_ = std::max(size_, end);
}

Status MappedWrites::Truncate(std::uint64_t size) {
  std::lock_guard lock(mutex_);
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Status::FromErrno(path_, "fstat", errno);
  if (size > static_cast<std::uint64_t>(st.st_size)) {
    MEMH_RETURN_IF_ERROR(Extend(static_cast<std::uint64_t>(st.st_size), size));
  } else if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    return Status::FromErrno(path_, "ftruncate", errno);
  }
  size_ = size;
  return Status::Ok();
}

Status MappedWrites::Extend(std::uint64_t from, std::uint64_t to) {
  // fallocate allocates the blocks now, so a full device is ENOSPC here rather than
  // SIGBUS at a copy; where the file system cannot, a plain truncate extends it.
  if (::fallocate(fd_, 0, static_cast<off_t>(from), static_cast<off_t>(to - from)) != 0) {
    if (errno != EOPNOTSUPP && errno != ENOSYS) return Status::FromErrno(path_, "fallocate", errno);
    if (::ftruncate(fd_, static_cast<off_t>(to)) != 0) return Status::FromErrno(path_, "ftruncate", errno);
  }
  return Status::Ok();
}

Result<bool> MappedWrites::TryWrite(std::uint64_t offset, std::span<const std::span<const std::uint8_t>> pieces) {
  std::uint64_t bytes = 0;
  for (std::span<const std::uint8_t> piece : pieces) bytes += piece.size();
  std::lock_guard lock(mutex_);
  if (unmappable_) return false;
  if (bytes == 0) return true;
  const std::uint64_t end = offset + bytes;
  if (end > mapped_) {
    const std::uint64_t length = std::max({end, 2 * mapped_, kMinMapping});
    void* mapped = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
    if (mapped == MAP_FAILED) {
      if (base_ == nullptr) {
        unmappable_ = true;  // e.g. a file system without shared writable mappings
        return false;
      }
      return Status::FromErrno(path_, "mmap of " + std::to_string(length) + " bytes", errno);
    }
    if (base_ != nullptr) ::munmap(base_, mapped_);
    base_ = static_cast<std::uint8_t*>(mapped);
    mapped_ = length;
  }
  if (end > size_) {
    // Another process may have grown it: ask before allocating.
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Status::FromErrno(path_, "fstat", errno);
    size_ = static_cast<std::uint64_t>(st.st_size);
    if (end > size_) {
      MEMH_RETURN_IF_ERROR(Extend(size_, end));
      size_ = end;
    }
  }
  if (!CopyPiecesGuarded(base_ + offset, pieces)) {
    return Status::IOError(path_, "write of " + std::to_string(bytes) + " bytes at offset " + std::to_string(offset) +
                                      " through the file's mapping failed (SIGBUS): the file shrank under the "
                                      "store or the device failed");
  }
  return true;
}

}  // namespace memh::engine
