// TomlReader: typed, checked access to one TOML table of a scenario file, for the
// loader. Every getter records the key as known, so Unknown() can name the first key
// nobody asked for. Errors are one line: "<file>:<line>: <key path>: <what is wrong>".
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "memh/engine/result.h"

namespace memh::harness {

class TomlReader {
 public:
  // `prefix` is the key path of the table ("" at the top, "measured[1]." for a step).
  TomlReader(const toml::table& table, std::string prefix, const std::string& path);

  const toml::node* Get(std::string_view key);
  bool Has(std::string_view key) const { return table_.contains(key); }
  int LineOf(std::string_view key) const;  // the key's line, or the table's
  std::string KeyPath(std::string_view key) const { return prefix_ + std::string(key); }

  engine::Status Error(std::string_view key, std::string_view what) const;
  engine::Status ErrorAt(int line, std::string_view key, std::string_view what) const;

  // An integer in [min, max]; `fallback` when absent (nullopt: required).
  engine::Result<std::uint64_t> Integer(std::string_view key, std::optional<std::uint64_t> fallback,
                                        std::uint64_t min, std::uint64_t max);
  engine::Result<std::string> String(std::string_view key, std::optional<std::string> fallback);
  engine::Result<double> Number(std::string_view key, std::optional<double> fallback);
  engine::Result<bool> Boolean(std::string_view key, std::optional<bool> fallback);
  // Ok when every key of the table was asked for; else the first that was not.
  engine::Status CheckNoUnknownKeys(std::string_view what_is_allowed) const;
  // Ok when `key` is absent; else "does not apply to <context>".
  engine::Status Forbid(std::string_view key, std::string_view context) const;

  const std::string& path() const { return path_; }

 private:
  const toml::table& table_;
  std::string prefix_;
  const std::string& path_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace memh::harness
