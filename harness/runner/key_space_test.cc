// KeySpace and Rng against their contracts (key_space.h), and the key patterns against
// their distributions: 200,000 draws with a fixed seed, held to the distribution with a
// tolerance of 5 binomial standard deviations (or 5 standard deviations of the
// chi-square statistic), so each check is deterministic and still fails for a wrong
// distribution. Block names, determinism, range bounds, removal, two threads, and that
// naming and picking never allocate once Reserve() has run (the runner picks inside
// the measured region; the meter counts every allocation).
#include "runner/key_space.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "alloc/meter.h"

namespace memh::harness {
namespace {

constexpr int kDraws = 200'000;
constexpr double kSigmas = 5.0;

KeySpec Pattern(KeyPattern pattern, double theta = 0.99) {
  KeySpec spec;
  spec.pattern = pattern;
  spec.theta = theta;
  return spec;
}

// A key space holding 0..n-1, in that order (so position == index).
void Fill(KeySpace& space, std::uint64_t n) {
  space.Reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) space.Add(space.NextNew());
}

std::vector<std::uint64_t> Histogram(KeySpace& space, const KeySpec& spec, std::uint64_t seed, std::uint64_t n) {
  std::vector<std::uint64_t> counts(n, 0);
  Rng rng(seed);
  for (int i = 0; i < kDraws; ++i) {
    std::optional<std::uint64_t> key = space.Pick(spec, rng, /*remove=*/false);
    if (!key || *key >= n) {
      ADD_FAILURE() << "draw " << i << " out of range";
      return counts;
    }
    ++counts[*key];
  }
  return counts;
}

// Observed count of an outcome of probability p within kSigmas binomial deviations.
void ExpectBinomial(std::uint64_t observed, double p, const std::string& what) {
  const double expected = kDraws * p;
  const double sigma = std::sqrt(kDraws * p * (1 - p));
  EXPECT_LE(std::fabs(static_cast<double>(observed) - expected), kSigmas * sigma)
      << what << ": observed " << observed << ", expected " << expected << " +- " << kSigmas << " x " << sigma;
}

// Pearson's chi-square of observed counts against probabilities (each bin's expected
// count is kDraws * p), held below its mean + kSigmas standard deviations (df, sqrt(2 df)).
void ExpectChiSquare(const std::vector<std::uint64_t>& observed, const std::vector<double>& p, const std::string& what) {
  ASSERT_EQ(observed.size(), p.size());
  double chi2 = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const double e = kDraws * p[i];
    ASSERT_GT(e, 5.0) << what << ": bin " << i << " too small for the test";
    chi2 += (static_cast<double>(observed[i]) - e) * (static_cast<double>(observed[i]) - e) / e;
  }
  const double df = static_cast<double>(p.size() - 1);
  EXPECT_LE(chi2, df + kSigmas * std::sqrt(2 * df)) << what << ": chi-square " << chi2 << " with " << df << " df";
}

// ---- Rng ----

TEST(Rng, IsSplitmix64) {
  // The published splitmix64 outputs for seed 0: the same on every platform.
  Rng rng(0);
  EXPECT_EQ(rng.Next(), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(rng.Next(), 0x6E789E6AA1B965F4ull);
  EXPECT_EQ(rng.Next(), 0x06C45D188009454Full);
}

TEST(Rng, SameSeedSameSequenceOtherSeedOtherSequence) {
  Rng a(42), b(42), c(43);
  int same_as_c = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next()) << i;
    same_as_c += x == c.Next();
  }
  EXPECT_EQ(same_as_c, 0);
}

TEST(Rng, UnitAndBelowStayInRange) {
  Rng rng(7);
  double lowest = 1, highest = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.NextUnit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    lowest = std::min(lowest, u);
    highest = std::max(highest, u);
    ASSERT_LT(rng.Below(3), 3u);
    ASSERT_EQ(rng.Below(1), 0u);
  }
  EXPECT_LT(lowest, 0.001);  // it covers the interval
  EXPECT_GT(highest, 0.999);
}

// ---- Names ----

