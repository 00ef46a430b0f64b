# Host emulation of the CUDA kernels (VSWAP_KERNEL_EMULATION; tests/emulation/). NOT A GPU
# RUN: kernels/*.cu, with their launches rewritten at build time, are compiled by the host
# compiler against an emulated device and run one thread after another; the test binaries
# of the CUDA backend then run against it under names of their own:
#   test_backends_emulated, test_gpu_rng_emulated, test_engine_fermi_emulated,
#   test_engine_classical_emulated, and the harness's own test_emulation_harness
#   (CTest: "emulated:<case>", label `emulation`).
# Nothing else links the emulation: `vswap` and the normal tests never see it.
# Needs the CUDA toolkit's headers (cuda_runtime_api.h, curand_kernel.h; no GPU, no nvcc
# run) and Python 3 (the launch rewrite). Build target: vswap_emulated_tests.

find_package(CUDAToolkit)
if(NOT CUDAToolkit_FOUND)
  message(FATAL_ERROR "VSWAP_KERNEL_EMULATION needs the CUDA toolkit's headers (cuda_runtime_api.h, "
                      "curand_kernel.h): set CUDAToolkit_ROOT")
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)
find_package(GTest REQUIRED)
include(GoogleTest)
enable_testing()

# address: the kernels' loads and stores outside any allocation (the default). thread: the
# kernels' data races, with the warps of each launch on several host threads
# (VSWAP_EMU_HOST_THREADS, 4 in the race-check tests below). none: neither.
set(VSWAP_KERNEL_EMULATION_SANITIZER "address" CACHE STRING
  "Sanitizer of the emulated kernels: address | thread | none")
set_property(CACHE VSWAP_KERNEL_EMULATION_SANITIZER PROPERTY STRINGS address thread none)
if(NOT VSWAP_KERNEL_EMULATION_SANITIZER MATCHES "^(address|thread|none)$")
  message(FATAL_ERROR "VSWAP_KERNEL_EMULATION_SANITIZER must be address, thread or none "
                      "(got ${VSWAP_KERNEL_EMULATION_SANITIZER})")
endif()

set(VSWAP_EMU_DIR ${PROJECT_SOURCE_DIR}/tests/emulation)
set(VSWAP_EMU_GENERATED ${PROJECT_BINARY_DIR}/kernel_emulation)

# A CUDA source as the emulation compiles it: `kernel<<<...>>>(...);` rewritten into
# ${VSWAP_EMU_GENERATED}/<name>.cpp (line numbers kept; #line names the original), built
# with kernel_prelude.hpp force-included. A launch the script cannot rewrite fails the
# build, naming file:line.
function(vswap_emulated_cuda_source cu out_var)
  get_filename_component(name ${cu} NAME)
  set(out ${VSWAP_EMU_GENERATED}/${name}.cpp)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${VSWAP_EMU_GENERATED}
    COMMAND Python3::Interpreter ${VSWAP_EMU_DIR}/rewrite_launches.py ${cu} ${out}
    DEPENDS ${cu} ${VSWAP_EMU_DIR}/rewrite_launches.py
    COMMENT "kernel emulation: rewriting the launches of ${name}"
    VERBATIM)
  set_property(SOURCE ${out} APPEND PROPERTY COMPILE_OPTIONS -include ${VSWAP_EMU_DIR}/kernel_prelude.hpp)
  if(VSWAP_KERNEL_EMULATION_SANITIZER STREQUAL "address")
    # The kernels' loads and stores outside any allocation (device memory is host heap
    # here). Only kernel sources: the harness is not under test. (UBSan as well made the
    # emulated tests 3x slower; it is left out.)
    set_property(SOURCE ${out} APPEND PROPERTY COMPILE_OPTIONS -fsanitize=address -fno-omit-frame-pointer)
  elseif(VSWAP_KERNEL_EMULATION_SANITIZER STREQUAL "thread")
    # Only the kernel sources record their accesses: the host code between launches is
    # ordered with them by the threads' start and join anyway.
    set_property(SOURCE ${out} APPEND PROPERTY COMPILE_OPTIONS -fsanitize=thread -fno-omit-frame-pointer -g)
  endif()
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()

