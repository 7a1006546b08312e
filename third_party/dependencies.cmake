# CMake glue for every external dependency (versions and origins: third_party/README.md).
# Everything comes from Debian packages except LibTorch, which comes from the pinned PyPI torch wheel in .venv.
find_package(PkgConfig REQUIRED)

# Torch's CMake adds -gencode flags for every architecture it was built for (sm_50 included, which CUDA 13 no longer
# compiles); restrict them to the GPUs ttrl targets: A100 (8.0), H100/H200 (9.0).
if(NOT DEFINED TORCH_CUDA_ARCH_LIST)
  set(TORCH_CUDA_ARCH_LIST "8.0;9.0")
endif()
# LibTorch: pass -DCMAKE_PREFIX_PATH=$(python -c 'import torch; print(torch.utils.cmake_prefix_path)').
find_package(Torch REQUIRED)
# TORCH_CXX_FLAGS carries _GLIBCXX_USE_CXX11_ABI; all our code must agree with it.
set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} ${TORCH_CXX_FLAGS}")
get_filename_component(TTRL_TORCH_LIB_DIR "${TORCH_LIBRARY}" DIRECTORY)
# The wheel's libtorch_cuda finds its CUDA libraries (nvidia-*-cu13 wheels) through an $ORIGIN rpath, which the
# loader honours but the static linker does not: point the linker at them so that it does not pick an older system
# copy (e.g. the toolkit's libnccl) when it checks libtorch's dependencies.
file(GLOB TTRL_TORCH_NVIDIA_LIB_DIRS LIST_DIRECTORIES true "${TTRL_TORCH_LIB_DIR}/../../nvidia/*/lib")
foreach(dir IN LISTS TTRL_TORCH_NVIDIA_LIB_DIRS)
  add_link_options("LINKER:-rpath-link,${dir}")
endforeach()

find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
# The torch wheel ships fmt 12 headers in its include dir, which would shadow the system fmt 9 that Debian's spdlog
# is built against. <torch/torch.h> does not include fmt, so every target sees the system fmt first through a
# one-entry include directory placed before torch's (-I is searched before -isystem).
get_target_property(_fmt_includes fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
find_path(TTRL_SYSTEM_FMT_DIR fmt/format.h PATHS ${_fmt_includes} NO_DEFAULT_PATH)
set(TTRL_FMT_SHIM ${CMAKE_BINARY_DIR}/fmt_shim)
file(MAKE_DIRECTORY ${TTRL_FMT_SHIM})
file(CREATE_LINK ${TTRL_SYSTEM_FMT_DIR}/fmt ${TTRL_FMT_SHIM}/fmt SYMBOLIC)
include_directories(BEFORE ${TTRL_FMT_SHIM})
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
pkg_check_modules(PCRE2 REQUIRED IMPORTED_TARGET libpcre2-8)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
if(TTRL_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()

# CUDA: the kernels/ folder is compiled when torch was built with CUDA and nvcc is present.
set(TTRL_WITH_CUDA OFF)
if(NOT TTRL_CUDA STREQUAL "OFF")
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER AND TARGET torch_cuda)
    set(TTRL_WITH_CUDA ON)
  elseif(TTRL_CUDA STREQUAL "ON")
    message(FATAL_ERROR "TTRL_CUDA=ON but nvcc was not found or torch has no CUDA (torch_cuda target missing)")
  endif()
endif()
if(TTRL_WITH_CUDA)
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES 80 90)  # A100, H100/H200
  endif()
  enable_language(CUDA)
  find_package(CUDAToolkit REQUIRED)
endif()
message(STATUS "ttrl: torch ${Torch_VERSION}, CUDA kernels ${TTRL_WITH_CUDA}")
