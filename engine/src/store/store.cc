// Store: the public face of StoreCore. Every call is wrapped so that an allocation
// failure inside it becomes kOutOfMemory instead of an exception: no exception crosses
// the engine boundary.
#include "memh/engine/store.h"

#include <new>

#include "knobs/buffers.h"
#include "store/store_core.h"

namespace memh::engine {
namespace {

template <typename Fn>
auto Guard(const char* what, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::bad_alloc&) {
    return Status::OutOfMemory(what);
  } catch (const std::length_error&) {
    return Status::OutOfMemory(what);
  }
}

}  // namespace

Store::Store(std::unique_ptr<StoreCore> core) : core_(std::move(core)) {}
Store::~Store() = default;

// The Store shell is allocated first, so that nothing can fail once the core exists:
// a created file is then never left behind by a failed Create.
Result<std::unique_ptr<Store>> Store::Create(const std::string& path, const StoreOptions& options) {
  return Guard("create", [&]() -> Result<std::unique_ptr<Store>> {
    std::unique_ptr<Store> store(new Store(nullptr));
    MEMH_ASSIGN_OR_RETURN(store->core_, StoreCore::Create(path, options));
    return store;
  });
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path, const StoreOptions& options) {
  return Guard("open", [&]() -> Result<std::unique_ptr<Store>> {
    std::unique_ptr<Store> store(new Store(nullptr));
    MEMH_ASSIGN_OR_RETURN(store->core_, StoreCore::Open(path, options));
    return store;
  });
}

Result<VerifyReport> Store::VerifyFile(const std::string& path, const StoreOptions& options) {
  return Guard("verify", [&]() -> Result<VerifyReport> {
    Env& env = options.env != nullptr ? *options.env : DefaultEnv();
    MEMH_ASSIGN_OR_RETURN(std::unique_ptr<File> file, env.Open(path, OpenMode::kReadOnly));
    VerifyReport report;
    Result<CommittedState> state = LoadCommittedState(*file, options.page_size, options.growth_min_pages);
    if (!state.ok()) {
      report.problems.push_back(state.status().message());
      return report;
    }
    report.warnings = state->warnings;
    BufferSource buffers(options);
    VerifyBlocks(*file, *state, buffers, &report);
    return report;
  });
}

Status Store::Close() { return Guard("close", [&] { return core_->Close(); }); }
Status Store::Write(std::string_view name, std::span<const std::uint8_t> payload) {
  return Guard("write", [&] { return core_->Write(name, payload); });
}
Result<std::vector<std::uint8_t>> Store::Read(std::string_view name) {
  return Guard("read", [&] { return core_->Read(name); });
}
Result<std::uint64_t> Store::ReadInto(std::string_view name, std::span<std::uint8_t> out) {
  return Guard("read_into", [&] { return core_->ReadInto(name, out); });
}
Status Store::Remove(std::string_view name) { return Guard("remove", [&] { return core_->Remove(name); }); }
Result<bool> Store::Exists(std::string_view name) { return Guard("exists", [&] { return core_->Exists(name); }); }
Result<BlockMetadata> Store::Metadata(std::string_view name) {
  return Guard("metadata", [&] { return core_->Metadata(name); });
}
Result<std::vector<std::string>> Store::List(std::string_view prefix) {
  return Guard("list", [&] { return core_->List(prefix); });
}
Status Store::Flush() { return Guard("flush", [&] { return core_->Flush(); }); }
Status Store::Drain() { return Guard("drain", [&] { return core_->Drain(); }); }
Status Store::Begin() { return Guard("begin", [&] { return core_->Begin(); }); }
Status Store::Commit() { return Guard("commit", [&] { return core_->Commit(); }); }
Status Store::Rollback() { return Guard("rollback", [&] { return core_->Rollback(); }); }
Result<VacuumReport> Store::Vacuum(VacuumMode mode) { return Guard("vacuum", [&] { return core_->Vacuum(mode); }); }
Result<StoreStats> Store::Stats() { return Guard("stats", [&] { return core_->Stats(); }); }
Result<VerifyReport> Store::Verify() { return Guard("verify", [&] { return core_->Verify(); }); }
const std::string& Store::path() const { return core_->path(); }

}  // namespace memh::engine
