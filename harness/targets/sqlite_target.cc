// SQLite as a Target: one table, WAL, a transaction per `registry_flush_threshold`
// changes (the engine's auto-commit, 200 by default), prepared statements made once
// per connection and reused. docs/sqlite_target.md has the configuration, why it is
// a fair match for the engine, and what differs.
//
// One connection per store. Its statements are shared state (bind, step, read the
// column, reset), so every call holds mutex_ from the first bind to the reset: SQLite
// is opened with SQLITE_OPEN_NOMUTEX, as that lock already serialises the connection.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <utility>

#include "memh/engine/store.h"
#include "targets/target.h"

namespace memh::harness {
namespace {

using engine::Result;
using engine::Status;

// Resets a statement (and drops its bindings) when the call that stepped it ends.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* statement) : statement_(statement) {}
  ~ResetOnExit() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* statement_;
};

Status CheckName(const std::string& path, std::string_view name) {
  if (name.empty()) return Status::InvalidArgument(path, "a block name cannot be empty");
  if (name.size() > engine::kMaxNameBytes) {
    return Status::NameTooLong(path, "block name of " + std::to_string(name.size()) + " bytes (at most " +
                                         std::to_string(engine::kMaxNameBytes) + ")");
  }
  return Status::Ok();
}

class SqliteTarget final : public Target {
 public:
  static Result<std::unique_ptr<Target>> Make(const std::string& path, const engine::StoreOptions& options,
                                              bool create) {
    std::error_code error;
    const bool exists = std::filesystem::exists(path, error);
    if (create && exists) return Status::InvalidArgument(path, "already exists");
    if (!create && !exists) return Status::NotFound(path, "no such file");
    std::unique_ptr<SqliteTarget> target(new SqliteTarget(path, options));
    MEMH_RETURN_IF_ERROR(target->Init(create, options));
    return std::unique_ptr<Target>(std::move(target));
  }

  ~SqliteTarget() override { (void)Close(); }

  Status Write(std::string_view name, std::span<const std::uint8_t> payload) override {
    MEMH_RETURN_IF_ERROR(CheckName(path_, name));
    std::lock_guard lock(mutex_);
    MEMH_RETURN_IF_ERROR(Usable());
    MEMH_RETURN_IF_ERROR(EnsureTransaction());
    {
      ResetOnExit reset(upsert_);
      BindName(upsert_, name);
      // A zero-length payload bound as a blob with a null pointer would be NULL.
      if (payload.empty()) {
        sqlite3_bind_zeroblob(upsert_, 2, 0);
      } else {
        sqlite3_bind_blob64(upsert_, 2, payload.data(), payload.size(), SQLITE_STATIC);
      }
      if (int rc = sqlite3_step(upsert_); rc != SQLITE_DONE) return Error(rc, "write");
    }
    return Changed();
  }

  Result<std::vector<std::uint8_t>> Read(std::string_view name) override {
    // A fresh buffer owned by the caller, as the engine's Read returns.
    return WithBlob(name, [](std::span<const std::uint8_t> bytes) -> Result<std::vector<std::uint8_t>> {
      return std::vector<std::uint8_t>(bytes.begin(), bytes.end());
    });
  }

  Result<std::uint64_t> ReadInto(std::string_view name, std::span<std::uint8_t> out) override {
    return WithBlob(name, [&](std::span<const std::uint8_t> bytes) -> Result<std::uint64_t> {
      if (bytes.size() > out.size()) {
        return Status::InvalidArgument(path_, "block of " + std::to_string(bytes.size()) +
                                                  " bytes does not fit a buffer of " + std::to_string(out.size()));
      }
      if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
      return static_cast<std::uint64_t>(bytes.size());
    });
  }

