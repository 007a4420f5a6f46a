#include "bench/bench_app.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_stores.h"
#include "bench/memory_manager.h"
#include "bench/store_bench.h"
#include "memh/engine/build_info.h"
#include "runner/runner.h"

namespace memh::harness {
namespace {

constexpr std::string_view kDefaultSizes = "1000,100000";

// "1000,100000" -> {1000, 100000}; false on anything else (empty items, zero, junk).
bool ParseSizes(std::string_view text, std::vector<std::uint64_t>* sizes) {
  sizes->clear();
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    std::uint64_t blocks = 0;
    auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), blocks);
    if (error != std::errc() || end != item.data() + item.size() || blocks == 0) return false;
    sizes->push_back(blocks);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return !sizes->empty();
}

// Takes --memh_* flags out of argv (as benchmark::Initialize does with its own).
std::string TakeFlag(int* argc, char** argv, std::string_view name, std::string fallback) {
  const std::string prefix = "--" + std::string(name) + "=";
  std::string value = std::move(fallback);
  int kept = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with(prefix)) {
      value = std::string(arg.substr(prefix.size()));
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  return value;
}

std::string EnvOr(const char* name, std::string_view fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::string(fallback);
}

}  // namespace

int RunBenchApp(int argc, char** argv, std::string_view variant) {
  benchmark::Initialize(&argc, argv);
  const std::string sizes_text = TakeFlag(&argc, argv, "memh_sizes", EnvOr("MEMH_BENCH_SIZES", kDefaultSizes));
  const std::string parent = TakeFlag(&argc, argv, "memh_dir", EnvOr("TMPDIR", "/tmp"));
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  std::vector<std::uint64_t> sizes;
  if (!ParseSizes(sizes_text, &sizes)) {
    std::fprintf(stderr, "memh_bench: --memh_sizes=%s: expected block counts separated by commas\n",
                 sizes_text.c_str());
    return 2;
  }

  // One-time initialisations (OpenSSL's digests, the engine's first use) happen here,
  // not inside whichever benchmark would come first.
  engine::Status warmed = WarmUpProcess(parent);
  if (!warmed.ok()) {
    std::fprintf(stderr, "memh_bench: %s\n", warmed.ToString().c_str());
    return 1;
  }
  engine::Result<std::unique_ptr<BenchStores>> stores = BenchStores::Make(parent);
  if (!stores.ok()) {
    std::fprintf(stderr, "memh_bench: %s\n", stores.status().ToString().c_str());
    return 1;
  }

  const engine::EngineKnobs knobs = engine::LinkedKnobs();
  benchmark::AddCustomContext("memh_variant", std::string(variant));
  benchmark::AddCustomContext(
      "memh_knobs", std::string(knobs.buffers) + "," + std::string(knobs.writes) + "," + std::string(knobs.locks));
  benchmark::AddCustomContext("memh_block_bytes", std::to_string(BenchStores::kBlockBytes));
  benchmark::AddCustomContext("memh_allocator", alloc::AllocatorName());

  MeterMemoryManager memory;
  benchmark::RegisterMemoryManager(&memory);
  RegisterStoreBenchmarks(**stores, memory, sizes);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::RegisterMemoryManager(nullptr);
  benchmark::Shutdown();
  return 0;
}

}  // namespace memh::harness
