#include "bench/bench_stores.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <system_error>

#include "runner/key_space.h"

namespace memh::harness {

using engine::Status;

engine::Result<std::unique_ptr<BenchStores>> BenchStores::Make(const std::string& parent) {
  std::string pattern = parent + "/memh_bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return Status::FromErrno(parent, "mkdtemp", errno);
  return std::unique_ptr<BenchStores>(new BenchStores(pattern));
}

BenchStores::BenchStores(std::string dir) : dir_(std::move(dir)) {
  for (std::size_t i = 0; i < kBlockBytes; ++i) payload_[i] = static_cast<std::uint8_t>(i * 131 + 7);
}

BenchStores::~BenchStores() {
  for (auto& [blocks, bench] : stores_) {
    Status closed = bench.store->Close();
    if (!closed.ok()) {
      std::fprintf(stderr, "memh_bench: closing the %llu-block store: %s\n", static_cast<unsigned long long>(blocks),
                   closed.ToString().c_str());
    }
  }
  stores_.clear();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

engine::StoreOptions BenchStores::MeasuredOptions() {
  // The engine's defaults, except the sync policy: an fsync per commit would measure
  // the disk, not the engine (kNone is the policy StoreOptions names for benchmarks).
  engine::StoreOptions options;
  options.page_size = kPageBytes;
  options.sync = engine::SyncPolicy::kNone;
  options.clock = &clock_;
  return options;
}

Status BenchStores::Build(const std::string& path, std::uint64_t blocks) {
  engine::StoreOptions options = MeasuredOptions();
  options.registry_flush_threshold = std::numeric_limits<std::uint32_t>::max();
  // Larger batches only to build faster; 8 batches of 256 KiB fit the staged write buffer.
  options.batch_size = 1000;
  options.queue_capacity = 8000;
  MEMH_ASSIGN_OR_RETURN(std::unique_ptr<Target> store, CreateTarget(path, options));
  for (std::uint64_t i = 0; i < blocks; ++i) MEMH_RETURN_IF_ERROR(store->Write(NameOf(i).view(), payload()));
  MEMH_RETURN_IF_ERROR(store->Flush());
  return store->Close();
}

engine::Result<BenchStore*> BenchStores::Get(std::uint64_t blocks) {
  std::lock_guard lock(mutex_);
  auto found = stores_.find(blocks);
  if (found != stores_.end()) return &found->second;

  const std::string path = dir_ + "/blocks-" + std::to_string(blocks) + LinkedTarget().file_extension;
  const auto started = std::chrono::steady_clock::now();
  MEMH_RETURN_IF_ERROR(Build(path, blocks));
  MEMH_ASSIGN_OR_RETURN(std::unique_ptr<Target> store, OpenTarget(path, MeasuredOptions()));
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  // On stderr, so that it never mixes with the JSON or the console table on stdout.
  std::fprintf(stderr, "memh_bench: built the %llu-block store in %.1f s\n", static_cast<unsigned long long>(blocks),
               took.count());
  BenchStore& bench = stores_[blocks];
  bench.store = std::move(store);
  bench.blocks = blocks;
  return &bench;
}

}  // namespace memh::harness
