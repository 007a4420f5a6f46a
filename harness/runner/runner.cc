#include "runner/runner.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>

#include "alloc/phase_marks.h"
#include "memh/engine/clock.h"
#include "runner/key_space.h"
#include "runner/scratch_dir.h"
#include "runner/setup_cache.h"
#include "runner/worker_pool.h"
#include "targets/target.h"

namespace memh::harness {
namespace {

using engine::Result;
using engine::Status;

std::uint64_t MaxPayload(const Scenario& scenario) {
  std::uint64_t max = 0;
  for (const auto* steps : {&scenario.setup, &scenario.measured}) {
    for (const Step& step : *steps) {
      if (step.payload) max = std::max(max, step.payload->max);
    }
  }
  return max;
}

// Inserts a scenario can make at most: the key space is reserved for them up front.
std::uint64_t MaxKeys(const Scenario& scenario) {
  std::uint64_t keys = 0;
  for (const auto* steps : {&scenario.setup, &scenario.measured}) {
    for (const Step& step : *steps) {
      if (step.filler) continue;  // never live in the key space (KeySpace::SkipNew)
      if (step.op == OpKind::kInsert || step.op == OpKind::kMix) keys += step.count;
      if (step.op == OpKind::kCommit && step.txn_op == OpKind::kInsert) keys += step.count * step.txn_size;
    }
  }
  return keys;
}

// One client thread's own state: its random stream and its payload buffer, made
// before the region so that running an operation allocates only what the engine does.
struct Client {
  Rng rng{0};
  std::vector<std::uint8_t> buffer;
  std::uint64_t counter = 0;
};

class ScenarioExecution {
 public:
  ScenarioExecution(const Scenario& scenario, Target& store, engine::ManualClock& clock)
      : scenario_(scenario), store_(store), clock_(clock) {}

  void Prepare(std::uint32_t max_threads) {
    keys_.Reserve(MaxKeys(scenario_) + 1);
    const std::uint64_t payload = std::max<std::uint64_t>(MaxPayload(scenario_), 8);
    clients_.resize(max_threads);
    for (std::uint32_t i = 0; i < max_threads; ++i) {
      clients_[i].rng = Rng(scenario_.seed * 1000003 + i);
      clients_[i].buffer.resize(payload);
      Rng fill(scenario_.seed + 7 * i);
      for (std::uint8_t& b : clients_[i].buffer) b = static_cast<std::uint8_t>(fill.Next());
    }
    if (max_threads > 1) pool_ = std::make_unique<WorkerPool>(max_threads - 1);
  }

  // The filler blocks are in the store already: their indices are taken.
  void SkipFiller(std::uint64_t blocks) { keys_.SkipNew(blocks); }

  // Runs one step; `region` is null for setup steps.
  Status RunStep(const Step& step, std::size_t step_index, alloc::Region* region) {
    if (step.keys.pattern == KeyPattern::kZipfian) keys_.PrepareZipf(step.keys.theta);
    std::atomic<bool> failed{false};
    Status first_error;
    std::mutex error_mutex;
    auto task = [&](std::uint32_t thread) {
      if (region != nullptr && thread > 0) region->Join();
      Client& client = clients_[thread];
      const std::uint64_t share = step.count / step.threads + (thread < step.count % step.threads ? 1 : 0);
      for (std::uint64_t i = 0; i < share && !failed.load(std::memory_order_relaxed); ++i) {
        OpKind op = step.op == OpKind::kMix ? PickMixOp(step, client.rng) : step.op;
        clock_.Advance(scenario_.clock_step_ms);
        if (region != nullptr) region->OpStart();
        Status status = RunOp(step, op, client);
        if (region != nullptr) region->OpEnd(static_cast<std::uint32_t>(op));
        if (!status.ok() && !failed.exchange(true)) {
          std::lock_guard lock(error_mutex);
          first_error = status;
        }
      }
      if (region != nullptr && thread > 0) region->Leave();
    };
    if (step.threads == 1) {
      task(0);
    } else {
      pool_->Run(step.threads, task);
    }
    if (!first_error.ok()) {
      return first_error.WithPrefix(scenario_.path + ": step at line " + std::to_string(step.line) + " (" +
                                    std::string(OpName(step.op)) + ", #" + std::to_string(step_index) + ")");
    }
    return Status::Ok();
  }

