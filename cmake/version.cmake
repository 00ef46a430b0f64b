# Writes generated/vswap/version.hpp with the current git commit (run at every build, so
# the commit recorded in output files is never stale). Inputs: SRC, DST, VERSION, ROOT.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY ${ROOT}
  OUTPUT_VARIABLE VSWAP_GIT_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY ${ROOT}
  OUTPUT_VARIABLE VSWAP_GIT_DIRTY OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT VSWAP_GIT_COMMIT)
  set(VSWAP_GIT_COMMIT "unknown")
elseif(VSWAP_GIT_DIRTY)
  set(VSWAP_GIT_COMMIT "${VSWAP_GIT_COMMIT}-dirty")
endif()
set(PROJECT_VERSION ${VERSION})
configure_file(${SRC} ${DST} @ONLY)  # rewrites only when the content changes
