// Runs ttrl's optimizer (AdamW + warmup/cosine schedule + grad-norm clipping) on parameters and gradients written by
// tests/train/adamw_parity.py, and writes the final parameters (and float32 master weights when meta.json asks for
// bfloat16 parameters) for the script to compare with PyTorch.
#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>

#include "ttrl/core/files.hpp"
#include "ttrl/train/optimizer.hpp"

namespace {

torch::Tensor read_raw(const std::string& path, const std::vector<int64_t>& shape) {
  const std::string bytes = ttrl::read_text_file(path);
  auto t = torch::empty(shape, torch::kFloat32);
  if (bytes.size() != static_cast<size_t>(t.numel()) * sizeof(float)) throw std::runtime_error("bad size: " + path);
  std::memcpy(t.data_ptr<float>(), bytes.data(), bytes.size());
  return t;
}

void write_raw(const std::string& path, const torch::Tensor& t) {
  auto c = t.contiguous();
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(c.data_ptr<float>()), c.numel() * sizeof(float));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: train_parity_tool DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  const auto meta = nlohmann::json::parse(ttrl::read_text_file(dir + "/meta.json"));
  const auto dtype = meta.value("dtype", std::string("float32")) == "bfloat16" ? torch::kBFloat16 : torch::kFloat32;
  std::vector<torch::Tensor> params;
  for (size_t i = 0; i < meta["shapes"].size(); ++i)
    params.push_back(read_raw(dir + "/param" + std::to_string(i) + ".bin", meta["shapes"][i].get<std::vector<int64_t>>())
                         .to(dtype)
                         .requires_grad_(true));
  ttrl::train::OptimizerOptions options;
  options.beta1 = meta["beta1"];
  options.beta2 = meta["beta2"];
  options.epsilon = meta["eps"];
  options.weight_decay = meta["weight_decay"];
  options.grad_clip = meta["grad_clip"];
  options.fp32_master_weights = meta.value("fp32_master_weights", true);
  options.schedule = {meta["lr"], meta["steps"], meta["warmup_ratio"], meta["min_lr_ratio"], "cosine"};
  ttrl::train::Optimizer optimizer(params, options);
  nlohmann::json out = nlohmann::json::array();
  for (int64_t step = 0; step < meta["steps"].get<int64_t>(); ++step) {
    for (size_t i = 0; i < params.size(); ++i)
      params[i].mutable_grad() =
          read_raw(dir + "/grad" + std::to_string(step) + "_" + std::to_string(i) + ".bin", params[i].sizes().vec()).to(dtype);
    const auto info = optimizer.step();
    out.push_back({{"lr", info.lr}, {"grad_norm", info.grad_norm}});
  }
  for (size_t i = 0; i < params.size(); ++i) {
    write_raw(dir + "/out" + std::to_string(i) + ".bin", params[i].detach().to(torch::kFloat32));
    write_raw(dir + "/master" + std::to_string(i) + ".bin", optimizer.master_parameters()[i].detach().to(torch::kFloat32));
  }
  std::cout << out.dump() << "\n";
  return 0;
}
