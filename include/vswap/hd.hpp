#pragma once
/// @brief Portability macros: physics written once, compiled for host and device.
///
/// `VSWAP_HD` marks a function callable from both the CPU backend and CUDA kernels.
/// It is empty when the translation unit is not compiled by nvcc.

#if defined(__CUDACC__)
#define VSWAP_HD __host__ __device__
#define VSWAP_HD_INLINE __host__ __device__ __forceinline__
#else
#define VSWAP_HD
#define VSWAP_HD_INLINE inline
#endif
