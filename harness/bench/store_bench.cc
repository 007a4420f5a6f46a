#include "bench/store_bench.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "bench/metering.h"
#include "runner/key_space.h"

namespace memh::harness {
namespace {

using engine::Status;
using metering::OpCounters;

struct Context {
  BenchStores* stores;
  const char* name;  // the benchmark's, as registered
};

// Ends the benchmark with `status` as its error. The loop must still be reached (1.7.1
// checks that a benchmark ran its loop; after an error the loop runs no iteration).
void Fail(benchmark::State& state, const Status& status) {
  state.SkipWithError(status.ToString().c_str());
  for (auto _ : state) {
  }
}

// The store for this benchmark's size argument, or null after Fail().
BenchStore* StoreFor(benchmark::State& state, const Context& context) {
  engine::Result<BenchStore*> bench = context.stores->Get(static_cast<std::uint64_t>(state.range(0)));
  if (!bench.ok()) {
    Fail(state, bench.status());
    return nullptr;
  }
  return *bench;
}

// A random existing block, different per thread, the same sequence every run.
class BlockPicker {
 public:
  BlockPicker(const benchmark::State& state, const BenchStore& bench)
      : rng_(0x6d656d68'62656e63ull + static_cast<std::uint64_t>(state.thread_index())), blocks_(bench.blocks) {}
  BlockName Next() { return NameOf(rng_.Below(blocks_)); }

 private:
  Rng rng_;
  std::uint64_t blocks_;
};

// Work inside a benchmark function that is not the operation measured: timing and
// the memory figures (metered build) pause. REQUIRES a single-threaded benchmark and
// an idle writer at both ends (drain or flush before leaving).
class Untimed {
 public:
  Untimed(benchmark::State& state, OpCounters& counters) : state_(state), counters_(counters) {
    state_.PauseTiming();
    counters_.Pause();
  }
  ~Untimed() {
    counters_.Resume();
    state_.ResumeTiming();
  }
  Untimed(const Untimed&) = delete;
  Untimed& operator=(const Untimed&) = delete;

