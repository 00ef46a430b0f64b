#pragma once
/// @brief MPI for `vswap run` (built with VSWAP_WITH_MPI): realization blocks per rank and
/// the reduction of their sums to rank 0, in rank order.
///
/// MPI is initialised only when the process was started by a launcher (mpirun/srun set
/// OMPI_COMM_WORLD_SIZE, PMIX_RANK or PMI_SIZE); otherwise, and in builds without MPI, a
/// run is one rank as before.

#include <cstdint>
#include <string>

#include "engine/engine.hpp"

namespace vswap::app {

class MpiRanks {
 public:
  /// Initialises MPI when launched by mpirun (and built with MPI). Sets the environment
  /// variable VSWAP_LOCAL_RANK to the rank's index among the ranks on its node: the hook
  /// the CUDA engine uses to pick one device per rank (device = local rank % devices).
  MpiRanks();
  ~MpiRanks();  ///< MPI_Finalize
  MpiRanks(const MpiRanks&) = delete;
  MpiRanks& operator=(const MpiRanks&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_rank() const { return local_rank_; }

  /// Contiguous block of [first, last) for this rank (block r of size()).
  std::pair<std::int64_t, std::int64_t> block(std::int64_t first, std::int64_t last) const;

  /// Agrees on a status across ranks: returns the largest `code` of any rank.
  int agree(int code) const;

  /// Sends every rank's sums to rank 0, which merges them in rank order; other ranks get
  /// their own sums back unchanged.
  engine::RunSums reduce(const engine::RunSums& mine) const;

 private:
  int rank_ = 0, size_ = 1, local_rank_ = 0;
  bool initialised_ = false;
};

}  // namespace vswap::app
