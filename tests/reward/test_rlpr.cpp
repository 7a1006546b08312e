// rlpr (RLPR): the reference answer's probability after each response minus without reasoning, on a scorer whose
// probabilities are set by hand.
#include <gtest/gtest.h>

#include <map>

#include "reward/reward_test_util.hpp"
#include "ttrl/core/error.hpp"
#include "ttrl/reward/rlpr.hpp"

using namespace ttrl::reward;
using namespace ttrl::reward::testing;

namespace {

/// Probabilities by prefix; records what it was asked.
class TableScorer : public PolicyScorer {
 public:
  explicit TableScorer(std::map<std::string, std::vector<double>> table) : table_(std::move(table)) {}
  std::vector<std::vector<double>> target_probabilities(const std::vector<Continuation>& continuations) override {
    asked = continuations;
    std::vector<std::vector<double>> out;
    for (const auto& c : continuations) {
      if (!table_.count(c.prefix)) throw std::runtime_error("no probabilities for prefix [" + c.prefix + "] target [" + c.target + "]");
      out.push_back(table_.at(c.prefix));
    }
    return out;
  }
  std::vector<Continuation> asked;

 private:
  std::map<std::string, std::vector<double>> table_;
};

Group group_with_texts(const std::vector<std::string>& texts) {
  Group g = group_of(std::vector<std::optional<std::string>>(texts.size(), kNone));
  for (size_t i = 0; i < texts.size(); ++i) g.rollouts[i].text = texts[i];
  extract_answers(g);
  return g;
}

}  // namespace

TEST(Rlpr, ProbabilityAfterTheReasoningMinusWithout) {
  Group g = group_with_texts({"2+3=5, so \\boxed{5}.", "2+3=6, so \\boxed{6}", "no idea", "\\boxed{5} again \\boxed{5}"});
  g.gold = "5";
  TableScorer scorer({{"2+3=5, so \\boxed{", {0.9, 0.7}},
                      {"2+3=6, so \\boxed{", {0.1, 0.2}},
                      {"\\boxed{5} again \\boxed{", {0.5, 0.5}},
                      {"\\boxed{", {0.3, 0.3}}});
  g.scorer = &scorer;
  const RewardResult r = score_group(*std::make_unique<RlprReward>(), g);
  // Prefixes end where the last occurrence of the answer starts; the target is the gold; the template comes last.
  ASSERT_EQ(scorer.asked.size(), 4u);
  EXPECT_EQ(scorer.asked[0].prefix, "2+3=5, so \\boxed{");
  EXPECT_EQ(scorer.asked[0].target, "5");
  EXPECT_EQ(scorer.asked[1].target, "5");  // the wrong answer is replaced by the reference
  EXPECT_EQ(scorer.asked[2].prefix, "\\boxed{5} again \\boxed{");
  EXPECT_EQ(scorer.asked[3].prefix, rlpr_answer_template(ttrl::answer::Task::kMath));
  EXPECT_EQ(r.label, "5");
  EXPECT_NEAR(r.rewards[0], 0.8 - 0.3, 1e-12);
  EXPECT_EQ(r.rewards[1], 0.0);  // 0.15 < 0.3: clipped at 0
  EXPECT_EQ(r.rewards[2], 0.0);  // no answer
  EXPECT_NEAR(r.rewards[3], 0.5 - 0.3, 1e-12);
  EXPECT_NEAR(r.metrics.at("reference_probability"), (0.8 + 0.15 + 0.5) / 3, 1e-12);
  EXPECT_NEAR(r.metrics.at("reference_probability_no_reasoning"), 0.3, 1e-12);
  EXPECT_EQ(r.metrics.at("scored_ratio"), 0.75);
}

TEST(Rlpr, MajorityLabelIsTheLabelFreeAdaptation) {
  Group g = group_with_texts({"\\boxed{6}", "\\boxed{6}", "\\boxed{5}"});
  std::map<std::string, std::vector<double>> table;
  table["\\boxed{"] = {0.25};
  TableScorer scorer(table);
  g.scorer = &scorer;
  const RewardResult r = RlprReward(parse_rlpr_label("majority")).score(g);  // no gold needed
  EXPECT_EQ(r.label, "6");
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(scorer.asked[i].target, "6");
  EXPECT_EQ(r.rewards, (std::vector<double>{0.0, 0.0, 0.0}));  // all 0.25 - 0.25
  // Nothing answered: no label, all 0, the scorer not called.
  Group none = group_with_texts({"I do not know.", "I do not know."});
  TableScorer unused({});
  none.scorer = &unused;
  const RewardResult empty = RlprReward(parse_rlpr_label("majority")).score(none);
  EXPECT_FALSE(empty.label.has_value());
  EXPECT_TRUE(unused.asked.empty());
}

TEST(Rlpr, ErrorsNameWhatIsMissing) {
  Group g = group_with_texts({"\\boxed{1}"});
  try {
    RlprReward().score(g);
    FAIL();
  } catch (const ttrl::Error& e) {
    EXPECT_NE(std::string(e.what()).find("rlpr: no policy to score with"), std::string::npos) << e.what();
  }
  TableScorer scorer({});
  g.scorer = &scorer;
  try {
    RlprReward().score(g);
    FAIL();
  } catch (const ttrl::Error& e) {
    EXPECT_NE(std::string(e.what()).find("rlpr: the group has no gold answer"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_rlpr_label("silver"), ttrl::ConfigError);
}

TEST(Rlpr, AnswerTemplates) {
  EXPECT_EQ(rlpr_answer_template(ttrl::answer::Task::kMath), "\\boxed{");
  EXPECT_EQ(rlpr_answer_template(ttrl::answer::Task::kChoice), "The answer is (");
  EXPECT_EQ(rlpr_answer_template(ttrl::answer::Task::kLastNumber), "The answer is ");
}
