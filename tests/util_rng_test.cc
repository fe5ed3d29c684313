// Rng (xoshiro256** seeded by SplitMix64) and DeriveSeed pinned to known values. Every cell's seed, data set, init
// and batch order come from these streams, so a changed stream silently changes every stored result: this test
// must fail first. The values come from tests/data/rng_reference.py, an independent Python implementation of the
// published algorithms (it checks itself against published vectors); rerun it to see where they come from.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "util/rng.h"

namespace flbench {
namespace {

TEST(SplitMix64, KnownValuesFromStateZero) {
  uint64_t s = 0;
  EXPECT_EQ(SplitMix64(s), 0xe220a8397b1dcdafULL);  // Vigna's splitmix64.c, state 0
  EXPECT_EQ(SplitMix64(s), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(SplitMix64(s), 0x06c45d188009454fULL);
  EXPECT_EQ(s, 3 * 0x9e3779b97f4a7c15ULL);  // the state advances by the golden gamma per call
}

TEST(Rng, NextStreamsMatchReference) {
  struct Case {
    uint64_t seed;
    std::vector<uint64_t> want;
  };
  const std::vector<Case> cases = {
      {0, {0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL, 0x1a5f849d4933e6e0ULL, 0x6aa594f1262d2d2cULL,
           0xbba5ad4a1f842e59ULL}},
      {1, {0xb3f2af6d0fc710c5ULL, 0x853b559647364ceaULL, 0x92f89756082a4514ULL, 0x642e1c7bc266a3a7ULL,
           0xb27a48e29a233673ULL}},
      {42, {0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL, 0xae17533239e499a1ULL, 0xecb8ad4703b360a1ULL,
            0xfde6dc7fe2ec5e64ULL}},
  };
  for (const auto& c : cases) {
    Rng rng(c.seed);
    for (size_t i = 0; i < c.want.size(); ++i) EXPECT_EQ(rng.Next(), c.want[i]) << "seed " << c.seed << " i " << i;
  }
}

TEST(Rng, DefaultSeedIsOneAndReseedRestartsTheStream) {
  Rng a, b(1);
  EXPECT_EQ(a.Next(), 0xb3f2af6d0fc710c5ULL);
  EXPECT_EQ(b.Next(), 0xb3f2af6d0fc710c5ULL);
  a.Normal();  // leaves a spare normal behind: Seed must drop it
  a.Seed(42);
  EXPECT_EQ(a.Next(), 0x15780b2e0c2ec716ULL);
  Rng c(7), d(7);
  c.Normal();
  c.Seed(7);
  EXPECT_EQ(c.Normal(), d.Normal());
}

TEST(DeriveSeed, KnownValues) {
  struct Case {
    uint64_t parent;
    std::string key;
    uint64_t want;
  };
  // The keys include the forms the code uses: "data/<lang>" (train kind), "init" and "batch-order" (trainer),
  // "<kind>/seed/<s>" (theory grids), "sample:<lang>" (flbench sample), "dataset:<lang>" (dataset builder).
  const std::vector<Case> cases = {
      {0, "", 0x100cdaacc0bc9316ULL},
      {1, "", 0xc9127e24e395ef11ULL},
      {1, "a", 0x6f88669382d36756ULL},
      {1, "lang=tomita1 width=8 seed=0", 0x8e90bc21238b369bULL},
      {12345, "train", 0xd6051c2f7919e9daULL},
      {0xffffffffffffffffULL, "shard 3/4", 0x78cf481365bcbcf0ULL},
      {1, "data/tomita1", 0x33214b54e54a1f0cULL},
      {7, "init", 0x7cefc7d62e2715c6ULL},
      {7, "batch-order", 0xba4f065d32db94deULL},
      {1, "inversion/seed/0", 0xae9c2cd00d0ba6a5ULL},
      {3, "sample:parity", 0x20f5941cfb8c8a8bULL},
      {2, "dataset:d2", 0x5a13f3e1a7ac23fbULL},
  };
  for (const auto& c : cases) EXPECT_EQ(DeriveSeed(c.parent, c.key), c.want) << c.parent << " '" << c.key << "'";
}

TEST(DeriveSeed, DistinctForNearbyParentsAndKeys) {
  // Not a proof of independence; it catches a derivation that ignores the key or the parent, or one byte of it.
  std::vector<uint64_t> seeds;
  for (uint64_t parent = 0; parent < 16; ++parent)
    for (const std::string key : {"", "a", "b", "ab", "ba", "seed/0", "seed/1", "seed/10"})
      seeds.push_back(DeriveSeed(parent, key));
  std::sort(seeds.begin(), seeds.end());
  EXPECT_EQ(std::adjacent_find(seeds.begin(), seeds.end()), seeds.end());
}

TEST(Rng, BelowMatchesReferenceIncludingRejections) {
  Rng rng(7);
  const std::vector<uint64_t> ns = {1, 2, 3, 10, 1000, (1ULL << 63) + 1, ~0ULL};
  const std::vector<uint64_t> want = {0, 0, 2, 9, 990, 1400256439129669809ULL, 9986469540036305302ULL};
  for (size_t i = 0; i < ns.size(); ++i) EXPECT_EQ(rng.Below(ns[i]), want[i]) << "n = " << ns[i];

  // n = 2^63 + 1 rejects about half of all draws (threshold 2^64 mod n = 2^63 − 1): the reference takes 19 words
  // for these 8 values, so after them the stream is where a fresh one is after 19 Next() calls.
  Rng r(7), fresh(7);
  const std::vector<uint64_t> want8 = {6461677535414237997ULL, 7744196453246319819ULL, 9049029322324588832ULL,
                                       9139072988219048332ULL, 1400256439129669809ULL, 6750200521807187948ULL,
                                       2367621049898315487ULL, 1443456880271936157ULL};
  for (uint64_t w : want8) EXPECT_EQ(r.Below((1ULL << 63) + 1), w);
  for (int i = 0; i < 19; ++i) fresh.Next();
  EXPECT_EQ(r.Next(), fresh.Next());
}

TEST(Rng, BelowStaysInRangeAndHitsEveryValue) {
  Rng rng(99);
  for (uint64_t n : {1ULL, 2ULL, 3ULL, 5ULL, 7ULL, 64ULL}) {
    std::vector<int> hits(n, 0);
    for (int i = 0; i < 2000; ++i) {
      const uint64_t x = rng.Below(n);
      ASSERT_LT(x, n);
      ++hits[x];
    }
    for (uint64_t v = 0; v < n; ++v) EXPECT_GT(hits[v], 0) << "n " << n << " never gave " << v;
  }
}

TEST(Rng, UniformIsExactlyTheTop53BitsOfNext) {
  Rng rng(7);
  EXPECT_EQ(rng.Uniform(), 0x1.66b1f5ee9df2ep-1);
  EXPECT_EQ(rng.Uniform(), 0x1.1d70f6593d20ap-2);
  EXPECT_EQ(rng.Uniform(), 0x1.ade3a6932a58fp-1);
  Rng a(5), b(5);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t word = b.Next();
    EXPECT_EQ(a.Uniform(), static_cast<double>(word >> 11) / 9007199254740992.0);  // 2^53
  }
}

TEST(Rng, UniformRangeAndMomentsForAFixedSeed) {
  // 100000 draws from seed 2024. The reference gives mean 0.49881474078250854, min 2.8229e-07,
  // max 0.9999825215590336: pinned exactly (the sum runs in the same order), plus bounds a correct uniform
  // generator meets (the standard error of the mean is 0.0009; 0.005 is 5 standard errors).
  Rng rng(2024);
  double sum = 0, lo = 1, hi = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = rng.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  EXPECT_EQ(sum / 100000, 0.49881474078250854);
  EXPECT_EQ(lo, 2.822902935850635e-07);
  EXPECT_EQ(hi, 0.9999825215590336);
  EXPECT_NEAR(sum / 100000, 0.5, 0.005);

  Rng r(3);
  for (int i = 0; i < 1000; ++i) {
    const double x = r.Uniform(-2.5, 0.5);
    ASSERT_GE(x, -2.5);
    ASSERT_LT(x, 0.5);
  }
}

TEST(Rng, NormalMatchesReference) {
  // Polar method values from the reference (libm's log and sqrt: equal up to an ulp or so on any platform).
  Rng rng(7);
  EXPECT_DOUBLE_EQ(rng.Normal(), 0.9643618527255184);
  EXPECT_DOUBLE_EQ(rng.Normal(), -1.0637531974798475);  // the spare of the first pair
  EXPECT_DOUBLE_EQ(rng.Normal(), -0.3039301238656567);
  EXPECT_DOUBLE_EQ(rng.Normal(), -1.0989693210013467);
}

TEST(Rng, NormalMomentsForAFixedSeed) {
  // 100000 normals from seed 2024: mean −0.004952490527992549, variance 1.0041494613760615 in the reference.
  // Bounds: |mean| < 0.01 (3.2 standard errors) and |variance − 1| < 0.015 (3.4 standard errors of a sample
  // variance, √(2/n) = 0.0045); fourth moment near 3 (Gaussian tails, not uniform-ish ones).
  Rng rng(2024);
  std::vector<double> xs(100000);
  for (double& x : xs) x = rng.Normal();
  const double mean = std::accumulate(xs.begin(), xs.end(), 0.0) / xs.size();
  double var = 0, m4 = 0;
  for (double x : xs) {
    var += (x - mean) * (x - mean);
    m4 += std::pow(x - mean, 4);
  }
  var /= xs.size();
  m4 /= xs.size();
  EXPECT_NEAR(mean, -0.004952490527992549, 1e-12);
  EXPECT_NEAR(var, 1.0041494613760615, 1e-12);
  EXPECT_LT(std::abs(mean), 0.01);
  EXPECT_LT(std::abs(var - 1.0), 0.015);
  EXPECT_NEAR(m4 / (var * var), 3.0, 0.1);
}

TEST(Rng, ShuffleMatchesReferenceAndIsAPermutation) {
  Rng rng(7);
  std::vector<int> v(10);
  std::iota(v.begin(), v.end(), 0);
  rng.Shuffle(v);
  EXPECT_EQ(v, (std::vector<int>{1, 8, 3, 0, 4, 5, 9, 6, 2, 7}));

  std::vector<int> empty, one = {5};
  rng.Shuffle(empty);
  rng.Shuffle(one);
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(one, std::vector<int>{5});

  // Every permutation of 3 elements appears (Fisher–Yates with Below(i) reaches all 3! orders), and 600
  // shuffles from one seed give each between 60 and 140 times (exact for this seed; expected 100 each).
  std::vector<int> counts(6, 0);
  Rng r(11);
  for (int i = 0; i < 600; ++i) {
    std::vector<int> p = {0, 1, 2};
    r.Shuffle(p);
    std::vector<int> sorted = p;
    std::sort(sorted.begin(), sorted.end());
    ASSERT_EQ(sorted, (std::vector<int>{0, 1, 2}));
    std::vector<int> perm = {0, 1, 2};
    int index = 0;
    while (perm != p) {
      std::next_permutation(perm.begin(), perm.end());
      ++index;
    }
    ++counts[index];
  }
  for (int c : counts) {
    EXPECT_GT(c, 60);
    EXPECT_LT(c, 140);
  }
}

TEST(Rng, SameSeedSameStreamDifferentSeedDifferentStream) {
  Rng a(123), b(123), c(124);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace flbench
