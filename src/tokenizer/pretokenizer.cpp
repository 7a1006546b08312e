#include "tokenizer/pretokenizer.hpp"

#include "tokenizer/unicode_delta.hpp"
#include "tokenizer/utf8.hpp"

namespace ttrl {

const char* const kGpt2Pattern = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

bool parse_split_behavior(const std::string& name, SplitBehavior& behavior) {
  if (name == "Removed") behavior = SplitBehavior::kRemoved;
  else if (name == "Isolated") behavior = SplitBehavior::kIsolated;
  else if (name == "MergedWithPrevious") behavior = SplitBehavior::kMergedWithPrevious;
  else if (name == "MergedWithNext") behavior = SplitBehavior::kMergedWithNext;
  else if (name == "Contiguous") behavior = SplitBehavior::kContiguous;
  else return false;
  return true;
}

namespace {

struct Part {
  Span span;
  bool is_match;
};

/// The matches of `regex` and the text between them, covering all of `text` in order (empty matches give
/// empty parts: they still cut the text).
void partition(const Regex& regex, std::string_view text, bool invert, std::vector<Span>& scratch,
               std::vector<Part>& parts) {
  parts.clear();
  regex.find_all(text, scratch);
  size_t previous = 0;
  for (const Span& m : scratch) {
    if (previous != m.begin) parts.push_back({{previous, m.begin}, invert});
    parts.push_back({m, !invert});
    previous = m.end;
  }
  if (previous != text.size()) parts.push_back({{previous, text.size()}, invert});
}

/// Groups parts as Hugging Face does: a match joins its neighbour (MergedWith*), runs of equal kind join
/// (Contiguous), matches vanish (Removed) or stand alone (Isolated).
void group(const std::vector<Part>& parts, SplitBehavior behavior, std::vector<Span>& out) {
  const size_t first_out = out.size();
  switch (behavior) {
    case SplitBehavior::kRemoved:
      for (const Part& p : parts)
        if (!p.is_match) out.push_back(p.span);
      break;
    case SplitBehavior::kIsolated:
      for (const Part& p : parts) out.push_back(p.span);
      break;
    case SplitBehavior::kMergedWithPrevious: {
      bool previous_match = false;
      for (const Part& p : parts) {
        if (p.is_match && !previous_match && out.size() > first_out) out.back().end = p.span.end;
        else out.push_back(p.span);
        previous_match = p.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithNext: {
      bool previous_match = false;  // walking right to left: "previous" is the part to the right
      std::vector<Span> reversed;
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        if (it->is_match && !previous_match && !reversed.empty()) reversed.back().begin = it->span.begin;
        else reversed.push_back(it->span);
        previous_match = it->is_match;
      }
      out.insert(out.end(), reversed.rbegin(), reversed.rend());
      break;
    }
    case SplitBehavior::kContiguous: {
      bool previous_match = false;
      for (const Part& p : parts) {
        if (p.is_match == previous_match && out.size() > first_out) out.back().end = p.span.end;
        else out.push_back(p.span);
        previous_match = p.is_match;
      }
      break;
    }
  }
  // Empty spans (from empty matches) are dropped, as Hugging Face drops empty splits.
  size_t kept = first_out;
  for (size_t i = first_out; i < out.size(); ++i)
    if (out[i].begin != out[i].end) out[kept++] = out[i];
  out.resize(kept);
}

/// Applies `split_one` to every piece, collecting sub-spans of each piece.
template <typename SplitOne>
void split_each(Pieces& pieces, SplitOne&& split_one) {
  std::vector<std::string_view> next;
  next.reserve(pieces.views.size() * 4);
  std::vector<Span> spans;
  for (std::string_view piece : pieces.views) {
    spans.clear();
    split_one(piece, spans);
    for (const Span& s : spans) next.push_back(piece.substr(s.begin, s.end - s.begin));
  }
  pieces.views.swap(next);
}

class SplitPreTokenizer : public PreTokenizer {
 public:
  SplitPreTokenizer(const std::string& pattern, bool is_regex, SplitBehavior behavior, bool invert)
      : regex_(pattern, !is_regex), behavior_(behavior), invert_(invert) {}
  void split(Pieces& pieces) const override {
    std::vector<Span> scratch;
    split_each(pieces, [&](std::string_view piece, std::vector<Span>& out) {
      split_by_regex(regex_, piece, behavior_, invert_, scratch, out);
    });
  }

 private:
  Regex regex_;
  SplitBehavior behavior_;
  bool invert_;
};

class ByteLevelPreTokenizer : public PreTokenizer {
 public:
  ByteLevelPreTokenizer(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space) {
    if (use_regex) regex_ = std::make_unique<Regex>(kGpt2Pattern);
  }
  void split(Pieces& pieces) const override {
    if (add_prefix_space_)
      for (auto& piece : pieces.views)
        if (!piece.empty() && piece.front() != ' ') piece = pieces.own(" " + std::string(piece));
    if (!regex_) return;
    std::vector<Span> scratch;
    split_each(pieces, [&](std::string_view piece, std::vector<Span>& out) {
      split_by_regex(*regex_, piece, SplitBehavior::kIsolated, false, scratch, out);
    });
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> regex_;
};

/// Rust's char::is_numeric: general category Nd, Nl or No, in the Unicode 17 of the Rust std in `tokenizers`.
bool is_numeric(uint32_t cp) {
  const auto category = unicode::category_unicode17(cp);
  return category == unicode::kNd || category == unicode::kNl || category == unicode::kNo;
}

class DigitsPreTokenizer : public PreTokenizer {
 public:
  explicit DigitsPreTokenizer(bool individual) : individual_(individual) {}
  void split(Pieces& pieces) const override {
    split_each(pieces, [&](std::string_view piece, std::vector<Span>& out) {
      // As Hugging Face's char-predicate pattern: each digit is a match, each run of other characters one part.
      std::vector<Part> parts;
      size_t pos = 0;
      while (pos < piece.size()) {
        const size_t start = pos;
        const bool digit = is_numeric(utf8::decode_at(piece, pos));
        if (!digit && !parts.empty() && !parts.back().is_match && parts.back().span.end == start)
          parts.back().span.end = pos;
        else
          parts.push_back({{start, pos}, digit});
      }
      group(parts, individual_ ? SplitBehavior::kIsolated : SplitBehavior::kContiguous, out);
    });
  }

 private:
  bool individual_;
};

class SequencePreTokenizer : public PreTokenizer {
 public:
  explicit SequencePreTokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
  void split(Pieces& pieces) const override {
    for (const auto& step : steps_) step->split(pieces);
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

}  // namespace

void split_by_regex(const Regex& regex, std::string_view text, SplitBehavior behavior, bool invert,
                    std::vector<Span>& scratch, std::vector<Span>& out) {
  std::vector<Part> parts;
  partition(regex, text, invert, scratch, parts);
  group(parts, behavior, out);
}

std::unique_ptr<PreTokenizer> make_split_pretokenizer(const std::string& pattern, bool is_regex,
                                                      SplitBehavior behavior, bool invert) {
  return std::make_unique<SplitPreTokenizer>(pattern, is_regex, behavior, invert);
}
std::unique_ptr<PreTokenizer> make_byte_level_pretokenizer(bool add_prefix_space, bool use_regex) {
  return std::make_unique<ByteLevelPreTokenizer>(add_prefix_space, use_regex);
}
std::unique_ptr<PreTokenizer> make_digits_pretokenizer(bool individual_digits) {
  return std::make_unique<DigitsPreTokenizer>(individual_digits);
}
std::unique_ptr<PreTokenizer> make_sequence_pretokenizer(std::vector<std::unique_ptr<PreTokenizer>> steps) {
  return std::make_unique<SequencePreTokenizer>(std::move(steps));
}

}  // namespace ttrl
