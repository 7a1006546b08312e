#include "ttrl/eval/evaluator.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "ttrl/core/error.hpp"
#include "ttrl/core/files.hpp"
#include "ttrl/core/json_cursor.hpp"
#include "ttrl/data/dataset.hpp"
#include "ttrl/dist/process_group.hpp"
#include "ttrl/rollout/sampler.hpp"

namespace ttrl::eval {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string task_for(const std::string& requested, const std::string& path) {
  if (requested != "auto") return requested;
  std::string name = fs::path(path).filename().string();
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  return name.find("GPQA") != std::string::npos ? "choice" : "math";
}


}  // namespace

json summary_json(const Summary& s, int64_t k) {
  return {{"problems", s.problems},
          {fmt::format("avg@{}", k), s.avg_at_k},
          {fmt::format("maj@{}", k), s.maj_at_k},
          {fmt::format("pass@{}", k), s.pass_at_k},
          {"mean_response_tokens", s.mean_length},
          {"no_answer_percent", s.no_answer_share}};
}

Summary summarize(const std::vector<const ProblemResult*>& problems, int64_t k) {
  Summary s;
  s.problems = static_cast<int64_t>(problems.size());
  if (problems.empty()) return s;
  double responses = 0, tokens = 0, no_answer = 0;
  for (const auto* p : problems) {
    const auto n = static_cast<int64_t>(p->score.correct.size());
    const auto c = std::count(p->score.correct.begin(), p->score.correct.end(), true);
    s.avg_at_k += static_cast<double>(c) / static_cast<double>(n);
    s.maj_at_k += p->score.majority_correct ? 1.0 : 0.0;
    s.pass_at_k += pass_at_k(n, c, std::min(k, n));
    for (int64_t len : p->lengths) tokens += static_cast<double>(len);
    for (const auto& a : p->score.answers) no_answer += a ? 0.0 : 1.0;
    responses += static_cast<double>(n);
  }
  const double count = static_cast<double>(problems.size());
  s.avg_at_k *= 100.0 / count;
  s.maj_at_k *= 100.0 / count;
  s.pass_at_k *= 100.0 / count;
  s.mean_length = tokens / responses;
  s.no_answer_share = 100.0 * no_answer / responses;
  return s;
}

EvalSettings settings_from_config(const RunConfig& config) {
  EvalSettings s;
  s.k = config.eval.k;
  s.temperature = config.eval.temperature;
  s.top_p = config.eval.top_p;
  s.max_new_tokens = config.eval.max_new_tokens;
  s.task = config.eval.task;
  s.seed = static_cast<uint64_t>(config.eval.seed);
  s.progress_bar = config.logging.progress_bar;
  return s;
}

namespace {

// nlohmann_json 3.11 has no std::optional conversions: null for nullopt.
json optional_json(const std::optional<std::string>& value) { return value ? json(*value) : json(nullptr); }
std::optional<std::string> optional_string(const json& value) {
  return value.is_null() ? std::nullopt : std::optional<std::string>(value.get<std::string>());
}

json problem_to_json(int64_t index, const ProblemResult& p) {
  json answers = json::array();
  for (const auto& a : p.score.answers) answers.push_back(optional_json(a));
  return {{"index", index}, {"responses", p.responses}, {"lengths", p.lengths}, {"answers", answers},
          {"correct", p.score.correct}, {"majority", optional_json(p.score.majority)},
          {"majority_correct", p.score.majority_correct}};
}

/// The problem results of every process, by their index in the file (each process graded its own share).
std::map<int64_t, ProblemResult> gather_problems(dist::ProcessGroup& group, const std::map<int64_t, ProblemResult>& mine) {
  json lines = json::array();
  for (const auto& [index, p] : mine) lines.push_back(problem_to_json(index, p));
  std::map<int64_t, ProblemResult> all;
  for (const auto& text : group.all_gather_strings(lines.dump()))
    for (const auto& item : json::parse(text)) {
      ProblemResult& p = all[item.at("index").get<int64_t>()];
      p.responses = item.at("responses").get<std::vector<std::string>>();
      p.lengths = item.at("lengths").get<std::vector<int64_t>>();
      for (const auto& a : item.at("answers")) p.score.answers.push_back(optional_string(a));
      p.score.correct = item.at("correct").get<std::vector<bool>>();
      p.score.majority = optional_string(item.at("majority"));
      p.score.majority_correct = item.at("majority_correct").get<bool>();
    }
  return all;
}

}  // namespace

