// Arbitrary bytes opened as a store file: VerifyFile and Open must return a value
// (a report or an error), never crash; whatever opens must list, read and verify
// without crashing, and a block that reads back must match its registry length.
#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz_util.h"
#include "memh/engine/store.h"

using memh::engine::Store;
using memh::engine::StoreOptions;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = memh::fuzz::ScratchDir() + "/input.mhs";
  {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) memh::fuzz::Fail("fopen", path);
    if (size > 0 && std::fwrite(data, 1, size, file) != size) memh::fuzz::Fail("fwrite", path);
    std::fclose(file);
  }
  StoreOptions options;
  options.page_size = 0;  // whatever the file says
  options.read_only = true;
  options.sync = memh::engine::SyncPolicy::kNone;
  (void)Store::VerifyFile(path, options);
  auto store = Store::Open(path, options);
  if (!store.ok()) return 0;
  auto names = (*store)->List();
  if (names.ok()) {
    for (const std::string& name : *names) {
      auto meta = (*store)->Metadata(name);
      auto bytes = (*store)->Read(name);
      if (meta.ok() && bytes.ok()) {
        MEMH_FUZZ_CHECK(bytes->size() == meta->length, name);
      }
    }
  }
  (void)(*store)->Stats();
  (void)(*store)->Verify();
  (void)(*store)->Close();
  return 0;
}