  Status Remove(std::string_view name) override {
    MEMH_RETURN_IF_ERROR(CheckName(path_, name));
    std::lock_guard lock(mutex_);
    MEMH_RETURN_IF_ERROR(Usable());
    MEMH_RETURN_IF_ERROR(EnsureTransaction());
    {
      ResetOnExit reset(delete_);
      BindName(delete_, name);
      if (int rc = sqlite3_step(delete_); rc != SQLITE_DONE) return Error(rc, "remove");
      if (sqlite3_changes(db_) == 0) return Missing(name);
    }
    return Changed();
  }

  Result<bool> Exists(std::string_view name) override {
    MEMH_RETURN_IF_ERROR(CheckName(path_, name));
    std::lock_guard lock(mutex_);
    MEMH_RETURN_IF_ERROR(Usable());
    ResetOnExit reset(exists_);
    BindName(exists_, name);
    int rc = sqlite3_step(exists_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return Error(rc, "exists");
  }

  Status Flush() override {
    std::lock_guard lock(mutex_);
    MEMH_RETURN_IF_ERROR(Usable());
    if (user_transaction_) return Status::FailedPrecondition(path_, "flush inside a transaction (commit it)");
    return CommitOpen();
  }

  // No background work: every change is applied when its call returns.
  Status Drain() override {
    std::lock_guard lock(mutex_);
    return Usable();
  }

  Status Begin() override {
    std::lock_guard lock(mutex_);
    MEMH_RETURN_IF_ERROR(Usable());
    if (user_transaction_) return Status::FailedPrecondition(path_, "a transaction is already open");
    MEMH_RETURN_IF_ERROR(CommitOpen());
    MEMH_RETURN_IF_ERROR(EnsureTransaction());
    user_transaction_ = true;
    return Status::Ok();
  }

  Status Commit() override {
    std::lock_guard lock(mutex_);
    MEMH_RETURN_IF_ERROR(Usable());
    if (!user_transaction_) return Status::FailedPrecondition(path_, "commit without a transaction");
    user_transaction_ = false;
    return CommitOpen();
  }

  Status Rollback() override {
    std::lock_guard lock(mutex_);
    MEMH_RETURN_IF_ERROR(Usable());
    if (!user_transaction_) return Status::FailedPrecondition(path_, "rollback without a transaction");
    user_transaction_ = false;
    return RollbackOpen();
  }

  // Quick: PRAGMA wal_checkpoint(TRUNCATE); full: VACUUM (docs/sqlite_target.md).
  Status Vacuum(engine::VacuumMode mode) override {
    std::lock_guard lock(mutex_);
    MEMH_RETURN_IF_ERROR(Usable());
    if (user_transaction_) return Status::FailedPrecondition(path_, "vacuum inside a transaction");
    MEMH_RETURN_IF_ERROR(CommitOpen());
    sqlite3_stmt* statement = mode == engine::VacuumMode::kFull ? vacuum_ : checkpoint_;
    ResetOnExit reset(statement);
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) return Error(rc, "vacuum");
    return Status::Ok();
  }

  Status Check() override {
    std::lock_guard lock(mutex_);
    MEMH_RETURN_IF_ERROR(Usable());
    MEMH_RETURN_IF_ERROR(CommitOpen());
    sqlite3_stmt* statement = nullptr;
    if (int rc = sqlite3_prepare_v2(db_, "PRAGMA integrity_check", -1, &statement, nullptr); rc != SQLITE_OK) {
      return Error(rc, "integrity_check");
    }
    int rc = sqlite3_step(statement);
    std::string first;
    if (rc == SQLITE_ROW) first = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    if (rc != SQLITE_ROW) return Error(rc, "integrity_check");
    if (first != "ok") return Status::Corruption(path_, "integrity_check: " + first);
    return Status::Ok();
  }

  // Commits what is pending (an open transaction is rolled back, as the engine does)
  // and closes the connection, which checkpoints the WAL into the file.
  Status Close() override {
    std::lock_guard lock(mutex_);
    if (db_ == nullptr) return Status::Ok();
    Status status;
    if (user_transaction_) {
      user_transaction_ = false;
      status = RollbackOpen();
    } else {
      status = CommitOpen();
    }
    for (sqlite3_stmt** statement : Statements()) {
      sqlite3_finalize(*statement);
      *statement = nullptr;
    }
    if (int rc = sqlite3_close(db_); rc != SQLITE_OK && status.ok()) status = Error(rc, "close");
    db_ = nullptr;
    return status;
  }

