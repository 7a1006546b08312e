#include "ttrl/kernels/token_stats.hpp"

#include <cmath>

#include "ttrl/core/error.hpp"

#ifdef TTRL_WITH_CUDA
#include <c10/cuda/CUDAException.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include "kernels/token_stats_launch.h"
#endif

namespace ttrl::kernels {
namespace {

void check_inputs(const torch::Tensor& logits, const torch::Tensor& targets, const TokenStatsOptions& options) {
  if (logits.dim() != 2) throw Error("token_stats: logits must be [rows, vocab], got " + std::to_string(logits.dim()) + " dims");
  if (targets.dim() != 1 || targets.size(0) != logits.size(0))
    throw Error("token_stats: targets must be [rows] with rows = " + std::to_string(logits.size(0)));
  if (!(options.temperature > 0)) throw Error("token_stats: temperature must be > 0");
  if (options.certainty_temperature && !(*options.certainty_temperature > 0))
    throw Error("token_stats: certainty_temperature must be > 0");
  if (targets.device() != logits.device())
    throw Error("token_stats: targets are on " + targets.device().str() + ", logits on " + logits.device().str());
}

TokenStatsOptions with_temperature(double temperature) {
  TokenStatsOptions options;
  options.temperature = temperature;
  return options;
}

/// self_certainty = -mean_v log_softmax(z)_v - ln V for log-probs `logp` [rows, V]; the mean accumulates in double.
torch::Tensor self_certainty_of(const torch::Tensor& logp) {
  const auto vocab = static_cast<double>(logp.size(1));
  return logp.sum(-1, /*keepdim=*/false, torch::kFloat64).div_(-vocab).sub_(std::log(vocab)).to(torch::kFloat32);
}

}  // namespace

bool built_with_cuda() {
#ifdef TTRL_WITH_CUDA
  return true;
#else
  return false;
#endif
}

TokenStats token_stats_reference(const torch::Tensor& logits, const torch::Tensor& targets,
                                 const TokenStatsOptions& options) {
  check_inputs(logits, targets, options);
  torch::NoGradGuard no_grad;
  // Rows are processed in chunks so that the float32 copy stays small for large vocabularies.
  const int64_t rows = logits.size(0);
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(1, logits.size(1)));
  const double temperature = options.temperature;
  const double certainty_temperature = options.certainty_temperature.value_or(temperature);
  auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(logits.device());
  TokenStats out{torch::empty({rows}, opts), torch::empty({rows}, opts), {}};
  if (options.self_certainty) out.self_certainty = torch::empty({rows}, opts);
  for (int64_t start = 0; start < rows; start += chunk) {
    const int64_t end = std::min(rows, start + chunk);
    const auto raw = logits.slice(0, start, end).to(torch::kFloat32);
    const auto logp = torch::log_softmax(temperature != 1.0 ? raw / temperature : raw, -1);
    out.logprob.slice(0, start, end).copy_(logp.gather(1, targets.slice(0, start, end).unsqueeze(1)).squeeze(1));
    // entropy = -sum_v p_v log p_v, summed pairwise by sum() (a BLAS dot product lost 5e-5 over 1,000 terms)
    out.entropy.slice(0, start, end).copy_(logp.exp().mul_(logp).sum(-1).neg_());
    if (!options.self_certainty) continue;
    const auto certainty_logp =
        certainty_temperature == temperature ? logp : torch::log_softmax(raw / certainty_temperature, -1);
    out.self_certainty.slice(0, start, end).copy_(self_certainty_of(certainty_logp));
  }
  return out;
}

TokenStats token_stats_reference(const torch::Tensor& logits, const torch::Tensor& targets, double temperature) {
  return token_stats_reference(logits, targets, with_temperature(temperature));
}

TokenStats token_stats(const torch::Tensor& logits, const torch::Tensor& targets, const TokenStatsOptions& options) {
#ifdef TTRL_WITH_CUDA
  if (logits.is_cuda()) {
    check_inputs(logits, targets, options);
    const c10::cuda::CUDAGuard guard(logits.device());
    auto x = logits.contiguous();
    auto t = targets.to(torch::kInt64).contiguous();
    auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(x.device());
    TokenStats out{torch::empty({x.size(0)}, opts), torch::empty({x.size(0)}, opts), {}};
    if (options.self_certainty) out.self_certainty = torch::empty({x.size(0)}, opts);
    const auto stream = c10::cuda::getCurrentCUDAStream(x.device().index()).stream();
    const int dtype = x.scalar_type() == torch::kFloat32 ? 0 : x.scalar_type() == torch::kBFloat16 ? 1 : x.scalar_type() == torch::kFloat16 ? 2 : -1;
    if (dtype < 0) throw Error("token_stats: unsupported logits dtype");
    const double certainty_temperature = options.certainty_temperature.value_or(options.temperature);
    const bool same_temperature = certainty_temperature == options.temperature;
    float* certainty = options.self_certainty && same_temperature ? out.self_certainty.data_ptr<float>() : nullptr;
    launch_token_stats(x.data_ptr(), dtype, t.data_ptr<int64_t>(), x.size(0), x.size(1),
                       static_cast<float>(1.0 / options.temperature), out.logprob.data_ptr<float>(),
                       out.entropy.data_ptr<float>(), certainty, stream);
    C10_CUDA_KERNEL_LAUNCH_CHECK();
    if (options.self_certainty && !same_temperature) {  // a second pass at the certainty's own temperature
      launch_token_stats(x.data_ptr(), dtype, t.data_ptr<int64_t>(), x.size(0), x.size(1),
                         static_cast<float>(1.0 / certainty_temperature), nullptr, nullptr,
                         out.self_certainty.data_ptr<float>(), stream);
      C10_CUDA_KERNEL_LAUNCH_CHECK();
    }
    return out;
  }
#endif
  return token_stats_reference(logits, targets, options);
}

TokenStats token_stats(const torch::Tensor& logits, const torch::Tensor& targets, double temperature) {
  return token_stats(logits, targets, with_temperature(temperature));
}

}  // namespace ttrl::kernels
