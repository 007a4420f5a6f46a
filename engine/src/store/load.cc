// Reading one committed generation back from the file and checking it (see
// committed_state.h). Every check names the file and the structure it failed in.
#include <algorithm>
#include <string>
#include <vector>

#include "knobs/buffers.h"
#include "store/committed_state.h"
#include "util/coding.h"

namespace memh::engine {
namespace {

bool AllZero(std::span<const std::uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

std::string SlotName(int index) { return index == 0 ? "header slot A" : "header slot B"; }

// Page ownership while cross-checking structures: 0 = free, 1 = header area,
// 2 = registry, 3 = map, 4 + i = the i-th block in name order.
constexpr std::uint32_t kOwnerFree = 0;
constexpr std::uint32_t kOwnerHeader = 1;
constexpr std::uint32_t kOwnerRegistry = 2;
constexpr std::uint32_t kOwnerMap = 3;
constexpr std::uint32_t kOwnerFirstBlock = 4;

std::string OwnerName(std::uint32_t owner, const std::vector<const BlockEntry*>& entries) {
  switch (owner) {
    case kOwnerHeader: return "the header area";
    case kOwnerRegistry: return "the registry";
    case kOwnerMap: return "the free-space map";
    default: return "block \"" + entries[owner - kOwnerFirstBlock]->name + "\"";
  }
}

Result<std::vector<std::uint8_t>> ReadExtentBytes(File& file, std::uint64_t offset, std::uint64_t length,
                                                  const std::string& where) {
  std::vector<std::uint8_t> bytes(length);
  Status status = file.ReadAt(offset, bytes);
  if (!status.ok()) return status.WithPrefix(where);
  return bytes;
}

Status CheckPageOwnership(const std::string& path, CommittedState& state) {
  const HeaderSlot& slot = state.slot;
  const std::uint32_t page = slot.page_size;
  const std::uint64_t total = state.map.total_pages();
  std::vector<const BlockEntry*> entries;
  entries.reserve(state.blocks.size());
  for (const auto& [name, entry] : state.blocks) entries.push_back(&entry);

  std::vector<std::uint32_t> owner(total, kOwnerFree);
  std::uint64_t used = 0;
  auto claim = [&](std::uint32_t who, std::uint64_t offset, std::uint64_t length) -> Status {
    Extent extent = ExtentOf(offset, length, page);
    if (offset % page != 0 || extent.start > total || extent.count > total - extent.start) {
      return Status::Corruption(path, OwnerName(who, entries) + " (offset " + std::to_string(offset) +
                                          ", length " + std::to_string(length) + ") lies outside the file's " +
                                          std::to_string(total) + " pages");
    }
    for (std::uint64_t p = extent.start; p < extent.end(); ++p) {
      if (owner[p] != kOwnerFree) {
        return Status::Corruption(path, OwnerName(who, entries) + " overlaps " + OwnerName(owner[p], entries) +
                                            " at page " + std::to_string(p));
      }
      owner[p] = who;
    }
    used += extent.count;
    return Status::Ok();
  };
  MEMH_RETURN_IF_ERROR(claim(kOwnerHeader, 0, HeaderPages(page) * page));
  MEMH_RETURN_IF_ERROR(claim(kOwnerRegistry, slot.registry_offset, slot.registry_length));
  MEMH_RETURN_IF_ERROR(claim(kOwnerMap, slot.map_offset, slot.map_length));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const BlockEntry& entry = *entries[i];
    if (entry.length == 0) {
      if (entry.offset != 0) {
        return Status::Corruption(path, "block \"" + entry.name + "\": empty block with offset " +
                                            std::to_string(entry.offset));
      }
      continue;
    }
    MEMH_RETURN_IF_ERROR(claim(kOwnerFirstBlock + static_cast<std::uint32_t>(i), entry.offset, entry.length));
  }
  for (std::uint64_t p = 0; p < total; ++p) {
    bool claimed = owner[p] != kOwnerFree;
    if (claimed != state.map.IsUsed(p)) {
      return Status::Corruption(path, "free-space map: page " + std::to_string(p) + " is marked " +
                                          (claimed ? "free but belongs to " + OwnerName(owner[p], entries)
                                                   : std::string("used but nothing owns it")));
    }
  }
  if (used != slot.used_pages) {
    return Status::Corruption(path, SlotName(state.slot_index) + " says " + std::to_string(slot.used_pages) +
                                        " used pages, the structures use " + std::to_string(used));
  }
  if (state.blocks.size() != slot.block_count) {
    return Status::Corruption(path, SlotName(state.slot_index) + " says " + std::to_string(slot.block_count) +
                                        " blocks, the registry holds " + std::to_string(state.blocks.size()));
  }
  return Status::Ok();
}

}  // namespace

void EncodeMapPadded(const FreeSpaceMap& map, std::span<std::uint8_t> out) {
  const std::uint64_t size = map.EncodedSize();
  map.EncodeTo(out.first(size));
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(size), out.end(), 0);
}

