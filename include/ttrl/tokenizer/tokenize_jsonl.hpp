#pragma once
// The work of `ttrl tokenize`: JSON lines {"text": "..."} in, {"ids": [...]} out (or the reverse with decode).
#include <cstddef>
#include <iosfwd>
#include <string>

#include "ttrl/tokenizer/tokenizer.hpp"

namespace ttrl {

struct TokenizeJsonlOptions {
  bool decode = false;               ///< read {"ids": [...]} and write {"text": "..."}
  bool skip_special_tokens = false;  ///< when decoding
};

/// Reads JSON lines from `in` and writes one output line per input line (blank lines are skipped). A line that
/// is not a JSON object with the expected field, or text that is not valid UTF-8, throws IoError
/// "<input_name>:<line>: <reason>". Returns the number of lines written.
size_t tokenize_jsonl(const Tokenizer& tokenizer, std::istream& in, const std::string& input_name, std::ostream& out,
                      const TokenizeJsonlOptions& options = {});

}  // namespace ttrl
