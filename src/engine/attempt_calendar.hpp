#pragma once
/// @brief The CPU `exact` scheme's calendar of attempt steps (cpu_schemes.cpp): a particle
/// that does not attempt at a step costs nothing.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <vswap/particle_step.hpp>

namespace vswap::engine {

/// Particles due to attempt at a step, without touching the others: a calendar queue of
/// 2^b buckets by step; an entry due later than one turn is re-filed when met.
class AttemptCalendar {
 public:
  AttemptCalendar(double rate_dt, std::size_t n) : bits_((n + 63) / 64, 0), scratch_(64 * bits_.size() + 4) {
    const double mean_gap = rate_dt > 0 ? 1.0 / rate_dt : 1.0;
    std::size_t b = 64;
    while (static_cast<double>(b) < 4.0 * mean_gap && b < (1u << 16)) b <<= 1;
    buckets_.resize(b);
    mask_ = b - 1;
    for (auto& q : buckets_) q.reserve(n / b + 8);
  }
  void push(std::uint32_t i, std::uint32_t step) {
    if (step != kNeverStep) buckets_[step & mask_].push_back(i);
  }
  /// Fills `due` with the particles whose next[i] == s (increasing order not guaranteed).
  void pop(std::uint32_t s, const std::vector<std::uint32_t>& next, std::vector<std::int32_t>& due) {
    due.clear();
    current_.clear();
    current_.swap(buckets_[s & mask_]);
    for (std::uint32_t i : current_) {
      if (next[i] == s) due.push_back(static_cast<std::int32_t>(i));
      else buckets_[next[i] & mask_].push_back(i);
    }
  }
  /// As pop, in increasing order: through a bitmap of the n particles when its n / 64 words
  /// cost less than sorting (they do at a few percent of the particles due per step).
  void pop_sorted(std::uint32_t s, const std::vector<std::uint32_t>& next, std::vector<std::int32_t>& due) {
    pop(s, next, due);
    if (due.size() < 2) return;
    if (bits_.size() > 8 * due.size()) {
      std::sort(due.begin(), due.end());
      return;
    }
    for (std::int32_t i : due) bits_[static_cast<std::size_t>(i) >> 6] |= 1ull << (i & 63);
    // The set bits of each word, lowest first, without a branch per bit: four indices are
    // written whatever the word holds and `out` moves on by the bits there were (a zero
    // word writes four that the next word overwrites); only a word of more than four bits
    // loops. A branch per bit mispredicts on nearly every word at a few bits a word and had
    // cost 27% of a fermion run at rate dt 0.01.
    std::int32_t* out = scratch_.data();
    for (std::size_t w = 0; w < bits_.size(); ++w) {
      std::uint64_t b = bits_[w];
      bits_[w] = 0;
      const auto base = static_cast<std::int32_t>(64 * w);
      for (int k = 0; k < 4; ++k) {
        *out = base + lowest_bit(b);
        out += b != 0;
        b &= b - 1;
      }
      for (; b != 0; b &= b - 1) *out++ = base + lowest_bit(b);
    }
    std::copy(scratch_.data(), out, due.begin());
  }

 private:
  std::vector<std::vector<std::uint32_t>> buckets_;
  std::vector<std::uint32_t> current_;
  /// The index of b's lowest set bit; 63 for b = 0 (where pop_sorted does not keep it).
  static std::int32_t lowest_bit(std::uint64_t b) { return __builtin_ctzll(b | (1ull << 63)); }

  std::vector<std::uint64_t> bits_;  ///< pop_sorted's bitmap (zero between calls)
  std::vector<std::int32_t> scratch_;  ///< pop_sorted's output: room for every bit and 4 more
  std::size_t mask_ = 0;
};

}  // namespace vswap::engine
