// Encode throughput of ttrl's tokenizers (bench/bench_tokenizer.py compares it with Hugging Face tokenizers).
//   bench_tokenizer TOKENIZER DOCS.jsonl [--threads N] [--repeat R]
// DOCS.jsonl: one {"text": ...} per line. Prints one JSON line: bytes, tokens, cold (first pass, empty word cache)
// and warm (mean of R further passes) seconds and MB/s. With N threads the documents are shared among them.
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>

#include "ttrl/tokenizer/tokenizer.hpp"

namespace {

using Clock = std::chrono::steady_clock;

/// Encodes every document once with `threads` threads; returns (seconds, tokens).
std::pair<double, size_t> encode_all(const ttrl::Tokenizer& tokenizer, const std::vector<std::string>& docs,
                                     int threads) {
  std::atomic<size_t> next{0}, tokens{0};
  auto worker = [&] {
    size_t local = 0;
    for (size_t i; (i = next.fetch_add(1)) < docs.size();) local += tokenizer.encode(docs[i]).size();
    tokens += local;
  };
  const auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
  return {std::chrono::duration<double>(Clock::now() - start).count(), tokens.load()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_tokenizer TOKENIZER DOCS.jsonl [--threads N] [--repeat R]\n";
    return 2;
  }
  int threads = 1, repeat = 3;
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--threads") threads = std::stoi(argv[i + 1]);
    else if (flag == "--repeat") repeat = std::stoi(argv[i + 1]);
  }
  try {
    const auto load_start = Clock::now();
    const auto tokenizer = ttrl::load_tokenizer(argv[1]);
    const double load_seconds = std::chrono::duration<double>(Clock::now() - load_start).count();
    std::vector<std::string> docs;
    size_t bytes = 0;
    std::ifstream in(argv[2], std::ios::binary);
    for (std::string line; std::getline(in, line);) {
      docs.push_back(nlohmann::json::parse(line).at("text").get<std::string>());
      bytes += docs.back().size();
    }
    const auto [cold_seconds, tokens] = encode_all(*tokenizer, docs, threads);
    double warm_seconds = 0;
    for (int r = 0; r < repeat; ++r) warm_seconds += encode_all(*tokenizer, docs, threads).first;
    warm_seconds /= repeat;
    const double mb = static_cast<double>(bytes) / 1e6;
    std::cout << nlohmann::json{{"threads", threads},          {"bytes", bytes},
                                {"tokens", tokens},            {"load_seconds", load_seconds},
                                {"cold_seconds", cold_seconds}, {"warm_seconds", warm_seconds},
                                {"cold_mb_per_s", mb / cold_seconds}, {"warm_mb_per_s", mb / warm_seconds}}
                     .dump()
              << '\n';
  } catch (const std::exception& e) {
    std::cerr << "bench_tokenizer: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