TEST(BlockName, RowSlashAndTenDigits) {
  EXPECT_EQ(NameOf(0).view(), "row/0000000000");
  EXPECT_EQ(NameOf(42).view(), "row/0000000042");
  EXPECT_EQ(NameOf(1234567890).view(), "row/1234567890");
  EXPECT_EQ(NameOf(9'999'999'999).view(), "row/9999999999");
  const BlockName name = NameOf(7);
  EXPECT_EQ(name.view().size(), 14u);
  EXPECT_EQ(name.text[14], '\0');  // also a C string
  EXPECT_EQ(std::strlen(name.text), 14u);
}

TEST(BlockName, DistinctIndicesDistinctNamesInOrder) {
  std::set<std::string> names;
  std::string previous;
  for (std::uint64_t i = 0; i < 5000; i += 7) {
    std::string name(NameOf(i).view());
    EXPECT_GT(name, previous);  // zero-padded: name order is index order
    previous = name;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), 715u);
}

// ---- KeySpace ----

TEST(KeySpace, NewIndicesCountUpAndBecomeLiveWhenAdded) {
  KeySpace space;
  space.Reserve(10);
  EXPECT_EQ(space.NextNew(), 0u);
  EXPECT_EQ(space.NextNew(), 1u);
  EXPECT_EQ(space.size(), 0u);  // not live until added
  space.Add(1);
  EXPECT_EQ(space.size(), 1u);
  EXPECT_EQ(space.NextNew(), 2u);
  Rng rng(1);
  EXPECT_EQ(space.Pick(Pattern(KeyPattern::kUniform), rng, false), std::optional<std::uint64_t>(1));
}

TEST(KeySpace, AnEmptySpaceHasNothingToPick) {
  KeySpace space;
  Rng rng(1);
  for (KeyPattern p : {KeyPattern::kSequential, KeyPattern::kUniform, KeyPattern::kZipfian}) {
    EXPECT_EQ(space.Pick(Pattern(p), rng, false), std::nullopt);
    EXPECT_EQ(space.Pick(Pattern(p), rng, true), std::nullopt);
  }
}

TEST(KeySpace, SequentialGoesRoundInOrder) {
  KeySpace space;
  Fill(space, 4);
  Rng rng(1);
  std::vector<std::uint64_t> got;
  for (int i = 0; i < 9; ++i) got.push_back(*space.Pick(Pattern(KeyPattern::kSequential), rng, false));
  EXPECT_EQ(got, (std::vector<std::uint64_t>{0, 1, 2, 3, 0, 1, 2, 3, 0}));
}

TEST(KeySpace, RemovingPicksEveryKeyExactlyOnce) {
  for (KeyPattern p : {KeyPattern::kSequential, KeyPattern::kUniform, KeyPattern::kZipfian}) {
    KeySpace space;
    Fill(space, 500);
    space.PrepareZipf(0.99);
    Rng rng(9);
    std::set<std::uint64_t> seen;
    for (std::uint64_t left = 500; left > 0; --left) {
      std::optional<std::uint64_t> key = space.Pick(Pattern(p), rng, /*remove=*/true);
      ASSERT_TRUE(key.has_value());
      EXPECT_LT(*key, 500u);
      EXPECT_TRUE(seen.insert(*key).second) << "picked twice: " << *key;
      EXPECT_EQ(space.size(), left - 1);
    }
    EXPECT_EQ(space.Pick(Pattern(p), rng, true), std::nullopt);
  }
}

TEST(KeySpace, PicksStayAmongTheLiveKeys) {
  // Keys 1000..1099 live (not 0..99), then half removed: every pick is a live key,
  // zipfian ones too after the space shrank below the size it was prepared for.
  KeySpace space;
  space.Reserve(100);
  std::set<std::uint64_t> live;
  for (std::uint64_t i = 1000; i < 1100; ++i) {
    space.Add(i);
    live.insert(i);
  }
  space.PrepareZipf(0.99);
  Rng rng(5);
  for (int i = 0; i < 50; ++i) live.erase(*space.Pick(Pattern(KeyPattern::kUniform), rng, true));
  ASSERT_EQ(space.size(), 50u);
  for (KeyPattern p : {KeyPattern::kSequential, KeyPattern::kUniform, KeyPattern::kZipfian}) {
    for (int i = 0; i < 2000; ++i) {
      std::uint64_t key = *space.Pick(Pattern(p), rng, false);
      ASSERT_EQ(live.count(key), 1u) << key;
    }
  }
}

TEST(KeySpace, SameSeedSamePicks) {
  for (KeyPattern p : {KeyPattern::kUniform, KeyPattern::kZipfian}) {
    KeySpace a, b;
    Fill(a, 300);
    Fill(b, 300);
    a.PrepareZipf(0.99);
    b.PrepareZipf(0.99);
    Rng ra(77), rb(77), rc(78);
    int differs_from_other_seed = 0;
    for (int i = 0; i < 2000; ++i) {
      const std::uint64_t x = *a.Pick(Pattern(p), ra, false);
      EXPECT_EQ(x, *b.Pick(Pattern(p), rb, false)) << i;
      differs_from_other_seed += x != *b.Pick(Pattern(p), rc, false);
    }
    EXPECT_GT(differs_from_other_seed, 500);
  }
}

TEST(KeySpace, NamingAndPickingNeverAllocateOnceReserved) {
  KeySpace space;
  space.Reserve(2000);
  Rng rng(3);
  std::uint64_t checksum = 0;
  const alloc::Counters before = alloc::ThisThread();
  for (int i = 0; i < 1000; ++i) space.Add(space.NextNew());
  space.PrepareZipf(0.99);
  for (int i = 0; i < 300; ++i) {
    for (KeyPattern p : {KeyPattern::kSequential, KeyPattern::kUniform, KeyPattern::kZipfian}) {
      std::uint64_t key = *space.Pick(Pattern(p), rng, /*remove=*/i % 3 == 0);
      std::string name(NameOf(key).view());  // fits std::string's inline buffer
      checksum += static_cast<unsigned char>(name[13]) + key;
      if (i % 3 == 0) space.Add(key);  // put it back: within the reserve
    }
  }
  const alloc::Counters d = alloc::ThisThread() - before;
  EXPECT_GT(checksum, 0u);
  EXPECT_EQ(d.calls, 0u);
  EXPECT_EQ(d.bytes, 0u);
  EXPECT_EQ(d.frees, 0u);
}

TEST(KeySpaceConcurrency, TwoThreadsNeverRemoveTheSameKey) {
  constexpr std::uint64_t kKeys = 20000;
  KeySpace space;
  Fill(space, kKeys);
  space.PrepareZipf(0.99);
  std::vector<std::uint64_t> got[2];
  auto client = [&](int who) {
    Rng rng(100 + who);
    got[who].reserve(kKeys);
    const KeySpec spec = Pattern(who == 0 ? KeyPattern::kUniform : KeyPattern::kZipfian);
    while (std::optional<std::uint64_t> key = space.Pick(spec, rng, /*remove=*/true)) got[who].push_back(*key);
  };
  std::thread t0(client, 0);
  std::thread t1(client, 1);
  t0.join();
  t1.join();
  std::vector<std::uint64_t> all = got[0];
  all.insert(all.end(), got[1].begin(), got[1].end());
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), kKeys);  // every key once: none lost, none twice
  for (std::uint64_t i = 0; i < kKeys; ++i) ASSERT_EQ(all[i], i);
  EXPECT_EQ(space.size(), 0u);
}

