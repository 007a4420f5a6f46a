// BenchStores: the stores the benchmarks run against, one per size (a number of
// blocks), each a Target (targets/target.h: the engine variant or SQLite, whichever the
// executable links), built on first use and then reused by every benchmark of the
// process, all in one scratch directory that goes away with this object. Block i is named
// NameOf(i) (runner/key_space.h) and holds kBlockBytes bytes; benchmarks that add or
// remove blocks put the store back as they found it.
//
// A store is built with one commit at the end (a registry flush threshold no build
// reaches), then closed and reopened with the options the benchmarks measure:
// otherwise every 200 of its writes would commit a registry as large as the store so
// far, and building the largest store would take minutes rather than seconds. (SQLite
// takes the same options: one transaction for the build, then one per 200 changes.)
// Thread-safety: Get() may be called from several benchmark threads at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "memh/engine/clock.h"
#include "memh/engine/result.h"
#include "memh/engine/options.h"
#include "targets/target.h"

namespace memh::harness {

struct BenchStore {
  std::unique_ptr<Target> store;  // the linked target (targets/target.h)
  // NameOf(0 .. blocks-1) exist between benchmarks; NameOf(blocks ...) are free for
  // blocks a benchmark adds and removes again.
  std::uint64_t blocks = 0;
  // Whether the write-side benchmarks' one-time warm-up (store_bench.cc) has run.
  bool steady = false;
};

class BenchStores {
 public:
  // Small, so that a million blocks stay a few hundred MB: 256 bytes fill half of a
  // 512-byte page (the smallest the format allows; 4 KiB pages would make the same
  // store 4 GB).
  static constexpr std::size_t kBlockBytes = 256;
  static constexpr std::uint32_t kPageBytes = 512;

  // Makes the scratch directory under `parent`.
  static engine::Result<std::unique_ptr<BenchStores>> Make(const std::string& parent);
  ~BenchStores();  // closes every store, removes the directory
  BenchStores(const BenchStores&) = delete;
  BenchStores& operator=(const BenchStores&) = delete;

  // The store of `blocks` blocks, built now if this is its first use.
  engine::Result<BenchStore*> Get(std::uint64_t blocks);
  // The bytes every block holds (and every benchmark write writes).
  std::span<const std::uint8_t> payload() const { return payload_; }
  const std::string& dir() const { return dir_; }

 private:
  explicit BenchStores(std::string dir);
  engine::Status Build(const std::string& path, std::uint64_t blocks);
  engine::StoreOptions MeasuredOptions();

  std::string dir_;
  engine::ManualClock clock_{1};  // a fixed clock: the benchmarks never read the wall clock
  std::uint8_t payload_[kBlockBytes];
  std::mutex mutex_;
  std::map<std::uint64_t, BenchStore> stores_;
};

}  // namespace memh::harness
