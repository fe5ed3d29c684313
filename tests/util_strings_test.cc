// Join and ShowNumber (util/strings.h), against hand-written expected strings.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "util/strings.h"

namespace flbench {
namespace {

TEST(Join, DefaultSeparator) {
  EXPECT_EQ(Join({}), "");
  EXPECT_EQ(Join({"a"}), "a");
  EXPECT_EQ(Join({"relu", "tanh", "cos"}), "relu, tanh, cos");
}

TEST(Join, OtherSeparatorsAndEmptyItems) {
  EXPECT_EQ(Join({"a", "b", "c"}, ";"), "a;b;c");
  EXPECT_EQ(Join({"a", "b"}, ""), "ab");
  EXPECT_EQ(Join({"", ""}, ", "), ", ");  // empty items are kept, so the count stays visible
  EXPECT_EQ(Join({"", "x", ""}, "|"), "|x|");
  EXPECT_EQ(Join({"x y", "z"}, " -- "), "x y -- z");
}

TEST(ShowNumber, NumbersAsAUserWritesThem) {
  EXPECT_EQ(ShowNumber(0.01), "0.01");
  EXPECT_EQ(ShowNumber(1e-8), "1e-08");
  EXPECT_EQ(ShowNumber(0.99), "0.99");
  EXPECT_EQ(ShowNumber(0.5), "0.5");
  EXPECT_EQ(ShowNumber(0), "0");
  EXPECT_EQ(ShowNumber(-0.0), "-0");
  EXPECT_EQ(ShowNumber(1), "1");
  EXPECT_EQ(ShowNumber(-3), "-3");
  EXPECT_EQ(ShowNumber(100), "100");
  EXPECT_EQ(ShowNumber(123456), "123456");
  EXPECT_EQ(ShowNumber(0.001), "0.001");
  EXPECT_EQ(ShowNumber(0.0001), "0.0001");
  EXPECT_EQ(ShowNumber(0.00001), "1e-05");  // below 1e-4 the exponent form, as printf's %g
}

TEST(ShowNumber, SixSignificantDigitsAndNonFinite) {
  // Messages show six significant digits (%g); the values themselves are never rebuilt from these strings.
  EXPECT_EQ(ShowNumber(1234567), "1.23457e+06");
  EXPECT_EQ(ShowNumber(0.1 + 0.2), "0.3");
  EXPECT_EQ(ShowNumber(2.0 / 3.0), "0.666667");
  EXPECT_EQ(ShowNumber(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(ShowNumber(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(ShowNumber(std::nan("")), "nan");
}

}  // namespace
}  // namespace flbench
