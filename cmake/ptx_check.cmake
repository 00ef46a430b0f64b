# Reads the PTX of kernels/*.cu (cmake/ptx_audit.cmake) and fails, naming the file, the
# kernel and the line, at any double-precision instruction that would not round as the
# host does: fma/mad on f64, any .approx instruction, or f64 div/sqrt/rcp rounded other
# than to nearest. Also fails if it read fewer files than kernels/*.cu or no kernel at all,
# so it cannot pass on nothing.
# Usage: cmake -DPTX_FILES="a.ptx|b.ptx" -DEXPECTED_FILES=N -P ptx_check.cmake
cmake_minimum_required(VERSION 3.25)
string(REPLACE "|" ";" files "${PTX_FILES}")
list(LENGTH files count)
if(NOT count EQUAL EXPECTED_FILES)
  message(FATAL_ERROR "PTX audit: ${count} PTX files for ${EXPECTED_FILES} kernels/*.cu")
endif()
set(bad_patterns
  "(fma|mad)(\\.[a-z0-9]+)*\\.f64"  # fused multiply-add: one rounding instead of two
  "\\.approx"                       # approximate division, reciprocal, sqrt, transcendental
  "(div|sqrt|rcp)\\.(rz|rm|rp)(\\.[a-z0-9]+)*\\.f64")  # directed rounding
set(entries 0)
set(problems "")
set(f64_ops 0)
foreach(file ${files})
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "PTX audit: ${file} does not exist (build the vswap_cuda_ptx target)")
  endif()
  file(STRINGS "${file}" lines)
  get_filename_component(name "${file}" NAME)
  set(kernel "")
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(line MATCHES "^(\\.visible |\\.weak |\\.extern )?\\.(entry|func) +([A-Za-z0-9_$]+)")
      set(kernel "${CMAKE_MATCH_3}")
      if(line MATCHES "\\.entry")
        math(EXPR entries "${entries} + 1")
      endif()
    endif()
    if(line MATCHES "^[ \t]*(@!?%p[0-9]+ +)?[a-z]+[a-z0-9.]*\\.f64[ \t]")
      math(EXPR f64_ops "${f64_ops} + 1")
    endif()
    foreach(p ${bad_patterns})
      if(line MATCHES "^[ \t]*(@!?%p[0-9]+ +)?${p}")
        string(STRIP "${line}" text)
        string(REPLACE ";" "" text "${text}")  # PTX ends statements with ';', a list separator here
        list(APPEND problems "${name}:${n} in ${kernel}: ${text}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(entries EQUAL 0 OR f64_ops EQUAL 0)
  message(FATAL_ERROR "PTX audit: read ${entries} kernels and ${f64_ops} f64 instructions in ${count} files")
endif()
list(LENGTH problems bad)
if(bad GREATER 0)
  list(SUBLIST problems 0 20 shown)
  string(REPLACE ";" "\n  " shown "${shown}")
  message(FATAL_ERROR "PTX audit: ${bad} instructions would not give the host's bits:\n  ${shown}")
endif()
message(STATUS "PTX audit: ${count} files, ${entries} kernels, ${f64_ops} f64 instructions, none fused, approximate or directed")
