// Result<T>: a value or the Status that explains why there is none (std::expected is
// not in g++ 12's C++20). Constructing from a non-ok Status makes an error result;
// constructing from an ok Status is a bug and aborts.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "memh/engine/status.h"

namespace memh::engine {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    if (std::get<1>(state_).ok()) {
      std::fputs("memh: Result<T> built from an ok Status without a value\n", stderr);
      std::abort();
    }
  }

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { return Checked(), std::get<0>(state_); }
  const T& value() const& { return Checked(), std::get<0>(state_); }
  T&& value() && { return Checked(), std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  // The error; Status::Ok() when there is a value.
  Status status() const { return ok() ? Status::Ok() : std::get<1>(state_); }

 private:
  void Checked() const {
    if (!ok()) {
      std::fprintf(stderr, "memh: Result<T>::value() on an error: %s\n",
                   std::get<1>(state_).ToString().c_str());
      std::abort();
    }
  }
  std::variant<T, Status> state_;
};

// Declares `lhs` from a Result-returning `expr`, or returns its Status on failure.
#define MEMH_CONCAT_INNER_(a, b) a##b
#define MEMH_CONCAT_(a, b) MEMH_CONCAT_INNER_(a, b)
#define MEMH_ASSIGN_OR_RETURN(lhs, expr)                          \
  auto MEMH_CONCAT_(memh_result_, __LINE__) = (expr);             \
  if (!MEMH_CONCAT_(memh_result_, __LINE__).ok())                 \
    return MEMH_CONCAT_(memh_result_, __LINE__).status();         \
  lhs = std::move(MEMH_CONCAT_(memh_result_, __LINE__)).value()

}  // namespace memh::engine
