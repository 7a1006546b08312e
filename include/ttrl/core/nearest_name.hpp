#pragma once
// "Did you mean" hints: the known name closest to what the user typed, by Levenshtein edit distance.
#include <cstddef>
#include <string>
#include <vector>

namespace ttrl {

/// Levenshtein distance: the fewest single-character insertions, deletions and substitutions turning a into b.
size_t edit_distance(const std::string& a, const std::string& b);

/// The candidate closest to `word` (the first of equals); empty when there are no candidates.
std::string nearest_name(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace ttrl