 private:
  static OpKind PickMixOp(const Step& step, Rng& rng) {
    double total = 0;
    for (const MixWeight& w : step.mix) total += w.weight;
    double pick = rng.NextUnit() * total;
    for (const MixWeight& w : step.mix) {
      if (pick < w.weight) return w.op;
      pick -= w.weight;
    }
    return step.mix.back().op;
  }

  static std::uint64_t PickSize(const PayloadSpec& spec, Rng& rng) {
    switch (spec.distribution) {
      case SizeDistribution::kFixed:
        return spec.min;
      case SizeDistribution::kUniform:
        return spec.min + rng.Below(spec.max - spec.min + 1);
      case SizeDistribution::kNormal: {
        // Box-Muller, mean at the middle, sd a sixth of the range, clamped to it.
        double u1 = std::max(rng.NextUnit(), 1e-12);
        double u2 = rng.NextUnit();
        double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
        double mid = (static_cast<double>(spec.min) + static_cast<double>(spec.max)) / 2;
        double sd = (static_cast<double>(spec.max) - static_cast<double>(spec.min)) / 6;
        double v = std::clamp(mid + z * sd, static_cast<double>(spec.min), static_cast<double>(spec.max));
        return static_cast<std::uint64_t>(std::llround(v));
      }
    }
    return spec.min;
  }

  Status NoBlocks(OpKind op) {
    return Status::FailedPrecondition(std::string(OpName(op)), "no blocks exist to pick from (insert some in setup)");
  }

  Status Insert(const Step& step, Client& client) {
    const std::uint64_t index = keys_.NextNew();
    const std::uint64_t size = PickSize(*step.payload, client.rng);
    MEMH_RETURN_IF_ERROR(store_.Write(NameOf(index).view(), std::span(client.buffer).first(size)));
    keys_.Add(index);
    return Status::Ok();
  }

  // Read-modify-write: read into the client's buffer, change a counter, write back.
  Status Update(const Step& step, Client& client) {
    std::optional<std::uint64_t> index = keys_.Pick(step.keys, client.rng, /*remove=*/false);
    if (!index) return NoBlocks(OpKind::kUpdate);
    const BlockName name = NameOf(*index);
    engine::Result<std::uint64_t> length = store_.ReadInto(name.view(), client.buffer);
    if (!length.ok()) return length.status();
    ++client.counter;
    std::memcpy(client.buffer.data(), &client.counter, sizeof(client.counter));
    const std::uint64_t size = PickSize(*step.payload, client.rng);
    return store_.Write(name.view(), std::span(client.buffer).first(size));
  }

  Status RunOp(const Step& step, OpKind op, Client& client) {
    switch (op) {
      case OpKind::kInsert:
        return Insert(step, client);
      case OpKind::kUpdate:
        return Update(step, client);
      case OpKind::kSelect: {
        std::optional<std::uint64_t> index = keys_.Pick(step.keys, client.rng, false);
        if (!index) return NoBlocks(op);
        return store_.Read(NameOf(*index).view()).status();
      }
      case OpKind::kSelectInto: {
        std::optional<std::uint64_t> index = keys_.Pick(step.keys, client.rng, false);
        if (!index) return NoBlocks(op);
        return store_.ReadInto(NameOf(*index).view(), client.buffer).status();
      }
      case OpKind::kRemove: {
        std::optional<std::uint64_t> index = keys_.Pick(step.keys, client.rng, /*remove=*/true);
        if (!index) return NoBlocks(op);
        return store_.Remove(NameOf(*index).view());
      }
      case OpKind::kFlush:
        return store_.Flush();
      case OpKind::kVacuum:
        return store_.Vacuum(step.vacuum_full ? engine::VacuumMode::kFull : engine::VacuumMode::kQuick);
      case OpKind::kCommit: {
        MEMH_RETURN_IF_ERROR(store_.Begin());
        for (std::uint32_t i = 0; i < step.txn_size; ++i) {
          Status status = step.txn_op == OpKind::kInsert ? Insert(step, client) : Update(step, client);
          if (!status.ok()) {
            (void)store_.Rollback();
            return status;
          }
        }
        return store_.Commit();
      }
      case OpKind::kMix:
        break;  // resolved by PickMixOp
    }
    return Status::InvalidArgument("runner", "unexpected operation");
  }

