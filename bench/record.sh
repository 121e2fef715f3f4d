#!/usr/bin/env bash
# What recording costs: the demo pipeline (synthetic 640x480 scene, shipped model, overlay drawn offscreen and
# read back) with and without the encoder, back to back, in two regimes:
#   live      the scene paced at 30 fps, as the demo runs it (the target: >= 15 fps end to end)
#   flat-out  every frame as fast as the pipeline takes it (the throughput encoding competes with)
#   bench/record.sh [SECONDS] [FRAMES]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/bootstrap.sh app
seconds="${1:-10}"; frames="${2:-300}"
out="$(mktemp -d)"; trap 'rm -rf "$out"' EXIT
fps() { sed -n 's/.*: \([0-9.]*\) fps end to end.*/\1/p'; }
run() { ./realtimeseg record -m models/shapes_maskrcnn.onnx -s synthetic:1 -o "$out/clip.mp4" "$@" 2>/dev/null | fps; }
# This 2-core VM's speed drifts by 10-30% from run to run: interleave three runs of each and take medians.
median() { sort -n | sed -n 2p; }
# Also the older path for reference: BGRA readback converted by FFmpeg (REALTIMESEG_RECORD_BGRA=1).
live_off=(); live_on=(); flat_off=(); flat_on=(); flat_bgra=()
for i in 1 2 3; do
  live_off+=("$(run --duration "$seconds" --no-encode)"); live_on+=("$(run --duration "$seconds")")
  flat_off+=("$(run --lossless --frames "$frames" --no-encode)"); flat_on+=("$(run --lossless --frames "$frames")")
  flat_bgra+=("$(REALTIMESEG_RECORD_BGRA=1 run --lossless --frames "$frames")")
done
echo "runs (fps): live ${live_off[*]} / ${live_on[*]}; flat-out ${flat_off[*]} / ${flat_on[*]}; flat-out BGRA path ${flat_bgra[*]}"
bgra=$(printf '%s\n' "${flat_bgra[@]}" | median)
live_off=$(printf '%s\n' "${live_off[@]}" | median); live_on=$(printf '%s\n' "${live_on[@]}" | median)
flat_off=$(printf '%s\n' "${flat_off[@]}" | median); flat_on=$(printf '%s\n' "${flat_on[@]}" | median)
awk -v a="$live_off" -v b="$live_on" -v c="$flat_off" -v d="$flat_on" -v e="$bgra" 'BEGIN {
  printf "median live (30 fps scene, %s s)   without encoding %5.1f fps, with %5.1f fps: recording costs %4.1f%%\n", "'"$seconds"'", a, b, 100 * (1 - b / a);
  printf "median flat-out (%s frames)       without encoding %5.1f fps, with %5.1f fps: recording costs %4.1f%%\n", "'"$frames"'", c, d, 100 * (1 - d / c);
  printf "median flat-out, BGRA readback      with encoding %5.1f fps: costs %4.1f%%\n", e, 100 * (1 - e / c) }'
