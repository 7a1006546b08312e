#pragma once
// AdamW whose CPU update computes the same bits on every x86-64 CPU.
//
// LibTorch's torch::optim::AdamW (the update of torch.optim.AdamW, decoupled weight decay):
//   p <- p (1 - lr wd);  m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
//   p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
// computes sqrt(v) with at::sqrt, which on the CPU is MKL VML's vsSqrt: not correctly rounded, and its result
// differs between CPU vendors and vector widths even under MKL_CBWR=COMPATIBLE (measured: an AMD EPYC with
// AVX-512 and emulated Intel Haswell / AMD Zen 2 CPUs disagree on 17% of float32 square roots of the same inputs),
// so two machines trained the same run to different weights. PortableAdamW is the same update, the same state
// (checkpoints stay interchangeable with torch::optim::AdamW) and the same serialisation, with sqrt(v) correctly
// rounded on the CPU (IEEE 754 sqrt, the same bits everywhere); on CUDA it calls at::sqrt, which is IEEE there.
#include <torch/torch.h>

namespace ttrl::train {

/// Element-wise square root, correctly rounded on the CPU (float32, float64, bfloat16 and float16 through
/// float32); on other devices torch::sqrt.
torch::Tensor correctly_rounded_sqrt(const torch::Tensor& x);

class PortableAdamW : public torch::optim::AdamW {
 public:
  using torch::optim::AdamW::AdamW;
  /// One update of every parameter with a gradient; amsgrad as in torch::optim::AdamW.
  torch::Tensor step(LossClosure closure = nullptr) override;
};

}  // namespace ttrl::train
