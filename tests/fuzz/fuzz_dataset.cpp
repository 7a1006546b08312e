// libFuzzer target over dataset loading (TTRL JSON lists and JSONL): the input is the file, read from a path whose
// name implies a level (MATH-L3), with the default keys and with other ones. Property beyond "no crash": an accepted
// dataset has at least one record and every record's extra fields are an object.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.hpp"
#include "ttrl/data/dataset.hpp"

namespace {

void load(const std::string& path, const std::string& prompt_key, const std::string& answer_key) {
  ttrl::fuzz::expect_only_ttrl_errors([&] {
    const auto records = ttrl::data::load_dataset(path, prompt_key, answer_key);
    ttrl::fuzz::check(!records.empty());
    for (const auto& record : records) ttrl::fuzz::check(record.extra.is_object());
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = ttrl::fuzz::text_of(data, size);
  const std::string path = ttrl::fuzz::ScratchDir::get().write("MATH-L3-TTT.json", text);
  load(path, "prompt", "answer");
  load(path, "problem", "solution");
  (void)ttrl::data::level_from_file_name(text.substr(0, text.find('\n')));
  return 0;
}
