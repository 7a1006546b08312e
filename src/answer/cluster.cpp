// Equivalence classes of a group's answers (majority vote, DARE). Each answer is parsed and sampled once; an answer
// joins the first class whose representative (first member) it is equivalent to, so the result does not depend on
// anything but the order of the answers, and each comparison is a cheap comparison of prepared answers.
#include "answer/equivalence.hpp"
#include "answer/text_scan.hpp"
#include "ttrl/answer/answer.hpp"

namespace ttrl::answer {

Clustering cluster_answers(const std::vector<std::optional<std::string>>& answers, Task task) {
  Clustering clustering;
  clustering.cluster_of.assign(answers.size(), -1);
  std::vector<detail::PreparedAnswer> representatives;
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const auto& answer = answers[i];
    if (!answer || detail::trim(*answer).empty()) continue;  // no answer: never clustered
    detail::PreparedAnswer prepared;
    try {
      prepared = detail::prepare(*answer, task);
    } catch (...) {
      prepared = detail::PreparedAnswer{};
      prepared.task = task;
      prepared.normalized = detail::collapse_spaces(*answer);
      prepared.key = prepared.normalized;
    }
    int cluster = -1;
    for (std::size_t c = 0; c < representatives.size() && cluster < 0; ++c) {
      bool same = false;
      try {
        same = detail::same_answer(prepared, representatives[c]);
      } catch (...) {
        same = false;
      }
      if (same) cluster = static_cast<int>(c);
    }
    if (cluster < 0) {
      cluster = static_cast<int>(representatives.size());
      representatives.push_back(std::move(prepared));
      clustering.members.emplace_back();
      clustering.representative.push_back(*answer);
    }
    clustering.cluster_of[i] = cluster;
    clustering.members[static_cast<std::size_t>(cluster)].push_back(static_cast<int>(i));
  }
  return clustering;
}

}  // namespace ttrl::answer
