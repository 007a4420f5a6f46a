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
constexpr std::uint32_t kOwnerDelta = 4;
constexpr std::uint32_t kOwnerFirstBlock = 5;

std::string OwnerName(std::uint32_t owner, const std::vector<const BlockEntry*>& entries) {
  switch (owner) {
    case kOwnerHeader: return "the header area";
    case kOwnerRegistry: return "the registry";
    case kOwnerMap: return "the free-space map";
    case kOwnerDelta: return "a registry delta";
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
  for (const CommittedState::DeltaRef& delta : state.deltas) {
    MEMH_RETURN_IF_ERROR(claim(kOwnerDelta, delta.offset, delta.length));
  }
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

namespace {

std::string DeltaWhere(const std::string& path, std::uint64_t offset) {
  return path + ": registry delta at offset " + std::to_string(offset);
}

// Reads the chain of deltas `slot` names, newest first via the previous pointers (at
// most chain_length steps, so a bad pointer cannot loop), checks each and the order of
// their generations, and applies them oldest first to the base in `state`: blocks
// upserted and removed, and the map derived as the commits' persisted maps were (each
// delta's own extent used; an upserted block's new extent used and its previous one
// freed; a removed block's extent freed).
Status LoadChain(File& file, const std::string& path, CommittedState& state) {
  const HeaderSlot& slot = state.slot;
  const std::uint32_t page = slot.page_size;
  const std::uint64_t total = slot.file_bytes / page;
  std::vector<Delta> chain;
  chain.reserve(std::min<std::uint64_t>(slot.chain_length, 4096));
  std::uint64_t offset = slot.delta_offset;
  std::uint64_t length = slot.delta_length;
  for (std::uint64_t i = 0; i < slot.chain_length; ++i) {
    const std::string where = DeltaWhere(path, offset);
    MEMH_ASSIGN_OR_RETURN(auto bytes, ReadExtentBytes(file, offset, length, where));
    MEMH_ASSIGN_OR_RETURN(Delta delta, DecodeDelta(bytes, where));
    const DeltaHeader& h = delta.header;
    if (i == 0 ? h.generation != slot.generation : h.generation >= chain.back().header.generation) {
      return Status::Corruption(where, "generation " + std::to_string(h.generation) + " out of order (expected " +
                                           (i == 0 ? std::to_string(slot.generation)
                                                   : "below " + std::to_string(chain.back().header.generation)) +
                                           ")");
    }
    if (h.total_pages > total || (i > 0 && h.total_pages > chain.back().header.total_pages) ||
        (i == 0 && h.total_pages != total)) {
      return Status::Corruption(where, "file of " + std::to_string(h.total_pages) +
                                           " pages does not fit the chain's (" + std::to_string(total) + " at the end)");
    }
    const bool last = i + 1 == slot.chain_length;
    if (last != (h.prev_offset == 0)) {
      return Status::Corruption(where, last ? "chain longer than the " + std::to_string(slot.chain_length) +
                                                  " deltas the header slot says"
                                            : "chain ends after " + std::to_string(i + 1) + " of " +
                                                  std::to_string(slot.chain_length) + " deltas");
    }
    if (!last && (h.prev_length < kDeltaHeaderBytes || h.prev_offset % page != 0 ||
                  h.prev_offset < HeaderPages(page) * page || h.prev_length > slot.file_bytes ||
                  h.prev_offset > slot.file_bytes - h.prev_length)) {
      return Status::Corruption(where, "previous delta (offset " + std::to_string(h.prev_offset) + ", length " +
                                           std::to_string(h.prev_length) + ") is outside the file");
    }
    state.deltas.push_back({offset, length});
    offset = h.prev_offset;
    length = h.prev_length;
    chain.push_back(std::move(delta));
  }
  std::reverse(chain.begin(), chain.end());
  std::reverse(state.deltas.begin(), state.deltas.end());
  if (state.map.total_pages() > chain.front().header.total_pages) {
    return Status::Corruption(DeltaWhere(path, state.deltas.front().offset),
                              "file of " + std::to_string(chain.front().header.total_pages) +
                                  " pages is smaller than the base map's " + std::to_string(state.map.total_pages()));
  }
  FreeSpaceMap& map = state.map;
  for (std::size_t k = 0; k < chain.size(); ++k) {
    const std::string where = DeltaWhere(path, state.deltas[k].offset);
    map.Grow(chain[k].header.total_pages);
    const Extent own = ExtentOf(state.deltas[k].offset, state.deltas[k].length, page);
    if (!map.AllFree(own)) return Status::Corruption(where, "its extent overlaps pages in use");
    map.MarkUsed(own);
    for (BlockEntry& entry : chain[k].upserts) {
      if (entry.length > 0) {
        const Extent extent = ExtentOf(entry.offset, entry.length, page);
        if (entry.offset % page != 0 || !map.AllFree(extent)) {
          return Status::Corruption(where, "block \"" + entry.name + "\" (offset " + std::to_string(entry.offset) +
                                               ", length " + std::to_string(entry.length) +
                                               ") lies outside the file or on pages in use");
        }
        map.MarkUsed(extent);
      } else if (entry.offset != 0) {
        return Status::Corruption(where, "block \"" + entry.name + "\": empty block with offset " +
                                             std::to_string(entry.offset));
      }
      auto it = state.blocks.find(entry.name);
      if (it != state.blocks.end()) {
        if (it->second.length > 0) {
          const Extent old = ExtentOf(it->second.offset, it->second.length, page);
          if (!map.AllUsed(old)) {
            return Status::Corruption(where, "block \"" + entry.name + "\": its previous extent is not in use");
          }
          map.Free(old);
        }
        it->second = std::move(entry);
      } else {
        std::string name = entry.name;
        state.blocks.emplace(std::move(name), std::move(entry));
      }
    }
    for (const std::string& name : chain[k].removals) {
      auto it = state.blocks.find(name);
      if (it == state.blocks.end()) {
        return Status::Corruption(where, "removes block \"" + name + "\", which does not exist");
      }
      if (it->second.length > 0) {
        const Extent old = ExtentOf(it->second.offset, it->second.length, page);
        if (!map.AllUsed(old)) {
          return Status::Corruption(where, "block \"" + name + "\": its extent is not in use");
        }
        map.Free(old);
      }
      state.blocks.erase(it);
    }
  }
  return Status::Ok();
}

// Reads and checks the generation `state.slot` names: base registry and map, the
// delta chain, page ownership. `chain_error` says whether a failure was in the chain.
Status LoadGeneration(File& file, CommittedState& state, std::uint64_t growth_min_pages, bool* chain_error) {
  const std::string& path = file.path();
  const HeaderSlot& slot = state.slot;
  *chain_error = false;
  if (state.actual_file_bytes < slot.file_bytes) {
    return Status::Corruption(path, "truncated: file is " + std::to_string(state.actual_file_bytes) + " bytes, " +
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
  if (slot.chain_length == 0 && state.map.total_pages() * slot.page_size != slot.file_bytes) {
    return Status::Corruption(map_where, "covers " + std::to_string(state.map.total_pages()) + " pages, " +
                                             SlotName(state.slot_index) + " says the file is " +
                                             std::to_string(slot.file_bytes) + " bytes");
  }
  if (slot.chain_length > 0) {
    Status chained = LoadChain(file, path, state);
    if (!chained.ok()) {
      *chain_error = true;
      return chained;
    }
  }
  return CheckPageOwnership(path, state);
}

}  // namespace

Result<CommittedState> LoadCommittedState(File& file, std::uint32_t page_size, std::uint64_t growth_min_pages) {
  const std::string& path = file.path();
  MEMH_ASSIGN_OR_RETURN(std::uint64_t actual, file.Size());
  if (actual < kHeaderAreaBytes) {
    return Status::Corruption(path, "header: file is " + std::to_string(actual) +
                                        " bytes, too short for a store (at least 1024)");
  }
  std::vector<std::uint8_t> area(kHeaderAreaBytes);
  MEMH_RETURN_IF_ERROR(file.ReadAt(0, area));

  std::string why[2];
  Result<HeaderSlot> slots[2] = {Status::Corruption(path, ""), Status::Corruption(path, "")};
  for (int index = 0; index < 2; ++index) {
    auto bytes = std::span<const std::uint8_t>(area).subspan(SlotOffset(index), kHeaderSlotBytes);
    if (AllZero(bytes)) {
      why[index] = "never written";
      continue;
    }
    slots[index] = DecodeHeaderSlot(bytes, "");
    if (!slots[index].ok()) why[index] = slots[index].status().message();
  }
  if (!slots[0].ok() && !slots[1].ok()) {
    return Status::Corruption(path, "header: no valid header slot (slot A: " + why[0] + "; slot B: " + why[1] + ")");
  }
  int winner = !slots[1].ok() || (slots[0].ok() && slots[0]->generation >= slots[1]->generation) ? 0 : 1;
  if (page_size != 0 && page_size != slots[winner]->page_size) {
    return Status::InvalidArgument(path, "page size " + std::to_string(page_size) + " requested, the file has " +
                                             std::to_string(slots[winner]->page_size));
  }
  CommittedState state;
  state.actual_file_bytes = actual;
  state.slot = *slots[winner];
  state.slot_index = winner;
  bool chain_error = false;
  Status loaded = LoadGeneration(file, state, growth_min_pages, &chain_error);
  // A damaged delta of the newest generation: the other slot's generation, which does
  // not reference that delta, is still whole (a damaged base or shared delta fails both).
  if (!loaded.ok() && chain_error && loaded.code() == Code::kCorruption && slots[1 - winner].ok() &&
      slots[1 - winner]->page_size == state.slot.page_size) {
    CommittedState older;
    older.actual_file_bytes = actual;
    older.slot = *slots[1 - winner];
    older.slot_index = 1 - winner;
    bool older_chain_error = false;
    if (LoadGeneration(file, older, growth_min_pages, &older_chain_error).ok()) {
      older.warnings.push_back(SlotName(winner) + " ignored: " + loaded.message());
      return older;
    }
  }
  MEMH_RETURN_IF_ERROR(loaded);
  for (int index = 0; index < 2; ++index) {
    if (!why[index].empty() && why[index] != "never written") {
      state.warnings.push_back(SlotName(index) + " ignored: " + why[index]);
    }
  }
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
