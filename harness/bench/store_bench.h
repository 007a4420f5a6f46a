// The engine's timing benchmarks (Google Benchmark), registered at run time because the
// store sizes are chosen on the command line. Each benchmark runs over a store of
// `blocks` blocks (BenchStores) and reports time per operation (real time: the engine's
// writer thread works for the caller). The same code runs in both builds (metering.h):
// memh_bench-<variant> reports time only; memh_bench_metered-<variant> also reports
// allocations per operation as user counters (metering::OpCounters) and, through the
// registered MeterMemoryManager, Google Benchmark's own memory figures.
//
//   read             Read of a random block (a new buffer per read, owned by the caller)
//   read_into        ReadInto a caller's buffer
//   read_threads     Read from 1 and from 2 threads at once (time per read of all threads)
//   update           Write over a random existing block
//   write            Write of a new block (insert)
//   remove           Remove of a block
//   flush            Write over a random block, then Flush: one commit per operation
//   index_memory     what the store holds in memory to find its blocks, per block
//                    (counter index_bytes_per_block; docs/engine_design.md)
//
// Before the first write-side benchmark on a store, the store settles once: at least
// 200,000 random updates, and for the engine until it has checkpointed four more times
// (store_bench.cc, ReachSteadyState: what a checkpoint first takes at a million blocks
// is growth).
// Then each write-side benchmark first runs kWarmUpRounds rounds untimed and uncounted (a
// warm-up), so that its figures are the steady state's: what the engine's reusable
// storage needs to grow to is paid there, at every store size alike. One round is not
// enough at a million blocks: there the freed extents of a batch are never adjacent,
// so the free-space map holds a run per hole, and the most runs it ever holds (what
// its node pool keeps) still rises for a few dozen batches of updates.
//
// Writes are queued and applied by the engine's writer thread, so the write-side
// benchmarks run in rounds of up to kRoundOps operations, each ending by draining the
// store inside the timing: the writer's share of the work is timed and counted.
// Between rounds, with the timing paused and the memory figures paused too, write
// removes the blocks its round added and remove adds the blocks its next round
// removes, so every store keeps its size (write's store grows by at most one round).
//
// Metered build: the MemoryManager's figures come from 1.7.1's extra run of
// min(16, iterations) iterations: for the write-side benchmarks that is less than a
// batch, so they show what the caller's thread allocates to queue a change, not the
// batch's and commit's share. They also hold Google Benchmark's own allocations for
// that run (its thread manager and State: 4 calls, 568 bytes with Debian's 1.7.1,
// +0.25 allocs_per_iter), which Start() comes too early to miss.
// total_allocated_bytes is for the whole run, not per iteration. bytes_per_op and
// allocs_per_op cover every timed iteration, background included, and nothing else:
// compare those.
#pragma once

#include <cstdint>
#include <span>

#include "bench/bench_stores.h"

namespace memh::harness {

// One round of write-side operations: the engine's queue capacity (1000 by default),
// five batches and five auto-commits, so a round is mostly the steady state; an insert
// round grows even the 1k-block store to only 2k blocks before it is undone.
inline constexpr std::uint64_t kRoundOps = 1000;
inline constexpr std::uint64_t kWarmUpRounds = 10;
// The one-time warm-up per store (store_bench.cc, ReachSteadyState).
inline constexpr std::uint64_t kSteadyStateCheckpoints = 4;
inline constexpr std::uint64_t kSteadyStateMinOps = 200'000;
inline constexpr std::uint64_t kSteadyStateMaxOps = 4'000'000;

// Registers every benchmark for every size in `sizes`. `stores` must outlive the
// benchmarks' run.
void RegisterStoreBenchmarks(BenchStores& stores, std::span<const std::uint64_t> sizes);

}  // namespace memh::harness
