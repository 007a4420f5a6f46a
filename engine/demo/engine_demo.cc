// engine_demo: a short tour of the engine that prints what it did. It is what the
// README's run command shows until the scenario runner takes over.
//   engine_demo [DIR]   (default: a new directory under /tmp)
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "memh/engine/store.h"

namespace {

using memh::engine::Status;

int Fail(const Status& status) {
  std::fprintf(stderr, "engine_demo: %s\n", status.ToString().c_str());
  return 1;
}

void PrintStats(const char* when, const memh::engine::StoreStats& s) {
  std::printf("%-16s file %9llu B  blocks %5llu  used %6llu pages  free %6llu pages  fragmentation %5.1f%%\n",
              when, static_cast<unsigned long long>(s.file_bytes), static_cast<unsigned long long>(s.block_count),
              static_cast<unsigned long long>(s.used_pages), static_cast<unsigned long long>(s.free_pages),
              100.0 * s.fragmentation);
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  if (argc > 1) {
    dir = argv[1];
  } else {
    char pattern[] = "/tmp/memh-demo-XXXXXX";
    if (mkdtemp(pattern) == nullptr) return Fail(Status::FromErrno("/tmp", "mkdtemp", errno));
    dir = pattern;
  }
  const std::string path = dir + "/demo.mhs";
  memh::engine::ManualClock clock(1'700'000'000'000);
  memh::engine::StoreOptions options;
  options.clock = &clock;

  auto created = memh::engine::Store::Create(path, options);
  if (!created.ok()) return Fail(created.status());
  auto store = std::move(*created);
  std::printf("created %s (%s buffers, %s writes, %s gate)\n", path.c_str(),
              std::string(store->Stats()->buffers_strategy).c_str(),
              std::string(store->Stats()->writes_strategy).c_str(),
              std::string(store->Stats()->locks_strategy).c_str());

  std::vector<std::uint8_t> payload;
  for (int i = 0; i < 1000; ++i) {
    payload.assign(1000 + 37 * (i % 100), static_cast<std::uint8_t>(i));
    if (Status s = store->Write("user/" + std::to_string(i), payload); !s.ok()) return Fail(s);
  }
  if (Status s = store->Flush(); !s.ok()) return Fail(s);
  PrintStats("after 1000 writes", *store->Stats());

  for (int i = 0; i < 1000; i += 2) {
    if (Status s = store->Remove("user/" + std::to_string(i)); !s.ok()) return Fail(s);
  }
  if (Status s = store->Flush(); !s.ok()) return Fail(s);
  if (Status s = store->Flush(); !s.ok()) return Fail(s);
  PrintStats("after 500 removes", *store->Stats());

  auto vacuum = store->Vacuum(memh::engine::VacuumMode::kQuick);
  if (!vacuum.ok()) return Fail(vacuum.status());
  std::printf("vacuum (quick): moved %llu blocks, reclaimed %llu bytes\n",
              static_cast<unsigned long long>(vacuum->blocks_moved),
              static_cast<unsigned long long>(vacuum->bytes_reclaimed));
  PrintStats("after vacuum", *store->Stats());

  auto block = store->Read("user/999");
  if (!block.ok()) return Fail(block.status());
  std::printf("read user/999: %zu bytes\n", block->size());
  if (Status s = store->Close(); !s.ok()) return Fail(s);

  auto report = memh::engine::Store::VerifyFile(path, options);
  if (!report.ok()) return Fail(report.status());
  std::printf("verify: %s, %llu blocks, %llu bytes checked\n", report->ok() ? "ok" : "PROBLEMS",
              static_cast<unsigned long long>(report->blocks_checked),
              static_cast<unsigned long long>(report->bytes_checked));
  for (const std::string& problem : report->problems) std::printf("  %s\n", problem.c_str());
  return report->ok() ? 0 : 1;
}
