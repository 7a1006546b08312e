// SentencePiece tokenizer.model (Llama 2, Mistral v0.x) through libsentencepiece.
//
// Control pieces written in the text (<s>, </s>) are recognised as their ids, as Hugging Face's LlamaTokenizer
// does; the text between them is encoded by SentencePiece segment by segment, so each segment gets the
// dummy-prefix space (mistral-common encodes "[INST] ..." after BOS the same way). Decoding follows
// SentencePiece's decoder: "▁" is a space, <0xXX> pieces are bytes (invalid UTF-8 becomes one U+FFFD per byte),
// <unk> is " ⁇ ", and the dummy-prefix space of the first piece is dropped. Where SentencePiece writes control
// tokens as nothing, we write their text (unless skip_special_tokens) and start a new segment after them, so
// that decode(encode(text)) == text.
#include <sentencepiece_processor.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "tokenizer/added_tokens.hpp"
#include "ttrl/core/files.hpp"
#include "tokenizer/loaders.hpp"
#include "tokenizer/utf8.hpp"

namespace ttrl {
namespace {

constexpr std::string_view kSpaceMarker = "\xE2\x96\x81";  // U+2581 "▁"
constexpr std::string_view kUnknownSurface = " \xE2\x81\x87 ";  // " ⁇ ", SentencePiece's text for <unk>

enum class PieceKind : char { kNormal, kControl, kUnknown, kByte };

/// Reads a protobuf varint at bytes[pos]; false when it runs past the end or over 10 bytes.
bool read_varint(std::string_view bytes, size_t& pos, uint64_t& value) {
  value = 0;
  for (int shift = 0; shift < 64 && pos < bytes.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(bytes[pos++]);
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if (byte < 0x80) return true;
  }
  return false;
}

/// Protobuf's limit on nested groups and messages.
constexpr int kMaxGroupDepth = 100;

/// Skips the value of the field with tag `key` at bytes[pos] (a group up to its end-group tag); false when malformed.
bool skip_value(std::string_view bytes, size_t& pos, uint64_t key, int depth) {
  uint64_t value = 0;
  switch (key & 7) {
    case 0: return read_varint(bytes, pos, value);
    case 1: pos += 8; return pos <= bytes.size();
    case 5: pos += 4; return pos <= bytes.size();
    case 2:
      if (!read_varint(bytes, pos, value) || value > bytes.size() - pos) return false;
      pos += value;
      return true;
    case 3:  // start group: fields until the end-group tag of the same field number
      if (depth >= kMaxGroupDepth) return false;
      while (pos < bytes.size()) {
        uint64_t inner = 0;
        if (!read_varint(bytes, pos, inner)) return false;
        if ((inner & 7) == 4) return (inner >> 3) == (key >> 3);
        if (!skip_value(bytes, pos, inner, depth + 1)) return false;
      }
      return false;
    default: return false;  // an end-group tag without its start, or wire types 6 and 7
  }
}

/// Calls visit(field, payload) for each length-delimited field of a protobuf message, skipping the others as protobuf
/// does (groups included, so that fields after an unknown group are seen); stops at anything malformed, leaving it to
/// the real parser.
template <class Visit>
void for_each_bytes_field(std::string_view message, Visit visit) {
  size_t pos = 0;
  while (pos < message.size()) {
    uint64_t key = 0, length = 0;
    if (!read_varint(message, pos, key)) return;
    if ((key & 7) != 2) {
      if (!skip_value(message, pos, key, 0)) return;
      continue;
    }
    if (!read_varint(message, pos, length) || length > message.size() - pos) return;
    visit(key >> 3, message.substr(pos, length));
    pos += length;
  }
}

/// libsentencepiece builds its trie with Darts, which throws through code that cannot unwind (std::terminate, found
/// by fuzz.sentencepiece) on a piece holding a NUL byte, and sentencepiece notes an empty piece ("piece must not be
/// empty") but builds the trie all the same. Such a model is refused first, reading the pieces from the wire format:
/// ModelProto field 1 (repeated SentencePiece), its field 1 (piece; the last one counts, as in protobuf). The rest is
/// left to sentencepiece.
void refuse_unloadable_pieces(const std::string& path) {
  const std::string model = read_text_file(path);
  size_t index = 0;
  for_each_bytes_field(model, [&](uint64_t field, std::string_view entry) {
    if (field != 1) return;
    std::string_view piece;
    for_each_bytes_field(entry, [&](uint64_t entry_field, std::string_view value) {
      if (entry_field == 1) piece = value;
    });
    const auto refuse = [&](const std::string& why) {
      throw IoError("cannot load SentencePiece model '" + path + "': piece " + std::to_string(index) + " " + why);
    };
    if (piece.empty()) refuse("is empty");
    if (piece.find('\0') != std::string_view::npos) refuse("holds a NUL byte");
    ++index;
  });
}

class SentencePieceTokenizer : public Tokenizer {
 public:
  explicit SentencePieceTokenizer(const std::string& path) {
    refuse_unloadable_pieces(path);
    const auto status = processor_.Load(path);
    if (!status.ok()) throw IoError("cannot load SentencePiece model '" + path + "': " + status.ToString());
    const int size = processor_.GetPieceSize();
    pieces_.resize(static_cast<size_t>(size));
    kinds_.resize(static_cast<size_t>(size));
    std::vector<AddedToken> specials;
    std::vector<std::string> patterns;
    for (int id = 0; id < size; ++id) {
      const std::string piece = processor_.IdToPiece(id);
      const PieceKind kind = kind_of(id);
      kinds_[id] = kind;
      if (kind == PieceKind::kControl) {
        pieces_[id] = piece;  // written out as is
        if (!piece.empty()) {
          specials.push_back(AddedToken{id, piece, false, false, false, false, true});
          patterns.push_back(piece);
        }
      } else if (kind == PieceKind::kUnknown) {
        pieces_[id] = std::string(kUnknownSurface);
      } else if (kind == PieceKind::kByte) {
        unsigned value = 0;
        std::sscanf(piece.c_str(), "<0x%02X>", &value);
        pieces_[id] = std::string(1, static_cast<char>(value));
      } else {
        pieces_[id] = replace_space_markers(piece);
      }
    }
    specials_ = AddedTokenMatcher(std::move(specials), patterns);
    detect_normalizer_options();
  }

