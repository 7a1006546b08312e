#include "ttrl/model/token_logprobs.hpp"

#include "ttrl/core/error.hpp"
#include "ttrl/kernels/token_stats.hpp"

namespace ttrl::model {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// 2^24 float32 logits (64 MiB) per chunk: the backward holds about three such buffers; large enough that the
// [chunk, H] x [H, vocab] products run at full matmul speed.
int64_t default_chunk_rows(int64_t vocab) { return std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(1, vocab)); }

class ChunkedTokenLogprobs : public torch::autograd::Function<ChunkedTokenLogprobs> {
 public:
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& hidden, const torch::Tensor& weight,
                               const torch::Tensor& targets, double temperature, int64_t chunk) {
    ctx->save_for_backward({hidden, weight, targets});
    // An output outside the loss (entropies, when entropy_coef is 0) then reaches backward undefined, not as zeros.
    ctx->set_materialize_grads(false);
    ctx->saved_data["temperature"] = temperature;
    ctx->saved_data["chunk"] = chunk;
    const int64_t rows = hidden.size(0);
    const auto options = hidden.options().dtype(torch::kFloat32);
    torch::Tensor logprobs = torch::empty({rows}, options), entropies = torch::empty({rows}, options);
    for (int64_t start = 0; start < rows; start += chunk) {
      const int64_t n = std::min(chunk, rows - start);
      const torch::Tensor logits = torch::nn::functional::linear(hidden.narrow(0, start, n), weight);
      const kernels::TokenStats stats = kernels::token_stats(logits, targets.narrow(0, start, n), temperature);
      logprobs.narrow(0, start, n).copy_(stats.logprob);
      entropies.narrow(0, start, n).copy_(stats.entropy);
    }
    return {logprobs, entropies};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &hidden = saved[0], &weight = saved[1], &targets = saved[2];
    const double temperature = ctx->saved_data["temperature"].toDouble();
    const int64_t chunk = ctx->saved_data["chunk"].toInt();
    const bool want_hidden = ctx->needs_input_grad(0), want_weight = ctx->needs_input_grad(1);
    const torch::Tensor& g_logprob = grads[0];
    const torch::Tensor& g_entropy = grads[1];
    if (!g_logprob.defined() && !g_entropy.defined()) return {torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
    torch::Tensor grad_hidden = want_hidden ? torch::empty_like(hidden) : torch::Tensor();
    // Weight gradients of all chunks are summed in float32, then cast once.
    torch::Tensor grad_weight = want_weight ? torch::zeros(weight.sizes(), weight.options().dtype(torch::kFloat32)) : torch::Tensor();
    const int64_t rows = hidden.size(0);
    for (int64_t start = 0; start < rows; start += chunk) {
      const int64_t n = std::min(chunk, rows - start);
      const torch::Tensor h = hidden.narrow(0, start, n);
      torch::Tensor z = torch::nn::functional::linear(h, weight).to(torch::kFloat32);
      if (temperature != 1.0) z.div_(temperature);
      const torch::Tensor p = torch::softmax(z, -1);
      // dL/dz = p * (a + b z) + g_logprob * onehot(target), per row
      //   a = -g_logprob + g_entropy * E_p[z],   b = -g_entropy
      // built in z's buffer.
      const torch::Tensor g = g_logprob.defined() ? g_logprob.narrow(0, start, n).unsqueeze(1) : torch::zeros({n, 1}, p.options());
      torch::Tensor dz = z;
      if (g_entropy.defined()) {
        const torch::Tensor g_e = g_entropy.narrow(0, start, n).unsqueeze(1);
        const torch::Tensor mean_z = at::linalg_vecdot(p, z).unsqueeze(1);
        dz.mul_(-g_e).add_(g_e * mean_z - g).mul_(p);
      } else {
        at::mul_out(dz, p, -g);
      }
      if (g_logprob.defined()) dz.scatter_add_(1, targets.narrow(0, start, n).unsqueeze(1), g);
      if (temperature != 1.0) dz.div_(temperature);
      const torch::Tensor d_logits = dz.to(weight.scalar_type());
      if (want_hidden) {
        torch::Tensor rows_out = grad_hidden.narrow(0, start, n);
        at::mm_out(rows_out, d_logits, weight);
      }
      if (want_weight && d_logits.scalar_type() == torch::kFloat32) grad_weight.addmm_(d_logits.t(), h);
      else if (want_weight) grad_weight.add_(d_logits.t().mm(h).to(torch::kFloat32));
    }
    return {grad_hidden, want_weight ? grad_weight.to(weight.scalar_type()) : torch::Tensor(), torch::Tensor(),
            torch::Tensor(), torch::Tensor()};
  }
};

void check_arguments(const torch::Tensor& hidden, const torch::Tensor& weight, const torch::Tensor& targets,
                     double temperature) {
  if (hidden.dim() != 2 || weight.dim() != 2 || hidden.size(1) != weight.size(1))
    throw Error("token_logprobs_and_entropy: need hidden [rows, H] and weight [vocab, H]");
  if (hidden.scalar_type() != weight.scalar_type() || hidden.device() != weight.device())
    throw Error("token_logprobs_and_entropy: hidden and weight must share dtype and device");
  if (targets.dim() != 1 || targets.size(0) != hidden.size(0) || targets.scalar_type() != torch::kInt64)
    throw Error("token_logprobs_and_entropy: targets must be int64 [rows]");
  if (!(temperature > 0)) throw Error("token_logprobs_and_entropy: temperature must be > 0");
  if (targets.numel() > 0) {
    const auto [low, high] = torch::aminmax(targets);
    if (low.item<int64_t>() < 0 || high.item<int64_t>() >= weight.size(0))
      throw Error("token_logprobs_and_entropy: a target is outside [0, " + std::to_string(weight.size(0)) + ")");
  }
}

}  // namespace

TokenLogprobs token_logprobs_and_entropy(const torch::Tensor& hidden, const torch::Tensor& weight,
                                         const torch::Tensor& targets, double temperature, int64_t chunk_rows) {
  check_arguments(hidden, weight, targets, temperature);
  const int64_t chunk = chunk_rows > 0 ? chunk_rows : default_chunk_rows(weight.size(0));
  const torch::Tensor target_ids = targets.to(hidden.device());
  const variable_list out = ChunkedTokenLogprobs::apply(hidden, weight, target_ids, temperature, chunk);
  return {out[0], out[1]};
}

}  // namespace ttrl::model
