// `memharness store ls|stat|verify|cat FILE`: look inside a store file. Every command
// opens the file read-only, so looking never changes it, corrupt or not.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/cli_app.h"
#include "memh/engine/store.h"

namespace memh::harness {
namespace {

engine::StoreOptions ReadOnlyOptions() {
  engine::StoreOptions options;
  options.page_size = 0;  // whatever the file says
  options.read_only = true;
  return options;
}

std::unique_ptr<engine::Store> OpenOrReport(const std::string& path, CliContext& context) {
  auto store = engine::Store::Open(path, ReadOnlyOptions());
  if (!store.ok()) {
    PrintError(store.status().message());
    context.exit_code = store.status().code() == engine::Code::kCorruption ? kExitFailed : kExitBadInput;
    return nullptr;
  }
  return std::move(*store);
}

std::string Hex(const engine::Digest& digest, std::size_t bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    out.push_back(kDigits[digest[i] >> 4]);
    out.push_back(kDigits[digest[i] & 15]);
  }
  return out;
}

void List(const std::string& path, const std::string& prefix, CliContext& context) {
  auto store = OpenOrReport(path, context);
  if (store == nullptr) return;
  auto names = store->List(prefix);
  if (!names.ok()) {
    PrintError(names.status().message());
    context.exit_code = kExitFailed;
    return;
  }
  std::printf("%-32s %12s %12s %7s  %-16s %s\n", "name", "bytes", "offset", "pages", "sha256", "modified_ms");
  for (const std::string& name : *names) {
    auto meta = store->Metadata(name);
    if (!meta.ok()) continue;
    std::printf("%-32s %12llu %12llu %7llu  %-16s %llu\n", name.c_str(),
                static_cast<unsigned long long>(meta->length), static_cast<unsigned long long>(meta->offset),
                static_cast<unsigned long long>(meta->pages), Hex(meta->sha256, 8).c_str(),
                static_cast<unsigned long long>(meta->modified_ms));
  }
}

void Stat(const std::string& path, CliContext& context) {
  auto store = OpenOrReport(path, context);
  if (store == nullptr) return;
  auto stats = store->Stats();
  if (!stats.ok()) {
    PrintError(stats.status().message());
    context.exit_code = kExitFailed;
    return;
  }
  const engine::StoreStats& s = *stats;
  std::printf("file            %s\n", path.c_str());
  std::printf("generation      %llu\n", static_cast<unsigned long long>(s.generation));
  std::printf("page size       %u\n", s.page_size);
  std::printf("file bytes      %llu\n", static_cast<unsigned long long>(s.file_bytes));
  std::printf("blocks          %llu\n", static_cast<unsigned long long>(s.block_count));
  std::printf("payload bytes   %llu\n", static_cast<unsigned long long>(s.payload_bytes));
  std::printf("pages           %llu total, %llu used, %llu free\n", static_cast<unsigned long long>(s.total_pages),
              static_cast<unsigned long long>(s.used_pages), static_cast<unsigned long long>(s.free_pages));
  std::printf("fragmentation   %.2f%% (free pages below the last used page)\n", 100.0 * s.fragmentation);
  std::printf("last vacuum ms  %llu\n", static_cast<unsigned long long>(s.last_vacuum_ms));
  // What this store costs in memory once open (a fresh open: nothing else is held).
  std::printf("registry memory %llu bytes (%.1f per block)\n", static_cast<unsigned long long>(s.registry_memory_bytes),
              s.block_count > 0 ? static_cast<double>(s.registry_memory_bytes) / static_cast<double>(s.block_count) : 0.0);
  std::printf("free map memory %llu bytes\n", static_cast<unsigned long long>(s.free_map_memory_bytes));
}

void Verify(const std::string& path, CliContext& context) {
  auto report = engine::Store::VerifyFile(path, ReadOnlyOptions());
  if (!report.ok()) {
    PrintError(report.status().message());
    context.exit_code = kExitBadInput;
    return;
  }
  for (const std::string& warning : report->warnings) std::printf("warning: %s\n", warning.c_str());
  if (!report->ok()) {
    for (const std::string& problem : report->problems) PrintError(problem);
    context.exit_code = kExitFailed;
    return;
  }
  std::printf("ok: %s: generation %llu (header slot %c), %llu blocks, %llu payload bytes, %llu pages checked\n",
              path.c_str(), static_cast<unsigned long long>(report->generation), report->header_slot == 0 ? 'A' : 'B',
              static_cast<unsigned long long>(report->blocks_checked),
              static_cast<unsigned long long>(report->bytes_checked),
              static_cast<unsigned long long>(report->pages_checked));
}

void Cat(const std::string& path, const std::string& name, CliContext& context) {
  auto store = OpenOrReport(path, context);
  if (store == nullptr) return;
  auto bytes = store->Read(name);
  if (!bytes.ok()) {
    PrintError(bytes.status().message());
    context.exit_code = bytes.status().code() == engine::Code::kNotFound ? kExitBadInput : kExitFailed;
    return;
  }
  if (!bytes->empty() && std::fwrite(bytes->data(), 1, bytes->size(), stdout) != bytes->size()) {
    PrintError("writing to standard output failed");
    context.exit_code = kExitFailed;
  }
}

}  // namespace

void AddStoreCommands(CLI::App& app, CliContext& context) {
  CLI::App* store = app.add_subcommand("store", "Look inside a store file (read-only)");
  store->require_subcommand(1);

  struct Args {
    std::string path;
    std::string prefix;
    std::string name;
  };
  auto args = std::make_shared<Args>();

  CLI::App* ls = store->add_subcommand("ls", "List the blocks of a store file");
  ls->add_option("FILE", args->path, "Store file")->required();
  ls->add_option("--prefix", args->prefix, "Only names starting with this");
  ls->callback([args, &context] { List(args->path, args->prefix, context); });

  CLI::App* stat = store->add_subcommand("stat", "Print a store file's header and space statistics");
  stat->add_option("FILE", args->path, "Store file")->required();
  stat->callback([args, &context] { Stat(args->path, context); });

  CLI::App* verify = store->add_subcommand("verify", "Check every structure and every block's checksum");
  verify->add_option("FILE", args->path, "Store file")->required();
  verify->callback([args, &context] { Verify(args->path, context); });

  CLI::App* cat = store->add_subcommand("cat", "Write one block's bytes to standard output");
  cat->add_option("FILE", args->path, "Store file")->required();
  cat->add_option("NAME", args->name, "Block name")->required();
  cat->callback([args, &context] { Cat(args->path, args->name, context); });
}

}  // namespace memh::harness