  std::vector<int64_t> encode(std::string_view text) const override {
    utf8::require_valid(text, "text to encode");
    std::vector<TextSegment> segments;
    specials_.split(text, segments);
    std::vector<int64_t> ids;
    std::vector<int> piece_ids;
    for (const TextSegment& segment : segments) {
      if (segment.token >= 0) {
        ids.push_back(specials_.token(segment.token).id);
        continue;
      }
      if (segment.span.begin == segment.span.end) continue;
      piece_ids.clear();
      const auto status = processor_.Encode(
          std::string_view(text.data() + segment.span.begin, segment.span.end - segment.span.begin), &piece_ids);
      if (!status.ok()) throw Error("SentencePiece encoding failed: " + status.ToString());
      ids.insert(ids.end(), piece_ids.begin(), piece_ids.end());
    }
    return ids;
  }

  int64_t vocab_size() const override { return static_cast<int64_t>(pieces_.size()); }

  std::optional<int64_t> token_to_id(std::string_view token) const override {
    const int id = processor_.PieceToId(std::string(token));
    if (id == processor_.unk_id() && token != processor_.IdToPiece(id)) return std::nullopt;
    return id;
  }
  std::string id_to_token(int64_t id) const override {
    return id >= 0 && id < vocab_size() ? processor_.IdToPiece(static_cast<int>(id)) : std::string();
  }
  bool is_special(int64_t id) const override {
    return id >= 0 && id < vocab_size() && kinds_[static_cast<size_t>(id)] == PieceKind::kControl;
  }
  std::string kind() const override { return "sentencepiece"; }

  void append_token_bytes(int64_t id, DecodeState& state, bool skip_special_tokens,
                          std::string& out) const override {
    if (id < 0 || id >= vocab_size()) return;
    const PieceKind kind = kinds_[static_cast<size_t>(id)];
    const std::string& bytes = pieces_[static_cast<size_t>(id)];
    if (kind == PieceKind::kControl) {
      if (!skip_special_tokens) out += bytes;
      state.at_start = true;  // the next segment starts with its own dummy prefix
      return;
    }
    if (kind != PieceKind::kNormal || !state.at_start || !strips_leading_space_) {
      out += bytes;
      state.at_start = false;
      return;
    }
    // SentencePiece drops the leading space of the first piece (the dummy prefix). When the model also removes
    // extra white space, it keeps dropping leading spaces until some text appears.
    const bool consumed = !bytes.empty() && bytes[0] == ' ';
    out.append(bytes, consumed ? 1 : 0, std::string::npos);
    const bool emitted = bytes.size() > (consumed ? 1u : 0u);
    if (emitted || (consumed && !removes_extra_whitespaces_)) state.at_start = false;
  }

  InvalidUtf8Replacement invalid_utf8_replacement() const override { return InvalidUtf8Replacement::kPerByte; }

 private:
  PieceKind kind_of(int id) const {
    if (processor_.IsControl(id)) return PieceKind::kControl;
    if (processor_.IsUnknown(id)) return PieceKind::kUnknown;
    if (processor_.IsByte(id)) return PieceKind::kByte;
    return PieceKind::kNormal;
  }

  /// The model's normalizer_spec (add_dummy_prefix, remove_extra_whitespaces) is not exposed by the library's
  /// public header, so it is observed: a dummy prefix makes "a" start with "▁"; removing extra white space
  /// makes " a" encode like "a".
  void detect_normalizer_options() {
    std::vector<std::string> pieces;
    const bool dummy_prefix = processor_.Encode("a", &pieces).ok() && !pieces.empty() &&
                              pieces[0].compare(0, kSpaceMarker.size(), kSpaceMarker) == 0;
    std::vector<int> plain, spaced;
    removes_extra_whitespaces_ = processor_.Encode("a", &plain).ok() && processor_.Encode(" a", &spaced).ok() &&
                                 plain == spaced;
    strips_leading_space_ = dummy_prefix || removes_extra_whitespaces_;
  }

  static std::string replace_space_markers(const std::string& piece) {
    std::string out;
    size_t pos = 0;
    while (pos < piece.size()) {
      if (piece.compare(pos, kSpaceMarker.size(), kSpaceMarker) == 0) {
        out += ' ';
        pos += kSpaceMarker.size();
      } else {
        out += piece[pos++];
      }
    }
    return out;
  }

  sentencepiece::SentencePieceProcessor processor_;
  std::vector<std::string> pieces_;  // id -> decoded bytes
  std::vector<PieceKind> kinds_;
  AddedTokenMatcher specials_;       // control pieces, matched in the text
  bool strips_leading_space_ = true;
  bool removes_extra_whitespaces_ = false;
};

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& path) {
  return std::make_unique<SentencePieceTokenizer>(path);
}

}  // namespace ttrl