// ---- Distributions ----

TEST(KeySpaceDistribution, UniformFitsUniformByChiSquare) {
  constexpr std::uint64_t kKeys = 100;
  KeySpace space;
  Fill(space, kKeys);
  const std::vector<std::uint64_t> counts = Histogram(space, Pattern(KeyPattern::kUniform), 2024, kKeys);
  ExpectChiSquare(counts, std::vector<double>(kKeys, 1.0 / kKeys), "uniform over 100 keys");
  for (std::uint64_t k = 0; k < kKeys; ++k) ExpectBinomial(counts[k], 1.0 / kKeys, "key " + std::to_string(k));
}

TEST(KeySpaceDistribution, UniformOverManyKeysFitsByBuckets) {
  // 10,007 keys (not a power of two) in 100 buckets of consecutive keys.
  constexpr std::uint64_t kKeys = 10007;
  KeySpace space;
  Fill(space, kKeys);
  const std::vector<std::uint64_t> counts = Histogram(space, Pattern(KeyPattern::kUniform), 99, kKeys);
  std::vector<std::uint64_t> buckets(100, 0);
  std::vector<double> p(100, 0);
  for (std::uint64_t k = 0; k < kKeys; ++k) {
    buckets[k * 100 / kKeys] += counts[k];
    p[k * 100 / kKeys] += 1.0 / kKeys;
  }
  ExpectChiSquare(buckets, p, "uniform over 10,007 keys, 100 buckets");
}

TEST(KeySpaceDistribution, UniformDrawsAreIndependentOfTheOneBefore) {
  // Pairs of consecutive draws over 10 x 10 cells: uniform on the square when each
  // draw is independent of the last (a generator that cycles or alternates fails).
  constexpr std::uint64_t kKeys = 10;
  KeySpace space;
  Fill(space, kKeys);
  Rng rng(31337);
  std::vector<std::uint64_t> cells(kKeys * kKeys, 0);
  std::uint64_t last = *space.Pick(Pattern(KeyPattern::kUniform), rng, false);
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t key = *space.Pick(Pattern(KeyPattern::kUniform), rng, false);
    ++cells[last * kKeys + key];
    last = key;
  }
  ExpectChiSquare(cells, std::vector<double>(kKeys * kKeys, 1.0 / (kKeys * kKeys)), "consecutive pairs");
}

