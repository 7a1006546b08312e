#include "ttrl/data/toy_task.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <unordered_set>

#include "ttrl/core/error.hpp"

namespace ttrl::data {
namespace {

/// SplitMix64 (Steele, Lea, Flood 2014): a fixed integer recurrence, so the same seed gives the same problems
/// with every compiler and standard library (std::uniform_int_distribution does not promise that).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [low, high]; the modulo bias (< 2^-50 for these ranges) is irrelevant here.
  int64_t uniform(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(next() % static_cast<uint64_t>(high - low + 1));
  }

 private:
  uint64_t state_;
};

void validate(const ToyTaskOptions& o) {
  if (o.min_terms < 2 || o.max_terms < o.min_terms)
    throw ConfigError(fmt::format("toy task: need 2 <= min_terms <= max_terms (got {} and {})", o.min_terms, o.max_terms));
  if (o.max_term < 1) throw ConfigError(fmt::format("toy task: max_term must be >= 1 (got {})", o.max_term));
  if (!(o.slip_rate >= 0.0 && o.slip_rate <= 1.0))
    throw ConfigError(fmt::format("toy task: slip_rate must be in [0, 1] (got {})", o.slip_rate));
}

/// Distinct questions the options allow: sum over n of max_term^n, saturated at `cap`.
int64_t distinct_questions(const ToyTaskOptions& o, int64_t cap) {
  int64_t total = 0;
  for (int64_t n = o.min_terms; n <= o.max_terms && total < cap; ++n) {
    int64_t count = 1;
    for (int64_t i = 0; i < n && count < cap; ++i) count *= o.max_term;
    total += std::min(count, cap);
  }
  return std::min(total, cap);
}

std::vector<int64_t> draw_terms(SplitMix64& rng, const ToyTaskOptions& o) {
  std::vector<int64_t> terms(static_cast<size_t>(rng.uniform(o.min_terms, o.max_terms)));
  for (auto& t : terms) t = rng.uniform(1, o.max_term);
  return terms;
}

/// Per step: 0 with probability 1 - slip_rate, else one of -2, -1, +1, +2.
std::vector<int64_t> draw_slips(SplitMix64& rng, size_t steps, double slip_rate) {
  static constexpr int64_t kOffsets[] = {-2, -1, 1, 2};
  std::vector<int64_t> slips(steps, 0);
  for (auto& s : slips)
    if (static_cast<double>(rng.next() >> 11) * 0x1.0p-53 < slip_rate) s = kOffsets[rng.uniform(0, 3)];
  return slips;
}

/// Appends `count` problems whose questions are not in `seen` (and adds them to it); with_slips: noisy solutions.
void draw_distinct(SplitMix64& rng, const ToyTaskOptions& o, int64_t count, bool with_slips,
                   std::unordered_set<std::string>& seen, std::vector<ToyProblem>& out) {
  while (count > 0) {
    const auto terms = draw_terms(rng, o);
    const auto slips = with_slips ? draw_slips(rng, terms.size() - 1, o.slip_rate) : std::vector<int64_t>{};
    ToyProblem p = make_toy_problem(terms, slips);
    if (!seen.insert(p.question).second) continue;
    out.push_back(std::move(p));
    --count;
  }
}

/// "a+b+c" of the terms in reverse order, or rotated by one when the reverse reads the same.
std::string reordered_sum_text(std::vector<int64_t> terms) {
  std::vector<int64_t> reordered(terms.rbegin(), terms.rend());
  if (reordered == terms) std::rotate(reordered.begin(), reordered.begin() + 1, reordered.end());
  std::string text = std::to_string(reordered[0]);
  for (size_t i = 1; i < reordered.size(); ++i) text += "+" + std::to_string(reordered[i]);
  return text;
}

}  // namespace

ToyProblem make_toy_problem(const std::vector<int64_t>& terms, const std::vector<int64_t>& slips) {
  if (terms.size() < 2) throw Error("toy task: a problem needs at least two numbers");
  if (!slips.empty() && slips.size() != terms.size() - 1) throw Error("toy task: one slip value per step is needed");
  ToyProblem p;
  p.terms = terms;
  std::string sum_text = std::to_string(terms[0]);
  int64_t written = terms[0], truth = terms[0];
  std::string steps;
  for (size_t i = 1; i < terms.size(); ++i) {
    sum_text += "+" + std::to_string(terms[i]);
    const int64_t slip = slips.empty() ? 0 : slips[i - 1];
    const int64_t next = std::max<int64_t>(0, written + terms[i] + slip);
    p.slips += next != written + terms[i];
    steps += fmt::format("{}{}+{}={}", i > 1 ? ", " : "", written, terms[i], next);
    written = next;
    truth += terms[i];
  }
  p.answer = std::to_string(truth);
  p.question = "Compute " + sum_text + ".";
  p.paraphrase = "Compute " + reordered_sum_text(terms) + ".";
  p.solution = steps + ". \\boxed{" + std::to_string(written) + "}";
  return p;
}

ToySplit make_toy_split(int64_t train_count, int64_t test_count, uint64_t seed, const ToyTaskOptions& options) {
  validate(options);
  if (train_count < 0 || test_count < 0) throw ConfigError("toy task: set sizes must be >= 0");
  const int64_t wanted = train_count + test_count;
  // Rejection sampling slows down near exhaustion; require some slack.
  if (distinct_questions(options, 2 * wanted + 1) < 2 * wanted)
    throw ConfigError(fmt::format("toy task: {} distinct questions requested, but these options allow fewer than {}",
                                  wanted, 2 * wanted));
  SplitMix64 rng(seed);
  std::unordered_set<std::string> seen;
  ToySplit split;
  draw_distinct(rng, options, test_count, /*with_slips=*/false, seen, split.test);
  draw_distinct(rng, options, train_count, /*with_slips=*/true, seen, split.train);
  return split;
}

std::string toy_problems_jsonl(const std::vector<ToyProblem>& problems) {
  std::string out;
  for (const auto& p : problems)
    out += nlohmann::json{{"prompt", p.question}, {"answer", p.answer}, {"solution", p.solution},
                          {"paraphrase", p.paraphrase}}.dump() + "\n";
  return out;
}

}  // namespace ttrl::data
