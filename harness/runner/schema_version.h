// The version of the results document (docs/results_schema.md): what `run` writes and
// the only one `gate`, `compare` and the report read. Bump it with every change to the
// document's names or meanings.
#pragma once

namespace memh::harness {

inline constexpr int kResultsSchemaVersion = 3;
// The oldest version gate, compare and the report still read: version 2 is version 3
// without call sites (docs/results_schema.md, "Reading").
inline constexpr int kOldestReadableSchemaVersion = 2;

}  // namespace memh::harness
