#include "tokenizer/unicode_delta.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <bitset>
#include <cstring>
#include <iterator>
#include <utility>
#include <vector>

namespace ttrl::unicode {
namespace {

constexpr CategoryChange kChanges[] = {
#include "tokenizer/unicode_delta.inc"
};

// GeneralCategory is utf8proc's numbering, so that utf8proc's categories convert by a cast.
constexpr utf8proc_category_t kUtf8procOrder[] = {
    UTF8PROC_CATEGORY_CN, UTF8PROC_CATEGORY_LU, UTF8PROC_CATEGORY_LL, UTF8PROC_CATEGORY_LT,
    UTF8PROC_CATEGORY_LM, UTF8PROC_CATEGORY_LO, UTF8PROC_CATEGORY_MN, UTF8PROC_CATEGORY_MC,
    UTF8PROC_CATEGORY_ME, UTF8PROC_CATEGORY_ND, UTF8PROC_CATEGORY_NL, UTF8PROC_CATEGORY_NO,
    UTF8PROC_CATEGORY_PC, UTF8PROC_CATEGORY_PD, UTF8PROC_CATEGORY_PS, UTF8PROC_CATEGORY_PE,
    UTF8PROC_CATEGORY_PI, UTF8PROC_CATEGORY_PF, UTF8PROC_CATEGORY_PO, UTF8PROC_CATEGORY_SM,
    UTF8PROC_CATEGORY_SC, UTF8PROC_CATEGORY_SK, UTF8PROC_CATEGORY_SO, UTF8PROC_CATEGORY_ZS,
    UTF8PROC_CATEGORY_ZL, UTF8PROC_CATEGORY_ZP, UTF8PROC_CATEGORY_CC, UTF8PROC_CATEGORY_CF,
    UTF8PROC_CATEGORY_CS, UTF8PROC_CATEGORY_CO};
constexpr bool same_numbering() {
  for (int c = 0; c <= kCo; ++c)
    if (static_cast<int>(kUtf8procOrder[c]) != c) return false;
  return true;
}
static_assert(std::size(kUtf8procOrder) == kCo + 1 && same_numbering());

/// The table entry holding `cp`, or nullptr (then every version has utf8proc's category for it).
const CategoryChange* find_change(uint32_t cp) {
  if (cp < kChanges[0].first) return nullptr;  // most text: ASCII and the older scripts
  const auto* it = std::upper_bound(std::begin(kChanges), std::end(kChanges), cp,
                                    [](uint32_t c, const CategoryChange& change) { return c < change.first; });
  if (it == std::begin(kChanges)) return nullptr;
  --it;
  return cp <= it->last ? it : nullptr;
}

/// The code points of kChanges whose category differs between Unicode 14 and 16, as merged sorted ranges.
const std::vector<std::pair<uint32_t, uint32_t>>& changes_since_unicode14() {
  static const std::vector<std::pair<uint32_t, uint32_t>> ranges = [] {
    std::vector<std::pair<uint32_t, uint32_t>> out;
    for (const CategoryChange& c : kChanges) {
      if (c.unicode14 == c.unicode16) continue;
      if (!out.empty() && out.back().second + 1 == c.first)
        out.back().second = c.last;
      else
        out.emplace_back(c.first, c.last);
    }
    return out;
  }();
  return ranges;
}

/// The same for the Basic Multilingual Plane as one bit per code point: most non-ASCII text is there.
const std::bitset<0x10000>& bmp_changes_since_unicode14() {
  static const std::bitset<0x10000> bits = [] {
    std::bitset<0x10000> out;
    for (const auto& [first, last] : changes_since_unicode14())
      for (uint32_t cp = first; cp <= last && cp < 0x10000; ++cp) out.set(cp);
    return out;
  }();
  return bits;
}

bool changed_since_unicode14_beyond_bmp(uint32_t cp) {
  const auto& ranges = changes_since_unicode14();
  const auto it = std::upper_bound(ranges.begin(), ranges.end(), cp,
                                   [](uint32_t c, const std::pair<uint32_t, uint32_t>& r) { return c < r.first; });
  return it != ranges.begin() && cp <= std::prev(it)->second;
}

GeneralCategory utf8proc_general_category(uint32_t cp) {
  return static_cast<GeneralCategory>(utf8proc_category(static_cast<utf8proc_int32_t>(cp)));
}

}  // namespace

CategoryChanges category_changes() { return {kChanges, std::size(kChanges)}; }

// Called on every text a regex splits, so the UTF-8 is decoded in place (the text is valid): non-ASCII text is
// scanned at several times the regexes' speed.
bool has_changes_since_unicode14(std::string_view text) {
  const std::bitset<0x10000>& bmp = bmp_changes_since_unicode14();
  const auto* b = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    uint64_t word;
    if (i + 8 <= n && (std::memcpy(&word, b + i, 8), (word & 0x8080808080808080u) == 0)) {
      i += 8;  // eight ASCII bytes
    } else if (b[i] < 0x80) {
      ++i;
    } else if (b[i] < 0xE0) {
      if (bmp[((b[i] & 0x1Fu) << 6) | (b[i + 1] & 0x3Fu)]) return true;
      i += 2;
    } else if (b[i] < 0xF0) {
      if (bmp[((b[i] & 0x0Fu) << 12) | ((b[i + 1] & 0x3Fu) << 6) | (b[i + 2] & 0x3Fu)]) return true;
      i += 3;
    } else {
      const uint32_t cp =
          ((b[i] & 0x07u) << 18) | ((b[i + 1] & 0x3Fu) << 12) | ((b[i + 2] & 0x3Fu) << 6) | (b[i + 3] & 0x3Fu);
      if (changed_since_unicode14_beyond_bmp(cp)) return true;
      i += 4;
    }
  }
  return false;
}

GeneralCategory category_unicode16(uint32_t cp) {
  const CategoryChange* change = find_change(cp);
  return change != nullptr ? change->unicode16 : utf8proc_general_category(cp);
}

GeneralCategory category_unicode17(uint32_t cp) {
  const CategoryChange* change = find_change(cp);
  return change != nullptr ? change->unicode17 : utf8proc_general_category(cp);
}

}  // namespace ttrl::unicode
