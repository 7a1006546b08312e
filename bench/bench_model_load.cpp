// Times ttrl::model::load_pretrained on one checkpoint directory (driven by bench/bench_model_load.py).
//   bench_model_load DIR [float32|bfloat16] [cpu|cuda] [repeats] [nocheck]   (nocheck: skip the NaN/Inf scan)
// Prints one JSON line: {"seconds": [...], "with_forward": [...], "parameters": N}: load time, and load time plus
// one forward pass of one token (which touches every weight, so that loaders that map lazily pay their reads too).
// Process start-up and LibTorch initialisation are not included; the page cache is whatever the caller left.
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "ttrl/model/checkpoint.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bench_model_load DIR [float32|bfloat16] [cpu|cuda] [repeats]\n";
    return 2;
  }
  ttrl::model::LoadOptions options;
  options.dtype = argc > 2 && std::string(argv[2]) == "float32" ? torch::kFloat32 : torch::kBFloat16;
  options.device = argc > 3 && std::string(argv[3]) == "cuda" ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  const int repeats = argc > 4 ? std::stoi(argv[4]) : 3;
  options.check_finite = !(argc > 5 && std::string(argv[5]) == "nocheck");
  try {
    std::vector<double> seconds, with_forward;
    int64_t parameters = 0;
    for (int i = 0; i < repeats; ++i) {
      const auto start = std::chrono::steady_clock::now();
      auto model = ttrl::model::load_pretrained(argv[1], options);
      if (options.device.is_cuda()) torch::cuda::synchronize();
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      {
        torch::NoGradGuard no_grad;
        model->logits(torch::ones({1, 1}, torch::kInt64)).cpu();
      }
      with_forward.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      parameters = 0;
      for (const auto& p : model->parameters()) parameters += p.numel();
    }
    std::cout << nlohmann::json{{"seconds", seconds}, {"with_forward", with_forward}, {"parameters", parameters}}.dump() << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "bench_model_load: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
