// The POSIX Env: files through pread/pwrite (no shared file position), the writer's
// block writes through a shared mapping (io/mapped_writes.h) where the file allows it,
// fsync for durability, and the directory fsync that makes a rename durable.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <string>

#include "io/mapped_writes.h"
#include "memh/engine/env.h"

namespace memh::engine {

Status File::WriteGatherAt(std::uint64_t offset, std::span<const std::span<const std::uint8_t>> pieces) {
  for (std::span<const std::uint8_t> piece : pieces) {
    MEMH_RETURN_IF_ERROR(WriteAt(offset, piece));
    offset += piece.size();
  }
  return Status::Ok();
}

namespace {

// Pieces per pwritev: Linux's IOV_MAX. The vectors live on the writer's stack (16 KiB).
constexpr std::size_t kMaxPieces = 1024;

class PosixFile final : public File {
 public:
  // `size` is the file's length at open; `map_writes` sends WriteGatherAt through a
  // shared mapping (a read-only file never maps).
  PosixFile(std::string path, int fd, std::uint64_t size, bool map_writes)
      : path_(std::move(path)), fd_(fd), mapped_(map_writes ? new MappedWrites(fd_, path_, size) : nullptr) {}
  ~PosixFile() override {
    mapped_.reset();  // unmapped before the descriptor closes
    ::close(fd_);
  }

  Status ReadAt(std::uint64_t offset, std::span<std::uint8_t> out) override {
    std::size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(path_, "pread", errno);
      }
      if (n == 0) {
        return Status::Corruption(path_, "truncated: read of " + std::to_string(out.size()) +
                                             " bytes at offset " + std::to_string(offset) +
                                             " ends past the end of the file");
      }
      done += static_cast<std::size_t>(n);
    }
    return Status::Ok();
  }

  Status WriteAt(std::uint64_t offset, std::span<const std::uint8_t> data) override {
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Status::FromErrno(path_, "pwrite", errno);
      }
      done += static_cast<std::size_t>(n);
    }
    if (mapped_ != nullptr) mapped_->Wrote(offset + data.size());
    return Status::Ok();
  }

  Status WriteGatherAt(std::uint64_t offset, std::span<const std::span<const std::uint8_t>> pieces) override {
    if (mapped_ != nullptr) {
      MEMH_ASSIGN_OR_RETURN(bool written, mapped_->TryWrite(offset, pieces));
      if (written) return Status::Ok();
    }
    return WriteGatherBySystemCalls(offset, pieces);
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) return Status::FromErrno(path_, "fdatasync", errno);
    return Status::Ok();
  }

  Status Truncate(std::uint64_t size) override {
    if (mapped_ != nullptr) return mapped_->Truncate(size);
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) return Status::FromErrno(path_, "ftruncate", errno);
    return Status::Ok();
  }

  Result<std::uint64_t> Size() override {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Status::FromErrno(path_, "fstat", errno);
    return static_cast<std::uint64_t>(st.st_size);
  }

  const std::string& path() const override { return path_; }

 private:
  // One pwritev per 1,024 pieces.
  Status WriteGatherBySystemCalls(std::uint64_t offset, std::span<const std::span<const std::uint8_t>> pieces) {
    std::array<iovec, kMaxPieces> vectors;
    while (!pieces.empty()) {
      const std::size_t count = std::min(pieces.size(), kMaxPieces);
      std::size_t bytes = 0;
      for (std::size_t i = 0; i < count; ++i) {
        vectors[i].iov_base = const_cast<std::uint8_t*>(pieces[i].data());  // pwritev only reads it
        vectors[i].iov_len = pieces[i].size();
        bytes += pieces[i].size();
      }
      // A short write leaves the rest for the loop: skip what was written.
      std::size_t first = 0;
      std::size_t done = 0;
      while (done < bytes) {
        ssize_t n = ::pwritev(fd_, vectors.data() + first, static_cast<int>(count - first),
                              static_cast<off_t>(offset + done));
        if (n < 0) {
          if (errno == EINTR) continue;
          return Status::FromErrno(path_, "pwritev", errno);
        }
        done += static_cast<std::size_t>(n);
        auto written = static_cast<std::size_t>(n);
        while (first < count && written >= vectors[first].iov_len) {
          written -= vectors[first].iov_len;
          ++first;
        }
        if (first < count) {
          vectors[first].iov_base = static_cast<std::uint8_t*>(vectors[first].iov_base) + written;
          vectors[first].iov_len -= written;
        }
      }
      offset += bytes;
      pieces = pieces.subspan(count);
    }
    if (mapped_ != nullptr) mapped_->Wrote(offset);
    return Status::Ok();
  }

  std::string path_;
  int fd_;
  std::unique_ptr<MappedWrites> mapped_;  // null: every write is a system call
};

std::string DirOf(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

class PosixEnv final : public Env {
 public:
  explicit PosixEnv(BlockWrites writes) : writes_(writes) {}

  Result<std::unique_ptr<File>> Open(const std::string& path, OpenMode mode) override {
    int flags = O_CLOEXEC;
    switch (mode) {
      case OpenMode::kReadOnly: flags |= O_RDONLY; break;
      case OpenMode::kReadWrite: flags |= O_RDWR; break;
      case OpenMode::kCreateExclusive: flags |= O_RDWR | O_CREAT | O_EXCL; break;
    }
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0) {
      if (errno == ENOENT) return Status::NotFound(path, "no such file");
      return Status::FromErrno(path, "open", errno);
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      const int err = errno;
      ::close(fd);
      return Status::FromErrno(path, "fstat", err);
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return Status::InvalidArgument(path, "not a regular file");
    }
    const bool map_writes = writes_ == BlockWrites::kMapped && mode != OpenMode::kReadOnly;
    // A failed allocation here must leak neither the descriptor nor a file we just
    // created (Store's guard turns the std::bad_alloc into kOutOfMemory).
    try {
      return std::unique_ptr<File>(new PosixFile(path, fd, static_cast<std::uint64_t>(st.st_size), map_writes));
    } catch (...) {
      ::close(fd);
      if (mode == OpenMode::kCreateExclusive) ::unlink(path.c_str());
      throw;
    }
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return Status::FromErrno(from, "rename to " + to, errno);
    return Status::Ok();
  }

  Status Remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return Status::FromErrno(path, "unlink", errno);
    return Status::Ok();
  }

  bool Exists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }

  Status SyncDirOf(const std::string& path) override {
    std::string dir = DirOf(path);
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Status::FromErrno(dir, "open directory", errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return Status::FromErrno(dir, "fsync directory", err);
    return Status::Ok();
  }

 private:
  const BlockWrites writes_;
};

}  // namespace

Env& DefaultEnv() {
  static PosixEnv* env = new PosixEnv(BlockWrites::kMapped);  // never destroyed: stores may close during exit
  return *env;
}

Env& PosixEnvWith(BlockWrites writes) {
  if (writes == BlockWrites::kMapped) return DefaultEnv();
  static PosixEnv* env = new PosixEnv(BlockWrites::kSystemCalls);  // never destroyed, like DefaultEnv()
  return *env;
}

}  // namespace memh::engine
