// A seeded random workload for the crash tests, the model of every state it passes
// through, and the check that a store reopened after a crash holds one of them.
//
// A workload is a pure function of its seed, so a crashed child process and the
// parent checking after it agree on it without talking. Every payload names itself
// (its first 8 bytes are its seed), so the bytes read back say which write they came
// from, and the check compares whole states exactly: each block's bytes, and which
// blocks exist.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "engine/test_util.h"
#include "memh/engine/store.h"

namespace memh::engine::testing {

inline constexpr int kWorkloadKeys = 12;

inline std::string KeyName(int key) {
  char name[8];
  std::snprintf(name, sizeof(name), "k%02d", key);
  return name;
}

// One written version of a block: 0 bytes, or 8 bytes of seed then Payload bytes.
struct Version {
  std::uint32_t size = 0;
  std::uint64_t seed = 0;
  friend bool operator==(const Version&, const Version&) = default;
};

inline std::vector<std::uint8_t> TaggedPayload(const Version& version) {
  if (version.size == 0) return {};
  std::vector<std::uint8_t> bytes = Payload(version.size - 8, version.seed);
  bytes.insert(bytes.begin(), 8, 0);
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(version.seed >> (8 * i));
  return bytes;
}

using ModelState = std::map<int, Version>;  // key -> its current version

struct WorkOp {
  enum class Kind : std::uint8_t { kWrite, kRemove, kFlush, kBegin, kCommit, kRollback, kVacuumQuick, kVacuumFull };
  Kind kind = Kind::kFlush;
  int key = 0;
  Version version;
  // A call that returns only once everything before it is durable.
  bool Acknowledges() const {
    return kind == Kind::kFlush || kind == Kind::kCommit || kind == Kind::kVacuumQuick || kind == Kind::kVacuumFull;
  }
};

struct Workload {
  std::vector<WorkOp> ops;
  // states[0] is the store before the first op; each visible change (a write or
  // remove outside a transaction, a committed transaction) adds the next one.
  std::vector<ModelState> states;
  // Per op: the index of the newest state once the op has returned.
  std::vector<std::size_t> state_after;
  std::size_t final_state() const { return states.size() - 1; }
};

// `op_count` ops over kWorkloadKeys keys, starting from an empty store: writes
// (new and replacing, 0 bytes to a few pages, now and then many pages), removes of
// visible blocks, flushes, transactions committed or rolled back, quick and full
// vacuums. An open transaction is committed at the end.
inline Workload MakeWorkload(std::uint64_t seed, int op_count) {
  std::mt19937_64 rng(seed);
  Workload w;
  w.states.emplace_back();
  std::optional<std::map<int, std::optional<Version>>> txn;
  auto visible = [&] {
    ModelState state = w.states.back();
    if (txn) {
      for (const auto& [key, version] : *txn) {
        if (version) state[key] = *version; else state.erase(key);
      }
    }
    return state;
  };
  auto change = [&](int key, std::optional<Version> version) {
    if (txn) {
      (*txn)[key] = version;
      return;
    }
    ModelState next = w.states.back();
    if (version) next[key] = *version; else next.erase(key);
    w.states.push_back(std::move(next));
  };
  for (int i = 0; i < op_count || txn; ++i) {
    WorkOp op;
    const unsigned roll = rng() % 100;
    if (i >= op_count) {
      op.kind = WorkOp::Kind::kCommit;
    } else if (txn) {
      op.kind = roll < 60 ? WorkOp::Kind::kWrite : roll < 75 ? WorkOp::Kind::kRemove
               : roll < 90 ? WorkOp::Kind::kCommit : WorkOp::Kind::kRollback;
    } else {
      op.kind = roll < 55 ? WorkOp::Kind::kWrite : roll < 70 ? WorkOp::Kind::kRemove
               : roll < 82 ? WorkOp::Kind::kFlush : roll < 92 ? WorkOp::Kind::kBegin
               : roll < 97 ? WorkOp::Kind::kVacuumQuick : WorkOp::Kind::kVacuumFull;
    }
    if (op.kind == WorkOp::Kind::kRemove) {
      ModelState now = visible();
      if (now.empty()) {
        op.kind = WorkOp::Kind::kWrite;
      } else {
        auto it = now.begin();
        std::advance(it, static_cast<long>(rng() % now.size()));
        op.key = it->first;
      }
    }
    switch (op.kind) {
      case WorkOp::Kind::kWrite: {
        op.key = static_cast<int>(rng() % kWorkloadKeys);
        const unsigned size_roll = rng() % 100;
        // Mostly one to a few 512-byte pages; some empty blocks; some of many pages.
        op.version.size = size_roll < 5 ? 0 : size_roll < 90 ? 8 + rng() % 1500 : 2000 + rng() % 12000;
        op.version.seed = op.version.size == 0 ? 0 : (seed << 16) + static_cast<std::uint64_t>(i) + 1;
        change(op.key, op.version);
        break;
      }
      case WorkOp::Kind::kRemove: change(op.key, std::nullopt); break;
      case WorkOp::Kind::kBegin: txn.emplace(); break;
      case WorkOp::Kind::kCommit: {
        ModelState next = visible();
        txn.reset();
        w.states.push_back(std::move(next));
        break;
      }
      case WorkOp::Kind::kRollback: txn.reset(); break;
      default: break;
    }
    w.ops.push_back(op);
    w.state_after.push_back(w.states.size() - 1);
  }
  return w;
}

// The store options every crash test uses: small pages, batches and growth steps, so
// that a short workload crosses many batch, auto-commit and growth boundaries.
inline StoreOptions CrashOptions(Clock* clock, Env* env) {
  StoreOptions options;
  options.page_size = 512;
  options.batch_size = 6;
  options.queue_capacity = 12;
  options.registry_flush_threshold = 9;
  options.growth_min_pages = 8;
  // Two one-page registry deltas, then a checkpoint: crashes land in both kinds of
  // commit and in the chain's cut.
  options.delta_chain_min_bytes = 1024;
  // Small enough that the biggest payloads (14 KB) sometimes miss it and take the
  // heap path, and that thousands of opens stay cheap under AddressSanitizer.
  options.write_buffer_bytes = 32 << 10;
  options.sync = SyncPolicy::kCommit;
  options.clock = clock;
  options.env = env;
  return options;
}

struct RunOutcome {
  std::size_t stopped_at;  // the first op that failed, or ops.size()
  Status status;           // why it failed
};

// Runs `w` against `store` until an op fails; `on_ack(i)` after each acknowledging
// op i returned ok.
inline RunOutcome RunWorkload(Store& store, const Workload& w, const std::function<void(std::size_t)>& on_ack) {
  for (std::size_t i = 0; i < w.ops.size(); ++i) {
    const WorkOp& op = w.ops[i];
    Status status;
    switch (op.kind) {
      case WorkOp::Kind::kWrite: status = store.Write(KeyName(op.key), TaggedPayload(op.version)); break;
      case WorkOp::Kind::kRemove: status = store.Remove(KeyName(op.key)); break;
      case WorkOp::Kind::kFlush: status = store.Flush(); break;
      case WorkOp::Kind::kBegin: status = store.Begin(); break;
      case WorkOp::Kind::kCommit: status = store.Commit(); break;
      case WorkOp::Kind::kRollback: status = store.Rollback(); break;
      case WorkOp::Kind::kVacuumQuick: status = store.Vacuum(VacuumMode::kQuick).status(); break;
      case WorkOp::Kind::kVacuumFull: status = store.Vacuum(VacuumMode::kFull).status(); break;
    }
    if (!status.ok()) return {i, status};
    if (op.Acknowledges()) on_ack(i);
  }
  return {w.ops.size(), Status::Ok()};
}

inline std::string Describe(const ModelState& state) {
  std::string out = "{";
  for (const auto& [key, version] : state) {
    out += KeyName(key) + ":" + std::to_string(version.size) + "/" + std::to_string(version.seed) + " ";
  }
  return out + "}";
}

// Opens the store at `path` (plain POSIX Env), checks Verify() passes and that its
// blocks are exactly states[j] for some j in [lo, hi]. Returns "" when they are,
// else what is wrong.
inline std::string CheckRecovered(const std::string& path, const Workload& w, std::size_t lo, std::size_t hi) {
  StoreOptions options;
  options.page_size = 0;
  options.sync = SyncPolicy::kNone;
  options.write_buffer_bytes = 32 << 10;  // nothing is written; keep the open cheap
  Result<std::unique_ptr<Store>> opened = Store::Open(path, options);
  if (!opened.ok()) return "reopen failed: " + opened.status().ToString();
  Store& store = **opened;
  Result<VerifyReport> report = store.Verify();
  if (!report.ok()) return "verify failed: " + report.status().ToString();
  if (!report->ok()) return "verify found: " + report->problems.front();
  Result<std::vector<std::string>> names = store.List();
  if (!names.ok()) return "list failed: " + names.status().ToString();
  ModelState recovered;
  for (const std::string& name : *names) {
    int key = -1;
    if (name.size() != 3 || std::sscanf(name.c_str(), "k%2d", &key) != 1 || KeyName(key) != name) {
      return "unexpected block \"" + name + "\"";
    }
    Result<std::vector<std::uint8_t>> bytes = store.Read(name);
    if (!bytes.ok()) return "read failed: " + bytes.status().ToString();
    Version version;
    version.size = static_cast<std::uint32_t>(bytes->size());
    if (version.size != 0) {
      if (version.size < 8) return "block \"" + name + "\" is " + std::to_string(version.size) + " bytes";
      for (int i = 0; i < 8; ++i) version.seed |= std::uint64_t{(*bytes)[i]} << (8 * i);
    }
    if (*bytes != TaggedPayload(version)) return "block \"" + name + "\" holds bytes no write wrote";
    recovered[key] = version;
  }
  for (std::size_t j = lo; j <= hi; ++j) {
    if (w.states[j] == recovered) return "";
  }
  for (std::size_t j = 0; j < w.states.size(); ++j) {
    if (w.states[j] == recovered) {
      return "recovered state " + std::to_string(j) + ", outside the allowed [" + std::to_string(lo) + ", " +
             std::to_string(hi) + "]" + (j < lo ? " (an acknowledged commit was lost)" : "");
    }
  }
  return "recovered " + Describe(recovered) + " is no state of the workload (allowed [" + std::to_string(lo) + ", " +
         std::to_string(hi) + "], newest allowed " + Describe(w.states[hi]) + ")";
}

}  // namespace memh::engine::testing
