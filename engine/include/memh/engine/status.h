// Status: the outcome of an engine call, returned as a value (no exception crosses the
// engine boundary). A failed Status carries a code and a message that says where the
// problem is and what it is ("data.mhs: block \"users\" at offset 8192: checksum
// mismatch"). Success never allocates: the message is built only on failure.
// Thread-safety: a Status is a value; distinct objects may be used from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace memh::engine {

enum class Code : std::uint8_t {
  kOk,
  kNotFound,
  kCorruption,         // a file structure or block failed its checks
  kInvalidArgument,    // the caller's input is unusable (bad option, buffer too small)
  kNameTooLong,        // a block name over 31 bytes
  kIOError,            // the OS refused a read, write, sync, open ...
  kNoSpace,            // the file cannot grow (ENOSPC, EFBIG, size limits)
  kClosed,             // the store is closed
  kFailedPrecondition, // wrong state: no transaction open, read-only, poisoned by a failed sync
  kOutOfMemory,        // an allocation failed inside the call; the store is unchanged
};

std::string_view CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string_view where, std::string_view what = "not found");
  static Status Corruption(std::string_view where, std::string_view what);
  static Status InvalidArgument(std::string_view where, std::string_view what);
  static Status NameTooLong(std::string_view where, std::string_view what);
  static Status IOError(std::string_view where, std::string_view what);
  // The errno of a failed system call, in words: "<where>: <call>: <strerror>".
  static Status FromErrno(std::string_view where, std::string_view call, int err);
  static Status NoSpace(std::string_view where, std::string_view what);
  static Status Closed(std::string_view where);
  static Status FailedPrecondition(std::string_view where, std::string_view what);
  static Status OutOfMemory(std::string_view where);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }  // empty when ok
  // "<CodeName>: <message>", or "OK".
  std::string ToString() const;

  // For errors that gain context on the way out: "<prefix>: <message>".
  Status WithPrefix(std::string_view prefix) const;

 private:
  Status(Code code, std::string_view where, std::string_view what);
  Code code_ = Code::kOk;
  std::string message_;
};

// Evaluates `expr` (a Status); returns it from the enclosing function if it failed.
#define MEMH_RETURN_IF_ERROR(expr)                 \
  do {                                             \
    ::memh::engine::Status memh_status_ = (expr);  \
    if (!memh_status_.ok()) return memh_status_;   \
  } while (0)

}  // namespace memh::engine
