#pragma once
/// @brief The `vswap` command line (CLI11): subcommands run, theory, burgers, merge.

namespace vswap::app {

/// Runs the program; returns the process exit code (0 ok, 2 bad input, 1 internal error).
int main(int argc, char** argv);

}  // namespace vswap::app
