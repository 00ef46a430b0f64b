#!/usr/bin/env bash
# Example: one vswap run split over a Slurm job array, then merged into the file an unsharded
# run writes (docs/PRODUCTION.md). Submit from the repository root:
#
#   bash tools/slurm_array.sh configs/fig5d.toml 16 out/fig5d
#
# submits an array of N shard jobs (vswap run CONFIG --shard I/N, each with a checkpoint so a
# requeued or preempted task continues where it stopped) and a merge job that starts when
# every shard has succeeded (afterok). Adjust the #SBATCH-style options below to your site.
set -euo pipefail

CONFIG="${1:?usage: slurm_array.sh CONFIG.toml N_SHARDS OUT_PREFIX}"
N="${2:?number of shards}"
PREFIX="${3:?output prefix, e.g. out/fig5d}"
VSWAP="${VSWAP:-$(pwd)/build/vswap}"
TIME="${TIME_LIMIT:-04:00:00}"
CPUS="${CPUS_PER_TASK:-16}"
mkdir -p "$(dirname "$PREFIX")"

# --signal=B:TERM@120: Slurm sends SIGTERM to the batch shell 120 s before the time limit;
# `exec` makes vswap that process, so it writes its checkpoint and exits with 143; --requeue
# lets the task be started again, and the same command continues from the checkpoint.
array_job=$(sbatch --parsable --array=1-"$N" --time="$TIME" --cpus-per-task="$CPUS" \
  --signal=B:TERM@120 --requeue --job-name=vswap-shard \
  --output="${PREFIX}.shard-%a.log" \
  --wrap="exec $VSWAP run $CONFIG --threads $CPUS --shard \${SLURM_ARRAY_TASK_ID}/$N \
    --checkpoint ${PREFIX}.shard-\${SLURM_ARRAY_TASK_ID}.ckpt --checkpoint-every 600 \
    -o ${PREFIX}.shard-\${SLURM_ARRAY_TASK_ID}.h5")

shards=""
for i in $(seq 1 "$N"); do shards="$shards ${PREFIX}.shard-$i.h5"; done
merge_job=$(sbatch --parsable --dependency=afterok:"$array_job" --time=00:30:00 \
  --cpus-per-task=1 --job-name=vswap-merge --output="${PREFIX}.merge.log" \
  --wrap="$VSWAP merge ${PREFIX}.h5 $shards")

echo "submitted shards: job $array_job (array 1-$N); merge: job $merge_job -> ${PREFIX}.h5"
# With MPI instead of an array (one job, K ranks, one GPU per rank where there are GPUs):
#   sbatch --ntasks=K --gpus-per-task=1 --wrap="srun $VSWAP run $CONFIG -o ${PREFIX}.h5"
