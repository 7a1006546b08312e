#pragma once
// Dataset readers: the prompts (and, when present, reference answers) of a run or an evaluation.
// Formats, told apart by the first non-blank character of the file:
//   '['  a JSON list of objects (TTRL's benchmark files: AIME-TTT.json, MATH-TTT.json, GPQA-TTT.json, ...)
//   '{'  JSONL: one object per line (blank lines skipped)
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ttrl::data {

struct Record {
  std::string id;                     ///< the "id" or "unique_id" field (numbers as text); else the record's index
  std::string prompt;                 ///< the prompt field (data.prompt_key)
  std::optional<std::string> answer;  ///< the answer field (data.answer_key); numbers as their JSON text; absent or null: none
  std::optional<int> level;           ///< difficulty: a "level" field (3 or "Level 3"), else the file name MATH-L<k>
  nlohmann::json extra;               ///< every other field of the record (an object)
  std::string where;                  ///< "file:line" (JSONL) or "file: record [i]" (JSON list), for messages
};

/// Reads a dataset. Throws ttrl::IoError naming the file, and the record index (JSON list, 0-based) or line
/// (JSONL, 1-based) when relevant: missing or unreadable file, empty file or no records, a format that is neither,
/// malformed JSON, a record that is not an object, a prompt that is missing or not a string, an answer that is not
/// a string, number or null.
std::vector<Record> load_dataset(const std::string& path, const std::string& prompt_key = "prompt",
                                 const std::string& answer_key = "answer");

/// The level a file name implies: k for ".../MATH-L<k>..." (k = one or more digits), else std::nullopt.
std::optional<int> level_from_file_name(const std::string& path);

}  // namespace ttrl::data