  Result<std::uint64_t> IndexMemoryBytes() override {
    std::lock_guard lock(mutex_);
    MEMH_RETURN_IF_ERROR(Usable());
    std::uint64_t bytes = 0;
    for (int what : {SQLITE_DBSTATUS_CACHE_USED, SQLITE_DBSTATUS_SCHEMA_USED}) {
      int current = 0;
      int highwater = 0;
      if (int rc = sqlite3_db_status(db_, what, &current, &highwater, 0); rc != SQLITE_OK) {
        return Error(rc, "db_status");
      }
      bytes += static_cast<std::uint64_t>(current);
    }
    return bytes;
  }

  std::optional<std::uint64_t> Checkpoints() override { return std::nullopt; }
  const std::string& path() const override { return path_; }

 private:
  // Looks `name` up and hands its bytes to `use` while the row is current (SQLite owns
  // them until the statement is reset); a missing block is kNotFound.
  template <typename Use>
  auto WithBlob(std::string_view name, Use use) -> decltype(use(std::span<const std::uint8_t>{})) {
    MEMH_RETURN_IF_ERROR(CheckName(path_, name));
    std::lock_guard lock(mutex_);
    MEMH_RETURN_IF_ERROR(Usable());
    ResetOnExit reset(select_);
    BindName(select_, name);
    const int rc = sqlite3_step(select_);
    if (rc == SQLITE_DONE) return Missing(name);
    if (rc != SQLITE_ROW) return Error(rc, "read");
    const auto* bytes = static_cast<const std::uint8_t*>(sqlite3_column_blob(select_, 0));
    const auto length = static_cast<std::size_t>(sqlite3_column_bytes(select_, 0));
    return use(std::span<const std::uint8_t>(bytes, length));
  }

  SqliteTarget(std::string path, const engine::StoreOptions& options)
      : path_(std::move(path)), changes_per_transaction_(std::max<std::uint32_t>(options.registry_flush_threshold, 1)) {}

  std::array<sqlite3_stmt**, 9> Statements() {
    return {&upsert_, &select_, &exists_, &delete_, &begin_, &commit_, &rollback_, &checkpoint_, &vacuum_};
  }

