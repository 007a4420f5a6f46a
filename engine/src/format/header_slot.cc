#include "format/header_slot.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <tuple>

#include "checksum/sha256.h"
#include "util/coding.h"

namespace memh::engine {
namespace {

constexpr std::uint8_t kMagic[8] = {'M', 'H', 'S', 'T', 'O', 'R', 'E', 0};
constexpr std::size_t kChecksumOffset = 480;

}  // namespace

HeaderSlotBytes EncodeHeaderSlot(const HeaderSlot& slot) {
  HeaderSlotBytes out{};
  std::uint8_t* p = out.data();
  std::memcpy(p, kMagic, 8);
  PutU32(p + 8, kFormatVersion);
  PutU32(p + 12, slot.page_size);
  PutU64(p + 16, slot.generation);
  PutU64(p + 24, slot.registry_offset);
  PutU64(p + 32, slot.registry_length);
  PutU64(p + 40, slot.map_offset);
  PutU64(p + 48, slot.map_length);
  PutU64(p + 56, slot.file_bytes);
  PutU64(p + 64, slot.used_pages);
  PutU64(p + 72, slot.block_count);
  PutU64(p + 80, slot.last_vacuum_ms);
  PutU64(p + 88, slot.feature_flags);
  PutU64(p + 96, slot.commit_ms);
  PutU64(p + 104, slot.delta_offset);
  PutU64(p + 112, slot.delta_length);
  PutU64(p + 120, slot.chain_length);
  Digest digest = Sha256(std::span<const std::uint8_t>(p, kChecksumOffset));
  std::copy(digest.begin(), digest.end(), p + kChecksumOffset);
  return out;
}

Result<HeaderSlot> DecodeHeaderSlot(std::span<const std::uint8_t> bytes, std::string_view where) {
  if (bytes.size() < kHeaderSlotBytes) {
    return Status::Corruption(where, "truncated: " + std::to_string(bytes.size()) + " of 512 bytes");
  }
  const std::uint8_t* p = bytes.data();
  if (std::memcmp(p, kMagic, 8) != 0) return Status::Corruption(where, "bad magic (not a memharness store)");
  Digest digest = Sha256(std::span<const std::uint8_t>(p, kChecksumOffset));
  if (!std::equal(digest.begin(), digest.end(), p + kChecksumOffset)) {
    return Status::Corruption(where, "checksum mismatch");
  }
  std::uint32_t version = GetU32(p + 8);
  if (version < kOldestFormatVersion || version > kFormatVersion) {
    return Status::Corruption(where, "unsupported format version " + std::to_string(version));
  }
  HeaderSlot slot;
  slot.page_size = GetU32(p + 12);
  slot.generation = GetU64(p + 16);
  slot.registry_offset = GetU64(p + 24);
  slot.registry_length = GetU64(p + 32);
  slot.map_offset = GetU64(p + 40);
  slot.map_length = GetU64(p + 48);
  slot.file_bytes = GetU64(p + 56);
  slot.used_pages = GetU64(p + 64);
  slot.block_count = GetU64(p + 72);
  slot.last_vacuum_ms = GetU64(p + 80);
  slot.feature_flags = GetU64(p + 88);
  slot.commit_ms = GetU64(p + 96);
  slot.version = version;
  if (version >= 2) {
    slot.delta_offset = GetU64(p + 104);
    slot.delta_length = GetU64(p + 112);
    slot.chain_length = GetU64(p + 120);
  }
  if (!ValidPageSize(slot.page_size)) {
    return Status::Corruption(where, "invalid page size " + std::to_string(slot.page_size));
  }
  if (slot.generation == 0) return Status::Corruption(where, "generation 0");
  if (slot.feature_flags != 0) {
    return Status::Corruption(where, "unknown feature flags " + std::to_string(slot.feature_flags));
  }
  if (slot.file_bytes % slot.page_size != 0) {
    return Status::Corruption(where, "file size " + std::to_string(slot.file_bytes) +
                                         " is not a whole number of pages");
  }
  for (auto [offset, length, what] : {std::tuple{slot.registry_offset, slot.registry_length, "registry"},
                                      std::tuple{slot.map_offset, slot.map_length, "free-space map"}}) {
    if (offset % slot.page_size != 0 || offset < HeaderPages(slot.page_size) * slot.page_size ||
        length > slot.file_bytes || offset > slot.file_bytes - length) {
      return Status::Corruption(where, std::string(what) + " extent (offset " + std::to_string(offset) +
                                           ", length " + std::to_string(length) + ") is outside the file");
    }
  }
  if (slot.chain_length == 0) {
    if (slot.delta_offset != 0 || slot.delta_length != 0) {
      return Status::Corruption(where, "delta (offset " + std::to_string(slot.delta_offset) + ", length " +
                                           std::to_string(slot.delta_length) + ") with a chain of length 0");
    }
  } else {
    const std::uint64_t offset = slot.delta_offset;
    const std::uint64_t length = slot.delta_length;
    if (length < 96 || offset % slot.page_size != 0 || offset < HeaderPages(slot.page_size) * slot.page_size ||
        length > slot.file_bytes || offset > slot.file_bytes - length ||
        slot.chain_length > slot.file_bytes / slot.page_size) {
      return Status::Corruption(where, "delta extent (offset " + std::to_string(offset) + ", length " +
                                           std::to_string(length) + ", chain of " +
                                           std::to_string(slot.chain_length) + ") is outside the file");
    }
  }
  return slot;
}

}  // namespace memh::engine
