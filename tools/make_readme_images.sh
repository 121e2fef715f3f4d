#!/usr/bin/env bash
# Regenerates the README pictures with the project's own commands: the demo pipeline's overlay (the last
# frame drawn, saved by record --snapshot) and a frame decoded back from the recording it wrote.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/bootstrap.sh app
mkdir -p docs/images
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
./realtimeseg record --model models/shapes_maskrcnn.onnx --source synthetic:1 --lossless --frames 75 --hud \
  --out "$tmp/demo.mp4" --snapshot docs/images/demo-overlay.png
ffmpeg -v error -y -ss 1.5 -i "$tmp/demo.mp4" -frames:v 1 docs/images/recording-frame.png
ls -l docs/images
