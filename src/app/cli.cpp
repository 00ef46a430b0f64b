#include "app/cli.hpp"

namespace vswap::app {
int main(int, char**) { return 0; }
}  // namespace vswap::app
