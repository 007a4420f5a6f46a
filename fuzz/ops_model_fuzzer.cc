// Arbitrary operation sequences against the engine and a std::map model of what it
// must hold: writes, replaces, removes, reads, flushes, transactions (commit and
// rollback), vacuums and reopenings. After every read, every reopening and at the
// end, the store holds exactly the model; at the end it verifies clean.
#include <openssl/sha.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "memh/engine/store.h"

namespace {

using memh::engine::Code;
using memh::engine::Store;
using memh::engine::StoreOptions;
using Model = std::map<std::string, std::vector<std::uint8_t>>;

// The fuzzer's bytes, one at a time; 0 once they run out.
class Input {
 public:
  Input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool more() const { return pos_ < size_; }
  std::uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

StoreOptions Options() {
  StoreOptions options;
  options.page_size = 512;
  options.sync = memh::engine::SyncPolicy::kNone;
  options.batch_size = 4;  // small numbers: batches, auto-commits and waits happen often
  options.queue_capacity = 8;
  options.registry_flush_threshold = 6;
  options.metadata_cache_capacity = 4;
  options.growth_min_pages = 4;
  options.write_buffer_bytes = 16 << 10;
  options.buffer_pool_bytes = 64 << 10;
  return options;
}

std::string Name(std::uint8_t b) { return "block-" + std::to_string(b % 12); }

std::vector<std::uint8_t> Payload(std::uint8_t length_byte, std::uint8_t fill) {
  std::vector<std::uint8_t> bytes(std::size_t{length_byte} * 13);  // 0 .. 3,315 bytes: up to 7 pages
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(fill + i * 31);
  return bytes;
}

void CheckHolds(Store& store, const Model& model, const char* when) {
  auto names = store.List();
  MEMH_FUZZ_CHECK(names.ok(), std::string(when) + ": List: " + names.status().message());
  std::vector<std::string> expected;
  for (const auto& [name, bytes] : model) expected.push_back(name);
  MEMH_FUZZ_CHECK(*names == expected, std::string(when) + ": the store lists other names than the model");
  for (const auto& [name, bytes] : model) {
    auto read = store.Read(name);
    MEMH_FUZZ_CHECK(read.ok(), std::string(when) + ": Read " + name + ": " + read.status().message());
    MEMH_FUZZ_CHECK(*read == bytes, std::string(when) + ": " + name + " reads other bytes than written");
  }
}

std::unique_ptr<Store> OpenOrDie(const std::string& path, bool create) {
  auto store = create ? Store::Create(path, Options()) : Store::Open(path, Options());
  MEMH_FUZZ_CHECK(store.ok(), path + ": " + store.status().message());
  return std::move(*store);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = memh::fuzz::ScratchDir() + "/ops.mhs";
  std::filesystem::remove(path);
  std::unique_ptr<Store> store = OpenOrDie(path, true);
  Model model;                 // what the store must show outside a transaction
  std::optional<Model> txn;    // what it must show inside one
  Input in(data, size);
  for (int step = 0; in.more() && step < 400; ++step) {
    Model& visible = txn ? *txn : model;
    const std::uint8_t op = in.next() % 11;
    switch (op) {
      case 0: case 1: case 2: {  // write (insert or replace)
        const std::string name = Name(in.next());
        const std::uint8_t length = in.next();
        const std::vector<std::uint8_t> bytes = Payload(length, in.next());
        memh::engine::Status s = store->Write(name, bytes);
        MEMH_FUZZ_CHECK(s.ok(), "Write " + name + ": " + s.message());
        visible[name] = bytes;
        break;
      }
      case 3: {  // remove
        const std::string name = Name(in.next());
        memh::engine::Status s = store->Remove(name);
        const bool present = visible.erase(name) > 0;
        MEMH_FUZZ_CHECK(present ? s.ok() : s.code() == Code::kNotFound, "Remove " + name + ": " + s.message());
        break;
      }
      case 4: {  // read
        const std::string name = Name(in.next());
        auto read = store->Read(name);
        auto it = visible.find(name);
        if (it == visible.end()) {
          MEMH_FUZZ_CHECK(read.status().code() == Code::kNotFound, "Read " + name + " of a missing block");
        } else {
          MEMH_FUZZ_CHECK(read.ok() && *read == it->second, "Read " + name + ": " + read.status().message());
        }
        break;
      }
      case 5: {  // flush: refused inside a transaction
        memh::engine::Status s = store->Flush();
        MEMH_FUZZ_CHECK(txn ? s.code() == Code::kFailedPrecondition : s.ok(), "Flush: " + s.message());
        break;
      }
      case 6: {  // begin, or commit the open transaction
        if (!txn) {
          memh::engine::Status s = store->Begin();
          MEMH_FUZZ_CHECK(s.ok(), "Begin: " + s.message());
          txn = model;
        } else {
          memh::engine::Status s = store->Commit();
          MEMH_FUZZ_CHECK(s.ok(), "Commit: " + s.message());
          model = *txn;
          txn.reset();
        }
        break;
      }
      case 7: {  // rollback
        memh::engine::Status s = store->Rollback();
        MEMH_FUZZ_CHECK(txn ? s.ok() : s.code() == Code::kFailedPrecondition, "Rollback: " + s.message());
        txn.reset();
        break;
      }
      case 8: {  // reopen: Close rolls an open transaction back and commits the rest
        memh::engine::Status s = store->Close();
        MEMH_FUZZ_CHECK(s.ok(), "Close: " + s.message());
        txn.reset();
        store = OpenOrDie(path, false);
        CheckHolds(*store, model, "after reopening");
        break;
      }
      case 9: {  // vacuum, outside transactions
        if (txn) break;
        auto report = store->Vacuum(in.next() % 2 == 0 ? memh::engine::VacuumMode::kQuick
                                                         : memh::engine::VacuumMode::kFull);
        MEMH_FUZZ_CHECK(report.ok(), "Vacuum: " + report.status().message());
        break;
      }
      case 10: {  // drain the background writer
        memh::engine::Status s = store->Drain();
        MEMH_FUZZ_CHECK(s.ok(), "Drain: " + s.message());
        break;
      }
    }
  }
  if (txn) {
    memh::engine::Status s = store->Rollback();
    MEMH_FUZZ_CHECK(s.ok(), "Rollback at the end: " + s.message());
  }
  CheckHolds(*store, model, "at the end");
  memh::engine::Status closed = store->Close();
  MEMH_FUZZ_CHECK(closed.ok(), "Close at the end: " + closed.message());
  auto report = Store::VerifyFile(path, Options());
  MEMH_FUZZ_CHECK(report.ok(), "VerifyFile: " + report.status().message());
  MEMH_FUZZ_CHECK(report->ok(), "VerifyFile found damage in a store only the engine wrote");
  store = OpenOrDie(path, false);
  CheckHolds(*store, model, "after the last reopening");
  return 0;
}