DatasetResult evaluate_dataset(rollout::Policy& policy, const RunConfig& config, const std::string& path,
                               const EvalSettings& settings, dist::ProcessGroup* group) {
  auto records = data::load_dataset(path, config.data.prompt_key, config.data.answer_key);
  if (settings.limit > 0 && static_cast<int64_t>(records.size()) > settings.limit) records.resize(static_cast<size_t>(settings.limit));
  DatasetResult result;
  result.path = path;
  result.name = fs::path(path).stem().string();
  result.task = task_for(settings.task, path);
  result.k = settings.k;
  const answer::Task task = answer::parse_task(result.task);

  for (size_t i = 0; i < records.size(); ++i)
    if (!records[i].answer)
      throw Error(fmt::format("{}: record {} (id {}) has no '{}' field to grade against", path, i, records[i].id, config.data.answer_key));
  // This process's share of the problems (all of them for one process), sampled from the streams of their positions
  // in the file, so that N processes draw what one process draws.
  dist::ProcessGroup single;
  dist::ProcessGroup& processes = group ? *group : single;
  const std::vector<int64_t> mine =
      dist::strided_share(static_cast<int64_t>(records.size()), processes.rank(), processes.size());
  std::vector<std::vector<int64_t>> prompts;
  for (int64_t i : mine) prompts.push_back(rollout::encode_question(policy, config, records[static_cast<size_t>(i)].prompt));
  rollout::SamplingParams params;
  params.n = settings.k;
  params.temperature = settings.temperature;
  params.top_p = settings.top_p;
  params.max_new_tokens = settings.max_new_tokens;
  params.seed = settings.seed;
  params.stop_token_ids = policy.stop_token_ids();
  params.prompt_streams = mine;
  rollout::SamplerOptions options;
  options.max_batch_sequences = settings.max_batch_sequences;
  options.progress_bar = settings.progress_bar && processes.is_main();
  policy.model->eval();
  rollout::Sampler sampler(*policy.model, policy.tokenizer.get(), options);
  const auto rollouts = sampler.generate(prompts, params);

  std::map<int64_t, ProblemResult> graded;
  for (size_t m = 0; m < mine.size(); ++m) {
    ProblemResult& p = graded[mine[m]];
    for (int64_t j = 0; j < settings.k; ++j) {
      const auto& r = rollouts[m * static_cast<size_t>(settings.k) + static_cast<size_t>(j)];
      p.responses.push_back(r.text);
      p.lengths.push_back(static_cast<int64_t>(r.completion_ids.size()));
    }
    p.score = score_problem(p.responses, *records[static_cast<size_t>(mine[m])].answer, task);
  }
  if (processes.distributed()) graded = gather_problems(processes, graded);
  for (auto& [index, p] : graded) {
    const auto& record = records[static_cast<size_t>(index)];
    p.id = record.id;
    p.level = record.level;
    p.gold = *record.answer;
    result.problems.push_back(std::move(p));
  }
  std::vector<const ProblemResult*> all;
  std::map<int, std::vector<const ProblemResult*>> levels;
  for (const auto& p : result.problems) {
    all.push_back(&p);
    if (p.level) levels[*p.level].push_back(&p);
  }
  result.summary = summarize(all, settings.k);
  for (const auto& [level, members] : levels) result.by_level[level] = summarize(members, settings.k);
  return result;
}

json to_json(const std::vector<DatasetResult>& results, const EvalSettings& settings, const std::string& model) {
  json out = {{"model", model},
              {"settings", {{"k", settings.k}, {"temperature", settings.temperature}, {"top_p", settings.top_p},
                            {"max_new_tokens", settings.max_new_tokens}, {"seed", settings.seed}}},
              {"datasets", json::array()}};
  for (const auto& d : results) {
    json dataset = {{"name", d.name}, {"path", d.path}, {"task", d.task}, {"summary", summary_json(d.summary, d.k)}};
    json levels = json::object();
    for (const auto& [level, s] : d.by_level) levels[std::to_string(level)] = summary_json(s, d.k);
    dataset["levels"] = levels;
    json problems = json::array();
    for (const auto& p : d.problems) {
      json answers = json::array();
      for (const auto& a : p.score.answers) answers.push_back(a ? json(*a) : json(nullptr));
      problems.push_back({{"id", p.id},
                          {"level", p.level ? json(*p.level) : json(nullptr)},
                          {"gold", p.gold},
                          {"answers", answers},
                          {"correct", p.score.correct},
                          {"label", p.score.majority ? json(*p.score.majority) : json(nullptr)},
                          {"label_correct", p.score.majority_correct},
                          {"response_tokens", p.lengths}});
    }
    dataset["problems"] = problems;
    out["datasets"].push_back(dataset);
  }
  return out;
}

