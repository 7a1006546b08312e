#include <gtest/gtest.h>

#include "ttrl/core/nearest_name.hpp"

namespace {

TEST(NearestName, EditDistanceCountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(ttrl::edit_distance("", ""), 0u);
  EXPECT_EQ(ttrl::edit_distance("train", "train"), 0u);
  EXPECT_EQ(ttrl::edit_distance("trian", "train"), 2u);  // a transposition is two substitutions
  EXPECT_EQ(ttrl::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(ttrl::edit_distance("", "abc"), 3u);
  EXPECT_EQ(ttrl::edit_distance("abc", ""), 3u);
}

TEST(NearestName, PicksTheClosestCandidateAndTheFirstOfEquals) {
  EXPECT_EQ(ttrl::nearest_name("trian", {"eval", "train", "tokenize"}), "train");
  EXPECT_EQ(ttrl::nearest_name("ab", {"aa", "bb"}), "aa");
  EXPECT_EQ(ttrl::nearest_name("x", {}), "");
}

}  // namespace