  const Scenario& scenario_;
  Target& store_;
  engine::ManualClock& clock_;
  KeySpace keys_;
  std::vector<Client> clients_;
  std::unique_ptr<WorkerPool> pool_;
};

std::uint32_t MaxThreads(const Scenario& scenario) {
  std::uint32_t threads = 1;
  for (const auto* steps : {&scenario.setup, &scenario.measured}) {
    for (const Step& step : *steps) threads = std::max(threads, step.threads);
  }
  return threads;
}

// The store a run starts from: a new one, or (filler steps) a copy of the filler
// store, reopened, with the clock where the filler inserts left it.
Result<std::unique_ptr<Target>> StartStore(const Scenario& scenario, const std::string& store_path,
                                           const std::string& work_dir, SetupCache* setup_cache,
                                           engine::ManualClock& clock) {
  const engine::StoreOptions options = StoreOptionsFor(scenario.store, &clock);
  const std::uint64_t filler = scenario.FillerBlocks();
  if (filler == 0) return CreateTarget(store_path, options);
  std::unique_ptr<SetupCache> own;
  if (setup_cache == nullptr) {
    own = std::make_unique<SetupCache>(work_dir);
    setup_cache = own.get();
  }
  MEMH_ASSIGN_OR_RETURN(std::string filler_store, setup_cache->FillerStore(scenario));
  std::error_code error;
  std::filesystem::copy_file(filler_store, store_path, error);
  if (error) return Status::IOError(store_path, "cannot copy the filler store: " + error.message());
  clock.Advance(filler * scenario.clock_step_ms);
  return OpenTarget(store_path, options);
}

}  // namespace

engine::StoreOptions StoreOptionsFor(const StoreSpec& spec, engine::Clock* clock) {
  engine::StoreOptions options;
  options.page_size = spec.page_size;
  options.batch_size = spec.batch_size;
  options.queue_capacity = spec.queue_capacity;
  options.registry_flush_threshold = spec.registry_flush_threshold;
  options.metadata_cache_capacity = spec.metadata_cache_capacity;
  options.growth_min_pages = spec.growth_min_pages;
  options.sync = spec.sync ? engine::SyncPolicy::kCommit : engine::SyncPolicy::kNone;
  options.clock = clock;
  return options;
}

Status WarmUpProcess(const std::string& work_dir) {
  static bool done = false;
  if (done) return Status::Ok();
  ScratchDir scratch;
  MEMH_RETURN_IF_ERROR(scratch.Make(work_dir));
  const std::string& dir = scratch.path();
  engine::ManualClock clock(1);
  engine::StoreOptions options;
  options.clock = &clock;
  options.sync = engine::SyncPolicy::kNone;
  MEMH_ASSIGN_OR_RETURN(std::unique_ptr<Target> store, CreateTarget(dir + "/warm-up" + LinkedTarget().file_extension, options));
  std::vector<std::uint8_t> payload(5000, 1);
  for (int i = 0; i < 3; ++i) MEMH_RETURN_IF_ERROR(store->Write(NameOf(i).view(), payload));
  MEMH_RETURN_IF_ERROR(store->Flush());
  MEMH_RETURN_IF_ERROR(store->Read(NameOf(0).view()).status());
  MEMH_RETURN_IF_ERROR(store->ReadInto(NameOf(1).view(), payload).status());
  MEMH_RETURN_IF_ERROR(store->Remove(NameOf(2).view()));
  MEMH_RETURN_IF_ERROR(store->Vacuum(engine::VacuumMode::kQuick));
  MEMH_RETURN_IF_ERROR(store->Vacuum(engine::VacuumMode::kFull));
  MEMH_RETURN_IF_ERROR(store->Check());
  MEMH_RETURN_IF_ERROR(store->Close());
  done = true;
  return Status::Ok();
}

Result<ScenarioRun> RunScenarioOnce(const Scenario& scenario, const std::string& work_dir,
                                    const std::string& keep_store, SetupCache* setup_cache, SiteCapture* sites) {
  ScratchDir scratch;
  MEMH_RETURN_IF_ERROR(scratch.Make(work_dir));
  const std::string& dir = scratch.path();

  engine::ManualClock clock(scenario.clock_start_ms);
  const std::string store_path = dir + "/" + scenario.name + LinkedTarget().file_extension;
  MEMH_ASSIGN_OR_RETURN(std::unique_ptr<Target> store, StartStore(scenario, store_path, work_dir, setup_cache, clock));
  ScenarioRun run;
  run.max_threads = MaxThreads(scenario);
  run.ops = scenario.MeasuredOps();
  ScenarioExecution execution(scenario, *store, clock);
  execution.Prepare(run.max_threads);
  execution.SkipFiller(scenario.FillerBlocks());
  for (std::size_t i = 0; i < scenario.setup.size(); ++i) {
    if (scenario.setup[i].filler) continue;  // in the store already (StartStore)
    MEMH_RETURN_IF_ERROR(execution.RunStep(scenario.setup[i], i, nullptr));
  }
  MEMH_RETURN_IF_ERROR(store->Flush());
  MEMH_RETURN_IF_ERROR(store->Drain());

  alloc::Region region(run.ops + 16, sites != nullptr ? &sites->table : nullptr);
  Status status;
  alloc::MarkMeasuredPhaseBegin();
  region.Begin();
  const auto measured_start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < scenario.measured.size() && status.ok(); ++i) {
    status = execution.RunStep(scenario.measured[i], scenario.setup.size() + i, &region);
  }
  Status drained = store->Drain();
  const auto measured_end = std::chrono::steady_clock::now();
  alloc::RegionResult result = region.End();
  alloc::MarkMeasuredPhaseEnd();
  MEMH_RETURN_IF_ERROR(status);
  MEMH_RETURN_IF_ERROR(drained);
  MEMH_RETURN_IF_ERROR(store->Close());
  if (!keep_store.empty()) {
    std::error_code error;
    std::filesystem::copy_file(store_path, keep_store,
                               std::filesystem::copy_options::overwrite_existing, error);
    if (error) return Status::IOError(keep_store, "cannot copy the store: " + error.message());
  }

