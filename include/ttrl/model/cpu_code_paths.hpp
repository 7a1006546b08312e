#pragma once
// Which CPU code paths LibTorch's math libraries take, and pinning them to ones that compute the same bits on every
// x86-64 CPU with AVX2, whatever its vendor or vector width.
//
// On the CPU three libraries choose their kernels from the CPU they find: ATen's vectorised kernels (softmax, exp,
// reductions, CPU flash attention: AVX-512 or AVX2 builds of the same code, whose reductions split differently),
// MKL's GEMM (a code branch per ISA and, on the AUTO branch, per vendor) and oneDNN (JIT code for the best ISA).
// Each choice changes float rounding; reinforcement learning amplifies such differences into different runs.
// Pinning (the environment variables each library documents, set before its first call):
//   ATEN_CPU_CAPABILITY=avx2   (ATen's dispatcher; "default" on a CPU without AVX2)
//   MKL_CBWR=COMPATIBLE        (MKL's conditional numerical reproducibility: the one branch that MKL documents as
//                               giving the same results on Intel and non-Intel CPUs; AVX2/AVX512 branches are
//                               Intel-only and fall back to AUTO elsewhere)
//   ONEDNN_MAX_CPU_ISA=AVX2    (oneDNN's JIT)
// A variable the user already set is kept. What stays machine-dependent: the thread count (reduction order; pin
// it too), glibc's libm versions, a CPU without AVX2/FMA, and MKL VML's functions behind at::sqrt (and others):
// VML's sqrt is not correctly rounded and differs between CPUs whatever MKL_CBWR says, which is why training uses
// train::PortableAdamW. scripts/check_cpu_portability.sh checks the whole demo against an emulated CPU.
#include <string>

namespace ttrl::model {

/// The code paths in effect (or to be in effect) for this process.
struct CpuCodePaths {
  std::string cpu_model;        ///< "AMD EPYC 9R14", from /proc/cpuinfo ("unknown" elsewhere)
  bool avx512 = false;          ///< whether the CPU has AVX-512F
  std::string aten_capability;  ///< ATen's active kernel set: "DEFAULT", "AVX2" or "AVX512"
  std::string mkl_cbwr;         ///< MKL_CBWR as set ("" = unset: AUTO, MKL picks per CPU)
  std::string onednn_max_isa;   ///< ONEDNN_MAX_CPU_ISA as set ("" = unset: the CPU's best)
};

/// Sets the variables above where they are unset. Call it before the first tensor operation of the process: ATen
/// and MKL read them once. Returns false (and changes nothing) on a CPU that is not x86-64.
bool pin_portable_cpu_code_paths();

/// What this process uses; the first call fixes ATen's choice, so call it after pinning, if at all.
CpuCodePaths cpu_code_paths();

}  // namespace ttrl::model
