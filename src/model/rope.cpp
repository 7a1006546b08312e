#include "ttrl/model/rope.hpp"

#include <cmath>

namespace ttrl::model {
namespace {

/// Llama 3.1 frequency scaling: wavelengths shorter than original_max/high_freq_factor are kept, longer than
/// original_max/low_freq_factor are divided by `factor`, and the band between is interpolated with
///   smooth = (original_max / wavelen - low) / (high - low),  f = (1 - smooth) * f / factor + smooth * f.
torch::Tensor llama3_scaled(const torch::Tensor& inv_freq, const RopeConfig& rope) {
  const double old_context = static_cast<double>(rope.original_max_position_embeddings);
  const double low_freq_wavelen = old_context / rope.low_freq_factor;
  const double high_freq_wavelen = old_context / rope.high_freq_factor;
  const torch::Tensor wavelen = 2 * M_PI / inv_freq;
  torch::Tensor scaled = torch::where(wavelen > low_freq_wavelen, inv_freq / rope.factor, inv_freq);
  const torch::Tensor smooth = (old_context / wavelen - rope.low_freq_factor) / (rope.high_freq_factor - rope.low_freq_factor);
  const torch::Tensor smoothed = (1 - smooth) * scaled / rope.factor + smooth * scaled;
  const torch::Tensor medium = (wavelen >= high_freq_wavelen).logical_and(wavelen <= low_freq_wavelen);
  return torch::where(medium, smoothed, scaled);
}

}  // namespace

torch::Tensor rope_inverse_frequencies(const RopeConfig& rope, int64_t head_dim, const torch::Device& device) {
  // Same float32 operations as transformers, so that the frequencies agree bit for bit.
  const torch::Tensor exponents =
      torch::arange(0, head_dim, 2, torch::TensorOptions().dtype(torch::kInt64)).to(torch::kFloat32) / head_dim;
  torch::Tensor inv_freq = 1.0 / torch::pow(rope.theta, exponents);
  if (rope.type == "linear") inv_freq = inv_freq / rope.factor;
  if (rope.type == "llama3") inv_freq = llama3_scaled(inv_freq, rope);
  return inv_freq.to(device);
}

RotaryTables rotary_tables(const torch::Tensor& inv_freq, const torch::Tensor& positions, torch::Dtype dtype) {
  const torch::Tensor angles = positions.to(torch::kFloat32).unsqueeze(-1) * inv_freq;  // [B, T, head_dim/2]
  const torch::Tensor emb = torch::cat({angles, angles}, -1).unsqueeze(1);               // [B, 1, T, head_dim]
  return {emb.cos().to(dtype), emb.sin().to(dtype)};
}

torch::Tensor apply_rotary(const torch::Tensor& x, const RotaryTables& tables) {
  const int64_t half = x.size(-1) / 2;
  const torch::Tensor rotated = torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
  return x * tables.cos + rotated * tables.sin;
}

}  // namespace ttrl::model
