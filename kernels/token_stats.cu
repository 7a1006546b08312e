// Fused next-token statistics: one thread block per row, one pass over the vocabulary with an online
// (max, sum exp, sum exp*z) accumulator and a double sum of z, so no [rows, vocab] float32 buffer is ever written.
//   lse = m + log(s),  entropy = lse - (sum exp(z - m) * z) / s,  logprob = z[target] - lse,
//   self_certainty = lse - (sum z) / V - ln V
// Each output pointer may be null (not computed).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "kernels/token_stats_launch.h"

namespace ttrl::kernels {
namespace {

constexpr int kThreads = 256;

struct Acc {
  float m;   // running max
  float s;   // sum exp(z - m)
  float sz;  // sum exp(z - m) * z
};

__device__ inline Acc combine(Acc a, Acc b) {
  if (a.m == -INFINITY) return b;
  if (b.m == -INFINITY) return a;
  const float m = fmaxf(a.m, b.m);
  const float ea = __expf(a.m - m), eb = __expf(b.m - m);
  return {m, a.s * ea + b.s * eb, a.sz * ea + b.sz * eb};
}

template <class T> __device__ inline float to_float(T v);
template <> __device__ inline float to_float<float>(float v) { return v; }
template <> __device__ inline float to_float<__nv_bfloat16>(__nv_bfloat16 v) { return __bfloat162float(v); }
template <> __device__ inline float to_float<__half>(__half v) { return __half2float(v); }

template <class T>
__global__ void token_stats_kernel(const T* __restrict__ logits, const int64_t* __restrict__ targets, int64_t vocab,
                                   float inv_t, float* __restrict__ logprob, float* __restrict__ entropy,
                                   float* __restrict__ self_certainty) {
  const int64_t row = blockIdx.x;
  const T* x = logits + row * vocab;
  Acc acc{-INFINITY, 0.f, 0.f};
  double sum_z = 0.0;
  for (int64_t v = threadIdx.x; v < vocab; v += blockDim.x) {
    const float z = to_float(x[v]) * inv_t;
    acc = combine(acc, Acc{z, 1.f, z});
    sum_z += z;
  }
  // Warp then block reduction of the accumulators.
  for (int offset = 16; offset > 0; offset /= 2) {
    Acc other{__shfl_down_sync(0xffffffff, acc.m, offset), __shfl_down_sync(0xffffffff, acc.s, offset),
              __shfl_down_sync(0xffffffff, acc.sz, offset)};
    acc = combine(acc, other);
    sum_z += __shfl_down_sync(0xffffffff, sum_z, offset);
  }
  __shared__ Acc warp_acc[kThreads / 32];
  __shared__ double warp_sum_z[kThreads / 32];
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  if (lane == 0) {
    warp_acc[warp] = acc;
    warp_sum_z[warp] = sum_z;
  }
  __syncthreads();
  if (threadIdx.x == 0) {
    Acc total = warp_acc[0];
    double total_sum_z = warp_sum_z[0];
    for (int w = 1; w < kThreads / 32; ++w) {
      total = combine(total, warp_acc[w]);
      total_sum_z += warp_sum_z[w];
    }
    const float lse = total.m + logf(total.s);
    if (entropy) entropy[row] = lse - total.sz / total.s;
    if (self_certainty)
      self_certainty[row] = static_cast<float>(static_cast<double>(lse) - total_sum_z / static_cast<double>(vocab) -
                                               log(static_cast<double>(vocab)));
    if (logprob) {
      const int64_t target = targets[row];
      logprob[row] = (target >= 0 && target < vocab) ? to_float(x[target]) * inv_t - lse : NAN;
    }
  }
}

}  // namespace

void launch_token_stats(const void* logits, int dtype, const int64_t* targets, int64_t rows, int64_t vocab,
                        float inv_temperature, float* logprob, float* entropy, float* self_certainty,
                        cudaStream_t stream) {
  if (rows == 0) return;
  const dim3 grid(static_cast<unsigned>(rows)), block(kThreads);
  switch (dtype) {
    case 0: token_stats_kernel<float><<<grid, block, 0, stream>>>(static_cast<const float*>(logits), targets, vocab, inv_temperature, logprob, entropy, self_certainty); break;
    case 1: token_stats_kernel<__nv_bfloat16><<<grid, block, 0, stream>>>(static_cast<const __nv_bfloat16*>(logits), targets, vocab, inv_temperature, logprob, entropy, self_certainty); break;
    default: token_stats_kernel<__half><<<grid, block, 0, stream>>>(static_cast<const __half*>(logits), targets, vocab, inv_temperature, logprob, entropy, self_certainty); break;
  }
}

}  // namespace ttrl::kernels
