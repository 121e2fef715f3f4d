#!/usr/bin/env bash
# Retrains the shipped demo model (models/shapes_maskrcnn*.onnx) as one `realtimeseg train` run on the synthetic
# shapes scene, then copies the exported model into models/. About an hour on 2 CPU cores; Ctrl+C and the same
# command again resume. The run folder keeps the checkpoints, the curve and the summary (training/).
#
#   tools/retrain_demo_model.sh [RUN_DIR]      default RUN_DIR: data/shapes-run
#
# REALTIMESEG_DEMO_INSTALL=0 trains and validates without replacing models/ (to reproduce the figures only).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run="${1:-$root/data/shapes-run}"
data="$root/data/shapes"
cd "$root"

# The dataset is deterministic in its seed: the same 4000 training and 300 val images every time.
if [ ! -f "$data/annotations/instances_val.json" ]; then
  ./realtimeseg synth-dataset --out "$data" --train 4000 --val 300 --size 320x240 --seed 1
fi

# The recipe of the shipped model: the demo architecture from scratch, 2600 iterations of 4 images (2.6 epochs),
# base LR 0.02 with 200 iterations of warm-up, input 320x240; validated once per epoch and at the end.
./realtimeseg train --data "$data" --out "$run" --arch small --iterations 2600 --batch 4 --lr 0.02 --warmup 200 \
  --size 240 --threads 2 --seed 1

if [ "${REALTIMESEG_DEMO_INSTALL:-1}" = 1 ]; then
  cp "$run/model.onnx" models/shapes_maskrcnn.onnx
  cp "$run/model_pasted.onnx" models/shapes_maskrcnn_pasted.onnx
  cp "$run/model.labels.txt" models/shapes_maskrcnn.labels.txt
  # The tests compare the runtime with PyTorch on the new weights: regenerate their references from the same checkpoint.
  ./realtimeseg synth-dataset --out tests/fixtures/demo --train 0 --val 4 --size 320x240 --seed 2026
  /usr/bin/python3 tools/make_demo_reference.py --checkpoint "$run/checkpoints/best.pt"
  ./realtimeseg evaluate --model models/shapes_maskrcnn.onnx --data "$data" --split val
  ./realtimeseg bench --model models/shapes_maskrcnn.onnx --runs 200
fi
