// vswap: entry point. Everything lives in vswap::app (src/app/cli.cpp).
#include "app/cli.hpp"

int main(int argc, char** argv) { return vswap::app::main(argc, argv); }