file(GLOB VSWAP_EMU_KERNELS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/kernels/*.cu)
set(VSWAP_EMU_KERNEL_SOURCES)
foreach(cu ${VSWAP_EMU_KERNELS})
  vswap_emulated_cuda_source(${cu} out)
  list(APPEND VSWAP_EMU_KERNEL_SOURCES ${out})
endforeach()

add_library(vswap_kernel_emulation STATIC ${VSWAP_EMU_DIR}/cuda_emulation.cpp ${VSWAP_EMU_KERNEL_SOURCES})
# tests/emulation first: its cub/ replaces CUB (the toolkit's CUB is not on the path).
target_include_directories(vswap_kernel_emulation PRIVATE ${VSWAP_EMU_DIR})
target_include_directories(vswap_kernel_emulation SYSTEM PRIVATE ${CUDAToolkit_INCLUDE_DIRS})
target_include_directories(vswap_kernel_emulation PUBLIC ${PROJECT_SOURCE_DIR}/kernels)
target_link_libraries(vswap_kernel_emulation PUBLIC vswap::physics PRIVATE vswap_warnings)
# what device_unusable() names as the build's architectures
target_compile_definitions(vswap_kernel_emulation PRIVATE "VSWAP_CUDA_ARCHITECTURES=\"none, host emulation\"")
if(NOT VSWAP_KERNEL_EMULATION_SANITIZER STREQUAL "none")
  target_link_options(vswap_kernel_emulation INTERFACE -fsanitize=${VSWAP_KERNEL_EMULATION_SANITIZER})
endif()
target_link_libraries(vswap_kernel_emulation PUBLIC Threads::Threads)
if(VSWAP_KERNEL_EMULATION_SANITIZER STREQUAL "thread")
  # Race checks: every launch on 4 host threads unless VSWAP_EMU_HOST_THREADS says otherwise
  # (cuda_emulation.cpp), and the CPU backend (the tests' reference) on one OpenMP thread
  # (emulated_test_main.cpp): libgomp is not instrumented, ThreadSanitizer cannot see its
  # barriers and would report the host code.
  target_compile_definitions(vswap_kernel_emulation PRIVATE VSWAP_EMU_DEFAULT_HOST_THREADS=4)
  target_compile_definitions(vswap_kernel_emulation INTERFACE VSWAP_EMU_RACE_CHECK=1)
endif()

# The engine as vswap_core builds it, with the CUDA backend driving the emulated kernels.
add_library(vswap_core_emulated STATIC ${VSWAP_CORE_SOURCES})
target_include_directories(vswap_core_emulated PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(vswap_core_emulated PUBLIC vswap::physics vswap::theory OpenMP::OpenMP_CXX fmt::fmt
  vswap_kernel_emulation PRIVATE vswap_warnings)
target_compile_definitions(vswap_core_emulated PUBLIC VSWAP_WITH_CUDA=1)

# The CUDA backend's tests; by default only their CUDA cases (the CPU cases run in the
# normal build).
set(VSWAP_EMU_TESTS
  "test_backends|*"
  "test_gpu_rng|*"
  "test_engine_fermi|*cuda*"
  "test_engine_classical|*cuda*")
add_custom_target(vswap_emulated_tests)
foreach(entry ${VSWAP_EMU_TESTS})
  string(REPLACE "|" ";" entry "${entry}")
  list(GET entry 0 test_name)
  list(GET entry 1 cases)
  set(target ${test_name}_emulated)
  # config_names.cpp: the enums' names (test names use them) without the rest of vswap::app.
  add_executable(${target} ${PROJECT_SOURCE_DIR}/tests/${test_name}.cpp ${VSWAP_EMU_DIR}/emulated_test_main.cpp
    ${PROJECT_SOURCE_DIR}/src/app/config_names.cpp)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${target} PRIVATE VSWAP_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    VSWAP_EMULATED_CASES="${cases}")
  target_link_libraries(${target} PRIVATE vswap_core_emulated GTest::gtest vswap_warnings)
  gtest_discover_tests(${target} TEST_PREFIX "emulated:" DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS emulation TIMEOUT 900)
  add_dependencies(vswap_emulated_tests ${target})
endforeach()

# CPU vs emulated GPU once more with blocks and warps in reverse order: the results (and
# the cell a `paper` error names) must not depend on the order in which threads run.
add_test(NAME emulated-reverse-order:CpuVsGpu.SameSeedSameBits
  COMMAND test_backends_emulated --gtest_filter=*CpuVsGpu.SameSeedSameBits/*:PaperFullCell.Gpu*)
set_tests_properties(emulated-reverse-order:CpuVsGpu.SameSeedSameBits PROPERTIES
  LABELS emulation TIMEOUT 900 ENVIRONMENT VSWAP_EMU_ORDER=reverse)

# The harness's own checks, on small kernels compiled like kernels/*.cu.
vswap_emulated_cuda_source(${VSWAP_EMU_DIR}/harness_kernels.cu harness_kernels)
add_executable(test_emulation_harness ${VSWAP_EMU_DIR}/test_emulation_harness.cpp ${harness_kernels})
target_include_directories(test_emulation_harness PRIVATE ${VSWAP_EMU_DIR})
target_include_directories(test_emulation_harness SYSTEM PRIVATE ${CUDAToolkit_INCLUDE_DIRS})
target_link_libraries(test_emulation_harness PRIVATE vswap_kernel_emulation GTest::gtest_main vswap_warnings)
gtest_discover_tests(test_emulation_harness TEST_PREFIX "emulated:" DISCOVERY_TIMEOUT 60
  PROPERTIES LABELS emulation TIMEOUT 300)
add_dependencies(vswap_emulated_tests test_emulation_harness)

add_test(NAME emulated:launch_rewrite_self_test
  COMMAND Python3::Interpreter ${VSWAP_EMU_DIR}/rewrite_launches.py --self-test)
set_tests_properties(emulated:launch_rewrite_self_test PROPERTIES LABELS emulation)