  run.all = result.all;
  run.clients = result.clients;
  run.background = result.background;
  run.peak_live_bytes = result.peak_live_bytes;
  run.samples.assign(result.samples.begin(), result.samples.end());
  run.samples_dropped = result.samples_dropped;
  run.measured_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(measured_end - measured_start).count());
  // Names only now, after the measured steps: symbolizing allocates.
  if (sites != nullptr) run.sites = SummarizeSites(sites->table, sites->symbolizer, sites->source_dir);
  return run;
}

std::vector<std::string> CompareRuns(const ScenarioRun& a, const ScenarioRun& b) {
  std::vector<std::string> differences;
  auto check = [&](const char* what, std::uint64_t x, std::uint64_t y) {
    if (x != y) differences.push_back(std::string(what) + " " + std::to_string(x) + " vs " + std::to_string(y));
  };
  check("bytes", a.all.bytes, b.all.bytes);
  check("calls", a.all.calls, b.all.calls);
  check("frees", a.all.frees, b.all.frees);
  check("bytes_freed", a.all.bytes_freed, b.all.bytes_freed);
  check("charged_bytes", a.all.charged_bytes, b.all.charged_bytes);
  check("background_bytes", a.background.bytes, b.background.bytes);
  // Not the peak: with the engine's writer thread, the peak depends on how its
  // short-lived buffers interleave with the client's, which is timing. The runner
  // reports the peak's range over repeats instead (ScenarioReport).
  check("samples", a.samples.size(), b.samples.size());
  if (a.samples.size() == b.samples.size()) {
    for (std::size_t i = 0; i < a.samples.size(); ++i) {
      if (a.samples[i].bytes != b.samples[i].bytes || a.samples[i].calls != b.samples[i].calls) {
        differences.push_back("operation " + std::to_string(i) + ": " + std::to_string(a.samples[i].bytes) +
                              " vs " + std::to_string(b.samples[i].bytes) + " bytes");
        break;
      }
    }
  }
  if (a.sites.captured && b.sites.captured) {
    check("sites", a.sites.sites.size(), b.sites.sites.size());
    if (a.sites.sites.size() == b.sites.sites.size()) {
      for (std::size_t i = 0; i < a.sites.sites.size(); ++i) {
        const Site& x = a.sites.sites[i];
        const Site& y = b.sites.sites[i];
        if (x.key != y.key || x.role != y.role || x.counts.bytes != y.counts.bytes || x.counts.calls != y.counts.calls) {
          differences.push_back("site " + std::to_string(i) + ": " + x.key + " " + std::to_string(x.counts.bytes) +
                                " vs " + y.key + " " + std::to_string(y.counts.bytes) + " bytes");
          break;
        }
      }
    }
  }
  return differences;
}

}  // namespace memh::harness
