#pragma once
// The exact law of independent Pauli cells conditioned on their total count: the reference
// for the fixed-N correction (theory::FixedNSums, docs/VALIDATION.md section 11).
#include <cstddef>
#include <vector>

namespace vswap::test {

/// E[eta | sum = N] for one cell of each group g of `count[g]` independent Bernoulli cells
/// of occupation p[g], exactly: the law of the other cells by convolution (truncated at N),
/// then p P_other(N - 1) / (p P_other(N - 1) + (1 - p) P_other(N)). O(groups x cells x N).
inline std::vector<double> conditioned_occupations(const std::vector<double>& p, const std::vector<int>& count,
                                                   int N) {
  std::vector<double> out(p.size());
  for (std::size_t g = 0; g < p.size(); ++g) {
    std::vector<double> law(static_cast<std::size_t>(N) + 1, 0.0);
    law[0] = 1;
    for (std::size_t h = 0; h < p.size(); ++h) {
      for (int c = 0; c < count[h] - (h == g ? 1 : 0); ++c) {
        for (int n = N; n >= 1; --n) law[n] = law[n] * (1 - p[h]) + law[n - 1] * p[h];
        law[0] *= 1 - p[h];
      }
    }
    const double in = p[g] * law[static_cast<std::size_t>(N) - 1], not_in = (1 - p[g]) * law[static_cast<std::size_t>(N)];
    out[g] = in / (in + not_in);
  }
  return out;
}

}  // namespace vswap::test
