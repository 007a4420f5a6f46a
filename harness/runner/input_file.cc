#include "runner/input_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace memh::harness {

using engine::Result;
using engine::Status;

Result<std::string> ReadInputFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(path, std::string("cannot read: ") + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

Result<toml::table> ParseTomlText(std::string_view text, const std::string& path) {
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.source().begin.line) + ":" +
                                       std::to_string(e.source().begin.column),
                                   "TOML syntax: " + OneLine(std::string(e.description())));
  }
}

}  // namespace memh::harness
