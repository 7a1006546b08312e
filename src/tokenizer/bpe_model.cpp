#include "tokenizer/bpe_model.hpp"

#include <cstdio>
#include <queue>
#include <stdexcept>

#include "tokenizer/byte_level.hpp"
#include "tokenizer/utf8.hpp"

namespace ttrl {
namespace {

const std::string kNoEntry;

/// A possible merge of the symbol at `pos` with the next one, ordered lowest rank first, then leftmost.
struct Candidate {
  int32_t rank;
  int32_t pos;
  int32_t merged_id;
  bool operator>(const Candidate& other) const {
    return rank != other.rank ? rank > other.rank : pos > other.pos;
  }
};

}  // namespace

BpeModel::BpeModel(const std::vector<std::pair<std::string, int64_t>>& vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges, BpeConfig config)
    : config_(std::move(config)), cache_(config_.cache_capacity) {
  int64_t max_id = -1;
  for (const auto& [entry, id] : vocab) {
    if (id < 0 || id > INT32_MAX) throw std::invalid_argument("vocab: id " + std::to_string(id) + " out of range");
    max_id = std::max(max_id, id);
  }
  tokens_.assign(static_cast<size_t>(max_id + 1), std::string());
  entry_ids_.reserve(vocab.size());
  byte_ids_.fill(-1);
  fallback_ids_.fill(-1);
  for (const auto& [entry, id] : vocab) {
    tokens_[static_cast<size_t>(id)] = entry;
    entry_ids_[entry] = static_cast<int32_t>(id);
    if (config_.byte_level) {
      std::string raw;
      if (!byte_level::decode(entry, raw)) continue;  // not in the byte alphabet: no raw text can produce it
      if (raw.size() == 1) byte_ids_[static_cast<unsigned char>(raw[0])] = static_cast<int32_t>(id);
      raw_ids_[raw] = static_cast<int32_t>(id);
    }
  }
  if (config_.byte_fallback) {
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof(name), "<0x%02X>", b);
      const auto it = entry_ids_.find(name);
      if (it != entry_ids_.end()) fallback_ids_[b] = it->second;
    }
  }
  if (config_.unk_token) {
    const auto it = entry_ids_.find(*config_.unk_token);
    if (it == entry_ids_.end())
      throw std::invalid_argument("unk_token '" + *config_.unk_token + "' is not in the vocabulary");
    unk_id_ = it->second;
  }
  merges_.reserve(merges.size());
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    auto id_of = [&](const std::string& entry) {
      const auto it = entry_ids_.find(entry);
      if (it == entry_ids_.end())
        throw std::invalid_argument("merges[" + std::to_string(rank) + "]: '" + entry +
                                    "' is not in the vocabulary");
      return it->second;
    };
    const int32_t left_id = id_of(left);
    const int32_t right_id = id_of(right);
    const int32_t merged_id = id_of(left + right);
    merges_.insert_or_assign(left_id, right_id, Merge{static_cast<int32_t>(rank), merged_id});
  }
}

std::optional<int64_t> BpeModel::token_to_id(std::string_view token) const {
  const auto it = entry_ids_.find(std::string(token));
  if (it == entry_ids_.end()) return std::nullopt;
  return it->second;
}

const std::string& BpeModel::id_to_token(int64_t id) const {
  if (id < 0 || id >= size()) return kNoEntry;
  return tokens_[static_cast<size_t>(id)];
}

int32_t BpeModel::lookup(std::string_view key) const {
  const auto& map = config_.byte_level ? raw_ids_ : entry_ids_;
  const auto it = map.find(std::string(key));
  return it == map.end() ? -1 : it->second;
}

void BpeModel::append_unknown(std::string_view unit, std::vector<int32_t>& units, bool& previous_was_unk) const {
  if (config_.byte_fallback) {
    bool all_bytes_known = true;
    for (unsigned char b : unit) all_bytes_known = all_bytes_known && fallback_ids_[b] >= 0;
    if (all_bytes_known) {
      for (unsigned char b : unit) units.push_back(fallback_ids_[b]);
      previous_was_unk = false;
      return;
    }
  }
  if (unk_id_ < 0) return;  // no unk token: the unit is dropped, as Hugging Face does
  if (!(config_.fuse_unk && previous_was_unk)) units.push_back(unk_id_);
  previous_was_unk = true;
}

void BpeModel::split_into_units(std::string_view piece, std::vector<int32_t>& units) const {
  bool previous_was_unk = false;
  if (config_.byte_level) {
    for (size_t i = 0; i < piece.size(); ++i) {
      const int32_t id = byte_ids_[static_cast<unsigned char>(piece[i])];
      if (id >= 0) {
        units.push_back(id);
        previous_was_unk = false;
      } else {
        append_unknown(piece.substr(i, 1), units, previous_was_unk);
      }
    }
    return;
  }
  size_t pos = 0;
  while (pos < piece.size()) {
    const size_t start = pos;
    utf8::decode_at(piece, pos);
    const std::string_view unit = piece.substr(start, pos - start);
    const int32_t id = lookup(unit);
    if (id >= 0) {
      units.push_back(id);
      previous_was_unk = false;
    } else {
      append_unknown(unit, units, previous_was_unk);
    }
  }
}

void BpeModel::merge(std::vector<int32_t>& ids) const {
  const auto n = static_cast<int32_t>(ids.size());
  if (n < 2) return;
  std::vector<int32_t> prev(n), next(n);
  std::vector<char> alive(n, 1);
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
  for (int32_t i = 0; i < n; ++i) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
    if (i + 1 < n)
      if (const Merge* m = merges_.find(ids[i], ids[i + 1])) queue.push({m->rank, i, m->merged_id});
  }
  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    const int32_t right = next[c.pos];
    if (!alive[c.pos] || right < 0) continue;
    // The pair may have changed since this candidate was queued: it must still merge into the same id.
    const Merge* current = merges_.find(ids[c.pos], ids[right]);
    if (current == nullptr || current->merged_id != c.merged_id) continue;
    ids[c.pos] = c.merged_id;
    alive[right] = 0;
    next[c.pos] = next[right];
    if (next[right] >= 0) prev[next[right]] = c.pos;
    if (prev[c.pos] >= 0)
      if (const Merge* m = merges_.find(ids[prev[c.pos]], ids[c.pos])) queue.push({m->rank, prev[c.pos], m->merged_id});
    if (next[c.pos] >= 0)
      if (const Merge* m = merges_.find(ids[c.pos], ids[next[c.pos]])) queue.push({m->rank, c.pos, m->merged_id});
  }
  int32_t kept = 0;
  for (int32_t i = 0; i < n; ++i)
    if (alive[i]) ids[kept++] = ids[i];
  ids.resize(kept);
}

void BpeModel::tokenize(std::string_view piece, std::vector<int64_t>& out) const {
  if (config_.byte_level && piece.size() == 1 && byte_ids_[static_cast<unsigned char>(piece[0])] >= 0) {
    out.push_back(byte_ids_[static_cast<unsigned char>(piece[0])]);
    return;
  }
  if (cache_.lookup(piece, out)) return;
  const size_t first = out.size();
  int32_t whole = -1;
  if (config_.ignore_merges) whole = lookup(piece);
  if (whole >= 0) {
    out.push_back(whole);
  } else {
    std::vector<int32_t> units;
    units.reserve(piece.size());
    split_into_units(piece, units);
    merge(units);
    out.insert(out.end(), units.begin(), units.end());
  }
  cache_.store(piece, out.data() + first, out.size() - first);
}

}  // namespace ttrl