// Zipf's law over n keys: P(rank k) = k^-theta / H(n, theta), k = 1..n.
std::vector<double> ZipfPmf(std::uint64_t n, double theta) {
  long double h = 0;
  for (std::uint64_t k = 1; k <= n; ++k) h += 1.0L / std::pow(static_cast<long double>(k), theta);
  std::vector<double> p(n);
  for (std::uint64_t k = 1; k <= n; ++k) p[k - 1] = static_cast<double>(1.0L / std::pow(static_cast<long double>(k), theta) / h);
  return p;
}

// What Gray et al.'s method ("Quickly generating billion-record databases", the one
// key_space.h names) draws, exactly: the two hottest keys with their Zipf
// probabilities, then rank floor(n (eta u - eta + 1)^alpha) for the rest of u in [0, 1);
// that rank is >= k from u = ((k/n)^(1-theta) - 1 + eta) / eta on.
std::vector<double> GrayPmf(std::uint64_t n, double theta) {
  const std::vector<double> zipf = ZipfPmf(n, theta);
  long double zetan = 0;
  for (std::uint64_t k = 1; k <= n; ++k) zetan += 1.0L / std::pow(static_cast<long double>(k), theta);
  const long double zeta2 = 1.0L + std::pow(0.5L, theta);
  const long double eta = (1.0L - std::pow(2.0L / n, 1.0L - theta)) / (1.0L - zeta2 / zetan);
  const long double u2 = zeta2 / zetan;  // where ranks 0 and 1 end
  auto from = [&](std::uint64_t k) {
    long double u = (std::pow(static_cast<long double>(k) / n, 1.0L - theta) - 1.0L + eta) / eta;
    return std::clamp(u, u2, 1.0L);
  };
  std::vector<double> p(n);
  p[0] = zipf[0];
  p[1] = zipf[1];
  for (std::uint64_t k = 2; k < n; ++k) p[k] = static_cast<double>(from(k + 1) - from(k));
  return p;
}

std::vector<std::uint64_t> ZipfianCounts(std::uint64_t n, double theta, std::uint64_t seed) {
  KeySpace space;
  Fill(space, n);
  space.PrepareZipf(theta);
  return Histogram(space, Pattern(KeyPattern::kZipfian, theta), seed, n);
}

TEST(KeySpaceDistribution, ZipfianHottestKeysHaveTheirZipfProbabilities) {
  constexpr std::uint64_t kKeys = 1000;
  for (double theta : {0.5, 0.99, 1.5}) {
    const std::vector<double> zipf = ZipfPmf(kKeys, theta);
    const std::vector<std::uint64_t> counts = ZipfianCounts(kKeys, theta, 12345);
    const std::string at = "theta " + std::to_string(theta) + " ";
    ExpectBinomial(counts[0], zipf[0], at + "rank 1");
    ExpectBinomial(counts[1], zipf[1], at + "rank 2");
    ExpectBinomial(counts[0] + counts[1], zipf[0] + zipf[1], at + "ranks 1-2");
    EXPECT_GT(counts[0], counts[1]);
    EXPECT_GT(counts[1], counts[2]);
  }
}

TEST(KeySpaceDistribution, ZipfianFollowsGrayEtAlsDistribution) {
  // Every rank of the top 20 within 5 sigma of Gray et al.'s probability for it, and a
  // chi-square over the top 20 plus the rest in 20 bins of 49 ranks.
  constexpr std::uint64_t kKeys = 1000;
  for (double theta : {0.5, 0.99, 2.0}) {
    const std::vector<double> gray = GrayPmf(kKeys, theta);
    double total = 0;
    for (double q : gray) total += q;
    ASSERT_NEAR(total, 1.0, 1e-9);
    const std::vector<std::uint64_t> counts = ZipfianCounts(kKeys, theta, 777);
    const std::string at = "theta " + std::to_string(theta) + " ";
    for (std::uint64_t k = 0; k < 20; ++k) ExpectBinomial(counts[k], gray[k], at + "rank " + std::to_string(k + 1));

    std::vector<std::uint64_t> observed;
    std::vector<double> p;
    for (std::uint64_t k = 0; k < 20; ++k) {
      observed.push_back(counts[k]);
      p.push_back(gray[k]);
    }
    for (std::uint64_t lo = 20; lo < kKeys; lo += 49) {
      std::uint64_t o = 0;
      double q = 0;
      for (std::uint64_t k = lo; k < std::min(lo + 49, kKeys); ++k) {
        o += counts[k];
        q += gray[k];
      }
      observed.push_back(o);
      p.push_back(q);
    }
    // Bins too small for a chi-square (theta 2 leaves little in the tail) are merged.
    while (p.size() > 2 && kDraws * p.back() < 50) {
      p[p.size() - 2] += p.back();
      observed[observed.size() - 2] += observed.back();
      p.pop_back();
      observed.pop_back();
    }
    ExpectChiSquare(observed, p, at + "Gray et al.");
  }
}

}  // namespace
}  // namespace memh::harness
