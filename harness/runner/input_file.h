// Reading the harness's input files (scenarios, budgets, results): the whole text,
// and errors that stay one line whatever the parser said.
#pragma once

#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "memh/engine/result.h"

namespace memh::harness {

// The file's bytes; "<path>: cannot read: <reason>" when it cannot be read.
engine::Result<std::string> ReadInputFile(const std::string& path);

// `text` with every line break turned into a space.
std::string OneLine(std::string text);

// The TOML document, or "<path>:<line>:<column>: TOML syntax: <what>".
engine::Result<toml::table> ParseTomlText(std::string_view text, const std::string& path);

}  // namespace memh::harness
