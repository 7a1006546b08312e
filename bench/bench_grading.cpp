// Grading throughput on the public grader corpus: grade() (extraction + equivalence) and equivalent() per second,
// and cluster_answers() cost per answer for 64-rollout groups. Run through bench/bench_grading.sh, which builds
// this file with the answer sources and compares with Math-Verify measured in the same run.
//
//   bench_grading [CASES.jsonl] [SECONDS]     prints human-readable lines and one "RESULT key=value ..." line
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ttrl/answer/answer.hpp"

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;
using ttrl::answer::Task;

struct Pair {
  std::string pred, gold;
  Task task;
  bool raw_text;
};

std::vector<Pair> load_pairs(const std::string& path) {
  std::vector<Pair> pairs;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    const json c = json::parse(line);
    if (c["kind"] != "equal" || !c["pred"].is_string()) continue;
    const Task task = c.value("category", "") == "mc_letter" ? Task::kChoice : Task::kMath;
    pairs.push_back({c["pred"], c["gold"], task, c.value("input_form", "raw_text") == "raw_text"});
  }
  return pairs;
}

// Runs `body` over all pairs until `seconds` have passed; returns operations per second.
template <typename Body>
double per_second(std::size_t items, double seconds, Body body) {
  std::size_t done = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    for (std::size_t i = 0; i < items; ++i) body(i);
    done += items;
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return static_cast<double>(done) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "../shared/fixtures/grader/cases.jsonl";
  const double seconds = argc > 2 ? std::stod(argv[2]) : 3.0;
  const std::vector<Pair> pairs = load_pairs(path);
  if (pairs.empty()) {
    std::cerr << "bench_grading: no 'equal' cases in " << path << "\n";
    return 1;
  }

  std::size_t sink = 0;
  const double grades = per_second(pairs.size(), seconds, [&](std::size_t i) {
    const Pair& p = pairs[i];
    sink += ttrl::answer::grade(p.pred, p.gold, p.task, p.raw_text).equal ? 1 : 0;
  });

  // The extracted answers, compared again without extraction.
  std::vector<std::pair<std::string, std::string>> answers;
  std::vector<std::optional<std::string>> pool;
  for (const Pair& p : pairs) {
    const auto v = ttrl::answer::grade(p.pred, p.gold, p.task, p.raw_text);
    if (v.pred_answer && v.gold_answer && p.task == Task::kMath) answers.emplace_back(*v.pred_answer, *v.gold_answer);
    if (v.pred_answer && p.task == Task::kMath) pool.push_back(v.pred_answer);
  }
  const double comparisons = per_second(answers.size(), seconds, [&](std::size_t i) {
    sink += ttrl::answer::equivalent(answers[i].first, answers[i].second, Task::kMath) ? 1 : 0;
  });

  // Groups of 64 answers as a vote sees them: 8 spellings of a few values plus answers from the corpus.
  std::vector<std::vector<std::optional<std::string>>> groups;
  for (std::size_t g = 0; g + 32 <= pool.size(); g += 32) {
    std::vector<std::optional<std::string>> group;
    const char* common[] = {"\\frac{3}{4}", "0.75", "75\\%", "\\dfrac34", "3/4", "x = \\frac{3}{4}", "0.750", "1/2"};
    for (int k = 0; k < 32; ++k) group.push_back(std::string(common[k % 8]));
    for (std::size_t k = 0; k < 32; ++k) group.push_back(pool[g + k]);
    groups.push_back(std::move(group));
  }
  const double groups_per_second = per_second(groups.size(), seconds, [&](std::size_t i) {
    sink += ttrl::answer::cluster_answers(groups[i], Task::kMath).members.size();
  });
  const double microseconds_per_answer = 1e6 / (groups_per_second * 64);

  std::printf("pairs: %zu (%zu with both answers, math)\n", pairs.size(), answers.size());
  std::printf("grade (extraction + equivalence): %.0f pairs/s (%.1f us each)\n", grades, 1e6 / grades);
  std::printf("equivalent (answers only):        %.0f comparisons/s (%.1f us each)\n", comparisons, 1e6 / comparisons);
  std::printf("cluster_answers, 64 answers:      %.1f us per answer\n", microseconds_per_answer);
  std::printf("RESULT grades_per_second=%.1f comparisons_per_second=%.1f cluster_us_per_answer=%.2f sink=%zu\n", grades,
              comparisons, microseconds_per_answer, sink % 2);
  return 0;
}
