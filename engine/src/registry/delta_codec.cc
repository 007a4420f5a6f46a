#include "registry/delta_codec.h"

#include <algorithm>
#include <cstring>

#include "registry/registry_codec.h"
#include "util/coding.h"

namespace memh::engine {
namespace {

static_assert(kDeltaEntryBytes == kRegistryEntryBytes, "a delta's entries are the registry's");

constexpr std::uint8_t kMagic[8] = {'M', 'H', 'D', 'E', 'L', 'T', 'A', 0};
constexpr std::size_t kAfterChecksum = kDeltaChecksumOffset + 32;

Digest DeltaChecksum(StructureChecksum kind, std::span<const std::uint8_t> bytes) {
  return StructureDigest(kind, {bytes.subspan(0, kDeltaChecksumOffset), bytes.subspan(kAfterChecksum)});
}

// A NUL-padded name field: 1..31 bytes, then zeros. Empty view when invalid.
std::string_view NameField(const std::uint8_t* e) {
  const char* raw = reinterpret_cast<const char*>(e);
  std::string_view name(raw, strnlen(raw, kDeltaNameBytes));
  if (name.empty() || name.size() > kMaxNameBytesInEntry) return {};
  if (std::any_of(e + name.size(), e + kDeltaNameBytes, [](std::uint8_t b) { return b != 0; })) return {};
  return name;
}

}  // namespace

DeltaEncoder::DeltaEncoder(const DeltaHeader& header, std::span<std::uint8_t> out) : out_(out) {
  std::uint8_t* p = out.data();
  std::fill(p, p + kDeltaHeaderBytes, 0);
  std::memcpy(p, kMagic, 8);
  PutU32(p + 8, kStructureVersion);
  PutU32(p + 12, kDeltaEntryBytes);
  PutU64(p + 16, header.upserts);
  PutU64(p + 24, header.removals);
  PutU64(p + 32, header.prev_offset);
  PutU64(p + 40, header.prev_length);
  PutU64(p + 48, header.generation);
  PutU64(p + 56, header.total_pages);
}

void DeltaEncoder::Upsert(std::string_view name, const BlockEntry& entry) {
  PutRegistryEntry(name, entry, out_.data() + at_);
  at_ += kDeltaEntryBytes;
}

void DeltaEncoder::Remove(std::string_view name) {
  std::uint8_t* e = out_.data() + at_;
  std::fill(e, e + kDeltaNameBytes, 0);
  std::memcpy(e, name.data(), name.size());
  at_ += kDeltaNameBytes;
}

void DeltaEncoder::Finish() {
  const Digest digest = DeltaChecksum(kStructureChecksum, out_.first(at_));
  std::copy(digest.begin(), digest.end(), out_.data() + kDeltaChecksumOffset);
}

Result<Delta> DecodeDelta(std::span<const std::uint8_t> bytes, std::string_view where) {
  if (bytes.size() < kDeltaHeaderBytes) {
    return Status::Corruption(where, "truncated: " + std::to_string(bytes.size()) + " bytes, need 96");
  }
  const std::uint8_t* p = bytes.data();
  if (std::memcmp(p, kMagic, 8) != 0) return Status::Corruption(where, "bad magic");
  MEMH_ASSIGN_OR_RETURN(const StructureChecksum kind, ChecksumOfVersion(GetU32(p + 8), where));
  if (GetU32(p + 12) != kDeltaEntryBytes) {
    return Status::Corruption(where, "entry size " + std::to_string(GetU32(p + 12)) + ", expected 96");
  }
  Delta delta;
  DeltaHeader& h = delta.header;
  h.upserts = GetU64(p + 16);
  h.removals = GetU64(p + 24);
  h.prev_offset = GetU64(p + 32);
  h.prev_length = GetU64(p + 40);
  h.generation = GetU64(p + 48);
  h.total_pages = GetU64(p + 56);
  const std::uint64_t room = bytes.size() - kDeltaHeaderBytes;
  if (h.upserts > room / kDeltaEntryBytes || h.removals > room / kDeltaNameBytes ||
      DeltaEncodedSize(h.upserts, h.removals) != bytes.size()) {
    return Status::Corruption(where, std::to_string(h.upserts) + " entries and " + std::to_string(h.removals) +
                                         " removals do not match length " + std::to_string(bytes.size()));
  }
  const Digest digest = DeltaChecksum(kind, bytes);
  if (!std::equal(digest.begin(), digest.end(), p + kDeltaChecksumOffset)) {
    return Status::Corruption(where, "checksum mismatch");
  }
  if (h.generation == 0) return Status::Corruption(where, "generation 0");
  if ((h.prev_offset == 0) != (h.prev_length == 0)) {
    return Status::Corruption(where, "previous delta (offset " + std::to_string(h.prev_offset) + ", length " +
                                         std::to_string(h.prev_length) + ") is half set");
  }
  delta.upserts.reserve(h.upserts);
  const std::uint8_t* e = p + kDeltaHeaderBytes;
  for (std::uint64_t i = 0; i < h.upserts; ++i, e += kDeltaEntryBytes) {
    std::string_view name = NameField(e);
    if (name.empty()) {
      return Status::Corruption(where, "entry " + std::to_string(i) + ": name is not 1..31 bytes NUL-padded");
    }
    if (!delta.upserts.empty() && !(delta.upserts.back().name < name)) {
      return Status::Corruption(where, "entry " + std::to_string(i) + " \"" + std::string(name) +
                                           "\": names not sorted and unique");
    }
    BlockEntry entry;
    entry.name.assign(name);
    GetRegistryEntryFields(e, &entry);
    delta.upserts.push_back(std::move(entry));
  }
  delta.removals.reserve(h.removals);
  for (std::uint64_t i = 0; i < h.removals; ++i, e += kDeltaNameBytes) {
    std::string_view name = NameField(e);
    if (name.empty()) {
      return Status::Corruption(where, "removal " + std::to_string(i) + ": name is not 1..31 bytes NUL-padded");
    }
    if (!delta.removals.empty() && !(delta.removals.back() < name)) {
      return Status::Corruption(where, "removal " + std::to_string(i) + " \"" + std::string(name) +
                                           "\": names not sorted and unique");
    }
    auto upserted = std::lower_bound(delta.upserts.begin(), delta.upserts.end(), name,
                                     [](const BlockEntry& a, std::string_view b) { return a.name < b; });
    if (upserted != delta.upserts.end() && upserted->name == name) {
      return Status::Corruption(where, "removal " + std::to_string(i) + " \"" + std::string(name) +
                                           "\": also written by this delta");
    }
    delta.removals.emplace_back(name);
  }
  return delta;
}

}  // namespace memh::engine
