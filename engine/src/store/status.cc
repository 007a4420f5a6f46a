#include "memh/engine/status.h"

#include <cerrno>
#include <cstring>

namespace memh::engine {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "OK";
    case Code::kNotFound: return "not found";
    case Code::kCorruption: return "corruption";
    case Code::kInvalidArgument: return "invalid argument";
    case Code::kNameTooLong: return "name too long";
    case Code::kIOError: return "I/O error";
    case Code::kNoSpace: return "no space";
    case Code::kClosed: return "closed";
    case Code::kFailedPrecondition: return "failed precondition";
    case Code::kOutOfMemory: return "out of memory";
  }
  return "unknown";
}

Status::Status(Code code, std::string_view where, std::string_view what) : code_(code) {
  message_.reserve(where.size() + what.size() + 2);
  message_.append(where);
  if (!where.empty() && !what.empty()) message_.append(": ");
  message_.append(what);
}

Status Status::NotFound(std::string_view where, std::string_view what) {
  return Status(Code::kNotFound, where, what);
}
Status Status::Corruption(std::string_view where, std::string_view what) {
  return Status(Code::kCorruption, where, what);
}
Status Status::InvalidArgument(std::string_view where, std::string_view what) {
  return Status(Code::kInvalidArgument, where, what);
}
Status Status::NameTooLong(std::string_view where, std::string_view what) {
  return Status(Code::kNameTooLong, where, what);
}
Status Status::IOError(std::string_view where, std::string_view what) {
  return Status(Code::kIOError, where, what);
}
Status Status::FromErrno(std::string_view where, std::string_view call, int err) {
  std::string what(call);
  what.append(": ");
  what.append(std::strerror(err));
  if (err == ENOSPC || err == EFBIG || err == EDQUOT) return Status(Code::kNoSpace, where, what);
  return Status(Code::kIOError, where, what);
}
Status Status::NoSpace(std::string_view where, std::string_view what) {
  return Status(Code::kNoSpace, where, what);
}
Status Status::Closed(std::string_view where) { return Status(Code::kClosed, where, "store is closed"); }
Status Status::FailedPrecondition(std::string_view where, std::string_view what) {
  return Status(Code::kFailedPrecondition, where, what);
}
// Built without formatting: an allocation just failed, so ask for as little as possible.
Status Status::OutOfMemory(std::string_view where) {
  Status status;
  status.code_ = Code::kOutOfMemory;
  try {
    status.message_.assign(where);
    status.message_.append(": out of memory");
  } catch (...) {
    status.message_.clear();  // the code alone still says what happened
  }
  return status;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(CodeName(code_));
  out.append(": ");
  out.append(message_);
  return out;
}

Status Status::WithPrefix(std::string_view prefix) const {
  if (ok()) return *this;
  Status out = *this;
  out.message_.insert(0, ": ");
  out.message_.insert(0, prefix);
  return out;
}

}  // namespace memh::engine
