#!/usr/bin/env bash
# The C ABI against the C# API on the same frames: frames pushed by a C host through librealtimeseg
# (tests/native/rts_check.c, mode bench) and by the C# embedding API (realtimeseg bench-host), each frame's result
# waited for before the next, interleaved ROUNDS times; prints each run, the medians, their ratio and the
# library's size.
#   bench/native.sh [FRAMES] [ROUNDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
frames="${1:-300}" rounds="${2:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
model="$root/models/shapes_maskrcnn.onnx"

lib="$("$root/scripts/build-native.sh" | tail -1)"
gcc -std=c99 -O2 -I "$root/include" "$root/tests/native/rts_check.c" -o "$work/rts_check" -ldl -lEGL
# Eight frames of the bare synthetic scene (nothing drawn over them), as PPM.
"$root/realtimeseg" record --model "$model" --source synthetic:4 --lossless --frames 8 --no-masks --no-boxes --no-labels --out "$work/scene.mkv" >/dev/null
ffmpeg -v error -i "$work/scene.mkv" "$work/frame%d.ppm"
ppms=("$work"/frame*.ppm)

c=() cs=()
for ((i = 1; i <= rounds; i++)); do
  c+=("$("$work/rts_check" "$lib" "$model" bench "$frames" "${ppms[@]}" | sed -n 's/.* fps \([0-9.]*\)$/\1/p')")
  cs+=("$("$root/realtimeseg" bench-host --model "$model" --provider cpu --frames "$frames" "${ppms[@]}" | sed -n 's/.* fps \([0-9.]*\)$/\1/p')")
  echo "round $i: C ABI ${c[-1]} fps, C# API ${cs[-1]} fps"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mc="$(median "${c[@]}")" mcs="$(median "${cs[@]}")"
echo "median: C ABI $mc fps, C# API $mcs fps, ratio $(awk -v a="$mc" -v b="$mcs" 'BEGIN { printf "%.3f", a / b }')"
echo "library: $(du -h "$lib" | cut -f1) $(basename "$lib") (stripped; $(du -sh "$(dirname "$lib")" | cut -f1) with ONNX Runtime and SkiaSharp beside it)"
