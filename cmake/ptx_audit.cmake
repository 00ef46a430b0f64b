# PTX audit (CTest case PtxAudit.BitwiseFloatingPoint; needs nvcc, no GPU). The GPU gives
# the CPU's bits only if nvcc emits, for every double operation of the kernels, the
# IEEE-rounded instruction the host executes: no fused multiply-add (contraction, or a
# libdevice log/exp/sin/cos, which is built of explicit FMAs: the kernels use math.hpp's
# fdlibm code instead), nothing approximate, round-to-nearest division, square root and
# reciprocal. kernels/*.cu are compiled to PTX for compute_90 with vswap_cuda's own
# options (VSWAP_CUDA_BITWISE_OPTIONS); cmake/ptx_check.cmake reads every instruction.
# Without -fmad=false the same sources give 97 fma.rn.f64 in event.cu alone: the check
# fails then.
add_library(vswap_cuda_ptx OBJECT ${VSWAP_CUDA_SOURCES})
set_target_properties(vswap_cuda_ptx PROPERTIES CUDA_PTX_COMPILATION ON CUDA_ARCHITECTURES 90-virtual)
target_include_directories(vswap_cuda_ptx PRIVATE ${PROJECT_SOURCE_DIR}/kernels)
target_link_libraries(vswap_cuda_ptx PRIVATE vswap::physics CUDA::cudart vswap_warnings)
target_compile_options(vswap_cuda_ptx PRIVATE ${VSWAP_CUDA_BITWISE_OPTIONS})
add_dependencies(vswap_cuda_ptx vswap_version)
# Built with the rest (ALL): the test only reads the files.
add_custom_target(vswap_cuda_ptx_all ALL DEPENDS vswap_cuda_ptx)
list(LENGTH VSWAP_CUDA_SOURCES vswap_cuda_source_count)
add_test(NAME PtxAudit.BitwiseFloatingPoint
  COMMAND ${CMAKE_COMMAND} "-DPTX_FILES=$<JOIN:$<TARGET_OBJECTS:vswap_cuda_ptx>,|>"
    -DEXPECTED_FILES=${vswap_cuda_source_count} -P ${PROJECT_SOURCE_DIR}/cmake/ptx_check.cmake)

# The check's own negative control: event.cu compiled with nvcc's default contraction
# (-fmad=true) must be refused, naming fma.rn.f64.
add_library(vswap_cuda_ptx_contracting OBJECT ${PROJECT_SOURCE_DIR}/kernels/event.cu)
set_target_properties(vswap_cuda_ptx_contracting PROPERTIES CUDA_PTX_COMPILATION ON
  CUDA_ARCHITECTURES 90-virtual)
target_include_directories(vswap_cuda_ptx_contracting PRIVATE ${PROJECT_SOURCE_DIR}/kernels)
target_link_libraries(vswap_cuda_ptx_contracting PRIVATE vswap::physics CUDA::cudart)
target_compile_options(vswap_cuda_ptx_contracting PRIVATE -fmad=true)
add_dependencies(vswap_cuda_ptx_contracting vswap_version)
add_custom_target(vswap_cuda_ptx_contracting_all ALL DEPENDS vswap_cuda_ptx_contracting)
add_test(NAME PtxAudit.RefusesContractedKernels
  COMMAND ${CMAKE_COMMAND} "-DPTX_FILES=$<JOIN:$<TARGET_OBJECTS:vswap_cuda_ptx_contracting>,|>"
    -DEXPECTED_FILES=1 -P ${PROJECT_SOURCE_DIR}/cmake/ptx_check.cmake)
set_tests_properties(PtxAudit.RefusesContractedKernels PROPERTIES
  PASS_REGULAR_EXPRESSION "instructions would not give the host.s bits:.*: fma\\.rn\\.f64")
