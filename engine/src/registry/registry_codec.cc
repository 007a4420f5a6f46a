#include "registry/registry_codec.h"

#include <algorithm>
#include <cstring>

#include "util/coding.h"

namespace memh::engine {
namespace {

constexpr std::uint8_t kMagic[8] = {'M', 'H', 'R', 'E', 'G', 'I', 'S', 0};
constexpr std::size_t kChecksumOffset = kRegistryChecksumOffset;
constexpr std::size_t kAfterChecksum = 56;

Digest RegistryChecksum(StructureChecksum kind, std::span<const std::uint8_t> bytes) {
  return StructureDigest(kind, {bytes.subspan(0, kChecksumOffset), bytes.subspan(kAfterChecksum)});
}

}  // namespace

Status ValidateBlockName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("block name", "empty");
  if (name.size() > kMaxNameBytesInEntry) {
    return Status::NameTooLong("block name \"" + std::string(name.substr(0, 40)) + "\"",
                               std::to_string(name.size()) + " bytes, at most 31");
  }
  if (name.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("block name", "contains a NUL byte");
  }
  return Status::Ok();
}

void PutRegistryEntry(std::string_view name, const BlockEntry& entry, std::uint8_t* e) {
  std::fill(e, e + kRegistryEntryBytes, 0);
  std::memcpy(e, name.data(), name.size());
  PutU32(e + 32, entry.type);
  PutU64(e + 36, entry.offset);
  PutU64(e + 44, entry.length);
  std::copy(entry.sha256.begin(), entry.sha256.end(), e + 52);
  PutU32(e + 84, entry.flags);
  PutU64(e + 88, entry.modified_ms);
}

void GetRegistryEntryFields(const std::uint8_t* e, BlockEntry* entry) {
  entry->type = GetU32(e + 32);
  entry->offset = GetU64(e + 36);
  entry->length = GetU64(e + 44);
  std::copy(e + 52, e + 84, entry->sha256.begin());
  entry->flags = GetU32(e + 84);
  entry->modified_ms = GetU64(e + 88);
}

RegistryEncoder::RegistryEncoder(const BlockMap& blocks)
    : blocks_(blocks), next_(blocks.begin()), end_(blocks.end()) {}

std::size_t RegistryEncoder::Next(std::span<std::uint8_t> out) {
  std::size_t used = 0;
  if (!header_written_) {
    std::uint8_t* p = out.data();
    std::fill(p, p + kRegistryHeaderBytes, 0);
    std::memcpy(p, kMagic, 8);
    PutU32(p + 8, kStructureVersion);
    PutU32(p + 12, kRegistryEntryBytes);
    PutU64(p + 16, blocks_.size());
    // The checksum covers the header around its own field: [0, 24) and [56, 64).
    checksum_.Update(out.subspan(0, kChecksumOffset));
    checksum_.Update(out.subspan(kAfterChecksum, kRegistryHeaderBytes - kAfterChecksum));
    header_written_ = true;
    used = kRegistryHeaderBytes;
  }
  const std::size_t first_entry = used;
  for (; next_ != end_ && out.size() - used >= kRegistryEntryBytes; ++next_) {
    PutRegistryEntry(next_->first, next_->second, out.data() + used);
    used += kRegistryEntryBytes;
  }
  checksum_.Update(out.subspan(first_entry, used - first_entry));
  return used;
}

Digest RegistryEncoder::Checksum() { return checksum_.Finish(); }

std::uint64_t RegistryMemoryBytes(const BlockMap& blocks) {
  // A string keeps up to 15 characters inline (libstdc++); a longer one owns a buffer
  // of capacity + 1 bytes.
  auto heap_bytes = [](const std::string& text) -> std::uint64_t {
    return text.capacity() > 15 ? text.capacity() + 1 : 0;
  };
  std::uint64_t bytes = blocks.get_allocator().pool()->held_bytes();
  for (const auto& [name, entry] : blocks) bytes += heap_bytes(name) + heap_bytes(entry.name);
  return bytes;
}

void EncodeRegistry(const BlockMap& blocks, std::span<std::uint8_t> out) {
  RegistryEncoder encoder(blocks);
  const std::size_t used = encoder.Next(out);
  (void)used;  // the whole registry: out is exactly its size
  const Digest digest = encoder.Checksum();
  std::copy(digest.begin(), digest.end(), out.data() + kChecksumOffset);
}

Result<BlockMap> DecodeRegistry(std::span<const std::uint8_t> bytes, std::string_view where) {
  if (bytes.size() < kRegistryHeaderBytes) {
    return Status::Corruption(where, "truncated: " + std::to_string(bytes.size()) + " bytes, need 64");
  }
  const std::uint8_t* p = bytes.data();
  if (std::memcmp(p, kMagic, 8) != 0) return Status::Corruption(where, "bad magic");
  MEMH_ASSIGN_OR_RETURN(const StructureChecksum kind, ChecksumOfVersion(GetU32(p + 8), where));
  if (GetU32(p + 12) != kRegistryEntryBytes) {
    return Status::Corruption(where, "entry size " + std::to_string(GetU32(p + 12)) + ", expected 96");
  }
  std::uint64_t count = GetU64(p + 16);
  if (count > (bytes.size() - kRegistryHeaderBytes) / kRegistryEntryBytes ||
      RegistryEncodedSize(count) != bytes.size()) {
    return Status::Corruption(where, "entry count " + std::to_string(count) + " does not match length " +
                                         std::to_string(bytes.size()));
  }
  Digest digest = RegistryChecksum(kind, bytes);
  if (!std::equal(digest.begin(), digest.end(), p + kChecksumOffset)) {
    return Status::Corruption(where, "checksum mismatch");
  }
  BlockMap blocks;
  const std::uint8_t* e = p + kRegistryHeaderBytes;
  for (std::uint64_t i = 0; i < count; ++i, e += kRegistryEntryBytes) {
    const char* raw = reinterpret_cast<const char*>(e);
    std::string_view name(raw, strnlen(raw, 32));
    std::string entry_where = "entry " + std::to_string(i);
    if (name.size() == 32 || name.empty()) {
      return Status::Corruption(where, entry_where + ": name is not 1..31 bytes NUL-terminated");
    }
    if (std::any_of(e + name.size(), e + 32, [](std::uint8_t b) { return b != 0; })) {
      return Status::Corruption(where, entry_where + ": name padding is not zero");
    }
    if (!blocks.empty() && !(blocks.rbegin()->first < name)) {
      return Status::Corruption(where, entry_where + " \"" + std::string(name) + "\": names not sorted and unique");
    }
    BlockEntry entry;
    entry.name.assign(name);
    GetRegistryEntryFields(e, &entry);
    blocks.emplace_hint(blocks.end(), entry.name, std::move(entry));
  }
  return blocks;
}

}  // namespace memh::engine
