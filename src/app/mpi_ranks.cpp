// MPI for `vswap run`: one block of realizations per rank, sums reduced in rank order.
#include "app/mpi_ranks.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#ifdef VSWAP_WITH_MPI
#include <mpi.h>
#endif

#include "app/checkpoint.hpp"

namespace vswap::app {
namespace {

#ifdef VSWAP_WITH_MPI
/// MPI counts are int: messages go in pieces of at most 1 GiB.
constexpr std::size_t kPiece = std::size_t{1} << 30;

void send_bytes(const std::string& bytes, int to) {
  const unsigned long long n = bytes.size();
  MPI_Send(&n, 1, MPI_UNSIGNED_LONG_LONG, to, 1, MPI_COMM_WORLD);
  for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
    const std::size_t len = std::min(kPiece, bytes.size() - at);
    MPI_Send(bytes.data() + at, static_cast<int>(len), MPI_BYTE, to, 2, MPI_COMM_WORLD);
  }
}

std::string receive_bytes(int from) {
  unsigned long long n = 0;
  MPI_Recv(&n, 1, MPI_UNSIGNED_LONG_LONG, from, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  std::string bytes(n, '\0');
  for (std::size_t at = 0; at < bytes.size(); at += kPiece) {
    const std::size_t len = std::min(kPiece, bytes.size() - at);
    MPI_Recv(bytes.data() + at, static_cast<int>(len), MPI_BYTE, from, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  return bytes;
}

bool launched_by_mpirun() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"}) {
    if (std::getenv(v)) return true;
  }
  return false;
}
#endif

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
  int local_size = 1;
  MPI_Comm_size(node, &local_size);
  MPI_Comm_free(&node);
  setenv("VSWAP_LOCAL_RANK", std::to_string(local_rank_).c_str(), 1);
  setenv("VSWAP_LOCAL_SIZE", std::to_string(local_size).c_str(), 1);
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
      send_bytes(encode_sums(mine), 0);
      return mine;
    }
    engine::RunSums total = mine;
    for (int r = 1; r < size_; ++r) {  // rank order (exact sums: any order gives these bits)
      total.merge(decode_sums(receive_bytes(r), "MPI rank " + std::to_string(r)));
    }
    return total;
  }
#endif
  return mine;
}

}  // namespace vswap::app