Result<std::span<const std::uint8_t>> UnpadMap(std::span<const std::uint8_t> extent, std::string_view where) {
  // docs/file_format.md: total pages T at byte 16, free extent count E at byte 56.
  if (extent.size() < 64) return Status::Corruption(where, "truncated: " + std::to_string(extent.size()) + " bytes");
  const std::uint64_t total = GetU64(extent.data() + 16);
  const std::uint64_t runs = GetU64(extent.data() + 56);
  const std::uint64_t room = extent.size() - 64;
  if (total / 8 > room || runs > room / 16 || (total + 7) / 8 + 16 * runs > room) {
    return Status::Corruption(where, "its " + std::to_string(total) + " pages and " + std::to_string(runs) +
                                         " extents do not fit in its " + std::to_string(extent.size()) + " bytes");
  }
  std::span<const std::uint8_t> map = extent.first(64 + (total + 7) / 8 + 16 * runs);
  if (!AllZero(extent.subspan(map.size()))) return Status::Corruption(where, "padding after the map is not zero");
  return map;
}

Result<CommittedState> LoadCommittedState(File& file, std::uint32_t page_size, std::uint64_t growth_min_pages) {
  const std::string& path = file.path();
  MEMH_ASSIGN_OR_RETURN(std::uint64_t actual, file.Size());
  if (actual < kHeaderAreaBytes) {
    return Status::Corruption(path, "header: file is " + std::to_string(actual) +
                                        " bytes, too short for a store (at least 1024)");
  }
  std::vector<std::uint8_t> area(kHeaderAreaBytes);
  MEMH_RETURN_IF_ERROR(file.ReadAt(0, area));

  CommittedState state;
  state.actual_file_bytes = actual;
  bool found = false;
  std::string why[2];
  for (int index = 0; index < 2; ++index) {
    auto bytes = std::span<const std::uint8_t>(area).subspan(SlotOffset(index), kHeaderSlotBytes);
    if (AllZero(bytes)) {
      why[index] = "never written";
      continue;
    }
    Result<HeaderSlot> slot = DecodeHeaderSlot(bytes, "");
    if (!slot.ok()) {
      why[index] = slot.status().message();
      continue;
    }
    if (!found || slot->generation > state.slot.generation) {
      state.slot = *slot;
      state.slot_index = index;
      found = true;
    }
  }
  if (!found) {
    return Status::Corruption(path, "header: no valid header slot (slot A: " + why[0] + "; slot B: " + why[1] + ")");
  }
  for (int index = 0; index < 2; ++index) {
    if (!why[index].empty() && why[index] != "never written") {
      state.warnings.push_back(SlotName(index) + " ignored: " + why[index]);
    }
  }
  const HeaderSlot& slot = state.slot;
  if (page_size != 0 && page_size != slot.page_size) {
    return Status::InvalidArgument(path, "page size " + std::to_string(page_size) + " requested, the file has " +
                                             std::to_string(slot.page_size));
  }
  if (actual < slot.file_bytes) {
    return Status::Corruption(path, "truncated: file is " + std::to_string(actual) + " bytes, " +
                                        SlotName(state.slot_index) + " says " + std::to_string(slot.file_bytes));
  }

  std::string registry_where = path + ": registry at offset " + std::to_string(slot.registry_offset);
  MEMH_ASSIGN_OR_RETURN(auto registry_bytes,
                        ReadExtentBytes(file, slot.registry_offset, slot.registry_length, registry_where));
  MEMH_ASSIGN_OR_RETURN(state.blocks, DecodeRegistry(registry_bytes, registry_where));

  std::string map_where = path + ": free-space map at offset " + std::to_string(slot.map_offset);
  MEMH_ASSIGN_OR_RETURN(auto map_bytes, ReadExtentBytes(file, slot.map_offset, slot.map_length, map_where));
  MEMH_ASSIGN_OR_RETURN(std::span<const std::uint8_t> map_encoded, UnpadMap(map_bytes, map_where));
  MEMH_ASSIGN_OR_RETURN(state.map, FreeSpaceMap::Decode(map_encoded, growth_min_pages, map_where));
  if (state.map.total_pages() * slot.page_size != slot.file_bytes) {
    return Status::Corruption(map_where, "covers " + std::to_string(state.map.total_pages()) + " pages, " +
                                             SlotName(state.slot_index) + " says the file is " +
                                             std::to_string(slot.file_bytes) + " bytes");
  }
  MEMH_RETURN_IF_ERROR(CheckPageOwnership(path, state));
  return state;
}

void VerifyBlocks(File& file, const CommittedState& state, BufferSource& buffers, VerifyReport* report) {
  for (const auto& [name, entry] : state.blocks) {
    std::string where = file.path() + ": block \"" + name + "\" at offset " + std::to_string(entry.offset);
    Buffer scratch = buffers.Acquire(entry.length);
    Status status = file.ReadAt(entry.offset, scratch.span());
    ++report->blocks_checked;
    if (!status.ok()) {
      report->problems.push_back(status.WithPrefix(where).message());
      continue;
    }
    report->bytes_checked += entry.length;
    if (buffers.Checksum(scratch.span()) != entry.sha256) {
      report->problems.push_back(where + ": checksum mismatch");
    }
  }
  report->pages_checked = state.map.total_pages();
  report->generation = state.slot.generation;
  report->header_slot = state.slot_index;
}

}  // namespace memh::engine
