#include "runner/key_space.h"

#include <cmath>

namespace memh::harness {

std::uint64_t Rng::Next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}
double Rng::NextUnit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
std::uint64_t Rng::Below(std::uint64_t bound) { return Next() % bound; }

BlockName NameOf(std::uint64_t index) {
  BlockName name;
  const char prefix[] = "row/";
  for (int i = 0; i < 4; ++i) name.text[i] = prefix[i];
  for (int i = 13; i >= 4; --i) {
    name.text[i] = static_cast<char>('0' + index % 10);
    index /= 10;
  }
  name.text[14] = 0;
  return name;
}

void KeySpace::Reserve(std::uint64_t capacity) {
  std::lock_guard lock(mutex_);
  live_.reserve(capacity);
}

std::uint64_t KeySpace::size() const {
  std::lock_guard lock(mutex_);
  return live_.size();
}

std::uint64_t KeySpace::NextNew() {
  std::lock_guard lock(mutex_);
  return next_new_++;
}

void KeySpace::Add(std::uint64_t index) {
  std::lock_guard lock(mutex_);
  live_.push_back(index);  // within the reserved capacity
}

void KeySpace::SkipNew(std::uint64_t count) {
  std::lock_guard lock(mutex_);
  next_new_ += count;
}

void KeySpace::PrepareZipf(double theta) {
  std::lock_guard lock(mutex_);
  const std::uint64_t n = live_.size();
  zipf_theta_ = theta;
  zipf_n_ = n;
  if (n == 0) return;
  double zetan = 0;
  for (std::uint64_t i = 1; i <= n; ++i) zetan += 1.0 / std::pow(static_cast<double>(i), theta);
  double zeta2 = 1.0 + 1.0 / std::pow(2.0, theta);
  zipf_zetan_ = zetan;
  zipf_alpha_ = 1.0 / (1.0 - theta);
  zipf_eta_ = (1.0 - std::pow(2.0 / static_cast<double>(n), 1.0 - theta)) / (1.0 - zeta2 / zetan);
}

std::uint64_t KeySpace::PickPosition(const KeySpec& keys, Rng& rng, std::uint64_t size) {
  switch (keys.pattern) {
    case KeyPattern::kSequential:
      return cursor_++ % size;
    case KeyPattern::kUniform:
      return rng.Below(size);
    case KeyPattern::kZipfian: {
      if (zipf_n_ == 0) return rng.Below(size);
      double u = rng.NextUnit();
      double uz = u * zipf_zetan_;
      std::uint64_t rank;
      if (uz < 1.0) {
        rank = 0;
      } else if (uz < 1.0 + std::pow(0.5, zipf_theta_)) {
        rank = 1;
      } else {
        rank = static_cast<std::uint64_t>(static_cast<double>(zipf_n_) *
                                          std::pow(zipf_eta_ * u - zipf_eta_ + 1.0, zipf_alpha_));
      }
      return rank % size;  // the space may have shrunk since PrepareZipf
    }
  }
  return 0;
}

std::optional<std::uint64_t> KeySpace::Pick(const KeySpec& keys, Rng& rng, bool remove) {
  std::lock_guard lock(mutex_);
  if (live_.empty()) return std::nullopt;
  const std::uint64_t position = PickPosition(keys, rng, live_.size());
  const std::uint64_t index = live_[position];
  if (remove) {
    live_[position] = live_.back();
    live_.pop_back();
  }
  return index;
}

}  // namespace memh::harness