  Status Init(bool create, const engine::StoreOptions& options) {
    const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      Status status = Error(rc, "open");
      sqlite3_close(db_);
      db_ = nullptr;
      return status;
    }
    // The first statement reads the header: a file that is not a database fails here.
    MEMH_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
    MEMH_RETURN_IF_ERROR(Exec(options.sync == engine::SyncPolicy::kCommit ? "PRAGMA synchronous=FULL"
                                                                          : "PRAGMA synchronous=OFF"));
    if (create) MEMH_RETURN_IF_ERROR(Exec("CREATE TABLE blocks (name TEXT PRIMARY KEY, data BLOB) WITHOUT ROWID"));
    const std::pair<sqlite3_stmt**, const char*> statements[] = {
        {&upsert_, "INSERT INTO blocks (name, data) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET data = excluded.data"},
        {&select_, "SELECT data FROM blocks WHERE name = ?1"},
        {&exists_, "SELECT 1 FROM blocks WHERE name = ?1"},
        {&delete_, "DELETE FROM blocks WHERE name = ?1"},
        {&begin_, "BEGIN"},
        {&commit_, "COMMIT"},
        {&rollback_, "ROLLBACK"},
        {&checkpoint_, "PRAGMA wal_checkpoint(TRUNCATE)"},
        {&vacuum_, "VACUUM"},
    };
    for (const auto& [statement, sql] : statements) {
      // SQLITE_PREPARE_PERSISTENT: each is kept for the connection's lifetime.
      rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, statement, nullptr);
      if (rc != SQLITE_OK) {
        Status status = Error(rc, "prepare");
        (void)Close();
        return status;
      }
    }
    return Status::Ok();
  }

  Status Exec(const char* sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string what = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    Status status = rc == SQLITE_NOTADB || rc == SQLITE_CORRUPT
                        ? Status::Corruption(path_, "not a usable SQLite database: " + what)
                        : Status::IOError(path_, std::string(sql) + ": " + what);
    (void)Close();
    return status;
  }

  void BindName(sqlite3_stmt* statement, std::string_view name) {
    sqlite3_bind_text(statement, 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
  }

  Status Usable() const { return db_ == nullptr ? Status::Closed(path_) : Status::Ok(); }

  Status Missing(std::string_view name) const {
    return Status::NotFound(path_ + ": block \"" + std::string(name) + "\"");
  }

  Status Error(int rc, const char* what) const {
    const char* message = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    std::string text = std::string(what) + ": " + message;
    if (rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB) return Status::Corruption(path_, text);
    if (rc == SQLITE_FULL) return Status::NoSpace(path_, text);
    if (rc == SQLITE_NOMEM) return Status::OutOfMemory(path_);
    return Status::IOError(path_, text);
  }

  Status Step(sqlite3_stmt* statement, const char* what) {
    ResetOnExit reset(statement);
    if (int rc = sqlite3_step(statement); rc != SQLITE_DONE) return Error(rc, what);
    return Status::Ok();
  }

  Status EnsureTransaction() {
    if (in_transaction_) return Status::Ok();
    MEMH_RETURN_IF_ERROR(Step(begin_, "begin"));
    in_transaction_ = true;
    changes_ = 0;
    return Status::Ok();
  }

  // After each change: the batch's commit, as the engine auto-commits after
  // registry_flush_threshold changes (never inside the caller's own transaction).
  Status Changed() {
    ++changes_;
    if (!user_transaction_ && changes_ >= changes_per_transaction_) return CommitOpen();
    return Status::Ok();
  }

  Status CommitOpen() {
    if (!in_transaction_) return Status::Ok();
    in_transaction_ = false;
    changes_ = 0;
    return Step(commit_, "commit");
  }

  Status RollbackOpen() {
    if (!in_transaction_) return Status::Ok();
    in_transaction_ = false;
    changes_ = 0;
    return Step(rollback_, "rollback");
  }

  std::string path_;
  std::uint32_t changes_per_transaction_;
  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* upsert_ = nullptr;
  sqlite3_stmt* select_ = nullptr;
  sqlite3_stmt* exists_ = nullptr;
  sqlite3_stmt* delete_ = nullptr;
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  sqlite3_stmt* checkpoint_ = nullptr;
  sqlite3_stmt* vacuum_ = nullptr;
  bool in_transaction_ = false;    // BEGIN has run
  bool user_transaction_ = false;  // ... and it is the caller's (Begin), not a batch
  std::uint32_t changes_ = 0;      // in the open transaction
};

}  // namespace

TargetInfo LinkedTarget() {
  return TargetInfo{"sqlite",
                    ".sqlite",
                    {{"sqlite", sqlite3_libversion()},
                     {"journal_mode", "wal"},
                     {"synchronous", "full at sync=commit, off at sync=none"},
                     {"transaction", "per registry_flush_threshold changes (200), and at flush/close"},
                     {"vacuum", "quick: wal_checkpoint(TRUNCATE), full: VACUUM"},
                     {"memory", "defaults: malloc, lookaside, page cache"}}};
}

engine::Result<std::unique_ptr<Target>> CreateTarget(const std::string& path, const engine::StoreOptions& options) {
  return SqliteTarget::Make(path, options, /*create=*/true);
}

engine::Result<std::unique_ptr<Target>> OpenTarget(const std::string& path, const engine::StoreOptions& options) {
  return SqliteTarget::Make(path, options, /*create=*/false);
}

}  // namespace memh::harness