 private:
  benchmark::State& state_;
  OpCounters& counters_;
};

// Writes NameOf(bench.blocks + i) for i < count and commits them.
Status AddExtraBlocks(BenchStore& bench, std::span<const std::uint8_t> payload, std::uint64_t count) {
  for (std::uint64_t i = 0; i < count; ++i) {
    MEMH_RETURN_IF_ERROR(bench.store->Write(NameOf(bench.blocks + i).view(), payload));
  }
  return bench.store->Flush();
}

Status RemoveExtraBlocks(BenchStore& bench, std::uint64_t count) {
  for (std::uint64_t i = 0; i < count; ++i) MEMH_RETURN_IF_ERROR(bench.store->Remove(NameOf(bench.blocks + i).view()));
  return bench.store->Flush();
}

// Once per store, before the first write-side benchmark on it: random updates of its
// own blocks, in rounds, at least kSteadyStateMinOps of them and, where the store
// counts its checkpoints (Target::Checkpoints: the engine), until it has checkpointed
// kSteadyStateCheckpoints times more; at most kSteadyStateMaxOps. Every target gets
// the same minimum (SQLite's page cache and WAL settle too). A checkpoint rewrites
// the engine's whole registry, and at a million blocks one comes only every few
// hundred thousand changes: the first ones after open find no room the size of a
// registry (it goes at the file's end, which grows, and the map with it) and rent
// buffers for this store's size. That is the store settling, not what an operation
// costs once settled, and without this a benchmark would count it or not depending on
// how many iterations it ran. The minimum is also for small stores, where four
// checkpoints come within a few thousand updates but the free-space map's run count
// (the holes updates leave) still sets new highs for a while after.
// Untimed, uncounted (the caller pauses the memory figures).
Status ReachSteadyState(BenchStore& bench, std::span<const std::uint8_t> payload) {
  if (bench.steady) return Status::Ok();
  const std::optional<std::uint64_t> at_start = bench.store->Checkpoints();
  Rng rng(0x73746561'6479ull);
  // Asked every ten rounds, with nothing queued: the engine's Stats walks the registry.
  for (std::uint64_t done = 0; done < kSteadyStateMaxOps; done += 10 * kRoundOps) {
    MEMH_RETURN_IF_ERROR(bench.store->Flush());
    if (done >= kSteadyStateMinOps) {
      const std::optional<std::uint64_t> now = bench.store->Checkpoints();
      if (!at_start.has_value() || !now.has_value() || *now >= *at_start + kSteadyStateCheckpoints) break;
    }
    for (std::uint64_t i = 0; i < 10 * kRoundOps; ++i) {
      MEMH_RETURN_IF_ERROR(bench.store->Write(NameOf(rng.Below(bench.blocks)).view(), payload));
    }
  }
  bench.steady = true;
  return bench.store->Flush();
}

// Applies and commits whatever is queued, outside the memory figures: write-side
// benchmarks start and end with nothing queued, so none pays for another's writes.
Status Settle(BenchStore& bench) {
  metering::PauseMemory();
  Status status = bench.store->Flush();
  metering::ResumeMemory();
  return status;
}

void Read(benchmark::State& state, Context context) {
  BenchStore* bench = StoreFor(state, context);
  if (bench == nullptr) return;
  BlockPicker picker(state, *bench);
  OpCounters counters(state, context.name);
  for (auto _ : state) {
    engine::Result<std::vector<std::uint8_t>> bytes = bench->store->Read(picker.Next().view());
    if (!bytes.ok()) {
      state.SkipWithError(bytes.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(bytes->data());
  }
  counters.Finish(state);
}

void ReadInto(benchmark::State& state, Context context) {
  BenchStore* bench = StoreFor(state, context);
  if (bench == nullptr) return;
  BlockPicker picker(state, *bench);
  std::array<std::uint8_t, BenchStores::kBlockBytes> out;  // on the stack: the caller's buffer costs no allocation
  OpCounters counters(state, context.name);
  for (auto _ : state) {
    engine::Result<std::uint64_t> length = bench->store->ReadInto(picker.Next().view(), out);
    if (!length.ok()) {
      state.SkipWithError(length.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  counters.Finish(state);
}

// update, write and remove: `op(bench, i)` is the i-th operation of a round, run in
// rounds as store_bench.h describes. `before_round(bench, n)` and `after_round(bench, n)`
// run untimed around a round of n operations; the store is flushed at the end, untimed,
// so that the next benchmark starts with nothing queued.
template <typename Op, typename BeforeRound, typename AfterRound>
void RunInRounds(benchmark::State& state, const Context& context, Op op, BeforeRound before_round,
                 AfterRound after_round) {
  BenchStore* bench = StoreFor(state, context);
  if (bench == nullptr) return;
  Status status = Settle(*bench);
  if (!status.ok()) return Fail(state, status);
  // Rounds first, neither timed nor counted: the engine's reusable storage (queue
  // entries, registry and free-run nodes, per-batch scratch) grows to what this work
  // keeps it at, so the figures are the steady state's at every store size, not
  // warm-up spread over however many iterations the run happened to take.
  metering::PauseMemory();
  status = ReachSteadyState(*bench, context.stores->payload());
  for (std::uint64_t round = 0; status.ok() && round < kWarmUpRounds; ++round) {
    status = before_round(*bench, kRoundOps);
    for (std::uint64_t i = 0; status.ok() && i < kRoundOps; ++i) status = op(*bench, i);
    if (status.ok()) status = bench->store->Drain();
    if (status.ok()) status = after_round(*bench, kRoundOps);
  }
  if (status.ok()) status = bench->store->Flush();
  metering::ResumeMemory();
  if (!status.ok()) return Fail(state, status);
  OpCounters counters(state, context.name);
  const auto total = static_cast<std::uint64_t>(state.max_iterations);
  std::uint64_t done = 0;
  std::uint64_t in_round = 0;
  std::uint64_t round_ops = 0;
  for (auto _ : state) {
    if (in_round == 0) {
      round_ops = std::min(kRoundOps, total - done);
      Untimed untimed(state, counters);
      status = before_round(*bench, round_ops);
      if (!status.ok()) break;
    }
    status = op(*bench, in_round);
    if (!status.ok()) break;
    ++done;
    if (++in_round == round_ops) {
      status = bench->store->Drain();
      if (!status.ok()) break;
      Untimed untimed(state, counters);
      status = after_round(*bench, round_ops);
      if (!status.ok()) break;
      in_round = 0;
    }
  }
  if (!status.ok()) state.SkipWithError(status.ToString().c_str());
  counters.Finish(state);
  status = Settle(*bench);
  if (!status.ok()) state.SkipWithError(status.ToString().c_str());
}

Status NothingToDo(BenchStore&, std::uint64_t) { return Status::Ok(); }

void Update(benchmark::State& state, Context context) {
  std::span<const std::uint8_t> payload = context.stores->payload();
  Rng rng(0x75706461'7465ull);
  RunInRounds(
      state, context,
      [&](BenchStore& bench, std::uint64_t) {
        return bench.store->Write(NameOf(rng.Below(bench.blocks)).view(), payload);
      },
      NothingToDo, NothingToDo);
}

void Insert(benchmark::State& state, Context context) {
  std::span<const std::uint8_t> payload = context.stores->payload();
  RunInRounds(
      state, context,
      [&](BenchStore& bench, std::uint64_t i) { return bench.store->Write(NameOf(bench.blocks + i).view(), payload); },
      NothingToDo, RemoveExtraBlocks);
}

void Remove(benchmark::State& state, Context context) {
  std::span<const std::uint8_t> payload = context.stores->payload();
  RunInRounds(
      state, context,
      [](BenchStore& bench, std::uint64_t i) { return bench.store->Remove(NameOf(bench.blocks + i).view()); },
      [&](BenchStore& bench, std::uint64_t n) { return AddExtraBlocks(bench, payload, n); }, NothingToDo);
}

void Flush(benchmark::State& state, Context context) {
  BenchStore* bench = StoreFor(state, context);
  if (bench == nullptr) return;
  std::span<const std::uint8_t> payload = context.stores->payload();
  metering::PauseMemory();
  Status status = ReachSteadyState(*bench, payload);
  if (status.ok()) status = bench->store->Flush();
  metering::ResumeMemory();
  if (!status.ok()) return Fail(state, status);
  BlockPicker picker(state, *bench);
  OpCounters counters(state, context.name);
  for (auto _ : state) {
    status = bench->store->Write(picker.Next().view(), payload);
    if (status.ok()) status = bench->store->Flush();
    if (!status.ok()) {
      state.SkipWithError(status.ToString().c_str());
      break;
    }
  }
  counters.Finish(state);
}

// What the store holds in memory to find its blocks (Target::IndexMemoryBytes), per
// block, as the counter "index_bytes_per_block"; its time is that of asking (the
// engine walks its registry to count long names). Both builds: it is the store's own
// count, not the meter's.
void IndexMemory(benchmark::State& state, Context context) {
  BenchStore* bench = StoreFor(state, context);
  if (bench == nullptr) return;
  Status status = Settle(*bench);
  if (!status.ok()) return Fail(state, status);
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    engine::Result<std::uint64_t> counted = bench->store->IndexMemoryBytes();
    if (!counted.ok()) {
      state.SkipWithError(counted.status().ToString().c_str());
      break;
    }
    bytes = *counted;
  }
  state.counters["index_bytes_per_block"] =
      benchmark::Counter(static_cast<double>(bytes) / static_cast<double>(bench->blocks));
}

}  // namespace

void RegisterStoreBenchmarks(BenchStores& stores, std::span<const std::uint64_t> sizes) {
  auto add = [&](const char* name, void (*function)(benchmark::State&, Context)) {
    benchmark::internal::Benchmark* benchmark = benchmark::RegisterBenchmark(name, function, Context{&stores, name});
    benchmark->ArgName("blocks")->UseRealTime();
    for (std::uint64_t blocks : sizes) benchmark->Arg(static_cast<std::int64_t>(blocks));
    return benchmark;
  };
  add("read", Read);
  add("read_into", ReadInto);
  add("read_threads", Read)->Threads(1)->Threads(2);
  // Reads first, over stores no benchmark has rewritten yet; every write-side benchmark
  // leaves its store with the blocks it found and nothing queued.
  add("update", Update);
  add("write", Insert);
  add("remove", Remove);
  add("flush", Flush);
  add("index_memory", IndexMemory)->Iterations(3);
}

}  // namespace memh::harness
