// MPI for `vswap run`: one block of realizations per rank, sums reduced in rank order.
#include "app/mpi_ranks.hpp"

#include <cstdlib>
#include <string>
#include <vector>

#ifdef VSWAP_WITH_MPI
#include <mpi.h>
#endif

#include "app/checkpoint.hpp"

namespace vswap::app {
namespace {

bool launched_by_mpirun() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"}) {
    if (std::getenv(v)) return true;
  }
  return false;
}

}  // namespace

MpiRanks::MpiRanks() {
#ifdef VSWAP_WITH_MPI
  if (!launched_by_mpirun()) return;
  int already = 0;
  MPI_Initialized(&already);
  if (!already) MPI_Init(nullptr, nullptr);
  initialised_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &local_rank_);
  MPI_Comm_free(&node);
  setenv("VSWAP_LOCAL_RANK", std::to_string(local_rank_).c_str(), 1);
#endif
}

MpiRanks::~MpiRanks() {
#ifdef VSWAP_WITH_MPI
  if (initialised_) MPI_Finalize();
#endif
}

std::pair<std::int64_t, std::int64_t> MpiRanks::block(std::int64_t first, std::int64_t last) const {
  const std::int64_t n = last - first;
  return {first + rank_ * n / size_, first + (rank_ + 1) * n / size_};
}

int MpiRanks::agree(int code) const {
#ifdef VSWAP_WITH_MPI
  if (initialised_ && size_ > 1) {
    int worst = 0;
    MPI_Allreduce(&code, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return worst;
  }
#endif
  return code;
}

engine::RunSums MpiRanks::reduce(const engine::RunSums& mine) const {
#ifdef VSWAP_WITH_MPI
  if (initialised_ && size_ > 1) {
    if (rank_ != 0) {
      const std::string bytes = encode_sums(mine);
      const unsigned long long n = bytes.size();
      MPI_Send(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, 1, MPI_COMM_WORLD);
      MPI_Send(bytes.data(), static_cast<int>(n), MPI_BYTE, 0, 2, MPI_COMM_WORLD);
      return mine;
    }
    engine::RunSums total = mine;
    for (int r = 1; r < size_; ++r) {  // rank order (exact sums: any order gives these bits)
      unsigned long long n = 0;
      MPI_Recv(&n, 1, MPI_UNSIGNED_LONG_LONG, r, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      std::string bytes(n, '\0');
      MPI_Recv(bytes.data(), static_cast<int>(n), MPI_BYTE, r, 2, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      total.merge(decode_sums(bytes, "MPI rank " + std::to_string(r)));
    }
    return total;
  }
#endif
  return mine;
}

}  // namespace vswap::app
