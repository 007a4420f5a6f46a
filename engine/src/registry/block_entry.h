// BlockEntry: what the registry knows about one block (docs/file_format.md, "Registry
// extent"), and the rule for valid block names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "memh/engine/stats.h"
#include "memh/engine/status.h"

namespace memh::engine {

inline constexpr std::uint32_t kBlockTypeData = 1;
inline constexpr std::size_t kMaxNameBytesInEntry = 31;

struct BlockEntry {
  std::string name;
  std::uint64_t offset = 0;  // byte offset of the extent; 0 when length is 0
  std::uint64_t length = 0;  // logical bytes
  Digest sha256{};
  std::uint64_t modified_ms = 0;
  std::uint32_t type = kBlockTypeData;
  std::uint32_t flags = 0;
};

// Ok when `name` is 1..31 bytes with no NUL byte; else kInvalidArgument or kNameTooLong
// with a message that says which rule it broke.
Status ValidateBlockName(std::string_view name);

}  // namespace memh::engine
