#!/usr/bin/env bash
# Full-size trained-SSM sweeps on one GPU machine (issues 7 and 11), within 7 minutes on one
# H200 with 16 CPU cores.
#
# Run from the repository root on the GPU machine:
#     PYTHONPATH=. OUT=/some/dir bash scripts/gpu_experiments.sh
# Smoke test on a CPU machine (a few minutes on 2 cores):
#     SCALE=quick DEVICE=cpu PYTHONPATH=. OUT=/tmp/gpu_smoke bash scripts/gpu_experiments.sh
# Needs torch (CUDA), numpy, scipy, sympy, mpmath, matplotlib, tqdm — not scikit-learn (digits come
# from numerics/training/data/digits.npz), not statsmodels, not aeon, not dask (the local process
# pool is used).
#
# Writes under $OUT (copy each results/<experiment>/gpu folder to figures/results/<experiment>/gpu/):
#     results/tradeoff/$SCALE/summary.{csv,json}      -> figures/results/tradeoff/gpu/
#     results/memory/$SCALE/summary.{csv,json}        -> figures/results/memory/gpu/
#     results/digits/$SCALE/summary.{csv,json}        -> figures/results/digits/gpu/
#     results/delta_sweep/$SCALE/summary.{csv,json}   -> figures/results/delta_sweep/gpu/
#     runs/<experiment>/runs/*.json                   one result per run (not committed)
#     bench_train_step.{txt,json}                     tokens/s at L = 4096 and 16384
#     env.txt, log_<part>.txt, status.txt             environment, logs, per-part exit codes and
#                                                     seconds (rc 124 = the part hit its limit)
# e.g.  for e in tradeoff memory digits delta_sweep; do mkdir -p figures/results/$e/gpu &&
#       cp $OUT/results/$e/gpu/summary.* figures/results/$e/gpu/; done
#
# Schedule (seconds are the parts' hard limits; total <= 30 + 110 + 215 + 55 (summaries, in
# parallel) + ~10 s start = 420 s = 7 min; sized from CPU timings here, not yet measured on the
# H200):
#     bench                                              30   alone (it measures speed)
#     tradeoff (CPU, 11 workers)                         75   in parallel with
#       || memory (GPU, 5 workers) then digits (GPU, 5)   60 + 50
#     delta_sweep L <= 256, digits, UCR (CPU, 11)       215   in parallel with
#       || delta_sweep L = 1024 and 4096 (GPU, 5)       215
# Each sweep is resumable and ordered by priority; a part cut short still yields the summary of
# the runs it finished (status.txt says which parts timed out; the Δ-sweep summary lists the
# seeds per grid point). Rerunning the script with the same OUT resumes every sweep.
set -euo pipefail

OUT="${OUT:?set OUT to the output folder}"
export PYTHONPATH="${PYTHONPATH:-.}"
PY="${PYTHON:-python}"
SCALE="${SCALE:-gpu}"     # smoke test on a CPU machine: SCALE=quick DEVICE=cpu
DEVICE="${DEVICE:-cuda}"
CPU_WORKERS="${CPU_WORKERS:-11}"  # processes training small models on CPU cores
GPU_WORKERS="${GPU_WORKERS:-5}"   # processes sharing the GPU (small models leave it idle otherwise)
if [ "$SCALE" = quick ]; then CPU_WORKERS=1; GPU_WORKERS=1; fi
mkdir -p "$OUT/results" "$OUT/runs"
: > "$OUT/status.txt"
T_START=$SECONDS

{
  date -u
  nproc
  nvidia-smi --query-gpu=name,memory.total --format=csv || true
  "$PY" -c "import torch, numpy, scipy; print('torch', torch.__version__, 'numpy', numpy.__version__, 'scipy', scipy.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
} > "$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

# part NAME SECONDS COMMAND...: run with a time limit, record the exit code, never abort the script
part() {
  local name="$1" limit="$2"
  shift 2
  local t0=$SECONDS rc=0
  echo "== $name (limit ${limit}s, at $((SECONDS - T_START))s)"
  timeout --signal=TERM --kill-after=5 "$limit" "$@" > "$OUT/log_${name}.txt" 2>&1 || rc=$?
  echo "$name rc=$rc seconds=$((SECONDS - t0))" | tee -a "$OUT/status.txt"
  tail -n 2 "$OUT/log_${name}.txt" || true
}

# summarize NAME: the summary of whatever runs finished (cheap, CPU only)
summarize() {
  local name="$1"
  if [ -d "$OUT/runs/$name/runs" ]; then
    part "summary_$name" 55 "$PY" -m numerics.training.experiments "$name" --scale "$SCALE" \
      --out "$OUT/runs" --summary "$OUT/results/$name/$SCALE" --summarize-only
  fi
}

# sweep NAME LIMIT DEVICE WORKERS [extra args]: one (part of a) sweep, its own log name
sweep() {
  local name="$1" limit="$2" dev="$3" workers="$4" tag="$5"
  shift 5
  part "${name}${tag}" "$limit" "$PY" -m numerics.training.experiments "$name" --scale "$SCALE" \
    --out "$OUT/runs" --summary "$OUT/runs/$name/summary${tag}" --workers "$workers" \
    --device "$dev" "$@"
}

BENCH_ARGS=()
[ "$SCALE" = quick ] && BENCH_ARGS=(--quick)
part bench 30 "$PY" benchmarks/train_step.py --device "$DEVICE" --repeats 3 --timeout 12 \
  --json "$OUT/bench_train_step.json" "${BENCH_ARGS[@]}"
cp "$OUT/log_bench.txt" "$OUT/bench_train_step.txt" || true

# phase 1: the tradeoff (float64, tiny: CPU cores) beside memory then digits (GPU)
OMP_NUM_THREADS=1 sweep tradeoff 75 cpu "$CPU_WORKERS" "" &
( OMP_NUM_THREADS=2 sweep memory 60 "$DEVICE" "$GPU_WORKERS" ""
  OMP_NUM_THREADS=2 sweep digits 50 "$DEVICE" "$GPU_WORKERS" "" ) &
wait

# phase 2: the Δ sweep: L <= 256, digits and UCR on CPU cores; L = 1024 and 4096 on the GPU
OMP_NUM_THREADS=1 sweep delta_sweep 215 cpu "$CPU_WORKERS" "_cpu" --exclude "_L(1024|4096)_" &
OMP_NUM_THREADS=2 sweep delta_sweep 215 "$DEVICE" "$GPU_WORKERS" "_gpu" --match "_L(1024|4096)_" &
wait

for name in tradeoff memory digits delta_sweep; do  # the four summaries in parallel
  summarize "$name" &
done
wait

echo "done in $((SECONDS - T_START)) s; status:"
cat "$OUT/status.txt"
