#!/usr/bin/env bash
# Example: one vswap run split over a Slurm job array, then merged into the file an unsharded
# run writes (docs/PRODUCTION.md). Submit from the repository root:
#
#   bash tools/slurm_array.sh configs/fig5d.toml 16 out/fig5d
#
# submits an array of N shard jobs (vswap run CONFIG --shard I/N, each with a checkpoint so a
# requeued or preempted task continues where it stopped) and a merge job that starts when
# every shard has succeeded (afterok). Adjust the #SBATCH-style options below to your site.
#
#   bash tools/slurm_array.sh --task CONFIG N OUT_PREFIX
#
# is what each array task runs (SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID set by Slurm): vswap
# as a child of this shell, which forwards SIGTERM to it and, when vswap exits 143 (it saved
# its checkpoint on SIGTERM at the time limit), requeues the task with
# `scontrol requeue JOB_TASK`, so that it continues from the checkpoint.
set -euo pipefail

task=0
if [ "${1:-}" = "--task" ]; then
  task=1
  shift
fi
CONFIG="${1:?usage: slurm_array.sh [--task] CONFIG.toml N_SHARDS OUT_PREFIX}"
N="${2:?number of shards}"
PREFIX="${3:?output prefix, e.g. out/fig5d}"
VSWAP="${VSWAP:-$(pwd)/build/vswap}"
TIME="${TIME_LIMIT:-04:00:00}"
CPUS="${CPUS_PER_TASK:-16}"

if [ "$task" = 1 ]; then
  i="${SLURM_ARRAY_TASK_ID:?--task runs inside a Slurm array task (SLURM_ARRAY_TASK_ID)}"
  # A child, not exec: Slurm's SIGTERM (--signal=B:TERM@120) reaches this shell, which
  # forwards it; vswap writes its checkpoint and exits 143; the shell then requeues.
  "$VSWAP" run "$CONFIG" --threads "$CPUS" --shard "$i/$N" \
    --checkpoint "${PREFIX}.shard-$i.ckpt" --checkpoint-every 600 \
    -o "${PREFIX}.shard-$i.h5" &
  child=$!
  trap 'kill -TERM "$child" 2>/dev/null || true' TERM
  while :; do
    status=0
    wait "$child" || status=$?
    # a trapped signal ends `wait` early (status 128 + signal): wait for vswap's own exit
    kill -0 "$child" 2>/dev/null || break
  done
  trap - TERM
  if [ "$status" = 143 ]; then
    job="${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-}}_$i"
    if command -v scontrol >/dev/null 2>&1; then
      echo "slurm_array.sh: vswap saved its checkpoint on SIGTERM (exit 143); requeueing $job" >&2
      scontrol requeue "$job"
    else
      echo "slurm_array.sh: vswap saved its checkpoint on SIGTERM (exit 143); no scontrol to" \
        "requeue $job: run the task again to continue" >&2
    fi
  fi
  exit "$status"
fi

mkdir -p "$(dirname "$PREFIX")"
script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"
printf -v task_command '%q ' env VSWAP="$VSWAP" CPUS_PER_TASK="$CPUS" \
  bash "$script" --task "$CONFIG" "$N" "$PREFIX"
# `exec`: sbatch --wrap puts the command in a /bin/sh script, and B:TERM signals only that
# shell; sh (dash) does not replace itself with its last command, so without exec the
# signal killed sh and never reached the task shell or vswap (no checkpoint, no requeue).
# exec makes the task shell the batch shell (vswap stays its child).
task_command="exec $task_command"

# --signal=B:TERM@120: Slurm sends SIGTERM to the batch shell 120 s before the time limit;
# the task forwards it to vswap, which writes its checkpoint and exits with 143, and the
# task requeues itself (--requeue allows it; --open-mode=append keeps the log of every run).
array_job=$(sbatch --parsable --array=1-"$N" --time="$TIME" --cpus-per-task="$CPUS" \
  --signal=B:TERM@120 --requeue --open-mode=append --job-name=vswap-shard \
  --output="${PREFIX}.shard-%a.log" \
  --wrap="$task_command")

shards=""
for i in $(seq 1 "$N"); do shards="$shards ${PREFIX}.shard-$i.h5"; done
merge_job=$(sbatch --parsable --dependency=afterok:"$array_job" --time=00:30:00 \
  --cpus-per-task=1 --job-name=vswap-merge --output="${PREFIX}.merge.log" \
  --wrap="$VSWAP merge ${PREFIX}.h5 $shards")

echo "submitted shards: job $array_job (array 1-$N); merge: job $merge_job -> ${PREFIX}.h5"
# With MPI instead of an array (one job, K ranks, one GPU per rank where there are GPUs):
#   sbatch --ntasks=K --gpus-per-task=1 --wrap="srun $VSWAP run $CONFIG -o ${PREFIX}.h5"
