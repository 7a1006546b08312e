#pragma once
// Launcher of the fused token log-prob/entropy kernel (kernels/token_stats.cu); plain C types so that the .cu file
// needs no LibTorch headers. dtype: 0 float32, 1 bfloat16, 2 float16. Null output pointers are not written.
#include <cstdint>
#include <cuda_runtime_api.h>

namespace ttrl::kernels {
void launch_token_stats(const void* logits, int dtype, const int64_t* targets, int64_t rows, int64_t vocab,
                        float inv_temperature, float* logprob, float* entropy, float* self_certainty,
                        cudaStream_t stream);
}
