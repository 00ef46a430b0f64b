#!/usr/bin/env bash
# tools/slurm_array.sh without Slurm (CTest: slurm_array_script): fake sbatch and scontrol on
# PATH record how they are called. Checks that an array task runs vswap as a child, forwards
# SIGTERM to it, and requeues itself (scontrol requeue JOB_TASK) exactly when vswap exits 143
# after saving its checkpoint; that the requeued task continues from the checkpoint; and
# what the submission passes to sbatch.
#   bash tests/test_slurm_array.sh tools/slurm_array.sh build/vswap
set -euo pipefail
SCRIPT="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
VSWAP_BIN="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
work="$(mktemp -d "${TMPDIR:-/tmp}/vswap-test-slurm.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# waits (at most 60 s) until the command succeeds
wait_for() { for _ in $(seq 600); do if "$@"; then return 0; fi; sleep 0.1; done; return 1; }

mkdir bin
cat > bin/scontrol <<'FAKE'
#!/usr/bin/env bash
echo "$*" >> "$FAKE_LOG/scontrol.calls"
FAKE
cat > bin/sbatch <<'FAKE'
#!/usr/bin/env bash
n=$(($(cat "$FAKE_LOG/sbatch.count" 2>/dev/null || echo 0) + 1))
echo "$n" > "$FAKE_LOG/sbatch.count"
printf '%s\n' "$@" > "$FAKE_LOG/sbatch.$n.args"
echo "$((1000 + n))"
FAKE
# a stand-in vswap: records its arguments, exits with $FAKE_EXIT, or on SIGTERM with 143
cat > bin/fake-vswap <<'FAKE'
#!/usr/bin/env bash
printf '%s\n' "$@" > "$FAKE_LOG/vswap.args"
trap 'echo TERM > "$FAKE_LOG/vswap.term"; exit 143' TERM
touch "$FAKE_LOG/vswap.started"
if [ -n "${FAKE_EXIT:-}" ]; then exit "$FAKE_EXIT"; fi
for _ in $(seq 600); do sleep 0.1; done
exit 0
FAKE
chmod +x bin/*
export FAKE_LOG="$work" PATH="$work/bin:$PATH" SLURM_ARRAY_JOB_ID=77 SLURM_ARRAY_TASK_ID=3
export CPUS_PER_TASK=2

# 1. SIGTERM to the task shell reaches vswap; exit 143 requeues 77_3.
VSWAP="$work/bin/fake-vswap" bash "$SCRIPT" --task c.toml 4 out/p & task=$!
wait_for test -e vswap.started || fail "the fake vswap did not start"
kill -TERM "$task"
status=0; wait "$task" || status=$?
[ "$status" = 143 ] || fail "task exit $status after SIGTERM, expected 143"
[ -e vswap.term ] || fail "SIGTERM was not forwarded to vswap"
[ "$(cat scontrol.calls 2>/dev/null)" = "requeue 77_3" ] ||
  fail "scontrol calls: '$(cat scontrol.calls 2>/dev/null)', expected 'requeue 77_3'"
grep -qx -- "--shard" vswap.args && grep -qx "3/4" vswap.args &&
  grep -qx "out/p.shard-3.ckpt" vswap.args && grep -qx "out/p.shard-3.h5" vswap.args ||
  fail "vswap arguments: $(tr '\n' ' ' < vswap.args)"

# 2. Any other exit code is passed on, without a requeue.
for code in 0 1 2 130; do
  rm -f scontrol.calls
  status=0; FAKE_EXIT=$code VSWAP="$work/bin/fake-vswap" bash "$SCRIPT" --task c.toml 4 out/p ||
    status=$?
  [ "$status" = "$code" ] || fail "task exit $status, expected vswap's $code"
  [ ! -e scontrol.calls ] || fail "requeued after exit $code: $(cat scontrol.calls)"
done

# 3. Without scontrol the task still exits 143 and says how to continue.
mkdir nobin && ln -s "$work/bin/fake-vswap" nobin/fake-vswap
if ! PATH="$work/nobin:/usr/bin:/bin" command -v scontrol >/dev/null; then
  rm -f scontrol.calls
  status=0; FAKE_EXIT=143 PATH="$work/nobin:/usr/bin:/bin" VSWAP="$work/nobin/fake-vswap" \
    bash "$SCRIPT" --task c.toml 4 out/p 2> err.txt || status=$?
  [ "$status" = 143 ] || fail "task without scontrol: exit $status"
  grep -q "no scontrol" err.txt || fail "no word about the missing scontrol: $(cat err.txt)"
fi

# 4. The real vswap: SIGTERM mid-run saves the checkpoint and requeues; the requeued task
#    continues from it and writes the shard (no second requeue).
cat > c.toml <<'TOML'
[system]
particles = 100
length = 100.0
width = 20.0
[numerics]
cells = 20
dt = 0.05
realizations = 40000
times = [0.0, 5.0, 10.0]
bins = 10
backend = "cpu"
[theory]
points = 20
TOML
rm -f scontrol.calls
mkdir -p real
# the first checkpoint comes after --checkpoint-every 600 s only on SIGTERM: wait for the
# simulation (its progress line) instead
export SLURM_ARRAY_TASK_ID=2  # of 2 shards: 20000 realizations, seconds
VSWAP="$VSWAP_BIN" bash "$SCRIPT" --task c.toml 2 real/p > real/log 2>&1 & task=$!
wait_for grep -q "realizations \[" real/log || fail "vswap did not start: $(cat real/log)"
kill -TERM "$task"
status=0; wait "$task" || status=$?
if [ "$status" = 0 ]; then
  echo "note: the shard finished before SIGTERM; step 4 checked nothing" >&2
else
  [ "$status" = 143 ] || fail "real task exit $status, expected 143: $(cat real/log)"
  grep -q "SIGTERM received" real/log || fail "vswap did not get SIGTERM: $(cat real/log)"
  [ -e real/p.shard-2.ckpt ] || fail "no checkpoint after SIGTERM: $(ls real)"
  [ ! -e real/p.shard-2.h5 ] || fail "an output after SIGTERM"
  [ "$(cat scontrol.calls 2>/dev/null)" = "requeue 77_2" ] || fail "no requeue of the real task"
  rm -f scontrol.calls
  status=0; VSWAP="$VSWAP_BIN" bash "$SCRIPT" --task c.toml 2 real/p > real/log2 2>&1 || status=$?
  [ "$status" = 0 ] || fail "the requeued task: exit $status: $(cat real/log2)"
  grep -q "resuming" real/log2 || fail "the requeued task did not resume: $(cat real/log2)"
  [ -e real/p.shard-2.h5 ] && [ ! -e real/p.shard-2.ckpt ] || fail "shard not written: $(ls real)"
  [ ! -e scontrol.calls ] || fail "requeued after success"
fi

# 5. The submission: the array runs this script's --task mode (exec'd by the wrap's sh; vswap
#    a child of it), with the
#    signal 120 s ahead and --requeue; the merge waits for every shard.
rm -f sbatch.count
out=$(VSWAP=/opt/vswap bash "$SCRIPT" c.toml 4 sub/p) || fail "submission failed"
grep -qx -- "--array=1-4" sbatch.1.args || fail "array: $(tr '\n' ' ' < sbatch.1.args)"
grep -qx -- "--signal=B:TERM@120" sbatch.1.args && grep -qx -- "--requeue" sbatch.1.args ||
  fail "signal/requeue options: $(tr '\n' ' ' < sbatch.1.args)"
wrap=$(grep -- "^--wrap=" sbatch.1.args)
case "$wrap" in
  *"$SCRIPT"*--task*c.toml*4*sub/p*) ;;
  *) fail "the array task does not run --task: $wrap" ;;
esac
# the wrapped /bin/sh execs the task shell (never vswap itself: the task shell forwards)
case "$wrap" in "--wrap=exec env "*bash*--task*) ;; *) fail "the wrap does not exec the task shell: $wrap" ;; esac
case "$wrap" in *"exec "*"exec "*|*"exec "*vswap\ run*) fail "the array task execs vswap: $wrap" ;; esac
case "$wrap" in *VSWAP=/opt/vswap*) ;; *) fail "VSWAP not passed on: $wrap" ;; esac
grep -qx -- "--dependency=afterok:1001" sbatch.2.args || fail "merge: $(tr '\n' ' ' < sbatch.2.args)"
case "$out" in *"job 1001"*"job 1002"*) ;; *) fail "submission output: $out" ;; esac

# 6. As Slurm runs it: sbatch --wrap writes the command into a /bin/sh script and
#    --signal=B:TERM signals that shell only. The signal must reach vswap and requeue (with
#    a plain `bash ... --task` line, dash died of it and vswap ran on: an audit).
rm -f sbatch.count scontrol.calls vswap.term vswap.started
VSWAP="$work/bin/fake-vswap" bash "$SCRIPT" c.toml 4 sub/p > /dev/null || fail "submission failed"
wrap=$(grep -- "^--wrap=" sbatch.1.args)
printf '#!/bin/sh\n# This script was created by sbatch --wrap.\n\n%s\n' "${wrap#--wrap=}" > job.sh
chmod +x job.sh
SLURM_ARRAY_TASK_ID=3 ./job.sh & batch=$!
wait_for test -e vswap.started || fail "the wrapped task did not start vswap"
kill -TERM "$batch"
status=0; wait "$batch" || status=$?
[ "$status" = 143 ] || fail "the batch shell exited $status after SIGTERM, expected 143"
wait_for test -e vswap.term || fail "SIGTERM to the batch shell did not reach vswap"
[ "$(cat scontrol.calls 2>/dev/null)" = "requeue 77_3" ] ||
  fail "batch shell: scontrol calls '$(cat scontrol.calls 2>/dev/null)', expected 'requeue 77_3'"

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "slurm_array.sh: all checks passed"
