// KeySpace: the blocks a scenario has made, as indices, and the block name of each
// ("row/" and ten digits: 14 bytes, short enough for std::string's inline buffer, so
// naming a block never allocates). Picking, inserting and removing never allocate
// either once Reserve() has run: the runner calls them inside the measured region.
// Thread-safety: every method may be called from any client thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "runner/scenario.h"

namespace memh::harness {

// A small, fast, seedable generator (splitmix64): no allocation, same sequence on
// every platform, which std::mt19937 plus std distributions do not promise.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next();
  double NextUnit();                                 // [0, 1)
  std::uint64_t Below(std::uint64_t bound);          // [0, bound), bound > 0
 private:
  std::uint64_t state_;
};

struct BlockName {
  char text[16];
  std::string_view view() const { return {text, 14}; }
};
BlockName NameOf(std::uint64_t index);

class KeySpace {
 public:
  void Reserve(std::uint64_t capacity);
  std::uint64_t size() const;
  // A new index for an insert (not yet live; call Add once the write succeeded).
  std::uint64_t NextNew();
  void Add(std::uint64_t index);
  // Takes the next `count` indices for blocks no step picks (filler steps: they are
  // named like any other block but never become live here).
  void SkipNew(std::uint64_t count);
  // An existing index by `keys`, or nullopt when none exists. `remove` also takes it
  // out of the space (so two threads never remove the same block).
  std::optional<std::uint64_t> Pick(const KeySpec& keys, Rng& rng, bool remove);
  // Prepares zipfian picking over the current size (a loop, no allocation).
  void PrepareZipf(double theta);

 private:
  std::uint64_t PickPosition(const KeySpec& keys, Rng& rng, std::uint64_t size);

  mutable std::mutex mutex_;
  std::vector<std::uint64_t> live_;
  std::uint64_t next_new_ = 0;
  std::uint64_t cursor_ = 0;
  // Zipfian constants (Gray et al., "Quickly generating billion-record databases").
  double zipf_theta_ = 0, zipf_zetan_ = 0, zipf_alpha_ = 0, zipf_eta_ = 0;
  std::uint64_t zipf_n_ = 0;
};

}  // namespace memh::harness
