#!/usr/bin/env bash
# Rebuilds the shipped demo model from nothing, in one command (about an hour on 2 cores):
#   synthetic dataset -> training -> ONNX export -> PyTorch references -> COCO evaluation -> speed.
# Re-running resumes training from the checkpoint in $DATA. Needs Debian's python3-torch, python3-torchvision,
# python3-onnx and python3-pil (for /usr/bin/python3); the product itself never needs Python.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
DATA="${DATA:-$root/data/shapes}"
PY=/usr/bin/python3

if ! "$PY" -c "import torch, torchvision, onnx, PIL" 2>/dev/null; then
  echo "retrain: missing Python packages; run: apt-get install -y python3-torch python3-torchvision python3-onnx python3-pil" >&2
  exit 1
fi

if [ ! -f "$DATA/annotations/instances_val.json" ]; then
  ./realtimeseg synth-dataset --out "$DATA" --train 4000 --val 300 --size 320x240 --seed 1
fi
"$PY" tools/train_demo_model.py --data "$DATA" --out models
./realtimeseg synth-dataset --out tests/fixtures/demo --train 0 --val 4 --size 320x240 --seed 2026
"$PY" tools/make_demo_reference.py --checkpoint "$DATA/demo_model.ckpt"
./realtimeseg evaluate --model models/shapes_maskrcnn.onnx --data "$DATA" --split val
./realtimeseg bench --model models/shapes_maskrcnn.onnx --runs 200