std::string markdown_table(const std::vector<DatasetResult>& results) {
  if (results.empty()) return "";
  const int64_t k = results.front().k;
  std::string out = fmt::format("| dataset | problems | avg@{0} | maj@{0} | pass@{0} | mean tokens | no answer % |\n", k);
  out += "|---|---:|---:|---:|---:|---:|---:|\n";
  auto row = [&](const std::string& name, const Summary& s) {
    out += fmt::format("| {} | {} | {:.1f} | {:.1f} | {:.1f} | {:.0f} | {:.1f} |\n", name, s.problems, s.avg_at_k,
                       s.maj_at_k, s.pass_at_k, s.mean_length, s.no_answer_share);
  };
  for (const auto& d : results) {
    row(d.name, d.summary);
    for (const auto& [level, s] : d.by_level) row(fmt::format("{} level {}", d.name, level), s);
  }
  return out;
}

bool is_results_json(const std::string& text) {
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_object() && j.contains("settings") && j["settings"].is_object() && j.contains("datasets") &&
         j["datasets"].is_array();
}

std::string comparison_table(const std::vector<std::string>& results_files) {
  if (results_files.empty() || results_files.size() > 2) throw Error("comparison_table: give one or two results files");
  struct Column {
    std::string name;
    std::vector<double> values;
  };
  std::vector<std::string> models;
  std::vector<Column> columns;
  for (const auto& file : results_files) {
    const std::string text = read_text_file(file);
    if (!is_results_json(text))
      throw IoError("'" + file + "' is not a results file of `ttrl eval` (a JSON object with \"settings\" and "
                    "\"datasets\")");
    const json document = json::parse(text);
    const JsonCursor root(document, file);
    models.push_back(root.string_or("model", file));
    const int64_t k = root.at("settings").at("k").as_int();
    const JsonCursor datasets = root.at("datasets");
    for (size_t i = 0; i < datasets.array_size(); ++i) {
      const JsonCursor d = datasets.at(i);
      const std::string name = d.at("name").as_string();
      auto it = std::find_if(columns.begin(), columns.end(), [&](const Column& c) { return c.name == name; });
      if (it == columns.end()) it = columns.insert(columns.end(), Column{name, {}});
      it->values.push_back(d.at("summary").at(fmt::format("avg@{}", k)).as_number());
    }
  }
  std::string out = "| model |";
  for (const auto& c : columns) out += " " + c.name + " |";
  out += " Avg |\n|---|";
  for (size_t i = 0; i <= columns.size(); ++i) out += "---:|";
  out += "\n";
  std::vector<double> averages(models.size(), 0.0);
  for (size_t m = 0; m < models.size(); ++m) {
    out += "| " + models[m] + " |";
    for (const auto& c : columns) {
      if (m >= c.values.size()) throw IoError("'" + results_files[m] + "' lacks dataset " + c.name);
      out += fmt::format(" {:.1f} |", c.values[m]);
      averages[m] += c.values[m] / static_cast<double>(columns.size());
    }
    out += fmt::format(" {:.1f} |\n", averages[m]);
  }
  if (models.size() == 2) {
    out += "| delta |";
    for (const auto& c : columns) out += fmt::format(" {:+.1f} |", c.values[1] - c.values[0]);
    out += fmt::format(" {:+.1f} |\n| relative |", averages[1] - averages[0]);
    for (const auto& c : columns)
      out += c.values[0] > 0 ? fmt::format(" {:+.0f}% |", 100.0 * (c.values[1] - c.values[0]) / c.values[0]) : std::string(" n/a |");
    out += averages[0] > 0 ? fmt::format(" {:+.0f}% |\n", 100.0 * (averages[1] - averages[0]) / averages[0]) : std::string(" n/a |\n");
  }
  return out;
}

}  // namespace ttrl::eval
