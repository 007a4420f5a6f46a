// The harness's own inputs, as arbitrary text: scenario files, budgets files and
// results documents (and the gate over them). Each must come back as a value or a
// one-line error naming the file, never crash; an error's message is one line.
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "runner/budgets.h"
#include "runner/scenario.h"

namespace {

constexpr std::string_view kBudgets = R"([update-500.optimized]
bytes = 155_000
calls = 1_740
peak_live_bytes = 69_000
[fuzz.baseline]
bytes = 1
)";

template <typename T>
void CheckOneLine(const memh::engine::Result<T>& result, const char* what) {
  if (result.ok()) return;
  const std::string message = result.status().message();  // status() may be a temporary
  MEMH_FUZZ_CHECK(message.find('\n') == std::string::npos, std::string(what) + ": " + message);
  MEMH_FUZZ_CHECK(message.find("fuzz-input") != std::string::npos, std::string(what) + " names no file: " + message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte picks the kind of input; the rest is its text.
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      // A scenario's name must be its file's: the seeds are named "fuzz-input", so
      // that the parser reads past the name into everything else.
      CheckOneLine(memh::harness::ParseScenario(text, "fuzz-input.toml"), "scenario");
      break;
    case 1:
      CheckOneLine(memh::harness::ParseBudgets(text, "fuzz-input-budgets.toml"), "budgets");
      break;
    case 2: {
      auto results = memh::harness::ParseResults(text, "fuzz-input.json");
      CheckOneLine(results, "results");
      if (!results.ok()) break;
      auto budgets = memh::harness::ParseBudgets(kBudgets, "fuzz-input-budgets.toml");
      MEMH_FUZZ_CHECK(budgets.ok(), budgets.status().message());
      auto rows = memh::harness::Evaluate(*budgets, {*results});
      CheckOneLine(rows, "gate");
      break;
    }
  }
  return 0;
}
