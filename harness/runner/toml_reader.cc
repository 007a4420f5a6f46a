#include "runner/toml_reader.h"

namespace memh::harness {
namespace {

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    default: return "a date or time";
  }
}

}  // namespace

TomlReader::TomlReader(const toml::table& table, std::string prefix, const std::string& path)
    : table_(table), prefix_(std::move(prefix)), path_(path) {}

const toml::node* TomlReader::Get(std::string_view key) {
  known_.emplace(key);
  return table_.get(key);
}

int TomlReader::LineOf(std::string_view key) const {
  if (const toml::node* node = table_.get(key)) return static_cast<int>(node->source().begin.line);
  return std::max(1, static_cast<int>(table_.source().begin.line));
}

engine::Status TomlReader::ErrorAt(int line, std::string_view key, std::string_view what) const {
  return engine::Status::InvalidArgument(path_ + ":" + std::to_string(line), KeyPath(key) + ": " + std::string(what));
}

engine::Status TomlReader::Error(std::string_view key, std::string_view what) const {
  return ErrorAt(LineOf(key), key, what);
}

engine::Result<std::uint64_t> TomlReader::Integer(std::string_view key, std::optional<std::uint64_t> fallback,
                                                  std::uint64_t min, std::uint64_t max) {
  const toml::node* node = Get(key);
  if (node == nullptr) {
    if (fallback) return *fallback;
    return Error(key, "missing (required)");
  }
  const toml::value<std::int64_t>* value = node->as_integer();
  if (value == nullptr) {
    return Error(key, "expected an integer, got " + std::string(TypeName(*node)));
  }
  std::int64_t v = value->get();
  if (v < 0 || static_cast<std::uint64_t>(v) < min || static_cast<std::uint64_t>(v) > max) {
    return Error(key, std::to_string(v) + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return static_cast<std::uint64_t>(v);
}

engine::Result<std::string> TomlReader::String(std::string_view key, std::optional<std::string> fallback) {
  const toml::node* node = Get(key);
  if (node == nullptr) {
    if (fallback) return *fallback;
    return Error(key, "missing (required)");
  }
  const toml::value<std::string>* value = node->as_string();
  if (value == nullptr) return Error(key, "expected a string, got " + std::string(TypeName(*node)));
  return value->get();
}

engine::Result<double> TomlReader::Number(std::string_view key, std::optional<double> fallback) {
  const toml::node* node = Get(key);
  if (node == nullptr) {
    if (fallback) return *fallback;
    return Error(key, "missing (required)");
  }
  if (const auto* f = node->as_floating_point()) return f->get();
  if (const auto* i = node->as_integer()) return static_cast<double>(i->get());
  return Error(key, "expected a number, got " + std::string(TypeName(*node)));
}

engine::Result<bool> TomlReader::Boolean(std::string_view key, std::optional<bool> fallback) {
  const toml::node* node = Get(key);
  if (node == nullptr) {
    if (fallback) return *fallback;
    return Error(key, "missing (required)");
  }
  const toml::value<bool>* value = node->as_boolean();
  if (value == nullptr) return Error(key, "expected true or false, got " + std::string(TypeName(*node)));
  return value->get();
}

engine::Status TomlReader::CheckNoUnknownKeys(std::string_view what_is_allowed) const {
  for (const auto& [key, node] : table_) {
    if (!known_.contains(key.str())) {
      return ErrorAt(static_cast<int>(node.source().begin.line), key.str(),
                     "unknown key (allowed: " + std::string(what_is_allowed) + ")");
    }
  }
  return engine::Status::Ok();
}

engine::Status TomlReader::Forbid(std::string_view key, std::string_view context) const {
  if (!Has(key)) return engine::Status::Ok();
  return Error(key, "does not apply to " + std::string(context));
}

}  // namespace memh::harness
