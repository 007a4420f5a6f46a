// `memharness budgets propose`: budgets from measured figures, written into an existing
// budgets file without losing what people wrote in it. toml++ drops comments when it
// writes, so the file is edited line by line: only the value of a `bytes`, `calls` or
// `peak_live_bytes` line of a [scenario.variant] table the results cover, and the
// "measured: ..." part of that table's header comment, change; every other line
// (comments, lower bounds, entries the results do not cover) is kept byte for byte.
// The edited text is parsed again and checked before it is returned.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "memh/engine/result.h"
#include "runner/budgets.h"

namespace memh::harness {

struct ProposalOptions {
  // One headroom in percent for every metric; nullopt: ci/budgets.toml's rule, +5 %
  // for bytes and calls (exact, repeatable figures) and +10 % for the peak (which
  // moves a few percent with the writer thread's timing).
  std::optional<double> headroom_percent;
};

// The budget for a measured figure (the highest over the repeats): figure x (1 +
// headroom), rounded up to a step that keeps the numbers readable: bytes to 1,000,
// calls to 10, the peak to 10 (to 1,000 from 1,000,000 up), but to a smaller step (10,
// then 1) where that step would put the budget more than the gate's default loose
// margin above the figure (12 calls: 13, not 20), and to 1 where the headroom alone
// is past that margin (1 call: 2). Never 0 (a budget is >= 1).
// With `lowest` (the lowest figure over the repeats) below `measured`, the budget is at
// least measured + 2 x (measured - lowest), rounded up to 10: the rule ci/budgets.toml
// gives mixed-concurrent, whose figures move run to run (budgets derived so can be
// loose by the gate's measure; a figure that repeats exactly is not affected).
std::uint64_t ProposedBudget(std::uint64_t measured, std::string_view metric, const ProposalOptions& options,
                             std::uint64_t lowest = UINT64_MAX);

// The budgets file `budgets_text` (read from `budgets_path`; empty text and path: no
// file, every entry new) with the budgets of every scenario and variant in `results`
// replaced by proposed ones and each such entry's header comment recording the
// measured figures and the commit they came from (run.git_commit). Errors are one
// line naming the file: a nondeterministic scenario, a figure that is not an integer,
// a lower bound above its proposed budget, an entry not written as a table.
engine::Result<std::string> ProposeBudgets(std::string_view budgets_text, const std::string& budgets_path,
                                           const std::vector<ResultsFile>& results, const ProposalOptions& options);

}  // namespace memh::harness
