#!/usr/bin/env bash
# Capture decode throughput against ffmpeg -f null on the same files, at 640x480 and 1920x1080.
#   bench/decode.sh [SECONDS]        (clip length, default 10 s at 30 fps; clips are cached in bench/out/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/bootstrap.sh app
seconds="${1:-10}"
mkdir -p bench/out
for size in 640x480 1920x1080; do
  clip="bench/out/testsrc2-$size-${seconds}s.mp4"
  if [ ! -f "$clip" ]; then
    ffmpeg -v error -y -f lavfi -i "testsrc2=size=$size:rate=30" -t "$seconds" -c:v libx264 -preset veryfast -pix_fmt yuv420p "$clip.tmp.mp4"
    mv "$clip.tmp.mp4" "$clip"
  fi
  ./realtimeseg bench-decode --source "$clip" "${@:2}"
  echo
done
