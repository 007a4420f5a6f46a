// The locks knob: who may be inside the store at once. Readers take the gate shared,
// state changes take it exclusive, and the background writer's I/O to extents no
// reader can see yet takes the writer-I/O section. io_gate_single.cc (the baseline)
// is one mutex for all three, as the original's single I/O gate; a split gate lets
// readers run together beside one writer. The build links exactly one implementation.
// The store holds two gates of this kind, one for its applied state and one for its
// queued changes (store_core.h, "Threads and locks").
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

namespace memh::engine {

class IoGate {
 public:
  IoGate();
  ~IoGate();
  IoGate(const IoGate&) = delete;
  IoGate& operator=(const IoGate&) = delete;

  void LockShared();
  void UnlockShared();
  void LockExclusive();
  void UnlockExclusive();
  void LockWriterIo();
  void UnlockWriterIo();

  // The most readers that were inside the gate at the same time.
  std::uint64_t max_concurrent_readers() const;
  static std::string_view StrategyName();  // "single" | "split"

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// RAII holders.
class SharedGate {
 public:
  explicit SharedGate(IoGate& gate) : gate_(gate) { gate_.LockShared(); }
  ~SharedGate() { gate_.UnlockShared(); }
  SharedGate(const SharedGate&) = delete;
  SharedGate& operator=(const SharedGate&) = delete;

 private:
  IoGate& gate_;
};

class ExclusiveGate {
 public:
  explicit ExclusiveGate(IoGate& gate) : gate_(gate) { gate_.LockExclusive(); }
  ~ExclusiveGate() { gate_.UnlockExclusive(); }
  ExclusiveGate(const ExclusiveGate&) = delete;
  ExclusiveGate& operator=(const ExclusiveGate&) = delete;

 private:
  IoGate& gate_;
};

class WriterIoGate {
 public:
  explicit WriterIoGate(IoGate& gate) : gate_(gate) { gate_.LockWriterIo(); }
  ~WriterIoGate() { gate_.UnlockWriterIo(); }
  WriterIoGate(const WriterIoGate&) = delete;
  WriterIoGate& operator=(const WriterIoGate&) = delete;

 private:
  IoGate& gate_;
};

}  // namespace memh::engine
