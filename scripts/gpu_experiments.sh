#!/usr/bin/env bash
# Full-size trained-SSM sweeps on one GPU (issue 7), within 8 minutes on an H200.
#
# Run from the repository root on the GPU machine:
#     PYTHONPATH=. OUT=/some/dir bash scripts/gpu_experiments.sh
# Needs torch (CUDA), numpy, scipy, sympy, mpmath, matplotlib, tqdm — not scikit-learn (digits come
# from numerics/training/data/digits.npz) and not dask (the local process pool is used).
#
# Writes under $OUT:
#     results/<experiment>/$SCALE/summary.{csv,json}  small summaries to commit as
#                                                   figures/results/<experiment>/gpu/
#     runs/<experiment>/runs/*.json                 one result per run (not committed)
#     bench_train_step.{txt,json}                   tokens/s at L = 4096 and 16384
#     env.txt, log_<part>.txt, status.txt           environment, logs, per-part exit codes
# Each part has its own time limit; sweeps are resumable and a part cut short still writes the
# summary of the runs it finished (status.txt says which parts timed out).
set -euo pipefail

OUT="${OUT:?set OUT to the output folder}"
export PYTHONPATH="${PYTHONPATH:-.}"
PY="${PYTHON:-python}"
WORKERS="${WORKERS:-4}"   # processes sharing the GPU (small models leave it idle otherwise)
SCALE="${SCALE:-gpu}"     # smoke test on a CPU machine: SCALE=quick DEVICE=cpu WORKERS=1
DEVICE="${DEVICE:-cuda}"
mkdir -p "$OUT/results" "$OUT/runs"
: > "$OUT/status.txt"

{
  date -u
  nvidia-smi --query-gpu=name,memory.total --format=csv || true
  "$PY" -c "import torch, numpy, scipy; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
} > "$OUT/env.txt" 2>&1
cat "$OUT/env.txt"

# part NAME SECONDS COMMAND...: run with a time limit, record the exit code, never abort the script
part() {
  local name="$1" limit="$2"
  shift 2
  local t0=$SECONDS rc=0
  echo "== $name (limit ${limit}s)"
  timeout --signal=TERM --kill-after=10 "$limit" "$@" > "$OUT/log_${name}.txt" 2>&1 || rc=$?
  echo "$name rc=$rc seconds=$((SECONDS - t0))" | tee -a "$OUT/status.txt"
  tail -n 3 "$OUT/log_${name}.txt" || true
}

# summarize NAME: the summary of whatever runs finished (cheap, CPU only)
summarize() {
  local name="$1"
  if [ -d "$OUT/runs/$name/runs" ]; then
    part "summary_$name" 120 "$PY" -c "
import sys
from numerics.training.experiments import summarize_experiment
s = summarize_experiment('$name', '$SCALE', '$OUT/runs/$name/runs', '$OUT/results/$name/$SCALE')
print(s['n_runs'], 'of', s['n_planned'], 'runs summarized')
"
  fi
}

run_exp() {
  local name="$1" limit="$2"
  part "$name" "$limit" "$PY" -m numerics.training.experiments "$name" --scale "$SCALE" \
    --out "$OUT/runs" --workers "$WORKERS" --device "$DEVICE"
  summarize "$name"
}

# budget (seconds): bench 60 + tradeoff 60 + memory 150 + digits 150 = 420 of the 480 allowed,
# plus a few seconds per summary
BENCH_ARGS=()
[ "$SCALE" = quick ] && BENCH_ARGS=(--quick)
part bench 60 "$PY" benchmarks/train_step.py --device "$DEVICE" --repeats 5 --timeout 25 \
  --json "$OUT/bench_train_step.json" "${BENCH_ARGS[@]}"
cp "$OUT/log_bench.txt" "$OUT/bench_train_step.txt" || true
run_exp tradeoff 60
run_exp memory 150
run_exp digits 150

echo "done; status:"
cat "$OUT/status.txt"
