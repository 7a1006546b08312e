# One OBJECT library per module (ttrl_<name>), so that a module's tests build and link only the modules it depends
# on; the installed shared library `ttrl` is made of all of them.
#
#   ttrl_add_module(<name> [TORCH] [DEPS <module>...] [LIBS <target>...])
#     Sources: every *.cpp in the calling folder. TORCH: uses LibTorch (precompiled torch header).
#   ttrl_link_modules(<target> <module>...)   links the modules and all they depend on, objects included.
#   ttrl_add_gtest(<name> MODULES <module>... SOURCES <file>...)

set(TTRL_MODULE_WARNINGS -Wall -Wextra -Wno-unused-parameter)

# One precompiled <torch/torch.h> shared by every module that uses LibTorch (compiling it costs ~40 s and 1 GB).
function(_ttrl_torch_pch)
  if(NOT TARGET ttrl_torch_pch)
    add_library(ttrl_torch_pch OBJECT ${PROJECT_SOURCE_DIR}/cmake/empty.cpp)
    target_link_libraries(ttrl_torch_pch PUBLIC torch)
    target_compile_options(ttrl_torch_pch PRIVATE ${TTRL_MODULE_WARNINGS})
    target_compile_definitions(ttrl_torch_pch PRIVATE TTRL_BUILDING_LIBRARY)
    target_precompile_headers(ttrl_torch_pch PRIVATE <torch/torch.h>)
  endif()
endfunction()

function(ttrl_add_module name)
  cmake_parse_arguments(M "TORCH" "" "DEPS;LIBS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(NOT sources)
    set(sources ${PROJECT_SOURCE_DIR}/cmake/empty.cpp)
  endif()
  add_library(ttrl_${name} OBJECT ${sources})
  target_include_directories(ttrl_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_compile_options(ttrl_${name} PRIVATE ${TTRL_MODULE_WARNINGS})
  target_compile_definitions(ttrl_${name} PRIVATE TTRL_BUILDING_LIBRARY)
  set(libs ${M_LIBS})
  foreach(dep IN LISTS M_DEPS)
    list(APPEND libs ttrl_${dep})
  endforeach()
  if(M_TORCH)
    list(APPEND libs torch)
    _ttrl_torch_pch()
    target_precompile_headers(ttrl_${name} REUSE_FROM ttrl_torch_pch)
  endif()
  # Usage requirements (include dirs, definitions) of dependencies; objects are added by ttrl_link_modules.
  target_link_libraries(ttrl_${name} PUBLIC ${libs})
  set_property(GLOBAL PROPERTY TTRL_DEPS_${name} ${M_DEPS})
  set_property(GLOBAL APPEND PROPERTY TTRL_MODULES ${name})
endfunction()

function(_ttrl_module_closure out)
  set(result "")
  set(stack ${ARGN})
  while(stack)
    list(POP_FRONT stack m)
    if(NOT m IN_LIST result)
      list(APPEND result ${m})
      get_property(deps GLOBAL PROPERTY TTRL_DEPS_${m})
      list(APPEND stack ${deps})
    endif()
  endwhile()
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# libsentencepiece.so (Debian) exports its own absl flag `FLAGS_minloglevel`, a 32-byte object, under the same name
# as libc10's 4-byte int. Whichever library comes first in the dynamic linker's search order provides the symbol
# for both. When libc10 comes first, sentencepiece's static constructor writes 32 bytes over libc10's flags,
# setting FLAGS_caffe2_use_fatal_for_enforce: every failed TORCH_CHECK then aborts the process instead of throwing
# c10::Error. Linking sentencepiece before LibTorch makes its own object the one both use: c10 only reads that
# name (its log threshold) and no other c10 flag is touched. tests/rollout checks that enforce failures throw.
# Call it before any other target_link_libraries of `target` (--no-as-needed keeps the entry for executables that
# use no sentencepiece symbol themselves).
function(ttrl_link_sentencepiece_first target)
  target_link_libraries(${target} PRIVATE -Wl,--no-as-needed PkgConfig::SENTENCEPIECE)
endfunction()

function(ttrl_link_modules target)
  _ttrl_module_closure(closure ${ARGN})
  if("tokenizer" IN_LIST closure)
    ttrl_link_sentencepiece_first(${target})
  endif()
  foreach(m IN LISTS closure)
    target_link_libraries(${target} PRIVATE ttrl_${m})
  endforeach()
  if("kernels" IN_LIST closure AND TARGET ttrl_kernels_cuda)
    target_link_libraries(${target} PRIVATE ttrl_kernels_cuda)
  endif()
endfunction()

function(ttrl_add_gtest name)
  cmake_parse_arguments(T "" "" "MODULES;SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  ttrl_link_modules(${name} ${T_MODULES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE GTest::gtest GTest::gtest_main ${T_LIBS})
  target_compile_definitions(${name} PRIVATE
    TTRL_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    TTRL_BINARY_DIR="${PROJECT_BINARY_DIR}"
    TTRL_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST WORKING_DIRECTORY ${PROJECT_BINARY_DIR} TEST_PREFIX "${name}."
                       PROPERTIES LABELS unit)
endfunction()

function(ttrl_add_shared_library)
  get_property(modules GLOBAL PROPERTY TTRL_MODULES)
  set(objects "")
  set(libs "")
  foreach(m IN LISTS modules)
    list(APPEND objects $<TARGET_OBJECTS:ttrl_${m}>)
  endforeach()
  if(TARGET ttrl_kernels_cuda)
    list(APPEND objects $<TARGET_OBJECTS:ttrl_kernels_cuda>)
  endif()
  add_library(ttrl SHARED ${objects})
  add_library(ttrl::ttrl ALIAS ttrl)
  set_target_properties(ttrl PROPERTIES VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
                                        INSTALL_RPATH "$ORIGIN;${TTRL_TORCH_LIB_DIR}")
  target_include_directories(ttrl PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  # Public headers use only the standard library, nlohmann_json and (model/rollout/train) LibTorch.
  target_link_libraries(ttrl PUBLIC nlohmann_json::nlohmann_json
    PRIVATE PkgConfig::SENTENCEPIECE torch spdlog::spdlog fmt::fmt yaml-cpp PkgConfig::PCRE2 PkgConfig::UTF8PROC
            ${CMAKE_DL_LIBS})  # sentencepiece before LibTorch: see ttrl_link_sentencepiece_first
  if(TARGET ttrl_kernels_cuda)
    target_link_libraries(ttrl PRIVATE CUDA::cudart)
  endif()
endfunction()
