// The engine as a Target: every call forwards to engine::Store, nothing else (the
// figures of `memharness-<variant> run` are the engine's alone). Variant-free: linked
// beside exactly one engine variant per executable (memh_link_engine).
#include <memory>
#include <utility>

#include "memh/engine/build_info.h"
#include "memh/engine/store.h"
#include "targets/target.h"

namespace memh::harness {
namespace {

using engine::Result;
using engine::Status;

class EngineTarget final : public Target {
 public:
  explicit EngineTarget(std::unique_ptr<engine::Store> store) : store_(std::move(store)) {}

  Status Write(std::string_view name, std::span<const std::uint8_t> payload) override {
    return store_->Write(name, payload);
  }
  Result<std::vector<std::uint8_t>> Read(std::string_view name) override { return store_->Read(name); }
  Result<std::uint64_t> ReadInto(std::string_view name, std::span<std::uint8_t> out) override {
    return store_->ReadInto(name, out);
  }
  Status Remove(std::string_view name) override { return store_->Remove(name); }
  Result<bool> Exists(std::string_view name) override { return store_->Exists(name); }
  Status Flush() override { return store_->Flush(); }
  Status Drain() override { return store_->Drain(); }
  Status Begin() override { return store_->Begin(); }
  Status Commit() override { return store_->Commit(); }
  Status Rollback() override { return store_->Rollback(); }
  Status Vacuum(engine::VacuumMode mode) override { return store_->Vacuum(mode).status(); }
  Status Check() override {
    Result<engine::VerifyReport> report = store_->Verify();
    if (!report.ok()) return report.status();
    if (!report->problems.empty()) return Status::Corruption(store_->path(), report->problems.front());
    return Status::Ok();
  }
  Status Close() override { return store_->Close(); }
  Result<std::uint64_t> IndexMemoryBytes() override {
    MEMH_ASSIGN_OR_RETURN(engine::StoreStats stats, store_->Stats());
    return stats.registry_memory_bytes + stats.free_map_memory_bytes;
  }
  std::optional<std::uint64_t> Checkpoints() override {
    Result<engine::StoreStats> stats = store_->Stats();
    if (!stats.ok()) return std::nullopt;
    return stats->checkpoints;
  }
  const std::string& path() const override { return store_->path(); }

 private:
  std::unique_ptr<engine::Store> store_;
};

}  // namespace

TargetInfo LinkedTarget() {
  const engine::EngineKnobs knobs = engine::LinkedKnobs();
  return TargetInfo{"engine",
                    ".mhs",
                    {{"buffers", std::string(knobs.buffers)},
                     {"writes", std::string(knobs.writes)},
                     {"locks", std::string(knobs.locks)}}};
}

engine::Result<std::unique_ptr<Target>> CreateTarget(const std::string& path, const engine::StoreOptions& options) {
  MEMH_ASSIGN_OR_RETURN(std::unique_ptr<engine::Store> store, engine::Store::Create(path, options));
  return std::unique_ptr<Target>(std::make_unique<EngineTarget>(std::move(store)));
}

engine::Result<std::unique_ptr<Target>> OpenTarget(const std::string& path, const engine::StoreOptions& options) {
  MEMH_ASSIGN_OR_RETURN(std::unique_ptr<engine::Store> store, engine::Store::Open(path, options));
  return std::unique_ptr<Target>(std::make_unique<EngineTarget>(std::move(store)));
}

}  // namespace memh::harness
