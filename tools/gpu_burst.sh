#!/usr/bin/env bash
# A prepared training burst for a lent GPU machine (the tool library's `device`: one H100/H200, 16 CPU
# cores, 10 minutes a command, 64 MiB carried). It runs the same training code as the CPU runs:
#   1. renders a stem bank from the carried pack on 15 CPU processes (tools/build_bank.py),
#   2. continues the run from the carried weights on the GPU (tools/train.py, bf16 autocast, bigger
#      batch) until the time budget is spent, checkpointing into $OUT,
#   3. leaves $OUT/model.npz (moving-average weights) and the run's log for tools/runs/.
# Prepare here (what is carried must stay under 64 MiB, so the pack is re-encoded at a lower bit rate):
#   /usr/bin/python3 tools/pack_train.py .gpu/pack --gpl --kbps 20
#   /usr/bin/python3 tools/train_weights.py --from .train/RUN/ckpt.pt --out .gpu/init.npz --fp16
# then call the device with: command "bash tools/gpu_burst.sh RUN", carry [".gpu"], timeout_s 600.
# Afterwards, here: tools/train.py --run RUN --init <fetched model.npz> ... continues on the CPU; score the
# fetched weights with tools/eval_run.py like any snapshot.
set -euo pipefail
run="${1:?usage: gpu_burst.sh RUN [minutes]}"
minutes="${2:-6}"
out="${OUT:-/tmp/gpu-out}"
mkdir -p "$out"
start=$(date +%s)
bash scripts/ensure-training-deps.sh >/dev/null
python3 -c "import torch; assert torch.cuda.is_available(), 'no CUDA GPU'; print(torch.cuda.get_device_name())"
# 1. a bank of 1.4 h (256 songs x 20 s) on 15 processes: about 2 minutes on 16 cores
python3 tools/build_bank.py --out /tmp/bank --pack .gpu/pack --gpl --hours 1.42 --workers 15 | tail -2
# 2. train on the GPU for the rest of the budget, checkpointing every 2 minutes into $out
elapsed=$(( ($(date +%s) - start) / 60 ))
python3 tools/train.py --run "$run-gpu" --bank /tmp/bank --init .gpu/init.npz --gpl --batch 32 --lr 4e-4 \
	--warmup 50 --hours "$(python3 -c "print(max(1, $minutes - $elapsed) / 60)")" --ckpt-minutes 2 \
	--snapshot-examples 20000 --val-pack .gpu/pack --state-dir "$out/state" --record-dir "$out/record"
cp "$out/state/snapshots/$(ls "$out/state/snapshots" | tail -1)" "$out/model.npz"
rm -f "$out/state/ckpt.pt"  # optimizer state: 60 MB, not needed to continue from the weights
ls -la "$out" "$out/record"
